"""HIPAA validation on demand with pyx12 4.0.0, reported in plain words.

pyx12 has traps, handled here before it runs: an empty segment (`~~`) silently stops its
reader, so we find those ourselves; a non-ASCII byte makes it raise UnicodeDecodeError, so
we report each one and validate a cleaned copy; it gives no 999 for a 5010 835 (that ST has
no ST03), so for an 835 we list its errors without an acknowledgment.
"""

from __future__ import annotations

import io
import json
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimsdesk.edi.prescan import Prescan, prescan

_PYX12_LOGGER = "pyx12"


@dataclass(frozen=True, slots=True)
class ValidationError:
    """One problem: where it is (segment number, segment id, element) and what is wrong."""

    problem: str
    segment_index: int | None = None  # 1-based position of the segment in the file
    segment_id: str = ""
    element: str = ""  # e.g. "CLP04" or "SV101-2"
    code: str = ""  # pyx12 / 999 error code

    def to_text(self) -> str:
        """'segment 12 (NM1, NM109): problem'."""
        where = []
        if self.segment_index is not None:
            where.append(f"segment {self.segment_index}")
        label = ", ".join(p for p in (self.segment_id, self.element) if p)
        if label:
            where.append(f"({label})")
        return f"{' '.join(where) or 'file'}: {self.problem}"


@dataclass(slots=True)
class ValidationReport:
    """What pyx12 and our pre-checks found in one file."""

    path: str
    ok: bool = False
    kind: str = ""  # 835 / 837P / 837I / unknown
    errors: list[ValidationError] = field(default_factory=list)
    ack_999: str = ""  # the 999 (or 997 for 4010) pyx12 wrote; '' when none
    notes: list[str] = field(default_factory=list)

    def to_text(self) -> str:
        """A printable report for the CLI."""
        verdict = "valid" if self.ok else "NOT valid"
        lines = [f"{self.path}: {verdict} ({self.kind or 'unknown'}), {len(self.errors)} error(s)"]
        lines += [f"  - {e.to_text()}" for e in self.errors]
        lines += [f"  note: {n}" for n in self.notes]
        if self.ack_999:
            lines += ["  acknowledgment:", *("    " + s for s in self.ack_999.splitlines() if s)]
        return "\n".join(lines)


def validate_file(path: str | Path) -> ValidationReport:
    """Validate an X12 file with pyx12 after our own pre-checks; never raises on bad input."""
    report = ValidationReport(str(path))
    try:
        scan = prescan(path)
    except OSError as exc:
        report.errors.append(ValidationError(f"the file cannot be read: {exc.strerror or exc}"))
        return report
    report.kind = scan.kind
    report.errors.extend(ValidationError(p, i, s) for i, s, p in scan.problems)
    if not scan.is_x12:
        report.notes.append("pyx12 was not run: the file is not an X12 interchange")
        return report
    with _cleaned_copy(path, scan) as target:
        _run_pyx12(report, target, scan)
        report.notes = [n.replace(target, str(path)) for n in report.notes]
    if scan.cleaned:
        report.notes.append(
            "pyx12 validated a cleaned copy (empty segments dropped, non-ASCII bytes as '?', "
            "leading junk removed, ISA re-padded); segment numbers refer to the original file"
        )
    return report


@contextmanager
def _cleaned_copy(path: str | Path, scan: Prescan) -> Iterator[str]:
    """The path pyx12 should read: the file itself, or a cleaned temporary copy."""
    if not scan.cleaned:
        yield str(path)
        return
    with tempfile.TemporaryDirectory(prefix="claimsdesk-validate-") as tmp:
        target = Path(tmp) / "cleaned.x12"
        scan.write_cleaned(path, target)
        yield str(target)


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _quiet_pyx12() -> Iterator[_LogCapture]:
    """Keep pyx12's error logging off the console; collect it for the report."""
    logger = logging.getLogger(_PYX12_LOGGER)
    capture = _LogCapture()
    old_propagate = logger.propagate
    logger.addHandler(capture)
    logger.propagate = False
    try:
        yield capture
    finally:
        logger.removeHandler(capture)
        logger.propagate = old_propagate


