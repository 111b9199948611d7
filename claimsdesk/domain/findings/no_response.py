"""Clocks: no answer from the payer, filing deadlines and appeal deadlines coming up."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from claimsdesk.domain.findings.adjudication import (
    current,
    denied_items,
    filing_deadline,
    service_date,
)
from claimsdesk.domain.findings.draft import (
    FindingDraft,
    FindingKind,
    claim_subject,
    day,
    money,
    total,
)
from claimsdesk.domain.findings.registry import Subject, register
from claimsdesk.domain.views import ClaimView
from payer_rules import PayerRules

FILING_WARNING_DAYS = 30
"""An unanswered claim this close to its timely filing deadline gets its own finding."""
APPEAL_WARNING_DAYS = 14
"""An open denial this close to its appeal deadline gets its own finding."""
UNPROCESSABLE = frozenset({"MA130"})
"""A claim returned as unprocessable was never really filed: the filing clock still runs."""


def _unanswered(claim: ClaimView) -> bool:
    """No standing adjudication from the billed payer."""
    return current(claim, claim.payer_key, claim.payer_name) is None


@register("no_response", FindingKind.NO_RESPONSE, Subject.CLAIM, ("follow_up",))
def follow_up(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """No remittance after the payer's follow_up_days: chase the claim."""
    if claim.billed_date is None or not _unanswered(claim):
        return []
    due = rules.follow_up_due(claim.billed_date)
    if today < due:
        return []
    waited = (today - claim.billed_date).days
    return [
        _draft(
            claim,
            "no_response",
            "follow_up",
            filing_deadline(claim, rules),
            f"No answer from {claim.payer_name} {waited} days after the claim was sent "
            f"on {claim.billed_date.isoformat()}",
            "Check the claim's status with the payer (276/277 or the portal); if the payer "
            "has no record of it, send it again before the filing deadline.",
            {"billed": day(claim.billed_date), "follow_up_due": day(due), "days_waiting": waited},
        )
    ]


@register(
    "no_response.filing_deadline", FindingKind.NO_RESPONSE, Subject.CLAIM, ("filing_deadline",)
)
def filing_deadline_near(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """An unpaid claim close to (or past) its timely filing deadline."""
    payment = current(claim, claim.payer_key, claim.payer_name)
    if payment is not None and not any(r in UNPROCESSABLE for r in payment.remark_codes):
        return []  # answered, and not returned as unprocessable
    deadline = filing_deadline(claim, rules)
    if deadline is None:
        return []
    left = (deadline - today).days
    if left > FILING_WARNING_DAYS:
        return []
    when = f"in {left} days" if left >= 0 else f"{-left} days ago"
    return [
        _draft(
            claim,
            "no_response.filing_deadline",
            "filing_deadline",
            deadline,
            f"Timely filing deadline for {claim.payer_name} is {deadline.isoformat()} "
            f"({when}) and the claim has not been accepted",
            "Make sure the payer has a clean claim before the deadline: check its status "
            "today and keep the acceptance report (999/277CA) as proof of timely filing."
            if left >= 0
            else "The filing deadline has passed: look for proof of timely filing (acceptance "
            "report); without it the charge is written off (never billed to the patient).",
            {
                "service_date": day(service_date(claim)),
                "billed": day(claim.billed_date),
                "days_left": left,
            },
        )
    ]


@register(
    "no_response.appeal_deadline",
    FindingKind.NO_RESPONSE,
    Subject.CLAIM,
    ("appeal_deadline",),
    per_payer=True,
)
def appeal_deadline_near(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """An open, appealable denial close to (or past) its appeal deadline."""
    payment = current(claim, claim.payer_key, claim.payer_name)
    if payment is None or payment.payment_date is None:
        return []
    items = [i for i in denied_items(payment, rules) if i.block_reason is None]
    if not items:
        return []
    deadline = rules.appeal_deadline(payment.payment_date)
    left = (deadline - today).days
    if left > APPEAL_WARNING_DAYS:
        return []
    codes = tuple(sorted({c for i in items for c in i.codes}))
    amount = total(i.amount for i in items)
    when = f"in {left} days" if left >= 0 else f"{-left} days ago"
    draft = _draft(
        claim,
        "no_response.appeal_deadline",
        "appeal_deadline",
        deadline,
        f"Appeal deadline for {payment.payer_name}'s denial ({money(amount)}) is "
        f"{deadline.isoformat()} ({when})",
        "Send the appeal now (the denial finding says what to send)"
        if left >= 0
        else "The appeal window has closed: ask the payer whether a late appeal with good cause "
        "is accepted; otherwise write the denial off.",
        {"notice": day(payment.payment_date), "TRN02": payment.trace_number, "days_left": left},
    )
    return [
        replace(
            draft,
            subject=claim_subject(claim.submitted_claim_id, payment.payer_key),
            amount=amount,
            codes=codes,
            claim_payment_id=payment.claim_payment_id,
            payer_key=payment.payer_key,
            payer_name=payment.payer_name,
        )
    ]


def _draft(
    claim: ClaimView,
    rule: str,
    category: str,
    deadline: dt.date | None,
    description: str,
    action: str,
    evidence: dict[str, object],
) -> FindingDraft:
    """A clock finding on the whole claim at the billed payer."""
    return FindingDraft(
        rule=rule,
        kind=FindingKind.NO_RESPONSE,
        category=category,
        subject=claim_subject(claim.submitted_claim_id),
        amount=claim.charge,
        description=description,
        action=action,
        submitted_claim_id=claim.submitted_claim_id,
        patient_control_number=claim.patient_control_number,
        payer_key=claim.payer_key,
        payer_name=claim.payer_name,
        evidence={"CLM01": claim.patient_control_number, "CLM02": money(claim.charge), **evidence},
        deadline=deadline,
    )


__all__ = [
    "APPEAL_WARNING_DAYS",
    "FILING_WARNING_DAYS",
    "appeal_deadline_near",
    "filing_deadline_near",
    "follow_up",
]
