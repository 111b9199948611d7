"""The outbound CLI commands on the imported scenarios, and revision 0006 against the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from outboundkit import Desk
from sqlalchemy import inspect

from claimsdesk import cli_outbound
from claimsdesk.config import Settings
from claimsdesk.edi.validate import validate_file
from claimsdesk.storage.db import current_revision, downgrade, make_engine, upgrade
from claimsdesk.storage.models import Base

TABLES = {"appeals", "outbound_claims"}


def run(desk: Desk, command: Any, *args: str) -> Any:
    return CliRunner().invoke(command, list(args), obj=Settings(database_url=desk.url))


def test_cli_correct_then_export(desk: Desk, tmp_path: Path) -> None:
    desk.user("riley")
    made = run(desk, cli_outbound.correct, "COD26001", "--user", "riley", "--add-modifier",
               "1:25", "--pointers", "3:1", "--json")  # fmt: skip
    assert made.exit_code == 0, made.output
    data = json.loads(made.output)
    assert data["status"] == "validated" and data["original_reference"] == "SCI2606110010"
    out = run(desk, cli_outbound.export_837, str(data["id"]), "--out", str(tmp_path),
              "--user", "riley")  # fmt: skip
    assert out.exit_code == 0, out.output
    (path,) = tmp_path.glob("COD26001-corrected-*.837")
    assert validate_file(path).ok
    again = run(desk, cli_outbound.export_837, str(data["id"]), "--out", str(tmp_path))
    assert again.exit_code == 1 and "already exported" in again.output


def test_cli_bill_secondary_and_refusal(desk: Desk) -> None:
    desk.user("riley")
    ok = run(desk, cli_outbound.bill_secondary, "XOV26001", "--user", "riley")
    assert ok.exit_code == 0, ok.output
    assert "LAKESHORE STATE MEDICAID: VALIDATED" in ok.output and "note:" in ok.output
    refused = run(desk, cli_outbound.bill_secondary, "AUT26001", "--user", "riley")
    assert refused.exit_code == 1 and "No next payer is known" in refused.output
    assert "Traceback" not in refused.output
    nobody = run(desk, cli_outbound.bill_secondary, "XOV26001", "--user", "nobody")
    assert nobody.exit_code == 1 and "no active user" in nobody.output


def test_cli_appeal_writes_the_letter(desk: Desk, tmp_path: Path) -> None:
    desk.user("riley")
    finding = desk.finding("BUN26001", "coding")
    pdf, html = tmp_path / "letter.pdf", tmp_path / "letter.html"
    result = run(desk, cli_outbound.appeal, "--finding", str(finding), "--user", "riley",
                 "--reason", "36415 was drawn at a separate encounter.", "--today",
                 "2026-11-01", "--pdf", str(pdf), "--html", str(html))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "deadline 2027-02-09" in result.output and "send by mail" in result.output
    assert pdf.read_bytes().startswith(b"%PDF") and "CO-97" in html.read_text()
    listed = run(desk, cli_outbound.appeals, "--json")
    assert listed.exit_code == 0
    assert "BUN26001" in [a["patient_control_number"] for a in json.loads(listed.output)]
    outbound = run(desk, cli_outbound.outbound, "--pcn", "COD26001")
    assert outbound.exit_code == 0


def test_revision_matches_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
        assert [d for d in diffs if any(f"'{t}'" in repr(d) for t in TABLES)] == []
        downgrade(engine, "0005_worklist")
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade(engine, "0006_outbound")
        assert current_revision(engine) == "0006_outbound"
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
