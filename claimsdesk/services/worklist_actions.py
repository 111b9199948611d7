"""What people do to work items: assign, start, follow up, note, resolve, reopen; and teams.

Each action is one transaction the service owns: begun fresh (BEGIN IMMEDIATE on SQLite),
the item row locked (FOR UPDATE on PostgreSQL), the transition checked, the row updated with
its version bumped (a stale version is a Conflict), a history row and an audit event added,
then committed. Any error rolls the whole action back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from claimsdesk.services import audit
from claimsdesk.services.users import Account
from claimsdesk.services.worklist_read import item_row
from claimsdesk.services.worklist_states import after_assign, check, reopened_status
from claimsdesk.services.worklist_types import (
    ACTION_OUTCOMES,
    BadInput,
    Conflict,
    ItemNotFound,
    ItemStatus,
    NotAllowed,
    NoteEntry,
    Outcome,
    WorkItemRow,
    plain,
)
from claimsdesk.storage.models.base import table_of, utcnow
from claimsdesk.storage.models.desk import Role, User
from claimsdesk.storage.models.worklist import WorkItem, WorkItemHistory, WorkItemNote

W, H, N = table_of(WorkItem), table_of(WorkItemHistory), table_of(WorkItemNote)
U = table_of(User)
MAX_NOTE = 4_000
MAX_FOLLOW_UP_DAYS = 365


@contextmanager
def writing(session: Session) -> Iterator[None]:
    """One write transaction begun fresh, committed at the end, rolled back on any error."""
    audit.begin_write(session)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def locked_item(session: Session, item_id: int) -> Any:
    """The item row, locked until the transaction ends (PostgreSQL; SQLite holds the lock)."""
    found = session.execute(select(W).where(W.c.id == item_id).with_for_update()).first()
    if found is None:
        raise ItemNotFound(f"No work item {item_id}.")
    return found


def expect_version(item: Any, expected: int | None) -> None:
    """Refuse to act on an item changed since the screen showed it."""
    if expected is not None and expected != item.version:
        raise Conflict(f"Item {item.id} was changed by someone else; reload it and try again.")


def user_row(session: Session, user_id: int) -> Any:
    """id, username, role, active of a user; ItemNotFound when unknown."""
    found = session.execute(
        select(U.c.id, U.c.username, U.c.role, U.c.active).where(U.c.id == user_id)
    ).first()
    if found is None:
        raise ItemNotFound(f"No user with id {user_id}.")
    return found


def is_manager(actor: Account) -> bool:
    """Managers and admins move work and approve write-offs."""
    return Role(actor.role).includes(Role.MANAGER)


def owner_or_manager(item: Any, actor: Account, what: str) -> None:
    """Only whoever has the item, or a manager, may work it."""
    if item.assignee_id == actor.id or is_manager(actor):
        return
    whose = "nobody yet; take it first" if item.assignee_id is None else "someone else"
    raise NotAllowed(f"Item {item.id} is assigned to {whose}: you cannot {what} it.")


def apply(
    session: Session,
    item: Any,
    actor: Account,
    action: str,
    to: ItemStatus,
    values: dict[str, Any],
    note: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Update the item (version-checked), add its history row and the audit event."""
    now = utcnow()
    changes = {**values, "status": to.value, "updated_at": now, "version": item.version + 1}
    stmt = update(W).where(W.c.id == item.id, W.c.version == item.version).values(changes)
    if session.connection().execute(stmt).rowcount != 1:
        raise Conflict(f"Item {item.id} was changed by someone else; reload it and try again.")
    extra = plain(details or {})
    session.connection().execute(
        insert(H).values(
            item_id=item.id,
            at=now,
            user_id=actor.id,
            username=actor.username,
            action=action,
            from_status=item.status,
            to_status=to.value,
            note=note,
            details=extra,
        )
    )
    audit.add_event(
        session,
        actor,
        f"worklist.{action}",
        "work_item",
        item.id,
        {"from": item.status, "to": to.value, "note": note, **extra},
    )


