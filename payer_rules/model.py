"""Frozen records of a loaded rulebook: one PayerRules per payer file, merged over default.toml."""

from __future__ import annotations

import calendar
import datetime as dt
import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from .categories import RECOVERABILITY, DenialCategory, appealable, categorize

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """Money rounded to the cent, half up, as payers and statements round."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(start: dt.date, months: int) -> dt.date:
    """Same day N months later; a day the month lacks falls back to its last day (Feb 29)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, _month_days(year, month)))


def _month_days(year: int, month: int) -> int:
    """Days in a month, leap years included."""
    return calendar.monthrange(year, month)[1]


def _empty_categories() -> Mapping[str, DenialCategory]:
    """Shared empty read-only mapping for dataclass defaults."""
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a rule or fee-schedule file, located for the person fixing it."""

    file: str
    key: str  # dotted TOML key ("contract.percent") or "line 7" in a CSV
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


class RuleError(ValueError):
    """Rules that cannot be trusted: every problem found, each naming file, key and cause."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ContractMethod(StrEnum):
    """How a contract prices a service."""

    FEE_SCHEDULE = "fee_schedule"
    PERCENT_OF_BILLED = "percent_of_billed"
    PERCENT_OF_BASE = "percent_of_base"
    PER_DIEM = "per_diem"
    CASE_RATE = "case_rate"


class AppealMethod(StrEnum):
    """Where an appeal goes."""

    MAIL = "mail"
    FAX = "fax"
    PORTAL = "portal"
    ELECTRONIC = "electronic"


@dataclass(frozen=True, slots=True)
class Tolerance:
    """Short pay we let pass: the larger of a flat amount and a percent of the expected."""

    amount: Decimal = Decimal("0.00")
    percent: Decimal = Decimal("0")

    def limit(self, expected: Decimal) -> Decimal:
        """Largest shortfall still within tolerance for this expected amount."""
        return max(cents(self.amount), cents(expected * self.percent / 100))


@dataclass(frozen=True, slots=True)
class FeeEntry:
    """One fee-schedule row: non-facility amount and, when it differs, the facility amount."""

    amount: Decimal
    facility_amount: Decimal | None = None


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: usable as a cache key
class FeeSchedule:
    """Allowed amounts by (procedure, modifier); modifier '' is the unmodified rate."""

    path: Path
    entries: Mapping[tuple[str, str], FeeEntry]

    def lookup(
        self, procedure: str, modifiers: Iterable[str] = (), *, facility: bool = False
    ) -> Decimal | None:
        """Rate for the first priced modifier, else the unmodified rate, else None."""
        code = procedure.strip().upper()
        keys = [(code, m.strip().upper()) for m in modifiers if m.strip()] + [(code, "")]
        entry = next((self.entries[k] for k in keys if k in self.entries), None)
        if entry is None:
            return None
        if facility and entry.facility_amount is not None:
            return entry.facility_amount
        return entry.amount


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: usable as a cache key
class Contract:
    """A payer contract's pricing method and its parameters."""

    method: ContractMethod
    tolerance: Tolerance = Tolerance()
    percent: Decimal | None = None
    fee_schedule: FeeSchedule | None = None
    base_schedule: FeeSchedule | None = None
    per_diem_rate: Decimal | None = None
    case_rates: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class AppealRoute:
    """Where and how to send an appeal."""

    method: AppealMethod | None = None
    name: str = ""
    lines: tuple[str, ...] = ()
    city: str = ""
    state: str = ""
    postal_code: str = ""
    fax: str = ""
    phone: str = ""
    portal: str = ""

    def mailing_label(self) -> str:
        """Address block for an appeal letter."""
        last = f"{self.city}, {self.state} {self.postal_code}".strip(", ")
        return "\n".join(p for p in (self.name, *self.lines, last) if p)


