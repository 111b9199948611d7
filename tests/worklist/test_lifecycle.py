"""Work-item lifecycle through the services on both databases: transitions, refusals with
clear messages, permissions, versions, history, audit, and the read side (queues, backlog,
my items, teams)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from worklistkit import account, import_files

from claimsdesk.services import users, worklist
from claimsdesk.services.worklist import (
    BadInput,
    Conflict,
    IllegalTransition,
    ItemFilter,
    NotAllowed,
    WorkItemRow,
)
from claimsdesk.storage.models.desk import AuditEvent
from claimsdesk.storage.models.worklist import ACTIVE_STATUSES, ACTIVE_WHERE, WorkItem
from payer_rules import Rulebook

S = "sample_edi/scenarios/"
DAY = dt.date(2026, 6, 1)
FILES = (
    (S + "denied-authorization.837", S + "denied-authorization.835"),
    (S + "denied-eligibility.837", S + "denied-eligibility.835"),
    (S + "denied-medical-necessity.837", S + "denied-medical-necessity.835"),
    (S + "denied-missing-info.837", S + "denied-missing-info.835"),
    (S + "multi-line-bundled.837", S + "multi-line-bundled.835"),
    (S + "denied-coding.837", S + "denied-coding.835"),
)


@pytest.fixture(scope="module")
def loaded(shared_sessions: sessionmaker[Session], rulebook: Rulebook) -> sessionmaker[Session]:
    for files in FILES:
        import_files(shared_sessions, files, DAY, rulebook)
    with shared_sessions() as session:
        worklist.sync_work_items(session, today=DAY)
        session.commit()
    return shared_sessions


def item_of(sessions: sessionmaker[Session], claim: str) -> WorkItemRow:
    with sessions() as session:
        (row,) = [
            r
            for r in worklist.search(session, claim, today=DAY)
            if r.claim == claim and r.status != "closed"
        ]
    return row


def test_take_start_follow_up_resolve_reopen(loaded: sessionmaker[Session]) -> None:
    spec = account(loaded, "ava", "specialist")
    item = item_of(loaded, "AUT26001")
    assert item.status == "open" and item.queue == "authorization"
    with loaded() as s:
        item = worklist.assign(s, item.id, spec.id, by=spec)
        assert (item.status, item.assignee) == ("assigned", "ava")
        item = worklist.start(s, item.id, user=spec)
        assert item.status == "in_progress"
        with pytest.raises(BadInput, match="must be after today"):
            worklist.set_follow_up(s, item.id, DAY, user=spec, today=DAY)
        with pytest.raises(BadInput, match="within 365 days"):
            worklist.set_follow_up(s, item.id, DAY + dt.timedelta(days=400), user=spec, today=DAY)
        item = worklist.set_follow_up(s, item.id, DAY + dt.timedelta(days=10), user=spec,
                                      note="portal says in review", today=DAY)  # fmt: skip
        assert (item.status, item.follow_up_on) == ("pending", DAY + dt.timedelta(days=10))
        later = worklist.my_items(s, spec.id, today=DAY + dt.timedelta(days=10))
        assert [r.follow_up_due for r in later if r.id == item.id] == [True]
        worklist.add_note(s, item.id, "Called the payer, ref 12345.", user=spec)
        item = worklist.resolve(s, item.id, "appealed", user=spec, note="appeal mailed")
        assert (item.status, item.outcome) == ("resolved", "appealed")
        with pytest.raises(IllegalTransition, match=r"Item \d+ is resolved: cannot start it; "):
            worklist.start(s, item.id, user=spec)
        with pytest.raises(BadInput, match="Say why"):
            worklist.reopen(s, item.id, user=spec, note=" ")
        item = worklist.reopen(s, item.id, user=spec, note="payer lost the appeal")
        assert (item.status, item.assignee, item.outcome) == ("assigned", "ava", None)
        detail = worklist.item_detail(s, item.id, today=DAY)
    actions = [h.action for h in detail.history]
    assert actions == ["assigned", "started", "follow_up", "note", "resolved", "reopened"]
    assert [h.user for h in detail.history] == ["ava"] * 6
    assert detail.history[2].note == "portal says in review"
    assert detail.notes[0].text == "Called the payer, ref 12345."
    assert "start" in detail.allowed and "reopen" not in detail.allowed
    assert detail.claim_story is not None and detail.claim_story["claim"] == "AUT26001"
    with loaded() as s:
        events = s.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "work_item", AuditEvent.object_id == str(item.id)
        ).order_by(AuditEvent.id)).all()  # fmt: skip
    assert events == ["worklist.assigned", "worklist.started", "worklist.follow_up",
                      "worklist.note", "worklist.resolved", "worklist.reopened"]  # fmt: skip


def test_permissions(loaded: sessionmaker[Session]) -> None:
    ben, cy = account(loaded, "ben"), account(loaded, "cy")
    boss = account(loaded, "boss", "manager")
    item = item_of(loaded, "ELG26001")
    with loaded() as s:
        with pytest.raises(IllegalTransition, match="is open: cannot resolve it; take it first"):
            worklist.resolve(s, item.id, "appealed", user=ben)
        with pytest.raises(NotAllowed, match="Only a manager"):
            worklist.assign(s, item.id, cy.id, by=ben)
        worklist.assign(s, item.id, ben.id, by=ben)
        with pytest.raises(NotAllowed, match="Only a manager"):
            worklist.assign(s, item.id, cy.id, by=cy)
        with pytest.raises(NotAllowed, match="someone else's"):
            worklist.start(s, item.id, user=cy)
        with pytest.raises(NotAllowed, match="assigned to someone else"):
            worklist.resolve(s, item.id, "appealed", user=cy)
        worklist.add_note(s, item.id, "cy had a look", user=cy)  # notes: anyone
        moved = worklist.reassign(s, item.id, cy.id, by=boss, note="ben is out")
        assert (moved.assignee, moved.status) == ("cy", "assigned")
        with pytest.raises(BadInput, match="already with cy"):
            worklist.assign(s, item.id, cy.id, by=boss)
        gone = account(loaded, "dee")
        users.deactivate(s, gone.id, actor=None)
        with pytest.raises(BadInput, match="deactivated"):
            worklist.assign(s, item.id, gone.id, by=boss)
        back = worklist.assign(s, item.id, None, by=cy)
        assert (back.status, back.assignee) == ("open", None)
        history = worklist.item_detail(s, item.id, today=DAY).history
    assert [h.action for h in history] == ["assigned", "note", "reassigned", "unassigned"]
    assert history[2].note == "ben is out" and history[2].user == "boss"


def test_outcomes_and_versions(loaded: sessionmaker[Session]) -> None:
    eve = account(loaded, "eve")
    item = item_of(loaded, "MNC26001")
    with loaded() as s:
        item = worklist.start(s, item.id, user=eve)  # an open item is taken when started
        assert (item.status, item.assignee) == ("in_progress", "eve")
        with pytest.raises(BadInput, match="use write_off instead"):
            worklist.resolve(s, item.id, "written_off", user=eve)
        with pytest.raises(BadInput, match="use transfer_to_patient"):
            worklist.resolve(s, item.id, "moved_to_patient", user=eve)
        with pytest.raises(BadInput, match="Unknown outcome 'fixed'"):
            worklist.resolve(s, item.id, "fixed", user=eve)
        with pytest.raises(BadInput, match="why no action"):
            worklist.resolve(s, item.id, "no_action_needed", user=eve)
        with pytest.raises(Conflict, match="changed by someone else"):
            worklist.resolve(s, item.id, "appealed", user=eve, expected_version=item.version - 1)
        done = worklist.resolve(s, item.id, "no_action_needed", user=eve, note="ABN on file",
                                expected_version=item.version)  # fmt: skip
        assert done.outcome == "no_action_needed" and done.version == item.version + 1
        with pytest.raises(IllegalTransition, match="reopen it first"):
            worklist.set_follow_up(s, item.id, DAY + dt.timedelta(days=3), user=eve, today=DAY)


def test_queue_pages_summaries_and_backlog(loaded: sessionmaker[Session]) -> None:
    fay = account(loaded, "fay")
    with loaded() as s:
        coding = worklist.queue_items(s, "coding", today=DAY)
        assert coding.total >= 1 and all(r.queue == "coding" for r in coding.items)
        taken = worklist.assign(s, coding.items[0].id, fay.id, by=fay)
        mine = worklist.queue_items(s, "coding", filters=ItemFilter(assignee_id=fay.id), today=DAY)
        assert [r.id for r in mine.items] == [taken.id]
        free = worklist.queue_items(s, "coding", filters=ItemFilter(unassigned=True), today=DAY)
        assert taken.id not in [r.id for r in free.items]
        by_payer = worklist.queue_items(s, None, filters=ItemFilter(payer="summit"), today=DAY)
        assert by_payer.total and all("SUMMIT" in r.payer_name for r in by_payer.items)
        ranked = worklist.queue_items(s, None, sort="amount", today=DAY).items
        assert [r.amount for r in ranked] == sorted((r.amount for r in ranked), reverse=True)
        with pytest.raises(BadInput, match="Unknown queue 'nope'"):
            worklist.queue_items(s, "nope")
        with pytest.raises(BadInput, match="Unknown sort"):
            worklist.queue_items(s, "coding", sort="random")
        summaries = {q.name: q for q in worklist.list_queues(s, today=DAY)}
        backlog = worklist.backlog_by_queue_and_user(s)
    assert list(summaries) == list(worklist.queue_book().names)
    assert summaries["coding"].active == coding.total
    assert summaries["coding"].by_status.get("assigned", 0) >= 1
    assert sum(b.count for b in summaries["coding"].ages) == summaries["coding"].active
    fay_rows = [b for b in backlog if b.assignee == "fay"]
    assert [(b.queue, b.count) for b in fay_rows] == [("coding", 1)]


def test_teams_steer_next_item(loaded: sessionmaker[Session]) -> None:
    gus, boss = account(loaded, "gus"), account(loaded, "boss", "manager")
    with loaded() as s:
        with pytest.raises(NotAllowed, match="Only a manager may change teams"):
            worklist.set_teams(s, gus.id, ["coding"], by=gus)
        with pytest.raises(BadInput, match="Unknown team 'cooking'"):
            worklist.set_teams(s, gus.id, ["cooking"], by=boss)
        assert worklist.set_teams(s, gus.id, ["coding"], by=boss) == ("coding",)
        assert worklist.user_queues(s, gus.id) == ("coding",)
        got = worklist.next_item(s, gus, today=DAY)
        assert got is not None and got.queue == "coding" and got.assignee == "gus"
        assert got.status == "assigned"
        worklist.set_teams(s, gus.id, [], by=boss)
        assert worklist.user_queues(s, gus.id) is None
        with pytest.raises(BadInput, match="Unknown queue"):
            worklist.next_item(s, gus, queues=["nope"])
        assert worklist.next_item(s, gus, queues=["no_response"]) is None


def test_age_buckets_and_active_statuses(loaded: sessionmaker[Session]) -> None:
    """Ages come from when the finding was first found; the partial indexes' status list is
    the services' ACTIVE set."""
    assert tuple(sorted(s.value for s in worklist.ACTIVE)) == ACTIVE_STATUSES
    assert ACTIVE_WHERE == "status IN (" + ", ".join(f"'{s}'" for s in ACTIVE_STATUSES) + ")"
    now = dt.datetime.combine(DAY, dt.time(12), tzinfo=dt.UTC)
    with loaded() as s:
        ids = [r.id for r in worklist.queue_items(s, "coding", today=DAY).items]
        assert len(ids) >= 2
        for item_id, days in zip(ids, (45, 200), strict=False):
            s.execute(update(WorkItem).where(WorkItem.id == item_id).values(
                opened_at=now - dt.timedelta(days=days)))  # fmt: skip
        s.commit()
        coding = next(q for q in worklist.list_queues(s, today=DAY) if q.name == "coding")
        rows = {r.id: r for r in worklist.queue_items(s, "coding", today=DAY).items}
    ages = {b.label: b for b in coding.ages}
    assert ages["31-60"].count == 1 and ages["181+"].count == 1
    assert ages["31-60"].dollars == rows[ids[0]].amount
    assert sum(b.count for b in coding.ages) == coding.active
    assert sum(b.dollars for b in coding.ages) == coding.dollars
    assert rows[ids[1]].age_days == 200


