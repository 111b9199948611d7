"""Named select() statements over the ingest tables, shared by services and views.

Each function returns a statement; the caller executes it in its own transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.ingest import (
    ImportFile,
    ImportIssue,
    Remittance,
    TransactionSetRow,
)

FILES = table_of(ImportFile)
ISSUES = table_of(ImportIssue)
REMITTANCES = table_of(Remittance)
TRANSACTIONS = table_of(TransactionSetRow)


def file_by_sha256(sha256: str) -> Select[Any]:
    """The import_files row of this content: id, status, path, moved_to, finished_at."""
    cols = (FILES.c.id, FILES.c.status, FILES.c.path, FILES.c.moved_to, FILES.c.finished_at)
    return select(*cols).where(FILES.c.sha256 == sha256)


def payment_source(payer_key: str, payment_key: str) -> Select[Any]:
    """Path of the file a payment (payer id + TRN02, or EOB key) was imported from."""
    return (
        select(FILES.c.path)
        .join(REMITTANCES, REMITTANCES.c.import_file_id == FILES.c.id)
        .where(REMITTANCES.c.payer_key == payer_key, REMITTANCES.c.payment_key == payment_key)
    )


def transaction_source(dedupe_key: str) -> Select[Any]:
    """Path of the file an 837 transaction (by its dedupe key) was imported from."""
    return (
        select(FILES.c.path)
        .join(TRANSACTIONS, TRANSACTIONS.c.import_file_id == FILES.c.id)
        .where(TRANSACTIONS.c.dedupe_key == dedupe_key)
    )


def envelope_seen_elsewhere(envelope_key: str, file_id: int) -> Select[Any]:
    """Any transaction with these control numbers from another file (a possible re-send)."""
    return (
        select(TRANSACTIONS.c.id)
        .where(TRANSACTIONS.c.envelope_key == envelope_key)
        .where(TRANSACTIONS.c.import_file_id != file_id)
        .limit(1)
    )


def recent_imports(limit: int = 50) -> Select[Any]:
    """Import files, newest first, with their counts and status."""
    return select(ImportFile).order_by(FILES.c.finished_at.desc(), FILES.c.id.desc()).limit(limit)


def file_issues(file_id: int) -> Select[Any]:
    """Errors and warnings stored for one import file, in file order."""
    return (
        select(ImportIssue)
        .where(ISSUES.c.import_file_id == file_id)
        .order_by(ISSUES.c.segment_index.nulls_first(), ISSUES.c.id)
    )
