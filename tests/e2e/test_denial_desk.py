"""The denial desk in a real browser: take the next item, file an appeal and see the result
(letter, item resolved as appealed, audit entry, the appeal listed); keyboard navigation
through queues and items; the manager's view. Screenshots go to test-artifacts/desk-*.png."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from e2ekit import console_errors, screenshot
from playwright.sync_api import Page, expect

from claimsdesk.services import worklist
from claimsdesk.services.imports import import_paths
from claimsdesk.services.worklist_sync import make_after_file
from claimsdesk.storage.db import make_engine, make_session_factory
from payer_rules import load_rulebook

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "sample_edi" / "scenarios"
REASON = "Bluewater is primary for this member per the enrollment on file; please reprocess."


def _arrival(path: Path) -> tuple[str, int, int]:
    parts = path.name.split(".")
    return parts[0], int(parts[1]) if len(parts) == 3 else 0, 0 if ".837" in path.suffix else 1


@pytest.fixture(scope="module")
def desk_data(live_server) -> str:
    """Every sample scenario imported into the live server's database (once per session)."""
    engine = make_engine(live_server.database_url)
    sessions = make_session_factory(engine)
    try:
        with sessions() as session:
            if worklist.list_queues(session) and sum(
                q.active for q in worklist.list_queues(session)
            ):
                return live_server.url
        files = sorted(
            (p for p in SCENARIOS.iterdir() if p.suffix in (".835", ".837", ".837i")), key=_arrival
        )
        run = import_paths(
            sessions, files, after_file=make_after_file(load_rulebook(), dt.date.today())
        )
        assert all(r.status == "imported" for r in run.files)
    finally:
        engine.dispose()
    return live_server.url


def test_take_the_next_item_and_file_an_appeal(
    page: Page, desk_data: str, sign_in: Callable[[Page, str], str], browser
) -> None:
    user = sign_in(page, "specialist")
    expect(page.locator("main")).to_contain_text("My work")
    page.keyboard.press("g")
    page.keyboard.press("m")
    expect(page).to_have_url(desk_data + "/my")
    expect(page.get_by_role("heading", level=1)).to_have_text("My queue")
    page.wait_for_load_state()
    page.keyboard.press("n")  # Next item: the best open item of every queue
    expect(page).to_have_url(re.compile(r"/items/\d+$"))
    item_url = page.url
    expect(page.locator("h1")).to_contain_text("WPO26001")
    expect(page.locator("#finding")).to_contain_text("What to do")
    expect(page.locator("#lines-table")).to_contain_text("As billed")
    page.wait_for_load_state()
    screenshot(page, "desk-item")

    page.keyboard.press("a")  # the appeal panel opens with the cursor in the reason box
    reason_box = page.get_by_label("Why the claim should be paid")
    expect(reason_box).to_be_focused()
    page.keyboard.type(REASON)
    late = page.get_by_label("File late, with good cause")
    if late.count():
        late.check()
    page.get_by_role("button", name="File appeal and resolve").click()

    expect(page).to_have_url(re.compile(r"/appeals/\d+$"))
    expect(page.locator(".flash-success")).to_contain_text("Appeal filed")
    expect(page.locator(".flash-success")).to_contain_text("The item is resolved.")
    letter = page.frame_locator("iframe.letter-frame")
    expect(letter.locator("body")).to_contain_text(REASON)
    expect(letter.locator("body")).to_contain_text("WPO26001")
    appeal_id = page.url.rsplit("/", 1)[1]
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.keyboard.press("d")
    assert download.value.suggested_filename == f"appeal-WPO26001-{appeal_id}.pdf"
    screenshot(page, "desk-appeal")

    page.goto(item_url)
    expect(page.locator("h1 .st")).to_have_text("resolved")
    expect(page.locator(".page-head")).to_contain_text("Appealed")
    expect(page.locator("#sent-table")).to_contain_text(f"Appeal {appeal_id}")
    page.wait_for_load_state()
    page.keyboard.press("g")
    page.keyboard.press("p")
    expect(page).to_have_url(desk_data + "/appeals/")
    expect(page.locator("#appeals-table")).to_contain_text(f"Appeal {appeal_id}")
    assert console_errors(page) == []

    manager = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(manager, "manager")
    manager.goto(desk_data + f"/audit/?action=appeal.filed&user={user}")
    expect(manager.locator("#audit-table")).to_contain_text("appeal.filed")
    expect(manager.locator("#audit-table")).to_contain_text("WPO26001")
    manager.goto(desk_data + f"/audit/?action=item.view&user={user}")
    expect(manager.locator("#audit-table")).to_contain_text("work_item")
    manager.context.close()


