"""What the work-queue services hand out: plain dataclasses, enums and errors, never ORM rows.

Every dataclass has to_dict() (JSON-ready: money as 2-decimal strings, dates ISO) so the web
screens and the JSON API can show them as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from typing import Any


class ItemStatus(StrEnum):
    """Where a work item stands."""

    OPEN = "open"  # in its queue, nobody has it
    ASSIGNED = "assigned"  # someone has it, not started
    IN_PROGRESS = "in_progress"
    PENDING = "pending"  # waiting for a follow-up date
    PENDING_APPROVAL = "pending_approval"  # a write-off above the limit awaits a manager
    RESOLVED = "resolved"  # worked, with an outcome; reopens when a remittance changes it
    CLOSED = "closed"  # the finding closed (e.g. a later remittance paid it)


ACTIVE = frozenset(
    {
        ItemStatus.OPEN,
        ItemStatus.ASSIGNED,
        ItemStatus.IN_PROGRESS,
        ItemStatus.PENDING,
        ItemStatus.PENDING_APPROVAL,
    }
)
"""Statuses that still need work: counted in queues and backlogs."""


class Outcome(StrEnum):
    """How a resolved item was settled."""

    APPEALED = "appealed"
    CORRECTED_RESUBMITTED = "corrected_resubmitted"
    BILLED_NEXT_PAYER = "billed_next_payer"
    WRITTEN_OFF = "written_off"  # only through account_actions.write_off
    MOVED_TO_PATIENT = "moved_to_patient"  # only through account_actions.transfer_to_patient
    PAID_ON_RECHECK = "paid_on_recheck"
    NO_ACTION_NEEDED = "no_action_needed"


ACTION_OUTCOMES = frozenset({Outcome.WRITTEN_OFF, Outcome.MOVED_TO_PATIENT})
"""Outcomes that post to the ledger, so resolve() refuses them: use account_actions."""


class WriteOffReason(StrEnum):
    """Why revenue is given up; reported by reason."""

    SMALL_BALANCE = "small_balance"
    TIMELY_FILING = "timely_filing"
    NO_AUTHORIZATION = "no_authorization"
    NOT_COVERED = "not_covered"
    APPEAL_EXHAUSTED = "appeal_exhausted"
    UNCOLLECTIBLE = "uncollectible"
    ADMINISTRATIVE = "administrative"


class WorklistError(ValueError):
    """A request the work-queue services refuse; the message is fit for the screen."""


class ItemNotFound(WorklistError):
    """No such work item, write-off or user (HTTP 404)."""


class NotAllowed(WorklistError):
    """The user's role or relation to the item does not allow this (HTTP 403)."""


class IllegalTransition(WorklistError):
    """Not possible from the item's current status (HTTP 409)."""


class Conflict(WorklistError):
    """Someone else changed the item first; reload and try again (HTTP 409)."""


class BadInput(WorklistError):
    """A value out of range: amount, date, empty note, unknown queue (HTTP 400)."""


def plain(value: Any) -> Any:
    """JSON-ready copy: Decimal as 2-place (money) or plain string, dates ISO, tuples as lists."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


class Plain:
    """to_dict() for dataclasses (nested ones included)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, Plain):
                out[f.name] = value.to_dict()
            elif isinstance(value, list | tuple) and value and isinstance(value[0], Plain):
                out[f.name] = [v.to_dict() for v in value]
            else:
                out[f.name] = plain(value)
        return out


@dataclass(frozen=True, slots=True)
class WorkItemRow(Plain):
    """One work item as queue pages, 'my items' and search show it."""

    id: int
    finding_id: int
    queue: str
    queue_title: str
    team: str
    status: str
    outcome: str | None
    assignee_id: int | None
    assignee: str | None  # username
    score: Decimal
    past_deadline: bool
    kind: str
    category: str
    claim: str  # patient control number
    submitted_claim_id: int | None
    payer_key: str
    payer_name: str
    amount: Decimal
    codes: tuple[str, ...]
    deadline: dt.date | None
    days_left: int | None  # to the deadline, as of the read (negative = past)
    follow_up_on: dt.date | None
    follow_up_due: bool  # pending and the follow-up date has come
    opened_at: dt.datetime
    updated_at: dt.datetime
    age_days: int  # since the finding was first found
    description: str
    action: str  # suggested next step (from the finding)
    version: int  # pass back to detect someone else's change


