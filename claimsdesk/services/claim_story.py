"""A claim's whole story by patient control number, for `claimsdesk claim PCN [--json]`.

Submissions (original, replacements, our claims to later payers), every remittance that
answered the PCN (check/EFT, date, payer, match), lines as billed beside as paid, adjustments
and remarks with their meaning (payer_rules.codes), each submission's ledger and balance by
party, its state, and findings when the findings table exists (FINDINGS_READER seam).
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from claimsdesk.domain.ledger import EntryKind, Posting
from claimsdesk.domain.matching import normalize_pcn
from claimsdesk.domain.views import AdjustmentView, ClaimView, LedgerView, PaymentView
from claimsdesk.services.analysis_sql import id_in
from claimsdesk.services.claim_views import (
    chronological,
    load_claim_views,
    payment_views_by_id,
    stored_postings,
)
from claimsdesk.services.matching import pcn_variants
from claimsdesk.storage.models.analysis import ClaimMatch
from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.ingest import ClaimPayment, ImportFile, Remittance, SubmittedClaim
from payer_rules import describe_adjustment, describe_rarc

SC, CP, CM = table_of(SubmittedClaim), table_of(ClaimPayment), table_of(ClaimMatch)
REM, FILES = table_of(Remittance), table_of(ImportFile)
FINDINGS_TABLE = "findings"
FINDINGS_READER = "claimsdesk.services.findings_query:findings_for_claim"
"""The findings helper's reader: (session, submitted_claim_id) -> items with to_dict()."""

CLP02 = {
    "1": "processed as primary", "2": "processed as secondary", "3": "processed as tertiary",
    "4": "denied", "19": "processed as primary, forwarded", "20": "processed as secondary,"
    " forwarded", "21": "processed as tertiary, forwarded", "22": "reversal of a previous"
    " payment", "23": "not our claim, forwarded", "25": "predetermination pricing only",
}  # fmt: skip
FREQUENCY = {"1": "original", "7": "replacement", "8": "void"}
Reader = Callable[[Session, int], Sequence[Any]]
_reader_override: list[Reader] = []


def set_findings_reader(reader: Reader | None) -> None:
    """Replace (or, with None, restore) how findings are read: the seam for the findings
    helper's function and for tests."""
    _reader_override.clear()
    if reader is not None:
        _reader_override.append(reader)


def money(value: Decimal | None) -> str | None:
    """Two decimals as text (JSON keeps cents exact)."""
    return None if value is None else f"{value:.2f}"


def claim_story(session: Session, pcn: str) -> dict[str, Any] | None:
    """Everything known about a PCN, JSON-ready; None when no claim or payment has it."""
    conn = session.connection()
    variants = sorted(pcn_variants([pcn]))
    ids = conn.execute(select(SC.c.id).where(SC.c.patient_control_number.in_(variants))).scalars()
    views = load_claim_views(session, sorted(ids))
    by_pcn = conn.execute(select(CP.c.id).where(CP.c.patient_control_number.in_(variants)))
    payment_ids = set(by_pcn.scalars()) | {p.claim_payment_id for v in views for p in v.payments}
    if not views and not payment_ids:
        return None
    payments = chronological(payment_views_by_id(conn, payment_ids).values())
    postings = stored_postings(conn, [v.submitted_claim_id for v in views])
    files = _files(session, views)
    return {
        "claim": normalize_pcn(pcn),
        "state": views[-1].state.value if views else "unmatched",
        "submissions": [_submission(v, postings.get(v.submitted_claim_id, []), files)
                        for v in views],
        "remittances": _remittances(session, payments),
        "findings": _findings(session, views),
    }  # fmt: skip


def _files(session: Session, views: Sequence[ClaimView]) -> dict[int, str]:
    """Import file path of each submission."""
    ids = [v.submitted_claim_id for v in views]
    stmt = select(SC.c.id, FILES.c.path).join(FILES, FILES.c.id == SC.c.import_file_id)
    return {r.id: r.path for r in session.execute(stmt.where(id_in(SC.c.id, ids)))}


