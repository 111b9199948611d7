"""SQL side of the import writer: table specs, id allocation, bulk writes per dialect."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, cast

from sqlalchemy import JSON, Connection, Table, text
from sqlalchemy.exc import DBAPIError

from claimsdesk.storage.models import ingest as m
from claimsdesk.storage.models.base import table_of

EMPTY_JSON = "[]"
PARTY_TABLES = frozenset({"payers", "providers", "patients", "coverages"})


_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str)


def dumps(value: Any) -> str:
    """JSON text for a JSON column: tuples as arrays, Decimal and dates as strings."""
    if not value:
        return "{}" if isinstance(value, dict) else EMPTY_JSON
    return _ENCODER.encode(value)


def json_param(value: Any) -> str:
    """JSON text of rows or keys sent as one PostgreSQL parameter (dates and Decimal as str)."""
    return _ENCODER.encode(value)


@dataclass(frozen=True)
class TableSpec:
    """How one table's rows become an INSERT of tuples."""

    table: Table
    allocate: bool  # ids given up front (children point at these rows)
    columns: tuple[str, ...]
    fk_columns: tuple[str, ...]
    json_columns: frozenset[str]
    party_fks: tuple[str, ...] = ()  # links to shared party rows: Refs until the flush

    @classmethod
    def of(cls, model: Any, allocate: bool) -> TableSpec:
        """Columns in table order; id only when allocated."""
        table = table_of(model)
        columns = tuple(c.name for c in table.columns if allocate or c.name != "id")
        # import_file_id is always a plain id; the other foreign keys may hold a Ref
        fks = tuple(c.name for c in table.columns if c.foreign_keys and c.name != "import_file_id")
        jsons = frozenset(c.name for c in table.columns if isinstance(c.type, JSON))
        parties = tuple(
            c.name
            for c in table.columns
            if any(fk.column.table.name in PARTY_TABLES for fk in c.foreign_keys)
        )
        return cls(table, allocate, columns, fks, jsons, parties)

    def sql(self, dialect: str) -> str:
        """SQLite: INSERT with ? placeholders. PostgreSQL: COPY FROM STDIN (text format)."""
        cols = ", ".join(self.columns)
        if dialect == "postgresql":
            return f"COPY {self.table.name} ({cols}) FROM STDIN"
        marks = ", ".join("?" for _ in self.columns)
        return f"INSERT INTO {self.table.name} ({cols}) VALUES ({marks})"

    def json_lookup(self, key: str) -> str:
        """PostgreSQL: ids of the keys in one JSON array parameter (one statement, no bind
        per key; = ANY(ARRAY(...)) probes the key index where IN (SELECT ...) may hash a
        whole table)."""
        t = self.table.name
        keys = "ARRAY(SELECT json_array_elements_text(%s::json))"
        return f"SELECT id, {key} FROM {t} WHERE {key} = ANY({keys})"

    def sqlite_lookup(self, key: str, count: int) -> str:
        """SQLite: ids of `count` keys given as ? parameters."""
        marks = ", ".join("?" for _ in range(count))
        return f"SELECT id, {key} FROM {self.table.name} WHERE {key} IN ({marks})"

    def json_insert(self, key: str) -> str:
        """PostgreSQL: insert the rows of one JSON array parameter, skipping keys that exist."""
        names = ", ".join(c for c in self.columns if c != "id")
        t = self.table.name
        return (
            f"INSERT INTO {t} ({names}) SELECT {names}"
            f" FROM json_populate_recordset(NULL::{t}, %s::json)"
            f" ON CONFLICT ({key}) DO NOTHING RETURNING id, {key}"
        )


# flush order: parents before children
SPECS: tuple[TableSpec, ...] = (
    TableSpec.of(m.Interchange, True),
    TableSpec.of(m.TransactionSetRow, True),
    TableSpec.of(m.Remittance, True),
    TableSpec.of(m.ClaimPayment, True),
    TableSpec.of(m.ServicePayment, True),
    TableSpec.of(m.ClaimAdjustment, False),
    TableSpec.of(m.RemarkCode, False),
    TableSpec.of(m.ProviderAdjustmentRow, False),
    TableSpec.of(m.SubmittedClaim, True),
    TableSpec.of(m.ClaimLine, False),
    TableSpec.of(m.OtherPayerRow, True),
    TableSpec.of(m.OtherPayerAdjustment, False),
    TableSpec.of(m.ImportIssue, False),
)
SPEC_OF = {spec.table: spec for spec in SPECS}


_TAKE_SQL = (
    "WITH s AS MATERIALIZED (SELECT nextval(%s::regclass) AS v FROM generate_series(1, %s)),"
    " b AS (SELECT min(v) AS lo, max(v) AS hi, count(*) AS n FROM s)"
    " SELECT lo, hi, CASE WHEN hi - lo + 1 = n THEN NULL"
    " ELSE (SELECT string_agg(v::text, ',') FROM s) END FROM b"
)


_FIRST_BLOCK = 1_024
_LAST_BLOCK = 65_536


