"""The 837 gate: write an outbound claim, validate it with pyx12, store it, export it.

Each outbound claim is its own interchange. ISA13 (and GS06) is the row id plus a base
(CLAIMSDESK_OUTBOUND_ISA_BASE, default 800000000) so our control numbers never collide with
the practice system's. The text is written, saved to a temporary file, validated with
claimsdesk.edi.validate.validate_file (pyx12 4.0.0, 999 accepted) and, for claims to the
next payer, checked for the COB balance; the row keeps that exact text and the errors in
plain words. Only a 'validated' claim can be exported, and export writes the stored text.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimsdesk.edi.validate import validate_file
from claimsdesk.edi.writer_837 import Contact, write_837
from claimsdesk.edi.x12out import X12WriteError
from claimsdesk.services import audit
from claimsdesk.services.audit import Actor
from claimsdesk.services.outbound_secondary import balance_errors
from claimsdesk.services.outbound_source import SourceClaim, Target
from claimsdesk.services.outbound_types import (
    ExportedFile,
    ExportResult,
    OutboundKind,
    OutboundResult,
    OutboundStatus,
)
from claimsdesk.storage.models.base import utcnow
from claimsdesk.storage.models.outbound import OutboundClaim
from parsers.records import SubmittedClaim

CONTROL_BASE_ENV = "CLAIMSDESK_OUTBOUND_ISA_BASE"
CONTACT_NAME_ENV = "CLAIMSDESK_EDI_CONTACT_NAME"
CONTACT_PHONE_ENV = "CLAIMSDESK_EDI_CONTACT_PHONE"
DEFAULT_CONTROL_BASE = 800_000_000
MAX_CONTROL = 999_999_999


@dataclass(slots=True)
class Draft:
    """A built claim on its way through the gate."""

    kind: OutboundKind
    claim: SubmittedClaim
    source: SourceClaim
    target: Target
    claim_payment_id: int | None
    payer_key: str
    payer_name: str
    receiver_id: str  # ISA08 / GS03
    original_reference: str = ""
    check_balance_of: str = ""  # 2330B payer id whose COB balance must hold ('' = none)
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def control_number(row_id: int) -> int:
    """ISA13 for an outbound row: base + id, within nine digits."""
    raw = os.environ.get(CONTROL_BASE_ENV, "").strip()
    base = int(raw) if raw.isdigit() else DEFAULT_CONTROL_BASE
    number = base + row_id
    if number > MAX_CONTROL:
        number = number % MAX_CONTROL or 1
    return number


def contact() -> Contact:
    """1000A PER: from the environment, else the writer's default."""
    default = Contact()
    return Contact(
        name=os.environ.get(CONTACT_NAME_ENV, "").strip() or default.name,
        number=os.environ.get(CONTACT_PHONE_ENV, "").strip() or default.number,
    )


def write_and_check(draft: Draft, control: int) -> tuple[str, list[str]]:
    """The 837 text and its problems in plain words ([] = valid and balanced)."""
    out = io.StringIO()
    try:
        write_837(
            [draft.claim], stream=out, sender=draft.source.sender_id.strip(),
            receiver=draft.receiver_id.strip()[:15], interchange_control=control,
            usage=draft.source.usage or "P", contact=contact(),
        )  # fmt: skip
    except X12WriteError as exc:
        return "", [f"the claim cannot be written as an 837: {exc}"]
    text = out.getvalue()
    errors = _validate(text)
    if draft.check_balance_of:
        errors += balance_errors(draft.claim, draft.check_balance_of)
    return text, errors


def _validate(text: str) -> list[str]:
    """pyx12 on a temporary copy of the text (it wants a path)."""
    with tempfile.TemporaryDirectory(prefix="claimsdesk-outbound-") as tmp:
        path = Path(tmp) / "outbound.837"
        path.write_text(text, encoding="ascii", newline="\n")
        report = validate_file(path)
    if report.ok:
        return []
    errors = [e.to_text() for e in report.errors]
    return (
        errors
        or [n.replace(str(path), "the 837") for n in report.notes]
        or ["pyx12 did not accept the 837 (no 999 acceptance)"]
    )


