"""Role gates (specialist < manager < admin), nav per role, security headers, gate coverage."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from claimsdesk.config import Settings
from claimsdesk.services import audit
from claimsdesk.services.users import Account, Role
from claimsdesk.web import create_app
from claimsdesk.web.screens import Screen, all_screens
from claimsdesk.web.settings import WebSettings

PAGES = {"/": Role.SPECIALIST, "/audit/": Role.MANAGER, "/admin/users": Role.ADMIN}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_its_pages(
    client: FlaskClient, signed_in: Callable[[str], Account], role: Role
) -> None:
    signed_in(role.value)
    for path, needed in PAGES.items():
        expected = 200 if role.includes(needed) else 403
        assert client.get(path).status_code == expected, (role, path)


def test_denied_access_is_audited(
    client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("specialist")
    page = client.get("/admin/users")
    assert page.status_code == 403 and "Not allowed" in page.get_data(as_text=True)
    [event] = audit.list_events(db_session, audit.AuditFilter(action="access.denied")).items
    assert event.username == "specialist1"
    assert event.details == {"needs": "admin", "path": "/admin/users"}


def test_anonymous_users_are_sent_to_sign_in_or_refused(client: FlaskClient) -> None:
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login?next=")
    client.get("/login")  # gets a CSRF token into the session
    with client.session_transaction() as sess:
        token = sess["_csrf"]
    refused = client.post("/admin/users", data={"csrf_token": token, "username": "x"})
    assert refused.status_code == 401


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("specialist", ["Home"]),
        ("manager", ["Home", "Audit log"]),
        ("admin", ["Home", "Audit log", "Users"]),
    ],
)
def test_nav_shows_only_what_the_role_may_open(
    client: FlaskClient, signed_in: Callable[[str], Account], role: str, shown: list[str]
) -> None:
    signed_in(role)
    page = client.get("/").get_data(as_text=True)
    nav = page[page.index('<nav class="topnav"') : page.index("</nav>")]
    for label in ["Home", "Audit log", "Users"]:
        assert (f">{label}</a>" in nav) == (label in shown), label


def test_security_headers_on_every_page(client: FlaskClient) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    static = client.get("/static/desk.css")
    assert static.status_code == 200 and static.headers.get("Cache-Control") != "no-store"


def test_app_refuses_to_start_with_an_ungated_view(
    desk_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    leaky = Blueprint("leaky", __name__)
    leaky.add_url_rule("/leak", "leak", lambda: "patient data")
    monkeypatch.setattr("claimsdesk.web.all_screens", lambda: [*all_screens(), Screen(leaky)])
    with pytest.raises(RuntimeError, match=r"leaky\.leak"):
        create_app(
            Settings(database_url=desk_url),
            WebSettings(secret_key="k" * 40, cookie_secure=False),
        )


def test_unknown_page_renders_the_desk_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_server_errors_show_no_internals(app: Flask, client: FlaskClient) -> None:
    app.config["TESTING"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom() -> str:
        raise ValueError("secret internals")

    app.view_functions["home.index"] = boom
    from claimsdesk.web import security

    boom.__dict__[security.PUBLIC_MARK] = True
    response = client.get("/")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "unexpected error" in text and "secret internals" not in text
