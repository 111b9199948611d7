"""835 balancing (TR3 1.10.2): lines, claims and the transaction, in Decimal, as warnings.

A payer's arithmetic that does not add up is worth a specialist's look but does not make the
remittance unreadable, so every imbalance is a warning naming the claim and element.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from parsers.records import Issue, Severity
from parsers.x12.remittance_835_values import HALF_CENT, ZERO

if TYPE_CHECKING:
    from parsers.x12.remittance_835_loops import Claim, Line


def off(left: Decimal, right: Decimal) -> bool:
    """True when two amounts differ by half a cent or more."""
    diff = left - right
    return diff >= HALF_CENT or diff <= -HALF_CENT


def _warn(code: str, message: str, index: int, sid: str, element: str, pcn: str) -> Issue:
    return Issue(Severity.WARNING, code, message, index, sid, element, pcn)


def balance_line(pcn: str, line: Line) -> Issue | None:
    """SVC02 - sum of line CAS = SVC03."""
    charge, paid = line.charge, line.paid
    expected = charge - line.cas_total
    if not off(expected, paid):
        return None
    return _warn(
        "balance.line",
        f"service line {line.procedure.code or '?'}: charge {charge} minus line adjustments "
        f"{line.cas_total} is {expected}, but the line paid {paid}",
        line.segment_index,
        "SVC",
        "SVC03",
        pcn,
    )


def balance_claim(claim: Claim) -> list[Issue]:
    """CLP03 - all CAS = CLP04; CLP05 = PR CAS; sum SVC02 = CLP03 when lines are reported."""
    charge, paid, pcn = claim.charge, claim.paid, claim.pcn
    found: list[tuple[str, str, str]] = []
    adjusted = claim.cas_total + claim.line_cas
    if off(charge - adjusted, paid):
        found.append(
            (
                "balance.claim",
                f"claim {pcn}: charge {charge} minus adjustments {adjusted} is "
                f"{charge - adjusted}, but the claim paid {paid}",
                "CLP04",
            )
        )
    responsibility = claim.patient_responsibility or ZERO
    if off(responsibility, claim.pr_total):
        found.append(
            (
                "balance.claim-pr",
                f"claim {pcn}: patient responsibility {responsibility} differs from the "
                f"patient-responsibility (PR) adjustments {claim.pr_total}",
                "CLP05",
            )
        )
    if claim.services and off(claim.line_charge, charge):
        found.append(
            (
                "balance.claim",
                f"claim {pcn}: service line charges add up to {claim.line_charge}, "
                f"not the claim charge {charge}",
                "CLP03",
            )
        )
    return [_warn(code, msg, claim.segment_index, "CLP", el, pcn) for code, msg, el in found]


def balance_transaction(
    payment: Decimal, paid_total: Decimal, plb_total: Decimal, index: int | None
) -> Issue | None:
    """BPR02 = sum CLP04 - sum PLB amounts (a positive PLB reduces the payment)."""
    expected = paid_total - plb_total
    if not off(payment, expected):
        return None
    return Issue(
        Severity.WARNING,
        "balance.transaction",
        f"the payment BPR02 {payment} differs from claim payments {paid_total} minus "
        f"provider adjustments {plb_total} = {expected}",
        index,
        "BPR",
        "BPR02",
    )
