"""Analysis test helpers: imports through the real service with the analysis hook, re-analysis.

A plain module (not a conftest) so test modules import it by a name no other folder uses.
The databases (shared_engine, shared_sessions: one migrated database per backend per module,
shared by its scenarios) and the rulebook are fixtures of tests/conftest.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services.analysis import analyze_claims, make_after_file
from claimsdesk.services.imports import ImportRun, import_paths
from claimsdesk.storage.models.ingest import SubmittedClaim
from payer_rules import Rulebook

ROOT = Path(__file__).resolve().parents[2]


def import_files(
    sessions: sessionmaker[Session], rulebook: Rulebook, files: Sequence[str], today: dt.date
) -> ImportRun:
    """Import repo-relative files in order, findings judged as of `today`; all must import."""
    run = import_paths(
        sessions, [ROOT / f for f in files], after_file=make_after_file(rulebook, today)
    )
    for result in run.files:
        assert result.status == "imported", (result.path, result.status, result.errors)
    return run


def claim_ids(session: Session, pcns: Sequence[str]) -> list[int]:
    """Submitted claim ids of these patient control numbers."""
    query = select(SubmittedClaim.id).where(SubmittedClaim.patient_control_number.in_(pcns))
    return list(session.scalars(query))


def reanalyze(
    sessions: sessionmaker[Session], rulebook: Rulebook, pcns: Sequence[str], today: dt.date
) -> None:
    """Re-run the rules for these claims as of another day (clocks move)."""
    with sessions() as session:
        analyze_claims(session, rulebook, claim_ids(session, pcns), [], today)
        session.commit()