def _submission(view: ClaimView, postings: list[Posting], files: dict[int, str]) -> dict[str, Any]:
    return {
        "submitted_claim_id": view.submitted_claim_id,
        "kind": view.kind,
        "frequency": view.frequency,
        "frequency_meaning": FREQUENCY.get(view.frequency, "other"),
        "original_reference": view.original_reference,
        "billed_on": _iso(view.billed_date),
        "payer": view.payer_name,
        "payer_key": view.payer_key,
        "payer_responsibility": view.payer_responsibility,
        "charge": money(view.charge),
        "service_from": _iso(view.service_from),
        "service_to": _iso(view.service_to),
        "diagnoses": list(view.diagnoses),
        "other_coverages": [{"payer_key": c.payer_key, "payer": c.payer_name,
                             "responsibility": c.payer_responsibility,
                             "on_claim": c.on_claim} for c in view.other_coverages],
        "file": files.get(view.submitted_claim_id, ""),
        "state": view.state.value,
        "lines": _lines(view, postings),
        "ledger": _ledger(view.ledger, postings),
    }  # fmt: skip


def _lines(view: ClaimView, postings: list[Posting]) -> list[dict[str, Any]]:
    """Each billed line beside what every payer paid on it, and its ledger."""
    paid: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for p in view.payments:
        for ln in p.lines:
            paid[ln.claim_line_id].append({
                "claim_payment_id": p.claim_payment_id, "payer_key": p.payer_key,
                "status": p.status, "procedure": ln.procedure, "modifiers": list(ln.modifiers),
                "original_procedure": ln.original_procedure, "units_paid": _num(ln.units_paid),
                "original_units": _num(ln.original_units), "charge": money(ln.charge),
                "paid": money(ln.paid), "allowed": money(ln.allowed),
                "adjustments": [_adjustment(a) for a in ln.adjustments],
                "remarks": [{"code": c, "meaning": describe_rarc(c)} for c in ln.remark_codes],
            })  # fmt: skip
    per_line = _line_ledgers(postings)
    out = [{
        "claim_line_id": ln.claim_line_id, "line_number": ln.line_number,
        "procedure": ln.procedure, "modifiers": list(ln.modifiers),
        "revenue_code": ln.revenue_code, "units": _num(ln.units), "charge": money(ln.charge),
        "service_date": _iso(ln.service_date), "control_number": ln.line_control_number,
        "paid": paid.pop(ln.claim_line_id, []), "ledger": per_line.get(ln.claim_line_id, {}),
    } for ln in view.lines]  # fmt: skip
    if paid:
        rest = [x for found in paid.values() for x in found]
        out.append({"claim_line_id": None, "line_number": "", "procedure": "(not matched)",
                    "paid": rest, "ledger": {}})  # fmt: skip
    return out


