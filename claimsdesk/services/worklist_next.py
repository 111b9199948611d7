"""next_item: hand a specialist the highest-priority open item of their queues, atomically.

PostgreSQL: SELECT ... ORDER BY score DESC LIMIT 1 FOR UPDATE SKIP LOCKED, so two people
asking at the same instant lock different rows and neither waits. SQLite: the transaction
begins with BEGIN IMMEDIATE (one writer at a time), and on both the hand-out is a conditional
UPDATE ... WHERE status = 'open' AND assignee_id IS NULL whose row count is checked: an item
is never handed twice, whatever the isolation level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from claimsdesk.services import audit
from claimsdesk.services.users import Account
from claimsdesk.services.worklist_actions import writing
from claimsdesk.services.worklist_read import item_row
from claimsdesk.services.worklist_sync import queue_book
from claimsdesk.services.worklist_teams import user_queues
from claimsdesk.services.worklist_types import BadInput, ItemStatus, WorkItemRow
from claimsdesk.storage.models.base import table_of, utcnow
from claimsdesk.storage.models.worklist import WorkItem, WorkItemHistory

W, H = table_of(WorkItem), table_of(WorkItemHistory)
OPEN = ItemStatus.OPEN.value
ATTEMPTS = 5  # candidates tried when another session took the one we saw (PostgreSQL)


def next_item(
    session: Session,
    user: Account,
    *,
    queues: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> WorkItemRow | None:
    """Assign the best open item of these queues (default: the user's teams' queues, or
    every queue) to the user and return it; None when nothing is waiting."""
    names = _queues(session, user, queues)
    with writing(session):
        item_id = _take(session, user, names)
    if item_id is None:
        return None
    return item_row(session, item_id, today=today)


def _queues(
    session: Session, user: Account, queues: Sequence[str] | None
) -> tuple[str, ...] | None:
    """The queue names to draw from (None = all), checked against queues.toml."""
    if queues is None:
        return user_queues(session, user.id)
    book = queue_book()
    unknown = [q for q in queues if book.named(q) is None]
    if unknown:
        raise BadInput(f"Unknown queue {unknown[0]!r}; queues: {', '.join(book.names)}.")
    return tuple(queues)


def _take(session: Session, user: Account, names: tuple[str, ...] | None) -> int | None:
    """Lock a candidate, hand it out with a conditional update; retry if it was taken."""
    conn = session.connection()
    skip_locked = conn.dialect.name == "postgresql"
    for _ in range(ATTEMPTS):
        candidate = _candidate(session, names, skip_locked)
        if candidate is None:
            return None
        now = utcnow()
        handed = conn.execute(
            update(W)
            .where(W.c.id == candidate.id, W.c.status == OPEN, W.c.assignee_id.is_(None))
            .values(
                status=ItemStatus.ASSIGNED.value,
                assignee_id=user.id,
                assigned_at=now,
                updated_at=now,
                version=W.c.version + 1,
            )
        )
        if handed.rowcount == 1:
            _record(session, user, candidate, now)
            return int(candidate.id)
    return None


def _candidate(session: Session, names: tuple[str, ...] | None, skip_locked: bool) -> Any:
    """The best open item (id, queue), locked on PostgreSQL with SKIP LOCKED."""
    query = select(W.c.id, W.c.queue, W.c.score).where(W.c.status == OPEN)
    if names is not None:
        if not names:
            return None
        query = query.where(W.c.queue.in_(names))
    query = query.order_by(W.c.score.desc(), W.c.id.desc()).limit(1)
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return session.execute(query).first()


def _record(session: Session, user: Account, candidate: Any, now: dt.datetime) -> None:
    """History row and audit event of a hand-out."""
    note = f"handed out by next item (score {candidate.score})"
    session.connection().execute(
        insert(H).values(
            item_id=candidate.id,
            at=now,
            user_id=user.id,
            username=user.username,
            action="assigned",
            from_status=OPEN,
            to_status=ItemStatus.ASSIGNED.value,
            note=note,
            details={"via": "next", "queue": candidate.queue},
        )
    )
    audit.add_event(
        session,
        user,
        "worklist.next",
        "work_item",
        candidate.id,
        {"queue": candidate.queue, "score": str(candidate.score)},
    )


__all__ = ["next_item"]
