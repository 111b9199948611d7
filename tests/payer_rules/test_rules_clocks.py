"""Filing, appeal, follow-up and crossover clocks, Medicare's checked against the regulations."""

from __future__ import annotations

import datetime as dt

import pytest

from payer_rules import (
    PayerRules,
    appeal_deadline,
    crossover_due,
    follow_up_due,
    load_rulebook,
    timely_filing_deadline,
)
from payer_rules.model import add_months

D = dt.date
BOOK = load_rulebook()
MEDICARE = BOOK.for_payer("SXMB1")


@pytest.mark.parametrize(
    ("service", "deadline"),
    [
        (D(2024, 3, 22), D(2025, 3, 22)),  # one calendar year (CMS Pub. 100-04 ch. 1 §70)
        (D(2024, 2, 29), D(2025, 2, 28)),  # a Feb 29 service files by Feb 28
        (D(2023, 3, 1), D(2024, 3, 1)),  # 365 days would give 2024-02-29: a day short
        (D(2024, 12, 31), D(2025, 12, 31)),
    ],
)
def test_medicare_timely_filing_is_twelve_calendar_months(service: D, deadline: D) -> None:
    # 42 CFR 424.44(a)(1): no later than 12 months (1 calendar year) after the date of service
    assert MEDICARE.timely_filing_months == 12
    assert timely_filing_deadline(MEDICARE, service) == deadline


def test_medicare_redetermination_is_notice_plus_5_plus_120() -> None:
    # 42 CFR 405.942(a): 120 days from receipt; receipt presumed 5 days after the notice date
    assert (MEDICARE.appeal_days, MEDICARE.appeal_receipt_days) == (120, 5)
    assert appeal_deadline(MEDICARE, D(2024, 1, 1)) == D(2024, 5, 5)
    assert appeal_deadline(MEDICARE, D(2025, 1, 1)) == D(2025, 5, 6)  # no leap day
    assert MEDICARE.appeal_deadline(D(2024, 11, 1)) == D(2024, 11, 1) + dt.timedelta(days=125)


@pytest.mark.parametrize(
    ("payer_id", "filing", "appeal", "follow", "crossover"),
    [
        ("SXMCD", 365, 90, 45, 60),
        ("SXBLW", 180, 180, 30, 30),
        ("SXSCI", 90, 60, 21, 30),
    ],
)
def test_day_based_clocks(
    payer_id: str, filing: int, appeal: int, follow: int, crossover: int
) -> None:
    rules = BOOK.for_payer(payer_id)
    start = D(2024, 2, 10)
    assert rules.timely_filing_months is None
    assert timely_filing_deadline(rules, start) == start + dt.timedelta(days=filing)
    assert appeal_deadline(rules, start) == start + dt.timedelta(days=appeal)
    assert follow_up_due(rules, start) == start + dt.timedelta(days=follow)
    assert crossover_due(rules, start) == start + dt.timedelta(days=crossover)


def test_default_clocks_for_unknown_payer() -> None:
    rules = BOOK.for_payer("NOPE")
    assert timely_filing_deadline(rules, D(2024, 1, 1)) == D(2024, 3, 31)  # 90 days, leap year
    assert follow_up_due(rules, D(2024, 1, 1)) == D(2024, 1, 31)
    assert crossover_due(rules, D(2024, 1, 31)) == D(2024, 3, 1)


def test_medicare_follow_up_and_crossover() -> None:
    assert follow_up_due(MEDICARE, D(2024, 6, 1)) == D(2024, 7, 1)
    assert crossover_due(MEDICARE, D(2024, 6, 1)) == D(2024, 7, 1)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 11, 30), 3, D(2025, 2, 28)),
        (D(2024, 5, 15), 24, D(2026, 5, 15)),
        (D(2024, 12, 1), 1, D(2025, 1, 1)),
    ],
)
def test_add_months_clamps_to_month_end(start: D, months: int, end: D) -> None:
    assert add_months(start, months) == end


def test_months_take_precedence_over_days() -> None:
    rules = PayerRules(
        key="x",
        name="x",
        timely_filing_days=1,
        timely_filing_months=2,
        appeal_days=1,
        appeal_receipt_days=0,
        follow_up_days=1,
        crossover_wait_days=1,
    )
    assert rules.timely_filing_deadline(D(2024, 1, 15)) == D(2024, 3, 15)
