"""Two processes importing the same folder at once store every file and payment once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dbkit import count_rows
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.storage.models.ingest import ImportFile, Remittance, TransactionSetRow

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def make_inbox(inbox: Path) -> dict[str, int]:
    """835s and 837s; some payments and 837 transactions arrive in two different files."""
    inbox.mkdir()
    expected: dict[str, int] = {}
    for k in range(8):
        n = 150 + k * 10
        (inbox / f"r{k}.835").write_text(f"835 T{k} {n}\n")
        expected[f"T{k}"] = n
    (inbox / "r2-resent.835").write_text("835 T2 170 resent in another file\n")
    (inbox / "r5-resent.835").write_text("835 T5 200 resent in another file\n")
    for k in range(3):
        (inbox / f"c{k}.837").write_text(f"837 00000070{k} 120\n")
    (inbox / "c1-resent.837").write_text("837 000000701 120 resent\n")
    return expected


def start(url: str, go: Path, inbox: Path, reverse: bool = False) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    cmd = [sys.executable, str(HERE / "worker.py"), url, str(go), str(inbox)]
    cmd += ["reverse"] if reverse else []
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_two_processes_import_every_file_once(
    db_url: str, engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    expected = make_inbox(tmp_path / "in")
    go = tmp_path / "go"
    workers = [start(db_url, go, tmp_path / "in", reverse) for reverse in (False, True)]
    go.touch()
    outputs = []
    for w in workers:
        out, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
        outputs.append(json.loads(out))
    imported_by_key: dict[str, int] = {}
    for doc in outputs:
        assert len(doc["files"]) == 14
        for item in doc["files"]:
            key = Path(item["path"]).read_text().split()[1]
            imported_by_key[key] = imported_by_key.get(key, 0) + (item["status"] == "imported")
            assert item["status"] in ("imported", "duplicate"), item
    # each payment and each 837 transaction imported by exactly one process from one file
    assert imported_by_key == {key: 1 for key in imported_by_key}
    assert len(imported_by_key) == 11
    with session_factory() as s:
        traces = s.execute(
            select(Remittance.trace_number, func.count()).group_by(Remittance.trace_number)
        ).all()
        assert dict(traces) == {t: 1 for t in expected}
        assert s.scalar(select(func.count()).select_from(ImportFile)) == 11  # resent: not stored
        assert (
            s.scalar(
                select(func.count())
                .select_from(TransactionSetRow)
                .where(TransactionSetRow.set_id == "837")
            )
            == 3
        )
    assert count_rows(engine, "claim_payments") == sum(expected.values())
    assert count_rows(engine, "submitted_claims") == 3 * 120
    assert count_rows(engine, "patients") == 1  # every claim is DOE, JANE under MEM001
