"""Shared fixtures: a fresh database per test (or per module) on SQLite and PostgreSQL, engines,
sessions, the payer rules, CLI.

PostgreSQL tests are marked `postgres`; each database is its own schema in database `test` on
127.0.0.1:5432 (user postgres). When the server is missing they skip, except under CI (env CI
set), where they fail: CI must never pass by skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.storage.db import make_engine, make_session_factory, upgrade

if TYPE_CHECKING:
    from payer_rules import Rulebook

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PG_BASE = (
    os.environ.get("CLAIMSDESK_TEST_PG_URL")  # the README's name
    or os.environ.get("CLAIMSDESK_TEST_PG")
    or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

_pg_problem: list[str | None] = []


def _pg_unavailable() -> str | None:
    """Why PostgreSQL cannot be used (checked once per session), or None."""
    if not _pg_problem:
        try:
            engine = make_engine(PG_BASE)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_problem.append(None)
        except Exception as exc:  # any failure to reach the server
            _pg_problem.append(f"PostgreSQL at {PG_BASE} unavailable: {exc.__class__.__name__}")
    return _pg_problem[0]


def require_postgres() -> None:
    """Skip locally, fail under CI, when the server is missing."""
    problem = _pg_unavailable()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(problem + " (CI must not skip database tests)")
    pytest.skip(problem)


def pg_schema_url(schema: str) -> str:
    """The base URL with search_path set to one schema."""
    return f"{PG_BASE}?options={quote(f'-csearch_path={schema}')}"


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def fresh_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a fresh, empty database: a SQLite file (outside tmp_path), or a new PG schema
    dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'claimsdesk.db'}"
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield pg_schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of a fresh, empty database for one test."""
    with fresh_database(request.param, tmp_path_factory) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the fresh database, migrated to head."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on the migrated database."""
    return make_session_factory(engine)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database shared by a whole module, whose tests touch distinct claims and
    files: migrating a fresh PostgreSQL schema costs seconds, one per test would cost minutes."""
    with fresh_database(request.param, tmp_path_factory) as url:
        eng = make_engine(url)
        try:
            upgrade(eng)
            yield eng
        finally:
            eng.dispose()


@pytest.fixture(scope="module")
def shared_sessions(shared_engine: Engine) -> sessionmaker[Session]:
    """Sessions on the module's database."""
    return make_session_factory(shared_engine)


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    """The shipped payer rules (loaded by the tests that ask for them)."""
    from payer_rules import load_rulebook

    return load_rulebook()


@pytest.fixture
def runner() -> CliRunner:
    """Click's test runner (stdout and stderr kept apart)."""
    return CliRunner()


@pytest.fixture
def corpus() -> Path:
    """../shared/corpus, or a skip when it is absent."""
    path = SHARED / "corpus"
    if not path.is_dir():
        pytest.skip("../shared/corpus is absent")
    return path
