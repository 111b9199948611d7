"""A failure midway leaves nothing of the file; the next run imports it whole."""

from __future__ import annotations

from pathlib import Path

import pytest
import recordkit as f
from dbkit import table_counts
from fakes import FakeReader
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services import import_writer
from claimsdesk.services.imports import ImportFailed, import_paths
from parsers.records import Format


def test_failure_after_some_batches_leaves_nothing_then_imports_whole(
    session_factory: sessionmaker[Session],
    engine: Engine,
    fake: FakeReader,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox = tmp_path / "in"
    fake.write(inbox / "a.835", f.file_835(["A1"], trace="T-A"))
    fake.write(inbox / "b.835", f.file_835([f"B{i}" for i in range(40)], trace="T-B"))
    fake.write(inbox / "c.837", f.file_837(["C1"]), Format.X12_837P)
    real_flush = import_writer.BatchWriter._flush_buffer
    calls = {"n": 0}

    def failing_flush(self: import_writer.BatchWriter, buffer: object) -> None:
        if self.flushes >= 3:  # three batches of b.835 written, then the database "fails"
            calls["n"] += 1
            raise OperationalError("INSERT", {}, Exception("disk I/O error (injected)"))
        real_flush(self, buffer)  # type: ignore[arg-type]

    monkeypatch.setattr(import_writer.BatchWriter, "_flush_buffer", failing_flush)
    with pytest.raises(ImportFailed) as failed:
        import_paths(session_factory, [inbox], batch_claims=5)
    assert failed.value.path == str(inbox / "b.835") and calls["n"] == 1
    assert [r.path for r in failed.value.run.files] == [str(inbox / "a.835")]
    after_a = table_counts(engine)
    assert after_a["claim_payments"] == 1 and after_a["import_files"] == 1  # only a.835

    monkeypatch.setattr(import_writer.BatchWriter, "_flush_buffer", real_flush)
    run = import_paths(session_factory, [inbox], batch_claims=5)
    assert [r.status for r in run.files] == ["duplicate", "imported", "imported"]
    counts = table_counts(engine)
    assert counts["claim_payments"] == 41 and counts["service_payments"] == 41
    assert counts["submitted_claims"] == 1 and counts["import_files"] == 3
