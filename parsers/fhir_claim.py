"""One validated ExplanationOfBenefit as 835 records: header, claim payment, trailer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from parsers.fhir_adjudication import ZERO, Tally, paid_of, service_payment, settle_pending, tally
from parsers.fhir_codes import (
    JSON,
    Role,
    as_dict,
    as_list,
    date_of,
    first_code,
    has_code,
    money_of,
    ref_id,
)
from parsers.fhir_parties import (
    References,
    insured_party,
    patient_party,
    payee_party,
    payer_party,
    rendering_party,
)
from parsers.records import (
    Adjustment,
    ClaimPayment,
    ClaimStatus,
    Issue,
    Record,
    RemittanceHeader,
    RemittanceTrailer,
    ServicePayment,
    Severity,
)

_PATIENT_ROLES = (Role.MEMBER_LIABILITY,)


@dataclass
class _Eob:
    """What the claim mapping needs from one EOB, read once."""

    eob: JSON
    eob_id: str
    refs: References
    contained: list[JSON]
    totals: Tally
    header: Tally
    lines: list[tuple[ServicePayment, Tally]]

    @property
    def tallies(self) -> list[Tally]:
        """Totals, header adjudication and every line's adjudication."""
        return [self.totals, self.header, *(t for _, t in self.lines)]

    def claim_get(self, role: Role) -> Decimal | None:
        """A claim-level amount: EOB.total first, then header adjudication."""
        found = self.totals.get(role)
        return found if found is not None else self.header.get(role)

    def supporting(self, category: str) -> JSON | None:
        """The first supportingInfo entry of a CARIN category."""
        info = as_list(self.eob.get("supportingInfo"))
        return next((s for s in info if has_code(s.get("category"), category)), None)


def eob_records(eob: JSON, refs: References, position: int) -> list[Record]:
    """Header, claim payment and trailer for one EOB that passed validation."""
    items = as_list(eob.get("item")) + as_list(eob.get("addItem"))
    e = _Eob(
        eob,
        str(eob.get("id") or ""),
        refs,
        as_list(eob.get("contained")),
        tally(as_list(eob.get("total")), "claim"),
        tally(as_list(eob.get("adjudication")), "claim"),
        [service_payment(item, n) for n, item in enumerate(items, 1)],
    )
    claim = _claim(e, position)
    header = _header(e, claim.paid)
    trailer_issues: list[Issue] = []
    if header.payment_amount != claim.paid:
        note = f"EOB {e.eob_id}: payment {header.payment_amount} differs from paid {claim.paid}"
        adjustment = money_of(as_dict(eob.get("payment")).get("adjustment"))
        note += f" (payment adjustment {adjustment})" if adjustment is not None else ""
        trailer_issues.append(Issue(Severity.WARNING, "balance.transaction", note))
    trailer = RemittanceTrailer(header, (), 1, claim.paid, ZERO, 0, tuple(trailer_issues))
    return [header, claim, trailer]


def _header(e: _Eob, paid: Decimal) -> RemittanceHeader:
    """BPR/TRN/N1 equivalents from EOB.payment, insurer and provider."""
    payment = as_dict(e.eob.get("payment"))
    amount = money_of(payment.get("amount"))
    amount = paid if amount is None else amount
    trace = str(as_dict(payment.get("identifier")).get("value") or "")
    payer = payer_party(e.eob, e.refs, e.contained)
    return RemittanceHeader(
        transaction=None,
        handling_code="I" if amount else "H",  # BPR01 remittance / notification only
        payment_amount=amount,  # BPR02
        credit_debit="D" if amount < 0 else "C",  # BPR03 (amount keeps its sign)
        payment_method="NON" if not amount else "",  # BPR04 unknown from an EOB
        payment_format="",
        payment_date=date_of(payment.get("date")),  # BPR16
        trace_type="1" if trace else "",  # TRN01
        trace_number=trace or f"EOB-{e.eob_id}",  # TRN02
        originator_id=payer.identifier if payer else "",  # TRN03
        production_date=date_of(e.eob.get("created")),  # DTM*405
        payer=payer,
        payee=payee_party(e.eob, e.refs, e.contained),
        currency=next(iter(sorted(_currencies(e))), ""),  # CUR02, only when not USD
    )