def assign(
    session: Session,
    item_id: int,
    to_user_id: int | None,
    *,
    by: Account,
    note: str = "",
    expected_version: int | None = None,
) -> WorkItemRow:
    """Give an item to a user (None = back to the queue). Specialists may only take unowned
    items for themselves or give back their own; managers move anything."""
    with writing(session):
        item = locked_item(session, item_id)
        expect_version(item, expected_version)
        check("unassign" if to_user_id is None else "assign", item.status, item.id)
        target = user_row(session, to_user_id) if to_user_id is not None else None
        if target is not None and not target.active:
            raise BadInput(f"{target.username} is deactivated and cannot be given work.")
        if to_user_id == item.assignee_id:
            raise BadInput(
                f"Item {item.id} is already with {target.username if target else 'the queue'}."
            )
        _may_assign(item, by, to_user_id)
        to = after_assign(item.status, to_user_id)
        values: dict[str, Any] = {
            "assignee_id": to_user_id,
            "assigned_at": utcnow() if to_user_id else None,
        }
        if to is ItemStatus.OPEN:
            values["follow_up_on"] = None
        verb = "unassigned" if target is None else "reassigned" if item.assignee_id else "assigned"
        text = note.strip() or (f"{verb} to {target.username}" if target else "back to the queue")
        apply(
            session,
            item,
            by,
            verb,
            to,
            values,
            text,
            {"from_user_id": item.assignee_id, "to_user_id": to_user_id},
        )
    return item_row(session, item_id)


reassign = assign
"""Same as assign: the name managers use for moving work."""


def _may_assign(item: Any, by: Account, to_user_id: int | None) -> None:
    """Managers move anything; a specialist takes free work or gives back their own."""
    if is_manager(by):
        return
    taking = to_user_id == by.id and item.assignee_id is None
    giving_back = to_user_id is None and item.assignee_id == by.id
    if not (taking or giving_back):
        raise NotAllowed("Only a manager may give work to someone else or take it from them.")


def start(
    session: Session, item_id: int, *, user: Account, expected_version: int | None = None
) -> WorkItemRow:
    """Start working an item (an open one is taken at the same time)."""
    with writing(session):
        item = locked_item(session, item_id)
        expect_version(item, expected_version)
        check("start", item.status, item.id)
        if item.assignee_id not in (None, user.id):
            raise NotAllowed(f"Item {item.id} is someone else's; a manager can reassign it.")
        values = {
            "assignee_id": user.id,
            "assigned_at": item.assigned_at or utcnow(),
            "follow_up_on": None,
        }
        apply(session, item, user, "started", ItemStatus.IN_PROGRESS, values, "started")
    return item_row(session, item_id)


