"""The click shell: every command through CliRunner, errors as messages, exit statuses."""

from __future__ import annotations

import json
import sys
import types
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from claimsdesk import cli as cli_module
from claimsdesk.cli import cli
from claimsdesk.services import import_attempt, import_writer
from claimsdesk.storage.db import current_revision, head_revision, make_engine

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_edi"
FILE_KEYS = {
    "path", "format", "status", "transactions", "claims", "service_lines", "remittances",
    "payment_total", "warnings", "errors",
}  # fmt: skip


@pytest.fixture
def fake_reader(monkeypatch: pytest.MonkeyPatch) -> object:
    sys.path.insert(0, str(ROOT / "tests" / "integration"))
    from fakes import FakeReader

    reader = FakeReader()
    monkeypatch.setattr(import_attempt, "read_file", reader.read_file)
    monkeypatch.setattr(import_attempt, "sniff", reader.sniff)
    return reader


def inbox_with(fake_reader: object, tmp_path: Path, bad: bool = False) -> Path:
    import recordkit as f

    inbox = tmp_path / "in"
    fake_reader.write(inbox / "a.835", f.file_835(["P1", "P2"]))  # type: ignore[attr-defined]
    if bad:
        fake_reader.write(inbox / "b.835", [*f.file_835(["P3"], trace="T3"), f.error()])  # type: ignore[attr-defined]
    return inbox