def test_search_by_claim_patient_and_payer_claim_number(loaded: sessionmaker[Session]) -> None:
    with loaded() as s:
        by_pcn = {r.claim for r in worklist.search(s, "AUT26001", today=DAY)}
        by_prefix = {r.claim for r in worklist.search(s, "AUT26", today=DAY)}
        by_number = {r.claim for r in worklist.search(s, "SCI2604220004", today=DAY)}
        by_name = {r.claim for r in worklist.search(s, "Delta Demopatient", today=DAY)}
        by_last_first = {r.claim for r in worklist.search(s, "demopatient, del", today=DAY)}
        by_last = {r.claim for r in worklist.search(s, "DEMOPAT", today=DAY)}
        nothing = worklist.search(s, "ZZZ99999", today=DAY)
        with pytest.raises(BadInput, match="at least two characters"):
            worklist.search(s, " x ")
        detail = worklist.item_detail(s, worklist.search(s, "AUT26001", today=DAY)[0].id)
    assert by_pcn == by_prefix == by_number == by_name == by_last_first == {"AUT26001"}
    assert {"AUT26001", "ELG26001", "MNC26001"} <= by_last
    assert nothing == []
    assert json.loads(json.dumps(detail.to_dict()))["item"]["claim"] == "AUT26001"
