"""Sign-in, sign-out, throttling and the session cookie, through the real app and database."""

from __future__ import annotations

from collections.abc import Callable

from deskkit import PASSWORD, SECRET, Desk
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from claimsdesk.services import audit
from claimsdesk.services.users import Account


def events(session: Session, action: str) -> list[audit.AuditEntry]:
    session.expire_all()
    return audit.list_events(session, audit.AuditFilter(action=action)).items


def test_login_page_renders_with_csrf_field(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'name="csrf_token"' in text and 'autocomplete="current-password"' in text


def test_anonymous_home_redirects_to_login_with_next(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.location == "/login?next=/"


def test_good_login_goes_home_and_is_audited(
    client: FlaskClient, desk: Desk, make_user: Callable[..., Account], db_session: Session
) -> None:
    make_user("spec1")
    response = desk.login("Spec1 ")  # case and spaces do not matter
    assert response.status_code == 303 and response.location == "/"
    home = client.get("/")
    assert home.status_code == 200 and "Welcome, Spec1" in home.get_data(as_text=True)
    assert "first sign-in" in home.get_data(as_text=True)
    [entry] = events(db_session, "login.ok")
    assert entry.username == "spec1" and entry.details["via"] == "web"
    assert entry.at.tzinfo is not None and entry.at.utcoffset().total_seconds() == 0


def test_login_follows_safe_next_only(
    client: FlaskClient, desk: Desk, make_user: Callable[..., Account]
) -> None:
    make_user("spec1")
    assert desk.login("spec1", next="/account/password").location == "/account/password"
    desk.logout()
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert desk.login("spec1", next=evil).location == "/"
        desk.logout()


def test_bad_password_and_unknown_user_get_the_same_answer(
    client: FlaskClient, desk: Desk, make_user: Callable[..., Account], db_session: Session
) -> None:
    make_user("spec1")
    wrong = desk.login("spec1", "not the password at all")
    unknown = desk.login("nobody", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    message = "That username and password do not match an active account."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302
    reasons = sorted(e.details["reason"] for e in events(db_session, "login.failed"))
    assert reasons == ["bad-password", "unknown-user"]
    assert all(e.username is None for e in events(db_session, "login.failed"))


def test_inactive_user_cannot_sign_in(
    client: FlaskClient, desk: Desk, make_user: Callable[..., Account], db_session: Session
) -> None:
    from claimsdesk.services import users

    account = make_user("spec1")
    users.deactivate(db_session, account.id, actor=None)
    assert desk.login("spec1").status_code == 401
    assert events(db_session, "login.failed")[0].details["reason"] == "inactive"


def test_five_misses_lock_the_username_even_for_the_right_password(
    client: FlaskClient, desk: Desk, make_user: Callable[..., Account], db_session: Session
) -> None:
    make_user("spec1")
    codes = [desk.login("spec1", f"wrong password {i}").status_code for i in range(5)]
    assert codes == [401] * 5
    locked = desk.login("spec1")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert len(events(db_session, "login.locked")) == 1
    assert "locked_until" in events(db_session, "login.failed")[0].details


def test_unknown_usernames_are_throttled_too(client: FlaskClient, desk: Desk) -> None:
    for i in range(5):
        desk.login("ghost", f"guess number {i}")
    assert desk.login("ghost", "guess number 6").status_code == 429


def test_login_without_csrf_token_is_refused(
    client: FlaskClient, make_user: Callable[..., Account], db_session: Session
) -> None:
    make_user("spec1")
    client.get("/login")
    response = client.post("/login", data={"username": "spec1", "password": PASSWORD})
    assert response.status_code == 303 and response.location == "/login"
    assert "sign-in form had expired" in client.get("/login").get_data(as_text=True)
    forged = client.post(
        "/login",
        data={"username": "spec1", "password": PASSWORD, "csrf_token": "x" * 43, "next": "/audit/"},
    )
    assert forged.status_code == 303 and forged.location == "/login?next=/audit/"
    assert client.get("/").status_code == 302
    assert events(db_session, "login.ok") == []
    assert events(db_session, "login.failed") == []  # refused before any password check


def test_logout_needs_post_and_csrf_and_is_audited(
    client: FlaskClient, desk: Desk, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("specialist")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no token: still signed in
    assert client.get("/").status_code == 200
    response = desk.post("/logout")
    assert response.status_code == 303 and response.location == "/login"
    assert "You are signed out." in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert [e.username for e in events(db_session, "logout")] == ["specialist1"]


def test_sign_in_replaces_the_session_and_its_csrf_token(
    client: FlaskClient, desk: Desk, make_user: Callable[..., Account]
) -> None:
    make_user("spec1")
    before = desk.csrf()
    desk.login("spec1")
    after = desk.csrf("/")
    assert before != after
    stale = client.post("/logout", data={"csrf_token": before})
    assert stale.status_code == 400


def test_session_cookie_is_httponly_and_samesite_lax(
    client: FlaskClient, desk: Desk, make_user: Callable[..., Account]
) -> None:
    make_user("spec1")
    response = desk.login("spec1")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("claimsdesk_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test settings turn Secure off
    assert "Expires" not in cookie  # a browser-session cookie: closing the browser ends it


def test_secure_cookie_when_configured(desk_url: str, make_user: Callable[..., Account]) -> None:
    from claimsdesk.config import Settings
    from claimsdesk.web import create_app
    from claimsdesk.web.settings import WebSettings

    app = create_app(Settings(database_url=desk_url), WebSettings(secret_key=SECRET))
    try:
        make_user("spec1")
        response = Desk(app.test_client()).login("spec1")
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        app.extensions["claimsdesk"].dispose()


def test_change_own_password_keeps_this_session(
    client: FlaskClient, desk: Desk, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("specialist")
    new = "a brand new passphrase"
    bad = desk.post(
        "/account/password",
        {"current_password": "wrong one here!", "new_password": new, "confirm_password": new},
        "/account/password",
    )
    assert bad.status_code == 400 and "Current password is not right." in bad.get_data(as_text=True)
    mismatch = desk.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": new, "confirm_password": "x"},
        "/account/password",
    )
    assert mismatch.status_code == 400
    ok = desk.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": new, "confirm_password": new},
        "/account/password",
    )
    assert ok.status_code == 303
    assert client.get("/").status_code == 200
    desk.post("/logout")
    assert desk.login("specialist1").status_code == 401
    assert desk.login("specialist1", new).status_code == 303
    assert events(db_session, "user.password")[0].details["reset"] is False


def test_home_shows_the_previous_sign_in(
    client: FlaskClient, desk: Desk, make_user: Callable[..., Account], db_session: Session
) -> None:
    make_user("spec1")
    desk.login("spec1")
    [first] = events(db_session, "login.ok")
    desk.logout()
    desk.login("spec1")
    page = client.get("/").get_data(as_text=True)
    assert f"previous sign-in {first.at:%Y-%m-%d %H:%M} UTC" in page
