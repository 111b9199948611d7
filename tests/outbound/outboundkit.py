"""Outbound test helpers: the scenario import, the Desk handle tests work through, PDF text.

A plain module (not a conftest) so test modules import it by a name no other folder uses;
the `desk` fixture that builds a Desk lives in tests/outbound/conftest.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services import users
from claimsdesk.services.imports import import_paths
from claimsdesk.services.outbound_source import Target, load_claim
from claimsdesk.services.outbound_types import OutboundKind
from claimsdesk.services.outbound_x12 import Draft, write_and_check
from claimsdesk.services.users import Account
from claimsdesk.storage.models.findings import Finding
from claimsdesk.storage.models.ingest import SubmittedClaim
from claimsdesk.storage.models.worklist import WorkItem
from payer_rules import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "sample_edi" / "scenarios"
AS_OF = dt.date(2026, 11, 22)  # the README's end-to-end date
PASSWORD = "correct horse battery staple"


def analysis_hook() -> Any:
    """The work-queue import hook: matching, ledger, findings (the analysis) and work items."""
    from claimsdesk.services.worklist_sync import make_after_file

    return make_after_file(load_rulebook(), AS_OF)


def import_folder(sessions: sessionmaker[Session], folder: Path) -> None:
    """Import a folder of X12 files; every file must be imported."""
    run = import_paths(sessions, [folder], after_file=analysis_hook())
    for result in run.files:
        assert result.status == "imported", (result.path, result.status, result.errors)


@dataclass
class Desk:
    """A module database with the scenarios in it, and the helpers tests use."""

    sessions: sessionmaker[Session]
    folder: Path  # the imported copy of the scenarios
    url: str

    def finding(self, pcn: str, rule: str, code: str | None = None) -> int:
        """The id of the open finding of a rule on a PCN (with a code when several)."""
        with self.sessions() as s:
            rows = s.execute(
                select(Finding.id, Finding.codes).where(
                    Finding.patient_control_number == pcn, Finding.rule == rule
                )
            ).all()
        found = [r.id for r in rows if code is None or code in (r.codes or [])]
        assert len(found) == 1, (pcn, rule, code, rows)
        return int(found[0])

    def item(self, finding_id: int) -> int:
        """The work item of a finding."""
        with self.sessions() as s:
            item = s.scalar(select(WorkItem.id).where(WorkItem.finding_id == finding_id))
        assert item is not None
        return item

    def claim_id(self, pcn: str, responsibility: str = "P") -> int:
        """The submission of a PCN sent with this SBR01."""
        with self.sessions() as s:
            found = s.scalar(
                select(SubmittedClaim.id).where(
                    SubmittedClaim.patient_control_number == pcn,
                    SubmittedClaim.payer_responsibility == responsibility,
                )
            )
        assert found is not None
        return found

    def user(self, name: str = "casey", role: str = "specialist") -> Account:
        """A desk user, created on first use."""
        with self.sessions() as s:
            found = users.find_account(s, name)
            return found or users.create_user(s, name, name.title() + " Example", role, PASSWORD)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """Text of a PDF: pdftotext when installed, else the inflated content streams."""
    if shutil.which("pdftotext"):
        path = tmp_path / f"letter-{uuid.uuid4().hex[:8]}.pdf"
        path.write_bytes(data)
        out = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
        )
        return out.stdout
    chunks = []
    for part in data.split(b"stream")[1:]:
        body = part.split(b"endstream")[0].strip(b"\r\n")
        try:
            chunks.append(zlib.decompress(body).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(chunks)


def pdf_pages(data: bytes) -> int:
    """Pages in a PDF written by fpdf2 (one /Type /Page object each)."""
    return data.count(b"/Type /Page\n") + data.count(b"/Type /Page>") + data.count(b"/Type /Page ")


def replacement_through_gate(
    session: Session, pcn: str, source: str, control: int, check: Any = None
) -> str:
    """The claim with this PCN loaded (from its file or rebuilt from rows, as `source` says),
    checked by `check(record)`, then written as a replacement (CLM05-3 = 7) through the
    outbound 837 gate with no errors; the 837 text."""
    claim_id = session.scalar(
        select(SubmittedClaim.id).where(SubmittedClaim.patient_control_number == pcn)
    )
    assert claim_id is not None
    loaded = load_claim(session, claim_id)
    assert loaded.source == source
    if check is not None:
        check(loaded.record)
    fixed = dataclasses.replace(loaded.record, frequency="7")  # CLM05-3 replacement
    target = Target(claim_id, None, None, None, None)
    draft = Draft(
        OutboundKind.CORRECTED, fixed, loaded, target, None, loaded.payer_key,
        loaded.payer_name, loaded.receiver_id,
    )  # fmt: skip
    text, errors = write_and_check(draft, control)
    assert errors == [], errors
    return text
