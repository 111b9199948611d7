"""Admin: accounts, roles, password resets and API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from claimsdesk.services import audit, users
from claimsdesk.services.users import Role, UserError
from claimsdesk.web.db import db
from claimsdesk.web.screens import NavItem, Screen
from claimsdesk.web.security import admin_required, refresh_session, require_user

bp = Blueprint("admin", __name__, url_prefix="/admin")
SCREEN = Screen(bp, (NavItem("admin.users", "Users", Role.ADMIN, "g u"),))
ROLES = list(Role)


def _list_page(form: dict[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "admin/users.html", accounts=users.list_accounts(db()), roles=ROLES, form=form or {}
    )
    return page, status


@bp.route("/users", methods=["GET", "POST"], endpoint="users")
@admin_required
def users_page() -> ResponseReturnValue:
    """Every account, and the form that adds one."""
    if request.method == "GET":
        return _list_page()
    form = {k: request.form.get(k, "") for k in ("username", "display_name", "role")}
    try:
        account = users.create_user(
            db(),
            form["username"],
            form["display_name"],
            form["role"],
            request.form.get("password", ""),
            actor=require_user(),
        )
    except UserError as exc:
        flash(str(exc), "error")
        return _list_page(form, 400)
    flash(f"Added {account.username} as {account.role.value}.", "success")
    return redirect(url_for("admin.users"), code=303)


def _detail(user_id: int, new_token: str | None = None, status: int = 200) -> ResponseReturnValue:
    account = users.get_account(db(), user_id)
    if account is None:
        abort(404)
    events = audit.list_events(
        db(), audit.AuditFilter(object_type="user", object_id=str(user_id)), per_page=10
    )
    page = render_template(
        "admin/user.html",
        account=account,
        roles=ROLES,
        tokens=users.list_tokens(db(), user_id),
        events=events.items,
        new_token=new_token,
    )
    return page, status


@bp.route("/users/<int:user_id>")
@admin_required
def user(user_id: int) -> ResponseReturnValue:
    """One account: role, password reset, active flag, tokens, recent changes."""
    return _detail(user_id)


def _done(user_id: int, message: str) -> ResponseReturnValue:
    flash(message, "success")
    return redirect(url_for("admin.user", user_id=user_id), code=303)


def _refused(user_id: int, exc: UserError) -> ResponseReturnValue:
    flash(str(exc), "error")
    return _detail(user_id, status=400)


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@admin_required
def set_role(user_id: int) -> ResponseReturnValue:
    """Change a role; the user's open sessions end."""
    actor = require_user()
    try:
        account = users.set_role(db(), user_id, request.form.get("role", ""), actor=actor)
    except UserError as exc:
        return _refused(user_id, exc)
    if account.id == actor.id:
        refresh_session(account)
    return _done(user_id, f"{account.username} is now {account.role.value}.")


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@admin_required
def reset_password(user_id: int) -> ResponseReturnValue:
    """Set a new password for someone who lost theirs."""
    actor = require_user()
    try:
        account = users.change_password(
            db(), user_id, request.form.get("new_password", ""), actor=actor
        )
    except UserError as exc:
        return _refused(user_id, exc)
    if account.id == actor.id:
        refresh_session(account)
    return _done(user_id, f"Password reset for {account.username}; their sessions were ended.")


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def set_active(user_id: int) -> ResponseReturnValue:
    """Deactivate or reactivate an account."""
    change = users.reactivate if request.form.get("active") == "1" else users.deactivate
    try:
        account = change(db(), user_id, actor=require_user())
    except UserError as exc:
        return _refused(user_id, exc)
    state = "active" if account.active else "deactivated"
    return _done(user_id, f"{account.username} is {state}.")


@bp.route("/users/<int:user_id>/tokens", methods=["POST"])
@admin_required
def issue_token(user_id: int) -> ResponseReturnValue:
    """Issue an API token and show it once (never flashed: the cookie is only signed)."""
    try:
        secret, _info = users.issue_token(
            db(), user_id, request.form.get("name", ""), actor=require_user()
        )
    except UserError as exc:
        return _refused(user_id, exc)
    return _detail(user_id, new_token=secret)


@bp.route("/users/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
@admin_required
def revoke_token(user_id: int, token_id: int) -> ResponseReturnValue:
    """Stop a token working."""
    if token_id not in {t.id for t in users.list_tokens(db(), user_id)}:
        abort(404)
    try:
        info = users.revoke_token(db(), token_id, actor=require_user())
    except UserError as exc:
        return _refused(user_id, exc)
    return _done(user_id, f"Token {info.prefix}… revoked.")