def _currencies(e: _Eob) -> set[str]:
    """Currencies other than USD seen in the EOB's amounts."""
    return {c for t in e.tallies for c in t.currencies} - {"USD"}


def _charge(e: _Eob) -> Decimal | None:
    """CLP03: submitted total, else the sum of line charges."""
    found = e.claim_get(Role.SUBMITTED)
    if found is None and any(t.get(Role.SUBMITTED) is not None for _, t in e.lines):
        found = sum((line.charge for line, _ in e.lines), ZERO)
    return found


def _paid(e: _Eob) -> Decimal:
    """CLP04: paid to provider, else benefit (totals, header), else payment, else lines."""
    for t in (e.totals, e.header):
        found = paid_of(t)
        if found is not None:
            return found
    payment = money_of(as_dict(e.eob.get("payment")).get("amount"))
    if payment is not None:
        return payment
    return sum((line.paid for line, _ in e.lines), ZERO)


def _claim_adjustments(e: _Eob, charge: Decimal, paid: Decimal) -> list[Adjustment]:
    """Claim-level CAS: header adjudication; totals only when nothing else carries adjustments."""
    line_adjs = [a for line, _ in e.lines for a in line.adjustments]
    found = list(e.header.adjustments)
    if not found and not line_adjs:
        found = list(e.totals.adjustments)
    rest = charge - paid - sum((a.amount for a in found + line_adjs), ZERO)
    pending = Tally("claim", adjustments=found + line_adjs, pending=e.header.pending)
    return found + settle_pending(pending, rest)


def _patient_responsibility(e: _Eob, adjustments: list[Adjustment]) -> Decimal | None:
    """CLP05: member liability (claim, else lines), else the PR adjustments, else unknown."""
    found = e.claim_get(Role.MEMBER_LIABILITY)
    if found is not None:
        return found
    lines = [t.get(Role.MEMBER_LIABILITY) for _, t in e.lines]
    if any(v is not None for v in lines):
        return sum((v for v in lines if v is not None), ZERO)
    pr = [a.amount for a in adjustments if a.group == "PR"]
    return sum(pr, ZERO) if pr else None


def _status(e: _Eob, charge: Decimal, paid: Decimal) -> str:
    """CLP02 from use, status, amounts, denial evidence and the focal coverage's position."""
    if e.eob.get("use") == "predetermination":
        return ClaimStatus.PREDETERMINATION.value
    if e.eob.get("status") == "entered-in-error" or charge < 0 or paid < 0:
        return ClaimStatus.REVERSAL.value
    denied = e.eob.get("outcome") == "error" or any(t.denied for t in e.tallies)
    if paid == 0 and denied:
        return ClaimStatus.DENIED.value
    insurance = as_list(e.eob.get("insurance"))
    focal = next((n for n, i in enumerate(insurance) if i.get("focal") is True), 0)
    prior = sum((t.get(Role.PRIOR_PAYER) or ZERO for t in e.tallies), ZERO)
    if focal == 0 and prior > 0:
        focal = 1
    return (ClaimStatus.PRIMARY, ClaimStatus.SECONDARY, ClaimStatus.TERTIARY)[min(focal, 2)].value


def _account_number(e: _Eob) -> str:
    """CLP01: CARIN patientaccountnumber, else EOB.claim identifier, else the Claim's id."""
    info = e.supporting("patientaccountnumber")
    if info is not None:
        value = info.get("valueString") or as_dict(info.get("valueIdentifier")).get("value")
        if value:
            return str(value)
    claim_ref = as_dict(e.eob.get("claim"))
    logical = as_dict(claim_ref.get("identifier")).get("value")
    if logical:
        return str(logical)
    claim = e.refs.resolve(claim_ref, e.contained)
    for identifier in as_list(claim.get("identifier") if claim else None):
        if identifier.get("value"):
            return str(identifier["value"])
    reference = str(claim_ref.get("reference") or "")
    return ref_id(reference) if reference else ""


