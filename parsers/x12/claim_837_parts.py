"""Pieces of an 837 claim while it is being read: drafts, and the records they become.

Values repeat across claims (procedure codes, dates, charges), so conversions are cached:
the reader stays fast and identical immutable values are shared, not copied.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from parsers.records import (
    Address,
    Adjustment,
    Diagnosis,
    Issue,
    LineAdjudication,
    OtherPayer,
    Party,
    Procedure,
    ServiceLine,
    SubmittedClaim,
)
from parsers.x12.record_makers import fast_constructor
from parsers.x12.values import ValueProblem, date8, date_range, money, procedure

CACHE_LIMIT = 20_000
DATE_CACHE_LIMIT = 60_000  # 160 years of days: every birth date in a batch stays cached
MONEY: dict[str, Decimal] = {}
_DATES: dict[str, dt.date] = {}
_PROCEDURES: dict[str, Procedure | None] = {}
DIAGNOSES: dict[str, Diagnosis] = {}
DTPS: dict[str, tuple[dt.date | None, dt.date | None]] = {}
_POINTERS: dict[str, tuple[tuple[str, ...], int]] = {}
_PARTIES: dict[tuple[object, ...], Party] = {}
# Frozen records built millions of times: same signatures, without frozen __setattr__.
make_address = fast_constructor(Address)
make_adjustment = fast_constructor(Adjustment)
make_party = fast_constructor(Party)
make_line = fast_constructor(ServiceLine)
make_other_payer = fast_constructor(OtherPayer)
make_claim = fast_constructor(SubmittedClaim)
MAX_POINTER = 12  # SV107 points into the 12 diagnosis slots of HI

DATE_FORMATS = frozenset({"D8", "RD8", "DT", "TM"})  # DTP02 formats an 837 uses
PRINCIPAL = frozenset({"ABK", "BK"})  # HI principal diagnosis (ICD-10 / ICD-9)
DIAGNOSIS_CODES = frozenset({"ABK", "ABF", "BK", "BF"})  # what SV107 pointers count
HI_KEPT = frozenset(
    {
        "ABK", "ABF", "ABJ", "ABN", "APR", "BK", "BF", "BJ", "BN", "PR", "BR", "BQ",
        "BBR", "BBQ", "CAH", "DR", "BP", "BO", "ZZ", "ABU", "LOI",
    }
)  # fmt: skip
"""HI qualifiers kept as Diagnosis: diagnoses, ICD procedures, DRG, anesthesia procedures.
Condition (BG), occurrence (BH/BI), value (BE) and treatment (TC) codes are not diagnoses."""


def cached_money(text: str) -> Decimal:
    """money() with a bounded cache; raises ValueProblem."""
    value = MONEY.get(text)
    if value is None:
        value = money(text)
        if len(MONEY) > CACHE_LIMIT:
            MONEY.clear()
        MONEY[text] = value
    return value


def cached_date(text: str) -> dt.date:
    """date8() with a bounded cache; raises ValueProblem."""
    value = _DATES.get(text)
    if value is None:
        value = _date_plain(text) if len(text) == 8 and text.isdigit() else None
        if value is None:
            value = date8(text)  # the checks and messages of record
        if len(_DATES) > DATE_CACHE_LIMIT:
            _DATES.clear()
        _DATES[text] = value
    return value


def _date_plain(text: str) -> dt.date | None:
    """Eight digits as a date, parsed in C; None when not a real date (date8 then says why)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def cached_procedure(text: str, component: str) -> Procedure | None:
    """A composite procedure, shared between the lines that bill the same one."""
    key = text + component
    if key in _PROCEDURES:
        return _PROCEDURES[key]
    value = procedure(text, component)
    if len(_PROCEDURES) > CACHE_LIMIT:
        _PROCEDURES.clear()
    _PROCEDURES[key] = value
    return value


