"""Denial-desk test data: a database (SQLite or PostgreSQL) holding every sample_edi scenario
imported through the real import service with the work-queue hook, desk users, and the app.

Module-scoped: a test module imports the fixtures it needs (`from deskdata import desk, ...`)
and shares one database, so its tests pick different items or expect each other's changes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from deskkit import PASSWORD, SECRET
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.config import Settings
from claimsdesk.services import users, worklist
from claimsdesk.services.imports import import_paths
from claimsdesk.services.users import Account
from claimsdesk.services.worklist import WorkItemRow
from claimsdesk.services.worklist_sync import make_after_file
from claimsdesk.storage.db import make_engine, make_session_factory, upgrade
from claimsdesk.web import create_app
from claimsdesk.web.settings import WebSettings
from payer_rules import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "sample_edi" / "scenarios"
PG_BASE = os.environ.get("CLAIMSDESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PEOPLE = {
    "spec1": "specialist",
    "spec2": "specialist",
    "boss1": "manager",
    "boss2": "manager",
    "root1": "admin",
}
EXTRA_FILES = [
    ROOT / "tests" / "analysis" / "data" / name
    for name in ("missing-primary.837", "payer-order.837", "payer-order.835")
]
"""TMP26001: a claim no payer answered yet; TPO26001: Bluewater paid part and still owes
80.00 (a COB payer-order finding), so it can move to the patient."""
LEFT_OUT = "secondary-payment.2."
"""The secondary claim and its answer stay out: SEC26001 keeps an open bill-secondary item."""
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DB_PARAMS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def scenario_files() -> list[Path]:
    """Scenario files in arrival order: per scenario, .1.837 .1.835 .2.837 .2.835 ..."""

    def key(path: Path) -> tuple[str, int, int]:
        parts = path.name.split(".")
        order = int(parts[1]) if len(parts) == 3 else 0
        return parts[0], order, 0 if path.suffix.startswith(".837") else 1

    found = [p for p in SCENARIOS.iterdir() if p.suffix in (".835", ".837", ".837i")]
    kept = [p for p in found if not p.name.startswith(LEFT_OUT)]
    return [*sorted(kept, key=key), *EXTRA_FILES]


@dataclass
class DeskData:
    """One filled database: its URL, sessions, accounts and API tokens."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    accounts: dict[str, Account] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def rows(self, claim: str) -> list[WorkItemRow]:
        """Every work item of a claim (any status), through the service's search."""
        with self.sessions() as session:
            return [r for r in worklist.search(session, claim) if r.claim == claim]

    def item(self, claim: str, category: str, status: str | None = None) -> WorkItemRow:
        """The item of a claim and category (first one when the claim has two)."""
        found = [r for r in self.rows(claim) if r.category == category]
        if status is not None:
            found = [r for r in found if r.status == status]
        assert found, f"no {category} item on {claim}"
        return sorted(found, key=lambda r: r.id)[0]

    def fresh(self, item_id: int) -> WorkItemRow:
        with self.sessions() as session:
            return worklist.item_row(session, item_id)


def _postgres_url() -> tuple[str, str]:
    """A new schema on the test server (skip locally, fail under CI when it is missing)."""
    try:
        admin = make_engine(PG_BASE)
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the server
        problem = f"PostgreSQL at {PG_BASE} unavailable: {exc.__class__.__name__}"
        if os.environ.get("CI"):
            pytest.fail(problem + " (CI must not skip database tests)")
        pytest.skip(problem)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return f"{PG_BASE}?options={quote(f'-csearch_path={schema}')}", schema


def _drop_schema(schema: str) -> None:
    admin = make_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _people(data: DeskData) -> None:
    """The desk's users (cheap scrypt: tests sign in often) and a token for each."""
    with pytest.MonkeyPatch.context() as mp, data.sessions() as session:
        mp.setattr(users, "PASSWORD_METHOD", "scrypt:4096:8:1")
        for name, role in PEOPLE.items():
            data.accounts[name] = users.create_user(session, name, name.title(), role, PASSWORD)
        root = data.accounts["root1"]
        for name, account in data.accounts.items():
            secret, _ = users.issue_token(session, account.id, f"{name} tests", actor=root)
            data.tokens[name] = secret


def build(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskData]:
    """Migrate, import every scenario (analysis and work items run per file), add users."""
    schema = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('desk') / 'desk.db'}"
    else:
        url, schema = _postgres_url()
    engine = make_engine(url)
    try:
        upgrade(engine)
        data = DeskData(url, engine, make_session_factory(engine))
        hook = make_after_file(load_rulebook(), dt.date.today())
        run = import_paths(data.sessions, scenario_files(), after_file=hook)
        bad = [(r.path, r.status, r.errors) for r in run.files if r.status != "imported"]
        assert not bad, bad
        _people(data)
        yield data
    finally:
        engine.dispose()
        if schema is not None:
            _drop_schema(schema)


@pytest.fixture(scope="module", params=DB_PARAMS)
def desk(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DeskData]:
    """The module's filled database, on SQLite and on PostgreSQL."""
    yield from build(request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def desk_app(desk: DeskData) -> Iterator[Flask]:
    """The desk app on the module's database."""
    app = create_app(
        Settings(database_url=desk.url), WebSettings(secret_key=SECRET, cookie_secure=False)
    )
    app.config["TESTING"] = True
    yield app
    app.extensions["claimsdesk"].dispose()


class Browser:
    """A signed-in test client that posts forms with their CSRF token."""

    def __init__(self, client: FlaskClient, username: str) -> None:
        self.client = client
        self.username = username
        self.token = ""

    def sign_in(self) -> Browser:
        page = self.client.get("/login").get_data(as_text=True)
        form = {"username": self.username, "password": PASSWORD, "csrf_token": _token(page)}
        response = self.client.post("/login", data=form)
        assert response.status_code == 303, response.get_data(as_text=True)
        self.token = _token(self.client.get("/my").get_data(as_text=True))
        return self

    def get(self, path: str) -> tuple[int, str]:
        response = self.client.get(path)
        return response.status_code, response.get_data(as_text=True)

    def post(
        self, path: str, data: dict[str, str | list[str]] | None = None
    ) -> tuple[int, str, str]:
        """Status, body and Location of a form post."""
        response = self.client.post(path, data={**(data or {}), "csrf_token": self.token})
        return (
            response.status_code,
            response.get_data(as_text=True),
            response.headers.get("Location", ""),
        )


def _token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def browse(desk_app: Flask) -> Iterator[object]:
    """browse('spec1') -> a Browser signed in as that user (fresh cookies each call)."""

    def make(username: str) -> Browser:
        return Browser(desk_app.test_client(), username).sign_in()

    yield make
