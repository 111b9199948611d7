"""next_item under contention: 8 specialists x 50 calls at once, on SQLite and PostgreSQL.

Findings are inserted straight into the findings table (as the analysis writes them), synced
into work items, then eight threads with their own sessions ask for work behind a barrier.
Every item must be handed out exactly once, to exactly the caller that got it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker
from worklistkit import account

from claimsdesk.services import worklist
from claimsdesk.services.findings_store import FINDINGS
from claimsdesk.services.users import Account
from claimsdesk.storage.models.base import utcnow
from claimsdesk.storage.models.worklist import WorkItem, WorkItemHistory

WORKERS, CALLS, ITEMS = 8, 50, 300
DAY = dt.date(2026, 7, 1)
CATEGORIES = ("eligibility", "authorization", "medical_necessity", "other")


def seed(sessions: sessionmaker[Session]) -> None:
    """ITEMS open denial findings with varied amounts and deadlines, synced to work items."""
    now = utcnow()
    rows = [
        {
            "fingerprint": f"{n:040d}", "rule": "denial", "kind": "denial",
            "category": CATEGORIES[n % 4], "subject": f"claim:{n}", "submitted_claim_id": None,
            "claim_line_id": None, "claim_payment_id": None,
            "patient_control_number": f"WCC26{n:04d}", "payer_key": "SXBLW",
            "payer_name": "BLUEWATER HEALTH PLAN", "amount": Decimal(10 + (n * 37) % 2000),
            "codes": ["CO-16"], "evidence": {}, "description": "synthetic", "action": "work it",
            "deadline": DAY + dt.timedelta(days=n % 120), "status": "open",
            "closed_reason": None, "closed_at": None, "created_at": now, "updated_at": now,
        }
        for n in range(ITEMS)
    ]  # fmt: skip
    with sessions() as session:
        session.execute(insert(FINDINGS), rows)
        counts = worklist.sync_work_items(session, today=DAY)
        session.commit()
    assert counts.created == ITEMS


def test_no_item_is_handed_out_twice(session_factory: sessionmaker[Session]) -> None:
    seed(session_factory)
    people = [account(session_factory, f"worker{i}") for i in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)
    handed: dict[str, list[int]] = {p.username: [] for p in people}
    empty: Counter[str] = Counter()
    errors: list[BaseException] = []

    def work(user: Account) -> None:
        try:
            with session_factory() as session:
                barrier.wait()
                for _ in range(CALLS):
                    got = worklist.next_item(session, user, today=DAY)
                    if got is None:
                        empty[user.username] += 1
                    else:
                        assert got.assignee == user.username
                        handed[user.username].append(got.id)
        except BaseException as exc:  # reported below, with the thread's failure
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    ids = [i for got in handed.values() for i in got]
    assert len(ids) == len(set(ids)) == ITEMS  # every item once, none twice
    assert sum(empty.values()) == WORKERS * CALLS - ITEMS
    with session_factory() as session:
        by_user = dict(session.execute(
            select(WorkItem.assignee_id, func.count()).group_by(WorkItem.assignee_id)).all())  # fmt: skip
        statuses = set(session.scalars(select(WorkItem.status)))
        handouts = session.scalar(
            select(func.count()).select_from(WorkItemHistory).where(WorkItemHistory.action == "assigned"))  # fmt: skip
    assert statuses == {"assigned"} and handouts == ITEMS
    got_some = {p.id: len(handed[p.username]) for p in people if handed[p.username]}
    assert got_some == by_user  # a starved worker (SQLite lock waits) simply has no row


def test_highest_priority_first(session_factory: sessionmaker[Session]) -> None:
    seed(session_factory)
    user = account(session_factory, "solo")
    with session_factory() as session:
        best = worklist.queue_items(session, None, per_page=3, today=DAY).items
        got = [worklist.next_item(session, user, today=DAY) for _ in range(3)]
    assert [g.id for g in got if g] == [b.id for b in best]
    assert best[0].score >= best[1].score >= best[2].score
