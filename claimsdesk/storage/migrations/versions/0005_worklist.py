"""work queues: work items (one per finding), history, notes, write-offs, self-pay, teams

Revision ID: 0005_worklist
Revises: 0004_findings
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_worklist"
down_revision: str | None = "0004_findings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MONEY = sa.Numeric(precision=12, scale=2)
UTC_TS = sa.DateTime(timezone=True)
JSON_DATA = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
STATUSES = "'open', 'assigned', 'in_progress', 'pending', 'pending_approval', 'resolved', 'closed'"
OUTCOMES = (
    "'appealed', 'corrected_resubmitted', 'billed_next_payer', 'written_off', "
    "'moved_to_patient', 'paid_on_recheck', 'no_action_needed'"
)
OPEN = sa.text("status = 'open'")
ACTIVE = "status IN ('assigned', 'in_progress', 'open', 'pending', 'pending_approval')"


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def _user(table: str, column: str) -> tuple[sa.Column[int], sa.ForeignKeyConstraint]:
    return sa.Column(column, sa.Integer(), nullable=True), _fk(table, column, "users", "SET NULL")


def upgrade() -> None:
    op.create_table(
        "team_members",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=48), nullable=False),
        _fk("team_members", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "team", name=op.f("pk_team_members")),
    )
    _work_items()
    _history_and_notes()
    _write_offs()
    _self_pay()


def _work_items() -> None:
    assignee, assignee_fk = _user("work_items", "assignee_id")
    op.create_table(
        "work_items",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("finding_id", BIG_ID, nullable=False),
        sa.Column("queue", sa.String(length=48), nullable=False),
        sa.Column("team", sa.String(length=48), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        assignee,
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("score_parts", JSON_DATA, nullable=False),
        sa.Column("past_deadline", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("scored_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=48), nullable=False),
        sa.Column("payer_key", sa.String(), nullable=False),
        sa.Column("payer_name", sa.String(), nullable=False),
        sa.Column("patient_control_number", sa.String(), nullable=False),
        sa.Column("submitted_claim_id", BIG_ID, nullable=True),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("codes", JSON_DATA, nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("opened_at", UTC_TS, nullable=False),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("updated_at", UTC_TS, nullable=False),
        sa.Column("assigned_at", UTC_TS, nullable=True),
        sa.Column("resolved_at", UTC_TS, nullable=True),
        sa.Column("closed_at", UTC_TS, nullable=True),
        sa.Column("reopened_at", UTC_TS, nullable=True),
        sa.Column("reopen_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            f"outcome IS NULL OR outcome IN ({OUTCOMES})", name=op.f("ck_work_items_outcome")
        ),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_work_items_status")),
        assignee_fk,
        _fk("work_items", "finding_id", "findings", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_items")),
        sa.UniqueConstraint("finding_id", name=op.f("uq_work_items_finding_id")),
    )
    op.create_index("ix_work_items_assignee_status", "work_items", ["assignee_id", "status"])
    op.create_index(
        "ix_work_items_open_score",
        "work_items",
        ["score", "id"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_index(
        op.f("ix_work_items_patient_control_number"), "work_items", ["patient_control_number"]
    )
    op.create_index(
        "ix_work_items_queue_status_score", "work_items", ["queue", "status", "score", "id"]
    )
    for name, columns in (
        ("ix_work_items_active_queue_score", ["queue", "score", "id"]),
        ("ix_work_items_active_queue_deadline", ["queue", "deadline", "id"]),
        ("ix_work_items_active_score", ["score", "id"]),
        (
            "ix_work_items_active_summary",
            ["queue", "status", "assignee_id", "opened_at", "amount", "past_deadline"],
        ),
    ):
        where = sa.text(ACTIVE)
        op.create_index(name, "work_items", columns, postgresql_where=where, sqlite_where=where)
    op.create_index(op.f("ix_work_items_submitted_claim_id"), "work_items", ["submitted_claim_id"])


def _history_and_notes() -> None:
    for table, extra in (
        (
            "work_item_history",
            [
                sa.Column("action", sa.String(length=32), nullable=False),
                sa.Column("from_status", sa.String(length=16), nullable=True),
                sa.Column("to_status", sa.String(length=16), nullable=True),
                sa.Column("note", sa.Text(), nullable=False),
                sa.Column("details", JSON_DATA, nullable=False),
            ],
        ),
        ("work_item_notes", [sa.Column("text", sa.Text(), nullable=False)]),
    ):
        user, user_fk = _user(table, "user_id")
        op.create_table(
            table,
            sa.Column("id", BIG_ID, nullable=False),
            sa.Column("item_id", BIG_ID, nullable=False),
            sa.Column("at", UTC_TS, nullable=False),
            user,
            sa.Column("username", sa.String(length=64), nullable=True),
            *extra,
            _fk(table, "item_id", "work_items", "CASCADE"),
            user_fk,
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        op.create_index(op.f(f"ix_{table}_item_id"), table, ["item_id"])


def _write_offs() -> None:
    requested, requested_fk = _user("write_offs", "requested_by_id")
    decided, decided_fk = _user("write_offs", "decided_by_id")
    op.create_table(
        "write_offs",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("item_id", BIG_ID, nullable=False),
        sa.Column("submitted_claim_id", BIG_ID, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("posted_amount", MONEY, nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        requested,
        sa.Column("requested_by", sa.String(length=64), nullable=True),
        sa.Column("requested_at", UTC_TS, nullable=False),
        decided,
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UTC_TS, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending_approval', 'posted', 'rejected', 'cancelled')",
            name=op.f("ck_write_offs_status"),
        ),
        decided_fk,
        _fk("write_offs", "item_id", "work_items", "CASCADE"),
        requested_fk,
        _fk("write_offs", "submitted_claim_id", "submitted_claims", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_offs")),
    )
    op.create_index(op.f("ix_write_offs_item_id"), "write_offs", ["item_id"])
    op.create_index("ix_write_offs_status", "write_offs", ["status"])
    op.create_index(op.f("ix_write_offs_submitted_claim_id"), "write_offs", ["submitted_claim_id"])


def _self_pay() -> None:
    created_by, created_by_fk = _user("self_pay_accounts", "created_by_id")
    op.create_table(
        "self_pay_accounts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("submitted_claim_id", BIG_ID, nullable=False),
        sa.Column("patient_id", BIG_ID, nullable=True),
        sa.Column("patient_control_number", sa.String(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("item_id", BIG_ID, nullable=True),
        created_by,
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("updated_at", UTC_TS, nullable=False),
        created_by_fk,
        _fk("self_pay_accounts", "item_id", "work_items", "SET NULL"),
        _fk("self_pay_accounts", "patient_id", "patients", "SET NULL"),
        _fk("self_pay_accounts", "submitted_claim_id", "submitted_claims", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_pay_accounts")),
        sa.UniqueConstraint(
            "submitted_claim_id", name=op.f("uq_self_pay_accounts_submitted_claim_id")
        ),
    )
    op.create_index(
        op.f("ix_self_pay_accounts_patient_control_number"),
        "self_pay_accounts",
        ["patient_control_number"],
    )
    op.create_index(op.f("ix_self_pay_accounts_patient_id"), "self_pay_accounts", ["patient_id"])


def downgrade() -> None:
    for table in (
        "self_pay_accounts",
        "write_offs",
        "work_item_notes",
        "work_item_history",
        "work_items",
        "team_members",
    ):
        op.drop_table(table)
