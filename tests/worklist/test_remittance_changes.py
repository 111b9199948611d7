"""A later remittance changes the picture: a resolved item reopens to its owner when the
finding's amount changes, and closes (cancelling a pending write-off) when the claim is paid.
Files are written by edifiles and imported through the real import service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from edifiles import claim_837, remit_835
from sqlalchemy.orm import Session, sessionmaker
from worklistkit import account, import_files

from claimsdesk.services import account_actions, worklist

CLAIM = {"pcn": "WRO26001", "payer": "SXSCI", "member": "SCI900000001", "patient": "ROMEO",
         "dos": "20260601"}  # fmt: skip
FIRST = [
    ("99213", "180.00", "102.50", ["CO*45*77.50"]),
    ("97110", "130.00", "0.00", ["CO*197*130.00"]),
]
SECOND = [("99213", "180.00", "102.50", ["CO*45*77.50"]),
          ("97110", "130.00", "0.00", ["CO*45*30.00", "CO*197*100.00"])]  # fmt: skip
PAID = [
    ("99213", "180.00", "102.50", ["CO*45*77.50"]),
    ("97110", "130.00", "32.55", ["CO*45*97.45"]),
]


def files(folder: Path) -> list[Path]:
    return [
        claim_837(folder, "w.837", date="20260605", control=901,
                  lines=[("99213", "180.00"), ("97110", "130.00")], **CLAIM),
        remit_835(folder, "w1.835", date="20260615", trn="W-SCI-01", status="1", number="SCIW1",
                  control=902, lines=FIRST, **CLAIM),
        remit_835(folder, "w2.835", date="20260701", trn="W-SCI-02", status="1", number="SCIW1",
                  control=903, lines=SECOND, reverses=FIRST, **CLAIM),
        remit_835(folder, "w3.835", date="20260715", trn="W-SCI-03", status="1", number="SCIW1",
                  control=904, lines=PAID, reverses=SECOND, **CLAIM),
    ]  # fmt: skip


def the_item(sessions: sessionmaker[Session], day: dt.date) -> worklist.WorkItemRow:
    with sessions() as s:
        rows = [r for r in worklist.search(s, "WRO26001", today=day) if r.queue == "authorization"]
    assert len(rows) == 1, rows
    return rows[0]


def test_reopen_on_changed_amount_then_close_when_paid(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    f837, first, second, paid = files(tmp_path)
    ivy = account(session_factory, "ivy")
    import_files(session_factory, [f837, first], dt.date(2026, 6, 20))
    item = the_item(session_factory, dt.date(2026, 6, 20))
    assert (item.status, item.amount, item.codes) == ("open", Decimal("130.00"), ("CO-197",))
    with session_factory() as s:
        worklist.start(s, item.id, user=ivy)
        worklist.resolve(s, item.id, "appealed", user=ivy, note="appeal with the auth number")

    import_files(session_factory, [second], dt.date(2026, 7, 5))
    item = the_item(session_factory, dt.date(2026, 7, 5))
    assert (item.status, item.assignee, item.amount) == ("assigned", "ivy", Decimal("100.00"))
    with session_factory() as s:
        detail = worklist.item_detail(s, item.id, today=dt.date(2026, 7, 5))
        last = detail.history[-1]
        assert (last.action, last.user, last.from_status, last.to_status) == (
            "reopened",
            None,
            "resolved",
            "assigned",
        )
        assert "amount 130.00 -> 100.00" in last.note
        request = account_actions.write_off(
            s,
            item.id,
            reason="appeal_exhausted",
            user=ivy,
            limit=Decimal("50.00"),
            today=dt.date(2026, 7, 5),
        )
        assert request.needs_approval and request.item.status == "pending_approval"

    import_files(session_factory, [paid], dt.date(2026, 7, 20))
    item = the_item(session_factory, dt.date(2026, 7, 20))
    assert item.status == "closed"
    with session_factory() as s:
        detail = worklist.item_detail(s, item.id, today=dt.date(2026, 7, 20))
        assert detail.history[-1].action == "closed"
        assert "TRN W-SCI-03" in detail.history[-1].note
        (wo,) = detail.write_offs
        assert wo.status == "cancelled" and "finding closed" in (wo.decision_note or "")
        assert account_actions.pending_write_offs(s) == []
        summary = {q.name: q for q in worklist.list_queues(s, today=dt.date(2026, 7, 20))}
        assert summary["authorization"].active == 0
