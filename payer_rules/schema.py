"""What a rule file may say: every key, its type and its allowed values.

Converters turn a TOML value into its typed form or raise Bad with a plain-words reason;
convert_table() walks a file and reports each problem with its dotted key, offering
"did you mean" for misspelled keys and category names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from .categories import DenialCategory
from .codes import CARC_PATTERN, normalize_code
from .fee_schedule import parse_amount
from .model import AppealMethod, ContractMethod

Convert = Callable[[Any], Any]
Report = Callable[[str, str], None]


class Bad(ValueError):
    """A value that does not fit its key; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class Table:
    """A TOML table with a fixed set of keys."""

    keys: Mapping[str, Spec]


@dataclass(frozen=True, slots=True)
class MapOf:
    """A TOML table with free keys (codes, DRGs, categories) and one value type."""

    key: Convert
    value: Convert


Spec = Convert | Table | MapOf


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """'; did you mean 'x'?' when a close spelling exists, else the list of choices."""
    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f"; expected one of {', '.join(options)}"


def whole(low: int, high: int, unit: str, example: int) -> Convert:
    """A whole number in a range (TOML booleans are not numbers here)."""

    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Bad(f"must be a whole number of {unit} without quotes, e.g. {example}")
        if not low <= value <= high:
            raise Bad(f"must be between {low} and {high} {unit}, not {value}")
        return value

    return convert


def text(value: Any) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise Bad("must be a non-empty quoted string")
    return value.strip()


def text_list(value: Any) -> tuple[str, ...]:
    """A list of non-empty strings."""
    if not isinstance(value, list):
        raise Bad('must be a list of quoted strings, e.g. ["a", "b"]')
    return tuple(text(item) for item in value)


def payer_ids(value: Any) -> tuple[str, ...]:
    """Payer ids must be quoted: an unquoted 00123 would lose its leading zeros."""
    if not isinstance(value, list) or not value:
        raise Bad('must be a non-empty list of quoted ids, e.g. ["SXMB1"]')
    for item in value:
        if not isinstance(item, str):
            raise Bad(f"payer id {item!r} must be a quoted string (leading zeros matter)")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 .\-]{0,79}", item.strip()):
            raise Bad(f"payer id {item!r} must be 1-80 letters, digits, spaces, dots or dashes")
    return tuple(item.strip() for item in value)


def name_patterns(value: Any) -> tuple[str, ...]:
    """Payer-name globs ('MEDICARE PART B*'), stored folded for case-blind matching."""
    return tuple(" ".join(p.split()).casefold() for p in text_list(value))


def flag(value: Any) -> bool:
    """true or false."""
    if not isinstance(value, bool):
        raise Bad("must be true or false")
    return value


