"""Helpers for database tests: row counts of the ingest tables."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from claimsdesk.storage.models import ingest
from claimsdesk.storage.models.base import Base

INGEST_TABLES = sorted(
    cls.__table__.name
    for cls in vars(ingest).values()
    if isinstance(cls, type) and issubclass(cls, Base) and cls is not Base
)


def count_rows(engine: Engine, table: str) -> int:
    """Rows in one table."""
    with engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).select_from(Base.metadata.tables[table])).scalar_one()
        )


def table_counts(engine: Engine, tables: list[str] | None = None) -> dict[str, int]:
    """Row counts of the ingest tables (or the ones named)."""
    names = tables or INGEST_TABLES
    return {name: count_rows(engine, name) for name in names}
