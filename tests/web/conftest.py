"""Web desk fixtures: a migrated database, the app, a test client and signed-in helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from deskkit import PASSWORD, SECRET, Desk
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.config import Settings
from claimsdesk.services import users
from claimsdesk.services.users import Account
from claimsdesk.web import create_app
from claimsdesk.web.settings import WebSettings


@pytest.fixture(autouse=True)
def cheaper_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real scrypt at a lower cost so a few hundred sign-ins stay quick."""
    monkeypatch.setattr(users, "PASSWORD_METHOD", "scrypt:4096:8:1")


@pytest.fixture
def desk_url(db_url: str, engine: Engine) -> str:
    """The shared fresh database (SQLite file or PostgreSQL schema), migrated to head."""
    return db_url


@pytest.fixture
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for arranging and checking data outside the app."""
    with session_factory() as session:
        yield session


@pytest.fixture
def web_settings() -> WebSettings:
    return WebSettings(secret_key=SECRET, cookie_secure=False)


@pytest.fixture
def app(desk_url: str, web_settings: WebSettings) -> Iterator[Flask]:
    flask_app = create_app(Settings(database_url=desk_url), web_settings)
    flask_app.config["TESTING"] = True
    yield flask_app
    flask_app.extensions["claimsdesk"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(db_session: Session) -> Callable[..., Account]:
    """Create an account straight through the service (as the CLI would)."""

    def make(username: str, role: str = "specialist", password: str = PASSWORD) -> Account:
        return users.create_user(db_session, username, username.title(), role, password)

    return make


@pytest.fixture
def desk(client: FlaskClient) -> Desk:
    return Desk(client)


@pytest.fixture
def signed_in(desk: Desk, make_user: Callable[..., Account]) -> Callable[[str], Account]:
    """Create a user with the role and sign the test client in as them."""

    def sign_in(role: str = "specialist") -> Account:
        account = make_user(f"{role}1", role)
        response = desk.login(account.username)
        assert response.status_code == 303, response.get_data(as_text=True)
        return account

    return sign_in
