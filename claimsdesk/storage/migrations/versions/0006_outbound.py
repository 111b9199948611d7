"""outbound: appeal letters and the 837s we send (corrected and secondary claims)

Revision ID: 0006_outbound
Revises: 0005_worklist
Create Date: 2026-11-22 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_outbound"
down_revision: str | None = "0005_worklist"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MONEY = sa.Numeric(precision=12, scale=2)
UTC_TS = sa.DateTime(timezone=True)
JSON_DATA = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _links(table: str) -> list[sa.schema.SchemaItem]:
    """Columns and foreign keys both tables share: claim, payment, finding, item, creator."""
    return [
        sa.Column("submitted_claim_id", BIG_ID, nullable=False),
        sa.Column("claim_payment_id", BIG_ID, nullable=True),
        sa.Column("finding_id", BIG_ID, nullable=True),
        sa.Column("work_item_id", BIG_ID, nullable=True),
        sa.Column("patient_control_number", sa.String(), nullable=False),
        sa.Column("payer_key", sa.String(), nullable=False),
        sa.Column("payer_name", sa.String(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC_TS, nullable=False),
        _fk(table, "submitted_claim_id", "submitted_claims", "CASCADE"),
        _fk(table, "claim_payment_id", "claim_payments", "SET NULL"),
        _fk(table, "finding_id", "findings", "SET NULL"),
        _fk(table, "work_item_id", "work_items", "SET NULL"),
        _fk(table, "created_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _indexes(table: str) -> None:
    for column in ("finding_id", "work_item_id", "patient_control_number", "submitted_claim_id"):
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("payer_claim_number", sa.String(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("codes", JSON_DATA, nullable=False),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("send_to", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("letter_html", sa.Text(), nullable=False),
        sa.Column("letter_pdf", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", UTC_TS, nullable=False),
        sa.Column("responded_at", UTC_TS, nullable=True),
        sa.Column("response_note", sa.Text(), nullable=True),
        sa.Column("recovered", MONEY, nullable=True),
        *_links("appeals"),
        sa.CheckConstraint(
            "status IN ('filed', 'responded', 'won', 'lost')", name=op.f("ck_appeals_status")
        ),
    )
    _indexes("appeals")
    op.create_index("ix_appeals_status_deadline", "appeals", ["status", "deadline"])
    op.create_table(
        "outbound_claims",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payer_responsibility", sa.String(length=1), nullable=False),
        sa.Column("original_reference", sa.String(), nullable=False),
        sa.Column("total_charge", MONEY, nullable=False),
        sa.Column("interchange_control", sa.String(length=9), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("changes", JSON_DATA, nullable=False),
        sa.Column("notes", JSON_DATA, nullable=False),
        sa.Column("x12_text", sa.Text(), nullable=False),
        sa.Column("errors", JSON_DATA, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("validated_at", UTC_TS, nullable=True),
        sa.Column("exported_at", UTC_TS, nullable=True),
        sa.Column("exported_path", sa.Text(), nullable=True),
        sa.Column("exported_by", sa.String(length=64), nullable=True),
        *_links("outbound_claims"),
        sa.CheckConstraint(
            "kind IN ('corrected', 'secondary')", name=op.f("ck_outbound_claims_kind")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'validated', 'rejected', 'exported')",
            name=op.f("ck_outbound_claims_status"),
        ),
    )
    _indexes("outbound_claims")
    op.create_index("ix_outbound_claims_status_kind", "outbound_claims", ["status", "kind"])


def downgrade() -> None:
    op.drop_table("outbound_claims")
    op.drop_table("appeals")
