"""Shared party rows (payers, providers, patients, coverages) found or created by natural key.

Each kind keeps a per-file cache of key -> Ref. A flush looks the new keys up, inserts the
missing ones and fills every Ref: on SQLite with executemany under the write lock; on
PostgreSQL with one JSON parameter per statement (a lookup, then INSERT ... ON CONFLICT DO
NOTHING, then a lookup of keys a concurrent import inserted meanwhile).

Providers also merge: a key seen again from another source (an 835 payee, then the 837
billing provider with the same NPI) folds its values into the stored row. An authoritative
source (the 837 billing provider, whose N3/N4 is the billing address) overwrites with its
non-empty values; any other source only fills empty columns. Empty never overwrites.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, TextClause, text

from claimsdesk.services.import_sql import (
    IdAllocator,
    TableSpec,
    fetch_pg,
    json_param,
    write_rows,
)

Row = dict[str, Any]
Contribution = tuple[Row, bool]  # a source's row values, and whether it is authoritative
_LOOKUP_CHUNK = 500
_CACHE_LIMIT = 20_000
_SOURCES_PER_KEY = 8  # distinct sources remembered per key; later ones are not merged
_LOOKUP_FIRST_SHARE = 0.5  # known keys above this share: look up before inserting


class Ref:
    """The id of a row, known once the row has been flushed."""

    __slots__ = ("id", "row")

    def __init__(self, row: Row | None = None, id: int | None = None) -> None:
        self.row = row
        self.id = id


def resolve(rows: list[Row], fk_columns: tuple[str, ...]) -> None:
    """Replace every Ref in the rows' foreign-key columns by its id."""
    for row in rows:
        for name in fk_columns:
            value = row[name]
            if isinstance(value, Ref):
                row[name] = value.id


def fold(row: Row, new: Row, columns: tuple[str, ...], authoritative: bool) -> None:
    """Merge `new` into `row` in place: fill empty columns, or overwrite when authoritative."""
    for name in columns:
        value = new.get(name)
        if value and (authoritative or not row.get(name)):
            row[name] = value


@dataclass
class Pending:
    """What one flush settles for one kind: new keys, and merges into stored rows."""

    refs: dict[str, Ref] = field(default_factory=dict)
    contributions: dict[str, list[Contribution]] = field(default_factory=dict)
    merges: list[tuple[str, Contribution]] = field(default_factory=list)


