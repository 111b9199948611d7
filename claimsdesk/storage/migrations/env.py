"""Alembic environment: runs on the connection claimsdesk.storage.db hands over.

Run from the command line with `alembic -x url=sqlite:///x.db ...` when no connection is given.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from claimsdesk.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs via table copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Use the given connection, or one made from `-x url=...`."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from claimsdesk.storage.db import make_engine

    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///claimsdesk.db")
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; pass a database URL")
run_migrations_online()
