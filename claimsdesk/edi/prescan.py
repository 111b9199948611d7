"""Byte-level checks pyx12 cannot make itself: empty segments, non-ASCII bytes, a loose ISA.

pyx12 stops reading at an empty segment (`~~`) without a word and raises on a non-ASCII
byte, so these are found here first, in one streaming pass, and a cleaned copy is written
for pyx12 to read (an ISA that is not fixed-width is re-padded there: pyx12 reads exactly
106 characters). Segment numbers count like parsers.x12.tokenizer (empty ones skipped).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from parsers import sniff
from parsers.x12.tokenizer import X12ReadError, parse_isa

CHUNK = 1 << 20
MAX_REPORTED = 10
_ISA_LENGTH = 106
_LEADING = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"


@dataclass(slots=True)
class Prescan:
    """What the byte scan found, and how to clean the file for pyx12."""

    kind: str = "unknown"
    is_x12: bool = False
    terminator: bytes = b"~"
    leading: int = 0  # bytes before the ISA
    empty_segments: int = 0
    non_ascii: int = 0
    problems: list[tuple[int | None, str, str]] = field(default_factory=list)
    fixed_isa: bytes = b""  # the ISA re-padded to 106 characters, when it was not
    version: str = ""  # ISA12 00501 / 00401

    @property
    def cleaned(self) -> bool:
        """pyx12 must read a cleaned copy rather than the file itself."""
        return bool(self.leading or self.empty_segments or self.non_ascii or self.fixed_isa)

    def write_cleaned(self, source: str | Path, target: Path) -> None:
        """Copy without leading junk or empty segments, non-ASCII bytes as '?'."""
        term = self.terminator
        with open(target, "wb") as out:
            for piece, index in _pieces(source, term, self.leading):
                if index == 1 and self.fixed_isa:
                    piece = self.fixed_isa  # noqa: PLW2901
                if index > 0:
                    out.write(_ascii(piece.lstrip(b" \t\r\n")) + term + b"\n")


def _ascii(data: bytes) -> bytes:
    return data if data.isascii() else bytes(b if b < 0x80 else 0x3F for b in data)


def _pieces(source: str | Path, term: bytes, skip: int) -> Iterator[tuple[bytes, int]]:
    """(raw segment bytes, segment number) for every terminator-ended piece; number 0 = empty."""
    index = 0
    carry = b""
    with open(source, "rb") as raw:
        raw.read(skip)
        while chunk := raw.read(CHUNK):
            parts = (carry + chunk).split(term)
            carry = parts.pop()
            for part in parts:
                if part.strip(b"\r\n"):
                    index += 1
                    yield part, index
                else:
                    yield part, 0
    if carry.strip(b" \t\r\n\x00\x1a"):
        yield carry, -1  # text after the last terminator: not a segment


def prescan(path: str | Path) -> Prescan:
    """Scan the file once; problems come as (segment number, segment id, plain words)."""
    scan = Prescan()
    with open(path, "rb") as raw:
        head = raw.read(4096)
    stripped = head.lstrip(_LEADING)
    scan.leading = len(head) - len(stripped)
    if not head:
        scan.problems.append((None, "", "the file is empty"))
        return scan
    if b"\x00" in head[scan.leading :]:
        scan.problems.append((None, "", "the file holds NUL bytes: binary data or UTF-16 text"))
        return scan
    if not stripped.startswith(b"ISA") or len(stripped) < _ISA_LENGTH:
        scan.problems.append((None, "", "the file does not start with an ISA interchange header"))
        return scan
    try:
        isa = parse_isa(stripped.decode("ascii", "replace"))
    except X12ReadError as exc:
        scan.problems.append((1, "ISA", exc.message))
        return scan
    scan.is_x12 = True
    scan.kind = sniff(path).value
    scan.terminator = isa.delimiters.segment.encode("ascii", "replace")
    elements = stripped[: isa.length].split(stripped[3:4])
    scan.version = elements[12].decode("ascii", "replace").strip() if len(elements) > 12 else ""
    if not isa.fixed_width:
        scan.fixed_isa = _padded_isa(stripped[: isa.length - 1], stripped[3:4])
        scan.problems.append(
            (
                1,
                "ISA",
                "the ISA is not the fixed 106 characters X12 requires "
                "(an element is padded wrongly); pyx12 cannot read it",
            )
        )
    if scan.leading:
        scan.problems.append(
            (None, "", f"{scan.leading} byte(s) before the ISA (byte-order mark or blank space)")
        )
    _scan_segments(path, scan, stripped[3:4])
    return scan


_ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)  # ISA01..ISA16


def _padded_isa(isa: bytes, element: bytes) -> bytes:
    """The ISA with every element padded or cut to its fixed width (for pyx12's copy)."""
    parts = isa.split(element)
    fixed = [b"ISA"]
    for value, width in zip(parts[1:17], _ISA_WIDTHS, strict=False):
        text = value.strip() if width > 1 else value[:1]
        fixed.append(text.zfill(width) if width == 9 else text[:width].ljust(width))
    return element.join(fixed)


def _scan_segments(path: str | Path, scan: Prescan, element: bytes) -> None:
    last_index, last_id = 0, ""
    for piece, index in _pieces(path, scan.terminator, scan.leading):
        if index == -1:
            scan.problems.append(
                (last_index, last_id, "text after the last segment terminator (pyx12 ignores it)")
            )
            continue
        if index == 0:
            scan.empty_segments += 1
            scan.problems.append(
                (
                    last_index,
                    last_id,
                    "an empty segment follows this one (two terminators in a "
                    "row): pyx12 stops reading there without saying so",
                )
            )
            continue
        last_index = index
        last_id = piece.lstrip(b" \t\r\n").split(element, 1)[0].decode("ascii", "replace")
        if not piece.isascii():
            _non_ascii(scan, piece, index, last_id)


def _non_ascii(scan: Prescan, piece: bytes, index: int, sid: str) -> None:
    bad = [b for b in piece if b >= 0x80]
    before = scan.non_ascii
    scan.non_ascii += len(bad)
    if before < MAX_REPORTED:
        shown = " ".join(f"0x{b:02X}" for b in bad[:4])
        scan.problems.append(
            (
                index,
                sid,
                f"non-ASCII byte(s) {shown}: X12 allows ASCII only and pyx12 cannot read them",
            )
        )
