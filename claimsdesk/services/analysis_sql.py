"""Bulk reads and writes of the analysis tables with plain tuples, straight to the driver.

At 100,000 claims Core's per-row parameter processing costs more than the statements. So:
inserts are COPY FROM STDIN on PostgreSQL and executemany on SQLite (Decimal and dates go
through the adapters claimsdesk.storage.db registers, as the import's rows do); updates are
a COPY into a temporary table and one UPDATE ... FROM it on PostgreSQL, executemany on
SQLite. Values that need a column type's own conversion (JSON, timestamps) are converted
once with bound().
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    Column,
    Connection,
    String,
    Table,
    any_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.exc import DBAPIError

CHUNK = 5000  # ids per IN (...) query (SQLite allows 32,766 parameters)
WRITE_CHUNK = 5000  # rows per executemany / unnest statement
MAX_RUNS = 24  # id runs worth a BETWEEN each before IN (...) is cheaper
T = TypeVar("T")


def chunked(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Lists of at most `size` values, for IN (...) queries and executemany batches."""
    items = values if isinstance(values, list) else list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def id_in(column: Any, ids: Sequence[int], conn: Connection | None = None) -> Any:
    """column IN ids; ids of one import run in blocks, so a few BETWEENs replace a long IN
    (whose bind parameters cost more than the query); scattered ids as one_of()."""
    ordered = sorted(set(ids))
    if ordered and ordered[-1] - ordered[0] == len(ordered) - 1:  # one block, the usual case
        return column.between(ordered[0], ordered[-1])
    runs: list[tuple[int, int]] = []
    for value in ordered:
        if runs and value == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
            if len(runs) > MAX_RUNS:
                return one_of(conn, column, ordered) if conn is not None else column.in_(ordered)
    if not runs:
        return column.in_([])
    # one shape per number of runs: compiled once, then served from Core's statement cache
    return or_(*(column.between(lo, hi) for lo, hi in runs))


def one_of(conn: Connection, column: Any, values: Sequence[Any]) -> Any:
    """column IN values, as one parameter: an array (= ANY) on PostgreSQL, a JSON list read
    by json_each on SQLite. The statement text is the same for every chunk, where an IN list
    renders, binds and parses thousands of parameters (str and int values only)."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    if conn.dialect.name == "sqlite":
        listed = func.json_each(bindparam(None, json.dumps(list(values)), type_=String()))
        return column.in_(select(literal_column("value")).select_from(listed))
    return column.in_(values)


def bound(conn: Connection, column: Column[Any], value: Any) -> Any:
    """The value as Core would hand it to the driver for this column (JSON text or Jsonb,
    a timestamp as SQLite text): for constants shared by many rows."""
    dialect = conn.dialect
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process is not None else value


def _sqlite_ready() -> bool:
    """Whether claimsdesk.storage.db registered its Decimal and date adapters."""
    return all((t, sqlite3.PrepareProtocol) in sqlite3.adapters for t in (Decimal, dt.date))


def as_sqlite_text(conn: Connection) -> bool:
    """Whether rows for insert_rows may carry Decimal and date values as the text the
    registered SQLite adapters make of them (str, isoformat): built so in the row loop, they
    skip the driver's adapter lookup per value (the same values are stored)."""
    return conn.dialect.name == "sqlite" and _sqlite_ready()


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite dialect binds for Numeric and Date values."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _sqlite_rows(rows: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
    if _sqlite_ready():
        return rows
    return [tuple(map(_sqlite_value, row)) for row in rows]


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT many rows of plain values (no datetimes or JSON: give those bound())."""
    if not rows:
        return
    prep = conn.dialect.identifier_preparer
    names = ", ".join(prep.quote(c) for c in columns)
    if conn.dialect.name == "postgresql":
        _copy(conn, f"COPY {prep.format_table(table)} ({names}) FROM STDIN", rows)
        return
    marks = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {prep.format_table(table)} ({names}) VALUES ({marks})"
    for batch in chunked(_sqlite_rows(rows), WRITE_CHUNK):
        conn.exec_driver_sql(sql, batch)


def insert_dicts(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT rows given as dicts (every row the same keys), each value converted by its
    column type exactly as Core would (JSON, timestamps, ...), then insert_rows: Core's
    executemany spends more on per-row parameter handling than the rows cost to write."""
    if not rows:
        return
    columns = list(rows[0])
    dialect = conn.dialect
    procs = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in columns]
    values: list[list[Any]] = []
    for name, process in zip(columns, procs, strict=True):
        column = [row[name] for row in rows]
        values.append(column if process is None else _converted(column, process))
    insert_rows(conn, table, columns, list(zip(*values, strict=True)))