def _run_pyx12(report: ValidationReport, target: str, scan: Prescan) -> None:
    import pyx12.errors
    import pyx12.params
    import pyx12.x12n_document

    params = pyx12.params.params()
    params.set("exclude_external_codes", "remark_code")
    ack, errors_json = io.StringIO(), io.StringIO()
    wants_ack = scan.kind != "835" or scan.version == "00401"  # pyx12 gives 997s for 4010
    with _quiet_pyx12() as log:
        try:
            valid = pyx12.x12n_document.x12n_document(
                params, target, ack if wants_ack else None, None, None, errors_json
            )
        except (pyx12.errors.X12Error, pyx12.errors.EngineError, UnicodeError, ValueError) as exc:
            report.notes.append(f"pyx12 failed: {exc}")
            report.ok = False
            return
        except Exception as exc:  # pyx12 has internal failures of its own
            report.notes.append(f"pyx12 failed: {type(exc).__name__}: {exc}")
            report.ok = False
            return
    found = sorted(_errors_from_json(errors_json.getvalue()), key=lambda e: e.segment_index or 0)
    report.errors.extend(found)
    report.ack_999 = ack.getvalue()
    if not wants_ack:
        report.notes.append(
            "pyx12 writes no 999 for a 5010 835 (its ST carries no ST03); errors are listed above"
        )
    elif not report.ack_999:
        report.notes.append("pyx12 wrote no acknowledgment for this file")
    if not valid and not found:
        detail = "; ".join(log.messages[-3:]) or "no detail given"
        report.notes.append(f"pyx12 failed: {detail}")
    accepted = _ack_accepts(report.ack_999) if wants_ack else True
    report.ok = bool(valid) and not report.errors and accepted


def _ack_accepts(ack: str) -> bool:
    """A 999/997 accepts when every AK9 says A (accepted) or E (accepted with errors)."""
    codes = [s.split("*")[1] for s in ack.replace("\n", "").split("~") if s.startswith("AK9*")]
    return bool(codes) and all(c in ("A", "E") for c in codes)


def _errors_from_json(text: str) -> Iterator[ValidationError]:
    """Walk pyx12's error tree (ISA > GS > ST > segment > element) into plain items."""
    if not text.strip():
        return
    doc: dict[str, Any] = json.loads(text)
    for isa in doc.get("interchanges", []):
        yield from _node_errors(isa, "ISA")
        for gs in isa.get("groups", []):
            yield from _node_errors(gs, "GS")
            for st in gs.get("transactions", []):
                yield from _node_errors(st, "ST")
                for seg in st.get("segments", []):
                    yield from _segment_errors(seg)


def _node_errors(node: dict[str, Any], sid: str) -> Iterator[ValidationError]:
    line = node.get("cur_line")
    for err in node.get("errors", []):
        yield ValidationError(str(err.get("err_str", "")), line, sid, "", str(err.get("err_cde")))


def _segment_errors(seg: dict[str, Any]) -> Iterator[ValidationError]:
    sid = str(seg.get("seg_id") or "")
    line = seg.get("cur_line")
    for err in seg.get("errors", []):
        problem = str(err.get("err_str", ""))
        if err.get("err_val"):
            problem += f" (value {err['err_val']!r})"
        yield ValidationError(problem, line, sid, "", str(err.get("err_cde", "")))
    for ele in seg.get("elements", []):
        element = f"{sid}{int(ele.get('ele_pos') or 0):02d}"
        if ele.get("subele_pos"):
            element += f"-{ele['subele_pos']}"
        for err in ele.get("errors", []):
            problem = str(err.get("err_str", ""))
            if err.get("err_val"):
                problem += f" (value {err['err_val']!r})"
            yield ValidationError(problem, line, sid, element, str(err.get("err_cde", "")))
