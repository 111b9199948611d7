"""Analysis tables: how claim payments matched submitted claims, and the claims' ledgers.

Written in bulk by claimsdesk.services.matching and claimsdesk.services.ledger (Core
executemany), re-derived for touched claims after every import: rows are keyed so that a
re-run changes nothing (claim_payment_id, service_payment_id, claim + entry_key unique).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from claimsdesk.storage.models.base import BIG_ID, Base
from claimsdesk.storage.models.ingest import JSON_DATA


def _fk(
    target: str, *, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True
) -> Any:
    """A foreign key; analysis rows go away with (or forget) what they were derived from."""
    return mapped_column(
        BIG_ID, ForeignKey(target, ondelete=ondelete), index=index, nullable=nullable
    )


class ClaimMatch(Base):
    """One claim payment (CLP loop or EOB) and the submitted claim it adjudicated."""

    __tablename__ = "claim_matches"
    __table_args__ = (
        CheckConstraint("status IN ('matched', 'ambiguous', 'unmatched')", name="status"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    claim_payment_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("claim_payments.id", ondelete="CASCADE"), unique=True
    )
    submitted_claim_id: Mapped[int | None] = _fk(
        "submitted_claims.id", nullable=True, ondelete="SET NULL"
    )
    status: Mapped[str] = mapped_column(index=True)  # MatchStatus value
    method: Mapped[str]  # domain.matching.Method value
    candidates: Mapped[list[int]] = mapped_column(JSON_DATA)  # submitted claim ids (ambiguous)
    matched_at: Mapped[dt.datetime]  # when status or target last changed


class LineMatch(Base):
    """One paid service line (loop 2110 / EOB item) and the billed line it paid."""

    __tablename__ = "line_matches"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    service_payment_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("service_payments.id", ondelete="CASCADE"), unique=True
    )
    claim_payment_id: Mapped[int] = _fk("claim_payments.id")
    claim_line_id: Mapped[int | None] = _fk(
        "claim_lines.id", nullable=True, ondelete="SET NULL", index=False
    )
    method: Mapped[str]  # control_number / exact / modifier_dropped / recoded / ...


class LedgerEntry(Base):
    """One posting on a claim's ledger: a charge, a payment, an adjustment, a PLB, a transfer."""

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("submitted_claim_id", "entry_key"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    submitted_claim_id: Mapped[int] = _fk("submitted_claims.id", index=False)  # unique key leads
    claim_line_id: Mapped[int | None] = _fk(
        "claim_lines.id", nullable=True, ondelete="SET NULL", index=False
    )
    entry_key: Mapped[str]  # what is posted from which source, stable across re-runs
    kind: Mapped[str]  # domain.ledger.EntryKind value
    party: Mapped[str]  # payer key, or "patient"
    amount: Mapped[Decimal]
    source: Mapped[str]  # claim / claim_payment / plb / transfer / manual
    claim_payment_id: Mapped[int | None] = _fk("claim_payments.id", nullable=True)
    provider_adjustment_id: Mapped[int | None] = _fk(
        "provider_adjustments.id", nullable=True, index=False
    )
    detail: Mapped[str]  # e.g. CO-45, PLB L6, transfer target
    posted_on: Mapped[dt.date | None]  # payment date (BPR16), billing date for charges


class ClaimLedger(Base):
    """A claim's ledger totals and state as last derived: what the desk filters on."""

    __tablename__ = "claim_ledgers"
    __table_args__ = (Index("ix_claim_ledgers_state_balance", "state", "balance"),)

    submitted_claim_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("submitted_claims.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str]  # domain.views.ClaimState value
    charges: Mapped[Decimal]
    payer_paid: Mapped[Decimal]
    adjustments: Mapped[Decimal]  # CO + PI + OA
    patient_responsibility: Mapped[Decimal]  # PR of the last payer that adjudicated
    balance: Mapped[Decimal]
    patient_balance: Mapped[Decimal]
    responsible_party: Mapped[str]  # who owes most of the balance ('' when none)
    last_claim_payment_id: Mapped[int | None] = _fk(
        "claim_payments.id", nullable=True, ondelete="SET NULL", index=False
    )
    updated_at: Mapped[dt.datetime]
