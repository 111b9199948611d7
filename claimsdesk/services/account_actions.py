"""Account actions on a work item's claim: write-off (with a manager's approval above a limit),
transfer to patient responsibility (hand-off to the self-pay stage), note, follow-up, reassign.

Each action is one transaction the service owns (see worklist_actions): the ledger posting,
the write-off or self-pay row, the item's new status, its history row and the audit event
commit together or not at all.

Amounts. A write-off gives up `amount` (default: the finding's amount; the approval limit
is measured against it) and posts a ledger write-off of the payer's share for the part
payers still owe on the claim: a denial the payer adjusted off with a CO group is already
off the balance, so only the decision is recorded for it. A transfer moves part of what
payers still owe on the claim (balance less the patient's part) to party "patient" and adds
it to the claim's row in self_pay_accounts (one row per claim, status "new" until the
self-pay stage takes it).
"""

from __future__ import annotations

from claimsdesk.services.worklist_actions import add_note, reassign, set_follow_up
from claimsdesk.services.worklist_money import (
    APPROVAL_LIMIT_ENV,
    DEFAULT_APPROVAL_LIMIT,
    TransferResult,
    Unavailable,
    WriteOffResult,
    approval_limit,
)
from claimsdesk.services.worklist_transfer import transfer_to_patient
from claimsdesk.services.worklist_writeoffs import (
    approve_write_off,
    pending_write_offs,
    reject_write_off,
    write_off,
)

__all__ = [
    "APPROVAL_LIMIT_ENV",
    "DEFAULT_APPROVAL_LIMIT",
    "TransferResult",
    "Unavailable",
    "WriteOffResult",
    "add_note",
    "approval_limit",
    "approve_write_off",
    "pending_write_offs",
    "reassign",
    "reject_write_off",
    "set_follow_up",
    "transfer_to_patient",
    "write_off",
]
