"""Options for the parser tests: --update-goldens rewrites sample_edi/golden/*.json."""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register --update-goldens (pytest loads this conftest early for tests/parsers runs)."""
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite sample_edi/golden/*.json from what the readers produce now",
    )


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True when goldens are to be rewritten: --update-goldens or UPDATE_GOLDENS=1."""
    try:
        flag = bool(request.config.getoption("--update-goldens"))
    except ValueError:  # the option was not registered (conftest loaded late)
        flag = False
    return flag or os.environ.get("UPDATE_GOLDENS", "") not in ("", "0")