@dataclass(frozen=True, slots=True)
class AgeBucket(Plain):
    """Active items by age since first found: '0-30', '31-60', ... '181+'."""

    label: str
    count: int
    dollars: Decimal


@dataclass(frozen=True, slots=True)
class QueueSummary(Plain):
    """A queue's active work: counts by status, dollars, age buckets."""

    name: str
    title: str
    team: str
    description: str
    active: int
    unassigned: int
    dollars: Decimal
    past_deadline: int
    by_status: dict[str, int]
    ages: tuple[AgeBucket, ...]


@dataclass(frozen=True, slots=True)
class HistoryEntry(Plain):
    """One change of an item; user None = the system (sync)."""

    at: dt.datetime
    user: str | None
    action: str
    from_status: str | None
    to_status: str | None
    note: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NoteEntry(Plain):
    """A note on an item."""

    id: int
    at: dt.datetime
    user: str | None
    text: str


@dataclass(frozen=True, slots=True)
class WriteOffInfo(Plain):
    """A write-off asked for on an item, and what became of it."""

    id: int
    item_id: int
    submitted_claim_id: int
    claim: str
    amount: Decimal  # revenue given up
    posted_amount: Decimal | None  # ledger write-off (the part still open on the claim)
    reason: str
    note: str
    status: str  # pending_approval / posted / rejected / cancelled
    requested_by: str | None
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None


@dataclass(frozen=True, slots=True)
class ItemDetail(Plain):
    """Everything the item screen shows."""

    item: WorkItemRow
    finding: dict[str, Any]  # FindingItem.to_dict() of the finding
    priority: dict[str, Any]  # the score's parts, with "explanation" (list of sentences)
    history: tuple[HistoryEntry, ...]
    notes: tuple[NoteEntry, ...]
    write_offs: tuple[WriteOffInfo, ...]
    allowed: tuple[str, ...]  # actions possible from the current status
    claim_story: dict[str, Any] | None = None  # services.claim_story.claim_story(PCN)


@dataclass(frozen=True, slots=True)
class BacklogRow(Plain):
    """Active items of one queue held by one user (assignee None = unassigned)."""

    queue: str
    queue_title: str
    assignee_id: int | None
    assignee: str | None
    by_status: dict[str, int]
    count: int
    dollars: Decimal
    past_deadline: int
    oldest_opened_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """What a queue page shows; None = any. status: 'active' (default), 'all' or one status."""

    status: str = "active"
    assignee_id: int | None = None
    unassigned: bool = False
    payer: str | None = None  # payer id or part of the name
    kind: str | None = None
    category: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    past_deadline: bool | None = None
    deadline_within_days: int | None = None
    reopened: bool | None = None


SORTS = ("priority", "amount", "deadline", "age", "updated", "claim")
"""queue_items sort keys: priority (score, high first), amount (high first), deadline
(nearest first), age (oldest first), updated (latest first), claim (PCN)."""


@dataclass
class SyncCounts:
    """What one sync did to the work items."""

    created: int = 0
    updated: int = 0
    moved: int = 0
    closed: int = 0
    reopened: int = 0
    unchanged: int = 0

    def add(self, other: SyncCounts) -> None:
        """Sum a chunk's counts into these."""
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def to_dict(self) -> dict[str, int]:
        """JSON-ready."""
        return asdict(self)


__all__ = [
    "ACTION_OUTCOMES",
    "ACTIVE",
    "SORTS",
    "AgeBucket",
    "BacklogRow",
    "BadInput",
    "Conflict",
    "HistoryEntry",
    "IllegalTransition",
    "ItemDetail",
    "ItemFilter",
    "ItemNotFound",
    "ItemStatus",
    "NotAllowed",
    "NoteEntry",
    "Outcome",
    "Plain",
    "QueueSummary",
    "SyncCounts",
    "WorkItemRow",
    "WorklistError",
    "WriteOffInfo",
    "WriteOffReason",
    "plain",
]