def _line_ledgers(postings: list[Posting]) -> dict[int | None, dict[str, str | None]]:
    """Per billed line: charge, payments, CO/PI/OA, patient share (all payers), open."""
    sums: dict[int | None, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    groups = {EntryKind.CHARGE: "charges", EntryKind.PAYMENT: "payments",
              EntryKind.CONTRACTUAL: "adjustments", EntryKind.PAYER_INITIATED: "adjustments",
              EntryKind.OTHER_ADJUSTMENT: "adjustments", EntryKind.PRIOR_PAYER: "adjustments",
              EntryKind.DEDUCTIBLE: "patient", EntryKind.COINSURANCE: "patient",
              EntryKind.COPAY: "patient", EntryKind.OTHER_PR: "patient"}  # fmt: skip
    for p in postings:
        if p.claim_line_id is not None and p.kind in groups:
            sums[p.claim_line_id][groups[p.kind]] += p.amount
    out: dict[int | None, dict[str, str | None]] = {}
    for line, s in sums.items():
        left = s["charges"] - s["payments"] - s["adjustments"]
        out[line] = {k: money(s[k]) for k in ("charges", "payments", "adjustments", "patient")}
        out[line]["open"] = money(left)
    return out


def _ledger(ledger: LedgerView, postings: list[Posting]) -> dict[str, Any]:
    entries = sorted(postings, key=lambda p: (p.posted_on is None, p.posted_on, p.entry_key))
    return {
        "entries": [{"posted_on": _iso(p.posted_on), "kind": p.kind.value, "party": p.party,
                     "amount": money(p.amount), "detail": p.detail, "source": p.source,
                     "claim_line_id": p.claim_line_id} for p in entries],
        "charges": money(ledger.charges),
        "payer_payments": {k: money(v) for k, v in ledger.payer_payments.items()},
        "contractual": money(ledger.contractual),
        "payer_initiated": money(ledger.payer_initiated),
        "other_adjustments": money(ledger.other_adjustments),
        "deductible": money(ledger.deductible),
        "coinsurance": money(ledger.coinsurance),
        "copay": money(ledger.copay),
        "other_patient": money(ledger.other_patient),
        "patient_payments": money(ledger.patient_payments),
        "write_offs": money(ledger.write_offs),
        "provider_level": money(ledger.provider_level),
        "transferred": money(ledger.transferred),
        "balance": money(ledger.balance),
        "balance_by_party": {k: money(v) for k, v in ledger.balance_by_party.items()},
    }  # fmt: skip


def _remittances(session: Session, payments: Sequence[PaymentView]) -> list[dict[str, Any]]:
    """Each claim payment with its check or EFT."""
    rem_ids = sorted({p.remittance_id for p in payments})
    cols = (REM.c.id, REM.c.payment_method, REM.c.payment_amount, REM.c.credit_debit)
    checks = {r.id: r for r in session.execute(select(*cols).where(id_in(REM.c.id, rem_ids)))}
    ids = [p.claim_payment_id for p in payments]
    stmt = select(CM.c.claim_payment_id, CM.c.method).where(id_in(CM.c.claim_payment_id, ids))
    methods = {r.claim_payment_id: r.method for r in session.execute(stmt)}
    out = []
    for p in payments:
        check = checks[p.remittance_id]
        out.append({
            "claim_payment_id": p.claim_payment_id, "payer": p.payer_name,
            "payer_key": p.payer_key, "trace_number": p.trace_number,
            "payment_method": check.payment_method, "payment_date": _iso(p.payment_date),
            "check_amount": money(-check.payment_amount if check.credit_debit == "D"
                                  else check.payment_amount),
            "status": p.status, "status_meaning": CLP02.get(p.status, "unknown CLP02"),
            "charge": money(p.charge), "paid": money(p.paid),
            "patient_responsibility": money(p.patient_responsibility),
            "payer_claim_number": p.payer_claim_number, "match": p.match_status.value,
            "match_method": methods.get(p.claim_payment_id, ""),
            "submitted_claim_id": p.submitted_claim_id,
            "candidates": list(p.candidate_claim_ids), "crossover_carrier": p.crossover_carrier,
            "adjustments": [_adjustment(a) for a in p.adjustments],
            "remarks": [{"code": c, "meaning": describe_rarc(c)} for c in p.remark_codes],
            "balance_warnings": list(p.balance_warnings),
        })  # fmt: skip
    return out


def _adjustment(a: AdjustmentView) -> dict[str, Any]:
    return {"group": a.group, "reason": a.reason, "amount": money(a.amount),
            "level": "line" if a.service_payment_id else "claim",
            "claim_line_id": a.claim_line_id,
            "meaning": describe_adjustment(a.group, a.reason)}  # fmt: skip


def _findings(session: Session, views: Sequence[ClaimView]) -> list[dict[str, Any]] | None:
    """Findings of the submissions when the findings table exists (None otherwise)."""
    if not inspect(session.connection()).has_table(FINDINGS_TABLE):
        return None
    reader = _reader_override[0] if _reader_override else _default_reader()
    if reader is None:
        return None
    items = [item for v in views for item in reader(session, v.submitted_claim_id)]
    return [item.to_dict() if hasattr(item, "to_dict") else dict(item) for item in items]


def _default_reader() -> Reader | None:
    module, _, name = FINDINGS_READER.partition(":")
    try:
        found: Reader = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return found


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _num(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")
