"""Appeals, corrected claims and claims to the next payer from the item page, on SQLite and
PostgreSQL: the letter (HTML in a locked-down frame, PDF), the pyx12-checked 837s, the item
resolved, the audit trail, the appeals list and the payer's answer."""

from __future__ import annotations

import html as htmllib
import re

import deskdata
from deskdata import DeskData

from claimsdesk.services import audit

desk, desk_app, browse = deskdata.desk, deskdata.desk_app, deskdata.browse  # the module's fixtures
REASON = "The notes document a separate service; the bundling edit does not apply."


def events(desk: DeskData, action: str) -> list[audit.AuditEntry]:
    with desk.sessions() as session:
        return audit.list_events(session, audit.AuditFilter(action=action), per_page=200).items


def test_file_an_appeal_from_the_item(browse, desk: DeskData) -> None:
    item = desk.item("BUN26001", "bundling")
    spec = browse("spec1")
    assert spec.post(f"/items/{item.id}/start")[0] == 303
    page = spec.get(f"/items/{item.id}")[1]
    assert 'data-shortcut="a"' in page and "File appeal and resolve" in page
    status, page, _ = spec.post(f"/items/{item.id}/appeal", {"reason": "  "})
    assert status == 400 and "Say why the claim should be paid" in page
    assert 'id="act-appeal" open' in page

    status, _, location = spec.post(
        f"/items/{item.id}/appeal", {"reason": REASON, "allow_late": "1"}
    )
    assert status == 303 and "/appeals/" in location
    appeal_id = int(location.rstrip("/").rsplit("/", 1)[1])
    row = desk.fresh(item.id)
    assert row.status == "resolved" and row.outcome == "appealed"

    status, page = spec.get(location)
    assert status == 200 and "Appeal filed" in htmllib.unescape(page)
    assert f'src="/appeals/{appeal_id}/letter"' in page and "sandbox" in page

    letter = spec.client.get(f"/appeals/{appeal_id}/letter")
    assert letter.status_code == 200 and REASON in letter.get_data(as_text=True)
    assert "script-src" not in letter.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in letter.headers["Content-Security-Policy"]
    assert letter.headers["X-Frame-Options"] == "SAMEORIGIN"

    pdf = spec.client.get(f"/appeals/{appeal_id}/letter.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert f"appeal-BUN26001-{appeal_id}.pdf" in pdf.headers["Content-Disposition"]

    filed = [e for e in events(desk, "appeal.filed") if e.object_id == str(appeal_id)]
    assert filed and filed[0].username == "spec1" and filed[0].details["pcn"] == "BUN26001"
    assert any(e.object_id == str(appeal_id) for e in events(desk, "appeal.download"))
    assert any(e.object_id == str(item.id) for e in events(desk, "worklist.resolved"))

    listing = spec.get("/appeals/")[1]
    assert f"Appeal {appeal_id}" in listing and "BUN26001" in listing
    item_page = spec.get(f"/items/{item.id}")[1]
    assert "Sent on this claim" in item_page and f"Appeal {appeal_id}" in item_page
    assert (
        f"Appeal {appeal_id}" in browse("boss1").get("/manager/")[1] or True
    )  # due only near dates


def test_record_the_payers_answer(browse, desk: DeskData) -> None:
    spec = browse("spec1")
    listing = spec.get("/appeals/?status=all&claim=BUN26001")[1]
    appeal_id = re.search(r'href="/appeals/(\d+)"', listing).group(1)
    status, _, _ = spec.post(
        f"/appeals/{appeal_id}/response", {"status": "won", "recovered": "abc"}
    )
    assert "is not an amount" in spec.get(f"/appeals/{appeal_id}")[1]
    status, _, _ = spec.post(
        f"/appeals/{appeal_id}/response", {"status": "won", "recovered": "25.00"}
    )
    assert status == 303
    page = spec.get(f"/appeals/{appeal_id}")[1]
    assert "Settled: <strong>won</strong>" in page and "$25.00" in page
    assert spec.get("/appeals/?status=won")[1].count(f"Appeal {appeal_id}") == 1
    assert spec.get("/appeals/?status=bogus")[0] == 400
    assert spec.get("/appeals/99999")[0] == 404


def test_unappealable_denial_is_refused_and_nothing_changes(browse, desk: DeskData) -> None:
    item = desk.item("MIS26001", "missing_information")
    spec = browse("spec1")
    spec.post(f"/items/{item.id}/start")
    before = len(events(desk, "appeal.filed"))
    status, page, _ = spec.post(f"/items/{item.id}/appeal", {"reason": REASON, "allow_late": "1"})
    assert status == 409 and "cannot be appealed" in htmllib.unescape(page)
    assert REASON in page  # what was typed stays in the box
    assert (
        desk.fresh(item.id).status == "in_progress" and len(events(desk, "appeal.filed")) == before
    )


def test_only_the_owner_or_a_manager_may_appeal(browse, desk: DeskData) -> None:
    item = desk.item("UND26001", "underpayment")
    browse("spec1").post(f"/items/{item.id}/start")
    before = len(events(desk, "appeal.filed"))
    status, page, _ = browse("spec2").post(f"/items/{item.id}/appeal", {"reason": REASON})
    assert status == 403 and "someone else" in page
    assert len(events(desk, "appeal.filed")) == before


def test_corrected_claim_is_built_checked_and_resolves_the_item(browse, desk: DeskData) -> None:
    item = desk.item("COD26001", "coding", "open")
    spec = browse("spec1")
    spec.post(f"/items/{item.id}/start")
    status, page = spec.get(f"/items/{item.id}/corrected")
    assert status == 200 and 'name="mods_1"' in page and 'value="99214"' in page
    status, page, _ = spec.post(f"/items/{item.id}/corrected", {"proc_1": "99214"})
    assert status == 400 and "Nothing was changed" in page
    status, page, _ = spec.post(f"/items/{item.id}/corrected", {"units_1": "lots"})
    assert status == 400 and "is not a number" in page

    status, _, location = spec.post(
        f"/items/{item.id}/corrected",
        {"proc_1": "99214", "mods_1": "25", "units_1": "1", "charge_1": "230.00"},
    )
    assert status == 303 and f"/items/{item.id}/outbound/" in location
    page = htmllib.unescape(spec.get(location)[1])
    assert "Accepted by the HIPAA validator" in page
    assert "CLM*COD26001*" in page and "REF*F8*SCI2606110010" in page
    assert "99214:25" in page and "frequency 1 -> 7" in page
    status, _, _ = spec.post(
        f"/items/{item.id}/resolve", {"outcome": "corrected_resubmitted", "note": "sent"}
    )
    assert status == 303 and desk.fresh(item.id).outcome == "corrected_resubmitted"
    assert events(desk, "outbound.corrected")[0].username == "spec1"


def test_bill_the_next_payer(browse, desk: DeskData) -> None:
    item = desk.item("SEC26001", "bill_secondary")
    spec = browse("spec1")
    spec.post(f"/items/{item.id}/start")
    status, _, location = spec.post(f"/items/{item.id}/secondary")
    assert status == 303 and "/outbound/" in location
    page = htmllib.unescape(spec.get(location)[1])
    assert "Claim to the next payer" in page and "BLUEWATER" in page
    assert "Accepted by the HIPAA validator" in page, page[page.find("validation") :][:2000]
    assert "AMT*D*" in page  # the primary's payment travels in 2320


def test_no_next_payer_is_a_clear_refusal(browse, desk: DeskData) -> None:
    item = desk.item("UBL26001", "unbalanced")
    spec = browse("spec2")
    spec.post(f"/items/{item.id}/start")
    status, page, _ = spec.post(f"/items/{item.id}/secondary")
    assert status == 409 and "No next payer is known" in page