def _decimal(value: Any, example: str) -> Decimal:
    """A number written as a quoted string or an integer, never a float."""
    if isinstance(value, float):
        raise Bad(f'write it as a quoted string, e.g. "{example}" (floats lose cents)')
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Bad(f'must be a quoted number, e.g. "{example}"')
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise Bad(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise Bad(f"{value!r} is not a number")
    return number


def money(value: Any) -> Decimal:
    """Dollars and cents, non-negative, at most two decimals."""
    parsed = parse_amount(str(_decimal(value, "12.50")))
    if isinstance(parsed, str):
        raise Bad(parsed)
    return parsed


def bounded(low: str, high: str, example: str, *, open_low: bool = False) -> Convert:
    """A decimal in [low, high] (or (low, high] when open_low)."""

    def convert(value: Any) -> Decimal:
        number = _decimal(value, example)
        lo, hi = Decimal(low), Decimal(high)
        if number > hi or number < lo or (open_low and number == lo):
            side = "above" if open_low else "at least"
            raise Bad(f"must be {side} {low} and at most {high}, not {value}")
        return number

    return convert


def choice(enum: type[StrEnum]) -> Convert:
    """One of an enum's values, with a spelling hint."""

    def convert(value: Any) -> StrEnum:
        names = [str(m.value) for m in enum]
        if not isinstance(value, str) or value not in names:
            raise Bad(f"{value!r} is not allowed{did_you_mean(str(value), names)}")
        return enum(value)

    return convert


def pattern(regex: str, what: str) -> Convert:
    """A string matching a regular expression."""

    def convert(value: Any) -> str:
        if not isinstance(value, str) or not re.fullmatch(regex, value.strip()):
            raise Bad(f"{value!r} is not {what}")
        return value.strip()

    return convert


def carc_key(value: str) -> str:
    """A CARC used as a table key."""
    code = normalize_code(value)
    if not CARC_PATTERN.match(code):
        raise Bad(f"{value!r} is not a CARC (1-3 digits without leading zero, or A1/B13/P2 style)")
    return code


def category(value: Any) -> DenialCategory:
    """A denial category name."""
    return DenialCategory(choice(DenialCategory)(value))


def drg_key(value: str) -> str:
    """An MS-DRG code: three digits, leading zeros kept."""
    if not re.fullmatch(r"[0-9]{3}", value.strip()):
        raise Bad(f"{value!r} is not a 3-digit DRG (quote it and keep leading zeros)")
    return value.strip()


def csv_path(value: Any) -> str:
    """A fee-schedule path relative to the rules directory."""
    name = text(value)
    if not name.lower().endswith(".csv"):
        raise Bad(f"{name!r} must name a .csv file")
    return name


CONTRACT = Table(
    {
        "method": choice(ContractMethod),
        "fee_schedule": csv_path,
        "base_schedule": csv_path,
        "percent": bounded("0", "1000", "80", open_low=True),
        "per_diem_rate": money,
        "case_rates": MapOf(drg_key, money),
        "tolerance_amount": money,
        "tolerance_percent": bounded("0", "100", "1.5"),
    }
)

APPEAL = Table(
    {
        "method": choice(AppealMethod),
        "name": text,
        "lines": text_list,
        "city": text,
        "state": pattern(r"[A-Z]{2}", "a 2-letter state code"),
        "postal_code": pattern(r"[0-9]{5}(-?[0-9]{4})?", "a ZIP or ZIP+4"),
        "fax": pattern(r"[0-9()+\-. ]{7,20}", "a phone number"),
        "phone": pattern(r"[0-9()+\-. ]{7,20}", "a phone number"),
        "portal": pattern(r"https://\S+", "an https:// address"),
    }
)

FILE = Table(
    {
        "name": text,
        "match": Table({"payer_ids": payer_ids, "names": name_patterns}),
        "timely_filing_days": whole(1, 3650, "days", 365),
        "timely_filing_months": whole(1, 120, "months", 12),
        "appeal_days": whole(1, 3650, "days", 120),
        "appeal_receipt_days": whole(0, 60, "days", 5),
        "follow_up_days": whole(1, 365, "days", 30),
        "crossover_wait_days": whole(1, 365, "days", 30),
        "contract": CONTRACT,
        "institutional_contract": CONTRACT,
        "carc_category": MapOf(carc_key, category),
        "recoverability": MapOf(category, bounded("0", "1", "0.5")),
        "appeal": APPEAL,
        "secondary": Table(
            {
                "automatic_crossover": flag,
                "payer_of_last_resort": flag,
                "requires_primary_eob": flag,
            }
        ),
        "sources": text_list,
    }
)
"""Every key a rule file may hold."""


def convert_table(
    raw: Mapping[str, Any], spec: Table, prefix: str, report: Report
) -> dict[str, Any]:
    """Typed copy of a TOML table; each bad key is reported and left out."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        rule = spec.keys.get(key)
        if rule is None:
            report(dotted, f"unknown key{did_you_mean(key, spec.keys)}")
        elif isinstance(rule, Table | MapOf) and not isinstance(value, dict):
            report(dotted, "must be a table, e.g. [" + dotted + "]")
        elif isinstance(rule, Table):
            out[key] = convert_table(value, rule, dotted + ".", report)
        elif isinstance(rule, MapOf):
            out[key] = _convert_map(value, rule, dotted, report)
        else:
            try:
                out[key] = rule(value)
            except Bad as exc:
                report(dotted, str(exc))
    return out


def _convert_map(
    raw: Mapping[str, Any], spec: MapOf, dotted: str, report: Report
) -> dict[Any, Any]:
    """Typed copy of a free-key table such as carc_category or case_rates."""
    out: dict[Any, Any] = {}
    for key, value in raw.items():
        try:
            out[spec.key(key)] = spec.value(value)
        except Bad as exc:
            report(f"{dotted}.{key}", str(exc))
    return out


__all__ = ["FILE", "Bad", "MapOf", "Table", "convert_table", "did_you_mean"]