def store(session: Session, draft: Draft, user: Actor | None) -> OutboundClaim:
    """Insert the row, write and check the 837 under its control number, audit; no commit."""
    now = utcnow()
    claim = draft.claim
    row = OutboundClaim(
        kind=draft.kind.value, submitted_claim_id=draft.target.submitted_claim_id,
        claim_payment_id=draft.claim_payment_id, finding_id=draft.target.finding_id,
        work_item_id=draft.target.work_item_id,
        patient_control_number=claim.patient_control_number, payer_key=draft.payer_key,
        payer_name=draft.payer_name, payer_responsibility=claim.payer_responsibility[:1],
        original_reference=draft.original_reference, total_charge=claim.total_charge,
        interchange_control="", source=draft.source.source, changes=list(draft.changes),
        notes=list(draft.notes), x12_text="", errors=[], status=OutboundStatus.DRAFT.value,
        created_by_id=user.id if user else None, created_by=user.username if user else None,
        created_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    control = control_number(row.id)
    text, errors = write_and_check(draft, control)
    row.interchange_control = f"{control:09d}"
    row.x12_text = text
    row.errors = errors
    row.status = (OutboundStatus.REJECTED if errors else OutboundStatus.VALIDATED).value
    row.validated_at = utcnow()
    audit.add_event(session, user, f"outbound.{draft.kind.value}", "outbound_claim", row.id, {
        "pcn": claim.patient_control_number, "submitted_claim_id": row.submitted_claim_id,
        "finding_id": row.finding_id, "work_item_id": row.work_item_id, "payer": row.payer_name,
        "status": row.status, "errors": len(errors), "changes": draft.changes,
    })  # fmt: skip
    session.flush()
    return row


def result_of(row: OutboundClaim) -> OutboundResult:
    """The row as the plain result screens and the CLI use."""
    return OutboundResult(
        row.id, OutboundKind(row.kind), OutboundStatus(row.status), row.submitted_claim_id,
        row.patient_control_number, row.payer_name, row.payer_responsibility,
        row.original_reference, row.total_charge, row.interchange_control, row.source,
        row.x12_text, tuple(row.errors or ()), tuple(row.changes or ()), tuple(row.notes or ()),
        row.created_by, row.created_at, row.exported_path, row.exported_at,
    )  # fmt: skip


# --------------------------------------------------------------------------- export


def file_name(row: OutboundClaim) -> str:
    """PCN-kind-ISA13.837: unique per outbound claim, safe on any file system."""
    pcn = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in row.patient_control_number)
    return f"{pcn}-{row.kind}-{row.interchange_control}.837"


def export_rows(
    session: Session, ids: Sequence[int], out_dir: Path, user: Actor | None, *, again: bool
) -> ExportResult:
    """Write the validated ones (and, with again, exported ones); the caller commits."""
    rows = {
        r.id: r
        for r in session.scalars(
            select(OutboundClaim).where(OutboundClaim.id.in_(list(ids))).with_for_update()
        )
    }
    written: list[ExportedFile] = []
    refused: list[tuple[int, str]] = []
    paths: list[Path] = []
    try:
        for outbound_id in dict.fromkeys(ids):
            row = rows.get(outbound_id)
            why = _not_exportable(row, outbound_id, again)
            if why or row is None:
                refused.append((outbound_id, why))
                continue
            path = _write(out_dir / file_name(row), row.x12_text)
            paths.append(path)
            _mark_exported(session, row, path, user)
            written.append(ExportedFile(row.id, str(path)))
        session.flush()
    except BaseException:
        for path in paths:
            path.unlink(missing_ok=True)
        raise
    return ExportResult(tuple(written), tuple(refused))


def _not_exportable(row: OutboundClaim | None, outbound_id: int, again: bool) -> str:
    if row is None:
        return f"no outbound claim {outbound_id}"
    if row.status == OutboundStatus.VALIDATED.value:
        return ""
    if row.status == OutboundStatus.EXPORTED.value:
        if again:
            return ""
        when = row.exported_at.date().isoformat() if row.exported_at else "earlier"
        return f"already exported to {row.exported_path} on {when} (use again to re-export)"
    count = len(row.errors or ())
    return f"not validated ({row.status}, {count} error(s)): fix the claim and build it again"


def _write(path: Path, text: str) -> Path:
    """Atomic write (temporary name, then rename); ASCII as validated."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_text(text, encoding="ascii", newline="\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path.resolve()


def _mark_exported(session: Session, row: OutboundClaim, path: Path, user: Actor | None) -> None:
    row.status = OutboundStatus.EXPORTED.value
    row.exported_at = utcnow()
    row.exported_path = str(path)
    row.exported_by = user.username if user else None
    audit.add_event(session, user, "outbound.exported", "outbound_claim", row.id, {
        "pcn": row.patient_control_number, "kind": row.kind, "path": str(path),
    })  # fmt: skip


__all__ = [
    "CONTROL_BASE_ENV",
    "Draft",
    "control_number",
    "export_rows",
    "file_name",
    "result_of",
    "store",
    "write_and_check",
]
