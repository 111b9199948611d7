"""Findings from real scenario files imported through the import service, on both databases.

Each scenario of cases.SCENARIOS is imported step by step (after_file runs matching, ledger and
the rules inside each file's transaction); after every step the open findings of the
scenario's claims must be exactly the expected ones, and the findings it closed must say why.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from analysiskit import import_files, reanalyze
from cases import SCENARIOS, Expect, Scenario
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services.findings_query import FindingFilter, FindingItem, list_findings
from payer_rules import Rulebook


def findings_of(sessions: sessionmaker[Session], pcns: tuple[str, ...]) -> list[FindingItem]:
    """Every finding (open and closed) of these claims."""
    with sessions() as session:
        items = list_findings(session, FindingFilter(status="all"))
    return [i for i in items if i.claim in pcns]


def key(item: FindingItem | Expect) -> tuple[str, str, str, Decimal]:
    """What identifies an expected finding."""
    if isinstance(item, Expect):
        return (item.rule, item.category, item.claim, Decimal(item.amount))
    return (item.rule, item.category, item.claim, item.amount)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_findings(
    scenario: Scenario, shared_sessions: sessionmaker[Session], rulebook: Rulebook
) -> None:
    """Open findings after each step are exactly the expected ones; closings carry a reason."""
    for number, step in enumerate(scenario.steps, 1):
        if step.files:
            import_files(shared_sessions, rulebook, step.files, step.today)
        else:
            reanalyze(shared_sessions, rulebook, scenario.claims, step.today)
        items = findings_of(shared_sessions, scenario.claims)
        opened = [i for i in items if i.status == "open"]
        where = f"{scenario.name} step {number}"
        assert sorted(map(key, opened)) == sorted(map(key, step.open)), where
        for expect in step.open:
            found = next(i for i in opened if key(i) == key(expect))
            if expect.codes is not None:
                assert tuple(found.codes) == expect.codes, where
            if expect.deadline is not None:
                assert found.deadline is not None
                assert found.deadline.isoformat() == expect.deadline, where
            if expect.action is not None:
                assert found.action.startswith(expect.action), (where, found.action)
            assert found.description and found.evidence, where
        for closed in step.closed:
            match = [i for i in items if i.status == "closed" and i.rule == closed.rule]
            assert match, (where, closed)
            assert closed.reason in (match[0].closed_reason or ""), (where, match[0])
            assert match[0].closed_at is not None
