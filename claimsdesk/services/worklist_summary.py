"""Manager views of the queues: active counts, dollars and age buckets per queue, and the
backlog per queue and user. One GROUP BY over active items each (indexed by queue, status).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from claimsdesk.services.worklist_read import active_term
from claimsdesk.services.worklist_sync import queue_book
from claimsdesk.services.worklist_types import AgeBucket, BacklogRow, QueueSummary
from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.desk import User
from claimsdesk.storage.models.worklist import WorkItem
from payer_rules.queues import QueueBook

W, U = table_of(WorkItem), table_of(User)
AGE_BUCKETS = ((0, 30, "0-30"), (31, 60, "31-60"), (61, 90, "61-90"), (91, 180, "91-180"))
OLDEST = "181+"
ZERO = Decimal("0.00")


def list_queues(
    session: Session, *, today: dt.date | None = None, queues: QueueBook | None = None
) -> list[QueueSummary]:
    """Every queue (in evaluation order) with its active counts, dollars and age buckets.

    One pass grouped by (queue, status) in index order; the age buckets are running sums
    ("opened since day N") taken apart afterwards, so no per-row bucket label is grouped."""
    book = queues or queue_book()
    since = _bucket_starts(today or dt.date.today())
    younger = [func.sum(case((W.c.opened_at >= when, 1), else_=0)) for when in since]
    younger_dollars = [
        func.sum(case((W.c.opened_at >= when, W.c.amount), else_=0)) for when in since
    ]
    query = (
        select(
            W.c.queue,
            W.c.status,
            func.count(),
            func.sum(W.c.amount),
            func.sum(case((W.c.past_deadline.is_(True), 1), else_=0)),
            func.sum(case((W.c.assignee_id.is_(None), 1), else_=0)),
            *younger,
            *younger_dollars,
        )
        .where(active_term())
        .group_by(W.c.queue, W.c.status)
    )
    acc: dict[str, dict[str, Any]] = defaultdict(_empty_summary)
    for row in session.execute(query):
        name, status, count, dollars, past, unassigned, *runs = row
        s = acc[name]
        s["active"] += count
        s["unassigned"] += unassigned or 0
        s["dollars"] += dollars or ZERO
        s["past"] += past or 0
        s["status"][status] += count
        _add_ages(s["ages"], count, dollars or ZERO, runs)
    names = list(book.names) + sorted(set(acc) - set(book.names))  # a queue since removed
    return [_summary(name, book, acc[name]) for name in names]


def _bucket_starts(today: dt.date) -> list[dt.datetime]:
    """Opened at or after these instants = younger than each bucket's upper bound."""
    start = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)
    return [start - dt.timedelta(days=high + 1) for _, high, _ in AGE_BUCKETS]


def _add_ages(ages: dict[str, list[Any]], count: int, dollars: Decimal, runs: list[Any]) -> None:
    """Running sums (younger than each bound) back into per-bucket counts and dollars."""
    n = len(AGE_BUCKETS)
    counts = [int(c or 0) for c in runs[:n]] + [count]
    money = [Decimal(d or 0) for d in runs[n:]] + [dollars]
    labels = [label for *_, label in AGE_BUCKETS] + [OLDEST]
    for i, label in enumerate(labels):
        ages[label][0] += counts[i] - (counts[i - 1] if i else 0)
        ages[label][1] += money[i] - (money[i - 1] if i else ZERO)


def _empty_summary() -> dict[str, Any]:
    labels = [label for *_, label in AGE_BUCKETS] + [OLDEST]
    return {
        "active": 0,
        "unassigned": 0,
        "dollars": Decimal("0.00"),
        "past": 0,
        "status": defaultdict(int),
        "ages": {label: [0, Decimal("0.00")] for label in labels},
    }


def _summary(name: str, book: QueueBook, s: dict[str, Any]) -> QueueSummary:
    queue = book.named(name)
    ages = tuple(AgeBucket(label, c, d) for label, (c, d) in s["ages"].items())
    return QueueSummary(
        name=name,
        title=queue.title if queue else name,
        team=queue.team if queue else "",
        description=queue.description if queue else "no longer in queues.toml",
        active=s["active"],
        unassigned=s["unassigned"],
        dollars=s["dollars"],
        past_deadline=s["past"],
        by_status=dict(s["status"]),
        ages=ages,
    )


def backlog_by_queue_and_user(
    session: Session, *, queues: QueueBook | None = None
) -> list[BacklogRow]:
    """Active items per queue and assignee (None = unassigned), for the manager view."""
    book = queues or queue_book()
    query = (
        select(
            W.c.queue,
            W.c.assignee_id,
            W.c.status,
            func.count(),
            func.sum(W.c.amount),
            func.sum(case((W.c.past_deadline.is_(True), 1), else_=0)),
            func.min(W.c.opened_at),
        )
        .where(active_term())
        .group_by(W.c.queue, W.c.assignee_id, W.c.status)
    )
    found = session.execute(query).all()
    ids = sorted({r.assignee_id for r in found if r.assignee_id is not None})
    names = dict(session.execute(select(U.c.id, U.c.username).where(U.c.id.in_(ids))).all())
    acc: dict[tuple[str, int | None], dict[str, Any]] = {}
    for queue, user_id, status, count, dollars, past, oldest in found:
        row = acc.setdefault((queue, user_id), {"user": names.get(user_id), "status": {},
                             "count": 0, "dollars": ZERO, "past": 0, "oldest": None})  # fmt: skip
        row["status"][status] = count
        row["count"] += count
        row["dollars"] += dollars or Decimal("0")
        row["past"] += past or 0
        row["oldest"] = oldest if row["oldest"] is None else min(row["oldest"], oldest)
    order = {name: i for i, name in enumerate(book.names)}
    keys = sorted(acc, key=lambda k: (order.get(k[0], len(order)), k[1] is not None, k[1] or 0))
    return [_backlog(k, acc[k], book) for k in keys]


def _backlog(key: tuple[str, int | None], row: dict[str, Any], book: QueueBook) -> BacklogRow:
    queue = book.named(key[0])
    return BacklogRow(
        queue=key[0],
        queue_title=queue.title if queue else key[0],
        assignee_id=key[1],
        assignee=row["user"],
        by_status=row["status"],
        count=row["count"],
        dollars=row["dollars"],
        past_deadline=row["past"],
        oldest_opened_at=row["oldest"],
    )


__all__ = ["AGE_BUCKETS", "backlog_by_queue_and_user", "list_queues"]