def test_import_prints_a_table_and_exits_zero(
    runner: CliRunner, engine: Engine, db_url: str, fake_reader: object, tmp_path: Path
) -> None:
    inbox = inbox_with(fake_reader, tmp_path)
    result = runner.invoke(cli, ["--db", db_url, "import", str(inbox)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["status", "format", "trans"]
    assert lines[2].split()[:5] == ["imported", "835", "1", "2", "2"]
    assert "145.00" in lines[2] and lines[2].endswith("a.835")
    assert "imported 1, duplicate 0, rejected 0" in lines[-1]
    assert "Importing" not in result.stderr  # no progress bar when stderr is not a terminal


def test_import_json_document_and_non_zero_exit_on_rejection(
    runner: CliRunner, engine: Engine, db_url: str, fake_reader: object, tmp_path: Path
) -> None:
    inbox = inbox_with(fake_reader, tmp_path, bad=True)
    result = runner.invoke(cli, ["--db", db_url, "import", str(inbox), "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert set(doc) == {"files", "totals"}
    assert [set(item) for item in doc["files"]] == [FILE_KEYS, FILE_KEYS]
    good, bad = doc["files"]
    assert (good["status"], good["claims"], good["payment_total"]) == ("imported", 2, "145.00")
    assert bad["status"] == "rejected" and "segment 12 CLP04" in bad["errors"][0]
    totals = doc["totals"]
    assert (totals["files"], totals["imported"], totals["rejected"], totals["claims"]) == (
        2,
        1,
        1,
        2,
    )
    assert Decimal(totals["payment_total"]) == Decimal("145.00")


def test_import_rejected_reasons_go_to_stderr(
    runner: CliRunner, engine: Engine, db_url: str, fake_reader: object, tmp_path: Path
) -> None:
    inbox = inbox_with(fake_reader, tmp_path, bad=True)
    result = runner.invoke(cli, ["--db", db_url, "import", str(inbox)])
    assert result.exit_code == 1
    assert "error: " in result.stderr and "does not balance" in result.stderr
    again = runner.invoke(cli, ["--db", db_url, "import", str(inbox / "a.835")])
    assert again.exit_code == 0 and again.stdout.splitlines()[2].startswith("duplicate")


def test_import_move_to(
    runner: CliRunner, engine: Engine, db_url: str, fake_reader: object, tmp_path: Path
) -> None:
    inbox = inbox_with(fake_reader, tmp_path, bad=True)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["--db", db_url, "import", str(inbox), "--move-to", str(out)])
    assert result.exit_code == 1
    assert [p.name for p in (out / "processed").iterdir()] == ["a.835"]
    assert [p.name for p in (out / "rejected").iterdir()] == ["b.835"]


def test_progress_bar_on_a_terminal(
    runner: CliRunner,
    engine: Engine,
    db_url: str,
    fake_reader: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox = inbox_with(fake_reader, tmp_path, bad=True)
    monkeypatch.setattr(cli_module, "stderr_is_terminal", lambda: True)
    result = runner.invoke(cli, ["--db", db_url, "import", str(inbox)])
    assert "Importing" in result.stderr


def test_a_database_failure_midway_is_a_clean_error(
    runner: CliRunner,
    engine: Engine,
    db_url: str,
    fake_reader: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox = inbox_with(fake_reader, tmp_path)

    def broken(self: object, buffer: object) -> None:
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(import_writer.BatchWriter, "_flush_buffer", broken)
    result = runner.invoke(cli, ["--db", db_url, "import", str(inbox)])
    assert result.exit_code == 1
    assert "a.835: import failed and was rolled back" in result.stderr
    assert "Traceback" not in result.output


def test_import_creates_the_schema_of_an_empty_database(
    runner: CliRunner, fake_reader: object, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    inbox = inbox_with(fake_reader, tmp_path)
    result = runner.invoke(cli, ["--db", url, "import", str(inbox)])
    assert result.exit_code == 0, result.output
    assert current_revision(make_engine(url)) == head_revision()


def test_bad_database_url_and_missing_path_are_clean_errors(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["--db", "nosuchdb://x", "import", str(tmp_path)])
    assert result.exit_code == 1 and "cannot use database URL nosuchdb://x" in result.stderr
    missing = runner.invoke(cli, ["import", str(tmp_path / "nope.835")])
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    unreachable = runner.invoke(
        cli, ["--db", "postgresql+psycopg://nobody:secret@127.0.0.1:1/x", "import", str(tmp_path)]
    )
    assert unreachable.exit_code == 1 and "secret" not in unreachable.stderr
    assert "Traceback" not in unreachable.output


def test_database_url_from_the_environment(runner: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    result = runner.invoke(cli, ["db", "upgrade"], env={"CLAIMSDESK_DATABASE_URL": url})
    assert result.exit_code == 0 and f"upgraded from empty to {head_revision()}" in result.stdout


def test_db_upgrade_twice(runner: CliRunner, db_url: str) -> None:
    first = runner.invoke(cli, ["--db", db_url, "db", "upgrade"])
    second = runner.invoke(cli, ["--db", db_url, "db", "upgrade"])
    assert first.exit_code == 0 and "upgraded from empty" in first.stdout
    assert second.exit_code == 0 and f"already at {head_revision()}" in second.stdout


def test_generate_calls_the_generator(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int, Path]] = []

    def generate_batch(n_claims: int, seed: int, out_dir: Path) -> list[Path]:
        calls.append((n_claims, seed, out_dir))
        return [out_dir / "batch.837", out_dir / "batch.835"]

    fake = types.ModuleType("claimsdesk.generator")
    fake.generate_batch = generate_batch  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "claimsdesk.generator", fake)
    result = runner.invoke(
        cli, ["generate", "--claims", "10", "--seed", "7", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert calls == [(10, 7, tmp_path)]
    assert result.stdout.splitlines() == [str(tmp_path / "batch.837"), str(tmp_path / "batch.835")]
    bad = runner.invoke(cli, ["generate", "--claims", "0", "--out", str(tmp_path)])
    assert bad.exit_code == 2


def test_validate_calls_the_validator(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimsdesk.edi import validate

    class Report:
        ok = False
        ack_999 = "ISA*...~"

        def to_text(self) -> str:
            return "x.837: NOT valid (837P), 1 error(s)"

    monkeypatch.setattr(validate, "validate_file", lambda path: Report())
    target = tmp_path / "x.837"
    target.write_text("ISA")
    result = runner.invoke(cli, ["validate", str(target), "--out-999", str(tmp_path / "ack.999")])
    assert result.exit_code == 1 and "NOT valid" in result.stdout
    assert (tmp_path / "ack.999").read_text() == "ISA*...~"


@pytest.mark.parametrize("name", ["paid-in-full.837"])
def test_validate_a_real_sample(runner: CliRunner, tmp_path: Path, name: str) -> None:
    sample = SAMPLES / "scenarios" / name
    result = runner.invoke(cli, ["validate", str(sample), "--out-999", str(tmp_path / "ack.999")])
    assert result.exit_code == 0, result.output
    assert "valid (837P)" in result.stdout and (tmp_path / "ack.999").read_text().startswith("ISA")


def test_rules_check(runner: CliRunner, tmp_path: Path) -> None:
    ok = runner.invoke(cli, ["rules", "check"])
    assert ok.exit_code == 0 and ok.stdout.strip().endswith("rules OK")
    broken = tmp_path / "rules"
    broken.mkdir()
    (broken / "default.toml").write_text("this is = not [ toml")
    bad = runner.invoke(cli, ["rules", "check", "--dir", str(broken)])
    assert bad.exit_code == 1 and "problem(s)" in bad.stderr


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("import", "db", "validate", "generate", "rules"):
        assert f"  {name} " in result.stdout