def test_keyboard_through_queues_and_an_item(
    page: Page, desk_data: str, sign_in: Callable[[Page, str], str]
) -> None:
    sign_in(page, "specialist")
    page.keyboard.press("g")
    page.keyboard.press("w")
    expect(page).to_have_url(desk_data + "/queues/")
    page.wait_for_load_state()
    screenshot(page, "desk-queue-list")
    rows = page.locator("#queues-table tbody tr")
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile("is-current"))
    for _ in range(3):
        page.keyboard.press("j")
    page.keyboard.press("k")
    expect(rows.nth(2)).to_have_class(re.compile("is-current"))
    titles = [t.strip() for t in rows.locator("td:first-child a").all_inner_texts()]
    for _ in range(titles.index("Coding") - 2):
        page.keyboard.press("j")
    expect(page.locator("#queues-table tr.is-current")).to_contain_text("Coding")
    page.keyboard.press("Enter")
    expect(page).to_have_url(desk_data + "/queues/coding")
    page.wait_for_load_state()
    screenshot(page, "desk-queue")

    page.keyboard.press("j")
    page.keyboard.press("j")
    second = page.locator("#items-table tbody tr").nth(1)
    expect(second).to_have_class(re.compile("is-current"))
    claim = second.locator("a.rowlink").inner_text()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(claim)
    page.wait_for_load_state()  # shortcuts are bound once the page has loaded

    page.keyboard.press("s")  # take and start it
    expect(page.locator(".flash-success")).to_contain_text("Started")
    page.wait_for_load_state()
    page.keyboard.press("f")
    expect(page.get_by_label("Follow up on")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#act-follow_up")).not_to_have_attribute("open", "")
    page.keyboard.press("m")
    note = page.locator("#f-note-text")
    expect(note).to_be_focused()
    page.keyboard.type("Checked the op note: modifier 25 is supported. gnjk")  # keys typed, not run
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#history")).to_contain_text("modifier 25 is supported. gnjk")
    page.wait_for_load_state()

    page.keyboard.press("?")
    help_dialog = page.locator("#shortcut-help")
    for label in (
        "Appeal",
        "Write off",
        "Resolve",
        "Follow-up date",
        "Corrected claim",
        "Next item",
    ):
        expect(help_dialog).to_contain_text(label)
    screenshot(page, "desk-shortcuts")
    page.keyboard.press("Escape")

    page.keyboard.press("r")
    expect(page.get_by_label("Outcome")).to_be_focused()
    page.get_by_label("Outcome").select_option("paid_on_recheck")
    page.locator("#act-resolve").get_by_role("button", name="Resolve").click()
    expect(page.locator(".flash-success")).to_contain_text("Resolved: Paid on recheck")
    page.wait_for_load_state()

    page.keyboard.press("/")
    expect(page.locator("#desk-q")).to_be_focused()
    page.keyboard.type("UNM26001")
    page.keyboard.press("Enter")  # a single hit opens the item
    expect(page.locator("h1")).to_contain_text("UNM26001")
    assert console_errors(page) == []


def test_my_queue_and_the_manager_view(
    page: Page, desk_data: str, sign_in: Callable[[Page, str], str], browser
) -> None:
    sign_in(page, "specialist")
    page.goto(desk_data + "/my")
    for _ in range(3):
        page.keyboard.press("n")
        expect(page).to_have_url(re.compile(r"/items/\d+$"))
        page.goto(desk_data + "/my")  # goto waits for the load event
    expect(page.locator("#my-items tbody tr")).to_have_count(3)
    screenshot(page, "desk-my-queue")

    boss = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(boss, "manager")
    boss.keyboard.press("g")
    boss.keyboard.press("g")
    expect(boss).to_have_url(desk_data + "/manager/")
    expect(boss.locator("#people-table")).to_contain_text("Unassigned")
    screenshot(boss, "desk-manager")

    boss.goto(desk_data + "/queues/no_response")  # goto waits for the load event
    boss.keyboard.press("j")
    boss.keyboard.press("x")
    boss.keyboard.press("j")
    boss.keyboard.press("x")
    expect(boss.locator("#items-table input[type=checkbox]:checked")).to_have_count(2)
    boss.get_by_label("Reassign selected to").select_option(index=1)
    boss.get_by_role("button", name="Reassign", exact=True).click()
    expect(boss.locator(".flash-success")).to_have_text("Moved 2 items.")
    assert console_errors(boss) == []
    boss.context.close()
