"""Segment output and ISA/GS/ST envelopes: counts and control numbers kept as we stream.

Writers never hold a whole file: segments go straight to the text stream, and the
trailers (SE01, GE01, IEA01) are counted on the way.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from parsers.records import Adjustment, Procedure

ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
SEGMENT = "~"
_DELIMITERS = frozenset(ELEMENT + COMPONENT + REPETITION + SEGMENT)
_RESERVED = frozenset(ELEMENT + REPETITION + SEGMENT)  # in a composite, ':' separates parts
CAS_TRIPLETS = 6  # CAS02..CAS19: six reason/amount/quantity triplets per segment


class X12WriteError(ValueError):
    """A value cannot be written as X12; names the segment, the element and the claim."""


def money(value: Decimal) -> str:
    """An R element: no exponent, trailing zeros after the point suppressed (TR3 A.1.3.1.2)."""
    text = str(value)
    if "E" in text or "e" in text:
        text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number(value: Decimal | None) -> str:
    """An optional R element ('' when absent)."""
    return "" if value is None else money(value)


def d8(value: dt.date | None) -> str:
    """A CCYYMMDD date element ('' when absent)."""
    return "" if value is None else _d8(value)


@functools.lru_cache(maxsize=8192)
def _d8(value: dt.date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def ascii_text(value: str) -> str:
    """Fold accents to ASCII (pyx12 and many payers refuse anything else)."""
    if value.isascii():
        return value
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return folded


def procedure(proc: Procedure | None) -> str:
    """A composite procedure: qualifier:code:mod1..mod4:description."""
    if proc is None:
        return ""
    mods = list(proc.modifiers[:4])
    parts = [proc.qualifier, proc.code, *mods]
    if proc.description:
        parts += [""] * (4 - len(mods)) + [proc.description]
    return composite(*parts)


class Composite(str):
    """A composite element value: the component separator inside it is intended."""

    __slots__ = ()


def composite(*parts: str) -> Composite:
    """Join components, dropping trailing empty ones; a component must not hold ':'."""
    items = list(parts)
    while items and not items[-1]:
        items.pop()
    for part in items:
        if COMPONENT in part:
            raise X12WriteError(f"component {part!r} contains the component separator ':'")
    return Composite(COMPONENT.join(items))


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who sends to whom, when, and the first control numbers to use."""

    sender_id: str  # ISA06 / GS02
    receiver_id: str  # ISA08 / GS03
    interchange_control: int  # ISA13
    group_control: int | None = None  # GS06 (defaults to ISA13)
    first_transaction: int = 1  # ST02 of the first transaction
    sender_qualifier: str = "ZZ"  # ISA05
    receiver_qualifier: str = "ZZ"  # ISA07
    created: dt.datetime | None = None  # ISA09/ISA10, GS04/GS05 (default: now)
    usage: str = "P"  # ISA15 P production / T test
    acknowledgment_requested: str = "0"  # ISA14


@dataclass(slots=True)
class WriteSummary:
    """What a writer produced: enough for a caller to log and to check."""

    interchange_control: str = ""
    group_controls: list[str] = field(default_factory=list)
    transaction_controls: list[str] = field(default_factory=list)
    claims: int = 0
    segments: int = 0  # every segment in the file, ISA..IEA


class SegmentWriter:
    """Writes segments to a text stream; counts them for SE01."""

    def __init__(self, stream: TextIO, *, newline: bool = True) -> None:
        self._stream = stream
        self._write = stream.write
        self._end = SEGMENT + ("\n" if newline else "")
        self.total = 0
        self.in_transaction = 0
        self.context = ""  # claim being written, for error messages

    def seg(self, sid: str, *elements: str) -> None:
        """One segment; trailing empty elements are dropped."""
        n = len(elements)
        while n and not elements[n - 1]:
            n -= 1
        items = list(elements[:n])
        line = ELEMENT.join(items)
        if not line.isascii():
            items = [ascii_text(v) for v in items]
            line = ELEMENT.join(items)
        if line.count(ELEMENT) != n - 1 or SEGMENT in line or REPETITION in line:
            self._reject(sid, items)
        if COMPONENT in line:
            for value in items:
                if COMPONENT in value and type(value) is not Composite:
                    self._reject(sid, items)
        self._write(f"{sid}{ELEMENT}{line}{self._end}" if n else sid + self._end)
        self.total += 1
        self.in_transaction += 1

    def _reject(self, sid: str, items: list[str]) -> None:
        for n, value in enumerate(items, start=1):
            reserved = _RESERVED if isinstance(value, Composite) else _DELIMITERS
            if reserved.intersection(value):
                where = f" (claim {self.context})" if self.context else ""
                raise X12WriteError(
                    f"{sid}{n:02d}{where}: {value!r} contains an X12 delimiter "
                    f"({ELEMENT} {COMPONENT} {REPETITION} {SEGMENT} are reserved)"
                )

    def raw(self, text: str) -> None:
        """A pre-built segment (the fixed-width ISA)."""
        self._stream.write(text + self._end)
        self.total += 1

    def cas(self, adjustments: tuple[Adjustment, ...]) -> None:
        """CAS segments: one per group code, six triplets each, in first-seen group order."""
        for group, items in _by_group(adjustments):
            for start in range(0, len(items), CAS_TRIPLETS):
                elements: list[str] = [group]
                for adj in items[start : start + CAS_TRIPLETS]:
                    elements += [adj.reason, money(adj.amount), number(adj.quantity)]
                self.seg("CAS", *elements)


