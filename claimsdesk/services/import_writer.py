"""Bulk row writer for one file's import: batches written while the next one is read.

Rows are buffered as dicts. A row that children point at gets a Ref; children hold the Ref in
their foreign-key column until the flush, which allocates the parents' ids (see
import_sql.IdAllocator), writes them into the Refs, then inserts parents before children in
bulk (executemany on SQLite, COPY on PostgreSQL). Shared parties (payers, providers, patients,
coverages) are looked up by natural key per batch and inserted when missing.

A flush hands the batch to one background thread and returns, so reading the file and writing
the previous batch overlap (the driver and the database release the GIL). One batch is in
flight at most; sync() waits for it and re-raises its error. Every other use of the
connection goes after sync(), so the connection is never used by two threads at once.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, select, update

from claimsdesk.services.import_sql import (
    SPEC_OF,
    SPECS,
    IdAllocator,
    TableSpec,
    dumps,
    write_rows,
)
from claimsdesk.services.import_types import ImportedIds
from claimsdesk.storage.models import ingest as m
from claimsdesk.storage.models.base import table_of

Row = dict[str, Any]
_LOOKUP_CHUNK = 500
_CACHE_LIMIT = 20_000


class Ref:
    """The id of a row, known once the row has been flushed."""

    __slots__ = ("id", "row")

    def __init__(self, row: Row | None = None, id: int | None = None) -> None:
        self.row = row
        self.id = id


def _resolve(rows: list[Row], fk_columns: tuple[str, ...]) -> None:
    """Replace every Ref in the rows' foreign-key columns by its id."""
    for row in rows:
        for name in fk_columns:
            value = row[name]
            if isinstance(value, Ref):
                row[name] = value.id


class _Entities:
    """Shared party rows of one kind, found or created by natural key, cached per file."""

    def __init__(self, model: Any, key_column: str) -> None:
        self.spec = TableSpec.of(model, True)
        self.table = self.spec.table
        self.key = self.table.c[key_column]
        self.key_name = key_column
        self.cache: dict[str, Ref] = {}
        self.pending: dict[str, Ref] = {}

    def ref(self, key: str, make_row: Callable[[], Row]) -> Ref:
        """The Ref for this key; the row is built only the first time the key is seen."""
        found = self.cache.get(key)
        if found is None:
            row = make_row()
            row[self.key_name] = key
            found = self.cache[key] = self.pending[key] = Ref(row)
        return found

    def take_pending(self) -> dict[str, Ref]:
        """Hand the new keys to a flush (reader thread); bound the cache."""
        pending, self.pending = self.pending, {}
        if len(self.cache) > _CACHE_LIMIT:
            self.cache.clear()
        return pending

    def forget(self) -> None:
        """Drop every cached id."""
        self.cache.clear()
        self.pending.clear()

    def flush(self, conn: Connection, ids: IdAllocator, pending: dict[str, Ref]) -> None:
        """Look the keys up, insert the missing ones, fill every Ref."""
        if not pending:
            return
        self._lookup(conn, pending)
        if pending:  # in key order, so concurrent imports lock keys in the same order
            ordered = [pending[key] for key in sorted(pending)]
            rows: list[Row] = [ref.row for ref in ordered if ref.row is not None]
            _resolve(rows, self.spec.fk_columns)
            if ids.postgres:
                self._insert_ignore(conn, rows, pending)
            else:  # the write lock is ours: no one else can insert these keys now
                for ref, row, row_id in zip(
                    ordered, rows, ids.take(self.table, len(rows)), strict=True
                ):
                    row["id"] = ref.id = row_id
                    ref.row = None
                getter = itemgetter(*self.spec.columns)
                write_rows(conn, self.spec.sql("sqlite"), [getter(r) for r in rows])
                pending.clear()
        if pending:  # inserted by a concurrent import since our lookup
            self._lookup(conn, pending)
        if pending:
            raise RuntimeError(f"{self.table.name}: rows vanished for {sorted(pending)[:3]}")

    def _insert_ignore(self, conn: Connection, rows: list[Row], pending: dict[str, Ref]) -> None:
        names = [c for c in self.spec.columns if c != "id"]
        arrays = tuple([row[name] for row in rows] for name in names)
        for row_id, key in conn.exec_driver_sql(self.spec.unnest_insert(self.key_name), arrays):
            _fill(pending, key, row_id)

    def _lookup(self, conn: Connection, pending: dict[str, Ref]) -> None:
        keys = list(pending)
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start : start + _LOOKUP_CHUNK]
            stmt = select(self.table.c.id, self.key).where(self.key.in_(chunk))
            for row_id, key in conn.execute(stmt):
                _fill(pending, key, row_id)


