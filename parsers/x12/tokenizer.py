"""Streaming X12 tokenizer: delimiters from the ISA, flat memory whatever the file size.

pyx12 validates about 4,000 segments/s; nightly ingestion needs two orders of magnitude
more, so we split segments ourselves and keep pyx12 for on-demand validation.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import BinaryIO

from parsers.records import Delimiters, Issue, Severity

CHUNK_CHARS = 1 << 16
MAX_CHARSET_WARNINGS = 5
_WHITESPACE = " \t\r\n\x00"
_ISA_ELEMENTS = 17  # ISA plus ISA01..ISA16


class X12ReadError(Exception):
    """The file cannot be read as X12 at all (no ISA, no delimiters, not text)."""

    def __init__(self, message: str, segment_index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.segment_index = segment_index


@dataclass(frozen=True, slots=True)
class IsaInfo:
    """Delimiters and the fixed-width check of one ISA segment."""

    delimiters: Delimiters
    fixed_width: bool
    length: int  # characters from 'ISA' up to and including the terminator


def _sniff_encoding(head: bytes) -> tuple[str, int]:
    """Encoding and BOM length: UTF-8 BOM, UTF-16 (BOM or NUL pattern), else UTF-8."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le", 0
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] != 0:
        return "utf-16-be", 0
    return "utf-8", 0


def open_text(source: str | Path | BinaryIO) -> io.TextIOBase:
    """Open a file as text, honouring BOMs and UTF-16; undecodable bytes become U+FFFD."""
    raw: BinaryIO = open(source, "rb") if isinstance(source, str | Path) else source  # noqa: SIM115
    head = raw.peek(4)[:4] if hasattr(raw, "peek") else b""
    if not head:
        head = raw.read(4)
        raw.seek(0)
    encoding, bom = _sniff_encoding(head)
    if bom:
        raw.read(bom)
    return io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")


def parse_isa(text: str) -> IsaInfo:
    """Read the delimiters from an ISA at the start of text (fixed width or not)."""
    if not text.startswith("ISA") or len(text) < 4:
        raise X12ReadError("the file does not start with an ISA interchange header", 1)
    element = text[3]
    if element.isalnum() or element in _WHITESPACE:
        raise X12ReadError(f"ISA element separator {element!r} is not a usable delimiter", 1)
    if len(text) >= 106 and text.count(element, 0, 106) == 16 and text[103] == element:
        component, terminator, length = text[104], text[105], 106
        fixed = True
    else:
        pos = 0
        for _ in range(16):
            pos = text.find(element, pos + 1)
            if pos < 0:
                raise X12ReadError("the ISA segment is cut short: fewer than 16 elements", 1)
        if pos + 2 >= len(text):
            raise X12ReadError("the ISA segment has no segment terminator after ISA16", 1)
        component, terminator, length = text[pos + 1], text[pos + 2], pos + 3
        fixed = False
    if terminator in (element, component) or component == element:
        raise X12ReadError(
            f"ISA delimiters collide (element {element!r}, component {component!r}, "
            f"segment {terminator!r})",
            1,
        )
    if terminator.isalnum() or terminator == " ":
        raise X12ReadError(f"ISA segment terminator {terminator!r} is not a usable delimiter", 1)
    elements = text[:length].split(element)
    repetition = elements[11] if len(elements) > 11 else ""
    if len(repetition) != 1 or repetition.isalnum() or repetition in (element, component):
        repetition = ""  # 4010: ISA11 is the standards id 'U'
    return IsaInfo(Delimiters(element, component, repetition or None, terminator), fixed, length)