def _converted(values: list[Any], process: Any) -> list[Any]:
    """One column's values converted; a timestamp or date shared by many rows once."""
    done: dict[Any, Any] = {}
    out = []
    for value in values:
        if type(value) in _SHARED:
            new = done.get(value)
            if new is None:
                new = done[value] = process(value)
            out.append(new)
        else:
            out.append(process(value))
    return out


_SHARED = (dt.datetime, dt.date)


def _copy(conn: Connection, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY FROM STDIN through psycopg, its errors raised as SQLAlchemy's DBAPIError."""
    import psycopg

    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as exc:
        raise DBAPIError.instance(sql, None, exc, psycopg.Error) from exc


def update_rows(
    conn: Connection,
    table: Table,
    keys: Sequence[str],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """UPDATE table SET columns WHERE keys, one row per tuple (key values, then column values)."""
    if not rows:
        return
    prep = conn.dialect.identifier_preparer
    name = prep.format_table(table)
    if conn.dialect.name == "postgresql":
        _pg_update(conn, table, keys, columns, rows)
        return
    sets = ", ".join(f"{prep.quote(c)} = ?" for c in columns)
    where = " AND ".join(f"{prep.quote(k)} = ?" for k in keys)
    sql = f"UPDATE {name} SET {sets} WHERE {where}"
    width = len(keys)
    moved = [(*row[width:], *row[:width]) for row in _sqlite_rows(rows)]
    for part in chunked(moved, WRITE_CHUNK):
        conn.exec_driver_sql(sql, part)


def _pg_update(
    conn: Connection,
    table: Table,
    keys: Sequence[str],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """COPY the new values into a temporary table shaped like those columns (dropped at
    commit), then one UPDATE ... FROM it: psycopg formats COPY rows in C, where array
    parameters for unnest() cost several times more client CPU per value."""
    prep = conn.dialect.identifier_preparer
    every = (*keys, *columns)
    names = ", ".join(prep.quote(c) for c in every)
    shape = hashlib.sha1(names.encode(), usedforsecurity=False).hexdigest()[:8]
    temp = prep.quote(f"_upd_{table.name}_{shape}")
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {temp} ON COMMIT DROP AS"
        f" SELECT {names} FROM {prep.format_table(table)} WITH NO DATA"
    )
    conn.exec_driver_sql(f"TRUNCATE {temp}")
    _copy(conn, f"COPY {temp} ({names}) FROM STDIN", rows)
    sets = ", ".join(f"{prep.quote(c)} = v.{prep.quote(c)}" for c in columns)
    where = " AND ".join(f"t.{prep.quote(k)} = v.{prep.quote(k)}" for k in keys)
    conn.exec_driver_sql(
        f"UPDATE {prep.format_table(table)} AS t SET {sets} FROM {temp} AS v WHERE {where}"
    )


def delete_rows(
    conn: Connection, table: Table, keys: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """DELETE the rows whose key columns hold these tuples."""
    if not rows:
        return
    prep = conn.dialect.identifier_preparer
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    where = " AND ".join(f"{prep.quote(k)} = {mark}" for k in keys)
    sql = f"DELETE FROM {prep.format_table(table)} WHERE {where}"
    for batch in chunked(list(rows), WRITE_CHUNK):
        conn.exec_driver_sql(sql, [tuple(r) for r in batch])
