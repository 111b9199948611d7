"""Account actions on both databases: write-offs post at once up to the approval limit and
wait for another manager above it; transfers to the patient; audit and history of each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from worklistkit import account, import_files

from claimsdesk.services import account_actions, worklist
from claimsdesk.services.account_actions import (
    DEFAULT_APPROVAL_LIMIT,
    Unavailable,
    approval_limit,
)
from claimsdesk.services.users import Account
from claimsdesk.services.worklist import BadInput, IllegalTransition, NotAllowed, WorkItemRow
from claimsdesk.storage.models.analysis import ClaimLedger, LedgerEntry
from claimsdesk.storage.models.desk import AuditEvent
from claimsdesk.storage.models.worklist import SelfPayAccount
from payer_rules import Rulebook

S = "sample_edi/scenarios/"
DAY = dt.date(2026, 7, 10)
FILES = (
    (S + "underpaid-against-contract.837", S + "underpaid-against-contract.835"),
    (S + "denied-authorization.837", S + "denied-authorization.835"),
    (S + "denied-medical-necessity.837", S + "denied-medical-necessity.835"),
    (S + "unmatched-remittance.835",),
)
UNANSWERED = (S + "denied-timely-filing.837",)  # TMF26001: $180 still owed by the payer
UNANSWERED_DAY = dt.date(2026, 5, 26)
PARTLY_PAID = ("tests/analysis/data/payer-order.837", "tests/analysis/data/payer-order.835")
"""TPO26001: BLUEWATER paid part and still owes $80.00 (a COB payer-order finding)."""


@pytest.fixture(scope="module")
def loaded(shared_sessions: sessionmaker[Session], rulebook: Rulebook) -> sessionmaker[Session]:
    for files in FILES:
        import_files(shared_sessions, files, DAY, rulebook)
    import_files(shared_sessions, UNANSWERED, UNANSWERED_DAY, rulebook)
    return shared_sessions


def taken(
    sessions: sessionmaker[Session], claim: str, user: Account, queue: str | None = None
) -> WorkItemRow:
    with sessions() as s:
        (row,) = [r for r in worklist.search(s, claim, today=DAY)
                  if r.claim == claim and r.status != "closed" and queue in (None, r.queue)]  # fmt: skip
        return worklist.start(s, row.id, user=user)


def ledger_of(sessions: sessionmaker[Session], claim_id: int) -> tuple[Decimal, list[tuple]]:
    with sessions() as s:
        balance = s.scalar(select(ClaimLedger.balance).where(
            ClaimLedger.submitted_claim_id == claim_id))  # fmt: skip
        entries = s.execute(select(LedgerEntry.kind, LedgerEntry.amount, LedgerEntry.detail).where(
            LedgerEntry.submitted_claim_id == claim_id, LedgerEntry.source == "manual")).all()  # fmt: skip
    return balance, [tuple(e) for e in entries]


def test_approval_limit_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert approval_limit({}) == DEFAULT_APPROVAL_LIMIT == Decimal("100.00")
    assert approval_limit({"CLAIMSDESK_WRITEOFF_APPROVAL_LIMIT": "250.00"}) == Decimal("250.00")
    for bad in ("ten", "-1", "1.234", "nan"):
        with pytest.raises(BadInput, match="CLAIMSDESK_WRITEOFF_APPROVAL_LIMIT must be"):
            approval_limit({"CLAIMSDESK_WRITEOFF_APPROVAL_LIMIT": bad})
    monkeypatch.setenv("CLAIMSDESK_WRITEOFF_APPROVAL_LIMIT", "20")
    assert approval_limit() == Decimal("20")


def test_write_off_within_the_limit_posts_at_once(
    loaded: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMSDESK_WRITEOFF_APPROVAL_LIMIT", "200.00")
    jo = account(loaded, "jo")
    item = taken(loaded, "TMF26001", jo, "timely_filing")
    assert item.amount == Decimal("180.00") and item.submitted_claim_id is not None
    before, _ = ledger_of(loaded, item.submitted_claim_id)
    with loaded() as s:
        with pytest.raises(BadInput, match="Unknown write-off reason"):
            account_actions.write_off(s, item.id, reason="bored", user=jo)
        with pytest.raises(BadInput, match=r"at most 180\.00"):
            account_actions.write_off(s, item.id, reason="timely_filing", user=jo, amount="500")
        with pytest.raises(BadInput, match=r"above 0\.00 with at most two decimals"):
            account_actions.write_off(s, item.id, reason="timely_filing", user=jo, amount="1.234")
        done = account_actions.write_off(s, item.id, reason="timely_filing", user=jo,
                                         note="filed too late, no proof", today=DAY)  # fmt: skip
    assert not done.needs_approval
    assert (done.item.status, done.item.outcome) == ("resolved", "written_off")
    assert (done.write_off.status, done.write_off.posted_amount) == ("posted", Decimal("180.00"))
    after, manual = ledger_of(loaded, item.submitted_claim_id)
    assert (before, after) == (Decimal("180.00"), Decimal("0.00"))
    assert manual == [("write_off", Decimal("180.00"), "write-off timely_filing")]
    with loaded() as s:
        actions = s.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == str(item.id), AuditEvent.object_type == "work_item")).all()  # fmt: skip
    assert actions == ["worklist.started", "worklist.written_off"]


def test_underpayment_write_off_records_the_decision_only(loaded: sessionmaker[Session]) -> None:
    jo = account(loaded, "jo")
    item = taken(loaded, "UND26001", jo)
    with loaded() as s:
        done = account_actions.write_off(s, item.id, reason="small_balance", user=jo, today=DAY)
    # the short pay was posted as CO-45 and the $30 left is the patient's copay: nothing of
    # the payer's is open, so the write-off is a recorded decision with nothing posted
    assert done.write_off.amount == Decimal("30.00")
    assert done.write_off.posted_amount == Decimal("0.00")
    assert ledger_of(loaded, item.submitted_claim_id)[1] == []


def test_large_write_off_needs_another_managers_approval(loaded: sessionmaker[Session]) -> None:
    kim = account(loaded, "kim")
    lee, max_ = account(loaded, "lee", "manager"), account(loaded, "max", "manager")
    item = taken(loaded, "AUT26001", kim, "authorization")
    with loaded() as s:
        asked = account_actions.write_off(s, item.id, reason="no_authorization", user=kim,
                                          today=DAY)  # fmt: skip
        assert asked.needs_approval and asked.write_off.status == "pending_approval"
        assert asked.item.status == "pending_approval" and asked.write_off.posted_amount is None
        assert [w.id for w in account_actions.pending_write_offs(s)] == [asked.write_off.id]
        with pytest.raises(IllegalTransition, match="awaits a manager's approval"):
            worklist.resolve(s, item.id, "appealed", user=kim)
        with pytest.raises(NotAllowed, match="Only a manager may approve"):
            account_actions.approve_write_off(s, asked.write_off.id, user=kim)
        done = account_actions.approve_write_off(s, asked.write_off.id, user=lee, today=DAY)
        with pytest.raises(IllegalTransition, match="is posted: nothing to approve"):
            account_actions.approve_write_off(s, asked.write_off.id, user=max_)
    assert (done.item.status, done.item.outcome) == ("resolved", "written_off")
    # the CO-197 denial is already off the balance: the decision is recorded, nothing posts
    assert done.write_off.amount == Decimal("1250.00")
    assert done.write_off.posted_amount == Decimal("0.00")
    assert done.write_off.decided_by == "lee"
    history = [h.action for h in _detail(loaded, item.id).history]
    assert history[-2:] == ["write_off_requested", "written_off"]


def test_rejected_write_off_goes_back_to_work_and_no_self_approval(
    loaded: sessionmaker[Session],
) -> None:
    nia = account(loaded, "nia", "manager")
    lee = account(loaded, "lee", "manager")
    item = taken(loaded, "MNC26001", nia)
    with loaded() as s:
        asked = account_actions.write_off(s, item.id, reason="not_covered", user=nia,
                                          limit=Decimal("50.00"))  # fmt: skip
        assert asked.needs_approval
        with pytest.raises(NotAllowed, match="another manager must approve"):
            account_actions.approve_write_off(s, asked.write_off.id, user=nia)
        with pytest.raises(BadInput, match="Say why"):
            account_actions.reject_write_off(s, asked.write_off.id, user=lee, note="")
        done = account_actions.reject_write_off(s, asked.write_off.id, user=lee,
                                                note="appeal with the records first")  # fmt: skip
    assert done.write_off.status == "rejected" and done.item.status == "in_progress"
    assert done.item.assignee == "nia"
    last = _detail(loaded, item.id).history[-1]
    assert (last.action, last.user, last.note) == (
        "write_off_rejected",
        "lee",
        "appeal with the records first",
    )


def test_remittance_items_have_no_claim_to_act_on(loaded: sessionmaker[Session]) -> None:
    oz = account(loaded, "oz")
    item = taken(loaded, "UNM26001", oz)
    with loaded() as s:
        with pytest.raises(BadInput, match="about a remittance, not a claim"):
            account_actions.write_off(s, item.id, reason="administrative", user=oz)


def test_transfer_to_patient_moves_the_payer_balance(
    session_factory: sessionmaker[Session], rulebook: Rulebook
) -> None:
    import_files(session_factory, PARTLY_PAID, DAY, rulebook)
    pat = account(session_factory, "pat")
    item = taken(session_factory, "TPO26001", pat)
    claim_id = item.submitted_claim_id
    assert claim_id is not None
    with session_factory() as s:
        before = s.execute(select(ClaimLedger.balance, ClaimLedger.patient_balance).where(
            ClaimLedger.submitted_claim_id == claim_id)).one()  # fmt: skip
        owed = before.balance - before.patient_balance
        with pytest.raises(BadInput, match="Say why"):
            account_actions.transfer_to_patient(s, item.id, reason=" ", user=pat)
        with pytest.raises(BadInput, match=f"At most {owed:.2f}"):
            account_actions.transfer_to_patient(s, item.id, reason="x", user=pat,
                                                amount=owed + 1)  # fmt: skip
        done = account_actions.transfer_to_patient(s, item.id, reason="plan exhausted", user=pat)
        spa = s.execute(select(SelfPayAccount)).scalar_one()
    assert (done.item.status, done.item.outcome) == ("resolved", "moved_to_patient")
    assert done.amount == owed and done.patient_balance == before.patient_balance + owed
    assert (spa.submitted_claim_id, spa.amount, spa.status) == (claim_id, owed, "new")
    assert spa.patient_control_number == "TPO26001" and spa.patient_id is not None
    with session_factory() as s:
        state = s.scalar(
            select(ClaimLedger.state).where(ClaimLedger.submitted_claim_id == claim_id)
        )
        manual = s.execute(select(LedgerEntry.kind, LedgerEntry.party, LedgerEntry.amount).where(
            LedgerEntry.submitted_claim_id == claim_id, LedgerEntry.source == "manual")).all()  # fmt: skip
    assert state == "patient_responsibility"
    assert [tuple(m) for m in manual] == [("patient_transfer", "patient", owed)]


def test_transfer_of_an_unanswered_claim_changes_nothing(
    session_factory: sessionmaker[Session], rulebook: Rulebook
) -> None:
    import_files(session_factory, UNANSWERED, UNANSWERED_DAY, rulebook)
    quin = account(session_factory, "quin")
    item = taken(session_factory, "TMF26001", quin, "no_response")
    with session_factory() as s, pytest.raises(Unavailable, match="no payer has answered yet"):
        account_actions.transfer_to_patient(s, item.id, reason="no coverage found", user=quin)
    with session_factory() as s:
        assert worklist.item_row(s, item.id).status == "in_progress"
        assert s.scalar(select(SelfPayAccount.id)) is None


def _detail(sessions: sessionmaker[Session], item_id: int) -> worklist.ItemDetail:
    with sessions() as s:
        return worklist.item_detail(s, item_id, today=DAY)
