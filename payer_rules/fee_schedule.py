"""Fee-schedule CSV reader: procedure, modifier, amount, optional facility_amount.

Rows hold HCPCS/CPT codes and amounts only (no CPT descriptions: AMA licence). Lines whose
first cell starts with '#' are comments. Every bad row is reported with its line number.
"""

from __future__ import annotations

import csv
import difflib
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType

from .model import FeeEntry, FeeSchedule, Problem

COLUMNS = ("procedure", "modifier", "amount", "facility_amount")
REQUIRED_COLUMNS = ("procedure", "amount")
PROCEDURE_PATTERN = re.compile(r"^[A-Z0-9]{5}$")  # HCPCS Level I (CPT) and Level II
MODIFIER_PATTERN = re.compile(r"^[A-Z0-9]{2}$")
MAX_AMOUNT = Decimal("10000000")


def parse_amount(text: str) -> Decimal | str:
    """A non-negative money amount with at most two decimals, or the reason it is not one."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return f"amount {text!r} is not a number"
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
        return f"amount {text!r} must be between 0 and {MAX_AMOUNT}"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return f"amount {text!r} has more than two decimals"
    return value


def read_fee_schedule(path: Path, label: str) -> tuple[FeeSchedule | None, list[Problem]]:
    """Read and check one schedule; label is how messages name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(label, "file", "fee schedule file not found")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(label, "file", f"cannot read fee schedule: {exc}")]
    problems: list[Problem] = []
    entries: dict[tuple[str, str], FeeEntry] = {}
    reader = csv.reader(text.splitlines())
    header: list[str] | None = None
    for row in reader:
        line = f"line {reader.line_num}"
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = _check_header(row, label, line, problems)
            if header is None:
                return None, problems
            continue
        cells = dict(zip(header, row, strict=False))
        _add_row(cells, len(row) > len(header), entries, label, line, problems)
    if header is not None and not entries and not problems:
        problems.append(Problem(label, "file", "fee schedule has no rows"))
    if header is None:
        problems.append(Problem(label, "line 1", "missing header row procedure,modifier,amount"))
    schedule = FeeSchedule(path=path, entries=MappingProxyType(entries))
    return (None if problems else schedule), problems


def _check_header(
    row: list[str], label: str, line: str, problems: list[Problem]
) -> list[str] | None:
    """Column names, or None after reporting unknown or missing columns."""
    names = [cell.strip().lower() for cell in row]
    ok = True
    for name in names:
        if name not in COLUMNS:
            hint = difflib.get_close_matches(name, COLUMNS, n=1)
            tip = f"; did you mean {hint[0]!r}?" if hint else f"; expected {', '.join(COLUMNS)}"
            problems.append(Problem(label, line, f"unknown column {name!r}{tip}"))
            ok = False
    for name in REQUIRED_COLUMNS:
        if name not in names:
            problems.append(Problem(label, line, f"required column {name!r} is missing"))
            ok = False
    return names if ok else None


def _add_row(
    cells: dict[str, str],
    extra: bool,
    entries: dict[tuple[str, str], FeeEntry],
    label: str,
    line: str,
    problems: list[Problem],
) -> None:
    """Check one data row and store it under (procedure, modifier)."""
    before = len(problems)
    if extra:
        problems.append(Problem(label, line, "more cells than header columns"))
    procedure = cells.get("procedure", "").strip().upper()
    modifier = cells.get("modifier", "").strip().upper()
    if not PROCEDURE_PATTERN.match(procedure):
        problems.append(Problem(label, line, f"procedure {procedure!r} is not a 5-character code"))
    if modifier and not MODIFIER_PATTERN.match(modifier):
        problems.append(Problem(label, line, f"modifier {modifier!r} is not 2 letters/digits"))
    amount = parse_amount(cells.get("amount", ""))
    if isinstance(amount, str):
        problems.append(Problem(label, line, amount))
    facility: Decimal | str | None = None
    if cells.get("facility_amount", "").strip():
        facility = parse_amount(cells["facility_amount"])
        if isinstance(facility, str):
            problems.append(Problem(label, line, f"facility_{facility}"))
    if (procedure, modifier) in entries:
        shown = f"{procedure}-{modifier}" if modifier else procedure
        problems.append(Problem(label, line, f"duplicate row for {shown}"))
    if len(problems) == before and isinstance(amount, Decimal):
        entries[(procedure, modifier)] = FeeEntry(
            amount, facility if isinstance(facility, Decimal) else None
        )


__all__ = ["COLUMNS", "parse_amount", "read_fee_schedule"]