def _payer_claim_number(e: _Eob) -> str:
    """CLP07: the EOB identifier of type uc (unique claim id), else the EOB id."""
    for identifier in as_list(e.eob.get("identifier")):
        if has_code(identifier.get("type"), "uc") and identifier.get("value"):
            return str(identifier["value"])
    return e.eob_id


def _facility(e: _Eob) -> tuple[str, str]:
    """CLP08/CLP09 from the type of bill (facility + frequency), else the line place of service."""
    bill = e.supporting("typeofbill")
    code = first_code(bill.get("code")) if bill else ""
    digits = code.lstrip("0")
    if len(digits) == 3 and digits.isdigit():
        return digits[:2], digits[2]
    items = as_list(e.eob.get("item"))
    place = first_code(items[0].get("locationCodeableConcept")) if items else ""
    return (place if place.isdigit() else ""), ""


def _refs(e: _Eob) -> tuple[tuple[str, str], ...]:
    """REF equivalents: EA record number, F8 prior claim; 'fhir:' keeps outcome, status, types."""
    out: list[tuple[str, str]] = []
    mrn = e.supporting("medicalrecordnumber")
    if mrn is not None and mrn.get("valueString"):
        out.append(("EA", str(mrn["valueString"])))
    for related in as_list(e.eob.get("related")):
        claim = as_dict(related.get("claim"))
        value = as_dict(related.get("reference")).get("value") or as_dict(
            claim.get("identifier")
        ).get("value")
        value = value or (ref_id(str(claim["reference"])) if claim.get("reference") else "")
        relation = first_code(related.get("relationship"))
        if value:
            out.append(("F8" if relation == "prior" else f"fhir:related.{relation}", str(value)))
    payment = as_dict(e.eob.get("payment"))
    for key, value in (
        ("fhir:outcome", e.eob.get("outcome")),
        ("fhir:status", e.eob.get("status")),
        ("fhir:use", e.eob.get("use")),
        ("fhir:type", first_code(e.eob.get("type"))),
        ("fhir:subType", first_code(e.eob.get("subType"))),
        ("fhir:payment.type", first_code(payment.get("type"))),
        ("fhir:payment.adjustmentReason", first_code(payment.get("adjustmentReason"))),
    ):
        if value:
            out.append((key, str(value)))
    out.extend(("fhir:rejectreason", c) for c in e.header.ncpdp)
    return tuple(out)


def _amounts(e: _Eob) -> tuple[tuple[str, Decimal], ...]:
    """AMT equivalents: AU allowed, F5 patient paid; other EOB totals as 'fhir:<category>'."""
    out: list[tuple[str, Decimal]] = []
    for qualifier, role in (("AU", Role.ALLOWED), ("F5", Role.PAID_BY_PATIENT)):
        found = e.claim_get(role)
        if found is not None:
            out.append((qualifier, found))
    used = {Role.BENEFIT} if e.claim_get(Role.PAID) is None else set()
    kept = e.totals.kept_amounts(used) + e.header.kept_amounts(used)
    adjustment = money_of(as_dict(e.eob.get("payment")).get("adjustment"))
    if adjustment is not None:
        kept.append(("fhir:payment.adjustment", adjustment))
    seen: set[str] = set()
    for key, value in kept:
        if key not in seen:
            out.append((key, value))
            seen.add(key)
    return tuple(out)