def diagnosis(text: str, component: str) -> Diagnosis | None:
    """One HI composite as a Diagnosis, or None for condition/occurrence/value codes."""
    key = text + component
    found = DIAGNOSES.get(key)
    if found is not None:
        return found
    parts = text.split(component)
    if parts[0] not in HI_KEPT:
        return None
    poa = parts[8] if len(parts) > 8 else ""  # HI0x-9 present on admission (837I)
    value = Diagnosis(parts[0], parts[1] if len(parts) > 1 else "", poa)
    if len(DIAGNOSES) > CACHE_LIMIT:
        DIAGNOSES.clear()
    DIAGNOSES[key] = value
    return value


def check_date(fmt: str, value: str) -> tuple[dt.date | None, dt.date | None]:
    """Validate DTP02/DTP03; the start and end dates they give (None for TM)."""
    key = fmt + "\x1f" + value  # not ambiguous: no format code holds \x1f
    found = DTPS.get(key)
    if found is None:
        found = _check_date(fmt, value)
        if len(DTPS) > CACHE_LIMIT:
            DTPS.clear()
        DTPS[key] = found
    return found


def pointers(text: str, component: str) -> tuple[tuple[str, ...], int]:
    """SV107 diagnosis pointers and the highest of them (-1 when one is not 1..12)."""
    key = text + component
    found = _POINTERS.get(key)
    if found is None:
        parts = tuple(p for p in text.split(component) if p)
        ok = all(p.isdigit() and 1 <= int(p) <= MAX_POINTER for p in parts)
        found = (parts, max(int(p) for p in parts) if ok and parts else -1 if not ok else 0)
        if len(_POINTERS) > CACHE_LIMIT:
            _POINTERS.clear()
        _POINTERS[key] = found
    return found


def _check_date(fmt: str, value: str) -> tuple[dt.date | None, dt.date | None]:
    if fmt == "D8":
        day = cached_date(value)
        return day, day
    if fmt == "RD8":
        start, end = date_range(value)
        if end < start:
            raise ValueProblem(f"{value!r} ends before it starts")
        return start, end
    if fmt == "DT":
        if len(value) != 12 or not value.isdigit():
            raise ValueProblem(f"{value!r} is not a CCYYMMDDHHMM date and time")
        day = cached_date(value[:8])
        return day, day
    if fmt == "TM":
        if len(value) != 4 or not value.isdigit():
            raise ValueProblem(f"{value!r} is not an HHMM time")
        return None, None
    raise ValueProblem(f"{fmt!r} is not a date format code ({', '.join(sorted(DATE_FORMATS))})")


def adjustments(seg: list[str], level: str) -> list[Adjustment]:
    """Every CAS triplet: CAS01 group, then reason/amount/quantity six times."""
    group = seg[1] if len(seg) > 1 else ""
    out = []
    for start in range(2, min(len(seg), 20), 3):
        reason = seg[start]
        if not reason:
            continue
        amount = cached_money(seg[start + 1] if start + 1 < len(seg) else "")
        qty_text = seg[start + 2] if start + 2 < len(seg) else ""
        quantity = cached_money(qty_text) if qty_text else None
        out.append(make_adjustment(group, reason, amount, quantity, level))
    return out


class PartyDraft:
    """An NM1 loop being read: NM1 then N3/N4/REF/DMG/PRV (class defaults: most are absent)."""

    n3: list[str] | None = None
    n4: list[str] | None = None
    refs: tuple[tuple[str, str], ...] = ()
    birth_date: dt.date | None = None
    gender = ""

    def __init__(self, nm1: list[str]) -> None:
        self.nm1 = nm1

    def shared(self) -> Party:
        """The Party, the same object as for an identical earlier one (payers, providers)."""
        key = (
            tuple(self.nm1), tuple(self.n3 or ()), tuple(self.n4 or ()), self.refs,
            self.birth_date, self.gender,
        )  # fmt: skip
        party = _PARTIES.get(key)
        if party is None:
            party = self.build()
            if len(_PARTIES) > CACHE_LIMIT:
                _PARTIES.clear()
            _PARTIES[key] = party
        return party

    def build(self) -> Party:
        """The frozen Party."""
        nm1 = self.nm1 + [""] * (10 - len(self.nm1)) if len(self.nm1) < 10 else self.nm1
        address = None
        if self.n3 is not None or self.n4 is not None:
            n3 = (self.n3 or []) + ["", "", ""]
            n4 = (self.n4 or []) + ["", "", "", "", ""]
            address = make_address(n3[1], n3[2], n4[1], n4[2], n4[3], n4[4])
        return make_party(
            nm1[1], nm1[3], nm1[4], nm1[5], nm1[7], nm1[8], nm1[9], nm1[2],
            address, self.refs, self.birth_date, self.gender,
        )  # fmt: skip


