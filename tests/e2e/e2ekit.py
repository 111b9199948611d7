"""Helpers the end-to-end tests share: screenshots and console errors."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CONSOLE_ERRORS: dict[int, list[str]] = {}


def console_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions the page has logged (CSP violations included)."""
    return CONSOLE_ERRORS.get(id(page), [])


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/ (gitignored) for a human to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