class Entities:
    """Shared party rows of one kind, found or created by natural key, cached per file."""

    def __init__(self, model: Any, key_column: str, merge: tuple[str, ...] = ()) -> None:
        self.spec = TableSpec.of(model, True)
        self.table = self.spec.table
        self.key_name = key_column
        self.merge_columns = merge
        self.cache: dict[str, Ref] = {}
        self.pending = Pending()
        self._sources: dict[str, list[Any]] = {}
        self._merge_sql = _merge_sql(self.table.name, key_column, merge) if merge else None
        self._known_share = 0.0  # of the keys of the last flush, already stored

    def ref(self, key: str, make_row: Callable[[], Row]) -> Ref:
        """The Ref for this key; the row is built only the first time the key is seen."""
        found = self.cache.get(key)
        if found is None:
            row = make_row()
            row[self.key_name] = key
            found = self.cache[key] = self.pending.refs[key] = Ref(row)
        return found

    def ref_merged(
        self, key: str, source: Any, make_row: Callable[[], Row], authoritative: bool
    ) -> Ref:
        """Like ref(); a source not seen before for this key adds its values to the row."""
        seen = self._sources.get(key)
        mark = (authoritative, source)
        if seen is not None and mark in seen:
            return self.cache[key]
        found = self.cache.get(key)
        if found is None:
            found = self.ref(key, make_row)
            self._sources[key] = [mark]
            self.pending.contributions[key] = [(dict(found.row or {}), authoritative)]
            return found
        if seen is None or len(seen) >= _SOURCES_PER_KEY:
            return found
        seen.append(mark)
        new = make_row()
        contributions = self.pending.contributions.get(key)
        if key in self.pending.refs and found.row is not None and contributions is not None:
            fold(found.row, new, self.merge_columns, authoritative)  # not yet handed over
            contributions.append((new, authoritative))
        else:
            self.pending.merges.append((key, (new, authoritative)))
        return found

    def take_pending(self) -> Pending:
        """Hand the new keys and merges to a flush (reader thread); bound the cache."""
        pending, self.pending = self.pending, Pending()
        if len(self.cache) > _CACHE_LIMIT:
            self.cache.clear()
            self._sources.clear()
        return pending

    def forget(self) -> None:
        """Drop every cached id."""
        self.cache.clear()
        self._sources.clear()
        self.pending = Pending()

    def flush(self, conn: Connection, ids: IdAllocator, pending: Pending) -> None:
        """Settle the new keys (stored ones found, the rest inserted), fill every Ref, merge
        into stored rows. PostgreSQL inserts first (ON CONFLICT DO NOTHING) while most keys
        of the file turn out new, and looks up first once most turn out known."""
        refs = pending.refs
        total = len(refs)
        existed = self._lookup(conn, refs) if refs and self._lookup_first(ids) else []
        if refs:  # in key order, so concurrent imports lock keys in the same order
            ordered = [refs[key] for key in sorted(refs)]
            rows: list[Row] = [ref.row for ref in ordered if ref.row is not None]
            resolve(rows, self.spec.fk_columns)
            if ids.postgres:
                self._insert_ignore(conn, rows, refs)
            else:  # the write lock is ours: no one else can insert these keys now
                self._insert_all(conn, ids, ordered, rows)
                refs.clear()
        if refs:  # stored before (insert first), or by a concurrent import since our lookup
            existed += self._lookup(conn, refs)
        if refs:
            raise RuntimeError(f"{self.table.name}: rows vanished for {sorted(refs)[:3]}")
        if total:
            self._known_share = len(existed) / total
        if self._merge_sql is not None:
            merges = [(k, c) for k in existed for c in pending.contributions.get(k, ())]
            self._merge(conn, merges + pending.merges)

    def _lookup_first(self, ids: IdAllocator) -> bool:
        """SQLite always; PostgreSQL when most keys of the last flush were already stored."""
        return not ids.postgres or self._known_share > _LOOKUP_FIRST_SHARE

    def _insert_all(
        self, conn: Connection, ids: IdAllocator, refs: list[Ref], rows: list[Row]
    ) -> None:
        for ref, row, row_id in zip(refs, rows, ids.take(self.table, len(rows)), strict=True):
            row["id"] = ref.id = row_id
            ref.row = None
        getter = itemgetter(*self.spec.columns)
        write_rows(conn, self.spec.sql("sqlite"), [getter(r) for r in rows])

    def _insert_ignore(self, conn: Connection, rows: list[Row], refs: dict[str, Ref]) -> None:
        sql = self.spec.json_insert(self.key_name)
        _fill_all(refs, fetch_pg(conn, sql, (json_param(rows),)))

    def _lookup(self, conn: Connection, refs: dict[str, Ref]) -> list[str]:
        """Fill the Refs of keys already stored; the keys found."""
        keys = list(refs)
        found: list[str] = []
        if conn.dialect.name == "postgresql":
            sql = self.spec.json_lookup(self.key_name)
            return _fill_all(refs, fetch_pg(conn, sql, (json_param(keys),)))
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = tuple(keys[start : start + _LOOKUP_CHUNK])
            sql = self.spec.sqlite_lookup(self.key_name, len(chunk))
            found += _fill_all(refs, conn.exec_driver_sql(sql, chunk))
        return found

    def _merge(self, conn: Connection, merges: list[tuple[str, Contribution]]) -> None:
        """Fold contributions into stored rows, in the order they were read."""
        assert self._merge_sql is not None
        params = [
            {"key": key, "auth": int(auth), **{c: row.get(c) or "" for c in self.merge_columns}}
            for key, (row, auth) in merges
        ]
        if params:
            conn.execute(self._merge_sql, params)


def _fill_all(refs: dict[str, Ref], found: Iterable[Any]) -> list[str]:
    """Give the Refs of the (id, key) rows their ids; the keys filled."""
    keys: list[str] = []
    pop = refs.pop
    for row_id, key in found:
        ref = pop(key, None)
        if ref is not None:
            ref.id, ref.row = row_id, None
            keys.append(key)
    return keys


def _merge_sql(table: str, key: str, columns: tuple[str, ...]) -> TextClause:
    """UPDATE that folds one source's values into a stored row, evaluated on the row as it
    is when locked (a concurrent import's merge is not lost); no write when nothing changes."""
    sets, changes = [], []
    for c in columns:
        keep = f"coalesce({c}, '')"
        sets.append(
            f"{c} = CASE WHEN :{c} = '' OR (:auth = 0 AND {keep} <> '') THEN {c} ELSE :{c} END"
        )
        changes.append(f"(:{c} <> '' AND {keep} <> :{c} AND (:auth = 1 OR {keep} = ''))")
    return text(
        f"UPDATE {table} SET {', '.join(sets)} WHERE {key} = :key AND ({' OR '.join(changes)})"
    )
