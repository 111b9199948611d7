"""File readers for claimsdesk: X12 835/837 and FHIR ExplanationOfBenefit.

Imports nothing of claimsdesk and touches no database: a file in, typed records out.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from parsers.records import Format, Issue, Record, Severity, TransactionSet
from parsers.x12.envelope import EnvelopeReader, TransactionReader
from parsers.x12.tokenizer import X12ReadError, open_text

SNIFF_BYTES = 8192

_837_KINDS = {
    "X222": Format.X12_837P,
    "X098": Format.X12_837P,
    "X223": Format.X12_837I,
    "X096": Format.X12_837I,
}


class ReadError(Exception):
    """The file cannot be read at all; names the file, the place and the cause."""

    def __init__(self, path: str | Path, message: str, segment_index: int | None = None) -> None:
        where = f", segment {segment_index}" if segment_index else ""
        super().__init__(f"{path}{where}: {message}")
        self.path = str(path)
        self.message = message
        self.segment_index = segment_index


def kind_of_837(implementation: str) -> Format:
    """837P or 837I from GS08/ST03 (005010X222A1, 005010X223A2, 004010X096A1 ...)."""
    for marker, fmt in _837_KINDS.items():
        if marker in implementation:
            return fmt
    return Format.X12_837P


def sniff(path: str | Path) -> Format:
    """What the file holds, from its content, never its name."""
    with open(path, "rb") as raw:
        head_bytes = raw.read(SNIFF_BYTES)
    if not head_bytes:
        return Format.UNKNOWN
    with open_text(path) as text:
        head = text.read(SNIFF_BYTES).lstrip(" \t\r\n\x00" + codecs.BOM_UTF8.decode())
    if head.startswith(("{", "[")):
        return Format.FHIR_EOB  # the FHIR reader refuses JSON that is not FHIR, with reasons
    if not head.startswith("ISA") or len(head) < 4:
        return Format.UNKNOWN
    element = head[3]
    for raw_seg in head.replace("\r", "").replace("\n", "").split(element + "ST" + element)[1:2]:
        set_id = raw_seg[:3]
        if set_id == "835":
            return Format.X12_835
        if set_id == "837":
            gs_part = head.split(element + "GS" + element, 1)[-1]
            return kind_of_837(gs_part[:200] + raw_seg[:60])
    if "GS" + element + "HP" in head:
        return Format.X12_835
    if "GS" + element + "HC" in head:
        return kind_of_837(head)
    return Format.UNKNOWN


def _x12_reader(ts: TransactionSet) -> TransactionReader | None:
    """Pick the loop reader for an ST: 835 remittance or 837 claim."""
    if ts.set_id == "835":
        from parsers.x12.remittance_835 import read_835

        return read_835
    if ts.set_id == "837":
        from parsers.x12.claim_837 import read_837

        return read_837
    return None


def read_file(path: str | Path, fmt: Format | None = None) -> Iterator[Record]:
    """Stream the records of one file, in file order; raises ReadError if unreadable."""
    fmt = fmt or sniff(path)
    if fmt is Format.FHIR_EOB:
        from parsers.fhir_eob import read_eobs

        yield from read_eobs(path)
        return
    try:
        yield from EnvelopeReader(path, _x12_reader)
    except X12ReadError as exc:
        raise ReadError(path, exc.message, exc.segment_index) from exc
    except UnicodeError as exc:
        raise ReadError(path, f"the file is not readable text: {exc}") from exc


def load_json(path: str | Path) -> object:
    """Parse a JSON file, turning syntax errors into ReadError with line and column."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ReadError(
            path, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ReadError(path, f"the file is not UTF-8 text: {exc}") from exc


def errors_of(records: list[Record]) -> list[Issue]:
    """The error-severity issues among records (claim-attached ones included)."""
    out: list[Issue] = []
    for r in records:
        if isinstance(r, Issue):
            if r.severity is Severity.ERROR:
                out.append(r)
        else:
            out.extend(i for i in getattr(r, "issues", ()) if i.severity is Severity.ERROR)
    return out


__all__ = ["Format", "ReadError", "kind_of_837", "load_json", "read_file", "sniff"]
