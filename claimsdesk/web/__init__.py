"""The web desk: create_app builds the Flask app for specialists, managers and admins."""

from __future__ import annotations

import datetime as dt

from flask import Flask, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from claimsdesk.config import Settings
from claimsdesk.storage.db import engine_from_settings, make_session_factory, schema_is_current
from claimsdesk.web import security
from claimsdesk.web.csrf import CSRFError
from claimsdesk.web.db import EXTENSION, DeskState, close_db
from claimsdesk.web.screens import NavItem, all_screens
from claimsdesk.web.settings import WebSettings

__all__ = ["create_app", "schema_ready"]


def create_app(settings: Settings | None = None, web: WebSettings | None = None) -> Flask:
    """Build the app from settings (or the environment); no database work happens here."""
    settings = settings or Settings.from_env()
    web = web or WebSettings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=web.secret_key,
        SESSION_COOKIE_NAME="claimsdesk_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=web.cookie_secure,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        TEMPLATES_AUTO_RELOAD=web.demo,
    )
    engine = engine_from_settings(settings)
    app.extensions[EXTENSION] = DeskState(
        settings=settings,
        web=web,
        session_factory=make_session_factory(engine),
        dispose=engine.dispose,
    )
    app.teardown_appcontext(close_db)
    security.init_app(app)
    _register_screens(app)
    _register_templating(app)
    _register_errors(app)
    ungated = security.ungated_endpoints(app)
    if ungated:
        raise RuntimeError(f"views without a role gate or @public: {', '.join(ungated)}")
    return app


def _register_screens(app: Flask) -> None:
    """Blueprints in nav order; the nav list feeds the top bar."""
    nav: list[NavItem] = []
    for screen in all_screens():
        app.register_blueprint(screen.blueprint)
        nav.extend(screen.nav)
    app.extensions[EXTENSION + ".nav"] = tuple(nav)


def _utc(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """Times on the desk are shown in UTC, the way they are stored."""
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime(fmt)


def _register_templating(app: Flask) -> None:
    app.jinja_env.filters["utc"] = _utc

    @app.context_processor
    def _nav() -> dict[str, object]:
        user = security.current_user()
        items = app.extensions[EXTENSION + ".nav"]
        shown = [i for i in items if user is not None and user.role.includes(i.min_role)]
        return {"nav_items": shown, "demo_mode": app.extensions[EXTENSION].web.demo}


_TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    429: "Too many attempts",
}


_SERVER_ERROR = "The desk hit an unexpected error. It was logged; try again or tell an admin."


def _register_errors(app: Flask) -> None:
    """Errors render inside the desk layout; server errors never show internals."""

    @app.errorhandler(CSRFError)
    def _stale_form(exc: CSRFError) -> ResponseReturnValue:
        if request.endpoint == "auth.login":  # e.g. signed out in another tab: just retry
            flash("The sign-in form had expired. Please sign in again.", "warning")
            return redirect(url_for("auth.login", next=request.form.get("next")), code=303)
        return _http_error(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> ResponseReturnValue:
        code = exc.code or 500
        if code < 400:
            return exc
        title = _TITLES.get(code, "Something went wrong")
        message = exc.description if code < 500 else _SERVER_ERROR
        return render_template("error.html", code=code, title=title, message=message), code


def schema_ready(settings: Settings) -> bool:
    """Whether the database is at the newest migration, so the desk can serve."""
    engine = engine_from_settings(settings)
    try:
        return schema_is_current(engine)
    finally:
        engine.dispose()
