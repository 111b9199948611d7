"""Named queries over what an import stored."""

from __future__ import annotations

from pathlib import Path

import recordkit as f
from fakes import FakeReader
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services.imports import import_paths
from claimsdesk.storage import queries


def test_recent_imports_and_their_issues(
    session_factory: sessionmaker[Session], fake: FakeReader, tmp_path: Path
) -> None:
    fake.write(tmp_path / "a.835", f.file_835(["P1"]))
    fake.write(tmp_path / "b.835", [*f.file_835(["P2"], trace="T2"), f.error(), f.warning()])
    import_paths(session_factory, [tmp_path])
    with session_factory() as s:
        files = s.scalars(queries.recent_imports()).all()
        assert [(r.path.rsplit("/", 1)[1], r.status) for r in files] == [
            ("b.835", "rejected"),
            ("a.835", "imported"),
        ]
        issues = s.scalars(queries.file_issues(files[0].id)).all()
        assert [(i.severity, i.code) for i in issues] == [("error", "balance.claim")]
        sha = files[1].sha256
        assert s.execute(queries.file_by_sha256(sha)).one().status == "imported"
        assert s.execute(queries.payment_source("PAYER01", "TRACE1")).scalar_one() == files[1].path
