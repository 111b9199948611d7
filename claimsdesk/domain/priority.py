"""Work-item priority: what is at stake, how likely it comes back, how soon the window closes.

Pure: score() takes the finding's amount, deadline and recovery weight and returns a score
(0-100) with its parts and a plain-words explanation, so the desk can show why an item sits
where it does. Scale [K] (judgement, tune here):
  value points (0-60): expected recovery = amount x weight, on a log scale; $10,000 -> 60.
  deadline points (0-40): 40 within a week, falling linearly to 0 at 90 days; none without one.
  past the deadline: no deadline points and only PAST_DEADLINE_FACTOR of the expected value
  counts (a late appeal needs good cause); the item is flagged so the desk can triage it
  (write off, or appeal with good cause) apart from work that can still be saved.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

VALUE_POINTS = Decimal("60")
DEADLINE_POINTS = Decimal("40")
FULL_VALUE = Decimal("10000")  # expected dollars worth all the value points
URGENT_DAYS = 7  # this close to the deadline: all the deadline points
HORIZON_DAYS = 90  # further away than this: no deadline points
PAST_DEADLINE_FACTOR = Decimal("0.25")
CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class PriorityInput:
    """What the score is made of; weight_source says where the weight came from."""

    amount: Decimal  # at stake
    deadline: dt.date | None
    weight: Decimal  # 0..1, how often such items are recovered
    weight_source: str  # e.g. "authorization denials at SUMMIT CREST INSURANCE"
    today: dt.date


@dataclass(frozen=True, slots=True)
class Priority:
    """A score with the parts that made it and the words that explain them."""

    score: Decimal  # 0.00 .. 100.00, higher = work it first
    value_points: Decimal
    deadline_points: Decimal
    expected: Decimal  # amount x weight (x factor past the deadline), to the cent
    days_left: int | None  # negative = past the deadline
    past_deadline: bool
    inputs: PriorityInput

    @property
    def explanation(self) -> tuple[str, str]:
        """Plain words for the value and the deadline parts (built on demand: a nightly
        re-score of every item only needs them for the items whose score changed)."""
        i = self.inputs
        weight = min(max(i.weight, ZERO), Decimal("1"))
        return (
            _value_words(i, weight, self.expected, self.value_points, self.past_deadline),
            _deadline_words(i.deadline, self.days_left, self.deadline_points),
        )

    def parts(self) -> dict[str, Any]:
        """JSON-ready parts, stored with the work item ('why this scored as it did')."""
        i = self.inputs
        return {
            "score": str(self.score),
            "amount": str(i.amount.quantize(CENT)),
            "weight": str(i.weight),
            "weight_source": i.weight_source,
            "expected": str(self.expected),
            "value_points": str(self.value_points),
            "deadline": i.deadline.isoformat() if i.deadline else None,
            "days_left": self.days_left,
            "deadline_points": str(self.deadline_points),
            "past_deadline": self.past_deadline,
            "scored_on": i.today.isoformat(),
            "explanation": list(self.explanation),
        }


def score(given: PriorityInput) -> Priority:
    """The priority of one item as of given.today."""
    days_left = None if given.deadline is None else (given.deadline - given.today).days
    past = days_left is not None and days_left < 0
    weight = min(max(given.weight, ZERO), Decimal("1"))
    expected = given.amount * weight * (PAST_DEADLINE_FACTOR if past else Decimal("1"))
    expected = max(expected, ZERO).quantize(CENT, ROUND_HALF_UP)
    value = value_points(expected)
    urgency = deadline_points(days_left)
    total = (value + urgency).quantize(CENT, ROUND_HALF_UP)
    return Priority(total, value, urgency, expected, days_left, past, given)


def value_points(expected: Decimal) -> Decimal:
    """0-60 points on a log scale of the expected recovery ($10,000 or more: 60)."""
    if expected <= 0:
        return ZERO.quantize(CENT)
    share = math.log10(1 + float(expected)) / math.log10(1 + float(FULL_VALUE))
    points = VALUE_POINTS * Decimal(str(min(share, 1.0)))
    return points.quantize(CENT, ROUND_HALF_UP)


def deadline_points(days_left: int | None) -> Decimal:
    """40 within a week of the deadline, linearly down to 0 at 90 days; 0 when none or past."""
    if days_left is None or days_left < 0 or days_left >= HORIZON_DAYS:
        return ZERO.quantize(CENT)
    if days_left <= URGENT_DAYS:
        return DEADLINE_POINTS.quantize(CENT)
    share = Decimal(HORIZON_DAYS - days_left) / Decimal(HORIZON_DAYS - URGENT_DAYS)
    return (DEADLINE_POINTS * share).quantize(CENT, ROUND_HALF_UP)


def _value_words(
    given: PriorityInput, weight: Decimal, expected: Decimal, points: Decimal, past: bool
) -> str:
    """'$1,250.00 at stake x 45% usually recovered (...) = $562.50 expected: 41.2 points'."""
    share = f"{(weight * 100).quantize(Decimal('1'), ROUND_HALF_UP)}%"
    late = f" x {PAST_DEADLINE_FACTOR * 100:.0f}% past the deadline" if past else ""
    return (
        f"${given.amount:,.2f} at stake x {share} usually recovered ({given.weight_source})"
        f"{late} = ${expected:,.2f} expected: {points} of {VALUE_POINTS} points"
    )


def _deadline_words(deadline: dt.date | None, days_left: int | None, points: Decimal) -> str:
    """How the deadline counted, in words."""
    if deadline is None or days_left is None:
        return "no deadline: 0 deadline points"
    when = deadline.isoformat()
    if days_left < 0:
        ago = -days_left
        return (
            f"deadline {when} passed {ago} day{'s' * (ago != 1)} ago: 0 deadline points; only a "
            "late appeal with good cause or a write-off is left"
        )
    if days_left >= HORIZON_DAYS:
        return f"deadline {when} in {days_left} days (over {HORIZON_DAYS}): 0 deadline points"
    return f"deadline {when} in {days_left} day{'s' * (days_left != 1)}: {points} of 40 points"


__all__ = [
    "HORIZON_DAYS",
    "PAST_DEADLINE_FACTOR",
    "URGENT_DAYS",
    "Priority",
    "PriorityInput",
    "deadline_points",
    "score",
    "value_points",
]
