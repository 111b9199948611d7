"""Coordination of benefits: who pays first, and whether the next payer has been billed."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from claimsdesk.domain.findings.adjudication import (
    AS_PRIMARY,
    AS_SECONDARY,
    FORWARDED,
    PROCESSED,
    current,
    denied_items,
    filing_deadline,
    payer_id,
    same_payer,
)
from claimsdesk.domain.findings.denial import denial_draft
from claimsdesk.domain.findings.draft import (
    FindingDraft,
    FindingKind,
    claim_subject,
    day,
    money,
    total,
)
from claimsdesk.domain.findings.registry import Subject, register
from claimsdesk.domain.views import ClaimState, ClaimView, OtherCoverageView, PaymentView
from payer_rules import DenialCategory, PayerRules

PRIMARY, SECONDARY_OR_LATER = "P", frozenset({"S", "T"})
CROSSOVER_REMARKS = frozenset({"MA18", "N89"})
_ID_IN_BRIEF = re.compile(r"\(([A-Z0-9]{1,3}) ([^)]+)\)\s*$")


@register("cob", FindingKind.COB, Subject.CLAIM, ("coordination_of_benefits",), per_payer=True)
def other_payer_primary(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """The payer denied because another payer is primary (CARC 22, MA04 ...)."""
    del today
    payment = current(claim, claim.payer_key, claim.payer_name)
    if payment is None:
        return []
    out = []
    for item in denied_items(payment, rules):
        if item.category is not DenialCategory.COORDINATION_OF_BENEFITS:
            continue
        primary = payment.corrected_payer or _other_on_file(claim)
        who = f" ({primary})" if primary else ""
        action = (
            f"Another payer is primary{who}: bill it first, then send {payment.payer_name} the "
            "claim with the primary's adjudication (loop 2320 AMT*D, CAS) as secondary."
        )
        out.append(denial_draft(claim, item, rules, "cob", FindingKind.COB, action))
    return out


def _other_on_file(claim: ClaimView) -> str:
    """Name of another coverage we know of, for the action text."""
    return next(
        (
            c.payer_name
            for c in claim.other_coverages
            if payer_id(c.payer_key) != payer_id(claim.payer_key)
        ),
        "",
    )


@register("cob.payer_order", FindingKind.COB, Subject.CLAIM, ("payer_order",), answered=True)
def payer_order(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """Processed as secondary what we billed as primary (CLP02 2/3 vs SBR01 P), or the reverse."""
    del today
    payment = current(claim, claim.payer_key, claim.payer_name)
    if payment is None:
        return []
    billed = claim.payer_responsibility
    if billed == PRIMARY and payment.status in AS_SECONDARY:
        what = "processed as secondary a claim we billed as primary"
        action = (
            "Find the payer it thinks is primary (call or 271); bill that payer first, or "
            "send the payer proof that it is primary and ask it to reprocess."
        )
    elif billed in SECONDARY_OR_LATER and payment.status in AS_PRIMARY:
        what = "processed as primary a claim we billed as secondary"
        action = (
            "Check the coverage order: if the payer is secondary, tell it and expect a "
            "take-back; if it is primary, update the patient's coverage order."
        )
    else:
        return []
    deadline = rules.appeal_deadline(payment.payment_date) if payment.payment_date else None
    return [
        _draft(
            claim,
            payment,
            "cob.payer_order",
            "payer_order",
            payment.charge - payment.paid,
            f"{payment.payer_name} {what}",
            action,
            deadline,
            {
                "SBR01": billed,
                "CLP02": payment.status,
                "TRN02": payment.trace_number,
                "CLP04": money(payment.paid),
            },
        )
    ]


@register("cob.missing_primary", FindingKind.COB, Subject.CLAIM, ("missing_primary",))
def missing_primary(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """A secondary claim with no primary adjudication on file (no 2320 AMT*D, no payment)."""
    del today
    if claim.payer_responsibility not in SECONDARY_OR_LATER:
        return []
    mine = current(claim, claim.payer_key, claim.payer_name)
    if mine is not None and mine.status in PROCESSED:
        return []
    on_claim = [c for c in claim.other_coverages if c.on_claim]
    if any(c.paid_amount is not None or c.adjudication_date is not None for c in on_claim):
        return []
    if any(
        not same_payer(claim.payer_key, claim.payer_name, p) and p.status in PROCESSED
        for p in claim.payments
    ):
        return []
    needs = (
        " (this payer requires the primary's EOB)" if rules.secondary.requires_primary_eob else ""
    )
    return [
        _draft(
            claim,
            mine,
            "cob.missing_primary",
            "missing_primary",
            claim.charge,
            f"Secondary claim to {claim.payer_name} carries no primary adjudication{needs}",
            "Add the primary payer's adjudication (2320 AMT*D paid, CAS, 2330B DTP*573) from "
            "its remittance and send the claim again; bill the primary first if it has not "
            "paid.",
            filing_deadline(claim, rules),
            {"SBR01": claim.payer_responsibility, "other_payers": [_brief(c) for c in on_claim]},
        )
    ]


@register("cob.crossover", FindingKind.COB, Subject.CLAIM, ("crossover_missing",), answered=True)
def crossover_missing(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """Forwarded to the next payer (CLP02 19-21, NM1*TT, MA18) but nothing back in time."""
    payment = current(claim, claim.payer_key, claim.payer_name)
    if payment is None or payment.payment_date is None or not _forwarded(payment):
        return []
    if any(not same_payer(claim.payer_key, claim.payer_name, p) for p in claim.payments):
        return []
    due = rules.crossover_due(payment.payment_date)
    if today <= due:
        return []
    key, name = _carrier(payment, claim)
    return [
        _draft(
            claim,
            payment,
            "cob.crossover",
            "crossover_missing",
            _patient_share(payment),
            f"{payment.payer_name} forwarded the claim to {name or 'the next payer'} on "
            f"{payment.payment_date.isoformat()}; nothing has come back after "
            f"{rules.crossover_wait_days} days",
            f"Bill {name or 'the secondary payer'} directly with {payment.payer_name}'s "
            "adjudication (loop 2320), and hold the patient statement until it answers.",
            None,
            {
                "CLP02": payment.status,
                "NM1*TT": payment.crossover_carrier,
                "TRN02": payment.trace_number,
                "BPR16": day(payment.payment_date),
                "crossover_due": day(due),
                "CLP05": money(payment.patient_responsibility),
            },
            payer=(key, name),
        )
    ]


def _forwarded(payment: PaymentView) -> bool:
    """CLP02 19-21, a crossover carrier, or the MA18/N89 remark."""
    return (
        payment.status in FORWARDED
        or bool(payment.crossover_carrier)
        or any(r in CROSSOVER_REMARKS for r in payment.remark_codes)
    )


def _carrier(payment: PaymentView, claim: ClaimView) -> tuple[str, str]:
    """(payer key, name) of the crossover payer: NM1*TT, else the secondary on the claim."""
    brief = payment.crossover_carrier
    if brief:
        match = _ID_IN_BRIEF.search(brief)
        name = brief[: match.start()].strip() if match else brief.strip()
        return (f"id:{match.group(2).strip()}" if match else "", name)
    secondary = _secondary(claim)
    return (secondary.payer_key, secondary.payer_name) if secondary else ("", "")


def _secondary(claim: ClaimView) -> OtherCoverageView | None:
    """The next payer we know of: SBR01 S on the claim, else on file for the patient."""
    others = [
        c for c in claim.other_coverages if payer_id(c.payer_key) != payer_id(claim.payer_key)
    ]
    return next((c for c in others if c.payer_responsibility in SECONDARY_OR_LATER), None)


def _patient_share(payment: PaymentView) -> Decimal:
    """What the primary left (CLP05, else the PR adjustments)."""
    if payment.patient_responsibility is not None:
        return payment.patient_responsibility
    return total(a.amount for a in payment.adjustments if a.group == "PR")


@register("cob.other_coverage", FindingKind.COB, Subject.CLAIM, ("other_coverage",))
def other_coverage(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """The patient has another active coverage but the claim names no other payer (2320)."""
    del today
    if any(c.on_claim for c in claim.other_coverages) or claim.state in (
        ClaimState.PAID,
        ClaimState.CLOSED,
    ):
        return []
    known = [
        c
        for c in claim.other_coverages
        if not c.on_claim and payer_id(c.payer_key) != payer_id(claim.payer_key)
    ]
    if not known:
        return []
    names = ", ".join(c.payer_name or c.payer_key for c in known)
    return [
        _draft(
            claim,
            current(claim, claim.payer_key, claim.payer_name),
            "cob.other_coverage",
            "other_coverage",
            claim.charge,
            f"The patient also has coverage with {names}, but the claim names no other payer",
            "Confirm the order of benefits with the patient and payers; add the other payer "
            "(loops 2320/2330) and send a corrected claim.",
            filing_deadline(claim, rules),
            {"other_coverages": [_brief(c) for c in known]},
        )
    ]


@register("cob.bill_secondary", FindingKind.COB, Subject.CLAIM, ("bill_secondary",), answered=True)
def bill_secondary(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """The primary left a patient share and a secondary coverage exists: bill the secondary."""
    del today
    if claim.payer_responsibility != PRIMARY:
        return []
    payment = current(claim, claim.payer_key, claim.payer_name)
    secondary = _secondary(claim)
    if payment is None or secondary is None or payment.status not in PROCESSED:
        return []
    if _forwarded(payment) or rules.secondary.automatic_crossover:
        return []  # the crossover rule watches forwarded claims
    share = _patient_share(payment)
    if share <= 0 or _answered_by(claim, secondary):
        return []
    return [
        _draft(
            claim,
            payment,
            "cob.bill_secondary",
            "bill_secondary",
            share,
            f"{payment.payer_name} left {money(share)} to the patient and "
            f"{secondary.payer_name} is the secondary coverage",
            f"Send {secondary.payer_name} a secondary claim (SBR01 S) with "
            f"{payment.payer_name}'s adjudication (2320 AMT*D, CAS); hold the patient "
            "statement until it answers.",
            None,
            {
                "CLP05": money(payment.patient_responsibility),
                "TRN02": payment.trace_number,
                "secondary": _brief(secondary),
            },
            payer=(secondary.payer_key, secondary.payer_name),
        )
    ]


def _answered_by(claim: ClaimView, coverage: OtherCoverageView) -> bool:
    """The secondary has paid or adjudicated the claim already."""
    if any(same_payer(coverage.payer_key, coverage.payer_name, p) for p in claim.payments):
        return True
    wanted = payer_id(coverage.payer_key)
    return any(payer_id(k) == wanted for k in claim.ledger.payer_payments)


def _brief(coverage: OtherCoverageView) -> dict[str, object]:
    """Another payer as evidence."""
    return {
        "payer": coverage.payer_name or coverage.payer_key,
        "SBR01": coverage.payer_responsibility,
        "AMT*D": money(coverage.paid_amount),
        "DTP*573": day(coverage.adjudication_date),
    }


def _draft(
    claim: ClaimView,
    payment: PaymentView | None,
    rule: str,
    category: str,
    amount: Decimal,
    description: str,
    action: str,
    deadline: dt.date | None,
    evidence: dict[str, object],
    payer: tuple[str, str] | None = None,
) -> FindingDraft:
    """A COB finding on the whole claim."""
    key, name = payer or (claim.payer_key, claim.payer_name)
    return FindingDraft(
        rule=rule,
        kind=FindingKind.COB,
        category=category,
        subject=claim_subject(claim.submitted_claim_id),
        amount=max(amount, Decimal("0.00")),
        description=description,
        action=action,
        submitted_claim_id=claim.submitted_claim_id,
        claim_payment_id=None if payment is None else payment.claim_payment_id,
        patient_control_number=claim.patient_control_number,
        payer_key=key,
        payer_name=name,
        evidence=evidence,
        deadline=deadline,
    )


__all__ = [
    "bill_secondary",
    "crossover_missing",
    "missing_primary",
    "other_coverage",
    "other_payer_primary",
    "payer_order",
]
