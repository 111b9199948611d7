"""A big file is analysed in parts (bounded memory); the results must not depend on it.

The same generated batch is imported twice into fresh databases, once judged whole and once
in parts of a few claims, so families (a claim and its secondary, a replacement) and their
payments fall into different parts. Matches, ledgers, findings and work items must be equal.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from claimsdesk.generator import generate_batch
from claimsdesk.services import analysis
from claimsdesk.services.imports import import_paths
from claimsdesk.storage.db import downgrade, make_engine, make_session_factory, upgrade
from payer_rules import load_rulebook

TABLES = {
    "claim_matches": "claim_payment_id, submitted_claim_id, status, method",
    "ledger_entries": "submitted_claim_id, entry_key, kind, party, amount, claim_payment_id",
    "claim_ledgers": "submitted_claim_id, state, charges, payer_paid, balance, patient_balance,"
    " responsible_party",
    "findings": "fingerprint, rule, category, status, amount, closed_reason",
    "work_items": "queue, status, score, patient_control_number, category",
}


def snapshot(url: str, files: list[Path], part: int) -> dict[str, list[tuple[object, ...]]]:
    """Import the files into an emptied database with the analysis hook judging `part`
    claims at a time; the tables."""
    hook = analysis.make_after_file(load_rulebook(), dt.date(2026, 6, 1))
    engine = make_engine(url)
    try:
        downgrade(engine, "base")
        upgrade(engine)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(analysis, "FILE_PART", part)
            run = import_paths(make_session_factory(engine), files, after_file=hook)
        assert {f.status for f in run.files} == {"imported"}
        with engine.connect() as conn:
            return {
                table: sorted(
                    tuple(_plain(v) for v in row)
                    for row in conn.execute(text(f"SELECT {columns} FROM {table}"))
                )
                for table, columns in TABLES.items()
            }
    finally:
        engine.dispose()


def _plain(value: object) -> object:
    return Decimal(str(value)).normalize() if isinstance(value, float | Decimal) else value


def test_parts_give_the_same_results(db_url: str, tmp_path: Path) -> None:
    files = generate_batch(300, 11, tmp_path / "batch", cycle_size=120)
    whole = snapshot(db_url, files, 1_000_000)
    parts = snapshot(db_url, files, 37)
    assert whole["findings"] and whole["work_items"] and whole["ledger_entries"]
    for table in TABLES:
        assert parts[table] == whole[table], table
