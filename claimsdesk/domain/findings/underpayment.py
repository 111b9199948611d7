"""Money against the contract: short pays, overpayments, and credit balances on the ledger.

Each paid line is priced as the payer adjudicated it (SVC01 code, SVC05 units): a recode or
a unit cut is the coding queue's finding, so the same dollars are not counted twice. Lines
carrying a denial-category adjustment belong to the denial, coding or COB rules. A secondary
payer's allowed amount is only trusted when it sends AMT*B6 (its lines carry OA-23 instead).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from claimsdesk.domain.findings.adjudication import (
    AS_SECONDARY,
    PRIOR_PAYER_CARCS,
    PROCESSED,
    allowed_of,
    category_of,
    current,
    derived_allowed,
    memo,
    payments_from,
    standing,
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
from claimsdesk.domain.views import ZERO, BilledLineView, ClaimView, PaidLineView, PaymentView
from payer_rules import (
    Contract,
    ContractMethod,
    PayerRules,
    Tolerance,
    expected_allowed,
    is_denial,
    underpayment,
)

CLAIM_LEVEL_METHODS = frozenset(
    {ContractMethod.PER_DIEM, ContractMethod.CASE_RATE, ContractMethod.PERCENT_OF_BILLED}
)
"""Institutional contracts priced on the whole claim (days, DRG, billed charge)."""


@dataclass(frozen=True, slots=True)
class Priced:
    """Expected against allowed for one line (or the whole claim: line None)."""

    line: PaidLineView | None
    expected: Decimal
    allowed: Decimal

    @property
    def variance(self) -> Decimal:
        """Allowed minus expected: negative = short pay."""
        return self.allowed - self.expected

    def as_evidence(self) -> dict[str, object]:
        """Line, expected and allowed as text."""
        out: dict[str, object] = {
            "expected": money(self.expected),
            "allowed": money(self.allowed),
        }
        if self.line is not None:
            out["SVC"] = f"{self.line.procedure}:{':'.join(self.line.modifiers)}".rstrip(":")
            out["units"] = str(self.line.units_paid) if self.line.units_paid is not None else ""
            out["AMT*B6"] = money(self.line.allowed)
        return out


def price(claim: ClaimView, payment: PaymentView, rules: PayerRules) -> list[Priced]:
    """Expected and allowed for every line (or the claim) the contract can price."""
    return memo("price", (payment, claim, rules), (), lambda: _price(claim, payment, rules))


def _price(claim: ClaimView, payment: PaymentView, rules: PayerRules) -> list[Priced]:
    """price() without the memo."""
    contract = rules.contract_for(claim.kind)
    if contract is None or payment.status not in PROCESSED:
        return []
    secondary = payment.status in AS_SECONDARY
    if claim.kind.upper() == "837I" and contract.method in CLAIM_LEVEL_METHODS:
        return _price_claim(claim, payment, rules, secondary)
    billed: dict[int | None, BilledLineView] = {line.claim_line_id: line for line in claim.lines}
    out: list[Priced] = []
    for line in payment.lines:
        if _owned_elsewhere(line, rules) or (secondary and line.allowed is None):
            continue
        match = billed.get(line.claim_line_id)
        expected = line_expected(
            rules, line.procedure, line.modifiers, _units(line, match), line.charge, claim.kind,
            place_of_service(claim, match),
        )  # fmt: skip
        if expected is not None:
            out.append(Priced(line, expected, allowed_of(line, rules)))
    return out


@lru_cache(maxsize=65_536)
def line_expected(
    rules: PayerRules,
    procedure: str,
    modifiers: tuple[str, ...],
    units: Decimal | None,
    charge: Decimal,
    kind: str,
    place: str = "",
) -> Decimal | None:
    """expected_allowed for one line, cached: the same code, units and setting price the same."""
    return expected_allowed(
        rules,
        procedure=procedure,
        modifiers=modifiers,
        units=units,
        charge=charge,
        kind=kind,
        place_of_service=place,
    )


def place_of_service(claim: ClaimView, line: BilledLineView | None) -> str:
    """SV105 of the billed line, else CLM05-1 of the claim: facility or office rate.

    Read with getattr: the views gain these fields in a later contract change; until then
    a professional line is priced at the non-facility rate.
    """
    place = getattr(line, "place_of_service", "") if line is not None else ""
    return str(place or getattr(claim, "facility_code", "") or "")


def _price_claim(
    claim: ClaimView, payment: PaymentView, rules: PayerRules, secondary: bool
) -> list[Priced]:
    """Per diem, case rate or percent of billed on the whole claim."""
    lines = [line for line in payment.lines if not _owned_elsewhere(line, rules)]
    if secondary and any(line.allowed is None for line in lines):
        return []
    expected = expected_allowed(
        rules,
        charge=claim.charge,
        kind=claim.kind,
        drg=payment.drg_code or claim.drg_code,
        days=claim.days,
    )
    if expected is None:
        return []
    if lines:
        allowed = total(allowed_of(line, rules) for line in lines)
    else:
        allowed = derived_allowed(payment.paid, payment.adjustments, rules)
    return [Priced(None, expected, allowed)]


def _owned_elsewhere(line: PaidLineView, rules: PayerRules) -> bool:
    """A denial-category adjustment on the line: the denial/coding/COB rules judge it."""
    for a in line.adjustments:
        if a.reason not in PRIOR_PAYER_CARCS and is_denial(category_of(rules, a.group, a.reason)):
            return True
    return (
        line.original_units is not None
        and line.units_paid is not None
        and line.original_units > line.units_paid
    )


def _units(line: PaidLineView, billed: BilledLineView | None) -> Decimal | None:
    """SVC05 units paid, else the billed units."""
    if line.units_paid is not None:
        return line.units_paid
    return billed.units if billed is not None else None


def _tolerance(contract: Contract | None, rules: PayerRules) -> Tolerance:
    """The contract's tolerance, else the payer's."""
    return contract.tolerance if contract is not None else rules.tolerance


@register(
    "underpayment", FindingKind.UNDERPAYMENT, Subject.CLAIM, ("underpayment",), per_payer=True
)
def short_pay(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """Allowed below the contract beyond tolerance: the shortfall is at stake."""
    del today
    payment = current(claim, claim.payer_key, claim.payer_name)
    if payment is None:
        return []
    tolerance = _tolerance(rules.contract_for(claim.kind), rules)
    short = [
        p
        for p in price(claim, payment, rules)
        if p.allowed < p.expected and underpayment(p.expected, p.allowed, tolerance) is not None
    ]
    if not short:
        return []
    amount = total(p.expected - p.allowed for p in short)
    deadline = rules.appeal_deadline(payment.payment_date) if payment.payment_date else None
    return [
        _draft(
            claim,
            payment,
            "underpayment",
            amount,
            deadline,
            short,
            f"{payment.payer_name} allowed {money(total(p.allowed for p in short))} where the "
            f"contract says {money(total(p.expected for p in short))}: short by {money(amount)}",
            "Ask the payer to reprocess at the contract rate (reconsideration or appeal), with "
            "the fee-schedule line for each short line.",
        )
    ]


@register(
    "underpayment.overpayment",
    FindingKind.UNDERPAYMENT,
    Subject.CLAIM,
    ("overpayment",),
    per_payer=True,
)
def overpayment(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """Allowed above the contract, paid twice, or paid above the charge, not yet taken back."""
    del today
    payment = current(claim, claim.payer_key, claim.payer_name)
    if payment is None:
        return []
    tolerance = _tolerance(rules.contract_for(claim.kind), rules)
    over = [
        p
        for p in price(claim, payment, rules)
        if p.allowed > p.expected and p.variance > tolerance.limit(p.expected)
    ]
    kept = standing(payments_from(claim, claim.payer_key, claim.payer_name))
    paid = total(p.paid for p in kept)
    twice = total(p.paid for p in kept if p.paid > 0 and p is not payment)  # paid again
    amount = max(total(p.variance for p in over) + twice, paid - claim.charge, ZERO)
    amount -= claim.ledger.recouped  # PLB recoupments (WO, FB) already taken back
    if amount <= tolerance.limit(ZERO) or amount <= 0:
        return []
    return [
        _draft(
            claim,
            payment,
            "overpayment",
            amount,
            None,
            over,
            f"{payment.payer_name} paid {money(amount)} more than the contract (or the charge) "
            "allows, and has not taken it back",
            "Confirm the overpayment and refund it (or let the payer recoup it) within the "
            "payer's refund window; do not leave it on the account.",
        )
    ]


@register(
    "underpayment.credit_balance", FindingKind.UNDERPAYMENT, Subject.CLAIM, ("credit_balance",)
)
def credit_balance(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """The ledger owes money back: more came in than was owed."""
    del rules, today
    balance = claim.ledger.balance
    if balance >= 0:
        return []
    parties = {k: money(v) for k, v in claim.ledger.balance_by_party.items() if v < 0}
    return [
        FindingDraft(
            rule="underpayment.credit_balance",
            kind=FindingKind.UNDERPAYMENT,
            category="credit_balance",
            subject=claim_subject(claim.submitted_claim_id),
            amount=-balance,
            description=f"Credit balance of {money(-balance)}: more was paid than is owed",
            action="Find who overpaid (payer or patient) and refund it, or apply it to another "
            "open balance of the same patient where the rules allow.",
            submitted_claim_id=claim.submitted_claim_id,
            patient_control_number=claim.patient_control_number,
            payer_key=claim.payer_key,
            payer_name=claim.payer_name,
            evidence={
                "balance": money(balance),
                "by_party": parties,
                "charges": money(claim.ledger.charges),
            },
        )
    ]


def _draft(
    claim: ClaimView,
    payment: PaymentView,
    category: str,
    amount: Decimal,
    deadline: dt.date | None,
    priced: list[Priced],
    description: str,
    action: str,
) -> FindingDraft:
    """An underpayment or overpayment finding for one payer's adjudication of the claim."""
    rule = "underpayment" if category == "underpayment" else f"underpayment.{category}"
    return FindingDraft(
        rule=rule,
        kind=FindingKind.UNDERPAYMENT,
        category=category,
        subject=claim_subject(claim.submitted_claim_id, payment.payer_key),
        amount=amount,
        description=description,
        action=action,
        submitted_claim_id=claim.submitted_claim_id,
        claim_payment_id=payment.claim_payment_id,
        patient_control_number=claim.patient_control_number,
        payer_key=payment.payer_key,
        payer_name=payment.payer_name,
        evidence={
            "CLP04": money(payment.paid),
            "TRN02": payment.trace_number,
            "BPR16": day(payment.payment_date),
            "lines": [p.as_evidence() for p in priced],
            "PLB": money(claim.ledger.provider_level),
            "recouped": money(claim.ledger.recouped),
        },
        deadline=deadline,
    )


__all__ = ["Priced", "credit_balance", "overpayment", "price", "short_pay"]
