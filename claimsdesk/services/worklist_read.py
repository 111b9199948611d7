"""Reading the work queues: summaries, queue pages, my items, one item, backlog, search.

Queue pages filter and sort on work_items columns only (indexed: queue, status, score,
assignee) and join the findings and users tables by primary key for the rows shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from claimsdesk.services.audit import MAX_PER_PAGE, Page
from claimsdesk.services.claim_story import claim_story
from claimsdesk.services.findings_query import COLUMNS as FINDING_COLUMNS
from claimsdesk.services.findings_query import FindingItem
from claimsdesk.services.findings_store import FINDINGS
from claimsdesk.services.worklist_states import allowed_actions
from claimsdesk.services.worklist_sync import queue_book
from claimsdesk.services.worklist_types import (
    SORTS,
    BadInput,
    HistoryEntry,
    ItemDetail,
    ItemFilter,
    ItemNotFound,
    ItemStatus,
    NoteEntry,
    WorkItemRow,
    WriteOffInfo,
)
from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.desk import User
from claimsdesk.storage.models.worklist import (
    ACTIVE_STATUSES,
    WorkItem,
    WorkItemHistory,
    WorkItemNote,
    WriteOff,
)
from payer_rules.queues import QueueBook

F, W, U = FINDINGS.c, table_of(WorkItem), table_of(User)
H, N, WO = table_of(WorkItemHistory), table_of(WorkItemNote), table_of(WriteOff)


def active_term() -> ColumnElement[bool]:
    """status IN (active statuses) with the values written into the SQL, so both databases
    can prove the partial indexes' WHERE (SQLite cannot see through bound values)."""
    values: list[Any] = [
        bindparam(f"active_{i}", v, literal_execute=True) for i, v in enumerate(ACTIVE_STATUSES)
    ]
    return W.c.status.in_(values)


ROW_COLUMNS = (
    W.c.id, W.c.finding_id, W.c.queue, W.c.team, W.c.status, W.c.outcome, W.c.assignee_id,
    U.c.username, W.c.score, W.c.past_deadline, W.c.kind, W.c.category,
    W.c.patient_control_number, W.c.submitted_claim_id, W.c.payer_key, W.c.payer_name,
    W.c.amount, W.c.codes, W.c.deadline, W.c.follow_up_on, W.c.opened_at, W.c.updated_at,
    F.description, F.action, W.c.version,
)  # fmt: skip
COUNT_CAP = 10_000
"""Queue pages count at most this many items (and say when there are more)."""
ROW_FROM = W.join(FINDINGS, F.id == W.c.finding_id).outerjoin(U, U.c.id == W.c.assignee_id)


def _rows(query: Select[Any]) -> Select[Any]:
    """The row columns over work items, findings (by id) and assignees."""
    return query.add_columns(*ROW_COLUMNS).select_from(ROW_FROM)


def to_row(r: Any, book: QueueBook, today: dt.date) -> WorkItemRow:
    """A result row of ROW_COLUMNS as a WorkItemRow, with the day-relative fields."""
    queue = book.named(r.queue)
    follow = r.follow_up_on
    return WorkItemRow(
        id=r.id,
        finding_id=r.finding_id,
        queue=r.queue,
        queue_title=queue.title if queue else r.queue,
        team=r.team,
        status=r.status,
        outcome=r.outcome,
        assignee_id=r.assignee_id,
        assignee=r.username,
        score=r.score,
        past_deadline=bool(r.past_deadline),
        kind=r.kind,
        category=r.category,
        claim=r.patient_control_number,
        submitted_claim_id=r.submitted_claim_id,
        payer_key=r.payer_key,
        payer_name=r.payer_name,
        amount=r.amount,
        codes=tuple(r.codes or ()),
        deadline=r.deadline,
        days_left=(r.deadline - today).days if r.deadline else None,
        follow_up_on=follow,
        follow_up_due=r.status == ItemStatus.PENDING.value
        and follow is not None
        and follow <= today,
        opened_at=r.opened_at,
        updated_at=r.updated_at,
        age_days=max(0, (today - r.opened_at.date()).days),
        description=r.description,
        action=r.action,
        version=r.version,
    )


