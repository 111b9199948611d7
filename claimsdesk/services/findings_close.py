"""Why a finding was closed, in words a billing specialist can check against a remittance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from claimsdesk.domain.findings.adjudication import REVERSAL
from claimsdesk.domain.views import ClaimView, MatchStatus, PaymentView

Row = Any  # a findings row read by findings_store.READ


def close_reason(
    row: Row,
    claims: Mapping[int, ClaimView],
    payments: Mapping[int, PaymentView],
    today: dt.date,
) -> str:
    """'paid on remittance TRN 123 on 2026-11-02', 'matched to claim X', or a re-analysis note."""
    if row.rule == "remittance.unmatched":
        payment = payments.get(row.claim_payment_id)
        if payment is not None and payment.match_status is MatchStatus.MATCHED:
            claim = claims.get(payment.submitted_claim_id or -1)
            pcn = claim.patient_control_number if claim else payment.patient_control_number
            return f"matched to claim {pcn} on {today.isoformat()}"
    if row.rule == "remittance.unbalanced":
        return f"the remittance balances when re-analysed on {today.isoformat()}"
    claim = claims.get(row.submitted_claim_id) if row.submitted_claim_id else None
    if claim is not None:
        if row.rule == "underpayment.overpayment" and claim.ledger.recouped > 0:
            return (
                "recouped by the payer: provider-level adjustment (PLB) of "
                f"{claim.ledger.recouped} on file"
            )
        latest = _newer_payment(claim, row.claim_payment_id)
        if latest is not None:
            return _settled_by(latest)
        if row.rule == "cob.bill_secondary":
            return f"a secondary claim to {row.payer_name} is on file ({today.isoformat()})"
    return f"no longer found when re-analysed on {today.isoformat()}"


def _newer_payment(claim: ClaimView, seen_id: int | None) -> PaymentView | None:
    """The claim's latest adjudication, when it is not the one the finding was based on."""
    latest = next((p for p in reversed(claim.payments) if p.status != REVERSAL), None)
    if latest is None or latest.claim_payment_id == seen_id:
        return None
    return latest


def _settled_by(payment: PaymentView) -> str:
    """'paid on remittance TRN X on DATE (PAYER)'; 'answered' when nothing was paid."""
    verb = "paid" if payment.paid > 0 else "answered"
    when = payment.payment_date.isoformat() if payment.payment_date else "an unknown date"
    who = f" ({payment.payer_name})" if payment.payer_name else ""
    return f"{verb} on remittance TRN {payment.trace_number} on {when}{who}"


__all__ = ["close_reason"]
