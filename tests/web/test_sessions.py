"""Session clocks and revocation: idle timeout, absolute lifetime, account changes."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest
from deskkit import SECRET, Desk
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from claimsdesk.services import audit, users
from claimsdesk.services.users import Account
from claimsdesk.web.settings import WebSettings


def auto_logouts(session: Session) -> list[str]:
    session.expire_all()
    page = audit.list_events(session, audit.AuditFilter(action="logout.auto"))
    return [e.details["reason"] for e in page.items]


def age_session(client: FlaskClient, **seconds_ago: int) -> None:
    """Move the session's login/seen stamps into the past, as if time had passed."""
    now = int(time.time())
    with client.session_transaction() as sess:
        for key, ago in seconds_ago.items():
            sess[key] = now - ago


@pytest.fixture
def web_settings() -> WebSettings:
    return WebSettings(
        secret_key=SECRET,
        cookie_secure=False,
        idle_timeout=dt.timedelta(minutes=30),
        absolute_lifetime=dt.timedelta(hours=8),
    )


def test_idle_session_ends_with_a_message_and_an_audit_line(
    client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("specialist")
    age_session(client, seen_at=29 * 60)
    assert client.get("/").status_code == 200  # 29 idle minutes: still fine
    age_session(client, seen_at=30 * 60)
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    page = client.get(response.location).get_data(as_text=True)
    assert "signed out after a period of inactivity" in page
    assert auto_logouts(db_session) == ["idle"]


def test_activity_moves_the_idle_clock(
    client: FlaskClient, signed_in: Callable[[str], Account]
) -> None:
    signed_in("specialist")
    age_session(client, seen_at=20 * 60)
    assert client.get("/").status_code == 200
    with client.session_transaction() as sess:
        assert int(time.time()) - sess["seen_at"] < 5


def test_absolute_lifetime_ends_even_a_busy_session(
    client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("specialist")
    age_session(client, login_at=8 * 3600, seen_at=10)
    response = client.get("/")
    assert response.status_code == 302
    assert "maximum length" in client.get("/login").get_data(as_text=True)
    assert auto_logouts(db_session) == ["lifetime"]


def test_timed_out_post_goes_to_sign_in_instead_of_acting(
    desk: Desk, client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("specialist")
    token = desk.csrf("/")
    age_session(client, seen_at=31 * 60)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.location == "/login"
    db_session.expire_all()
    assert audit.list_events(db_session, audit.AuditFilter(action="logout")).total == 0
    assert auto_logouts(db_session) == ["idle"]


def test_deactivation_ends_open_sessions(
    client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    account = signed_in("specialist")
    users.deactivate(db_session, account.id, actor=None)
    assert client.get("/").status_code == 302
    assert "account changed" in client.get("/login").get_data(as_text=True)
    assert auto_logouts(db_session) == ["revoked"]


def test_password_reset_by_admin_ends_open_sessions(
    client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    account = signed_in("specialist")
    users.change_password(db_session, account.id, "another long passphrase", actor=None)
    assert client.get("/").status_code == 302


def test_tampered_cookie_is_ignored(
    client: FlaskClient, signed_in: Callable[[str], Account]
) -> None:
    signed_in("specialist")
    cookie = client.get_cookie("claimsdesk_session")
    assert cookie is not None
    value = cookie.value
    client.set_cookie("claimsdesk_session", value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB"))
    assert client.get("/").status_code == 302


def test_idle_timeout_comes_from_settings(app: Flask) -> None:
    assert app.extensions["claimsdesk"].web.idle_timeout == dt.timedelta(minutes=30)
