"""Follow-ups of a first answer: secondary claims and payments (COB), reversals with corrections.

A Medicare crossover reaches Medicaid without a claim from us (CLP02 19 with NM1*TT, then
CLP02 2 from Medicaid); a commercial primary is followed by our secondary 837 (SBR S, 2320/
2330 with AMT*D, 2430 SVD/CAS/DTP*573) and the secondary's CLP02 2; a reversal (CLP02 22,
all amounts negated, same CLP07) comes with the corrected payment at the contract rate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from claimsdesk.generator_claims import Case, member_id, payer_party
from claimsdesk.generator_remit import ZERO, Paid, cents, payee_of
from parsers.records import (
    Adjustment,
    ClaimPayment,
    LineAdjudication,
    OtherPayer,
    ServiceLine,
    ServicePayment,
    SubmittedClaim,
)

if TYPE_CHECKING:
    from claimsdesk.generator_remit import Adjudicator


def secondary_payment(adj: Adjudicator, case: Case, primary: ClaimPayment) -> Paid:
    """CLP02 2: the secondary pays (part of) what the primary left to the patient."""
    sec = case.secondary
    assert sec is not None
    medicaid = sec.filing_indicator == "MC"
    fraction = Decimal(1) if medicaid and adj.rng.random() < 0.7 else Decimal("0.5")
    if not medicaid:
        fraction = Decimal("0.8")
    services = tuple(_secondary_line(sp, fraction, medicaid) for sp in primary.services)
    base = adj.payment(case, sec, "2", [], (), suffix="S")
    pr = sum((a.amount for s in services for a in s.adjustments if a.group == "PR"), ZERO)
    payment = dataclasses.replace(
        base,
        paid=sum((s.paid for s in services), ZERO),
        patient_responsibility=pr,
        services=services,
    )
    return Paid(sec, payee_of(case), payment)


def _secondary_line(primary: ServicePayment, fraction: Decimal, medicaid: bool) -> ServicePayment:
    """OA-23 prior payer impact, then the part the secondary does not pay."""
    left = sum((a.amount for a in primary.adjustments if a.group == "PR"), ZERO)
    pay = cents(left * fraction)
    adjustments = []
    if primary.charge - left:
        adjustments.append(Adjustment("OA", "23", primary.charge - left, level="line"))
    if left - pay:
        group, reason = ("CO", "45") if medicaid else ("PR", "2")
        adjustments.append(Adjustment(group, reason, left - pay, level="line"))
    return dataclasses.replace(
        primary, paid=pay, adjustments=tuple(adjustments), amounts=(), remarks=()
    )


def secondary_claim(
    adj: Adjudicator, case: Case, primary: ClaimPayment, paid_on: dt.date
) -> SubmittedClaim:
    """Our 837 to the secondary payer, carrying the primary's adjudication (2320/2330/2430)."""
    claim, sec = case.claim, case.secondary
    assert sec is not None and claim.subscriber is not None
    other = OtherPayer(
        payer_responsibility="P",
        relationship="18",
        group_number=claim.group_number,
        filing_indicator=case.payer.filing_indicator,
        subscriber=claim.subscriber,
        payer=payer_party(case.payer),
        paid_amount=primary.paid,  # AMT*D
        remaining_liability=primary.patient_responsibility,  # AMT*EAF
    )
    lines = _adjudicated_lines(case, primary, paid_on)
    sec_subscriber = dataclasses.replace(
        claim.subscriber, identifier=member_id(sec, adj.seed, case.index)
    )
    self_insured = claim.relationship == "18"
    return dataclasses.replace(
        claim,
        payer_responsibility="S",
        filing_indicator=sec.filing_indicator,
        group_number="" if sec.filing_indicator == "MC" else f"GRP{case.index % 991:04d}",
        subscriber=sec_subscriber,
        patient=sec_subscriber if self_insured else claim.patient,
        payer=payer_party(sec),
        other_payers=(other,),
        lines=lines,
    )