def set_follow_up(
    session: Session,
    item_id: int,
    on: dt.date,
    *,
    user: Account,
    note: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> WorkItemRow:
    """Park an item until a date (waiting for the payer, a record, a call back)."""
    day = today or dt.date.today()
    if on <= day:
        raise BadInput(f"The follow-up date must be after today ({day.isoformat()}).")
    if on > day + dt.timedelta(days=MAX_FOLLOW_UP_DAYS):
        raise BadInput(f"The follow-up date must be within {MAX_FOLLOW_UP_DAYS} days.")
    with writing(session):
        item = locked_item(session, item_id)
        expect_version(item, expected_version)
        check("follow_up", item.status, item.id)
        owner_or_manager(item, user, "set a follow-up on")
        text = note.strip() or f"follow up on {on.isoformat()}"
        apply(
            session,
            item,
            user,
            "follow_up",
            ItemStatus.PENDING,
            {"follow_up_on": on},
            text,
            {"follow_up_on": on},
        )
    return item_row(session, item_id, today=day)


def add_note(session: Session, item_id: int, text: str, *, user: Account) -> NoteEntry:
    """Leave a note on an item (any status); the history and the audit log record it."""
    body = text.strip()
    if not body:
        raise BadInput("A note cannot be empty.")
    if len(body) > MAX_NOTE:
        raise BadInput(f"A note may be at most {MAX_NOTE} characters.")
    with writing(session):
        item = locked_item(session, item_id)
        now = utcnow()
        conn = session.connection()
        note_id = conn.execute(
            insert(N)
            .values(item_id=item.id, at=now, user_id=user.id, username=user.username, text=body)
            .returning(N.c.id)
        ).scalar_one()
        conn.execute(
            insert(H).values(
                item_id=item.id,
                at=now,
                user_id=user.id,
                username=user.username,
                action="note",
                from_status=item.status,
                to_status=item.status,
                note=body,
                details={"note_id": note_id},
            )
        )
        audit.add_event(session, user, "worklist.note", "work_item", item.id, {"note_id": note_id})
    return NoteEntry(note_id, now, user.username, body)


def resolve(
    session: Session,
    item_id: int,
    outcome: Outcome | str,
    *,
    user: Account,
    note: str = "",
    expected_version: int | None = None,
) -> WorkItemRow:
    """Settle an item with an outcome; write-offs and patient transfers go through
    account_actions, which post to the ledger."""
    done = _outcome(outcome)
    if done is Outcome.NO_ACTION_NEEDED and not note.strip():
        raise BadInput("Say why no action is needed.")
    with writing(session):
        item = locked_item(session, item_id)
        expect_version(item, expected_version)
        check("resolve", item.status, item.id)
        owner_or_manager(item, user, "resolve")
        values = {
            "outcome": done.value,
            "outcome_note": note.strip() or None,
            "resolved_at": utcnow(),
            "follow_up_on": None,
        }
        apply(
            session,
            item,
            user,
            "resolved",
            ItemStatus.RESOLVED,
            values,
            note.strip() or done.value.replace("_", " "),
            {"outcome": done.value},
        )
    return item_row(session, item_id)


def _outcome(outcome: Outcome | str) -> Outcome:
    """A resolve() outcome, or a BadInput naming the possible ones."""
    try:
        done = Outcome(outcome)
    except ValueError:
        names = ", ".join(o.value for o in Outcome if o not in ACTION_OUTCOMES)
        raise BadInput(f"Unknown outcome {outcome!r}; use one of {names}.") from None
    if done in ACTION_OUTCOMES:
        what = "write_off" if done is Outcome.WRITTEN_OFF else "transfer_to_patient"
        raise BadInput(f"Outcome {done.value} posts to the ledger: use {what} instead.")
    return done


def reopen(
    session: Session,
    item_id: int,
    *,
    user: Account,
    note: str,
    expected_version: int | None = None,
) -> WorkItemRow:
    """Take a resolved item back into work (to its last owner, else the queue)."""
    if not note.strip():
        raise BadInput("Say why the item is reopened.")
    with writing(session):
        item = locked_item(session, item_id)
        expect_version(item, expected_version)
        check("reopen", item.status, item.id)
        owner_or_manager(item, user, "reopen")
        owner = item.assignee_id
        if owner is not None and not user_row(session, owner).active:
            owner = None
        values = {
            "assignee_id": owner,
            "outcome": None,
            "outcome_note": None,
            "resolved_at": None,
            "reopened_at": utcnow(),
            "reopen_count": item.reopen_count + 1,
        }
        apply(session, item, user, "reopened", reopened_status(owner), values, note.strip())
    return item_row(session, item_id)


__all__ = [
    "add_note",
    "apply",
    "assign",
    "expect_version",
    "is_manager",
    "locked_item",
    "owner_or_manager",
    "reassign",
    "reopen",
    "resolve",
    "set_follow_up",
    "start",
    "user_row",
    "writing",
]
