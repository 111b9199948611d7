"""The item page and its actions on SQLite and PostgreSQL: what it shows (billed vs paid, codes
in words, ledger, finding, priority), the audit of every view, and every action through the
form, including refusals that keep what was typed."""

from __future__ import annotations

import datetime as dt
import html as htmllib

import deskdata
from deskdata import DeskData

from claimsdesk.services import audit

desk, desk_app, browse = deskdata.desk, deskdata.desk_app, deskdata.browse  # the module's fixtures


def text_of(page: str) -> str:
    return htmllib.unescape(page)


def events(desk: DeskData, action: str, object_id: object) -> list[audit.AuditEntry]:
    with desk.sessions() as session:
        found = audit.list_events(
            session, audit.AuditFilter(action=action, object_id=str(object_id)), per_page=100
        )
    return found.items


def test_item_page_shows_the_claim_billed_beside_paid(browse, desk: DeskData) -> None:
    item = desk.item("COD26001", "coding", "open")
    status, page = browse("spec1").get(f"/items/{item.id}")
    text = text_of(page)
    assert status == 200
    assert "Billed vs paid" in text and "As billed" in text and "As paid" in text
    for procedure in ("99214", "20610", "J1885"):
        assert procedure in text
    assert "Modifier does not fit the procedure code" in text  # CO-4 in plain words
    assert "Diagnosis does not support the procedure billed" in text  # CO-11
    assert "contractual write-off" in text  # CO-45 on the paid line
    assert 'class="line-hit"' in page  # the line the finding is about is marked
    assert "What to do" in text and "corrected claim" in text
    assert "Why this priority" in text and "usually recovered" in text
    assert f"{item.score}" in text and "SCI2606110010" in text  # payer claim number (CLP07)
    assert "Ledger" in text and "Contractual (CO)" in text and "385.63" in text
    assert "processed as primary" in text  # CLP02 1 in words
    assert "Other work on this claim" in text


def test_every_view_is_audited(browse, desk: DeskData) -> None:
    item = desk.item("MIS26001", "missing_information")
    before = len(events(desk, "item.view", item.id))
    browse("spec1").get(f"/items/{item.id}")
    browse("boss1").get(f"/items/{item.id}")
    seen = events(desk, "item.view", item.id)
    assert len(seen) == before + 2
    assert {e.username for e in seen[:2]} == {"spec1", "boss1"}
    assert seen[0].object_type == "work_item" and seen[0].details["via"] == "web"
    status, _ = browse("spec1").get("/claims/MIS26001")
    assert status == 200 and events(desk, "claim.view", "MIS26001")[0].username == "spec1"
    html = browse("boss1").get("/audit/?action=item.view")[1]
    assert "item.view" in html and "work_item" in html


def test_unknown_item_is_404(browse) -> None:
    status, page = browse("spec1").get("/items/987654")
    assert status == 404 and "No work item 987654" in page


def test_remittance_only_item_renders(browse, desk: DeskData) -> None:
    item = desk.item("UNM26001", "unmatched")
    status, page = browse("spec1").get(f"/items/{item.id}")
    assert status == 200 and "No claim (837) on file" in page and "73.22" in page


def test_start_note_follow_up_and_resolve(browse, desk: DeskData) -> None:
    item = desk.item("MNC26001", "medical_necessity")
    spec = browse("spec1")
    status, _, location = spec.post(f"/items/{item.id}/start", {"version": str(item.version)})
    assert status == 303 and location.endswith(f"/items/{item.id}")
    assert desk.fresh(item.id).status == "in_progress"
    assert "Started: the item is in progress with you." in spec.get(location)[1]

    assert spec.post(f"/items/{item.id}/note", {"text": "Called the payer; ref 123."})[0] == 303
    page = text_of(spec.get(f"/items/{item.id}")[1])
    assert "Called the payer; ref 123." in page and "History and notes" in page

    soon = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    row = desk.fresh(item.id)
    status, _, _ = spec.post(
        f"/items/{item.id}/follow-up", {"on": soon, "note": "records", "version": str(row.version)}
    )
    assert status == 303
    row = desk.fresh(item.id)
    assert row.status == "pending" and row.follow_up_on == dt.date.fromisoformat(soon)

    status, _, _ = spec.post(
        f"/items/{item.id}/resolve",
        {"outcome": "paid_on_recheck", "note": "", "version": str(row.version)},
    )
    assert status == 303
    row = desk.fresh(item.id)
    assert row.status == "resolved" and row.outcome == "paid_on_recheck"
    page = text_of(spec.get(f"/items/{item.id}")[1])
    assert "Paid on recheck" in page and "Reopen" in page
    actions = [e.action for e in events(desk, "worklist.", item.id)]
    assert {"worklist.started", "worklist.note", "worklist.follow_up", "worklist.resolved"} <= set(
        actions
    )


def test_refusals_keep_the_form_and_say_why(browse, desk: DeskData) -> None:
    item = desk.item("TMF26001", "timely_filing")
    spec = browse("spec1")
    status, page, _ = spec.post(f"/items/{item.id}/note", {"text": "   "})
    assert status == 400 and "A note cannot be empty." in page
    status, page, _ = spec.post(f"/items/{item.id}/resolve", {"outcome": "paid_on_recheck"})
    assert status == 409 and "take it first" in text_of(page)  # open: nobody has it yet
    spec.post(f"/items/{item.id}/start")
    status, page, _ = spec.post(
        f"/items/{item.id}/follow-up", {"on": "2001-01-01", "note": "keep me"}
    )
    assert status == 400 and "must be after today" in page
    assert "keep me" in page and 'id="act-follow_up" open' in page
    status, page, _ = spec.post(f"/items/{item.id}/resolve", {"outcome": "no_action_needed"})
    assert status == 400 and "Say why no action is needed." in page
    status, page, _ = spec.post(f"/items/{item.id}/resolve", {"outcome": "written_off"})
    assert status == 400 and "use write_off instead" in page
    status, page, _ = spec.post(
        f"/items/{item.id}/resolve", {"outcome": "appealed", "version": "1"}
    )
    assert status == 409 and "changed by someone else" in page


