"""Denial categories: which work queue an adjustment belongs to, and whether to appeal it.

The CARC table follows the routing table in shared/domain-notes.md, with one documented
change: 97 and 236 move from "coding" to the separate "bundling" category (with 231, 234,
B10, B15), because a bundling edit is worked differently from a wrong code (modifier or
unbundling review against correct-coding edits, not a code correction).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from parsers.records import Adjustment

from .codes import normalize_code


class DenialCategory(StrEnum):
    """Work-queue category of one adjustment; the last two are not denials."""

    ELIGIBILITY = "eligibility"
    AUTHORIZATION = "authorization"
    CODING = "coding"
    MEDICAL_NECESSITY = "medical_necessity"
    TIMELY_FILING = "timely_filing"
    DUPLICATE = "duplicate"
    COORDINATION_OF_BENEFITS = "coordination_of_benefits"
    MISSING_INFORMATION = "missing_information"
    FREQUENCY_LIMITS = "frequency_limits"
    BUNDLING = "bundling"
    CONTRACTUAL = "contractual"
    PATIENT_RESPONSIBILITY = "patient_responsibility"
    OTHER = "other"


_C = DenialCategory
# fmt: off
_CARC_GROUPS: dict[DenialCategory, tuple[str, ...]] = {
    _C.ELIGIBILITY: (
        "26", "27", "31", "32", "33", "34", "109", "140", "166", "177", "178", "179",
        "180", "200", "238", "239", "254", "270", "B7", "B11",
    ),
    _C.AUTHORIZATION: ("15", "39", "165", "197", "198", "210", "242", "243", "284", "287", "288"),
    _C.CODING: (
        "4", "5", "6", "7", "8", "9", "10", "11", "12", "146", "150", "181", "182", "189",
        "199", "282", "B16",
    ),
    _C.MEDICAL_NECESSITY: (
        "40", "49", "50", "51", "55", "56", "58", "96", "114", "152", "153", "167", "202",
        "204", "272", "B12",
    ),
    _C.TIMELY_FILING: ("29", "286", "B4"),
    _C.DUPLICATE: ("18", "B13"),
    _C.COORDINATION_OF_BENEFITS: ("19", "20", "21", "22", "23", "24", "136", "275", "276"),
    _C.MISSING_INFORMATION: (
        "16", "148", "163", "164", "206", "207", "208", "226", "227", "250", "251", "252", "A1",
    ),
    _C.FREQUENCY_LIMITS: ("35", "119", "149", "151", "222", "273", "B14"),
    _C.BUNDLING: ("97", "231", "234", "236", "B10", "B15"),
    _C.CONTRACTUAL: (
        "45", "59", "69", "70", "74", "75", "76", "89", "94", "104", "105", "130", "131",
        "137", "144", "161", "225", "232", "235", "253", "281", "A5",
    ),
    _C.PATIENT_RESPONSIBILITY: ("1", "2", "3", "66", "100", "142", "187", "201", "241"),
}
# fmt: on

CARC_CATEGORY: Mapping[str, DenialCategory] = MappingProxyType(
    {code: category for category, codes in _CARC_GROUPS.items() for code in codes}
)
"""Built-in CARC -> category; a payer's carc_category table overrides it."""

RARC_CATEGORY: Mapping[str, DenialCategory] = MappingProxyType(
    {
        "MA04": _C.COORDINATION_OF_BENEFITS,
        "MA92": _C.COORDINATION_OF_BENEFITS,
        "N4": _C.COORDINATION_OF_BENEFITS,
        "N479": _C.COORDINATION_OF_BENEFITS,
        "N30": _C.ELIGIBILITY,
        "M15": _C.BUNDLING,
        "M80": _C.BUNDLING,
        "N19": _C.BUNDLING,
        "N20": _C.BUNDLING,
        "N122": _C.BUNDLING,
        "M86": _C.FREQUENCY_LIMITS,
        "N362": _C.FREQUENCY_LIMITS,
        "N522": _C.DUPLICATE,
        "M20": _C.CODING,
        "M51": _C.CODING,
        "M76": _C.CODING,
        "N657": _C.CODING,
        "N115": _C.MEDICAL_NECESSITY,
        "N386": _C.MEDICAL_NECESSITY,
    }
)
"""RARCs that say what a generic CARC (16, A1, 96 ...) really means."""

COB_RARCS = frozenset(
    code for code, cat in RARC_CATEGORY.items() if cat is _C.COORDINATION_OF_BENEFITS
)
"""A missing-primary-EOB remark makes any denial a COB problem, whatever the CARC."""

GENERIC_CATEGORIES = frozenset({_C.MISSING_INFORMATION, _C.OTHER})
"""CARC categories that only the remark codes can make specific."""

NO_APPEAL_RARCS: Mapping[str, str] = MappingProxyType(
    {
        "MA130": "MA130: the claim was unprocessable and carries no appeal rights; "
        "correct it and send a new claim",
        "N211": "N211: the payer states this decision may not be appealed",
        "N111": "N111: no appeal rights except on whether it is a duplicate",
    }
)
"""Remarks that take away appeal rights (N130 is a benefit-restriction pointer, not one)."""

