"""The declarative Base every model module shares, with stable constraint names for Alembic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = Numeric(12, 2, asdecimal=True)
"""Every money column: Decimal in, Decimal out."""

QUANTITY = Numeric(15, 4, asdecimal=True)
"""Units, quantities, DRG weights: more places than money."""

BIG_ID = BigInteger().with_variant(Integer(), "sqlite")
"""Primary keys of high-volume tables: BIGINT on PostgreSQL, the rowid alias on SQLite."""


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC in and out; SQLite keeps it naive on disk."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Refuse naive datetimes so local times never slip in."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(dt.UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Attach UTC to what SQLite returns naive."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Shared metadata: ingest, desk and analysis tables live in one schema."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        Decimal: MONEY,
        str: String(),
        dt.datetime: UTCDateTime(),
    }


def utcnow() -> dt.datetime:
    """Aware UTC now, for timestamps the import writes."""
    return dt.datetime.now(dt.UTC)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, typed for insert(), update() and delete()."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
