"""SQL side of the import writer: table specs, id allocation, bulk writes per dialect."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Connection, Table, text
from sqlalchemy.exc import DBAPIError

from claimsdesk.storage.models import ingest as m
from claimsdesk.storage.models.base import table_of

EMPTY_JSON = "[]"


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

    @classmethod
    def of(cls, model: Any, allocate: bool) -> TableSpec:
        """Columns in table order; id only when allocated."""
        table = table_of(model)
        columns = tuple(c.name for c in table.columns if allocate or c.name != "id")
        # import_file_id is always a plain id; the other foreign keys may hold a Ref
        fks = tuple(c.name for c in table.columns if c.foreign_keys and c.name != "import_file_id")
        jsons = frozenset(c.name for c in table.columns if isinstance(c.type, JSON))
        return cls(table, allocate, columns, fks, jsons)

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


class IdAllocator:
    """Ids for rows before they are inserted."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self._next: dict[str, int] = {}
        self._sequences: dict[str, str] = {}

    def take(self, table: Table, count: int) -> list[int]:
        """`count` fresh ids for `table`."""
        if count == 0:
            return []
        if self.postgres:
            return self._take_pg(table.name, count)
        start = self._next.get(table.name)
        if start is None:
            stmt = text(f"SELECT coalesce(max(id), 0) + 1 FROM {table.name}")
            start = int(self.conn.execute(stmt).scalar_one())
        self._next[table.name] = start + count
        return list(range(start, start + count))

    def _take_pg(self, table: str, count: int) -> list[int]:
        """nextval() `count` times in one statement; the usual unbroken run comes back as
        its bounds, only a run interleaved with a concurrent import as the full list."""
        sequence = self._sequences.get(table)
        if sequence is None:
            found = self.conn.exec_driver_sql(
                "SELECT pg_get_serial_sequence(%s, 'id')", (table,)
            ).scalar_one()
            sequence = self._sequences[table] = str(found)
        low, high, spread = self.conn.exec_driver_sql(_TAKE_SQL, (sequence, count)).one()
        if spread is None:
            return list(range(low, high + 1))
        return [int(v) for v in spread.split(",")]

    def forget(self) -> None:
        """After a savepoint rollback SQLite's max(id) is read again."""
        self._next.clear()


def write_rows(conn: Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """executemany on SQLite; COPY on PostgreSQL (one stream, no per-row statements)."""
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(sql, rows)
        return
    import psycopg

    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as exc:  # the same exception types as every other statement
        raise DBAPIError.instance(sql, None, exc, psycopg.Error) from exc
