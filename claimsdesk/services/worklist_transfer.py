"""Transfer to patient responsibility: move what payers still owe on a claim to party
"patient" in the ledger and hand the claim to the self-pay stage (self_pay_accounts: one row
per claim, the amount moved so far, status "new" until the self-pay stage takes it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from claimsdesk.domain.ledger import EntryKind
from claimsdesk.services import ledger
from claimsdesk.services.users import Account
from claimsdesk.services.worklist_actions import (
    apply,
    expect_version,
    locked_item,
    owner_or_manager,
    writing,
)
from claimsdesk.services.worklist_money import (
    PATIENT,
    ZERO,
    TransferResult,
    Unavailable,
    claim_of,
    ledger_row,
    money,
)
from claimsdesk.services.worklist_read import item_row
from claimsdesk.services.worklist_states import check
from claimsdesk.services.worklist_types import (
    BadInput,
    ItemStatus,
    Outcome,
)
from claimsdesk.storage.models.base import table_of, utcnow
from claimsdesk.storage.models.ingest import SubmittedClaim
from claimsdesk.storage.models.worklist import SelfPayAccount

SPA, SC = table_of(SelfPayAccount), table_of(SubmittedClaim)


def transfer_to_patient(
    session: Session,
    item_id: int,
    *,
    reason: str,
    user: Account,
    amount: Decimal | str | None = None,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> TransferResult:
    """Move what payers still owe on the item's claim (or part of it) to the patient, hand
    the claim to the self-pay stage, and resolve the item as moved to the patient."""
    why = " ".join(reason.split())
    if not why:
        raise BadInput("Say why the balance is the patient's.")
    with writing(session):
        item = locked_item(session, item_id)
        expect_version(item, expected_version)
        check("transfer_to_patient", item.status, item.id)
        owner_or_manager(item, user, "transfer")
        claim_id = claim_of(item, "transfer")
        value = _transfer_amount(session, item, claim_id, amount)
        _post(session, item, claim_id, value, why, today)
        account_id, total = _hand_to_self_pay(session, item, claim_id, value, why, user)
        values = {"outcome": Outcome.MOVED_TO_PATIENT.value, "outcome_note": why,
                  "resolved_at": utcnow(), "follow_up_on": None}  # fmt: skip
        apply(
            session,
            item,
            user,
            "moved_to_patient",
            ItemStatus.RESOLVED,
            values,
            f"{value:.2f} moved to the patient: {why}",
            {"amount": value, "self_pay_account_id": account_id},
        )
    after = ledger_row(session, claim_id)
    patient = after.patient_balance if after is not None else ZERO
    return TransferResult(item_row(session, item_id), value, account_id, total, patient)


def _transfer_amount(
    session: Session, item: Any, claim_id: int, amount: Decimal | str | None
) -> Decimal:
    """Requested amount (default: all payers still owe), within what payers still owe."""
    row = ledger_row(session, claim_id)
    owed = (row.balance - row.patient_balance) if row is not None else ZERO
    if owed <= 0:
        raise BadInput(
            f"Claim {item.patient_control_number} has nothing open with a payer to "
            "move to the patient; a denial the payer adjusted off (CO) is not on "
            "the balance: appeal it or write it off."
        )
    value = owed if amount is None else money(amount, "transfer amount")
    if value > owed:
        raise BadInput(
            f"At most {owed:.2f} is open with payers on claim "
            f"{item.patient_control_number}, not {value:.2f}."
        )
    return value


def _post(
    session: Session, item: Any, claim_id: int, value: Decimal, why: str, today: dt.date | None
) -> None:
    """The ledger's patient_transfer posting, checked to have moved the amount."""
    before = ledger_row(session, claim_id).patient_balance
    ledger.post_manual(
        session,
        claim_id,
        EntryKind.PATIENT_TRANSFER,
        value,
        party=PATIENT,
        entry_key=f"patient_transfer:{item.id}:v{item.version}",
        detail=f"to patient: {why}"[:200],
        posted_on=today or dt.date.today(),
    )
    _check_moved(session, item, claim_id, before + value)


def _check_moved(session: Session, item: Any, claim_id: int, expected: Decimal) -> None:
    """The ledger must now show the patient owing the amount moved; else nothing is kept."""
    after = ledger_row(session, claim_id).patient_balance
    if after < expected:
        raise Unavailable(
            f"The ledger did not move the balance of claim {item.patient_control_number} to "
            f"the patient (patient part {after:.2f}, expected {expected:.2f}); a claim no payer "
            "has answered yet keeps its balance with the payer. Nothing was changed."
        )


def _hand_to_self_pay(
    session: Session, item: Any, claim_id: int, value: Decimal, why: str, user: Account
) -> tuple[int, Decimal]:
    """Add the amount to the claim's self-pay account (created on the first transfer)."""
    conn = session.connection()
    now = utcnow()
    found = conn.execute(
        select(SPA.c.id, SPA.c.amount).where(SPA.c.submitted_claim_id == claim_id).with_for_update()
    ).first()
    if found is not None:
        total = found.amount + value
        conn.execute(
            update(SPA)
            .where(SPA.c.id == found.id)
            .values(amount=total, reason=why, status="new", item_id=item.id, updated_at=now)
        )
        return int(found.id), total
    patient_id = session.scalar(select(SC.c.patient_id).where(SC.c.id == claim_id))
    new_id = conn.execute(
        insert(SPA)
        .values(
            submitted_claim_id=claim_id,
            patient_id=patient_id,
            patient_control_number=item.patient_control_number,
            amount=value,
            reason=why,
            status="new",
            item_id=item.id,
            created_by_id=user.id,
            created_at=now,
            updated_at=now,
        )
        .returning(SPA.c.id)
    ).scalar_one()
    return int(new_id), value


__all__ = ["transfer_to_patient"]
