"""Revision 0005 matches the models and steps down and up on both databases; the `queues`
commands work end to end on a real database."""

from __future__ import annotations

import datetime as dt
import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker
from worklistkit import account, import_files

from claimsdesk.cli_worklist import queues
from claimsdesk.config import Settings
from claimsdesk.storage.db import current_revision, downgrade, make_engine, upgrade
from claimsdesk.storage.models import Base

TABLES = {"work_items", "work_item_history", "work_item_notes", "write_offs",
          "self_pay_accounts", "team_members"}  # fmt: skip


def test_head_schema_matches_the_worklist_models(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert [d for d in diffs if any(f"'{t}'" in repr(d) for t in TABLES)] == []
    indexes = {i["name"] for i in inspect(engine).get_indexes("work_items")}
    assert {"ix_work_items_queue_status_score", "ix_work_items_open_score",
            "ix_work_items_assignee_status"} <= indexes  # fmt: skip


def test_worklist_revision_downgrades_and_upgrades(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0005_worklist")
        downgrade(engine, "0004_findings")
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade(engine, "0005_worklist")
        assert current_revision(engine) == "0005_worklist"
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(queues, list(args), obj=Settings(database_url=url))
    return result.exit_code, result.output


def test_queues_commands(db_url: str, session_factory: sessionmaker[Session]) -> None:
    import_files(session_factory, ("sample_edi/scenarios/denied-eligibility.837",
                                   "sample_edi/scenarios/denied-eligibility.835"),
                 dt.date(2026, 4, 25))  # fmt: skip
    account(session_factory, "ruth")
    assert run(db_url, "check") == (0, "queues OK\n")
    code, out = run(db_url, "sync", "--today", "2026-04-25", "--json")
    assert code == 0 and json.loads(out)["unchanged"] >= 1
    code, out = run(db_url, "list", "--json")
    listed = {q["name"]: q for q in json.loads(out)}
    assert code == 0 and listed["eligibility"]["active"] == 1
    assert listed["eligibility"]["dollars"] == "235.00"
    code, out = run(db_url, "next", "--user", "ruth")
    assert code == 0 and "(eligibility, score" in out and "ELG26001" in out
    assert run(db_url, "next", "--user", "ruth")[1] == "nothing is waiting in your queues\n"
    code, out = run(db_url, "items", "eligibility", "--json")
    page = json.loads(out)
    assert code == 0 and page["total"] == 1 and page["items"][0]["assignee"] == "ruth"
    code, out = run(db_url, "backlog")
    assert code == 0 and "eligibility" in out and "ruth" in out
    code, out = run(db_url, "items", "nope")
    assert code == 1 and "Unknown queue 'nope'" in out
    code, out = run(db_url, "next", "--user", "nobody")
    assert code == 1 and "no active user named 'nobody'" in out
    account(session_factory, "boss", "manager")
    code, out = run(db_url, "teams", "--user", "ruth", "--set", "front_end", "--by", "boss")
    assert (code, out) == (0, "ruth: teams front_end; queues eligibility, authorization\n")
    code, out = run(db_url, "teams", "--user", "ruth", "--set", "front_end", "--by", "ruth")
    assert code == 1 and "Only a manager" in out