def _claim(e: _Eob, position: int) -> ClaimPayment:
    """CLP and its loops from the EOB."""
    charge = _charge(e)
    paid = _paid(e)
    adjustments = _claim_adjustments(e, ZERO if charge is None else charge, paid)
    lines = tuple(line for line, _ in e.lines)
    pcn = _account_number(e)
    facility, frequency = _facility(e)
    period = as_dict(e.eob.get("billablePeriod"))
    received = e.supporting("clmrecvddate")
    drg = e.supporting("drg")
    return ClaimPayment(
        patient_control_number=pcn,  # CLP01
        status=_status(e, ZERO if charge is None else charge, paid),  # CLP02
        charge=ZERO if charge is None else charge,  # CLP03
        paid=paid,  # CLP04
        patient_responsibility=_patient_responsibility(e, adjustments + _line_adjs(lines)),  # CLP05
        payer_claim_number=_payer_claim_number(e),  # CLP07
        facility_type=facility,  # CLP08
        frequency=frequency,  # CLP09
        drg_code=first_code(drg.get("code")) if drg else "",  # CLP11
        patient=patient_party(e.eob, e.refs, e.contained),  # NM1*QC
        insured=insured_party(_focal_coverage(e), e.refs, e.contained),  # NM1*IL
        rendering_provider=rendering_party(e.eob, e.refs, e.contained),  # NM1*82
        remark_codes=tuple(dict.fromkeys(e.header.remarks + e.totals.remarks)),  # RARCs
        adjustments=tuple(adjustments),  # CAS (claim level)
        services=lines,
        refs=_refs(e),
        statement_start=date_of(period.get("start")),  # DTM*232
        statement_end=date_of(period.get("end")),  # DTM*233
        received_date=date_of(received.get("timingDate")) if received else None,  # DTM*050
        amounts=_amounts(e),
        segment_index=position,
        source_id=e.eob_id,
        issues=tuple(_with_claim(i, pcn) for i in _checks(e, pcn, charge, paid, lines)),
    )


def _line_adjs(lines: tuple[ServicePayment, ...]) -> list[Adjustment]:
    """Every line-level adjustment."""
    return [a for line in lines for a in line.adjustments]


def _focal_coverage(e: _Eob) -> JSON | None:
    """The Coverage resource of the focal insurance, when it can be resolved."""
    insurance = as_list(e.eob.get("insurance"))
    focal = next(
        (i for i in insurance if i.get("focal") is True), insurance[0] if insurance else {}
    )
    return e.refs.resolve(focal.get("coverage"), e.contained)


def _checks(
    e: _Eob, pcn: str, charge: Decimal | None, paid: Decimal, lines: tuple[ServicePayment, ...]
) -> list[Issue]:
    """Warnings: no charge or account number, odd amounts, currencies, entered-in-error, sums."""
    out: list[Issue] = []
    if charge is None:
        out.append(_warn(e, "fhir.no-charge", "no submitted amount; charge taken as 0"))
    if not pcn:
        out.append(
            _warn(e, "fhir.no-account-number", "no patient account number or claim reference")
        )
    if any(t.sub_cent for t in e.tallies):
        out.append(_warn(e, "fhir.sub-cent", "amounts finer than a cent, kept as sent"))
    currencies = sorted(_currencies(e))
    if currencies:
        out.append(_warn(e, "fhir.currency", f"amounts in {', '.join(currencies)}, not USD"))
    if e.eob.get("status") == "entered-in-error":
        out.append(_warn(e, "fhir.entered-in-error", "EOB entered in error: read as a reversal"))
    if lines and all(paid_of(t) is not None for _, t in e.lines):
        line_paid = sum((line.paid for line in lines), ZERO)
        if line_paid != paid:
            message = f"lines paid {line_paid} but the claim paid {paid}"
            out.append(_warn(e, "balance.claim-lines", message))
    return out


def _warn(e: _Eob, code: str, message: str) -> Issue:
    """A warning about this EOB, naming it."""
    return Issue(
        Severity.WARNING, code, f"EOB {e.eob_id}: {message}", segment_id="ExplanationOfBenefit"
    )


def _with_claim(issue: Issue, pcn: str) -> Issue:
    """The issue tied to the claim's patient control number."""
    return Issue(
        issue.severity, issue.code, issue.message, None, issue.segment_id, None, pcn or None
    )


__all__ = ["eob_records"]
