"""The analysis service and commands: idempotency, rule changes, queries, CLI, on both DBs."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from analysiskit import ROOT, claim_ids, import_files
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.cli_analysis import analyze, findings
from claimsdesk.config import Settings
from claimsdesk.services.analysis import analyze_all, analyze_claims
from claimsdesk.services.findings_query import (
    FilterError,
    FindingFilter,
    findings_for_claim,
    list_findings,
)
from claimsdesk.storage.models.findings import Finding
from payer_rules import DEFAULT_DIRECTORY, Rulebook, load_rulebook

S = "sample_edi/scenarios/"
TODAY = dt.date(2026, 10, 26)
FILES = (
    S + "underpaid-against-contract.837", S + "underpaid-against-contract.835",
    S + "denied-authorization.837", S + "denied-authorization.835",
    S + "multi-line-bundled.837", S + "multi-line-bundled.835",
    S + "unmatched-remittance.835", S + "unbalanced-835.837", S + "unbalanced-835.835",
    S + "wrong-payer-order.837", S + "wrong-payer-order.835",
)  # fmt: skip


@pytest.fixture(scope="module")
def loaded(shared_sessions: sessionmaker[Session], rulebook: Rulebook) -> sessionmaker[Session]:
    """The module database with a handful of scenarios imported as of TODAY."""
    import_files(shared_sessions, rulebook, FILES, TODAY)
    return shared_sessions


def snapshot(sessions: sessionmaker[Session]) -> list[dict[str, object]]:
    """Every findings row, all columns, in id order."""
    with sessions() as session:
        rows = session.execute(select(Finding.__table__).order_by(Finding.id))
        return [dict(r._mapping) for r in rows]


def test_analyze_all_after_import_changes_nothing(
    loaded: sessionmaker[Session], rulebook: Rulebook
) -> None:
    """The import hook already left every finding as analyze_all would; twice is a no-op too."""
    before = snapshot(loaded)
    for _ in range(2):
        with loaded() as session:
            counts = analyze_all(session, rulebook, TODAY)
            session.commit()
        assert (counts.created, counts.updated, counts.closed, counts.reopened) == (0, 0, 0, 0)
        assert counts.unchanged == len([r for r in before if r["status"] == "open"])
    assert snapshot(loaded) == before


def test_rule_change_closes_then_reopens(
    loaded: sessionmaker[Session], rulebook: Rulebook, tmp_path: Path
) -> None:
    """A wider tolerance closes the short pay with a reason; the shipped rules reopen it."""
    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_DIRECTORY, rules_dir)
    toml = rules_dir / "payers" / "bluewater_health.toml"
    toml.write_text(
        toml.read_text().replace('tolerance_amount = "1.00"', 'tolerance_amount = "50.00"')
    )
    with loaded() as session:
        counts = analyze_all(session, load_rulebook(rules_dir), TODAY)
        session.commit()
        (item,) = list_findings(
            session, FindingFilter(claim="UND26001", kind="underpayment", status="all")
        )
    assert (counts.closed, counts.created) == (1, 0)
    assert item.status == "closed"
    assert item.closed_reason == "no longer found when re-analysed on 2026-10-26"
    with loaded() as session:
        counts = analyze_all(session, rulebook, TODAY)
        session.commit()
        (item,) = list_findings(session, FindingFilter(claim="UND26001", kind="underpayment"))
    assert (counts.reopened, counts.created, counts.closed) == (1, 0, 0)
    assert item.closed_reason is None and item.closed_at is None


def test_filters_and_claim_story(loaded: sessionmaker[Session]) -> None:
    """Kind, category, payer (id or name part) and status filters; a claim's own findings."""
    with loaded() as session:
        by = lambda **kw: sorted(i.claim for i in list_findings(session, FindingFilter(**kw)))  # noqa: E731
        assert by(kind="denial") == ["AUT26001"]
        assert by(kind="coding", category="bundling") == ["BUN26001"]
        assert by(payer="SXBLW") == ["UND26001"]
        assert by(payer="medicare") == ["BUN26001", "UNM26001", "WPO26001"]
        assert by(kind="remittance") == ["UBL26001", "UNM26001"]
        (claim_id,) = claim_ids(session, ["AUT26001"])
        story = findings_for_claim(session, claim_id)
        assert {i.rule for i in story} >= {"denial"}
        for bad in ({"kind": "nope"}, {"status": "pending"}, {"category": "nope"}):
            with pytest.raises(FilterError):
                list_findings(session, FindingFilter(**bad))


def test_analyze_claims_reports_clock_changes(
    loaded: sessionmaker[Session], rulebook: Rulebook
) -> None:
    """Long before the appeal deadline the clock finding closes; past it, it reopens."""
    with loaded() as session:
        ids = claim_ids(session, ["AUT26001"])
        counts = analyze_claims(session, rulebook, ids, [], dt.date(2026, 5, 5))
        assert (counts.closed, counts.unchanged) == (1, 1)  # the denial itself stays
        counts = analyze_claims(session, rulebook, ids, [], TODAY)
        assert (counts.reopened, counts.unchanged) == (1, 1)
        session.rollback()


