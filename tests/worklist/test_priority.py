"""Priority scoring (pure): amount x recoverability, deadline closeness, past-deadline handling."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claimsdesk.domain.priority import PriorityInput, deadline_points, score, value_points

TODAY = dt.date(2026, 7, 1)


def prio(amount: str, days: int | None, weight: str = "0.50") -> PriorityInput:
    deadline = None if days is None else TODAY + dt.timedelta(days=days)
    return PriorityInput(Decimal(amount), deadline, Decimal(weight), "test weight", TODAY)


@pytest.mark.parametrize(
    ("days", "points"),
    [(None, "0.00"), (-1, "0.00"), (0, "40.00"), (7, "40.00"), (48, "20.24"), (89, "0.48"),
     (90, "0.00"), (400, "0.00")],
)  # fmt: skip
def test_deadline_points(days: int | None, points: str) -> None:
    assert deadline_points(days) == Decimal(points)


def test_value_points_log_scale_capped() -> None:
    assert value_points(Decimal("0")) == Decimal("0.00")
    assert value_points(Decimal("10000")) == Decimal("60.00")
    assert value_points(Decimal("250000")) == Decimal("60.00")
    assert Decimal("29") < value_points(Decimal("100")) < Decimal("31")


def test_more_money_and_nearer_deadline_score_higher() -> None:
    assert score(prio("1000", 30)).score > score(prio("100", 30)).score
    assert score(prio("100", 5)).score > score(prio("100", 60)).score
    assert score(prio("100", 30, "0.80")).score > score(prio("100", 30, "0.10")).score


def test_parts_add_up_and_explain() -> None:
    p = score(prio("1250.00", 20, "0.45"))
    assert p.score == p.value_points + p.deadline_points
    assert p.expected == Decimal("562.50")
    parts = p.parts()
    assert parts["score"] == str(p.score) and parts["days_left"] == 20
    assert parts["weight_source"] == "test weight"
    assert "$1,250.00 at stake x 45% usually recovered" in p.explanation[0]
    assert "in 20 days" in p.explanation[1]


def test_past_deadline_is_flagged_and_counts_a_quarter() -> None:
    late = score(prio("1000", -3))
    on_time = score(prio("1000", 120))
    assert late.past_deadline and not on_time.past_deadline
    assert late.deadline_points == 0 and late.expected == Decimal("125.00")
    assert late.score < on_time.score
    assert "passed 3 days ago" in late.explanation[1]
    assert "write-off" in late.explanation[1]


def test_weight_is_clamped_and_zero_amount_scores_zero() -> None:
    assert score(prio("100", None, "1.7")).expected == Decimal("100.00")
    assert score(prio("0", None)).score == Decimal("0.00")
