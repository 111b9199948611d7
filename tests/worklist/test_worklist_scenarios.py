"""Scenario files imported through the real import service (matching, ledger, findings and
work items in each file's transaction): every open finding lands in its expected queue, once,
with a sensible score; findings closed by a later remittance close their items."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from routes import SCENARIO_QUEUES, TIMELY_FILING_DENIAL
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from worklistkit import import_files

from claimsdesk.services import worklist
from claimsdesk.services.findings_store import FINDINGS
from claimsdesk.storage.models.worklist import WorkItem
from payer_rules import Rulebook


def items_of(sessions: sessionmaker[Session], claims: set[str], today: dt.date) -> list:
    """Every work item (any status) of these claims, through the service's search."""
    with sessions() as session:
        found = [
            row for pcn in sorted(claims) for row in worklist.search(session, pcn, today=today)
        ]
    return [r for r in found if r.claim in claims]


@pytest.mark.parametrize("case", SCENARIO_QUEUES, ids=[c[0] for c in SCENARIO_QUEUES])
def test_findings_land_in_their_queue(
    case: tuple, shared_sessions: sessionmaker[Session], rulebook: Rulebook
) -> None:
    name, files, today, expected = case
    day = dt.date.fromisoformat(today)
    import_files(shared_sessions, files, day, rulebook, again=True)
    claims = {claim for claim, _, _ in expected}
    active = [r for r in items_of(shared_sessions, claims, day) if r.status == "open"]
    got = Counter((r.claim, r.category, r.queue) for r in active)
    assert got == Counter(expected), name
    for row in active:
        assert Decimal("0") < row.score <= Decimal("100"), (name, row)
        assert row.queue_title and row.team and row.description and row.action
    with shared_sessions() as session:
        for row in active:
            detail = worklist.item_detail(session, row.id, today=day)
            parts = detail.priority
            assert Decimal(parts["score"]) == row.score
            assert Decimal(parts["value_points"]) + Decimal(parts["deadline_points"]) == row.score
            assert len(parts["explanation"]) == 2 and parts["weight_source"]
            assert detail.finding["id"] == row.finding_id and detail.finding["status"] == "open"


def test_one_item_per_open_finding(shared_sessions: sessionmaker[Session]) -> None:
    with shared_sessions() as session:
        open_findings = session.scalar(
            select(func.count()).select_from(FINDINGS).where(FINDINGS.c.status == "open")
        )
        active = session.scalar(
            select(func.count()).select_from(WorkItem).where(WorkItem.status == "open")
        )
        per_finding = session.execute(
            select(WorkItem.finding_id, func.count()).group_by(WorkItem.finding_id)
        ).all()
    assert open_findings and open_findings == active
    assert all(count == 1 for _, count in per_finding)


def test_a_later_remittance_closes_the_clock_items(
    shared_sessions: sessionmaker[Session], rulebook: Rulebook
) -> None:
    import_files(shared_sessions, ("sample_edi/scenarios/denied-timely-filing.837",),
                 dt.date(2026, 5, 26), rulebook, again=True)  # fmt: skip
    files, today, (claim, category, queue) = TIMELY_FILING_DENIAL
    day = dt.date.fromisoformat(today)
    import_files(shared_sessions, files, day, rulebook)
    rows = items_of(shared_sessions, {claim}, day)
    closed = {r.category: r for r in rows if r.status == "closed"}
    assert set(closed) == {"follow_up", "filing_deadline"}
    assert [(r.category, r.queue) for r in rows if r.status == "open"] == [(category, queue)]
    with shared_sessions() as session:
        history = worklist.item_detail(session, closed["follow_up"].id, today=day).history
    assert history[-1].action == "closed" and history[-1].user is None
    assert "on remittance TRN SCI-NP-260520-01" in history[-1].note


def test_scores_rank_money_and_deadlines_sensibly(shared_sessions: sessionmaker[Session]) -> None:
    day = dt.date(2026, 6, 1)
    with shared_sessions() as session:
        worklist.sync_work_items(session, today=day)
        session.commit()
        rows = {r.claim + ":" + r.category: r for r in _all(session, day)}
    auth, bundle = rows["AUT26001:authorization"], rows["BUN26001:bundling"]
    assert auth.score > bundle.score  # $1,250 due in 29 days vs $25 due in months
    elig = rows["ELG26001:eligibility"]  # deadline 2026-06-21: 20 days away
    assert elig.days_left == 20 and not elig.past_deadline
    with shared_sessions() as session:
        worklist.sync_work_items(session, today=dt.date(2026, 7, 1))
        session.commit()
        late = {r.claim + ":" + r.category: r for r in _all(session, dt.date(2026, 7, 1))}
    assert late["ELG26001:eligibility"].past_deadline
    assert late["ELG26001:eligibility"].score < elig.score


def _all(session: Session, day: dt.date) -> list:
    page = worklist.queue_items(session, None, per_page=200, today=day)
    assert page.total <= 200
    return page.items