class IdAllocator:
    """Ids for rows before they are inserted (writer thread). SQLite counts on from max(id)
    under the file's write lock; PostgreSQL takes them from the table's sequence."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self._next: dict[str, int] = {}
        self._sequences: dict[str, str] = {}

    def take(self, table: Table, count: int) -> Sequence[int]:
        """`count` fresh ids for `table`: a range (no int objects held for a block of 65,536
        ids until each is handed out)."""
        if count == 0:
            return range(0)
        if self.postgres:
            return self._take_pg(table.name, count)
        start = self._next.get(table.name)
        if start is None:
            stmt = text(f"SELECT coalesce(max(id), 0) + 1 FROM {table.name}")
            start = int(self.conn.execute(stmt).scalar_one())
        self._next[table.name] = start + count
        return range(start, start + count)

    def _take_pg(self, table: str, count: int) -> Sequence[int]:
        """nextval() `count` times in one statement; the usual unbroken run comes back as
        its bounds, only a run interleaved with a concurrent import as the full list."""
        sequence = self._sequences.get(table)
        if sequence is None:
            found = self.conn.exec_driver_sql(
                "SELECT pg_get_serial_sequence(%s, 'id')", (table,)
            ).scalar_one()
            sequence = self._sequences[table] = str(found)
        ((low, high, spread),) = fetch_pg(self.conn, _TAKE_SQL, (sequence, count))
        if spread is None:
            return range(low, high + 1)
        return [int(v) for v in spread.split(",")]


class IdPool:
    """Ids of one table handed out on the reader thread as rows are queued, so children
    point at plain ids; blocks are fetched on the writer thread one block ahead of need.
    Ids left over when the file ends are never used (sequences have gaps anyway)."""

    def __init__(self, table: Table, fetch: Callable[[Table, int], Future[Sequence[int]]]) -> None:
        self.table = table
        self._fetch = fetch
        self._size = _FIRST_BLOCK
        self._ids: Iterator[int] = iter(())
        self._next: Future[Sequence[int]] | None = None

    def take(self) -> int:
        """The next id."""
        for row_id in self._ids:
            return row_id
        return self._refill()

    def _refill(self) -> int:
        ahead = self._next or self._fetch(self.table, self._size)
        self._size = min(self._size * 2, _LAST_BLOCK)
        self._next = self._fetch(self.table, self._size)
        self._ids = iter(ahead.result())
        return next(self._ids)


def fetch_pg(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """PostgreSQL: every row of one statement, from the driver's cursor (SQLAlchemy's result
    wrapping costs more than the rows for tens of thousands of party keys)."""
    import psycopg

    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        with raw.cursor() as cursor:
            cursor.execute(sql, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows
    except psycopg.Error as exc:  # the same exception types as every other statement
        raise DBAPIError.instance(sql, None, exc, psycopg.Error) from exc


Payload = bytes | bytearray | Iterable[tuple[Any, ...]]
"""One table's rows of a batch: COPY text (PostgreSQL), else tuples (a list or an iterator)."""


class CopyText:
    """COPY text made with psycopg's C row formatter on the reader thread, so the writer
    thread only sends bytes. Dumpers are made at once, before the writer thread uses the
    connection. `available` is False where psycopg has no such formatter."""

    available = False

    def __init__(self, conn: Connection) -> None:
        self._tx: Any = None
        self._fmt = _row_formatter() if conn.dialect.name == "postgresql" else None
        if self._fmt is None:
            return
        from psycopg.adapt import Transformer

        self._tx = Transformer(conn.connection.driver_connection)
        self.format(_WARM_UP)
        self.available = True

    def format(self, rows: Iterable[tuple[Any, ...]]) -> bytearray:
        """The rows as one block of COPY text."""
        assert self._fmt is not None
        fmt, tx, out = self._fmt, self._tx, bytearray()
        for row in rows:
            fmt(row, tx, out)
        return out


def write_rows(conn: Connection, sql: str, rows: Payload) -> None:
    """executemany on SQLite; COPY on PostgreSQL (one stream, no per-row statements)."""
    if conn.dialect.name != "postgresql":
        _sqlite_many(conn, sql, rows)
        return
    import psycopg

    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            if isinstance(rows, bytes | bytearray):
                copy.write(rows)
            else:
                for row in rows:
                    copy.write_row(row)
    except psycopg.Error as exc:  # the same exception types as every other statement
        raise DBAPIError.instance(sql, None, exc, psycopg.Error) from exc


def _sqlite_many(conn: Connection, sql: str, rows: Payload) -> None:
    """The driver's executemany, which takes an iterator: a batch's tuples are made one at
    a time (SQLAlchemy's would need them all in a list first)."""
    raw = conn.connection.driver_connection
    assert raw is not None and not isinstance(rows, bytes | bytearray)
    try:
        raw.executemany(sql, rows)
    except sqlite3.Error as exc:  # the same exception types as every other statement
        raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc


@cache
def _row_formatter() -> Callable[[Any, Any, bytearray], None] | None:
    """psycopg's C row formatter, imported on first PostgreSQL use (a SQLite import never
    loads psycopg: ~9 MB of RSS)."""
    try:
        from psycopg._copy_base import format_row_text
    except ImportError:  # another psycopg layout: Copy.write_row does the same, slower
        return None
    return cast(Callable[[Any, Any, bytearray], None], format_row_text)


_WARM_UP = [
    ("text", 1, 70_000, 5_000_000_000, Decimal("1.00"), dt.date(2026, 1, 1), True, None),
    ("", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), False, 0),
]
