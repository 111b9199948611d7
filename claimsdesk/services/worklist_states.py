"""The work-item lifecycle: which action is possible from which status, and what follows.

open -> assigned -> in_progress -> pending (follow-up date) -> resolved (outcome); a write-off
above the approval limit waits in pending_approval; resolved items reopen when a later
remittance changes the finding; any item closes when its finding closes (the system does
that, never a user). Refusals name the item, its status and what to do instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from claimsdesk.services.worklist_types import IllegalTransition, ItemStatus

S = ItemStatus
WORKING = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.PENDING})

ALLOWED: Mapping[str, frozenset[ItemStatus]] = MappingProxyType(
    {
        "assign": frozenset({S.OPEN, *WORKING, S.PENDING_APPROVAL}),
        "unassign": WORKING,
        "start": frozenset({S.OPEN, S.ASSIGNED, S.PENDING}),
        "follow_up": WORKING,
        "resolve": WORKING,
        "reopen": frozenset({S.RESOLVED}),
        "write_off": WORKING,
        "transfer_to_patient": WORKING,
        "approve_write_off": frozenset({S.PENDING_APPROVAL}),
        "reject_write_off": frozenset({S.PENDING_APPROVAL}),
        "note": frozenset(S),
    }
)
"""Action -> statuses it may start from."""

VERBS = {
    "assign": "assign",
    "unassign": "put back in the queue",
    "start": "start",
    "follow_up": "set a follow-up date on",
    "resolve": "resolve",
    "reopen": "reopen",
    "write_off": "write off",
    "transfer_to_patient": "transfer to patient responsibility",
    "approve_write_off": "approve a write-off on",
    "reject_write_off": "reject a write-off on",
    "note": "add a note to",
}

HINTS = {
    S.OPEN: "take it first (next item, or assign it)",
    S.IN_PROGRESS: "it is already in progress",
    S.RESOLVED: "reopen it first",
    S.CLOSED: "its finding is closed, so nothing is left to work",
    S.PENDING_APPROVAL: "a write-off on it awaits a manager's approval; approve or reject it first",
}


def check(action: str, status: str, item_id: int) -> None:
    """Raise IllegalTransition unless `action` is possible from `status`."""
    current = ItemStatus(status)
    if current in ALLOWED[action]:
        return
    hint = HINTS.get(current, "")
    pretty = current.value.replace("_", " ")
    raise IllegalTransition(
        f"Item {item_id} is {pretty}: cannot {VERBS[action]} it" + (f"; {hint}." if hint else ".")
    )


def allowed_actions(status: str) -> tuple[str, ...]:
    """Actions possible from a status, for the item screen's buttons."""
    current = ItemStatus(status)
    return tuple(action for action, froms in ALLOWED.items() if current in froms)


def after_assign(status: str, to_user: int | None) -> ItemStatus:
    """Status after (re)assignment: open when unassigned, pending items keep waiting."""
    if to_user is None:
        return S.OPEN
    current = ItemStatus(status)
    if current in (S.PENDING, S.PENDING_APPROVAL):
        return current
    return S.ASSIGNED


def reopened_status(assignee_id: int | None) -> ItemStatus:
    """A reopened item goes back to whoever had it, else to the queue."""
    return S.ASSIGNED if assignee_id is not None else S.OPEN


__all__ = [
    "ALLOWED",
    "after_assign",
    "allowed_actions",
    "check",
    "reopened_status",
]
