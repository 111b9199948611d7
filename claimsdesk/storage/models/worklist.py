"""Work queues: one work item per finding, its history and notes, write-offs awaiting approval,
patient-responsibility hand-offs to the self-pay stage, and users' teams.

Items carry copies of the finding columns the queue pages filter and sort on (kind, category,
payer, amount, deadline, claim) so a page of a million-claim desk never joins the findings
table to decide what to show; sync_work_items keeps the copies current.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from claimsdesk.storage.models.base import BIG_ID, Base
from claimsdesk.storage.models.ingest import JSON_DATA

STATUSES = ("open", "assigned", "in_progress", "pending", "pending_approval", "resolved", "closed")
OUTCOMES = (
    "appealed",
    "corrected_resubmitted",
    "billed_next_payer",
    "written_off",
    "moved_to_patient",
    "paid_on_recheck",
    "no_action_needed",
)
ACTIVE_STATUSES = ("assigned", "in_progress", "open", "pending", "pending_approval")
"""Statuses that still need work, sorted: queue pages and counts filter on exactly this list."""
ACTIVE_WHERE = "status IN ('assigned', 'in_progress', 'open', 'pending', 'pending_approval')"
WRITE_OFF_STATUSES = ("pending_approval", "posted", "rejected", "cancelled")
SCORE = Numeric(5, 2, asdecimal=True)


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _active(name: str, *columns: str) -> Index:
    """A partial index over active items only (resolved and closed ones pile up forever)."""
    where = text(ACTIVE_WHERE)
    return Index(name, *columns, postgresql_where=where, sqlite_where=where)


def _user_fk(*, index: bool = False) -> Any:
    """A user who acted; kept as NULL when the account is deleted (the name stays in a column)."""
    return mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=index
    )


class WorkItem(Base):
    """One finding to work, in one queue, with its priority and where it stands."""

    __tablename__ = "work_items"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(STATUSES)})", name="status"),
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_in(OUTCOMES)})", name="outcome"),
        # counts by queue and status; pages of one status: ORDER BY score DESC, id DESC
        Index("ix_work_items_queue_status_score", "queue", "status", "score", "id"),
        # queue pages of active work (the default), by priority and by deadline; all queues
        _active("ix_work_items_active_queue_score", "queue", "score", "id"),
        _active("ix_work_items_active_queue_deadline", "queue", "deadline", "id"),
        _active("ix_work_items_active_score", "score", "id"),
        # near deadlines across every queue (the manager's due page)
        _active("ix_work_items_active_deadline", "deadline", "id"),
        # list_queues and the backlog read only this index (no table rows)
        _active(
            "ix_work_items_active_summary",
            "queue",
            "status",
            "assignee_id",
            "opened_at",
            "amount",
            "past_deadline",
        ),
        # next_item: open items by score
        Index(
            "ix_work_items_open_score",
            "score",
            "id",
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
        # my items, backlog by user
        Index("ix_work_items_assignee_status", "assignee_id", "status"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("findings.id", ondelete="CASCADE"), unique=True
    )
    queue: Mapped[str] = mapped_column(String(48))
    team: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(32))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int | None] = _user_fk()
    score: Mapped[Decimal] = mapped_column(SCORE)
    score_parts: Mapped[dict[str, Any]] = mapped_column(JSON_DATA)
    past_deadline: Mapped[bool] = mapped_column(Boolean, server_default=false())
    scored_on: Mapped[dt.date] = mapped_column(Date)
    # copies of the finding (kept current by sync) for filters and sorting
    kind: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(48))
    payer_key: Mapped[str]
    payer_name: Mapped[str]
    patient_control_number: Mapped[str] = mapped_column(index=True)
    submitted_claim_id: Mapped[int | None] = mapped_column(BIG_ID, index=True)
    amount: Mapped[Decimal]
    codes: Mapped[list[str]] = mapped_column(JSON_DATA)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    follow_up_on: Mapped[dt.date | None] = mapped_column(Date)
    opened_at: Mapped[dt.datetime]  # when the finding was first found
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    assigned_at: Mapped[dt.datetime | None]
    resolved_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    reopened_at: Mapped[dt.datetime | None]
    reopen_count: Mapped[int] = mapped_column(Integer, server_default="0")
    version: Mapped[int] = mapped_column(Integer, server_default="1")  # bumped on every change


class WorkItemHistory(Base):
    """One change of a work item: who (NULL = the system), when, from -> to, and why."""

    __tablename__ = "work_item_history"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("work_items.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime]
    user_id: Mapped[int | None] = _user_fk()
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))  # assigned / started / resolved / closed ...
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON_DATA)


class WorkItemNote(Base):
    """A note a user left on a work item."""

    __tablename__ = "work_item_notes"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("work_items.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime]
    user_id: Mapped[int | None] = _user_fk()
    username: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)


class WriteOff(Base):
    """A write-off asked for on a work item: posted at once, or awaiting a manager's approval."""

    __tablename__ = "write_offs"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(WRITE_OFF_STATUSES)})", name="status"),
        Index("ix_write_offs_status", "status"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("work_items.id", ondelete="CASCADE"), index=True
    )
    submitted_claim_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("submitted_claims.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[Decimal]  # revenue given up (what the approval limit is measured against)
    posted_amount: Mapped[Decimal | None]  # ledger write-off: the part still open on the claim
    reason: Mapped[str] = mapped_column(String(32))  # WriteOffReason value
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    requested_by_id: Mapped[int | None] = _user_fk()
    requested_by: Mapped[str | None] = mapped_column(String(64))
    requested_at: Mapped[dt.datetime]
    decided_by_id: Mapped[int | None] = _user_fk()
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)


class SelfPayAccount(Base):
    """A claim whose balance was moved to the patient: the self-pay stage's inbox."""

    __tablename__ = "self_pay_accounts"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    submitted_claim_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("submitted_claims.id", ondelete="CASCADE"), unique=True
    )
    patient_id: Mapped[int | None] = mapped_column(
        BIG_ID, ForeignKey("patients.id", ondelete="SET NULL"), index=True
    )
    patient_control_number: Mapped[str] = mapped_column(index=True)
    amount: Mapped[Decimal]  # moved to the patient so far (every transfer added)
    reason: Mapped[str] = mapped_column(Text)  # of the last transfer
    status: Mapped[str] = mapped_column(String(16))  # new: not yet taken up by self-pay
    item_id: Mapped[int | None] = mapped_column(
        BIG_ID, ForeignKey("work_items.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = _user_fk()
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class TeamMember(Base):
    """A user works the queues of this team (a user in no team works every queue)."""

    __tablename__ = "team_members"

    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    team: Mapped[str] = mapped_column(String(48), primary_key=True)


__all__ = [
    "ACTIVE_STATUSES",
    "ACTIVE_WHERE",
    "OUTCOMES",
    "STATUSES",
    "WRITE_OFF_STATUSES",
    "SelfPayAccount",
    "TeamMember",
    "WorkItem",
    "WorkItemHistory",
    "WorkItemNote",
    "WriteOff",
]
