"""One try at importing one file inside one database transaction."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services import import_files
from claimsdesk.services import import_rows as rows
from claimsdesk.services.import_issues import IssueLog
from claimsdesk.services.import_store import RecordSink
from claimsdesk.services.import_types import AfterFile, FileResult
from claimsdesk.storage import queries
from claimsdesk.storage.db import SQLITE_IMMEDIATE
from claimsdesk.storage.models.base import table_of, utcnow
from claimsdesk.storage.models.ingest import ImportFile, ImportIssue
from parsers import ReadError, read_file, sniff
from parsers.records import Format, Record

FILES = table_of(ImportFile)
ISSUES = table_of(ImportIssue)
UNKNOWN_FORMAT = "not an X12 835 or 837 file, nor FHIR ExplanationOfBenefit JSON"
SWITCH_INTERVAL = 0.0005  # seconds; Python's default is 0.005


@dataclass
class Done:
    """A file's outcome and where --move-to puts it."""

    result: FileResult
    sha256: str | None = None
    folder: str | None = None  # processed / duplicate / rejected; None = leave it alone
    record: bool = False  # the file's own import_files row learns where it was moved


class ReaderFault(Exception):
    """A reader raised something other than ReadError: a reader bug, reported as such."""


def is_unique_violation(exc: DBAPIError) -> bool:
    """A unique key lost to a concurrent import (not a NOT NULL or foreign-key fault)."""
    code = getattr(exc.orig, "sqlstate", None)
    return code == "23505" or "UNIQUE constraint failed" in str(exc.orig)


def is_retryable(exc: DBAPIError) -> bool:
    """A lost race worth a fresh try: unique key, deadlock or serialization failure."""
    return is_unique_violation(exc) or getattr(exc.orig, "sqlstate", None) in ("40P01", "40001")


def _guard(records: Iterable[Record]) -> Iterator[Record]:
    """Tell reader faults apart from faults of ours while records stream through."""
    it = iter(records)
    while True:
        try:
            record = next(it)
        except StopIteration:
            return
        except ReadError:
            raise
        except Exception as exc:
            raise ReaderFault(f"{type(exc).__name__}: {exc}") from exc
        yield record


