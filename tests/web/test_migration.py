"""The desk revision: matches the models, and steps down and up cleanly on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from claimsdesk.storage.db import current_revision, downgrade, make_engine, upgrade
from claimsdesk.storage.models import Base

DESK_TABLES = {"users", "api_tokens", "login_throttle", "audit_log"}
REVISION = "0002_desk_accounts"


def desk_diffs(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    return [d for d in diffs if any(f"'{t}'" in repr(d) for t in DESK_TABLES)]


def test_head_schema_matches_the_desk_models(engine: Engine) -> None:
    assert DESK_TABLES <= set(inspect(engine).get_table_names())
    assert desk_diffs(engine) == []


def test_desk_revision_downgrades_and_upgrades(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine, REVISION)
        assert current_revision(engine) == REVISION
        downgrade(engine, "0001_ingest")
        assert not DESK_TABLES & set(inspect(engine).get_table_names())
        upgrade(engine, REVISION)
        assert DESK_TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
