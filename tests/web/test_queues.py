"""My queue, Next item, the queue list and a queue's items, on SQLite and PostgreSQL, with every
sample_edi scenario imported through the real import service."""

from __future__ import annotations

import re

import deskdata
from deskdata import DeskData

from claimsdesk.services import audit, worklist

desk, desk_app, browse = deskdata.desk, deskdata.desk_app, deskdata.browse  # the module's fixtures


def rows_in(html: str, table_id: str) -> list[str]:
    """Claim numbers of a work table's rows, in order."""
    body = html[html.index(f'id="{table_id}"') :]
    body = body[: body.index("</table>")]
    return re.findall(r'class="mono rowlink" href="/items/\d+">([^<]+)</a>', body)


def test_signed_out_users_go_to_sign_in(desk_app) -> None:
    client = desk_app.test_client()
    for path in ("/my", "/queues/", "/queues/coding"):
        response = client.get(path)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_queue_list_shows_counts_dollars_and_ages(browse, desk: DeskData) -> None:
    status, html = browse("spec1").get("/queues/")
    assert status == 200
    with desk.sessions() as session:
        summaries = worklist.list_queues(session)
    for q in summaries:
        assert q.title in html
    auth = next(q for q in summaries if q.name == "authorization")
    assert auth.active == 1 and "1,250.00" in html
    assert "Items by age" in html and "181+" in html
    total = sum(q.active for q in summaries)
    assert f"{total} active items" in html


def test_queue_page_sorts_by_priority_and_pages(browse, desk: DeskData) -> None:
    spec = browse("spec1")
    status, html = spec.get("/queues/coding")
    assert status == 200 and "<h1>Coding</h1>" in html
    with desk.sessions() as session:
        expected = [r.claim for r in worklist.queue_items(session, "coding").items]
    assert rows_in(html, "items-table") == expected and len(expected) >= 4
    by_amount = rows_in(spec.get("/queues/coding?sort=amount")[1], "items-table")
    assert by_amount[0] == "COD26001"  # 230.00, the largest coding line


def test_queue_filters(browse, desk: DeskData) -> None:
    spec = browse("spec1")
    html = spec.get("/queues/coding?payer=SXSCI")[1]
    assert set(rows_in(html, "items-table")) == {"COD26001", "RCD26001"}
    html = spec.get("/queues/coding?category=bundling")[1]
    assert rows_in(html, "items-table") == ["BUN26001"]
    html = spec.get("/queues/coding?min_amount=40&max_amount=250")[1]
    assert sorted(rows_in(html, "items-table")) == ["COD26001", "RCD26001"]
    html = spec.get("/queues/coding?payer=medicare")[1]
    assert rows_in(html, "items-table") == ["BUN26001"]
    html = spec.get("/queues/coding?status=resolved")[1]
    assert rows_in(html, "items-table") == [] and "No items match." in html


def test_bad_filters_are_reported_not_fatal(browse) -> None:
    spec = browse("spec1")
    status, html = spec.get(
        "/queues/coding?min_amount=lots&sort=sideways&status=weird&assignee=nobody.here"
    )
    assert status == 200
    assert "is not an amount like 125.00; it was ignored." in html
    assert "Sort &#39;sideways&#39; is unknown" in html
    assert "Status &#39;weird&#39; is unknown" in html
    assert "No user named &#39;nobody.here&#39;" in html
    assert len(rows_in(html, "items-table")) >= 4
    assert spec.get("/queues/no_such_queue")[0] == 404


def test_next_item_takes_the_best_open_item_and_opens_it(browse, desk: DeskData) -> None:
    spec = browse("spec2")
    status, html = spec.get("/my")
    assert status == 200 and "Nothing is with you" in html
    with desk.sessions() as session:
        best = worklist.queue_items(session, None, per_page=1).items[0]
    status, _, location = spec.post("/next")
    assert status == 303 and location.endswith(f"/items/{best.id}")
    row = desk.fresh(best.id)
    assert row.assignee == "spec2" and row.status == "assigned"
    html = spec.get("/my")[1]
    assert rows_in(html, "my-items") == [best.claim]
    assert "1 item with you" in html and "1 assigned" in html
    with desk.sessions() as session:
        events = audit.list_events(
            session, audit.AuditFilter(username="spec2", action="worklist.next")
        )
    assert [e.object_id for e in events.items] == [str(best.id)]


def test_next_from_one_queue_and_when_nothing_waits(browse, desk: DeskData) -> None:
    spec = browse("spec2")
    status, _, location = spec.post("/next", {"queue": "medical_necessity"})
    item = desk.item("MNC26001", "medical_necessity")
    assert status == 303 and location.endswith(f"/items/{item.id}")
    status, _, location = spec.post("/next", {"queue": "medical_necessity"})
    assert status == 303 and location.endswith("/queues/medical_necessity")
    html = spec.get(location)[1]
    assert "Nothing is waiting in the medical_necessity queue" in html
    status, _, location = spec.post("/next", {"queue": "nope"})
    assert location.endswith("/my")
    assert "Unknown queue &#39;nope&#39;" in spec.get("/my")[1]


def test_next_needs_the_csrf_token(browse) -> None:
    spec = browse("spec1")
    response = spec.client.post("/next", data={})
    assert response.status_code == 400


def test_managers_get_bulk_reassign_on_queue_pages(browse) -> None:
    html = browse("boss1").get("/queues/coding")[1]
    assert 'id="bulk-form"' in html and 'name="item_id"' in html and "Reassign selected to" in html
    html = browse("spec1").get("/queues/coding")[1]
    assert 'id="bulk-form"' not in html and 'name="item_id"' not in html


def test_home_shows_my_work_panel(browse) -> None:
    html = browse("spec2").get("/")[1]
    assert "My work" in html and "with you" in html and 'data-shortcut="n"' in html
    assert 'href="/my"' in html and "My queue" in html
