"""Work-queue test helpers: imports through the real service with the work-queue hook, users.

A plain module (not a conftest) so test modules import it by a name no other folder uses.
The databases (shared_engine, shared_sessions: one migrated database per backend per module)
and the rulebook are fixtures of tests/conftest.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services import users
from claimsdesk.services.imports import ImportRun, import_paths
from claimsdesk.services.users import Account
from claimsdesk.services.worklist_sync import make_after_file
from payer_rules import Rulebook, load_rulebook

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


def import_files(
    sessions: sessionmaker[Session],
    files: Sequence[str | Path],
    today: dt.date,
    rulebook: Rulebook | None = None,
    *,
    again: bool = False,
) -> ImportRun:
    """Import files (repo-relative or absolute) in order with the work-queue hook; with
    `again`, a file imported before (a duplicate) is fine too."""
    paths = [f if isinstance(f, Path) else ROOT / f for f in files]
    hook = make_after_file(rulebook or load_rulebook(), today)
    run = import_paths(sessions, paths, after_file=hook)
    ok = ("imported", "duplicate") if again else ("imported",)
    for result in run.files:
        assert result.status in ok, (result.path, result.status, result.errors)
    return run


def account(sessions: sessionmaker[Session], name: str, role: str = "specialist") -> Account:
    """The desk user `name`, created on first use."""
    with sessions() as session:
        found = users.find_account(session, name)
        return found or users.create_user(session, name, name.title(), role, PASSWORD)
