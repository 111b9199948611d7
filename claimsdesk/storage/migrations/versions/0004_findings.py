"""findings table: what the analysis rules found, keyed by fingerprint

Revision ID: 0004_findings
Revises: 0003_matching_ledger
Create Date: 2026-11-22 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_findings"
down_revision: str | None = "0003_matching_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MONEY = sa.Numeric(precision=12, scale=2)
UTC_TS = sa.DateTime(timezone=True)
JSON_DATA = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _fk(column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_findings_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("fingerprint", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=48), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("submitted_claim_id", BIG_ID, nullable=True),
        sa.Column("claim_line_id", BIG_ID, nullable=True),
        sa.Column("claim_payment_id", BIG_ID, nullable=True),
        sa.Column("patient_control_number", sa.String(), nullable=False),
        sa.Column("payer_key", sa.String(), nullable=False),
        sa.Column("payer_name", sa.String(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("codes", JSON_DATA, nullable=False),
        sa.Column("evidence", JSON_DATA, nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("closed_reason", sa.String(), nullable=True),
        sa.Column("closed_at", UTC_TS, nullable=True),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("updated_at", UTC_TS, nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_findings_status")),
        _fk("submitted_claim_id", "submitted_claims", "CASCADE"),
        _fk("claim_line_id", "claim_lines", "SET NULL"),
        _fk("claim_payment_id", "claim_payments", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_findings_fingerprint")),
    )
    op.create_index(op.f("ix_findings_category"), "findings", ["category"])
    op.create_index(op.f("ix_findings_claim_payment_id"), "findings", ["claim_payment_id"])
    op.create_index(op.f("ix_findings_payer_key"), "findings", ["payer_key"])
    op.create_index(op.f("ix_findings_submitted_claim_id"), "findings", ["submitted_claim_id"])
    op.create_index("ix_findings_status_kind", "findings", ["status", "kind"])


def downgrade() -> None:
    op.drop_table("findings")