def _adjudicated_lines(
    case: Case, primary: ClaimPayment, paid_on: dt.date
) -> tuple[ServiceLine, ...]:
    """Each line with the primary's 2430: SVD paid amount, its CAS, DTP*573 paid date."""
    out = []
    for line, sp in zip(case.claim.lines, primary.services, strict=True):
        adjudication = LineAdjudication(
            case.payer.payer_id, sp.paid, line.procedure, line.units, sp.adjustments, paid_on
        )
        out.append(dataclasses.replace(line, other_payer_adjudications=(adjudication,)))
    return tuple(out)


def reversal(adj: Adjudicator, case: Case, original: ClaimPayment) -> list[Paid]:
    """CLP02 22 taking the short payment back, then the corrected payment at contract."""
    payee = payee_of(case)
    undo = negated(original)
    if original.services:
        services = tuple(
            _at_contract(adj, case, sp, line)
            for sp, line in zip(original.services, case.claim.lines, strict=True)
        )
        paid = sum((s.paid for s in services), ZERO)
        fixed = dataclasses.replace(original, services=services, paid=paid)
    else:
        expected = adj.claim_expected(case, case.payer)
        fixed = _claim_at_contract(original, expected if expected is not None else ZERO)
    fixed = dataclasses.replace(fixed, payer_claim_number=original.payer_claim_number + "A")
    return [Paid(case.payer, payee, undo), Paid(case.payer, payee, fixed)]


def _at_contract(
    adj: Adjudicator, case: Case, sp: ServicePayment, line: ServiceLine
) -> ServicePayment:
    """Raise a line's allowed amount to the contract price, paying the difference."""
    expected = adj.line_expected(case.claim, case.payer, line)
    allowed = sp.allowed if sp.allowed is not None else expected
    gain = expected - allowed
    if gain <= 0:
        return sp
    adjustments = tuple(
        dataclasses.replace(a, amount=a.amount - gain) if (a.group, a.reason) == ("CO", "45") else a
        for a in sp.adjustments
    )
    adjustments = tuple(a for a in adjustments if a.amount)
    return dataclasses.replace(
        sp, paid=sp.paid + gain, adjustments=adjustments, amounts=(("B6", expected),)
    )


def _claim_at_contract(original: ClaimPayment, expected: Decimal) -> ClaimPayment:
    """Claim-level correction: the contractual write-off shrinks, the payment grows."""
    co45 = next((a for a in original.adjustments if (a.group, a.reason) == ("CO", "45")), None)
    allowed = original.charge - (co45.amount if co45 else ZERO)
    gain = max(min(expected, original.charge) - allowed, ZERO)
    adjustments = tuple(
        dataclasses.replace(a, amount=a.amount - gain) if a is co45 else a
        for a in original.adjustments
    )
    return dataclasses.replace(
        original, paid=original.paid + gain, adjustments=tuple(a for a in adjustments if a.amount)
    )


def negated(payment: ClaimPayment) -> ClaimPayment:
    """The reversal of a payment: CLP02 22 and every amount with its sign flipped."""

    def flip(items: tuple[Adjustment, ...]) -> tuple[Adjustment, ...]:
        return tuple(dataclasses.replace(a, amount=-a.amount) for a in items)

    services = tuple(
        dataclasses.replace(
            s,
            charge=-s.charge,
            paid=-s.paid,
            adjustments=flip(s.adjustments),
            amounts=tuple((q, -v) for q, v in s.amounts),
        )
        for s in payment.services
    )
    pr = payment.patient_responsibility
    return dataclasses.replace(
        payment,
        status="22",
        charge=-payment.charge,
        paid=-payment.paid,
        patient_responsibility=-pr if pr is not None else None,
        adjustments=flip(payment.adjustments),
        services=services,
    )


__all__ = ["negated", "reversal", "secondary_claim", "secondary_payment"]
