"""Coding as the payer saw it: coding denials, procedures recoded (SVC06), units cut (SVC07).

The checks of our own 837 before it goes out live in claim_edits.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from claimsdesk.domain.findings.adjudication import (
    allowed_of,
    code_of,
    current,
    denied_items,
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
from claimsdesk.domain.findings.underpayment import line_expected, place_of_service
from claimsdesk.domain.views import ZERO, BilledLineView, ClaimView, PaidLineView, PaymentView
from payer_rules import DenialCategory, PayerRules, is_denial

CODING_CATEGORIES = frozenset({DenialCategory.CODING, DenialCategory.BUNDLING})


@register("coding", FindingKind.CODING, Subject.CLAIM, ("coding", "bundling"), per_payer=True)
def coding_denial(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """Lines or claims denied for a coding or bundling reason (CARC 4-12, 97, 181, 236 ...)."""
    del today
    payment = current(claim, claim.payer_key, claim.payer_name)
    if payment is None:
        return []
    return [
        denial_draft(claim, item, rules, "coding", FindingKind.CODING)
        for item in denied_items(payment, rules)
        if item.category in CODING_CATEGORIES
    ]


@register("coding.recoded", FindingKind.CODING, Subject.CLAIM, ("recoded",), per_payer=True)
def recoded(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """The payer paid another procedure or modifier than billed (SVC06 present)."""
    del today
    payment = current(claim, claim.payer_key, claim.payer_name)
    if payment is None:
        return []
    out: list[FindingDraft] = []
    for line in payment.lines:
        if not line.original_procedure:
            continue
        same_code = line.original_procedure == line.procedure
        if same_code and line.original_modifiers == line.modifiers:
            continue
        billed = _code(line.original_procedure, line.original_modifiers)
        paid_as = _code(line.procedure, line.modifiers)
        expected = line_expected(
            rules, line.original_procedure, line.original_modifiers,
            line.original_units or line.units_paid, line.charge, claim.kind,
            place_of_service(claim, _billed(claim, line)),
        )  # fmt: skip
        out.append(
            _line_draft(
                claim,
                payment,
                line,
                rules,
                "coding.recoded",
                "recoded",
                expected,
                f"{payment.payer_name} paid line {billed} as {paid_as}",
                f"Compare the documentation with {billed} (billed) and {paid_as} (paid): appeal "
                "with the records if they support the billed code; otherwise accept the recode "
                "and correct the charge capture.",
            )
        )
    return out


@register(
    "coding.units_reduced", FindingKind.CODING, Subject.CLAIM, ("units_reduced",), per_payer=True
)
def units_reduced(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """The payer paid fewer units than billed (SVC07 original units above SVC05)."""
    del today
    payment = current(claim, claim.payer_key, claim.payer_name)
    if payment is None:
        return []
    out: list[FindingDraft] = []
    for line in payment.lines:
        billed_units, paid_units = line.original_units, line.units_paid
        if billed_units is None or paid_units is None or billed_units <= paid_units:
            continue
        expected = line_expected(
            rules, line.original_procedure or line.procedure,
            line.original_modifiers or line.modifiers, billed_units, line.charge, claim.kind,
            place_of_service(claim, _billed(claim, line)),
        )  # fmt: skip
        code = _code(line.procedure, line.modifiers)
        out.append(
            _line_draft(
                claim,
                payment,
                line,
                rules,
                "coding.units_reduced",
                "units_reduced",
                expected,
                f"{payment.payer_name} paid {_n(paid_units)} of {_n(billed_units)} units "
                f"billed for {code}",
                "Check the units against the documentation (timed codes: the 8-minute rule) and "
                "the payer's unit limits; appeal with the records if the units were right.",
            )
        )
    return out


def _line_draft(
    claim: ClaimView,
    payment: PaymentView,
    line: PaidLineView,
    rules: PayerRules,
    rule: str,
    category: str,
    expected: Decimal | None,
    description: str,
    action: str,
) -> FindingDraft:
    """One payer-side coding change on one line, valued at expected (as billed) - allowed."""
    allowed = allowed_of(line, rules)
    reductions = [a for a in line.adjustments if is_denial(rules.categorize(a.group, a.reason))]
    if expected is not None and expected > allowed:
        amount = expected - allowed
    else:
        amount = max(total(a.amount for a in reductions), ZERO)
    codes = tuple(sorted({code_of(a) for a in reductions})) + tuple(sorted(set(line.remark_codes)))
    deadline = rules.appeal_deadline(payment.payment_date) if payment.payment_date else None
    return FindingDraft(
        rule=rule,
        kind=FindingKind.CODING,
        category=category,
        subject=claim_subject(
            claim.submitted_claim_id,
            payment.payer_key,
            line.claim_line_id or f"svc{line.service_payment_id}",
        ),
        amount=amount,
        description=description,
        action=action,
        submitted_claim_id=claim.submitted_claim_id,
        claim_line_id=line.claim_line_id,
        claim_payment_id=payment.claim_payment_id,
        patient_control_number=claim.patient_control_number,
        payer_key=payment.payer_key,
        payer_name=payment.payer_name,
        codes=codes,
        evidence=_evidence(payment, line, allowed, expected),
        deadline=deadline,
    )


def _evidence(
    payment: PaymentView, line: PaidLineView, allowed: Decimal, expected: Decimal | None
) -> dict[str, object]:
    """SVC as paid and as billed (SVC06/SVC07), CAS, and the money."""
    return {
        "SVC01": _code(line.procedure, line.modifiers),
        "SVC05": _n(line.units_paid),
        "SVC06": _code(line.original_procedure, line.original_modifiers),
        "SVC07": _n(line.original_units),
        "SVC02": money(line.charge),
        "SVC03": money(line.paid),
        "allowed": money(allowed),
        "expected_as_billed": money(expected),
        "CAS": [f"CAS*{a.group}*{a.reason}*{money(a.amount)}" for a in line.adjustments],
        "TRN02": payment.trace_number,
        "BPR16": day(payment.payment_date),
    }


def _billed(claim: ClaimView, line: PaidLineView) -> BilledLineView | None:
    """The 837 line a paid line was matched to."""
    return next((b for b in claim.lines if b.claim_line_id == line.claim_line_id), None)


def _code(procedure: str, modifiers: tuple[str, ...]) -> str:
    """'99214' or '20610:RT'."""
    return ":".join((procedure, *modifiers)) if procedure else ""


def _n(value: Decimal | None) -> str:
    """Units as plain text ('4', '1.5')."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


__all__ = ["coding_denial", "recoded", "units_reduced"]
