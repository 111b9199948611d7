"""Findings: what the analysis rules found on a claim or a payment, open until settled.

A finding is keyed by its fingerprint (rule + subject + codes): re-running the analysis
updates the row, never duplicates it; a finding no longer produced is closed with a reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from claimsdesk.storage.models.base import BIG_ID, Base

JSON_DATA = JSON().with_variant(JSONB(), "postgresql")


class Finding(Base):
    """One problem to work: a denial, a short pay, a coding or COB issue, a clock, a remittance."""

    __tablename__ = "findings"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        Index("ix_findings_status_kind", "status", "kind"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(40), unique=True)  # rule|subject|codes
    rule: Mapped[str] = mapped_column(String(64))  # registry name, e.g. coding.recoded
    kind: Mapped[str] = mapped_column(String(32))  # denial / underpayment / coding / cob ...
    category: Mapped[str] = mapped_column(String(48), index=True)
    subject: Mapped[str]  # claim:12/payer:id:SXBLW/line:40 or payment:7
    submitted_claim_id: Mapped[int | None] = mapped_column(
        BIG_ID, ForeignKey("submitted_claims.id", ondelete="CASCADE"), index=True
    )
    claim_line_id: Mapped[int | None] = mapped_column(
        BIG_ID, ForeignKey("claim_lines.id", ondelete="SET NULL")
    )
    claim_payment_id: Mapped[int | None] = mapped_column(
        BIG_ID, ForeignKey("claim_payments.id", ondelete="SET NULL"), index=True
    )
    patient_control_number: Mapped[str]  # CLM01 / CLP01
    payer_key: Mapped[str] = mapped_column(index=True)
    payer_name: Mapped[str]
    amount: Mapped[Decimal]  # at stake
    codes: Mapped[list[str]] = mapped_column(JSON_DATA)  # ["CO-197", "N54"]
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON_DATA)
    description: Mapped[str]
    action: Mapped[str]  # suggested next step
    deadline: Mapped[dt.date | None]  # appeal or timely filing deadline
    status: Mapped[str] = mapped_column(String(8))  # open / closed
    closed_reason: Mapped[str | None]
    closed_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


__all__ = ["Finding"]
