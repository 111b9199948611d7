"""Import service: files and folders in, one database transaction per file.

A file is identified by the SHA-256 of its content: content imported before is a duplicate and
changes nothing. Inside a new file, a payment (835/FHIR) or 837 transaction imported before from
another file is skipped with the reason; a file made only of such is a duplicate too. A file
with any ERROR issue is rejected: only its import_files row and error rows are stored, so the
next run after a fix imports it whole. Concurrent imports are safe: SQLite writers queue on
BEGIN IMMEDIATE; on PostgreSQL unique keys decide and the loser retries (then sees a duplicate).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.config import DEFAULT_BATCH_CLAIMS
from claimsdesk.services import import_files
from claimsdesk.services.import_attempt import Attempt, Done, is_retryable, is_unique_violation
from claimsdesk.services.import_moves import record_move
from claimsdesk.services.import_types import (
    AfterFile,
    FileResult,
    ImportedIds,
    ImportRun,
    Status,
    Totals,
)

MAX_ATTEMPTS = 3


class ImportFailed(Exception):
    """Importing a file failed (database, disk, after_file hook); its transaction was rolled
    back, the files before it are committed (see .run)."""

    def __init__(self, path: str, cause: BaseException, run: ImportRun) -> None:
        super().__init__(f"{path}: import failed and was rolled back: {cause}")
        self.path = path
        self.run = run


def import_paths(
    session_factory: sessionmaker[Session],
    paths: Sequence[Path | str],
    *,
    move_to: Path | None = None,
    progress: Callable[[FileResult], None] | None = None,
    after_file: AfterFile | None = None,
    batch_claims: int = DEFAULT_BATCH_CLAIMS,
) -> ImportRun:
    """Import files and folders (recursive, sorted), one transaction per file."""
    run = ImportRun()
    for path in import_files.discover(paths, exclude=move_to):
        try:
            done = _import_one(session_factory, path, after_file, batch_claims)
        except Exception as exc:  # database, disk or after_file fault: the file rolled back
            raise ImportFailed(str(path), exc, run) from exc
        if move_to is not None and done.folder is not None:
            record_move(session_factory, path, move_to, done)
        run.files.append(done.result)
        if progress is not None:
            progress(done.result)
    return run


def _import_one(
    session_factory: sessionmaker[Session],
    path: Path,
    after_file: AfterFile | None,
    batch_claims: int,
) -> Done:
    """Try a file up to MAX_ATTEMPTS times after lost races; a last unique-key loss means
    another import holds the same data: a duplicate."""
    attempt = Attempt.prepare(path, batch_claims, after_file)
    if attempt.done is not None:
        return attempt.done
    for _ in range(MAX_ATTEMPTS - 1):
        try:
            return attempt.run(session_factory)
        except DBAPIError as exc:
            if not is_retryable(exc):
                raise
    try:
        return attempt.run(session_factory)
    except DBAPIError as exc:
        if not is_unique_violation(exc):
            raise
        return attempt.conflicted(exc)


__all__ = [
    "AfterFile",
    "FileResult",
    "ImportFailed",
    "ImportRun",
    "ImportedIds",
    "Status",
    "Totals",
    "import_paths",
]
