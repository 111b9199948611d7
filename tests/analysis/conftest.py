"""Analysis fixtures: one migrated database per backend per module, shared by its scenarios.

Scenarios touch distinct claims and files, so they can share a database: migrating a fresh
PostgreSQL schema costs seconds, one per scenario would cost minutes.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services.analysis import analyze_claims, make_after_file
from claimsdesk.services.imports import ImportRun, import_paths
from claimsdesk.storage.db import make_engine, make_session_factory, upgrade
from claimsdesk.storage.models.ingest import SubmittedClaim
from payer_rules import Rulebook, load_rulebook

ROOT = Path(__file__).resolve().parents[2]
PG_BASE = (
    os.environ.get("CLAIMSDESK_TEST_PG_URL")  # as tests/conftest.py reads it
    or os.environ.get("CLAIMSDESK_TEST_PG")
    or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_or_skip() -> None:
    """Skip locally, fail under CI, when PostgreSQL is missing (as tests/conftest.py does)."""
    try:
        engine = make_engine(PG_BASE)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to reach the server
        problem = f"PostgreSQL at {PG_BASE} unavailable: {exc.__class__.__name__}"
        if os.environ.get("CI"):
            pytest.fail(problem + " (CI must not skip database tests)")
        pytest.skip(problem)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def shared_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database for the whole module: a SQLite file or a fresh PG schema."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('adb') / 'analysis.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    _postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(f"{PG_BASE}?options={quote(f'-csearch_path={schema}')}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def shared_sessions(shared_engine: Engine) -> sessionmaker[Session]:
    """Sessions on the module's database."""
    return make_session_factory(shared_engine)


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    """The shipped payer rules."""
    return load_rulebook()


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
