"""Outbound fixtures: every sample scenario imported once per module (SQLite and PostgreSQL,
on tests/conftest.py's shared_engine) through the real import service with the work-queue hook
(matching, ledger, findings, items), from a copy of sample_edi/scenarios so a test may move an
import file away. The helpers are in outboundkit."""

from __future__ import annotations

import shutil

import pytest
from outboundkit import SCENARIOS, Desk, import_folder
from sqlalchemy import Engine

from claimsdesk.storage.db import make_session_factory


@pytest.fixture(scope="module")
def desk(shared_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """The scenarios imported into the module's fresh database."""
    folder = tmp_path_factory.mktemp("scenarios")
    for path in SCENARIOS.iterdir():
        shutil.copy(path, folder / path.name)
    sessions = make_session_factory(shared_engine)
    import_folder(sessions, folder)
    return Desk(sessions, folder, shared_engine.url.render_as_string(hide_password=False))
