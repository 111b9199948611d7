"""The audit log: every sign-in, sign-out and change, who did it and when (UTC)."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from claimsdesk.storage.db import SQLITE_IMMEDIATE
from claimsdesk.storage.models.desk import AuditEvent, utcnow

T = TypeVar("T")
MAX_PER_PAGE = 200


class Actor(Protocol):
    """Anything with an id and a username can be named as the one who acted."""

    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str: ...


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit event as screens and reports read it."""

    id: int
    at: dt.datetime
    user_id: int | None
    username: str | None
    action: str
    object_type: str | None
    object_id: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What to narrow the log to; empty fields match everything."""

    username: str | None = None
    action: str | None = None  # exact name, or a prefix ending in "." such as "user."
    object_type: str | None = None
    object_id: str | None = None
    since: dt.datetime | None = None  # inclusive, aware UTC
    until: dt.datetime | None = None  # exclusive, aware UTC


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A page of results plus what a pager needs."""

    items: list[T]
    total: int
    page: int
    per_page: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        """Number of pages, at least one so 'page 1 of 1' reads right when empty."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """Whether a previous page exists."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a next page exists."""
        return self.page < self.pages


def _plain(details: dict[str, Any] | None) -> dict[str, Any]:
    """Make details JSON-safe (Decimal, date, enum become text) so the insert never fails."""
    return dict(json.loads(json.dumps(details or {}, default=str, sort_keys=True)))


def begin_write(session: Session) -> None:
    """Start a fresh write transaction; on SQLite, BEGIN IMMEDIATE waits for other writers.

    A request may already hold a read snapshot (the user lookup); writing on a stale SQLite
    snapshot fails at once with "database is locked", so that read is ended first. Services
    own their transactions, so nothing of the caller's is pending here.
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={SQLITE_IMMEDIATE: True})


def add_event(
    session: Session,
    user: Actor | None,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
    *,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Add an event to the caller's transaction; the caller commits with its own change."""
    if not action:
        raise ValueError("audit action is required")
    event = AuditEvent(
        at=at or utcnow(),
        user_id=user.id if user is not None else None,
        username=user.username if user is not None else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=_plain(details),
    )
    session.add(event)
    return event


def record(
    session: Session,
    user: Actor | None,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one event in its own transaction (sign-out, time-out, views that change nothing)."""
    try:
        begin_write(session)
        event = add_event(session, user, action, object_type, object_id, details)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return _entry(event)


def _entry(event: AuditEvent) -> AuditEntry:
    return AuditEntry(
        id=event.id,
        at=event.at,
        user_id=event.user_id,
        username=event.username,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        details=dict(event.details or {}),
    )


def _conditions(filters: AuditFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if filters.username:
        conds.append(AuditEvent.username == filters.username.strip().lower())
    if filters.action:
        if filters.action.endswith("."):
            conds.append(AuditEvent.action.startswith(filters.action, autoescape=True))
        else:
            conds.append(AuditEvent.action == filters.action)
    if filters.object_type:
        conds.append(AuditEvent.object_type == filters.object_type)
    if filters.object_id:
        conds.append(AuditEvent.object_id == filters.object_id)
    if filters.since:
        conds.append(AuditEvent.at >= filters.since)
    if filters.until:
        conds.append(AuditEvent.at < filters.until)
    return conds


def list_events(
    session: Session, filters: AuditFilter | None = None, page: int = 1, per_page: int = 50
) -> Page[AuditEntry]:
    """Newest first, filtered and paged, for the managers' audit screen."""
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    conds = _conditions(filters or AuditFilter())
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conds)) or 0
    page = min(max(page, 1), max(1, math.ceil(total / per_page)))
    rows = session.scalars(
        select(AuditEvent)
        .where(*conds)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(items=[_entry(e) for e in rows], total=total, page=page, per_page=per_page)


def action_names(session: Session) -> list[str]:
    """Distinct actions seen so far, for the filter's pick list."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
