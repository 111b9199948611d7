"""Element value conversions shared by the 835 and 837 readers: Decimal money, dates, composites."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from parsers.records import Issue, Procedure, Severity


class ValueProblem(ValueError):
    """An element value that is not what its data type requires."""


def el(seg: list[str], n: int) -> str:
    """Element n (1-based) of a segment, '' when absent."""
    return seg[n] if n < len(seg) else ""


def money(text: str) -> Decimal:
    """An R (decimal) element as Decimal; raises ValueProblem on junk."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValueProblem(f"{text!r} is not a number") from exc
    if not value.is_finite():
        raise ValueProblem(f"{text!r} is not a number")
    return value


def money_or_none(text: str) -> Decimal | None:
    """Optional R element: '' gives None."""
    return money(text) if text.strip() else None


def date8(text: str) -> dt.date:
    """A CCYYMMDD date element; raises ValueProblem on an impossible date."""
    t = text.strip()
    if len(t) != 8 or not t.isdigit():
        raise ValueProblem(f"{text!r} is not a CCYYMMDD date")
    try:
        return dt.date(int(t[:4]), int(t[4:6]), int(t[6:]))
    except ValueError as exc:
        raise ValueProblem(f"{text!r} is not a real date ({exc})") from exc


def date_or_none(text: str) -> dt.date | None:
    """Optional CCYYMMDD; '' gives None."""
    return date8(text) if text.strip() else None


def date_range(text: str) -> tuple[dt.date, dt.date]:
    """An RD8 range CCYYMMDD-CCYYMMDD."""
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueProblem(f"{text!r} is not a CCYYMMDD-CCYYMMDD range")
    return date8(start), date8(end)


def composite(text: str, component: str) -> list[str]:
    """Split a composite element into its components."""
    return text.split(component)


def procedure(text: str, component: str) -> Procedure | None:
    """A composite procedure (HC:99213:25:59) as a Procedure; '' gives None."""
    if not text:
        return None
    parts = text.split(component)
    mods = tuple(m for m in parts[2:6] if m)
    desc = parts[6] if len(parts) > 6 else ""
    return Procedure(parts[0], parts[1] if len(parts) > 1 else "", mods, desc)


def problem(
    exc: ValueProblem,
    index: int,
    seg_id: str,
    element: str,
    claim: str | None = None,
    severity: Severity = Severity.ERROR,
) -> Issue:
    """Turn a conversion failure into an Issue naming the segment and element."""
    return Issue(severity, "value.invalid", f"{element}: {exc}", index, seg_id, element, claim)
