"""FHIR R4 ExplanationOfBenefit reader: each EOB becomes the records an 835 claim would give.

Input: one ExplanationOfBenefit, a Bundle (searchset, collection, transaction, nested bundles
too) or NDJSON (one resource per line). JSON numbers are parsed as Decimal, never float. Each
EOB is validated with fhir.resources.R4B and then mapped from its raw JSON:
RemittanceHeader (transaction None), one ClaimPayment, RemittanceTrailer (no PLB).

Mapping rules (X12 835 names; the code for each is in parsers/fhir_claim.py and
parsers/fhir_adjudication.py):
- CLP01 patient control number: the CARIN supportingInfo `patientaccountnumber` value; else
  EOB.claim.identifier; else the identifier of the Claim that EOB.claim points at (contained or
  in the Bundle); else that reference's logical id (Synthea: the Claim id); else '' + warning.
- CLP07 payer claim number: the EOB identifier whose type is `uc`; else EOB.id.
- CLP02 status, first match: use=predetermination -> 25; status entered-in-error, or a negative
  charge or paid -> 22; nothing paid and (outcome error, a denialreason/rejectreason
  adjudication, or a `denied` payment status) -> 4; else the focal insurance's position in
  EOB.insurance (1st -> 1, 2nd -> 2, 3rd+ -> 3), a prior-payer-paid amount making a first
  position 2.
- CLP03 charge: total `submitted`, else header adjudication, else the sum of line charges.
- CLP04 paid: total `paidtoprovider`, else total `benefit`, else the same in header adjudication,
  else payment.amount, else the sum of lines paid.
- CLP05: total `memberliability`, else the sum of line member liability, else the sum of PR
  adjustments, else None.
- Lines (item and addItem): SVC01 from productOrService (CPT/HCPCS HC, NDC N4, CDT AD, other
  systems ZZ) with modifiers, or NU + revenue when the product is data-absent; SVC02 submitted,
  else item.net; SVC03 paidtoprovider, else benefit; SVC04 revenue; SVC05 allowedunits, else
  quantity; dates from servicedDate (472) or servicedPeriod (150/151); AMT B6 from `eligible`.
- Adjustments from amount categories: deductible PR-1, coinsurance PR-2, copay PR-3,
  noncovered CO-96, discount/contractual CO-45, priorpayerpaid OA-23, each unless a CARC in
  adjudication.reason says otherwise. A CARC may carry its group ('CO-197') or come with a
  coding of a `claim-adjustment-group-codes` system; a bare CARC takes the category's group, else
  PR for 1/2/3/66/187, OA for 18/23, else CO. `denialreason`/`adjustmentreason` entries with an
  amount are that adjustment; without one, the first takes the line's (or claim's) unexplained
  rest (charge - paid - adjustments). Claim-level CAS come from header adjudication, and from
  EOB.total only when no line or header entry carries adjustments. Negative amounts are kept.
- RARCs (x12.org remittance-advice-remark-codes, or M/MA/N codes under the CARC system): line
  remarks ('HE', code); header ones in ClaimPayment.remark_codes. NCPDP reject codes: ('RX', code).
- Kept without an X12 home, under 'fhir:' qualifiers: ClaimPayment.refs holds fhir:outcome,
  fhir:status, fhir:use, fhir:type, fhir:subType, fhir:payment.type,
  fhir:payment.adjustmentReason (plus EA medical record number, F8 prior claim);
  ClaimPayment.amounts holds AU (allowed total), F5 (paid by patient), fhir:memberliability,
  fhir:paidtopatient, fhir:benefit (when not used as paid), fhir:payment.adjustment and any
  unmapped category; ServicePayment.amounts the same per line, refs fhir:sequence.
- Header: BPR02 payment.amount (else the claim paid; sign kept, BPR03 D when negative), BPR16
  payment.date, TRN02 payment.identifier (else 'EOB-' + id), payer from insurer and payee from
  provider, resolved against contained and Bundle resources (identifiers: payerid PI/REF 2U,
  NAIC NI/REF NF, TAX FI/REF TJ, NPI XX), else the reference's display.
- segment_index is the EOB's 1-based position in the file (Bundle entry or NDJSON line).
Problems are Issue records; only unreadable files raise parsers.ReadError.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, TextIO, TypeGuard

from parsers import ReadError
from parsers.fhir_claim import eob_records
from parsers.fhir_codes import JSON, as_dict, as_list
from parsers.fhir_parties import References
from parsers.records import Issue, Record, Severity

EOB = "ExplanationOfBenefit"
Documents = Callable[[], Iterator[tuple[int, object]]]


def read_eobs(path: str | Path) -> Iterator[Record]:
    """Stream header, claim and trailer records for every EOB in a FHIR JSON or NDJSON file."""
    documents, ndjson = _documents(path)
    refs = References()
    kinds: Counter[str] = Counter()
    fhir = False
    for _, doc in documents():  # pass 1: index referenced resources, count what is there
        fhir = fhir or _is_resource(doc)
        for resource in _resources(doc, refs):
            kinds[str(resource["resourceType"])] += 1
    if not kinds[EOB]:
        yield _refusal(documents, kinds if fhir else None, ndjson)
        return
    ordinal = 0
    for line, doc in documents():  # pass 2: map each EOB
        if ndjson and not _is_resource(doc):
            message = f"line {line} is not a FHIR resource; skipped"
            yield Issue(Severity.WARNING, "fhir.not-a-resource", message)
            continue
        for resource in _resources(doc):
            if resource["resourceType"] == EOB:
                ordinal += 1
                yield from _one(resource, refs, line if ndjson else ordinal)


def _is_resource(doc: object) -> TypeGuard[JSON]:
    """A JSON object with a resourceType."""
    return isinstance(doc, dict) and isinstance(doc.get("resourceType"), str)


def _resources(doc: object, refs: References | None = None) -> Iterator[JSON]:
    """Every resource of a document, Bundles walked (nested too); indexes them when asked."""
    if not _is_resource(doc):
        return
    if doc["resourceType"] != "Bundle":
        if refs is not None:
            refs.add(doc)
        yield doc
        return
    for entry in as_list(doc.get("entry")):
        resource = as_dict(entry.get("resource"))
        if not _is_resource(resource):
            continue
        if refs is not None:
            refs.add(resource, str(entry.get("fullUrl") or ""))
        if resource["resourceType"] == "Bundle":
            yield from _resources(resource, refs)
        else:
            yield resource


def _one(eob: JSON, refs: References, position: int) -> Iterator[Record]:
    """Validate one EOB with R4B, then map it; a failure is an ERROR issue naming the EOB."""
    problem = _validation_problem(eob)
    if problem is not None:
        where, message = problem
        eob_id = eob.get("id") or "(no id)"
        yield Issue(
            Severity.ERROR,
            "fhir.invalid-eob",
            f"ExplanationOfBenefit {eob_id} is not valid FHIR R4 at {where}: {message}",
            segment_id=EOB,
            element=f"{EOB}.{where}",
        )
        return
    yield from eob_records(eob, refs, position)


@cache
def _eob_model() -> Any:
    """The R4B ExplanationOfBenefit model, imported once when first needed."""
    from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit

    return ExplanationOfBenefit


def _validation_problem(eob: JSON) -> tuple[str, str] | None:
    """(location, message) of the first R4B validation error, None when valid."""
    from pydantic import ValidationError

    try:
        _eob_model().model_validate(eob)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": str(exc)}
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ").split("\n")[0].strip()
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return where.lstrip(".") or "(root)", message + more
    except (ValueError, TypeError, KeyError) as exc:
        return "(root)", str(exc).split("\n")[0]
    return None


def _refusal(documents: Documents, kinds: Counter[str] | None, ndjson: bool) -> Issue:
    """The ERROR that refuses a file holding no ExplanationOfBenefit, saying what it holds."""
    first = next(documents(), (0, None))[1]
    if kinds is None:
        if ndjson:
            what = "JSON lines, none of them a FHIR resource"
        elif isinstance(first, list):
            what = "a JSON array, not a FHIR resource, Bundle or NDJSON export"
        else:
            what = "JSON but not FHIR: the top-level value has no resourceType"
        return Issue(Severity.ERROR, "fhir.not-fhir", f"the file is {what}")
    found = ", ".join(f"{kind} x{n}" for kind, n in sorted(kinds.items())) or "nothing"
    top = as_dict(first)
    if not ndjson and top.get("resourceType") == "Bundle":
        entries = len(as_list(top.get("entry")))
        kind = top.get("type", "no type")
        holder = (
            f"a FHIR Bundle ({kind}) of {entries} entries ({found})"
            if entries
            else (f"an empty FHIR Bundle ({kind})")
        )
    elif not ndjson:
        holder = f"a FHIR {top.get('resourceType')}"
    else:
        holder = f"FHIR resources ({found})"
    message = f"the file holds {holder} and no ExplanationOfBenefit: nothing to import"
    return Issue(Severity.ERROR, "fhir.no-eob", message)


# --------------------------------------------------------------------------- loading


def _documents(path: str | Path) -> tuple[Documents, bool]:
    """A re-iterable source of (line, JSON value), and whether the file is NDJSON."""
    with _open(path) as fh:
        first_line, first_text = _first_content(path, fh)
        if first_text is None:
            raise ReadError(path, "the file is empty")
        try:
            first = json.loads(first_text, parse_float=Decimal)
        except json.JSONDecodeError:
            document = None  # the first line is not a whole value: one multi-line document
        else:
            if not any(line.strip() for line in _guard(path, fh)):
                return (lambda: iter([(first_line, first)])), False
            return (lambda: _ndjson(path)), True
    document = _whole(path)
    return (lambda: iter([(1, document)])), False


def _open(path: str | Path) -> TextIO:
    """Open as UTF-8 text (a BOM is skipped), ReadError when it cannot be opened."""
    try:
        return open(path, encoding="utf-8-sig")
    except OSError as exc:
        raise ReadError(path, f"cannot open the file: {exc.strerror}") from exc


def _guard(path: str | Path, lines: TextIO) -> Iterator[str]:
    """Lines of a text file, a decoding failure becoming ReadError."""
    number = 0
    try:
        for number, line in enumerate(lines, 1):  # noqa: B007
            yield line
    except UnicodeDecodeError as exc:
        raise ReadError(
            path, f"the file is not UTF-8 text (after line {number}): {exc.reason}"
        ) from exc


def _first_content(path: str | Path, fh: TextIO) -> tuple[int, str | None]:
    """(line number, text) of the first non-blank line."""
    for number, line in enumerate(_guard(path, fh), 1):
        if line.strip():
            return number, line
    return 0, None


def _ndjson(path: str | Path) -> Iterator[tuple[int, object]]:
    """One JSON value per non-blank line; a bad line raises ReadError with line and column."""
    with _open(path) as fh:
        for number, line in enumerate(_guard(path, fh), 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                raise ReadError(path, _bad_json(number, exc.colno, exc.msg)) from exc


def _whole(path: str | Path) -> object:
    """The file as one JSON document, numbers as Decimal."""
    with _open(path) as fh:
        text = "".join(_guard(path, fh))
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ReadError(path, _bad_json(exc.lineno, exc.colno, exc.msg)) from exc


def _bad_json(line: int, column: int, message: str) -> str:
    """The ReadError text for a JSON syntax error."""
    return f"invalid JSON at line {line} column {column}: {message}"


__all__ = ["read_eobs"]