NOT_DENIALS = frozenset({_C.CONTRACTUAL, _C.PATIENT_RESPONSIBILITY})

PATIENT_SHARE_CARCS = frozenset(_CARC_GROUPS[_C.PATIENT_RESPONSIBILITY])

RECOVERABILITY: Mapping[DenialCategory, Decimal] = MappingProxyType(
    {
        _C.MISSING_INFORMATION: Decimal("0.80"),
        _C.COORDINATION_OF_BENEFITS: Decimal("0.75"),
        _C.CODING: Decimal("0.65"),
        _C.DUPLICATE: Decimal("0.10"),
        _C.AUTHORIZATION: Decimal("0.45"),
        _C.BUNDLING: Decimal("0.45"),
        _C.ELIGIBILITY: Decimal("0.40"),
        _C.MEDICAL_NECESSITY: Decimal("0.40"),
        _C.FREQUENCY_LIMITS: Decimal("0.30"),
        _C.TIMELY_FILING: Decimal("0.15"),
        _C.OTHER: Decimal("0.30"),
        _C.CONTRACTUAL: Decimal("0.00"),
        _C.PATIENT_RESPONSIBILITY: Decimal("0.00"),
    }
)
"""How often such denials are usually turned into payment (0..1), for queue priority.

Judgement values [K], not measured: fixable front-end errors (missing information, COB,
coding) recover most often; clinical and filing-limit denials least. Tune per payer in
TOML with a [recoverability] table.
"""


def is_denial(category: DenialCategory) -> bool:
    """Contractual write-offs and patient shares are adjustments, not denials to work."""
    return category not in NOT_DENIALS


def categorize(
    group: str,
    carc: str,
    rarcs: Iterable[str] = (),
    overrides: Mapping[str, DenialCategory] | None = None,
) -> DenialCategory:
    """Category of one CAS adjustment: payer override, else CARC table refined by RARCs."""
    code = normalize_code(carc)
    if overrides and code in overrides:
        return overrides[code]
    base = CARC_CATEGORY.get(code, _C.OTHER)
    if base is _C.CONTRACTUAL or base is _C.PATIENT_RESPONSIBILITY:
        return base
    remarks = [normalize_code(r) for r in rarcs]
    if any(r in COB_RARCS for r in remarks):
        return _C.COORDINATION_OF_BENEFITS
    if base in GENERIC_CATEGORIES:
        refined = next((RARC_CATEGORY[r] for r in remarks if r in RARC_CATEGORY), None)
        if refined is not None:
            return refined
    if base is _C.OTHER and normalize_code(group) == "PR":
        return _C.PATIENT_RESPONSIBILITY
    return base


def appeal_block_reason(
    group: str,
    carc: str,
    rarcs: Iterable[str] = (),
    overrides: Mapping[str, DenialCategory] | None = None,
) -> str | None:
    """Why an appeal would be wasted (None = an appeal is a sensible next step)."""
    remarks = [normalize_code(r) for r in rarcs]
    category = categorize(group, carc, remarks, overrides)
    for remark in remarks:
        if remark in NO_APPEAL_RARCS and not (remark == "N111" and category is _C.DUPLICATE):
            return NO_APPEAL_RARCS[remark]
    if category is _C.CONTRACTUAL:
        return "contractual adjustment, not a denial: a lone CO-45 means paid as contracted"
    if category is _C.PATIENT_RESPONSIBILITY:
        return "patient share: bill the patient or the next payer, do not appeal"
    if category is _C.DUPLICATE:
        return "duplicate: find the original claim's payment; resubmit corrected if distinct"
    return None


def appealable(
    group: str,
    carc: str,
    rarcs: Iterable[str] = (),
    overrides: Mapping[str, DenialCategory] | None = None,
) -> bool:
    """True when no guardrail (no-appeal remark, not-a-denial, duplicate) forbids an appeal."""
    return appeal_block_reason(group, carc, rarcs, overrides) is None


def paid_as_contracted(
    adjustments: Iterable[Adjustment | tuple[str, str]],
    overrides: Mapping[str, DenialCategory] | None = None,
) -> bool:
    """True when every adjustment is a contractual write-off or patient share (no denial).

    A lone CO-45 (with or without PR deductible/coinsurance) means the payer paid the claim
    as it reads its contract; any short pay against our schedule is found by underpayment(),
    not by the adjustment codes.
    """
    for item in adjustments:
        group, carc = (item.group, item.reason) if isinstance(item, Adjustment) else item
        if is_denial(categorize(group, carc, (), overrides)):
            return False
    return True


__all__ = [
    "CARC_CATEGORY",
    "COB_RARCS",
    "NOT_DENIALS",
    "NO_APPEAL_RARCS",
    "PATIENT_SHARE_CARCS",
    "RARC_CATEGORY",
    "RECOVERABILITY",
    "DenialCategory",
    "appeal_block_reason",
    "appealable",
    "categorize",
    "is_denial",
    "paid_as_contracted",
]