def test_others_cannot_work_my_item_but_a_manager_can_move_it(browse, desk: DeskData) -> None:
    item = desk.item("RCD26001", "recoded")
    browse("spec1").post(f"/items/{item.id}/start")
    status, page, _ = browse("spec2").post(f"/items/{item.id}/resolve", {"outcome": "appealed"})
    assert status == 403 and "someone else" in page
    status, _, _ = browse("spec2").post(f"/items/{item.id}/reassign", {"to_user": ""})
    assert status == 403  # the route itself is for managers
    spec2 = desk.accounts["spec2"]
    status, _, _ = browse("boss1").post(f"/items/{item.id}/reassign", {"to_user": str(spec2.id)})
    assert status == 303 and desk.fresh(item.id).assignee == "spec2"
    status, _, _ = browse("boss1").post(f"/items/{item.id}/reassign", {"to_user": ""})
    assert status == 303 and desk.fresh(item.id).assignee is None


def test_small_write_off_posts_at_once(browse, desk: DeskData) -> None:
    item = desk.item("BUN26001", "bundling")
    spec = browse("spec1")
    spec.post(f"/items/{item.id}/start")
    page = spec.get(f"/items/{item.id}")[1]
    assert 'data-approval-limit="100.00"' in page and "a manager must approve" in page
    status, _, location = spec.post(
        f"/items/{item.id}/write-off", {"reason": "small_balance", "amount": "25.00", "note": ""}
    )
    assert status == 303
    assert "Written off $25.00" in text_of(spec.get(location)[1])
    row = desk.fresh(item.id)
    assert row.status == "resolved" and row.outcome == "written_off"


def test_large_write_off_waits_for_a_manager(browse, desk: DeskData) -> None:
    item = desk.item("ELG26001", "eligibility")
    spec = browse("spec1")
    spec.post(f"/items/{item.id}/start")
    status, page, _ = spec.post(
        f"/items/{item.id}/write-off", {"reason": "nope", "amount": "235.00"}
    )
    assert status == 400 and "Unknown write-off reason" in page and 'value="235.00"' in page
    status, _, location = spec.post(
        f"/items/{item.id}/write-off",
        {"reason": "not_covered", "amount": "235.00", "note": "no cover"},
    )
    assert status == 303 and "sent to a manager for approval" in spec.get(location)[1]
    assert desk.fresh(item.id).status == "pending_approval"
    boss = browse("boss1")
    page = text_of(boss.get(f"/items/{item.id}")[1])
    assert "Write-off $235.00" in page and "Approve" in page
    manager = text_of(boss.get("/manager/")[1])
    assert "ELG26001" in manager and "no cover" in manager


def test_transfer_to_patient(browse, desk: DeskData) -> None:
    item = next(r for r in desk.rows("TPO26001") if r.kind == "cob")
    spec = browse("spec1")
    spec.post(f"/items/{item.id}/start")
    assert "Payers still owe $80.00" in spec.get(f"/items/{item.id}")[1]
    status, page, _ = spec.post(f"/items/{item.id}/transfer", {"reason": " "})
    assert status == 400 and "Say why the balance is the patient" in text_of(page)
    status, _, location = spec.post(
        f"/items/{item.id}/transfer", {"reason": "patient has no other coverage", "amount": "10.00"}
    )
    assert status == 303, location
    assert "$10.00 moved to the patient" in spec.get(location)[1]
    row = desk.fresh(item.id)
    assert row.status == "resolved" and row.outcome == "moved_to_patient"


def test_transfer_refused_when_payers_owe_nothing(browse, desk: DeskData) -> None:
    item = desk.item("UND26001", "underpayment")
    spec = browse("spec1")
    spec.post(f"/items/{item.id}/start")
    status, page, _ = spec.post(f"/items/{item.id}/transfer", {"reason": "test"})
    assert status == 400 and 'id="act-transfer" open' in page
    assert "nothing open with a payer" in page


def test_transfer_of_an_unanswered_claim_is_not_possible_yet(browse, desk: DeskData) -> None:
    item = desk.item("TMP26001", "missing_primary")
    spec = browse("spec1")
    spec.post(f"/items/{item.id}/start")
    status, page, _ = spec.post(f"/items/{item.id}/transfer", {"reason": "no coverage"})
    assert status == 501 and "no payer has answered yet" in page
    assert desk.fresh(item.id).status == "in_progress"


def test_reopen_needs_a_reason(browse, desk: DeskData) -> None:
    item = desk.item("BUN26001", "bundling")  # written off above
    spec = browse("spec1")
    status, page, _ = spec.post(f"/items/{item.id}/reopen", {"note": ""})
    assert status == 400 and "Say why the item is reopened." in page
    status, _, _ = spec.post(f"/items/{item.id}/reopen", {"note": "payer reprocessed"})
    assert status == 303 and desk.fresh(item.id).status in ("assigned", "open")


def test_claim_page_shows_everything_on_file(browse) -> None:
    status, page = browse("spec1").get("/claims/XOV26001")
    text = text_of(page)
    assert status == 200 and "Claim XOV26001" in text and "Billed vs paid" in text
    assert "processed as primary, forwarded" in text and "processed as secondary" in text
    assert browse("spec1").get("/claims/NOPE00000")[0] == 404
