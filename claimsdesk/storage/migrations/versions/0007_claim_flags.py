"""claim flags: CLM06-09, CLM20 and CL1 of submitted claims; 2000A billing taxonomy of providers

Outbound 837s rebuilt from rows wrote defaults for these; now they carry what was billed.
Nullable: rows imported before this revision did not keep them (NULL = not recorded).

Revision ID: 0007_claim_flags
Revises: 0006_outbound
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_claim_flags"
down_revision: str | None = "0006_outbound"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLAIM_FLAGS = (
    "signature_on_file",  # CLM06
    "assignment",  # CLM07
    "benefits_assigned",  # CLM08
    "release_of_information",  # CLM09
    "delay_reason",  # CLM20
    "admission_type",  # CL101
    "admission_source",  # CL102
    "patient_status",  # CL103
)
PROVIDER_COLUMNS = ("taxonomy",)  # PRV03 (2000A PRV*BI*PXC, 2310/2420 PRV)


def upgrade() -> None:
    for name in CLAIM_FLAGS:
        op.add_column("submitted_claims", sa.Column(name, sa.String(), nullable=True))
    for name in PROVIDER_COLUMNS:
        op.add_column("providers", sa.Column(name, sa.String(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE .. DROP COLUMN on both (SQLite has it since 3.35; no index uses these)
    for name in PROVIDER_COLUMNS:
        op.drop_column("providers", name)
    for name in reversed(CLAIM_FLAGS):
        op.drop_column("submitted_claims", name)
