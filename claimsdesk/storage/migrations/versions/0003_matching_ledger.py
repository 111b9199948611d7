"""analysis tables: claim_matches, line_matches, ledger_entries, claim_ledgers

Revision ID: 0003_matching_ledger
Revises: 0002_desk_accounts
Create Date: 2026-11-22 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_matching_ledger"
down_revision: str | None = "0002_desk_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MONEY = sa.Numeric(precision=12, scale=2)
UTC_TS = sa.DateTime(timezone=True)
JSON_DATA = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _fk(column: str, table: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "claim_matches",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("claim_payment_id", BIG_ID, nullable=False),
        sa.Column("submitted_claim_id", BIG_ID, nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("candidates", JSON_DATA, nullable=False),
        sa.Column("matched_at", UTC_TS, nullable=False),
        sa.CheckConstraint(
            "status IN ('matched', 'ambiguous', 'unmatched')", name=op.f("ck_claim_matches_status")
        ),
        _fk("claim_payment_id", "claim_matches", "claim_payments", "CASCADE"),
        _fk("submitted_claim_id", "claim_matches", "submitted_claims", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_matches")),
        sa.UniqueConstraint("claim_payment_id", name=op.f("uq_claim_matches_claim_payment_id")),
    )
    op.create_index(op.f("ix_claim_matches_status"), "claim_matches", ["status"])
    op.create_index(
        op.f("ix_claim_matches_submitted_claim_id"), "claim_matches", ["submitted_claim_id"]
    )

    op.create_table(
        "line_matches",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("service_payment_id", BIG_ID, nullable=False),
        sa.Column("claim_payment_id", BIG_ID, nullable=False),
        sa.Column("claim_line_id", BIG_ID, nullable=True),
        sa.Column("method", sa.String(), nullable=False),
        _fk("claim_line_id", "line_matches", "claim_lines", "SET NULL"),
        _fk("claim_payment_id", "line_matches", "claim_payments", "CASCADE"),
        _fk("service_payment_id", "line_matches", "service_payments", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_matches")),
        sa.UniqueConstraint("service_payment_id", name=op.f("uq_line_matches_service_payment_id")),
    )
    op.create_index(op.f("ix_line_matches_claim_payment_id"), "line_matches", ["claim_payment_id"])

    op.create_table(
        "ledger_entries",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("submitted_claim_id", BIG_ID, nullable=False),
        sa.Column("claim_line_id", BIG_ID, nullable=True),
        sa.Column("entry_key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("party", sa.String(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("claim_payment_id", BIG_ID, nullable=True),
        sa.Column("provider_adjustment_id", BIG_ID, nullable=True),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=True),
        _fk("claim_line_id", "ledger_entries", "claim_lines", "SET NULL"),
        _fk("claim_payment_id", "ledger_entries", "claim_payments", "CASCADE"),
        _fk("provider_adjustment_id", "ledger_entries", "provider_adjustments", "CASCADE"),
        _fk("submitted_claim_id", "ledger_entries", "submitted_claims", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint(
            "submitted_claim_id",
            "entry_key",
            name=op.f("uq_ledger_entries_submitted_claim_id_entry_key"),
        ),
    )
    op.create_index(
        op.f("ix_ledger_entries_claim_payment_id"), "ledger_entries", ["claim_payment_id"]
    )

    op.create_table(
        "claim_ledgers",
        sa.Column("submitted_claim_id", BIG_ID, nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("charges", MONEY, nullable=False),
        sa.Column("payer_paid", MONEY, nullable=False),
        sa.Column("adjustments", MONEY, nullable=False),
        sa.Column("patient_responsibility", MONEY, nullable=False),
        sa.Column("balance", MONEY, nullable=False),
        sa.Column("patient_balance", MONEY, nullable=False),
        sa.Column("responsible_party", sa.String(), nullable=False),
        sa.Column("last_claim_payment_id", BIG_ID, nullable=True),
        sa.Column("updated_at", UTC_TS, nullable=False),
        _fk("last_claim_payment_id", "claim_ledgers", "claim_payments", "SET NULL"),
        _fk("submitted_claim_id", "claim_ledgers", "submitted_claims", "CASCADE"),
        sa.PrimaryKeyConstraint("submitted_claim_id", name=op.f("pk_claim_ledgers")),
    )
    op.create_index("ix_claim_ledgers_state_balance", "claim_ledgers", ["state", "balance"])


def downgrade() -> None:
    op.drop_index("ix_claim_ledgers_state_balance", table_name="claim_ledgers")
    op.drop_table("claim_ledgers")
    op.drop_index(op.f("ix_ledger_entries_claim_payment_id"), table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_index(op.f("ix_line_matches_claim_payment_id"), table_name="line_matches")
    op.drop_table("line_matches")
    op.drop_index(op.f("ix_claim_matches_submitted_claim_id"), table_name="claim_matches")
    op.drop_index(op.f("ix_claim_matches_status"), table_name="claim_matches")
    op.drop_table("claim_matches")
