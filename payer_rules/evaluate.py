"""Pure pricing and clock helpers the analysis service calls per claim or line.

Nothing here reads files or a database: give it PayerRules and values from the records,
get back cent-exact Decimals (ROUND_HALF_UP) and dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from .model import Contract, ContractMethod, PayerRules, Tolerance, cents

FACILITY_PLACES_OF_SERVICE = frozenset(
    {"19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61"}
)
"""SV105/CLM05-1 places of service priced at the facility rate on physician schedules [K]:
hospitals (inpatient, outpatient, ER), ASC, SNF, ambulance, psychiatric and rehab facilities."""


def is_facility_setting(kind: str, place_of_service: str) -> bool:
    """Institutional claims and facility places of service get the facility amount."""
    return kind.upper() == "837I" or place_of_service.strip() in FACILITY_PLACES_OF_SERVICE


def expected_allowed(
    rules: PayerRules,
    *,
    procedure: str = "",
    modifiers: Iterable[str] = (),
    units: Decimal | None = None,
    charge: Decimal | None = None,
    kind: str = "837P",
    drg: str = "",
    days: int | Decimal | None = None,
    place_of_service: str = "",
) -> Decimal | None:
    """What the contract says the payer should allow, or None when it cannot say.

    Line-level methods (fee schedule, percent of billed/base) take procedure, modifiers,
    units and the line charge; claim-level methods take days (per diem) or the DRG (case
    rate). kind "837I" selects the payer's institutional contract when it has one.
    """
    contract = rules.contract_for(kind)
    if contract is None:
        return None
    count = Decimal(1) if units is None else units
    facility = is_facility_setting(kind, place_of_service)
    amount = _price(contract, procedure, tuple(modifiers), count, charge, drg, days, facility)
    return None if amount is None else cents(amount)


def _price(
    contract: Contract,
    procedure: str,
    modifiers: tuple[str, ...],
    units: Decimal,
    charge: Decimal | None,
    drg: str,
    days: int | Decimal | None,
    facility: bool,
) -> Decimal | None:
    """Unrounded expected amount under one contract method."""
    method = contract.method
    if method is ContractMethod.FEE_SCHEDULE or method is ContractMethod.PERCENT_OF_BASE:
        schedule = (
            contract.fee_schedule
            if method is ContractMethod.FEE_SCHEDULE
            else contract.base_schedule
        )
        rate = schedule.lookup(procedure, modifiers, facility=facility) if schedule else None
        if rate is None or not procedure:
            return None
        if method is ContractMethod.FEE_SCHEDULE:
            return rate * units
        return _percent_of(rate * units, contract.percent)
    if method is ContractMethod.PERCENT_OF_BILLED:
        return None if charge is None else _percent_of(charge, contract.percent)
    if method is ContractMethod.PER_DIEM:
        if days is None or days <= 0 or contract.per_diem_rate is None:
            return None
        return contract.per_diem_rate * Decimal(days)
    return contract.case_rates.get(drg.strip())  # CASE_RATE: CLP11 / HI DR DRG


def _percent_of(amount: Decimal, percent: Decimal | None) -> Decimal | None:
    """A percentage of an amount, unrounded."""
    return None if percent is None else amount * percent / 100


def underpayment(
    expected: Decimal | None, allowed: Decimal | None, tolerance: Tolerance | Decimal
) -> Decimal | None:
    """The shortfall (expected - allowed) when it exceeds tolerance, else None.

    A Decimal tolerance is a flat amount. A shortfall exactly at the tolerance passes;
    one cent more is reported, in full. Overpayments are not underpayments (None).
    """
    if expected is None or allowed is None:
        return None
    limit = tolerance if isinstance(tolerance, Tolerance) else Tolerance(amount=tolerance)
    shortfall = cents(expected) - cents(allowed)
    return shortfall if shortfall > limit.limit(cents(expected)) else None


def timely_filing_deadline(rules: PayerRules, service_date: dt.date) -> dt.date:
    """Last day a claim for this service date can reach the payer."""
    return rules.timely_filing_deadline(service_date)


def appeal_deadline(rules: PayerRules, notice_date: dt.date) -> dt.date:
    """Last day an appeal of a notice dated notice_date can reach the payer."""
    return rules.appeal_deadline(notice_date)


def follow_up_due(rules: PayerRules, billed_date: dt.date) -> dt.date:
    """Day an unanswered claim goes to the follow-up queue."""
    return rules.follow_up_due(billed_date)


def crossover_due(rules: PayerRules, primary_paid_date: dt.date) -> dt.date:
    """Day to bill the secondary directly when no crossover has arrived."""
    return rules.crossover_due(primary_paid_date)


__all__ = [
    "FACILITY_PLACES_OF_SERVICE",
    "appeal_deadline",
    "crossover_due",
    "expected_allowed",
    "follow_up_due",
    "is_facility_setting",
    "timely_filing_deadline",
    "underpayment",
]