class Tokenizer:
    """Yields (segment_index, elements) for every segment; elements[0] is the segment id."""

    def __init__(self, source: str | Path | BinaryIO) -> None:
        self._source = source
        self.delimiters: Delimiters | None = None
        self.isa_fixed_width: list[bool] = []
        self.issues: list[Issue] = []  # warnings the envelope reader passes on
        self._charset_warnings = 0
        self._terminator_warned = False

    def take_issues(self) -> list[Issue]:
        """Warnings found since the last call (empty segments, characters outside ASCII)."""
        out, self.issues = self.issues, []
        return out

    def _empty_segment(self, after: int) -> None:
        self.issues.append(
            Issue(
                Severity.WARNING,
                "syntax.empty-segment",
                f"an empty segment (two terminators in a row) follows segment {after}; skipped",
                after,
            )
        )

    def _check_hidden_segments(self, index: int, seg: str, element: str, terminator: str) -> None:
        """A newline followed by a segment id inside one segment means the wrong terminator."""
        if self._terminator_warned or not re.search(
            r"\n[A-Z][A-Z0-9]{1,2}" + re.escape(element), seg
        ):
            return
        self._terminator_warned = True
        self.issues.append(
            Issue(
                Severity.ERROR,
                "syntax.terminator",
                f"segment {index} runs on across lines that look like segments of their own: "
                f"the ISA declares {terminator!r} as the segment terminator but this file "
                "separates segments with newlines",
                index,
                seg[:3],
            )
        )

    def _charset(self, index: int, seg: str) -> None:
        self._charset_warnings += 1
        if self._charset_warnings > MAX_CHARSET_WARNINGS:
            return
        if "\ufffd" in seg:
            what = "bytes that are not valid UTF-8 (shown as \ufffd)"
        else:
            odd = sorted({c for c in seg if not c.isascii()})
            what = "characters outside the X12 character set: " + " ".join(odd[:5])
        self.issues.append(
            Issue(Severity.WARNING, "syntax.charset", f"segment holds {what}", index, seg[:3])
        )

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        stream = open_text(self._source)
        try:
            yield from self._segments(stream)
        except UnicodeError as exc:  # pragma: no cover - errors="replace" makes this rare
            raise X12ReadError(f"the file is not text: {exc}") from exc
        finally:
            if isinstance(self._source, str | Path):
                stream.close()

    def _read_header(self, stream: io.TextIOBase) -> str:
        """First chunk, with leading whitespace before the ISA dropped."""
        buf = stream.read(CHUNK_CHARS)
        while buf and buf[0] in _WHITESPACE:
            buf = buf.lstrip(_WHITESPACE)
            if not buf:
                buf = stream.read(CHUNK_CHARS)
        if not buf:
            raise X12ReadError("the file is empty")
        while len(buf) < 200:
            more = stream.read(CHUNK_CHARS)
            if not more:
                break
            buf += more
        return buf

    def _segments(self, stream: io.TextIOBase) -> Iterator[tuple[int, list[str]]]:
        buf = self._read_header(stream)
        index = 0
        while True:
            info = parse_isa(buf)
            self.delimiters = info.delimiters
            self.isa_fixed_width.append(info.fixed_width)
            element, terminator = info.delimiters.element, info.delimiters.segment
            restart: str | None = None
            while restart is None:
                pieces = buf.split(terminator)
                more = stream.read(CHUNK_CHARS)
                tail = pieces.pop() if more else ""
                ascii_chunk = buf.isascii()
                plain = _plain_segments(pieces) if ascii_chunk else None
                if plain is not None:  # nothing to warn about or restart at: split in C
                    first, index = index + 1, index + len(plain)
                    yield from zip(
                        range(first, index + 1), map(str.split, plain, repeat(element)), strict=True
                    )
                else:
                    chunk = self._chunk(pieces, index, bool(more), ascii_chunk, element, terminator)
                    index, restart = yield from chunk
                    if restart is not None:
                        restart += terminator + tail if more else ""
                        break
                if not more:
                    return
                buf = tail + more
            buf = restart.lstrip(_WHITESPACE)
            while len(buf) < 200:
                more = stream.read(CHUNK_CHARS)
                if not more:
                    break
                buf += more

    def _chunk(
        self,
        pieces: list[str],
        index: int,
        more: bool,
        ascii_chunk: bool,
        element: str,
        terminator: str,
    ) -> Generator[tuple[int, list[str]], None, tuple[int, str | None]]:
        """Segments of a chunk one by one, with warnings; returns the last index and the text
        from a new ISA on (None when the chunk holds none)."""
        last = len(pieces) - 1
        for n, raw in enumerate(pieces):
            seg = raw.lstrip(_WHITESPACE).rstrip("\r\n")
            if not seg:
                if not raw and index and (more or n < last):
                    self._empty_segment(index)
                continue
            if not ascii_chunk and not seg.isascii():
                self._charset(index + 1, seg)
            if "\n" in seg:
                self._check_hidden_segments(index + 1, seg, element, terminator)
            if seg.startswith("ISA") and index and seg[3:4] != element:
                return index, terminator.join(pieces[n:])
            index += 1
            yield index, seg.split(element)
        return index, None


def _plain_segments(pieces: list[str]) -> list[str] | None:
    """The stripped segments of a chunk when none is empty, multi-line or a new ISA; else None."""
    segs = list(map(str.rstrip, map(str.lstrip, pieces, repeat(_WHITESPACE)), repeat("\r\n")))
    joined = "\x1e".join(segs)  # a segment starting with ISA follows \x1e or starts the text
    if "" in segs or "\n" in joined or "\x1eISA" in joined or joined.startswith("ISA"):
        return None
    return segs


def tokenize(source: str | Path | BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """Shorthand for iterating a Tokenizer."""
    return iter(Tokenizer(source))
