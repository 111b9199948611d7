"""CSRF protection: one secret per session, checked on every state-changing request."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request, session
from werkzeug.exceptions import BadRequest

SESSION_KEY = "_csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_EXEMPT_KEY = "claimsdesk.csrf_exempt"

F = TypeVar("F", bound=Callable[..., Any])


class CSRFError(BadRequest):
    """The form's token was missing or stale; the page says to reload and retry."""

    description = (
        "This form has expired or was not sent by the desk. Reload the page and try again."
    )


def csrf_token() -> str:
    """The session's token, made on first use; templates put it in every form."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def rotate() -> str:
    """A fresh token at sign-in and sign-out, so a token seen before cannot be reused."""
    session.pop(SESSION_KEY, None)
    return csrf_token()


def is_valid(submitted: str | None) -> bool:
    """Compare in constant time against the session's token."""
    expected = session.get(SESSION_KEY)
    if not submitted or not isinstance(expected, str) or not expected:
        return False
    return hmac.compare_digest(submitted.encode("utf-8"), expected.encode("utf-8"))


def exempt(view: F) -> F:
    """Mark a view that authenticates otherwise (bearer token) as needing no CSRF token."""
    view.__dict__[_EXEMPT_KEY] = True
    return view


def check() -> None:
    """before_request hook: refuse unsafe methods without a matching token."""
    if request.method in SAFE_METHODS:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and view.__dict__.get(_EXEMPT_KEY):
        return
    submitted = request.form.get(FORM_FIELD) or request.headers.get(HEADER)
    if not is_valid(submitted):
        raise CSRFError()


def init_app(app: Flask) -> None:
    """Install the check and the `csrf_token()` template helper."""
    app.before_request(check)
    app.jinja_env.globals["csrf_token"] = csrf_token
