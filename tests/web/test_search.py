"""Search on SQLite and PostgreSQL: by claim number (exact and prefix), patient name and the
payer's claim number; one hit opens the item; short queries are refused politely."""

from __future__ import annotations

import html as htmllib
import re

import deskdata
from deskdata import DeskData

desk, desk_app, browse = deskdata.desk, deskdata.desk_app, deskdata.browse  # the module's fixtures


def claims_in(page: str) -> set[str]:
    body = page[page.index('id="search-results"') :]
    return set(re.findall(r'class="mono rowlink" href="/items/\d+">([^<]+)</a>', body))


def test_by_claim_number(browse) -> None:
    status, page = browse("spec1").get("/search?q=COD26001")
    assert status == 200 and claims_in(page) == {"COD26001"}
    assert 'href="/claims/COD26001"' in page
    assert claims_in(browse("spec1").get("/search?q=COD26")[1]) == {"COD26001"}


def test_one_hit_opens_the_item(browse, desk: DeskData) -> None:
    item = desk.item("UNM26001", "unmatched")
    response = browse("spec1").client.get("/search?q=UNM26001")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/items/{item.id}"
    )
    status, page = browse("spec1").get("/search?q=UNM26001&stay=1")
    assert status == 200 and claims_in(page) == {"UNM26001"}


def test_by_patient_name_and_payer_claim_number(browse) -> None:
    spec = browse("spec1")
    assert claims_in(spec.get("/search?q=DEMOPATIENT, PAPA")[1]) == {"UBL26001"}
    assert claims_in(spec.get("/search?q=papa demopatient")[1]) == {"UBL26001"}
    assert claims_in(spec.get("/search?q=SCI2606110010")[1]) == {"COD26001"}
    page = spec.get("/search?q=DEMOPATIENT")[1]
    assert len(claims_in(page)) >= 10


def test_nothing_found_and_too_short(browse) -> None:
    spec = browse("spec1")
    page = htmllib.unescape(spec.get("/search?q=ZZZ99999")[1])
    assert "Nothing found" in page
    status, page = spec.get("/search?q=C")
    assert status == 400 and "at least two characters" in page
    status, page = spec.get("/search")
    assert status == 200 and 'id="s-q"' in page and "search-results" not in page
