"""work items: an index of active items by deadline across every queue

The manager's "near deadlines" page filters active items whose deadline falls in the next
days, over every queue, nearest first; with a million claims' work that was a scan of the
active items (seconds). This partial index serves the range and the order.

Revision ID: 0008_due_index
Revises: 0007_claim_flags
Create Date: 2026-11-23 00:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_due_index"
down_revision: str | None = "0007_claim_flags"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "status IN ('assigned', 'in_progress', 'open', 'pending', 'pending_approval')"
NAME = "ix_work_items_active_deadline"


def upgrade() -> None:
    where = sa.text(ACTIVE)
    op.create_index(
        NAME, "work_items", ["deadline", "id"], postgresql_where=where, sqlite_where=where
    )


def downgrade() -> None:
    op.drop_index(NAME, table_name="work_items")
