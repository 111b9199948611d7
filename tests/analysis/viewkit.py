"""Hand-built claim and payment views for the pure rule tests (no database)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from claimsdesk.domain.views import (
    AdjustmentView,
    BilledLineView,
    ClaimState,
    ClaimView,
    LedgerView,
    MatchStatus,
    OtherCoverageView,
    PaidLineView,
    PaymentView,
)

_ids = itertools.count(1000)
D = Decimal


def adj(code: str, amount: str, line: int | None = None) -> AdjustmentView:
    """'CO-45', '12.00' -> an adjustment (claim level unless a service payment id is given)."""
    group, reason = code.split("-", 1)
    return AdjustmentView(group, reason, D(amount), None, line, None)


def billed(
    procedure: str,
    charge: str,
    *,
    units: str = "1",
    pointers: tuple[str, ...] = ("1",),
    line_id: int | None = None,
    date: dt.date | None = dt.date(2026, 6, 1),
    modifiers: tuple[str, ...] = (),
    number: str = "1",
) -> BilledLineView:
    """An 837 line."""
    return BilledLineView(
        line_id or next(_ids),
        number,
        procedure,
        modifiers,
        "",
        D(charge),
        D(units),
        date,
        None,
        pointers,
        "",
    )


def paid(
    procedure: str,
    charge: str,
    paid_amount: str,
    *adjustments: str,
    allowed: str | None = None,
    claim_line_id: int | None = None,
    units: str | None = "1",
    original: str = "",
    original_units: str | None = None,
    remarks: tuple[str, ...] = (),
    modifiers: tuple[str, ...] = (),
) -> PaidLineView:
    """An 835 line; adjustments as 'CO-45=12.00'."""
    sid = next(_ids)
    cas = tuple(
        AdjustmentView(*a.split("=")[0].split("-", 1), D(a.split("=")[1]), None, sid, claim_line_id)
        for a in adjustments
    )
    return PaidLineView(
        sid,
        claim_line_id,
        procedure,
        modifiers,
        original,
        (),
        D(charge),
        D(paid_amount),
        None if allowed is None else D(allowed),
        None if units is None else D(units),
        None if original_units is None else D(original_units),
        dt.date(2026, 6, 1),
        cas,
        remarks,
    )


def payment(
    status: str,
    charge: str,
    paid_amount: str,
    *lines: PaidLineView,
    claim_adjustments: tuple[AdjustmentView, ...] = (),
    payer: str = "SXBLW",
    payer_name: str = "BLUEWATER HEALTH PLAN",
    when: dt.date = dt.date(2026, 6, 20),
    remarks: tuple[str, ...] = (),
    claim_id: int | None = None,
    pcn: str = "T1",
    **extra: Any,
) -> PaymentView:
    """A CLP loop with its lines; remark codes of the lines are added to the claim's list."""
    all_remarks = tuple(dict.fromkeys((*remarks, *(r for ln in lines for r in ln.remark_codes))))
    line_adjs = tuple(a for ln in lines for a in ln.adjustments)
    pr = sum((a.amount for a in (*claim_adjustments, *line_adjs) if a.group == "PR"), D("0.00"))
    fields: dict[str, Any] = dict(
        claim_payment_id=next(_ids),
        remittance_id=1,
        import_file_id=1,
        payer_key=payer,
        payer_name=payer_name,
        status=status,
        charge=D(charge),
        paid=D(paid_amount),
        patient_responsibility=pr,
        payer_claim_number=f"PCN{next(_ids)}",
        frequency="1",
        payment_date=when,
        trace_number=f"TRN{next(_ids)}",
        match_status=MatchStatus.MATCHED if claim_id else MatchStatus.UNMATCHED,
        submitted_claim_id=claim_id,
        remark_codes=all_remarks,
        adjustments=(*claim_adjustments, *line_adjs),
        lines=lines,
        patient_control_number=pcn,
    )
    fields.update(extra)
    return PaymentView(**fields)


def claim(
    lines: tuple[BilledLineView, ...],
    *payments: PaymentView,
    payer: str = "id:SXBLW",
    payer_name: str = "BLUEWATER HEALTH PLAN",
    responsibility: str = "P",
    diagnoses: tuple[str, ...] = ("E119",),
    charge: str | None = None,
    billed_on: dt.date = dt.date(2026, 6, 3),
    others: tuple[OtherCoverageView, ...] = (),
    ledger: LedgerView | None = None,
    state: ClaimState = ClaimState.BILLED,
    claim_id: int | None = None,
    pcn: str = "T1",
    kind: str = "837P",
    service: tuple[dt.date, dt.date] | None = (dt.date(2026, 6, 1), dt.date(2026, 6, 1)),
    **extra: Any,
) -> ClaimView:
    """An 837 claim with its matched payments."""
    total = sum((ln.charge for ln in lines), D("0.00"))
    return ClaimView(
        submitted_claim_id=claim_id or next(_ids),
        patient_control_number=pcn,
        kind=kind,
        payer_key=payer,
        payer_name=payer_name,
        payer_responsibility=responsibility,
        filing_indicator="CI",
        frequency="1",
        original_reference="",
        charge=D(charge) if charge else total,
        billed_date=billed_on,
        service_from=service[0] if service else None,
        service_to=service[1] if service else None,
        diagnoses=diagnoses,
        lines=lines,
        other_coverages=others,
        payments=payments,
        ledger=ledger or LedgerView(charges=total),
        state=state,
        **extra,
    )
