"""Helpers for the matching, ledger and claim-story tests: import with the hook, read views,
and derive small variant X12 files from the hand-written scenarios (SE01 kept right)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.domain.views import ClaimView
from claimsdesk.services.claim_views import load_claim_views, run_matching_and_ledger
from claimsdesk.services.import_types import FileResult, ImportedIds
from claimsdesk.services.imports import ImportRun, import_paths
from claimsdesk.storage.models.ingest import SubmittedClaim

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "sample_edi" / "scenarios"
FHIR = ROOT / "sample_edi" / "fhir"


def hook(session: Session, _result: FileResult, imported: ImportedIds) -> None:
    """The after_file hook under test: matching and ledger inside the file's transaction."""
    run_matching_and_ledger(session, imported)


def import_in_order(sessions: sessionmaker[Session], paths: Iterable[Path]) -> ImportRun:
    """Import files one by one in the order given; every one must import."""
    run = ImportRun()
    for path in paths:
        one = import_paths(sessions, [path], after_file=hook)
        assert [r.status for r in one.files] == ["imported"], one.to_dict()
        run.files.extend(one.files)
    return run


def scenario(*names: str) -> list[Path]:
    """Paths of sample_edi/scenarios files."""
    return [SCENARIOS / n for n in names]


def views_of(sessions: sessionmaker[Session], pcn: str) -> list[ClaimView]:
    """Every submission of a PCN as ClaimViews, in import order."""
    with sessions() as session:
        ids = session.scalars(
            select(SubmittedClaim.id)
            .where(SubmittedClaim.patient_control_number == pcn)
            .order_by(SubmittedClaim.id)
        ).all()
        return load_claim_views(session, list(ids))


def only_view(sessions: sessionmaker[Session], pcn: str) -> ClaimView:
    """The single submission of a PCN."""
    views = views_of(sessions, pcn)
    assert len(views) == 1, [v.submitted_claim_id for v in views]
    return views[0]


def segments(text: str) -> list[str]:
    """X12 segments of a file (terminator '~', newlines around it ignored)."""
    return [s.strip() for s in text.split("~") if s.strip()]


def rewrite(
    source: Path,
    dest: Path,
    replace: Sequence[tuple[str, str]] = (),
    drop: Callable[[str], bool] = lambda _s: False,
) -> Path:
    """A variant of a scenario file: text replacements, segments dropped, SE01 recounted."""
    text = source.read_text()
    for old, new in replace:
        assert old in text, (source.name, old)
        text = text.replace(old, new)
    out: list[str] = []
    start = 0
    for seg in segments(text):
        if drop(seg):
            continue
        if seg.startswith("ST*"):
            start = len(out)
        parts = seg.split("*")
        if parts[0] == "SE":
            parts[1] = str(len(out) - start + 1)
        out.append("*".join(parts))
    dest.write_text("~\n".join(out) + "~\n")
    return dest
