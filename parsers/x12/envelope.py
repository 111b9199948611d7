"""ISA/GS/ST envelopes: control numbers, counts and dispatch to a transaction reader.

Envelope faults are errors (the file is refused); everything inside a transaction is the
transaction reader's business. Readers get only the segments between ST and SE.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from parsers.records import (
    ClaimPayment,
    FunctionalGroup,
    Interchange,
    Issue,
    Record,
    Severity,
    SubmittedClaim,
    TransactionEnd,
    TransactionSet,
)
from parsers.x12.tokenizer import Tokenizer

Segments = Iterator[tuple[int, list[str]]]
TransactionReader = Callable[[TransactionSet, Segments], Iterator[Record]]
ReaderLookup = Callable[[TransactionSet], TransactionReader | None]

_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")
_MAX_STRAYS = 5
_VALID_IDS: set[str] = set()  # ids already seen to be well-formed: a set lookup, not a regex


def _valid_id(sid: str) -> bool:
    """Whether sid is a well-formed segment id; remembers the good ones."""
    if _SEGMENT_ID.match(sid):
        if len(_VALID_IDS) < 1000:
            _VALID_IDS.add(sid)
        return True
    return False


_HANDLERS = {"ISA": "_on_isa", "IEA": "_on_iea", "GS": "_on_gs", "GE": "_on_ge"}


def el(seg: list[str], n: int) -> str:
    """Element n of a segment (1-based), '' when absent."""
    return seg[n] if n < len(seg) else ""


def _error(code: str, message: str, index: int | None, seg_id: str | None = None) -> Issue:
    return Issue(Severity.ERROR, code, message, index, seg_id)


class _Body:
    """The segments of one transaction, stopping at its SE; remembers the SE it saw."""

    def __init__(self, segments: Segments) -> None:
        self._segments = segments
        self.se: tuple[int, list[str]] | None = None
        self.count = 1  # the ST itself
        self.issues: list[Issue] = []
        self.ended_early: tuple[int, list[str]] | None = None
        self._iter = self._walk()

    def __iter__(self) -> Segments:
        return self._iter

    def _walk(self) -> Segments:
        count, valid = self.count, _VALID_IDS  # never holds SE, ST or another envelope id
        for item in self._segments:
            count += 1
            if item[1][0] in valid:
                yield item
                continue
            index, seg = item
            sid = seg[0]
            if sid == "SE":
                self.count, self.se = count, (index, seg)
                return
            if sid in ("ST", "GE", "IEA", "ISA", "GS"):
                self.count, self.ended_early = count - 1, (index, seg)
                return
            if not _valid_id(sid):
                self.issues.append(
                    _error("syntax.segment-id", f"{sid!r} is not a valid segment id", index, sid)
                )
                continue
            yield index, seg
        self.count = count

    def drain(self) -> None:
        """Skip what a reader left unread, up to the SE."""
        for _ in self._iter:
            pass


class EnvelopeReader:
    """Walks interchanges, groups and transactions and checks their trailers."""

    def __init__(self, source: str | Path | BinaryIO, lookup: ReaderLookup) -> None:
        self._tokenizer = Tokenizer(source)
        self._lookup = lookup
        self._isa: Interchange | None = None
        self._gs: FunctionalGroup | None = None
        self._isa_index = self._gs_index = 0
        self._groups = self._sets = self._strays = 0

    def __iter__(self) -> Iterator[Record]:
        segments = iter(self._tokenizer)
        pending: tuple[int, list[str]] | None = None
        while True:
            nxt = pending if pending is not None else next(segments, None)
            pending = None
            if nxt is None:
                break
            index, seg = nxt
            sid = seg[0]
            if sid == "ST":
                body = _Body(segments)
                yield from self._on_st(index, seg, body)
                pending = body.ended_early
                yield from self._tokenizer.take_issues()
            elif sid in _HANDLERS:
                yield from getattr(self, _HANDLERS[sid])(index, seg)
            else:
                self._strays += 1
                if self._strays <= _MAX_STRAYS:
                    yield self._stray(index, sid, self._isa is not None)
        yield from self._tokenizer.take_issues()
        if self._strays > _MAX_STRAYS:
            more = self._strays - _MAX_STRAYS
            yield _error("envelope.stray", f"{more} more stray segments", None)
        yield from _unclosed(self._isa, self._gs, self._isa_index, self._gs_index)

    def _on_isa(self, index: int, seg: list[str]) -> Iterator[Issue]:
        if self._isa is not None:
            yield _error("envelope.iea-missing", "a new ISA starts before IEA", index, "ISA")
        self._isa, self._isa_index, self._groups = self._interchange(seg), index, 0
        yield from self._isa_width_issue(self._isa, index)

    def _on_iea(self, index: int, seg: list[str]) -> Iterator[Issue]:
        if self._isa is None:
            yield _error("envelope.isa-missing", "IEA without an ISA", index, "IEA")
            return
        if self._gs is not None:
            yield _error("envelope.ge-missing", "IEA before the GE of its group", index, "IEA")
            self._gs = None
        yield from _check_trailer(seg, self._groups, self._isa.control_number, index, "IEA", "GS")
        self._isa = None

    def _on_gs(self, index: int, seg: list[str]) -> Iterator[Issue]:
        if self._isa is None:
            yield _error("envelope.isa-missing", "GS outside an interchange", index, "GS")
            self._isa = self._interchange(["ISA"])
        self._gs, self._gs_index, self._sets = _group(seg), index, 0
        self._groups += 1

    def _on_ge(self, index: int, seg: list[str]) -> Iterator[Issue]:
        if self._gs is None:
            yield _error("envelope.gs-missing", "GE without a GS", index, "GE")
            return
        yield from _check_trailer(seg, self._sets, self._gs.control_number, index, "GE", "ST")
        self._gs = None

    def _on_st(self, index: int, seg: list[str], body: _Body) -> Iterator[Record]:
        if self._gs is None or self._isa is None:
            yield _error("envelope.gs-missing", "ST outside a functional group", index, "ST")
            self._gs = self._gs or FunctionalGroup("", "", "", "", "", "")
            self._isa = self._isa or self._interchange(["ISA"])
        self._sets += 1
        yield from self._transaction(self._isa, self._gs, index, seg, body)

    def _stray(self, index: int, sid: str, in_interchange: bool) -> Issue:
        if not _SEGMENT_ID.match(sid):
            delims = self._tokenizer.delimiters
            term = repr(delims.segment) if delims else "?"
            return _error(
                "syntax.segment-id",
                f"{sid!r} is not a valid segment id: the segment terminator the ISA declares "
                f"({term}) does not match how this file separates segments",
                index,
                sid,
            )
        where = "a transaction (ST..SE)" if in_interchange else "an interchange (ISA..IEA)"
        return _error("envelope.stray", f"segment {sid} stands outside {where}", index, sid)

    def _transaction(
        self,
        isa: Interchange,
        gs: FunctionalGroup,
        index: int,
        seg: list[str],
        body: _Body,
    ) -> Iterator[Record]:
        ts = TransactionSet(isa, gs, el(seg, 1), el(seg, 2), el(seg, 3) or gs.version, index)
        reader = self._lookup(ts)
        claims = 0
        if reader is None:
            yield _error(
                "envelope.unsupported",
                f"transaction set {ts.set_id} ({ts.implementation}) is not one claimsdesk reads",
                index,
                "ST",
            )
        else:
            for record in reader(ts, iter(body)):
                if isinstance(record, ClaimPayment | SubmittedClaim):
                    claims += 1
                yield record
        body.drain()
        issues = list(body.issues)
        if body.se is None:
            where = body.ended_early[0] if body.ended_early else None
            issues.append(
                _error(
                    "envelope.se-missing",
                    f"transaction {ts.set_id} control {ts.control_number} has no SE: "
                    "the file is cut short or segments are missing",
                    where if where is not None else index,
                    "SE",
                )
            )
            count = body.count
        else:
            se_index, se = body.se
            count = body.count
            issues.extend(_check_se(se, count, ts.control_number, se_index))
        yield from issues  # bare, like every issue not tied to a claim; not repeated below
        yield TransactionEnd(ts, count, claims)

    def _interchange(self, seg: list[str]) -> Interchange:
        delimiters = self._tokenizer.delimiters
        assert delimiters is not None  # the tokenizer read an ISA before yielding it
        return Interchange(
            sender_qualifier=el(seg, 5).strip(),
            sender_id=el(seg, 6).strip(),
            receiver_qualifier=el(seg, 7).strip(),
            receiver_id=el(seg, 8).strip(),
            date=el(seg, 9),
            time=el(seg, 10),
            version=el(seg, 12),
            control_number=el(seg, 13),
            usage=el(seg, 15),
            delimiters=delimiters,
        )

    def _isa_width_issue(self, isa: Interchange, index: int) -> Iterator[Issue]:
        fixed = self._tokenizer.isa_fixed_width[-1] if self._tokenizer.isa_fixed_width else True
        if fixed:
            return
        severity = Severity.WARNING if isa.version < "00501" else Severity.ERROR
        yield Issue(
            severity,
            "envelope.isa-width",
            "the ISA segment is not the fixed 106 characters X12 requires "
            "(an element is padded wrongly)",
            index,
            "ISA",
        )


def _group(seg: list[str]) -> FunctionalGroup:
    return FunctionalGroup(el(seg, 1), el(seg, 2), el(seg, 3), el(seg, 4), el(seg, 6), el(seg, 8))


def _count_issue(declared: str, counted: int, index: int, sid: str, what: str) -> Issue | None:
    """Fewer found than declared means lost data (error); more found is only a warning."""
    value = declared.strip()
    if value == str(counted):
        return None
    if value.isdigit() and int(value) < counted:
        return Issue(
            Severity.WARNING,
            f"envelope.{sid.lower()}-count",
            f"{sid}01 says {value} {what} but {counted} were found; all of them were read",
            index,
            sid,
        )
    return _error(
        f"envelope.{sid.lower()}-count",
        f"{sid}01 says {value or 'nothing'} {what} but only {counted} were found: "
        "part of the file is missing",
        index,
        sid,
    )


def _check_trailer(
    seg: list[str], counted: int, control: str, index: int, sid: str, child: str
) -> Iterator[Issue]:
    issue = _count_issue(el(seg, 1), counted, index, sid, f"{child} segments")
    if issue is not None:
        yield issue
    if el(seg, 2).strip() != control.strip():
        yield _error(
            f"envelope.{sid.lower()}-control",
            f"{sid}02 control number {el(seg, 2)!r} does not match {control!r} in its header",
            index,
            sid,
        )


def _check_se(se: list[str], counted: int, control: str, index: int) -> list[Issue]:
    issues: list[Issue] = []
    count_issue = _count_issue(el(se, 1), counted, index, "SE", "segments")
    if count_issue is not None:
        issues.append(count_issue)
    if el(se, 2).strip() != control.strip():
        issues.append(
            _error(
                "envelope.se-control",
                f"SE02 control number {el(se, 2)!r} does not match ST02 {control!r}",
                index,
                "SE",
            )
        )
    return issues


def _unclosed(
    isa: Interchange | None, gs: FunctionalGroup | None, isa_index: int, gs_index: int
) -> Iterator[Issue]:
    if gs is not None:
        yield _error("envelope.ge-missing", "the file ends before GE closes the group", gs_index)
    if isa is not None:
        yield _error("envelope.iea-missing", "the file ends before IEA closes the ISA", isa_index)
