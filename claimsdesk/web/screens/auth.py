"""Sign in, sign out and change your own password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from claimsdesk.services import audit, users
from claimsdesk.services.users import AuthOutcome, ThrottlePolicy, UserError
from claimsdesk.web.db import db, state
from claimsdesk.web.screens import Screen
from claimsdesk.web.security import (
    client_context,
    current_user,
    end_session,
    login_required,
    public,
    refresh_session,
    require_user,
    safe_next,
    start_session,
)

bp = Blueprint("auth", __name__)
SCREEN = Screen(bp)

BAD_CREDENTIALS = "That username and password do not match an active account."
LOCKED = (
    "Too many failed sign-ins for this username. Wait {minutes} minutes and try again, "
    "or ask an admin to check the account."
)


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    """Sign-in form; a failed attempt shows one message whatever the cause."""
    next_url = safe_next(request.values.get("next"))
    if current_user() is not None:
        return redirect(next_url or url_for("home.index"))
    if request.method == "GET":
        return render_template("auth/login.html", next_url=next_url, username="")
    username = request.form.get("username", "")
    web = state().web
    result = users.authenticate(
        db(),
        username,
        request.form.get("password", ""),
        policy=ThrottlePolicy(max_failures=web.max_failed_logins, lockout=web.lockout),
        context=client_context(),
    )
    if result.outcome is AuthOutcome.OK and result.account is not None:
        start_session(result.account, result.previous_login_at)
        return redirect(next_url or url_for("home.index"), code=303)
    if result.outcome is AuthOutcome.LOCKED:
        error, status = LOCKED.format(minutes=int(web.lockout.total_seconds() // 60)), 429
    else:
        error, status = BAD_CREDENTIALS, 401
    page = render_template("auth/login.html", next_url=next_url, username=username, error=error)
    return page, status


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    """Sign out (POST with CSRF token, so no other site can sign you out)."""
    user = require_user()
    audit.record(db(), user, "logout", "user", user.id, client_context())
    end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> ResponseReturnValue:
    """Change your own password; other open sessions of yours are signed out."""
    user = require_user()
    if request.method == "GET":
        return render_template("auth/password.html")
    new = request.form.get("new_password", "")
    if new != request.form.get("confirm_password", ""):
        flash("The new password and its confirmation differ.", "error")
        return render_template("auth/password.html"), 400
    try:
        account = users.change_password(
            db(), user.id, new, actor=user, current_password=request.form.get("current_password")
        )
    except UserError as exc:
        flash(str(exc), "error")
        return render_template("auth/password.html"), 400
    refresh_session(account)
    flash("Your password is changed. Other sessions of yours were signed out.", "success")
    return redirect(url_for("home.index"), code=303)
