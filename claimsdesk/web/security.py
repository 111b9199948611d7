"""Sign-in sessions (idle and absolute clocks), role gates and security headers."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, abort, flash, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from claimsdesk.services import audit, users
from claimsdesk.services.users import Account, Role
from claimsdesk.web import csrf
from claimsdesk.web.db import db, state

F = TypeVar("F", bound=Callable[..., Any])

USER_ID = "uid"
VERSION = "ver"
LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
PREVIOUS_LOGIN = "prev_login"
SEEN_RESOLUTION = 15  # seconds; fewer cookie rewrites while clicking around
PUBLIC_MARK = "claimsdesk.public"
ROLE_MARK = "claimsdesk.min_role"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

_ENDED = {
    "idle": "You were signed out after a period of inactivity. Sign in again to continue.",
    "lifetime": "Your session reached its maximum length. Sign in again to continue.",
    "revoked": "Your account changed, so you were signed out. Sign in again to continue.",
    "invalid": "Your session was not valid. Sign in again to continue.",
}


def current_user() -> Account | None:
    """The signed-in account for this request, if any."""
    return cast(Account | None, g.get("user"))


def require_user() -> Account:
    """The signed-in account; for views already behind a role gate."""
    user = current_user()
    if user is None:
        abort(401)
    return user


def client_context() -> dict[str, str]:
    """Where a request came from, for audit details."""
    return {"ip": request.remote_addr or "", "via": "web"}


def start_session(account: Account, previous_login: dt.datetime | None = None) -> None:
    """Fresh session on sign-in (no fixation): new cookie contents and a new CSRF token."""
    session.clear()
    now = int(time.time())
    session.update(
        {USER_ID: account.id, VERSION: account.session_version, LOGIN_AT: now, SEEN_AT: now}
    )
    if previous_login is not None:
        session[PREVIOUS_LOGIN] = int(previous_login.timestamp())
    csrf.rotate()
    g.user = account


def previous_login() -> dt.datetime | None:
    """When this user signed in before the current session (None on a first sign-in)."""
    stamp = session.get(PREVIOUS_LOGIN)
    return dt.datetime.fromtimestamp(stamp, dt.UTC) if isinstance(stamp, int) else None


def refresh_session(account: Account) -> None:
    """Keep this session after a change that bumped the account's session version."""
    session[VERSION] = account.session_version
    g.user = account


def end_session() -> None:
    """Forget the signed-in user and the CSRF token."""
    session.clear()
    g.user = None


def _expiry(now: int) -> str | None:
    """Which clock ran out: 'idle', 'lifetime', 'invalid', or None while the session is live."""
    web = state().web
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return "invalid"
    if now - login_at >= web.absolute_lifetime.total_seconds():
        return "lifetime"
    if now - seen_at >= web.idle_timeout.total_seconds():
        return "idle"
    return None


def load_user() -> ResponseReturnValue | None:
    """before_request: restore the user, ending the session when a clock ran out."""
    g.user = None
    uid = session.get(USER_ID)
    if uid is None or request.endpoint == "static":
        return None
    now = int(time.time())
    reason = _expiry(now)
    account = users.get_account(db(), uid) if isinstance(uid, int) else None
    if reason is None and (
        account is None or not account.active or account.session_version != session.get(VERSION)
    ):
        reason = "revoked"
    if reason is not None:
        end_session()
        audit.record(
            db(), account, "logout.auto", "user", uid, {**client_context(), "reason": reason}
        )
        flash(_ENDED[reason], "warning")
        if request.method not in csrf.SAFE_METHODS:
            return redirect(url_for("auth.login"), code=303)
        return None
    g.user = account
    if now - cast(int, session[SEEN_AT]) >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
    return None


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def role_required(role: Role) -> Callable[[F], F]:
    """Gate a view: anonymous users go to sign-in, lower roles get 403 (and an audit line)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                if request.method in csrf.SAFE_METHODS:
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                abort(401)
            if not user.role.includes(role):
                audit.record(
                    db(),
                    user,
                    "access.denied",
                    "endpoint",
                    request.endpoint,
                    {"path": request.path, "needs": role.value},
                )
                abort(403)
            return view(*args, **kwargs)

        wrapped.__dict__[ROLE_MARK] = role
        return cast(F, wrapped)

    return decorate


login_required = role_required(Role.SPECIALIST)
manager_required = role_required(Role.MANAGER)
admin_required = role_required(Role.ADMIN)


def public(view: F) -> F:
    """Mark a view as open to anonymous users on purpose."""
    view.__dict__[PUBLIC_MARK] = True
    return view


def ungated_endpoints(app: Flask) -> list[str]:
    """Endpoints neither public nor behind a role gate; create_app refuses to start with any."""
    return sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static"
        and ROLE_MARK not in view.__dict__
        and not view.__dict__.get(PUBLIC_MARK)
    )


def security_headers(response: Response) -> Response:
    """after_request: strict CSP, no framing, no caching of desk pages."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Install the hooks in the order they must run: user first, then CSRF."""
    app.before_request(load_user)
    csrf.init_app(app)
    app.after_request(security_headers)
    app.jinja_env.globals["current_user"] = current_user
    app.jinja_env.globals["previous_login"] = previous_login
    app.jinja_env.globals["Role"] = Role
