"""Shared pieces of the account actions: the write-off approval limit, amounts, the claim's
ledger totals."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimsdesk.services.worklist_types import (
    BadInput,
    Plain,
    WorkItemRow,
    WorklistError,
    WriteOffInfo,
    WriteOffReason,
)
from claimsdesk.storage.models.analysis import ClaimLedger
from claimsdesk.storage.models.base import table_of

APPROVAL_LIMIT_ENV = "CLAIMSDESK_WRITEOFF_APPROVAL_LIMIT"
DEFAULT_APPROVAL_LIMIT = Decimal("100.00")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CL = table_of(ClaimLedger)
PATIENT = "patient"


class Unavailable(WorklistError):
    """The ledger could not do what the action needs; nothing was changed (HTTP 409)."""


@dataclass(frozen=True, slots=True)
class WriteOffResult(Plain):
    """A write-off asked for or decided, and the item after it."""

    write_off: WriteOffInfo
    item: WorkItemRow
    needs_approval: bool


@dataclass(frozen=True, slots=True)
class TransferResult(Plain):
    """A balance moved to the patient, and where it now stands."""

    item: WorkItemRow
    amount: Decimal
    self_pay_account_id: int
    self_pay_total: Decimal  # moved to the patient on this claim so far
    patient_balance: Decimal  # the claim's patient part after the transfer


def approval_limit(environ: Mapping[str, str] | None = None) -> Decimal:
    """CLAIMSDESK_WRITEOFF_APPROVAL_LIMIT (default 100.00): above it a manager must approve."""
    raw = (os.environ if environ is None else environ).get(APPROVAL_LIMIT_ENV, "").strip()
    if not raw:
        return DEFAULT_APPROVAL_LIMIT
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("-1")
    if not value.is_finite() or value < 0 or value != value.quantize(CENT):
        raise BadInput(f"{APPROVAL_LIMIT_ENV} must be an amount like 100.00, not {raw!r}.")
    return value


def money(value: Decimal | str, what: str) -> Decimal:
    """A positive amount in dollars and cents."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadInput(f"The {what} must be an amount like 125.00, not {value!r}.") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise BadInput(f"The {what} must be above 0.00 with at most two decimals, not {value}.")
    return amount


def reason_of(reason: WriteOffReason | str) -> WriteOffReason:
    try:
        return WriteOffReason(reason)
    except ValueError:
        names = ", ".join(r.value for r in WriteOffReason)
        raise BadInput(f"Unknown write-off reason {reason!r}; use one of {names}.") from None


def claim_of(item: Any, what: str) -> int:
    """The submitted claim an item is about; remittance items have none."""
    if item.submitted_claim_id is None:
        raise BadInput(
            f"Item {item.id} is about a remittance, not a claim: nothing to {what}; "
            "match the payment to a claim first."
        )
    return int(item.submitted_claim_id)


def ledger_row(session: Session, claim_id: int) -> Any:
    """The claim's ledger totals (balance, patient part, responsible party), or None."""
    query = select(CL.c.balance, CL.c.patient_balance, CL.c.responsible_party)
    return session.execute(query.where(CL.c.submitted_claim_id == claim_id)).first()


__all__ = [
    "APPROVAL_LIMIT_ENV",
    "CENT",
    "DEFAULT_APPROVAL_LIMIT",
    "PATIENT",
    "ZERO",
    "TransferResult",
    "Unavailable",
    "WriteOffResult",
    "approval_limit",
    "claim_of",
    "ledger_row",
    "money",
    "reason_of",
]