class LineDraft:
    """Loop 2400 being read (class defaults: a line sets only what it has)."""

    procedure: Procedure | None = None
    charge = Decimal(0)
    unit_basis = ""
    units: Decimal | None = None
    revenue = ""
    place = ""
    pointers: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    control = ""
    ndc = ""
    providers: tuple[Party, ...] = ()
    adjudications: tuple[LineAdjudication, ...] = ()

    def __init__(self, number: str, index: int) -> None:
        self.number = number
        self.index = index

    def build(self) -> ServiceLine:
        """The frozen ServiceLine (the end date only when it differs: RD8 ranges)."""
        return make_line(
            self.number, self.procedure, self.charge, self.unit_basis, self.units, self.revenue,
            self.place, self.pointers, self.start, self.end if self.end != self.start else None,
            self.control, self.ndc, self.adjudications, self.index, self.providers,
        )  # fmt: skip


class AdjudicationDraft:
    """Loop 2430 being read: SVD, CAS, DTP*573."""

    __slots__ = ("adjustments", "date", "svd")

    def __init__(self, svd: list[str]) -> None:
        self.svd = svd
        self.adjustments: list[Adjustment] = []
        self.date: dt.date | None = None


class OtherDraft:
    """Loop 2320 (with 2330A/B) being read."""

    __slots__ = ("adjustments", "amounts", "date", "mia", "moa", "oi", "payer", "sbr", "subscriber")

    def __init__(self, sbr: list[str]) -> None:
        self.sbr = sbr + [""] * (10 - len(sbr)) if len(sbr) < 10 else sbr
        self.adjustments: list[Adjustment] = []
        self.amounts: dict[str, Decimal] = {}
        self.oi: tuple[str, ...] = ()
        self.moa: tuple[str, ...] = ()
        self.mia: tuple[str, ...] = ()
        self.subscriber: Party | None = None
        self.payer: Party | None = None
        self.date: dt.date | None = None

    def build(self) -> OtherPayer:
        """The frozen OtherPayer."""
        sbr, amounts = self.sbr, self.amounts
        return make_other_payer(
            sbr[1], sbr[2], sbr[3], sbr[9], self.subscriber, self.payer, tuple(self.adjustments),
            amounts.get("D"), amounts.get("EAF"), amounts.get("A8"), self.date,
            tuple(amounts.items()), self.oi, self.moa, self.mia,
        )  # fmt: skip


class ClaimDraft:
    """Loop 2300 being read (class defaults: a claim sets only what it has)."""

    charge = Decimal(0)
    facility = ""
    qualifier = ""
    frequency = ""
    clm_codes: tuple[str, ...] = ("", "", "", "", "")  # CLM06-09, CLM20
    cl1: tuple[str, ...] = ("", "", "")  # CL101-103
    dx_count = 0  # diagnoses SV107 can point at (ABK/ABF/BK/BF)
    dates: tuple[tuple[str, str, str], ...] = ()
    refs: tuple[tuple[str, str], ...] = ()
    amounts: tuple[tuple[str, Decimal], ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    providers: tuple[Party, ...] = ()
    others: tuple[OtherPayer, ...] = ()
    issues: tuple[Issue, ...] = ()

    def __init__(self, pcn: str, index: int) -> None:
        self.pcn = pcn
        self.index = index
        self.lines: list[ServiceLine] = []

    def ordered_diagnoses(self) -> tuple[Diagnosis, ...]:
        """HI composites in file order, with the principal diagnosis moved first."""
        dx = self.diagnoses
        if not dx or dx[0].qualifier in PRINCIPAL:
            return dx
        return tuple(sorted(dx, key=lambda d: d.qualifier not in PRINCIPAL))
