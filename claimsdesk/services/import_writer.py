"""Bulk row writer for one file's import: batches written while the next one is read.

Rows are buffered as dicts. A row that children point at gets its id when it is queued, from
blocks of ids fetched ahead (import_sql.IdPool), so children hold plain ids; links to shared
parties hold a Ref until the flush settles the party. A flush inserts parents before children
in bulk (executemany on SQLite, COPY on PostgreSQL). Shared parties (payers, providers, patients,
coverages) are looked up by natural key per batch and inserted when missing
(import_entities).

Database work runs on one background thread, in the order it was queued: party settling,
sends of formatted batches, row updates (set_values), id blocks and lookups (submit). The
reader waits only for a batch's parties, one flush later, and in sync(), which waits for
everything queued and re-raises the first error. Every other use of the connection goes
after sync(), so it is never used by two threads at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, update

from claimsdesk.services.import_entities import Entities, Pending, Ref, resolve
from claimsdesk.services.import_sql import (
    SPECS,
    CopyText,
    IdAllocator,
    IdPool,
    Payload,
    TableSpec,
    write_rows,
)
from claimsdesk.services.import_types import ImportedIds
from claimsdesk.storage.models import ingest as m
from claimsdesk.storage.models.base import table_of

__all__ = ["PROVIDER_MERGE", "BatchWriter", "Ref"]

Row = dict[str, Any]
T = TypeVar("T")
PROVIDER_MERGE = (
    "entity_type", "name", "first_name", "npi", "tax_id",
    "address_line1", "city", "state", "postal_code", "taxonomy",
)  # fmt: skip


@dataclass
class _Buffer:
    """Pending rows of one table (allocated tables give ids as rows are queued)."""

    spec: TableSpec
    pool: IdPool | None = None
    rows: list[Row] = field(default_factory=list)
    payload: Payload | None = None  # the rows as sent, once formatted


@dataclass
class _Batch:
    """One flush: party keys settled first, then rows per table parent-first, then updates."""

    entities: list[tuple[Entities, Pending]]
    buffers: list[_Buffer]
    updates: list[tuple[Table, int, Row]]
    settled: Future[None] | None = None  # parties settled on the writer thread


class BatchWriter:
    """Buffers one file's rows and writes them in bulk on one background thread.

    A flush is two steps. Its parties are settled (looked up, inserted) on the writer thread
    at once; at the next flush, when their ids are surely known, this (reader) thread turns
    the batch into COPY text and the writer thread sends it. So the writer thread mostly
    waits on the database, the reader keeps reading, and the database always has work.
    """

    def __init__(self, conn: Connection, background: bool = True, keep_ids: bool = True) -> None:
        self.conn = conn
        self.ids = IdAllocator(conn)
        self.created = ImportedIds()
        self.payers = Entities(m.Payer, "payer_key")
        self.providers = Entities(m.Provider, "provider_key", merge=PROVIDER_MERGE)
        self.patients = Entities(m.Patient, "patient_key")
        self.coverages = Entities(m.Coverage, "coverage_key")
        self._entities = (self.payers, self.providers, self.patients, self.coverages)
        self._buffers = {
            spec.table: _Buffer(
                spec, IdPool(spec.table, self._fetch_ids) if spec.allocate else None
            )
            for spec in SPECS
        }
        self._updates: list[tuple[Table, int, Row]] = []
        collect = {
            table_of(m.ClaimPayment): self.created.claim_payments,
            table_of(m.SubmittedClaim): self.created.submitted_claims,
            table_of(m.Remittance): self.created.remittances,
        }
        self._collect = collect if keep_ids else {}  # for a hook only: 1M ids take 8 MB
        self._sql = {spec.table: spec.sql(conn.dialect.name) for spec in SPECS}
        self._copy = CopyText(conn)
        self._pool = ThreadPoolExecutor(1, "claimsdesk-writer") if background else None
        self._busy: list[Future[Any]] = []
        self._previous: _Batch | None = None
        self.flushes = 0

    def add(self, model: Any, row: Row) -> int | None:
        """Queue a row; its id when children may point at it."""
        buffer = self._buffers[model.__table__]
        buffer.rows.append(row)
        if buffer.pool is None:
            return None
        row_id: int = buffer.pool.take()
        row["id"] = row_id
        return row_id

    def add_parent(self, model: Any, row: Row) -> int:
        """Queue a row that children point at; its id."""
        row_id = self.add(model, row)
        assert row_id is not None, model
        return row_id

    def set_values(self, model: Any, row_id: int, values: Row) -> None:
        """Change a queued or written row (trailer totals, dedupe keys): an UPDATE sent
        after its batch's inserts, so the reader never waits for the writer here."""
        self._updates.append((table_of(model), row_id, values))

    def submit(self, query: Callable[[Connection], T]) -> Future[T]:
        """Run a query on the connection after the work queued before it, without waiting:
        the reader keeps reading and takes the answer when it needs it."""
        if self._pool is None:
            done: Future[T] = Future()
            done.set_result(query(self.conn))
            return done
        future = self._pool.submit(query, self.conn)
        self._busy.append(future)
        return future

    def flush(self, wait: bool = True) -> None:
        """Queue every buffered row; with wait, everything is written when this returns."""
        self._raise_failed()
        batch = _Batch(
            [(e, e.take_pending()) for e in self._entities],
            [b for b in (self._take(buffer) for buffer in self._buffers.values()) if b.rows],
            self._updates,
        )
        self._updates = []
        batch.settled = self.submit(lambda conn: self._settle(batch))
        previous, self._previous = self._previous, batch
        if previous is not None:
            self._send(previous)
        if wait:
            self._previous = None
            self._send(batch)
            self.sync()

    def sync(self) -> None:
        """Wait for the work in flight; the first error is raised here."""
        busy, self._busy = self._busy, []
        errors = [f.exception() for f in busy]
        first = next((e for e in errors if e is not None), None)
        if first is not None:
            raise first

    def close(self, quiet: bool = False) -> None:
        """Wait for the last batch and stop the thread (quiet: the caller is failing anyway)."""
        try:
            self.sync()
        except Exception:
            if not quiet:
                raise
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)

    def forget_entities(self) -> None:
        """Drop cached ids (after a savepoint rollback some rows no longer exist)."""
        self.sync()
        for entities in self._entities:
            entities.forget()

    @staticmethod
    def _take(buffer: _Buffer) -> _Buffer:
        taken = _Buffer(buffer.spec, None, buffer.rows)
        buffer.rows = []
        return taken

    def _fetch_ids(self, table: Table, count: int) -> Future[Sequence[int]]:
        """A block of ids, fetched on the writer thread after the work queued before."""
        return self.submit(lambda conn: self.ids.take(table, count))

    def _raise_failed(self) -> None:
        """Stop at the first failed step instead of queueing more work behind it."""
        done = [f for f in self._busy if f.done()]
        if any(f.exception() is not None for f in done):
            self.sync()
        self._busy = [f for f in self._busy if not f.done()]

    def _settle(self, batch: _Batch) -> None:
        for entities, pending in batch.entities:
            entities.flush(self.conn, self.ids, pending)

    def _send(self, batch: _Batch) -> None:
        """Rows of a settled batch made ready here, then sent on the writer thread."""
        assert batch.settled is not None
        batch.settled.result()
        for buffer in batch.buffers:
            self._flush_buffer(buffer)
        self.flushes += 1
        self.submit(lambda conn: self._write(batch))

    def _write(self, batch: _Batch) -> None:
        """Each table's rows are let go once sent; on SQLite their tuples are made one at a
        time as executemany takes them, never as a list beside the rows."""
        for buffer in batch.buffers:
            payload = self._tuples(buffer) if buffer.payload is None else buffer.payload
            write_rows(self.conn, self._sql[buffer.spec.table], payload)
            buffer.rows, buffer.payload = [], None
        for table, row_id, values in batch.updates:
            self.conn.execute(update(table).where(table.c.id == row_id).values(**values))

    def _flush_buffer(self, buffer: _Buffer) -> None:
        """Note the ids the file created; on PostgreSQL make the rows' COPY text here (the
        writer thread then only sends), on SQLite leave the rows to the writer thread."""
        collected = self._collect.get(buffer.spec.table)
        if collected is not None:
            collected.extend(row["id"] for row in buffer.rows)
        if self._copy.available:
            buffer.payload = self._copy.format(self._tuples(buffer))

    @staticmethod
    def _tuples(buffer: _Buffer) -> Iterator[tuple[Any, ...]]:
        """The rows in column order, party links resolved."""
        spec, rows = buffer.spec, buffer.rows
        if spec.party_fks:
            resolve(rows, spec.party_fks)
        return map(itemgetter(*spec.columns), rows)
