"""CARC, RARC and group-code descriptions in our own plain words.

The official CARC list belongs to X12 and the RARC list to CMS; the short descriptions in
data/carc.csv and data/rarc.csv are written by us so a billing specialist can read a
remittance at a glance. A site that licenses the official text can load it with
load_descriptions() and pass it to describe_carc()/describe_rarc().
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

CARC_PATTERN = re.compile(r"^(?:[1-9][0-9]{0,2}|[ABDPWY][0-9]{1,2})$")
"""CAS02 reason code: 1-999 without leading zeros, or A/B/D/P/W/Y and digits (A1, B13, P2)."""

RARC_PATTERN = re.compile(r"^(?:MA|M|N)[0-9]{1,3}$")
"""LQ02 / MOA / MIA remark code: M, MA or N followed by digits (MA01 keeps its zero)."""

GROUP_CODE_MEANINGS: Mapping[str, str] = MappingProxyType(
    {
        "CO": "Contractual obligation: the provider writes it off and may not bill the patient",
        "PR": "Patient responsibility: bill the patient or the next payer",
        "PI": "Payer-initiated reduction: not billable to the patient",
        "OA": "Other adjustment (prior payer, duplicate ...): not billable to the patient",
        "CR": "Correction or reversal of an earlier adjustment (4010 only)",
    }
)


def normalize_code(code: str) -> str:
    """Codes arrive with stray spaces or lower case from paper-keyed remits."""
    return code.strip().upper()


def is_carc(code: str) -> bool:
    """True when the text has the shape of a claim adjustment reason code."""
    return bool(CARC_PATTERN.match(normalize_code(code)))


def is_rarc(code: str) -> bool:
    """True when the text has the shape of a remittance advice remark code."""
    return bool(RARC_PATTERN.match(normalize_code(code)))


def load_descriptions(path: Path) -> Mapping[str, str]:
    """Read a two-column CSV (code, description) with a header row, for official lists."""
    with path.open(newline="", encoding="utf-8") as handle:
        return _read_rows(handle.read().splitlines())


def _read_rows(lines: list[str]) -> Mapping[str, str]:
    """Skip the header row and blank lines; last duplicate wins."""
    rows = list(csv.reader(lines))
    table = {normalize_code(r[0]): r[1].strip() for r in rows[1:] if len(r) >= 2 and r[0]}
    return MappingProxyType(table)


@cache
def _builtin(name: str) -> Mapping[str, str]:
    """Our shipped descriptions, read once."""
    text = resources.files("payer_rules").joinpath("data", name).read_text(encoding="utf-8")
    return _read_rows(text.splitlines())


def carc_descriptions() -> Mapping[str, str]:
    """All shipped CARC descriptions, code -> plain words."""
    return _builtin("carc.csv")


def rarc_descriptions() -> Mapping[str, str]:
    """All shipped RARC descriptions, code -> plain words."""
    return _builtin("rarc.csv")


def describe_carc(code: str, table: Mapping[str, str] | None = None) -> str:
    """Plain words for a CARC; unknown codes say so rather than guess."""
    key = normalize_code(code)
    found = (table if table is not None else carc_descriptions()).get(key)
    return found or f"Adjustment reason {key} (no description on file)"


def describe_rarc(code: str, table: Mapping[str, str] | None = None) -> str:
    """Plain words for a RARC; unknown codes say so rather than guess."""
    key = normalize_code(code)
    found = (table if table is not None else rarc_descriptions()).get(key)
    return found or f"Remark {key} (no description on file)"


def describe_group(group: str) -> str:
    """Plain words for a CAS01 group code."""
    key = normalize_code(group)
    return GROUP_CODE_MEANINGS.get(key, f"Group {key} (not a valid group code)")


def describe_adjustment(group: str, carc: str) -> str:
    """'CO-45: Charge is above ...' for one CAS triplet, as a work-queue line."""
    return f"{normalize_code(group)}-{normalize_code(carc)}: {describe_carc(carc)}"


__all__ = [
    "CARC_PATTERN",
    "GROUP_CODE_MEANINGS",
    "RARC_PATTERN",
    "carc_descriptions",
    "describe_adjustment",
    "describe_carc",
    "describe_group",
    "describe_rarc",
    "is_carc",
    "is_rarc",
    "load_descriptions",
    "normalize_code",
    "rarc_descriptions",
]
