"""In a real browser: sign in, look around with the keyboard, sign out."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from e2ekit import console_errors, screenshot
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_sign_in_and_sign_out(
    page: Page, live_server, desk_user: Callable[[str], tuple[str, str]]
) -> None:
    username, password = desk_user("specialist")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    expect(page.get_by_label("Username")).to_be_focused()
    screenshot(page, "login")

    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Specialist")
    expect(page.locator(".topbar")).to_contain_text(username)
    expect(page.locator("main table")).to_contain_text("login.ok")
    screenshot(page, "home")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_server.url + "/login")
    expect(page.locator(".flash-info")).to_have_text("You are signed out.")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    assert console_errors(page) == []  # the CSP let our CSS and JS load; no script errors


def test_wrong_password_shows_one_calm_message(
    page: Page, live_server, desk_user: Callable[[str], tuple[str, str]]
) -> None:
    username, _ = desk_user("specialist")
    page.goto(live_server.url + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("not my password at all")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text(
        "That username and password do not match an active account."
    )
    expect(page.get_by_label("Username")).to_have_value(username)
    expect(page.get_by_label("Password")).to_be_focused()
    screenshot(page, "login-error")


def test_keyboard_shortcuts_help_and_navigation(
    page: Page, live_server, sign_in: Callable[[Page, str], str]
) -> None:
    sign_in(page, "manager")
    page.keyboard.press("?")
    help_dialog = page.locator("#shortcut-help")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Go to Audit log")
    expect(help_dialog).to_contain_text("Show keyboard shortcuts")
    screenshot(page, "shortcut-help")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    page.keyboard.press("g")
    page.keyboard.press("a")
    expect(page).to_have_url(live_server.url + "/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    screenshot(page, "audit-log")

    page.keyboard.press("/")
    expect(page.get_by_label("User", exact=True)).to_be_focused()
    page.keyboard.type("gh")  # typing in a field never triggers shortcuts
    expect(page).to_have_url(live_server.url + "/audit/")
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("g")
    page.keyboard.press("h")
    expect(page).to_have_url(live_server.url + "/")
    assert console_errors(page) == []


def test_admin_adds_a_user_in_the_browser(
    page: Page, live_server, sign_in: Callable[[Page, str], str]
) -> None:
    sign_in(page, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.get_by_label("Username").fill("new.colleague")
    page.get_by_label("Display name").fill("New Colleague")
    page.get_by_label("Role").select_option("specialist")
    page.get_by_label("Initial password").fill("first day passphrase")
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(".flash-success")).to_have_text("Added new.colleague as specialist.")
    expect(page.locator("#users-table")).to_contain_text("New Colleague")
    screenshot(page, "admin-users")
    page.get_by_role("link", name="new.colleague").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deactivate").click()
    expect(page.locator(".flash-success")).to_have_text("new.colleague is deactivated.")
    screenshot(page, "admin-user")


def test_logged_in_page_fixture_lands_home(logged_in_page: Page, live_server) -> None:
    expect(logged_in_page).to_have_url(live_server.url + "/")
    expect(logged_in_page.get_by_role("link", name="Users")).to_have_count(0)
