"""Write-offs: posted at once up to the approval limit, above it a manager approves or rejects.

A write-off gives up `amount` (default: the finding's amount; the limit is measured against
it) and posts a ledger write-off (of the payer's share) for the part payers still owe on the
claim: a denial the payer adjusted off with a CO group is already off the balance, so only
the decision is recorded for it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from claimsdesk.domain.findings.adjudication import payer_id
from claimsdesk.domain.ledger import EntryKind
from claimsdesk.services import ledger
from claimsdesk.services.users import Account
from claimsdesk.services.worklist_actions import (
    apply,
    expect_version,
    is_manager,
    locked_item,
    owner_or_manager,
    writing,
)
from claimsdesk.services.worklist_money import (
    ZERO,
    WriteOffResult,
    approval_limit,
    claim_of,
    ledger_row,
    money,
    reason_of,
)
from claimsdesk.services.worklist_read import item_row, write_offs_of
from claimsdesk.services.worklist_states import check
from claimsdesk.services.worklist_types import (
    BadInput,
    IllegalTransition,
    ItemNotFound,
    ItemStatus,
    NotAllowed,
    Outcome,
    WriteOffInfo,
    WriteOffReason,
)
from claimsdesk.storage.models.base import table_of, utcnow
from claimsdesk.storage.models.worklist import WriteOff

WO = table_of(WriteOff)


def write_off(
    session: Session,
    item_id: int,
    *,
    reason: WriteOffReason | str,
    user: Account,
    amount: Decimal | str | None = None,
    note: str = "",
    limit: Decimal | None = None,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> WriteOffResult:
    """Write off an item's amount: posted at once up to the approval limit, above it the item
    waits in pending_approval for a manager."""
    why = reason_of(reason)
    cap = approval_limit() if limit is None else limit
    with writing(session):
        item = locked_item(session, item_id)
        expect_version(item, expected_version)
        check("write_off", item.status, item.id)
        owner_or_manager(item, user, "write off")
        claim_id = claim_of(item, "write off")
        value = item.amount if amount is None else money(amount, "write-off amount")
        most = max(item.amount, payer_part(ledger_row(session, claim_id)))
        if value > most:
            raise BadInput(
                f"The write-off amount must be at most {most:.2f} (the item's amount or what "
                f"payers still owe on the claim), not {value:.2f}."
            )
        needs = value > cap
        wo_id = _insert_write_off(session, item, claim_id, value, why, note, user, needs)
        details = {"write_off_id": wo_id, "amount": value, "reason": why.value, "limit": cap}
        if needs:
            text = note.strip() or f"write-off of {value:.2f} ({why.value}) awaits approval"
            apply(session, item, user, "write_off_requested", ItemStatus.PENDING_APPROVAL, {},
                  text, details)  # fmt: skip
        else:
            posted = _post_write_off(session, item, claim_id, wo_id, value, why, today)
            _written_off(session, item, user, value, posted, why, note, details)
    return _write_off_result(session, wo_id, item_id, needs)


def payer_part(row: Any) -> Decimal:
    """What payers still owe on a claim: its balance less the patient's part (never < 0)."""
    return max(row.balance - row.patient_balance, ZERO) if row is not None else ZERO


def _insert_write_off(
    session: Session,
    item: Any,
    claim_id: int,
    value: Decimal,
    why: WriteOffReason,
    note: str,
    user: Account,
    needs: bool,
) -> int:
    """The write_offs row: pending_approval, or posted (its posted amount is set next)."""
    values = {
        "item_id": item.id,
        "submitted_claim_id": claim_id,
        "amount": value,
        "posted_amount": None,
        "reason": why.value,
        "note": note.strip(),
        "status": "pending_approval" if needs else "posted",
        "requested_by_id": user.id,
        "requested_by": user.username,
        "requested_at": utcnow(),
    }
    if not needs:
        values.update(
            decided_by_id=user.id,
            decided_by=user.username,
            decided_at=utcnow(),
            decision_note="within the approval limit",
        )
    return int(
        session.connection().execute(insert(WO).values(values).returning(WO.c.id)).scalar_one()
    )


def _post_write_off(
    session: Session,
    item: Any,
    claim_id: int,
    wo_id: int,
    value: Decimal,
    why: WriteOffReason,
    today: dt.date | None,
) -> Decimal:
    """Post the part of the write-off payers still owe on the claim (the payer's share, so
    the patient's part is untouched); returns what was posted."""
    row = ledger_row(session, claim_id)
    posted = min(value, payer_part(row))
    if posted > 0:
        party = row.responsible_party if row.responsible_party not in ("", "patient") else ""
        party = party or payer_id(item.payer_key)
        ledger.post_manual(
            session,
            claim_id,
            EntryKind.WRITE_OFF,
            posted,
            entry_key=f"write_off:{wo_id}",
            party=party,
            detail=f"write-off {why.value}",
            posted_on=today or dt.date.today(),
        )
    session.connection().execute(update(WO).where(WO.c.id == wo_id).values(posted_amount=posted))
    return posted


