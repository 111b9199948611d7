"""Work-queue fixtures: databases on SQLite and PostgreSQL, imports through the real service
with the work-queue hook, and desk users."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services import users
from claimsdesk.services.imports import ImportRun, import_paths
from claimsdesk.services.users import Account
from claimsdesk.services.worklist_sync import make_after_file
from claimsdesk.storage.db import make_engine, make_session_factory, upgrade
from payer_rules import Rulebook, load_rulebook

ROOT = Path(__file__).resolve().parents[2]
PG_BASE = os.environ.get("CLAIMSDESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "correct horse battery staple"


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
    """A migrated database for a whole module: a SQLite file or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('wdb') / 'worklist.db'}")
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
