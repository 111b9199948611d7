"""`claimsdesk demo`: imports the scenarios, fills the queues and creates the demo accounts."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from claimsdesk.cli import cli

SAMPLES = Path(__file__).resolve().parents[2] / "sample_edi"


def test_demo_fills_queues_and_creates_accounts_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = CliRunner()
    first = runner.invoke(cli, ["--db", url, "demo", "--samples", str(SAMPLES)])
    assert first.exit_code == 0, first.output
    assert "imported 45" in first.output
    assert "account demo " in first.output and "created" in first.output
    assert "new work items" in first.output
    again = runner.invoke(cli, ["--db", url, "demo", "--samples", str(SAMPLES)])
    assert again.exit_code == 0, again.output
    assert "duplicate 45" in again.output and "already there" in again.output
    queues = runner.invoke(cli, ["--db", url, "queues", "list"])
    assert "authorization" in queues.output and "1,250.00" in queues.output


def test_plain_import_routes_findings_to_queues(tmp_path: Path) -> None:
    """The nightly import alone fills the queues; an 835 matched later leaves no stale item."""
    url = f"sqlite:///{tmp_path / 'nightly.db'}"
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", url, "import", str(SAMPLES / "scenarios")])
    assert result.exit_code == 0, result.output
    queues = runner.invoke(cli, ["--db", url, "queues", "list"]).output
    rows = {line.split()[0]: line.split() for line in queues.splitlines()[1:] if line.strip()}
    assert rows["authorization"][1] == "1" and rows["authorization"][-1] == "1,250.00"
    assert rows["unmatched_remittances"][1] == "2"  # UNM26001 and the unbalanced remittance