def item_row(
    session: Session, item_id: int, *, today: dt.date | None = None, queues: QueueBook | None = None
) -> WorkItemRow:
    """One item as a row; ItemNotFound when there is none."""
    found = session.execute(_rows(select()).where(W.c.id == item_id)).first()
    if found is None:
        raise ItemNotFound(f"No work item {item_id}.")
    return to_row(found, queues or queue_book(), today or dt.date.today())


def rows_for(
    session: Session, ids: Iterable[int], today: dt.date, book: QueueBook
) -> list[WorkItemRow]:
    """Rows for these item ids (any order)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    found = session.execute(_rows(select()).where(W.c.id.in_(wanted))).all()
    return [to_row(r, book, today) for r in found]


# --------------------------------------------------------------------------- queue pages


def queue_items(
    session: Session,
    queue: str | None,
    *,
    page: int = 1,
    per_page: int = 50,
    filters: ItemFilter | None = None,
    sort: str = "priority",
    today: dt.date | None = None,
    queues: QueueBook | None = None,
) -> Page[WorkItemRow]:
    """A page of one queue (None = every queue), filtered and sorted (SORTS).

    The total is counted up to COUNT_CAP (page.extra["capped"] says when there are more):
    counting every active item of a big queue costs more than the page itself."""
    book = queues or queue_book()
    if queue is not None and book.named(queue) is None:
        raise BadInput(f"Unknown queue {queue!r}; queues: {', '.join(book.names)}.")
    if sort not in SORTS:
        raise BadInput(f"Unknown sort {sort!r}; use one of {', '.join(SORTS)}.")
    day = today or dt.date.today()
    terms = _conditions(filters or ItemFilter(), day)
    if queue is not None:
        terms.insert(0, W.c.queue == queue)
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    counted = select(W.c.id).where(*terms).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    page = min(max(page, 1), max(1, -(-total // per_page)))
    ids = session.scalars(
        select(W.c.id)
        .where(*terms)
        .order_by(*_order(sort))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    found = {r.id: r for r in rows_for(session, ids, day, book)}
    rows = [found[i] for i in ids if i in found]
    return Page(items=rows, total=total, page=page, per_page=per_page, extra={"capped": capped})


def _conditions(f: ItemFilter, today: dt.date) -> list[ColumnElement[bool]]:
    """WHERE terms of a filter, on work_items columns only."""
    terms: list[ColumnElement[bool]] = []
    if f.status == "active":
        terms.append(active_term())
    elif f.status != "all":
        try:
            terms.append(W.c.status == ItemStatus(f.status).value)
        except ValueError:
            names = ", ".join(["active", "all", *(s.value for s in ItemStatus)])
            raise BadInput(f"Unknown status {f.status!r}; use one of {names}.") from None
    if f.unassigned:
        terms.append(W.c.assignee_id.is_(None))
    elif f.assignee_id is not None:
        terms.append(W.c.assignee_id == f.assignee_id)
    for column, value in ((W.c.kind, f.kind), (W.c.category, f.category)):
        if value:
            terms.append(column == value)
    if f.payer:
        text = f.payer.strip()
        keys = (text, f"id:{text}", text.upper(), f"id:{text.upper()}")
        name = func.lower(W.c.payer_name).contains(text.lower(), autoescape=True)
        terms.append(or_(W.c.payer_key.in_(keys), name))
    if f.min_amount is not None:
        terms.append(W.c.amount >= f.min_amount)
    if f.max_amount is not None:
        terms.append(W.c.amount <= f.max_amount)
    if f.past_deadline is not None:
        terms.append(W.c.past_deadline.is_(f.past_deadline))
    if f.deadline_within_days is not None:
        terms.append(W.c.deadline <= today + dt.timedelta(days=f.deadline_within_days))
        if f.past_deadline is False:  # a range the deadline index serves
            terms.append(W.c.deadline >= today)
    if f.reopened is not None:
        terms.append(W.c.reopened_at.is_not(None) if f.reopened else W.c.reopened_at.is_(None))
    return terms


def _order(sort: str) -> tuple[Any, ...]:
    """ORDER BY of a sort key; ties by id so pages never overlap."""
    return {
        "priority": (W.c.score.desc(), W.c.id.desc()),
        "amount": (W.c.amount.desc(), W.c.id.desc()),
        "deadline": (W.c.deadline.asc().nulls_last(), W.c.id),
        "age": (W.c.opened_at, W.c.id),
        "updated": (W.c.updated_at.desc(), W.c.id.desc()),
        "claim": (W.c.patient_control_number, W.c.id),
    }[sort]


def my_items(
    session: Session, user_id: int, *, today: dt.date | None = None, limit: int = 500
) -> list[WorkItemRow]:
    """A user's active items: follow-ups due first, then in progress, assigned, waiting."""
    day = today or dt.date.today()
    terms = (W.c.assignee_id == user_id, active_term())
    found = session.execute(_rows(select()).where(*terms).limit(limit)).all()
    rows = [to_row(r, queue_book(), day) for r in found]
    rank = {"in_progress": 1, "assigned": 2, "pending": 3, "pending_approval": 4}
    return sorted(rows, key=lambda r: (0 if r.follow_up_due else rank.get(r.status, 5), -r.score))


