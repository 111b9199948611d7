"""The JSON API on SQLite and PostgreSQL: bearer tokens only, one error shape, every read and
action over the same services as the screens, audit of views, no CSRF for token calls."""

from __future__ import annotations

from typing import Any

import deskdata
import pytest
from deskdata import DeskData
from flask import Flask
from flask.testing import FlaskClient

from claimsdesk.services import audit

desk, desk_app, browse = deskdata.desk, deskdata.desk_app, deskdata.browse  # the module's fixtures


class Api:
    """A test client that sends one user's bearer token."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> tuple[int, Any]:
        r = self.client.get(path, headers=self.headers)
        return r.status_code, r.get_json()

    def post(self, path: str, body: Any = None, raw: str | None = None) -> tuple[int, Any]:
        if raw is not None:
            r = self.client.post(
                path, data=raw, headers=self.headers, content_type="application/json"
            )
        else:
            r = self.client.post(path, json=body if body is not None else {}, headers=self.headers)
        return r.status_code, r.get_json()


@pytest.fixture
def api(desk_app: Flask, desk: DeskData):
    return lambda name: Api(desk_app.test_client(), desk.tokens[name])


def is_error(body: Any, status: int) -> bool:
    err = body["error"]
    return err["status"] == status and err["code"] and err["message"]


def test_tokens_are_required_and_cookies_are_not_enough(desk_app: Flask, browse) -> None:
    client = desk_app.test_client()
    r = client.get("/api/queues")
    assert r.status_code == 401 and is_error(r.get_json(), 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = client.get("/api/queues", headers={"Authorization": "Bearer cdt_not-a-real-token"})
    assert r.status_code == 401 and "unknown, revoked" in r.get_json()["error"]["message"]
    signed_in = browse("spec1").client  # a desk session cookie, no token
    assert signed_in.get("/api/queues").status_code == 401
    assert signed_in.post("/api/next", json={}).status_code == 401  # not a CSRF 400: no cookie auth


def test_me_queues_and_pages(api, desk: DeskData) -> None:
    spec = api("spec1")
    assert spec.get("/api/me") == (
        200,
        {
            "id": desk.accounts["spec1"].id,
            "username": "spec1",
            "role": "specialist",
            "display_name": "Spec1",
        },
    )
    status, body = spec.get("/api/queues")
    assert status == 200 and any(q["name"] == "coding" and q["active"] >= 4 for q in body["queues"])
    status, body = spec.get("/api/queues/coding/items?per_page=2&page=2&sort=amount")
    assert status == 200 and body["page"] == 2 and body["per_page"] == 2 and len(body["items"]) == 2
    assert body["total"] >= 4 and body["pages"] >= 2
    assert all(isinstance(i["amount"], str) and "." in i["amount"] for i in body["items"])
    status, body = spec.get("/api/items?payer=SXSCI&category=coding")
    assert status == 200 and {i["claim"] for i in body["items"]} == {"COD26001"}
    status, body = spec.get("/api/queues/coding/items?sort=sideways")
    assert status == 400 and "Unknown sort" in body["error"]["message"]
    status, body = spec.get("/api/queues/nope/items")
    assert status == 400 and "Unknown queue" in body["error"]["message"]
    status, body = spec.get("/api/items?min_amount=lots")
    assert status == 400 and is_error(body, 400)


def test_item_claim_findings_and_search(api, desk: DeskData) -> None:
    spec = api("spec1")
    item = desk.item("COD26001", "coding", "open")
    status, body = spec.get(f"/api/items/{item.id}")
    assert status == 200 and body["item"]["id"] == item.id
    assert body["claim_story"]["claim"] == "COD26001" and body["priority"]["explanation"]
    with desk.sessions() as session:
        seen = audit.list_events(
            session, audit.AuditFilter(action="item.view", object_id=str(item.id))
        )
    assert seen.items[0].details["via"] == "api" and seen.items[0].username == "spec1"
    assert spec.get("/api/items/987654")[0] == 404
    status, body = spec.get("/api/claims/COD26001")
    assert status == 200 and len(body["submissions"]) == 1 and body["findings"]
    assert spec.get("/api/claims/NOPE1")[0] == 404
    status, body = spec.get("/api/findings?kind=denial&status=open")
    assert (
        status == 200
        and body["total"] >= 5
        and all(f["kind"] == "denial" for f in body["findings"])
    )
    status, body = spec.get("/api/findings?kind=nonsense")
    assert status == 400 and "kind must be one of" in body["error"]["message"]
    status, body = spec.get("/api/search?q=COD26001")
    assert status == 200 and {i["claim"] for i in body["items"]} == {"COD26001"}
    assert spec.get("/api/search?q=C")[0] == 400


def test_next_and_the_item_lifecycle(api, desk: DeskData) -> None:
    spec = api("spec2")
    status, body = spec.post("/api/next", {"queue": "medical_necessity"})
    assert (
        status == 200
        and body["item"]["claim"] == "MNC26001"
        and body["item"]["assignee"] == "spec2"
    )
    item_id, version = body["item"]["id"], body["item"]["version"]
    assert spec.post("/api/next", {"queue": "medical_necessity"}) == (200, {"item": None})
    status, body = spec.post(f"/api/items/{item_id}/start", {"version": version})
    assert status == 200 and body["item"]["status"] == "in_progress"
    status, body = spec.post(f"/api/items/{item_id}/notes", {"text": "left a voicemail"})
    assert status == 201 and body["note"]["text"] == "left a voicemail"
    status, body = spec.post(f"/api/items/{item_id}/follow-up", {"on": "not a date"})
    assert status == 400 and '"on" must be a date' in body["error"]["message"]
    status, body = spec.post(
        f"/api/items/{item_id}/resolve", {"outcome": "paid_on_recheck", "version": 1}
    )
    assert status == 409 and body["error"]["code"] == "conflict"
    status, body = spec.post(f"/api/items/{item_id}/resolve", {"outcome": "paid_on_recheck"})
    assert status == 200 and body["item"]["outcome"] == "paid_on_recheck"
    status, body = spec.get("/api/items/mine")
    assert status == 200 and item_id not in {i["id"] for i in body["items"]}
    status, body = api("spec1").post(f"/api/items/{item_id}/reopen", {"note": "x"})
    assert status == 403 and "someone else" in body["error"]["message"]


def test_write_off_approval_and_roles(api, desk: DeskData) -> None:
    item = desk.item("ELG26001", "eligibility")
    spec = api("spec1")
    assert spec.post(f"/api/items/{item.id}/start")[0] == 200
    status, body = spec.post(
        f"/api/items/{item.id}/write-off", {"reason": "not_covered", "amount": 235.0}
    )
    assert status == 400 and "no floats for money" in body["error"]["message"]
    status, body = spec.post(
        f"/api/items/{item.id}/write-off", {"reason": "not_covered", "amount": "235.00"}
    )
    assert status == 200 and body["needs_approval"] is True
    assert body["item"]["status"] == "pending_approval"
    status, body = spec.get("/api/write-offs/pending")
    assert status == 403 and is_error(body, 403)
    boss = api("boss1")
    status, body = boss.get("/api/write-offs/pending")
    assert status == 200 and body["total"] == 1
    wo_id = body["write_offs"][0]["id"]
    status, body = boss.post(f"/api/write-offs/{wo_id}/approve", {"note": "ok"})
    assert status == 200 and body["write_off"]["status"] == "posted"
    assert body["item"]["outcome"] == "written_off"
    status, body = boss.get("/api/backlog")
    assert status == 200 and body["backlog"]


def test_transfer_to_patient(api, desk: DeskData) -> None:
    item = next(r for r in desk.rows("TPO26001") if r.kind == "cob")
    spec = api("spec1")
    spec.post(f"/api/items/{item.id}/start")
    status, body = spec.post(f"/api/items/{item.id}/transfer", {"reason": "plan exhausted"})
    assert (
        status == 200
        and body["amount"] == "80.00"
        and body["item"]["outcome"] == "moved_to_patient"
    )


def test_appeal_through_the_api(api, desk: DeskData) -> None:
    item = desk.item("WPO26001", "coordination_of_benefits")
    spec = api("spec1")
    status, body = spec.post(f"/api/items/{item.id}/appeal", {"reason": "x"})
    assert status == 409 and "take it first" in body["error"]["message"]
    spec.post(f"/api/items/{item.id}/start")
    reason = "Bluewater confirmed it is secondary for this member."
    status, body = spec.post(f"/api/items/{item.id}/appeal", {"reason": reason, "allow_late": True})
    assert status == 201, body
    assert reason in body["appeal"]["html"] and "pdf_bytes" not in body["appeal"]
    assert body["item"]["outcome"] == "appealed"
    appeal_id = body["appeal"]["id"]
    status, listed = spec.get("/api/appeals?claim=WPO26001")
    assert status == 200 and [a["id"] for a in listed["appeals"]] == [appeal_id]
    assert spec.get(f"/api/appeals/{appeal_id}")[1]["status"] == "filed"
    r = spec.client.get(body["letter_pdf"], headers=spec.headers)
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert spec.get("/api/appeals?status=bogus")[0] == 400


def test_corrected_claim_through_the_api(api, desk: DeskData) -> None:
    item = desk.item("COD26001", "coding", "open")
    spec = api("spec1")
    spec.post(f"/api/items/{item.id}/start")
    assert spec.post(f"/api/items/{item.id}/corrected", {})[0] == 400
    status, body = spec.post(
        f"/api/items/{item.id}/corrected", {"lines": [{"line": 1, "colour": "red"}]}
    )
    assert status == 400 and "Unknown line field" in body["error"]["message"]
    fix = {"lines": [{"line": 1, "add_modifiers": ["25"]}], "resolve": True}
    status, body = spec.post(f"/api/items/{item.id}/corrected", fix)
    assert status == 201 and body["validated"] is True
    assert "REF*F8*SCI2606110010" in body["outbound"]["x12_text"]
    assert body["item"]["outcome"] == "corrected_resubmitted"


def test_errors_are_json_everywhere(api) -> None:
    spec = api("spec1")
    status, body = spec.get("/api/nope")
    assert status == 404 and "openapi.json" in body["error"]["message"]
    r = spec.client.post("/api/queues", headers=spec.headers)
    assert (
        r.status_code == 405
        and is_error(r.get_json(), 405)
        and "use GET" in r.get_json()["error"]["message"]
    )
    status, body = spec.post("/api/next", raw="[1, 2")
    assert status == 400 and "JSON object" in body["error"]["message"]
    status, body = spec.get("/api/items/abc")
    assert status == 404 and is_error(body, 404)