class Attempt:
    """Importing one file: hashed and sniffed once, run (and re-run after a lost race)."""

    def __init__(self, path: Path, batch_claims: int, after_file: AfterFile | None) -> None:
        self.path = path
        self.name = str(path)
        self.batch_claims = batch_claims
        self.after_file = after_file
        self.sha256 = ""
        self.size = 0
        self.format = Format.UNKNOWN
        self.done: Done | None = None

    @classmethod
    def prepare(cls, path: Path, batch_claims: int, after_file: AfterFile | None) -> Attempt:
        """Hash and sniff; a file that cannot be read at all is settled here."""
        attempt = cls(path, batch_claims, after_file)
        try:
            attempt.sha256, attempt.size = import_files.hash_file(path)
            attempt.format = sniff(path)
        except (OSError, UnicodeError) as exc:
            cause = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            result = FileResult(attempt.name, "unknown", "rejected")
            result.errors.append(f"{attempt.name}: cannot be read: {cause}")
            attempt.done = Done(result)
        return attempt

    def run(self, session_factory: sessionmaker[Session]) -> Done:
        """One transaction per file, with the cyclic GC paused (rows and records form no
        cycles; full collections over a large batch cost a sixth of the import's CPU; the
        reader's per-transaction cycles are collected young at each SE, RecordSink._end) and a
        short GIL switch interval: the writer thread wakes after each database round trip
        and would otherwise wait up to 5 ms for the reader thread to let go of the GIL."""
        paused = gc.isenabled()
        interval = sys.getswitchinterval()
        gc.disable()
        sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
        try:
            return self._run(session_factory)
        finally:
            sys.setswitchinterval(interval)
            if paused:
                gc.enable()

    def _run(self, session_factory: sessionmaker[Session]) -> Done:
        """Claim the file's row, stream its records in, commit or roll back."""
        with session_factory() as session:
            conn = session.connection(execution_options={SQLITE_IMMEDIATE: True})
            existing = self._existing(conn)
            if existing is not None and existing.status == "imported":
                return self._duplicate_of(existing)
            file_id = self._claim_row(conn, existing)
            if file_id is None:  # a concurrent run imported it since we looked
                return self._duplicate_of(self._existing(conn))
            log = IssueLog(self.name)
            keep_ids = self.after_file is not None
            sink = RecordSink(conn, file_id, log, self.batch_claims, keep_ids=keep_ids)
            try:
                self._read_into(sink, log)
            finally:
                sink.close()  # never roll back under a running writer
            if sink.rejected:
                session.rollback()
                return self._store_rejected(session_factory, log)
            if sink.only_duplicates:
                session.rollback()
                result = FileResult(self.name, self.format.value, "duplicate")
                result.warnings.extend(f"{self.name}: {d}" for d in sink.duplicates)
                return Done(result, self.sha256, "duplicate")
            result = self._finish_row(conn, file_id, sink, log)
            if self.after_file is not None:
                self.after_file(session, result, sink.writer.created)
            session.commit()
            return Done(result, self.sha256, "processed", record=True)

    def conflicted(self, exc: DBAPIError | None) -> Done:
        """Every attempt lost a unique-key race: another import holds this data."""
        result = FileResult(self.name, self.format.value, "duplicate")
        cause = f" ({exc.orig})" if exc is not None else ""
        result.warnings.append(
            f"{self.name}: a concurrent import stored the same data first{cause}"
        )
        return Done(result, self.sha256, "duplicate")

    # ------------------------------------------------------------------ steps

    def _existing(self, conn: Connection) -> Any:
        return conn.execute(queries.file_by_sha256(self.sha256)).first()

    def _row_values(self, status: str) -> dict[str, Any]:
        now = utcnow()
        return {
            "path": str(self.path.resolve()),
            "sha256": self.sha256,
            "size": self.size,
            "format": self.format.value,
            "status": status,
            "transactions": 0,
            "claims": 0,
            "service_lines": 0,
            "remittances": 0,
            "payment_total": 0,
            "warning_count": 0,
            "error_count": 0,
            "started_at": now,
            "finished_at": now,
            "moved_to": None,
        }

    def _claim_row(self, conn: Connection, existing: Any) -> int | None:
        """Insert the file's row (a concurrent twin blocks or fails on the sha256 key)."""
        values = self._row_values("imported")
        if existing is None:
            return int(conn.execute(insert(FILES).returning(FILES.c.id), values).scalar_one())
        claimed = conn.execute(
            update(FILES)
            .where(FILES.c.id == existing.id, FILES.c.status == "rejected")
            .values(**values)
        )
        if claimed.rowcount != 1:
            return None
        conn.execute(delete(ISSUES).where(ISSUES.c.import_file_id == existing.id))
        return int(existing.id)

    def _read_into(self, sink: RecordSink, log: IssueLog) -> None:
        if self.format is Format.UNKNOWN:
            log.add_error("file.format", UNKNOWN_FORMAT)
            return
        try:
            sink.consume(_guard(read_file(self.path, self.format)))
        except ReadError as exc:
            log.add_error("file.unreadable", exc.message, exc.segment_index)
        except ReaderFault as exc:
            log.add_error("reader.failed", f"the reader failed: {exc}")
        sink.finish()

    def _finish_row(
        self, conn: Connection, file_id: int, sink: RecordSink, log: IssueLog
    ) -> FileResult:
        for note in sink.notes + sink.duplicates:
            log.note(f"{self.name}: {note}")
        warnings, errors = log.finished_lists()
        c = sink.counts
        result = FileResult(
            self.name, self.format.value, "imported", c.transactions, c.claims,
            c.service_lines, c.remittances, c.payment_total, warnings, errors,
        )  # fmt: skip
        conn.execute(
            update(FILES)
            .where(FILES.c.id == file_id)
            .values(
                transactions=c.transactions,
                claims=c.claims,
                service_lines=c.service_lines,
                remittances=c.remittances,
                payment_total=c.payment_total,
                warning_count=log.warning_count,
                finished_at=utcnow(),
            )
        )
        return result

    def _duplicate_of(self, existing: Any) -> Done:
        """Same content imported before; when from this very path and never moved, the
        earlier run stopped between commit and move: finish that move now."""
        result = FileResult(self.name, self.format.value, "duplicate")
        if existing is None:
            return self.conflicted(None)
        when = existing.finished_at.isoformat(timespec="seconds") if existing.finished_at else ""
        result.warnings.append(
            f"{self.name}: the same content (sha256 {self.sha256[:12]}…) was imported"
            f" from {existing.path} at {when}"
        )
        unmoved = existing.moved_to is None and existing.path == str(self.path.resolve())
        if unmoved:
            return Done(result, self.sha256, "processed", record=True)
        return Done(result, self.sha256, "duplicate")

    def _store_rejected(self, session_factory: sessionmaker[Session], log: IssueLog) -> Done:
        """Keep only the file's row with its reasons, so a fixed file imports whole later."""
        warnings, errors = log.finished_lists()
        result = FileResult(
            self.name, self.format.value, "rejected", warnings=warnings, errors=errors
        )
        with session_factory() as session:
            conn = session.connection(execution_options={SQLITE_IMMEDIATE: True})
            existing = self._existing(conn)
            if existing is not None and existing.status == "imported":
                return Done(result, self.sha256, "rejected")  # a concurrent run imported it
            values = self._row_values("rejected")
            values.update(error_count=log.error_count, warning_count=log.warning_count)
            if existing is None:
                file_id = conn.execute(insert(FILES).returning(FILES.c.id), values).scalar_one()
            else:
                file_id = existing.id
                conn.execute(update(FILES).where(FILES.c.id == file_id).values(**values))
                conn.execute(delete(ISSUES).where(ISSUES.c.import_file_id == file_id))
            if log.error_issues:
                conn.execute(insert(ISSUES), [rows.issue_row(i, file_id) for i in log.error_issues])
            session.commit()
        return Done(result, self.sha256, "rejected", record=True)
