"""Remittance problems: payments we cannot post, and 835s that do not add up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from claimsdesk.domain.findings.draft import (
    FindingDraft,
    FindingKind,
    day,
    money,
    payment_subject,
    total,
)
from claimsdesk.domain.findings.registry import Subject, register
from claimsdesk.domain.views import MatchStatus, PaymentView
from payer_rules import PayerRules


@register(
    "remittance.unmatched", FindingKind.REMITTANCE, Subject.PAYMENT, ("unmatched", "ambiguous")
)
def unmatched(payment: PaymentView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """A claim payment that matches no submitted claim, or more than one."""
    del rules, today
    if payment.match_status is MatchStatus.MATCHED:
        return []
    ambiguous = payment.match_status is MatchStatus.AMBIGUOUS
    if ambiguous:
        what = f"matches {len(payment.candidate_claim_ids)} submitted claims"
        action = (
            "Pick the right claim (compare dates of service, charges, member id and "
            "line control numbers) and post the payment to it."
        )
    else:
        what = "matches no submitted claim on file"
        action = (
            "Find the claim: check CLP01 against our patient control numbers (typos, "
            "prefixes), the payer claim number and the patient; import the missing 837 or "
            "post the payment by hand."
        )
    return [
        _draft(
            payment,
            "remittance.unmatched",
            "ambiguous" if ambiguous else "unmatched",
            payment.paid if payment.paid != 0 else payment.charge,
            f"Payment for claim {payment.patient_control_number} "
            f"({money(payment.paid)} paid, TRN {payment.trace_number}) {what}",
            action,
            (),
            {"candidates": list(payment.candidate_claim_ids)},
        )
    ]


@register("remittance.unbalanced", FindingKind.REMITTANCE, Subject.PAYMENT, ("unbalanced",))
def unbalanced(payment: PaymentView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """An 835 claim or transaction that does not balance (balance.* warnings on import)."""
    del rules, today
    if not payment.balance_warnings:
        return []
    adjusted = total(a.amount for a in payment.adjustments)
    gap = payment.charge - payment.paid - adjusted  # CLP03 - CLP04 - sum of CAS
    codes = tuple(sorted(set(payment.balance_warnings)))
    return [
        _draft(
            payment,
            "remittance.unbalanced",
            "unbalanced",
            abs(gap),
            f"The remittance for claim {payment.patient_control_number} does not balance "
            f"({', '.join(codes)}): charge {money(payment.charge)} - paid "
            f"{money(payment.paid)} - adjustments {money(adjusted)} = {money(gap)}",
            "Do not post the patient share from this remittance blindly: ask the payer for a "
            "corrected 835 or the EOB, then post the amounts that balance.",
            codes,
            {"CLP05": money(payment.patient_responsibility), "gap": money(gap)},
        )
    ]


def _draft(
    payment: PaymentView,
    rule: str,
    category: str,
    amount: Decimal,
    description: str,
    action: str,
    codes: tuple[str, ...],
    evidence: dict[str, object],
) -> FindingDraft:
    """A finding about one claim payment."""
    return FindingDraft(
        rule=rule,
        kind=FindingKind.REMITTANCE,
        category=category,
        subject=payment_subject(payment.claim_payment_id),
        amount=amount,
        description=description,
        action=action,
        submitted_claim_id=payment.submitted_claim_id,
        claim_payment_id=payment.claim_payment_id,
        patient_control_number=payment.patient_control_number,
        payer_key=payment.payer_key,
        payer_name=payment.payer_name,
        codes=codes,
        evidence={
            "CLP01": payment.patient_control_number,
            "CLP02": payment.status,
            "CLP03": money(payment.charge),
            "CLP04": money(payment.paid),
            "CLP07": payment.payer_claim_number,
            "TRN02": payment.trace_number,
            "BPR16": day(payment.payment_date),
            **evidence,
        },
    )


__all__ = ["unbalanced", "unmatched"]
