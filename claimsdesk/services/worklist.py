"""Work queues of the denial desk: the one module the web screens, the JSON API and the CLI use.

Findings become work items (one per finding) routed by payer_rules/queues.toml and scored by
domain.priority; specialists take them with next_item, work them (start, follow-up, notes,
resolve) and managers watch (list_queues, backlog_by_queue_and_user) and move work (assign).
Account actions that post to the ledger (write-off, transfer to the patient) live in
claimsdesk.services.account_actions. Everything returned is a plain dataclass with to_dict().

Transactions: every user action commits its own transaction and rolls back on any error;
sync_work_items runs inside the caller's transaction (the import's or the
CLI's), as the analysis does.
"""

from __future__ import annotations

from claimsdesk.services.audit import Page
from claimsdesk.services.worklist_actions import (
    add_note,
    assign,
    reassign,
    reopen,
    resolve,
    set_follow_up,
    start,
)
from claimsdesk.services.worklist_next import next_item
from claimsdesk.services.worklist_read import item_detail, item_row, my_items, queue_items
from claimsdesk.services.worklist_search import search
from claimsdesk.services.worklist_states import allowed_actions
from claimsdesk.services.worklist_summary import backlog_by_queue_and_user, list_queues
from claimsdesk.services.worklist_sync import (
    after_file,
    make_after_file,
    queue_book,
    sync_work_items,
)
from claimsdesk.services.worklist_teams import known_teams, set_teams, user_queues, user_teams
from claimsdesk.services.worklist_types import (
    ACTIVE,
    SORTS,
    AgeBucket,
    BacklogRow,
    BadInput,
    Conflict,
    HistoryEntry,
    IllegalTransition,
    ItemDetail,
    ItemFilter,
    ItemNotFound,
    ItemStatus,
    NotAllowed,
    NoteEntry,
    Outcome,
    QueueSummary,
    SyncCounts,
    WorkItemRow,
    WorklistError,
    WriteOffInfo,
    WriteOffReason,
)

__all__ = [
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
    "Page",
    "QueueSummary",
    "SyncCounts",
    "WorkItemRow",
    "WorklistError",
    "WriteOffInfo",
    "WriteOffReason",
    "add_note",
    "after_file",
    "allowed_actions",
    "assign",
    "backlog_by_queue_and_user",
    "item_detail",
    "item_row",
    "known_teams",
    "list_queues",
    "make_after_file",
    "my_items",
    "next_item",
    "queue_book",
    "queue_items",
    "reassign",
    "reopen",
    "resolve",
    "search",
    "set_follow_up",
    "set_teams",
    "start",
    "sync_work_items",
    "user_queues",
    "user_teams",
]