def _by_group(adjustments: tuple[Adjustment, ...]) -> list[tuple[str, list[Adjustment]]]:
    groups: dict[str, list[Adjustment]] = {}
    for adj in adjustments:
        groups.setdefault(adj.group, []).append(adj)
    return list(groups.items())


class InterchangeWriter:
    """ISA..IEA with functional groups and transactions, control numbers in sequence."""

    def __init__(self, out: SegmentWriter, envelope: Envelope) -> None:
        self.out = out
        self.env = envelope
        self.created = envelope.created or dt.datetime.now().replace(microsecond=0)
        self.summary = WriteSummary(interchange_control=f"{envelope.interchange_control:09d}")
        self._next_group = (
            envelope.group_control
            if envelope.group_control is not None
            else envelope.interchange_control
        )
        self._next_st = envelope.first_transaction
        self._groups = 0
        self._sets_in_group = 0
        self._group_open = ""
        self._st_open = ""

    def open(self) -> None:
        """Write the fixed-width ISA (106 characters with its terminator)."""
        env = self.env
        if not 0 <= env.interchange_control <= 999_999_999:
            raise X12WriteError(f"ISA13 {env.interchange_control} does not fit in 9 digits")
        isa = ELEMENT.join(
            [
                "ISA",
                "00",
                " " * 10,
                "00",
                " " * 10,
                _fixed(env.sender_qualifier, 2, "ISA05"),
                _fixed(env.sender_id, 15, "ISA06"),
                _fixed(env.receiver_qualifier, 2, "ISA07"),
                _fixed(env.receiver_id, 15, "ISA08"),
                self.created.strftime("%y%m%d"),
                self.created.strftime("%H%M"),
                REPETITION,
                "00501",
                self.summary.interchange_control,
                env.acknowledgment_requested,
                env.usage,
                COMPONENT,
            ]
        )
        self.out.raw(isa)

    def open_group(self, functional_id: str, version: str) -> None:
        """GS: HC for 837, HP for 835; GS08 names the implementation guide."""
        control = str(self._next_group)
        self._next_group += 1
        self._groups += 1
        self._sets_in_group = 0
        self._group_open = control
        self.summary.group_controls.append(control)
        self.out.seg(
            "GS",
            functional_id,
            self.env.sender_id,
            self.env.receiver_id,
            self.created.strftime("%Y%m%d"),
            self.created.strftime("%H%M"),
            control,
            "X",
            version,
        )

    def close_group(self) -> None:
        """GE01 number of transaction sets, GE02 = GS06."""
        if self._st_open:
            self.end_transaction()
        self.out.seg("GE", str(self._sets_in_group), self._group_open)
        self._group_open = ""

    def begin_transaction(self, set_id: str, implementation: str = "") -> str:
        """ST: a new transaction in the open group; returns ST02."""
        control = f"{self._next_st:04d}"
        self._next_st += 1
        self._sets_in_group += 1
        self._st_open = control
        self.summary.transaction_controls.append(control)
        self.out.in_transaction = 0
        self.out.seg("ST", set_id, control, implementation)
        return control

    def end_transaction(self) -> None:
        """SE01 counts ST..SE inclusive; SE02 = ST02."""
        self.out.seg("SE", str(self.out.in_transaction + 1), self._st_open)
        self._st_open = ""

    def close(self) -> None:
        """IEA01 number of functional groups, IEA02 = ISA13."""
        if self._st_open:
            self.end_transaction()
        if self._group_open:
            self.close_group()
        self.out.seg("IEA", str(self._groups), self.summary.interchange_control)
        self.summary.segments = self.out.total

    @property
    def group_is_open(self) -> bool:
        """True between GS and GE."""
        return bool(self._group_open)

    @property
    def transaction_is_open(self) -> bool:
        """True between ST and SE."""
        return bool(self._st_open)


def _fixed(value: str, width: int, element: str) -> str:
    text = ascii_text(value)
    if len(text) > width:
        raise X12WriteError(f"{element} {value!r} is longer than {width} characters")
    if _DELIMITERS.intersection(text):
        raise X12WriteError(f"{element} {value!r} contains an X12 delimiter")
    return text.ljust(width)


def write_atomic(path: str | Path, write: Callable[[TextIO], WriteSummary]) -> WriteSummary:
    """Write a file through a temporary name so a failure never leaves half a file."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.part")
    try:
        with open(tmp, "w", encoding="ascii", newline="\n") as stream:
            summary = write(stream)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return summary
