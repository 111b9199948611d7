"""One database session per request, opened on first use and closed at teardown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy.orm import Session

from claimsdesk.web.settings import WebSettings

EXTENSION = "claimsdesk"


@dataclass(frozen=True, slots=True)
class DeskState:
    """What create_app keeps on the app: settings and how to open a session."""

    settings: object  # claimsdesk.config.Settings
    web: WebSettings
    session_factory: Callable[[], Session]
    dispose: Callable[[], None]  # closes the engine's pool (tests, server shutdown)


def state() -> DeskState:
    """The running app's desk state."""
    desk: DeskState = current_app.extensions[EXTENSION]
    return desk


def db() -> Session:
    """The request's session; services commit or roll back, teardown closes it."""
    if "db_session" not in g:
        g.db_session = state().session_factory()
    session: Session = g.db_session
    return session


def close_db(_exc: BaseException | None = None) -> None:
    """Teardown: close the session (rolling back anything a service left open)."""
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