def _written_off(
    session: Session,
    item: Any,
    user: Account,
    value: Decimal,
    posted: Decimal,
    why: WriteOffReason,
    note: str,
    details: dict[str, Any],
) -> None:
    """Resolve the item as written off, saying what reached the ledger."""
    off = "nothing was open on the claim" if posted == 0 else f"{posted:.2f} posted"
    text = note.strip() or f"written off {value:.2f} ({why.value}); {off}"
    values = {
        "outcome": Outcome.WRITTEN_OFF.value,
        "outcome_note": text,
        "resolved_at": utcnow(),
        "follow_up_on": None,
    }
    apply(
        session,
        item,
        user,
        "written_off",
        ItemStatus.RESOLVED,
        values,
        text,
        {**details, "posted": posted},
    )


def _write_off_result(session: Session, wo_id: int, item_id: int, needs: bool) -> WriteOffResult:
    info = next(w for w in write_offs_of(session, [item_id]) if w.id == wo_id)
    return WriteOffResult(info, item_row(session, item_id), needs)


def _locked_write_off(session: Session, write_off_id: int, user: Account, verb: str) -> Any:
    """A pending write-off a manager other than its requester may decide."""
    if not is_manager(user):
        raise NotAllowed(f"Only a manager may {verb} a write-off.")
    wo = session.execute(select(WO).where(WO.c.id == write_off_id).with_for_update()).first()
    if wo is None:
        raise ItemNotFound(f"No write-off {write_off_id}.")
    if wo.status != "pending_approval":
        raise IllegalTransition(
            f"Write-off {wo.id} is {wo.status.replace('_', ' ')}: nothing to {verb}."
        )
    if wo.requested_by_id == user.id:
        raise NotAllowed(f"You asked for write-off {wo.id}; another manager must {verb} it.")
    return wo


def approve_write_off(
    session: Session,
    write_off_id: int,
    *,
    user: Account,
    note: str = "",
    today: dt.date | None = None,
) -> WriteOffResult:
    """A manager approves: the write-off posts and the item is resolved as written off."""
    with writing(session):
        wo = _locked_write_off(session, write_off_id, user, "approve")
        item = locked_item(session, wo.item_id)
        check("approve_write_off", item.status, item.id)
        why = WriteOffReason(wo.reason)
        posted = _post_write_off(session, item, wo.submitted_claim_id, wo.id, wo.amount, why, today)
        _decide(session, wo.id, "posted", user, note.strip() or "approved")
        details = {
            "write_off_id": wo.id,
            "amount": wo.amount,
            "reason": why.value,
            "approved_by": user.username,
        }
        _written_off(session, item, user, wo.amount, posted, why, note, details)
    return _write_off_result(session, write_off_id, wo.item_id, False)


def reject_write_off(
    session: Session, write_off_id: int, *, user: Account, note: str
) -> WriteOffResult:
    """A manager rejects (saying why): the item goes back in progress to its owner."""
    if not note.strip():
        raise BadInput("Say why the write-off is rejected.")
    with writing(session):
        wo = _locked_write_off(session, write_off_id, user, "reject")
        item = locked_item(session, wo.item_id)
        check("reject_write_off", item.status, item.id)
        _decide(session, wo.id, "rejected", user, note.strip())
        apply(
            session,
            item,
            user,
            "write_off_rejected",
            ItemStatus.IN_PROGRESS,
            {},
            note.strip(),
            {"write_off_id": wo.id, "amount": wo.amount},
        )
    return _write_off_result(session, write_off_id, wo.item_id, False)


def _decide(session: Session, wo_id: int, status: str, user: Account, note: str) -> None:
    session.connection().execute(
        update(WO)
        .where(WO.c.id == wo_id)
        .values(
            status=status,
            decided_by_id=user.id,
            decided_by=user.username,
            decided_at=utcnow(),
            decision_note=note,
        )
    )


def pending_write_offs(session: Session) -> list[WriteOffInfo]:
    """Write-offs awaiting a manager, oldest first."""
    return write_offs_of(session, None, status="pending_approval")


__all__ = ["approve_write_off", "pending_write_offs", "reject_write_off", "write_off"]
