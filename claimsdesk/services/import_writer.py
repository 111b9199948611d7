"""Bulk row writer for one file's import: batches written while the next one is read.

Rows are buffered as dicts. A row that children point at gets its id when it is queued, from
blocks of ids fetched ahead (import_sql.IdPool), so children hold plain ids; links to shared
parties hold a Ref until the flush settles the party. A flush inserts parents before children
in bulk (executemany on SQLite, COPY on PostgreSQL). Shared parties (payers, providers, patients,
coverages) are looked up by natural key per batch and inserted when missing
(import_entities).

A flush hands the batch to one background thread and returns, so reading the file and writing
the previous batch overlap (the driver and the database release the GIL). One batch is in
flight at most; sync() waits for it and re-raises its error. Row updates (set_values) and
lookups (submit) also run on that thread, in order, so the reader does not wait for them.
Every other use of the connection goes after sync(), so it is never used by two threads.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, update

from claimsdesk.services.import_entities import Entities, Pending, Ref, resolve
from claimsdesk.services.import_sql import SPECS, IdAllocator, IdPool, TableSpec, write_rows
from claimsdesk.services.import_types import ImportedIds
from claimsdesk.storage.models import ingest as m
from claimsdesk.storage.models.base import table_of

__all__ = ["PROVIDER_MERGE", "BatchWriter", "Ref"]

Row = dict[str, Any]
T = TypeVar("T")
PROVIDER_MERGE = (
    "entity_type", "name", "first_name", "npi", "tax_id",
    "address_line1", "city", "state", "postal_code",
)  # fmt: skip


@dataclass
class _Buffer:
    """Pending rows of one table, with Refs for those that need their ids."""

    spec: TableSpec
    pool: IdPool | None = None  # allocated tables: ids given as rows are queued
    rows: list[Row] = field(default_factory=list)


@dataclass
class _Batch:
    """What one flush writes: party keys, rows per table parent-first, then row updates."""

    entities: list[tuple[Entities, Pending]]
    buffers: list[_Buffer]
    updates: list[tuple[Table, int, Row]]


class BatchWriter:
    """Buffers one file's rows and writes them in bulk, one batch in the background."""

    def __init__(self, conn: Connection, background: bool = True) -> None:
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
        self._collect = {
            table_of(m.ClaimPayment): self.created.claim_payments,
            table_of(m.SubmittedClaim): self.created.submitted_claims,
            table_of(m.Remittance): self.created.remittances,
        }
        self._sql = {spec.table: spec.sql(conn.dialect.name) for spec in SPECS}
        self._pool = ThreadPoolExecutor(1, "claimsdesk-writer") if background else None
        self._busy: list[Future[Any]] = []
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
        after the next batch's inserts, so the reader never waits for the writer here."""
        self._updates.append((table_of(model), row_id, values))

    def submit(self, query: Callable[[Connection], T]) -> Future[T]:
        """Run a query on the connection after the batch in flight, without waiting for it:
        the reader keeps reading and takes the answer when it needs it."""
        if self._pool is None:
            done: Future[T] = Future()
            done.set_result(query(self.conn))
            return done
        future = self._pool.submit(query, self.conn)
        self._busy.append(future)
        return future

    def flush(self, wait: bool = True) -> None:
        """Write every queued row, parents first; with wait=False in the background."""
        self.sync()
        batch = _Batch(
            [(e, e.take_pending()) for e in self._entities],
            [b for b in (self._take(buffer) for buffer in self._buffers.values()) if b.rows],
            self._updates,
        )
        self._updates = []
        if wait or self._pool is None:
            self._write(batch)
        else:
            self._busy.append(self._pool.submit(self._write, batch))

    def sync(self) -> None:
        """Wait for the batch and queries in flight; the first error is raised here."""
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

    def _fetch_ids(self, table: Table, count: int) -> Future[list[int]]:
        """A block of ids, fetched on the writer thread after the batch in flight."""
        return self.submit(lambda conn: self.ids.take(table, count))

    def _write(self, batch: _Batch) -> None:
        for entities, pending in batch.entities:
            entities.flush(self.conn, self.ids, pending)
        for buffer in batch.buffers:
            self._flush_buffer(buffer)
        for table, row_id, values in batch.updates:
            self.conn.execute(update(table).where(table.c.id == row_id).values(**values))
        self.flushes += 1

    def _flush_buffer(self, buffer: _Buffer) -> None:
        spec, rows = buffer.spec, buffer.rows
        collected = self._collect.get(spec.table)
        if collected is not None:
            collected.extend(row["id"] for row in rows)
        if spec.party_fks:
            resolve(rows, spec.party_fks)
        getter = itemgetter(*spec.columns)
        write_rows(self.conn, self._sql[spec.table], [getter(row) for row in rows])