# --------------------------------------------------------------------------- one item


def item_detail(session: Session, item_id: int, *, today: dt.date | None = None) -> ItemDetail:
    """The item, its finding, the claim's story, history, notes, write-offs and score parts."""
    row = item_row(session, item_id, today=today)
    finding = session.execute(select(*FINDING_COLUMNS).where(F.id == row.finding_id)).one()
    parts = session.scalar(select(W.c.score_parts).where(W.c.id == item_id)) or {}
    return ItemDetail(
        item=row,
        finding=FindingItem(*tuple(finding)).to_dict(),
        priority=dict(parts),
        history=tuple(history_of(session, item_id)),
        notes=tuple(notes_of(session, item_id)),
        write_offs=tuple(write_offs_of(session, [item_id])),
        allowed=allowed_actions(row.status),
        claim_story=claim_story(session, row.claim),
    )


def history_of(session: Session, item_id: int) -> list[HistoryEntry]:
    """An item's history, oldest first."""
    query = select(H).where(H.c.item_id == item_id).order_by(H.c.at, H.c.id)
    return [
        HistoryEntry(
            r.at, r.username, r.action, r.from_status, r.to_status, r.note, dict(r.details or {})
        )
        for r in session.execute(query)
    ]


def notes_of(session: Session, item_id: int) -> list[NoteEntry]:
    """An item's notes, oldest first."""
    query = select(N).where(N.c.item_id == item_id).order_by(N.c.at, N.c.id)
    return [NoteEntry(r.id, r.at, r.username, r.text) for r in session.execute(query)]


def write_offs_of(
    session: Session, item_ids: Sequence[int] | None, *, status: str | None = None
) -> list[WriteOffInfo]:
    """Write-offs of these items (None = all), optionally of one status, oldest first."""
    query = select(WO, W.c.patient_control_number).join(W, W.c.id == WO.c.item_id)
    if item_ids is not None:
        query = query.where(WO.c.item_id.in_(item_ids))
    if status is not None:
        query = query.where(WO.c.status == status)
    return [
        WriteOffInfo(
            r.id,
            r.item_id,
            r.submitted_claim_id,
            r.patient_control_number,
            r.amount,
            r.posted_amount,
            r.reason,
            r.note,
            r.status,
            r.requested_by,
            r.requested_at,
            r.decided_by,
            r.decided_at,
            r.decision_note,
        )
        for r in session.execute(query.order_by(WO.c.requested_at, WO.c.id))
    ]


__all__ = [
    "active_term",
    "history_of",
    "item_detail",
    "item_row",
    "my_items",
    "notes_of",
    "queue_items",
    "rows_for",
    "to_row",
    "write_offs_of",
]