def _url(engine: Engine) -> str:
    """The database URL, password included, for the CLI."""
    return engine.url.render_as_string(hide_password=False)


def test_cli_findings_json(loaded: sessionmaker[Session], shared_engine: Engine) -> None:
    """`findings --json`: claim, kind, category, 2-decimal amount, codes, deadline, status ..."""
    settings = Settings(database_url=_url(shared_engine))
    result = CliRunner().invoke(findings, ["--kind", "denial", "--json"], obj=settings)
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.output)
    assert {k: item[k] for k in ("claim", "kind", "category", "amount", "codes", "deadline",
                                 "status", "payer")} == {
        "claim": "AUT26001", "kind": "denial", "category": "authorization", "amount": "1250.00",
        "codes": ["CO-197"], "deadline": "2026-06-30", "status": "open",
        "payer": "SUMMIT CREST INSURANCE",
    }  # fmt: skip
    assert item["action"] and item["evidence"]["CAS"] == ["CAS*CO*197*1250.00"]
    table = CliRunner().invoke(findings, ["--payer", "SXMB1"], obj=settings)
    assert table.exit_code == 0 and "WPO26001" in table.output and "at stake" in table.output


def test_cli_errors_are_clean(loaded: sessionmaker[Session], shared_engine: Engine) -> None:
    """Bad values end as one message and a non-zero exit, never a traceback."""
    settings = Settings(database_url=_url(shared_engine))
    runner = CliRunner()
    bad_category = runner.invoke(findings, ["--category", "nonsense"], obj=settings)
    assert bad_category.exit_code == 1 and "unknown category 'nonsense'" in bad_category.output
    bad_day = runner.invoke(analyze, ["--today", "26-10-2026"], obj=settings)
    assert bad_day.exit_code == 1 and "--today must be a date" in bad_day.output
    assert runner.invoke(findings, ["--kind", "nope"], obj=settings).exit_code == 2


def test_cli_analyze(loaded: sessionmaker[Session], shared_engine: Engine) -> None:
    """`analyze --today ... --json` prints the counts; nothing changes on a settled database."""
    settings = Settings(database_url=_url(shared_engine))
    result = CliRunner().invoke(analyze, ["--today", TODAY.isoformat(), "--json"], obj=settings)
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts["today"] == "2026-10-26" and counts["created"] == counts["closed"] == 0


def test_sample_edi_is_where_the_tests_expect(loaded: sessionmaker[Session]) -> None:
    """Guard: the scenario files are read from the repository."""
    assert (ROOT / S / "paid-in-full.835").is_file()


def test_import_is_judged_as_of_the_files_date(
    shared_sessions: sessionmaker[Session], rulebook: Rulebook
) -> None:
    """The default hook judges clocks as of the file's date (GS04 / BPR16), not years later."""
    from claimsdesk.services.analysis import import_day, make_after_file
    from claimsdesk.services.findings_context import file_date
    from claimsdesk.services.imports import import_paths

    run_day = dt.date(2026, 5, 4)  # GS04 of denied-timely-filing.837
    if dt.date.today() < run_day:
        pytest.skip("the machine's clock is before the sample files' dates")
    seen: list[dt.date | None] = []

    def spy(session: Session, result: object, imported: object) -> None:
        seen.append(file_date(session, imported))  # type: ignore[arg-type]
        assert import_day(session, imported) == run_day  # type: ignore[arg-type]
        make_after_file(rulebook)(session, result, imported)  # type: ignore[arg-type]

    run = import_paths(shared_sessions, [ROOT / S / "denied-timely-filing.837"], after_file=spy)
    assert run.files[0].status == "imported" and seen == [run_day]
    with shared_sessions() as session:
        rules = {i.rule for i in list_findings(session, FindingFilter(claim="TMF26001"))}
    assert rules == {"no_response.filing_deadline"}  # filed late; follow-up not due on 05-04


def test_analyze_catches_up_an_import_without_analysis(
    loaded: sessionmaker[Session], rulebook: Rulebook
) -> None:
    """`import --no-analysis` stores only; `analyze` then matches, posts and finds."""
    from claimsdesk.services.imports import import_paths

    files = [ROOT / S / "denied-eligibility.837", ROOT / S / "denied-eligibility.835"]
    assert all(r.status == "imported" for r in import_paths(loaded, files).files)
    with loaded() as session:
        assert list_findings(session, FindingFilter(claim="ELG26001")) == []
        counts = analyze_all(session, rulebook, TODAY)
        session.commit()
        rules = sorted(i.rule for i in list_findings(session, FindingFilter(claim="ELG26001")))
        (item,) = list_findings(session, FindingFilter(claim="ELG26001", kind="denial"))
    assert rules == ["denial", "no_response.appeal_deadline"]  # deadline 2026-06-21 passed
    assert counts.created >= 2 and item.category == "eligibility"  # (+ earlier tests' clocks)
    assert item.amount == Decimal("235.00")
