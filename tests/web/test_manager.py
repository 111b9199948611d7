"""The manager view on SQLite and PostgreSQL: backlog by queue and person, moving work in
bulk, write-off approvals, appeals and deadlines due; specialists are kept out."""

from __future__ import annotations

import html as htmllib
import re

import deskdata
from deskdata import DeskData

from claimsdesk.services import audit, worklist

desk, desk_app, browse = deskdata.desk, deskdata.desk_app, deskdata.browse  # the module's fixtures


def flashes(page: str) -> list[str]:
    return [htmllib.unescape(m) for m in re.findall(r'class="flash flash-\w+">([^<]+)<', page)]


def test_specialists_are_kept_out(browse, desk: DeskData) -> None:
    spec = browse("spec1")
    assert spec.get("/manager/")[0] == 403
    assert spec.post("/manager/reassign", {"item_id": "1", "to_user": ""})[0] == 403
    with desk.sessions() as session:
        denied = audit.list_events(
            session, audit.AuditFilter(action="access.denied", username="spec1")
        )
    assert denied.total >= 2


def test_backlog_by_person_and_queue(browse, desk: DeskData) -> None:
    spec = browse("spec1")
    for _ in range(2):
        spec.post("/next", {"queue": "coding"})
    status, page = browse("boss1").get("/manager/")
    text = htmllib.unescape(page)
    assert status == 200 and "Backlog by person" in text and "Backlog by queue and person" in text
    people = text[
        text.index('id="people-table"') : text.index("</table>", text.index('id="people-table"'))
    ]
    assert "Unassigned" in people and "spec1" in people
    with desk.sessions() as session:
        mine = [r for r in worklist.backlog_by_queue_and_user(session) if r.assignee == "spec1"]
    assert sum(r.count for r in mine) == 2
    assert "Write-offs awaiting approval" in text and "Appeals due soon" in text
    assert 'href="/manager/due"' in page
    status, due = browse("boss1").get("/manager/due")
    assert status == 200 and "Deadlines in the next 14 days" in due and 'id="due-table"' in due
    assert browse("spec1").get("/manager/due")[0] == 403


def test_move_the_top_of_a_queue(browse, desk: DeskData) -> None:
    boss = browse("boss1")
    spec2 = desk.accounts["spec2"]
    status, _, location = boss.post(
        "/manager/reassign",
        {"from_queue": "no_response", "from_user": "none", "count": "3", "to_user": str(spec2.id)},
    )
    assert status == 303 and location.endswith("/manager/")
    assert "Moved 3 items." in flashes(boss.get("/manager/")[1])
    with desk.sessions() as session:
        page = worklist.queue_items(
            session, "no_response", filters=worklist.ItemFilter(assignee_id=spec2.id)
        )
    assert page.total == 3


def test_bulk_reassign_ticked_rows_and_report_refusals(browse, desk: DeskData) -> None:
    boss = browse("boss1")
    spec1 = desk.accounts["spec1"]
    rows = [desk.item("RCD26001", "recoded"), desk.item("RCD26001", "units_reduced")]
    closed = next(r for r in desk.rows("RCD26001") if r.status == "closed")
    ids = [str(r.id) for r in rows] + [str(closed.id)]
    status, _, location = boss.post(
        "/manager/reassign",
        {"item_id": ids, "to_user": str(spec1.id), "next": "/queues/coding?sort=amount"},
    )
    assert status == 303 and location.endswith("/queues/coding?sort=amount")
    messages = flashes(boss.get("/my")[1])
    assert "Moved 2 items." in messages
    assert any("is closed" in m for m in messages)
    assert all(desk.fresh(r.id).assignee == "spec1" for r in rows)
    status, _, location = boss.post("/manager/reassign", {"to_user": "", "next": "//evil.example/"})
    assert location.endswith("/manager/")  # no open redirect
    assert "No items were selected to move." in flashes(boss.get("/manager/")[1])


def test_approve_and_reject_write_offs(browse, desk: DeskData) -> None:
    item = desk.item("AUT26001", "authorization")
    spec = browse("spec1")
    spec.post(f"/items/{item.id}/start")
    spec.post(
        f"/items/{item.id}/write-off",
        {"reason": "no_authorization", "amount": "1250.00", "note": "no auth on file"},
    )
    boss = browse("boss1")
    page = htmllib.unescape(boss.get("/manager/")[1])
    assert "AUT26001" in page and "1,250.00" in page and "no auth on file" in page
    wo_id = re.search(r"/manager/write-offs/(\d+)/reject", page).group(1)
    boss.post(f"/manager/write-offs/{wo_id}/reject", {"note": ""})
    assert "Say why the write-off is rejected." in flashes(boss.get("/manager/")[1])
    boss.post(f"/manager/write-offs/{wo_id}/reject", {"note": "appeal with the auth letter first"})
    assert desk.fresh(item.id).status == "in_progress"

    spec.post(f"/items/{item.id}/write-off", {"reason": "no_authorization", "amount": "1250.00"})
    page = boss.get("/manager/")[1]
    wo_id = re.search(r"/manager/write-offs/(\d+)/approve", page).group(1)
    status, _, _ = boss.post(f"/manager/write-offs/{wo_id}/approve", {})
    assert status == 303
    assert any("approved" in m for m in flashes(boss.get("/manager/")[1]))
    row = desk.fresh(item.id)
    assert row.status == "resolved" and row.outcome == "written_off"
