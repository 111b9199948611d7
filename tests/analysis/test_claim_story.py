"""`claimsdesk claim PCN [--json]` on imported scenarios, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from ledgerkit import import_in_order, scenario
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.cli_claim import claim
from claimsdesk.services import claim_story


@pytest.fixture
def cli(db_url: str, session_factory: sessionmaker[Session]) -> Iterator[Any]:
    """Run `claim` against the test database (scenarios imported first by the test)."""
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(claim, list(args), env={"CLAIMSDESK_DATABASE_URL": db_url})

    yield invoke
    claim_story.set_findings_reader(None)


def test_reversal_story_as_json(cli: Any, session_factory: sessionmaker[Session]) -> None:
    """Three remittances in order, lines billed beside paid, the ledger netting to paid."""
    import_in_order(
        session_factory,
        scenario(
            "reversal-and-correction.837",
            "reversal-and-correction.1.835",
            "reversal-and-correction.2.835",
        ),
    )
    result = cli("REV26001", "--json")
    assert result.exit_code == 0, result.output
    story = json.loads(result.output)
    assert story["claim"] == "REV26001" and story["state"] == "paid"
    (sub,) = story["submissions"]
    assert (sub["frequency_meaning"], sub["charge"], sub["payer_key"]) == (
        "original",
        "240.00",
        "SXBLW",
    )
    rems = story["remittances"]
    assert [(r["status"], r["paid"], r["match_method"]) for r in rems] == [
        ("1", "64.05", "pcn"),
        ("22", "-64.05", "payer_claim_number"),
        ("1", "164.05", "pcn"),
    ]
    assert rems[0]["payment_method"] == "ACH" and rems[0]["check_amount"] == "64.05"
    (line,) = sub["lines"]
    assert [p["paid"] for p in line["paid"]] == ["64.05", "-64.05", "164.05"]
    assert line["ledger"]["payments"] == "164.05" and line["ledger"]["open"] == "0.00"
    meanings = {a["meaning"] for p in line["paid"] for a in p["adjustments"]}
    assert any(m.startswith("PR-1: ") for m in meanings)
    ledger = sub["ledger"]
    assert (ledger["balance"], ledger["payer_payments"]) == ("0.00", {"SXBLW": "164.05"})
    assert [e["kind"] for e in ledger["entries"]][:2] == ["charge", "contractual"]


def test_crossover_story_as_text(cli: Any, session_factory: sessionmaker[Session]) -> None:
    """The text form names the forward, the remark's meaning and who owes what."""
    import_in_order(
        session_factory, scenario("crossover-to-secondary.837", "crossover-to-secondary.1.835")
    )
    result = cli("xov26001")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("Claim XOV26001: forwarded")
    assert "forwarded to LAKESHORE STATE MEDICAID (PI SXMCD)" in text
    assert "MA18: " in text
    assert "Balance 29.13: SXMCD 29.13" in text


def test_unmatched_remittance_and_unknown_pcn(
    cli: Any, session_factory: sessionmaker[Session]
) -> None:
    """A payment without a claim still tells its story; an unknown PCN is a clean error."""
    import_in_order(session_factory, scenario("unmatched-remittance.835"))
    story = json.loads(cli("UNM26001", "--json").output)
    assert story["submissions"] == [] and story["state"] == "unmatched"
    assert [(r["match"], r["paid"]) for r in story["remittances"]] == [("unmatched", "73.22")]
    result = cli("NOPE0001")
    assert result.exit_code == 1
    assert "no claim or remittance has patient control number 'NOPE0001'" in result.output


def test_findings_seam(
    cli: Any, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Findings come from the registered reader, only when the findings table exists."""
    import_in_order(session_factory, scenario("denied-eligibility.837", "denied-eligibility.835"))
    seen: list[int] = []

    def reader(_session: Session, claim_id: int) -> list[dict[str, Any]]:
        seen.append(claim_id)
        return [{"kind": "denial", "category": "eligibility", "amount": "235.00",
                 "status": "open", "codes": ["CO-27"], "action": "check coverage"}]  # fmt: skip

    claim_story.set_findings_reader(reader)
    monkeypatch.setattr(claim_story, "FINDINGS_TABLE", "claim_matches")  # a table that exists
    story = json.loads(cli("ELG26001", "--json").output)
    assert story["findings"][0]["category"] == "eligibility" and len(seen) == 1
    assert "[open] denial/eligibility 235.00 CO-27: check coverage" in cli("ELG26001").output
    monkeypatch.setattr(claim_story, "FINDINGS_TABLE", "no_such_table")
    story = json.loads(cli("ELG26001", "--json").output)
    assert story["findings"] is None
    assert "Findings: not available" in cli("ELG26001").output
