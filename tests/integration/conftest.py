"""Integration fixtures: hand-built record streams served for files on disk."""

from __future__ import annotations

import pytest
from fakes import FakeReader

from claimsdesk.services import import_attempt


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeReader:
    """Route the import's reader and sniffer through hand-built records."""
    reader = FakeReader()
    monkeypatch.setattr(import_attempt, "read_file", reader.read_file)
    monkeypatch.setattr(import_attempt, "sniff", reader.sniff)
    return reader