@dataclass(frozen=True, slots=True)
class SecondaryRules:
    """How this payer behaves as or toward a secondary payer."""

    automatic_crossover: bool = False  # forwards claims to the secondary itself (MA18)
    payer_of_last_resort: bool = False  # pays only after every other coverage (Medicaid)
    requires_primary_eob: bool = False  # secondary claims need the primary's adjudication


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: usable as a cache key
class PayerRules:
    """Rules for one payer: its file merged over default.toml, key by key."""

    key: str  # file stem ("medicare_part_b"), or "default"
    name: str
    timely_filing_days: int
    appeal_days: int
    appeal_receipt_days: int
    follow_up_days: int
    crossover_wait_days: int
    timely_filing_months: int | None = None
    payer_ids: tuple[str, ...] = ()
    name_patterns: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()
    contract: Contract | None = None
    institutional_contract: Contract | None = None
    tolerance: Tolerance = Tolerance()
    carc_category: Mapping[str, DenialCategory] = field(default_factory=_empty_categories)
    recoverability: Mapping[DenialCategory, Decimal] = field(default_factory=lambda: RECOVERABILITY)
    appeal: AppealRoute = AppealRoute()
    secondary: SecondaryRules = SecondaryRules()
    sources: tuple[str, ...] = ()

    def contract_for(self, kind: str) -> Contract | None:
        """Institutional (837I) claims use institutional_contract when the payer has one."""
        if kind.upper() == "837I" and self.institutional_contract is not None:
            return self.institutional_contract
        return self.contract

    def timely_filing_deadline(self, service_date: dt.date) -> dt.date:
        """Last day to file: months (calendar) when set, else days, after the service date."""
        if self.timely_filing_months is not None:
            return add_months(service_date, self.timely_filing_months)
        return service_date + dt.timedelta(days=self.timely_filing_days)

    def appeal_deadline(self, notice_date: dt.date) -> dt.date:
        """Last day to appeal: notice date + presumed receipt days + appeal window."""
        return notice_date + dt.timedelta(days=self.appeal_receipt_days + self.appeal_days)

    def follow_up_due(self, billed_date: dt.date) -> dt.date:
        """Day to chase a claim the payer has not answered."""
        return billed_date + dt.timedelta(days=self.follow_up_days)

    def crossover_due(self, primary_paid_date: dt.date) -> dt.date:
        """Day to bill the secondary ourselves if the crossover has not shown up."""
        return primary_paid_date + dt.timedelta(days=self.crossover_wait_days)

    def categorize(self, group: str, carc: str, rarcs: Iterable[str] = ()) -> DenialCategory:
        """Category of one adjustment with this payer's CARC overrides."""
        return categorize(group, carc, rarcs, self.carc_category)

    def appealable(self, group: str, carc: str, rarcs: Iterable[str] = ()) -> bool:
        """Appeal guardrails with this payer's CARC overrides."""
        return appealable(group, carc, rarcs, self.carc_category)

    def recoverability_of(self, category: DenialCategory) -> Decimal:
        """Recovery weight (0..1) of a category for this payer."""
        return self.recoverability.get(category, RECOVERABILITY[category])

    def matches_name(self, payer_name: str) -> bool:
        """Case- and spacing-insensitive glob match of the payer name."""
        name = " ".join(payer_name.split()).casefold()
        return bool(name) and any(fnmatch.fnmatchcase(name, p) for p in self.name_patterns)


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: usable as a cache key
class Rulebook:
    """Every payer's rules, loaded and checked; for_payer() picks the right one."""

    directory: Path
    default: PayerRules
    payers: tuple[PayerRules, ...]
    by_id: Mapping[str, PayerRules]

    def for_payer(self, payer_id: str, payer_name: str = "") -> PayerRules:
        """Rules by payer id first, then by name pattern (file order), else the defaults."""
        found = self.by_id.get(payer_id.strip().casefold())
        if found is not None:
            return found
        return next((p for p in self.payers if p.matches_name(payer_name)), self.default)


__all__ = [
    "AppealMethod",
    "AppealRoute",
    "Contract",
    "ContractMethod",
    "FeeEntry",
    "FeeSchedule",
    "PayerRules",
    "Problem",
    "RuleError",
    "Rulebook",
    "SecondaryRules",
    "Tolerance",
    "add_months",
    "cents",
]
