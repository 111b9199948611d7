"""Admin users page: add, change role, reset password, deactivate, tokens; all audited."""

from __future__ import annotations

import re
from collections.abc import Callable

from deskkit import PASSWORD, Desk
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from claimsdesk.services import audit, users
from claimsdesk.services.users import Account, Role

NEW = {
    "username": "Case.Worker",
    "display_name": " Casey   Worker ",
    "role": "manager",
    "password": "a long enough password",
}


def actions(session: Session) -> list[tuple[str | None, str]]:
    session.expire_all()
    page = audit.list_events(session, audit.AuditFilter(action="user."))
    return [(e.username, e.action) for e in reversed(page.items)]


def test_admin_adds_a_user_who_can_then_sign_in(
    desk: Desk, client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("admin")
    response = desk.post("/admin/users", NEW, "/admin/users")
    assert response.status_code == 303
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "Added case.worker as manager." in listing and "Casey Worker" in listing
    account = users.find_account(db_session, "case.worker")
    assert account is not None and account.role is Role.MANAGER
    assert actions(db_session)[-1] == ("admin1", "user.create")
    desk.logout()
    assert desk.login("case.worker", NEW["password"]).status_code == 303


def test_bad_new_user_keeps_the_form_and_says_why(
    desk: Desk, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("admin")
    short = desk.post("/admin/users", {**NEW, "password": "short"}, "/admin/users")
    text = short.get_data(as_text=True)
    assert short.status_code == 400 and "at least 12 characters" in text
    assert 'value="Case.Worker"' in text
    taken = desk.post("/admin/users", {**NEW, "username": "ADMIN1"}, "/admin/users")
    assert taken.status_code == 400 and "is taken" in taken.get_data(as_text=True)
    bad_role = desk.post("/admin/users", {**NEW, "role": "root"}, "/admin/users")
    assert bad_role.status_code == 400
    assert users.find_account(db_session, "case.worker") is None


def test_role_change_and_last_admin_guard(
    desk: Desk,
    signed_in: Callable[[str], Account],
    make_user: Callable[..., Account],
    db_session: Session,
) -> None:
    admin = signed_in("admin")
    other = make_user("spec9")
    page = f"/admin/users/{other.id}"
    assert desk.post(f"{page}/role", {"role": "manager"}, page).status_code == 303
    assert users.get_account(db_session, other.id).role is Role.MANAGER  # type: ignore[union-attr]
    self_page = f"/admin/users/{admin.id}"
    refused = desk.post(f"{self_page}/role", {"role": "specialist"}, self_page)
    assert refused.status_code == 400
    assert "last active admin" in refused.get_data(as_text=True)
    db_session.expire_all()
    assert users.get_account(db_session, admin.id).role is Role.ADMIN  # type: ignore[union-attr]


def test_deactivate_and_reactivate(
    desk: Desk,
    client: FlaskClient,
    signed_in: Callable[[str], Account],
    make_user: Callable[..., Account],
    db_session: Session,
) -> None:
    admin = signed_in("admin")
    other = make_user("spec9")
    page = f"/admin/users/{other.id}"
    assert desk.post(f"{page}/active", {"active": "0"}, page).status_code == 303
    assert "spec9 is deactivated." in client.get(page).get_data(as_text=True)
    assert desk.post(f"{page}/active", {"active": "1"}, page).status_code == 303
    own = f"/admin/users/{admin.id}"
    assert desk.post(f"{own}/active", {"active": "0"}, own).status_code == 400
    assert [a for _, a in actions(db_session)][-2:] == ["user.deactivate", "user.reactivate"]


def test_reset_password(
    desk: Desk,
    signed_in: Callable[[str], Account],
    make_user: Callable[..., Account],
    db_session: Session,
) -> None:
    signed_in("admin")
    other = make_user("spec9")
    page = f"/admin/users/{other.id}"
    assert desk.post(f"{page}/password", {"new_password": "tiny"}, page).status_code == 400
    new = "reset by the admin today"
    assert desk.post(f"{page}/password", {"new_password": new}, page).status_code == 303
    desk.logout()
    assert desk.login("spec9").status_code == 401
    assert desk.login("spec9", new).status_code == 303
    assert ("admin1", "user.password") in actions(db_session)


def test_token_is_shown_once_works_and_can_be_revoked(
    desk: Desk,
    client: FlaskClient,
    signed_in: Callable[[str], Account],
    make_user: Callable[..., Account],
    db_session: Session,
) -> None:
    signed_in("admin")
    bot = make_user("nightly")
    page = f"/admin/users/{bot.id}"
    shown = desk.post(f"{page}/tokens", {"name": "nightly import"}, page)
    assert shown.status_code == 200
    match = re.search(r'id="new-token">(cdt_[^<]+)<', shown.get_data(as_text=True))
    assert match
    secret = match.group(1)
    assert secret not in client.get(page).get_data(as_text=True)  # never shown again
    who = users.user_for_token(db_session, secret)
    assert who is not None and who.username == "nightly"
    [info] = users.list_tokens(db_session, bot.id)
    revoke = desk.post(f"{page}/tokens/{info.id}/revoke", {}, page)
    assert revoke.status_code == 303
    db_session.expire_all()
    assert users.user_for_token(db_session, secret) is None
    wrong_user = desk.post(f"/admin/users/1/tokens/{info.id}/revoke", {}, page)
    assert wrong_user.status_code == 404


def test_admin_forms_refuse_missing_csrf(
    client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("admin")
    response = client.post("/admin/users", data={**NEW})
    assert response.status_code == 400
    assert users.find_account(db_session, "case.worker") is None


def test_csrf_header_is_accepted_for_scripts(
    desk: Desk, client: FlaskClient, signed_in: Callable[[str], Account]
) -> None:
    signed_in("admin")
    token = desk.csrf("/admin/users")
    response = client.post("/admin/users", data=NEW, headers={"X-CSRF-Token": token})
    assert response.status_code == 303


def test_unknown_user_page_is_404(client: FlaskClient, signed_in: Callable[[str], Account]) -> None:
    signed_in("admin")
    assert client.get("/admin/users/9999").status_code == 404


def test_user_page_lists_recent_changes(
    desk: Desk,
    client: FlaskClient,
    signed_in: Callable[[str], Account],
    make_user: Callable[..., Account],
) -> None:
    signed_in("admin")
    other = make_user("spec9")
    page = f"/admin/users/{other.id}"
    desk.post(f"{page}/role", {"role": "manager"}, page)
    text = client.get(page).get_data(as_text=True)
    assert "user.role" in text and "user.create" in text
    assert PASSWORD not in text
