"""Outbound work of the denial desk: appeal letters and the 837s we send (corrected, secondary).

Appeal letters keep their HTML and PDF in the row (a letter is a few kilobytes; one row holds
the whole record, written in the same transaction as the audit event, so nothing is
half-filed and database backups include the letters). Outbound 837s keep the exact X12 text
pyx12 validated; export writes that text, byte for byte, and only when it was validated.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from claimsdesk.storage.models.base import BIG_ID, Base
from claimsdesk.storage.models.ingest import JSON_DATA

APPEAL_STATUSES = ("filed", "responded", "won", "lost")
OUTBOUND_KINDS = ("corrected", "secondary")
OUTBOUND_STATUSES = ("draft", "validated", "rejected", "exported")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _link(target: str, *, index: bool = False) -> Any:
    """An optional link kept as NULL when the target row goes away (the copies stay)."""
    return mapped_column(
        BIG_ID, ForeignKey(target, ondelete="SET NULL"), nullable=True, index=index
    )


def _user() -> Any:
    """The desk user who acted (NULL once the account is deleted; the name stays)."""
    return mapped_column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class Appeal(Base):
    """One appeal filed with a payer: the letter as sent, its deadline and how it ended."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(APPEAL_STATUSES)})", name="status"),
        Index("ix_appeals_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    finding_id: Mapped[int | None] = _link("findings.id", index=True)
    work_item_id: Mapped[int | None] = _link("work_items.id", index=True)
    submitted_claim_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("submitted_claims.id", ondelete="CASCADE"), index=True
    )
    claim_payment_id: Mapped[int | None] = _link("claim_payments.id")
    patient_control_number: Mapped[str] = mapped_column(index=True)  # CLM01
    payer_key: Mapped[str]
    payer_name: Mapped[str]
    payer_claim_number: Mapped[str]  # CLP07 of the denial
    level: Mapped[int] = mapped_column(Integer)  # 1 first appeal, 2 after a lost one ...
    amount: Mapped[Decimal]  # at stake: billed less paid on the appealed lines
    codes: Mapped[list[str]] = mapped_column(JSON_DATA)  # ["CO-197", "N115"]
    reason_text: Mapped[str] = mapped_column(Text)  # the specialist's argument
    method: Mapped[str] = mapped_column(String(16))  # mail / fax / portal / electronic / ''
    send_to: Mapped[str] = mapped_column(Text)  # address block, fax number or portal
    deadline: Mapped[dt.date | None] = mapped_column(Date)  # last day to file
    follow_up_on: Mapped[dt.date | None] = mapped_column(Date)  # chase the answer from here
    status: Mapped[str] = mapped_column(String(16))
    letter_html: Mapped[str] = mapped_column(Text)
    letter_pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = _user()
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    responded_at: Mapped[dt.datetime | None]
    response_note: Mapped[str | None] = mapped_column(Text)
    recovered: Mapped[Decimal | None]  # what the payer paid on a won appeal


class OutboundClaim(Base):
    """One 837 we built: a corrected (replacement) claim or a claim to the next payer."""

    __tablename__ = "outbound_claims"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(OUTBOUND_KINDS)})", name="kind"),
        CheckConstraint(f"status IN ({_in(OUTBOUND_STATUSES)})", name="status"),
        Index("ix_outbound_claims_status_kind", "status", "kind"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    submitted_claim_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("submitted_claims.id", ondelete="CASCADE"), index=True
    )
    claim_payment_id: Mapped[int | None] = _link("claim_payments.id")  # the adjudication used
    finding_id: Mapped[int | None] = _link("findings.id", index=True)
    work_item_id: Mapped[int | None] = _link("work_items.id", index=True)
    patient_control_number: Mapped[str] = mapped_column(index=True)  # CLM01
    payer_key: Mapped[str]  # who receives the claim
    payer_name: Mapped[str]
    payer_responsibility: Mapped[str] = mapped_column(String(1))  # SBR01 of the new claim
    original_reference: Mapped[str]  # REF*F8 (corrected claims), else ''
    total_charge: Mapped[Decimal]  # CLM02
    interchange_control: Mapped[str] = mapped_column(String(9))  # ISA13
    source: Mapped[str] = mapped_column(String(16))  # file / database: where the claim came from
    changes: Mapped[list[Any]] = mapped_column(JSON_DATA)  # what we changed, in plain words
    notes: Mapped[list[str]] = mapped_column(JSON_DATA)  # warnings for the specialist
    x12_text: Mapped[str] = mapped_column(Text)
    errors: Mapped[list[str]] = mapped_column(JSON_DATA)  # validation errors in plain words
    status: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = _user()
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    validated_at: Mapped[dt.datetime | None]
    exported_at: Mapped[dt.datetime | None]
    exported_path: Mapped[str | None] = mapped_column(Text)
    exported_by: Mapped[str | None] = mapped_column(String(64))


__all__ = [
    "APPEAL_STATUSES",
    "OUTBOUND_KINDS",
    "OUTBOUND_STATUSES",
    "Appeal",
    "OutboundClaim",
]
