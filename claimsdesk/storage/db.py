"""Engines, session factories and schema upgrades; nothing is created at import.

SQLite (the embedded default) runs in WAL mode with foreign keys on and a busy timeout, and
the driver's own transaction handling is switched off so SQLAlchemy emits BEGIN itself: the
import service asks for BEGIN IMMEDIATE (execution option `sqlite_immediate`) so two writers
queue instead of failing on a stale snapshot. PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.config import DEFAULT_BUSY_TIMEOUT_MS, Settings

MIGRATIONS = "claimsdesk.storage:migrations"
SQLITE_IMMEDIATE = "sqlite_immediate"
_UPGRADE_LOCK = 0x636C6D64  # pg_advisory_xact_lock key serialising concurrent upgrades


def normalise_url(url: str) -> str:
    """Plain postgresql:// and postgres:// URLs go through psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    """An engine for the URL, with the pragmas and begin handling claimsdesk relies on."""
    url = normalise_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        # the import's writer thread uses the connection while the reader thread waits
        args = {"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
        engine = create_engine(url, connect_args=args)
        _prepare_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True)


def engine_from_settings(settings: Settings) -> Engine:
    """make_engine for the configured database."""
    return make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)


def _register_sqlite_adapters() -> None:
    """Decimal and date parameters for the import's DBAPI executemany (SQLAlchemy's own
    paths convert before the driver sees them): Decimal as its exact text, which SQLite's
    NUMERIC affinity stores as a number; dates as ISO text, as SQLAlchemy's Date does."""
    sqlite3.register_adapter(Decimal, str)
    sqlite3.register_adapter(dt.date, dt.date.isoformat)


def _prepare_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, busy timeout; SQLAlchemy (not pysqlite) emits BEGIN."""
    _register_sqlite_adapters()
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # a commit survives power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # 16 MB of pages: the OS file cache holds the rest; a larger cache bought no speed and
        # raised a million-claim import's peak RSS by 50 MB (benchmarks/bench_ingest.py).
        cursor.execute("PRAGMA cache_size=-16384")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(SQLITE_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (services return them)."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration revision shipped with this code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def schema_is_current(engine: Engine) -> bool:
    """True when the database is at the newest shipped revision."""
    return current_revision(engine) == head_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to `revision`; safe when two processes run it at once."""
    options = {SQLITE_IMMEDIATE: True} if engine.dialect.name == "sqlite" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Step the schema back (tests and emergencies only)."""
    with engine.connect() as conn, conn.begin():
        command.downgrade(alembic_config(conn), revision)
