"""End-to-end fixtures: the desk on a real server thread, Debian's Chromium via Playwright.

Reusable by later screens' tests:
  live_server         the app on http://127.0.0.1:<port> against a temp SQLite database
  desk_user(role)     a fresh account on that server -> (username, password)
  page                a new browser context and page (console errors: e2ekit.console_errors)
  logged_in_page      `page` signed in through the form as a fresh specialist
  sign_in(page, role) sign a page in as a fresh user with that role
Tests here are marked `browser` (set `pytestmark = pytest.mark.browser` in each module).
Screenshots go to test-artifacts/ through e2ekit.screenshot.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from e2ekit import CONSOLE_ERRORS
from playwright.sync_api import Browser, Page
from werkzeug.serving import BaseWSGIServer, make_server

from claimsdesk.config import Settings
from claimsdesk.services import users
from claimsdesk.storage.db import make_engine, make_session_factory, upgrade
from claimsdesk.web import create_app
from claimsdesk.web.settings import WebSettings

CHROMIUM = Path(os.environ.get("CLAIMSDESK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [  # no downloads, no phoning home: the test machine has no network
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "e2e passphrase long enough"
_serial = itertools.count(1)


@dataclass
class LiveServer:
    """The desk served on a background thread; `url` has no trailing slash."""

    url: str
    database_url: str
    server: BaseWSGIServer
    thread: threading.Thread
    created: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server per test process, on a free port, against a migrated temp SQLite file."""
    db_file = tmp_path_factory.mktemp("e2e") / "desk.db"
    database_url = f"sqlite:///{db_file}"
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    app = create_app(
        Settings(database_url=database_url),
        WebSettings(secret_key="e2e-secret-key-long-enough-for-the-check", cookie_secure=False),
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="desk-e2e", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", database_url, server, thread)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["claimsdesk"].dispose()


@pytest.fixture
def desk_user(live_server: LiveServer) -> Callable[[str], tuple[str, str]]:
    """Make a fresh account (unique name per call) on the live server's database."""

    def make(role: str = "specialist") -> tuple[str, str]:
        username = f"{role[:4]}{os.getpid()}x{next(_serial)}"
        engine = make_engine(live_server.database_url)
        try:
            with make_session_factory(engine)() as session:
                users.create_user(session, username, f"{role.title()} {username}", role, PASSWORD)
        finally:
            engine.dispose()
        live_server.created.append(username)
        return username, PASSWORD

    return make


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium; skipped locally when missing, a failure under CI."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context (own cookies) and page; its console errors are collected."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    errors = CONSOLE_ERRORS.setdefault(id(new_page), [])
    new_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    new_page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield new_page
    finally:
        CONSOLE_ERRORS.pop(id(new_page), None)
        context.close()


@pytest.fixture
def sign_in(
    live_server: LiveServer, desk_user: Callable[[str], tuple[str, str]]
) -> Callable[[Page, str], str]:
    """Sign a page in through the form as a fresh user with `role`; returns the username."""

    def do(pg: Page, role: str = "specialist") -> str:
        username, password = desk_user(role)
        pg.goto(live_server.url + "/login")
        pg.get_by_label("Username").fill(username)
        pg.get_by_label("Password").fill(password)
        pg.get_by_role("button", name="Sign in").click()
        pg.wait_for_url(live_server.url + "/")
        return username

    return do


@pytest.fixture
def logged_in_page(page: Page, sign_in: Callable[[Page, str], str]) -> Page:
    """`page`, signed in as a fresh specialist and on the home page."""
    sign_in(page, "specialist")
    return page