def _fill(pending: dict[str, Ref], key: str, row_id: int) -> None:
    ref = pending.pop(key, None)
    if ref is not None:
        ref.id, ref.row = row_id, None


@dataclass
class _Buffer:
    """Pending rows of one table, with Refs for those that need their ids."""

    spec: TableSpec
    rows: list[Row] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)


@dataclass
class _Batch:
    """What one flush writes: new party keys, then rows per table in parent-first order."""

    entities: list[tuple[_Entities, dict[str, Ref]]]
    buffers: list[_Buffer]


class BatchWriter:
    """Buffers one file's rows and writes them in bulk, one batch in the background."""

    def __init__(self, conn: Connection, background: bool = True) -> None:
        self.conn = conn
        self.ids = IdAllocator(conn)
        self.created = ImportedIds()
        self.payers = _Entities(m.Payer, "payer_key")
        self.providers = _Entities(m.Provider, "provider_key")
        self.patients = _Entities(m.Patient, "patient_key")
        self.coverages = _Entities(m.Coverage, "coverage_key")
        self._entities = (self.payers, self.providers, self.patients, self.coverages)
        self._buffers = {spec.table: _Buffer(spec) for spec in SPECS}
        self._collect = {
            table_of(m.ClaimPayment): self.created.claim_payments,
            table_of(m.SubmittedClaim): self.created.submitted_claims,
            table_of(m.Remittance): self.created.remittances,
        }
        self._sql = {spec.table: spec.sql(conn.dialect.name) for spec in SPECS}
        self._pool = ThreadPoolExecutor(1, "claimsdesk-writer") if background else None
        self._inflight: Future[None] | None = None
        self.flushes = 0

    def add(self, model: Any, row: Row) -> Ref | None:
        """Queue a row; returns a Ref when children may point at it."""
        buffer = self._buffers[model.__table__]
        buffer.rows.append(row)
        if not buffer.spec.allocate:
            return None
        ref = Ref(row)
        buffer.refs.append(ref)
        return ref

    def set_values(self, model: Any, ref: Ref, values: Row) -> None:
        """Change a queued or already written row (trailer totals, dedupe keys)."""
        self.sync()
        if ref.id is None and ref.row is not None:
            json_columns = SPEC_OF[model.__table__].json_columns
            ref.row.update({k: dumps(v) if k in json_columns else v for k, v in values.items()})
            return
        table = table_of(model)
        self.conn.execute(update(table).where(table.c.id == ref.id).values(**values))

    def flush(self, wait: bool = True) -> None:
        """Write every queued row, parents first; with wait=False in the background."""
        self.sync()
        batch = _Batch(
            [(e, e.take_pending()) for e in self._entities],
            [b for b in (self._take(buffer) for buffer in self._buffers.values()) if b.rows],
        )
        if wait or self._pool is None:
            self._write(batch)
        else:
            self._inflight = self._pool.submit(self._write, batch)

    def sync(self) -> None:
        """Wait for the batch in flight; its error is raised here."""
        inflight, self._inflight = self._inflight, None
        if inflight is not None:
            inflight.result()

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
        self.ids.forget()

    @staticmethod
    def _take(buffer: _Buffer) -> _Buffer:
        taken = _Buffer(buffer.spec, buffer.rows, buffer.refs)
        buffer.rows, buffer.refs = [], []
        return taken

    def _write(self, batch: _Batch) -> None:
        for entities, pending in batch.entities:
            entities.flush(self.conn, self.ids, pending)
        for buffer in batch.buffers:
            self._flush_buffer(buffer)
        self.flushes += 1

    def _flush_buffer(self, buffer: _Buffer) -> None:
        spec, rows = buffer.spec, buffer.rows
        if spec.allocate:
            ids = self.ids.take(spec.table, len(rows))
            for ref, row, row_id in zip(buffer.refs, rows, ids, strict=True):
                row["id"] = ref.id = row_id
                ref.row = None
            collected = self._collect.get(spec.table)
            if collected is not None:
                collected.extend(ids)
        _resolve(rows, spec.fk_columns)
        getter = itemgetter(*spec.columns)
        write_rows(self.conn, self._sql[spec.table], [getter(row) for row in rows])
