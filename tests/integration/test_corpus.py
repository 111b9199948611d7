"""The public corpus through the whole import: exact claim counts, refusals with reasons.

Reads ../shared/corpus (skips when absent). Each X12 file goes into its own fresh SQLite
database (a copy of one migrated template), so files that repeat each other across projects
do not hide one another as duplicates.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services.imports import FileResult, import_paths
from claimsdesk.storage.db import make_engine, make_session_factory, upgrade
from claimsdesk.storage.models.ingest import ClaimPayment, ImportFile, SubmittedClaim

pytestmark = pytest.mark.corpus

# The readers refuse these on purpose (their policy, argued in the parser tests): odd
# delimiters that contradict the ISA, 4010 loops out of order, an SE01 larger than the file.
READER_REFUSES = {
    "slott56__TigerShark/tests__835-example-2.txt",
    "slott56__TigerShark/tests__835-example.txt",
    "slott56__TigerShark/tests__837I-Examples.txt",
    "slott56__TigerShark/tests__837I-Patient-NotSubscriber2.txt",
}
WHERE = re.compile(r": (segment \d+( \S+)?|file): ")


def facts(corpus: Path) -> list[tuple[str, int, bool]]:
    """(file, claims FACTS.json counts, malformed on purpose) for every X12 file."""
    x12 = corpus / "x12"
    notes = {
        line.split("\t")[0]: line.split("\t")[-1]
        for line in (x12 / "SOURCES.tsv").read_text().splitlines()[1:]
    }
    return [
        (f["file"], f["n_clp"] + f["n_clm"], "MALFORMED" in notes.get(f["file"], ""))
        for f in json.loads((x12 / "FACTS.json").read_text())
    ]


def check(result: FileResult, expected: int, malformed: bool, name: str) -> str | None:
    """Why this result breaks the corpus contract, or None."""
    if result.status == "rejected":
        if not result.errors or not all(WHERE.search(e) for e in result.errors[:5]):
            return f"{name}: refused without a located reason: {result.errors[:2]}"
        if malformed or name in READER_REFUSES:
            return None
        return f"{name}: well-formed file refused: {result.errors[:2]}"
    if malformed:
        return f"{name}: malformed file imported"
    if result.status != "imported" or result.claims != expected:
        return f"{name}: {result.status} with {result.claims} claims, FACTS.json says {expected}"
    return None


def test_every_x12_file_imports_exactly_or_is_refused_with_reasons(
    corpus: Path, tmp_path: Path
) -> None:
    template = tmp_path / "template.db"
    engine = make_engine(f"sqlite:///{template}")
    upgrade(engine)
    engine.dispose()  # checkpoints the WAL into the file we copy
    problems = []
    for name, expected, malformed in facts(corpus):
        db = tmp_path / "one.db"
        shutil.copy(template, db)
        one = make_engine(f"sqlite:///{db}")
        (result,) = import_paths(make_session_factory(one), [corpus / "x12" / name]).files
        stored = _stored_claims(one)
        one.dispose()
        db.unlink()
        problem = check(result, expected, malformed, name)
        if problem is None and stored != result.claims:
            problem = f"{name}: reported {result.claims} claims but stored {stored}"
        if problem:
            problems.append(problem)
    assert problems == []


def _stored_claims(engine: Engine) -> int:
    with engine.connect() as conn:
        paid = conn.execute(select(func.count()).select_from(ClaimPayment)).scalar_one()
        billed = conn.execute(select(func.count()).select_from(SubmittedClaim)).scalar_one()
    return int(paid) + int(billed)


def test_whole_corpus_twice_into_one_database(
    corpus: Path, session_factory: sessionmaker[Session], engine: Engine
) -> None:
    paths = [corpus / "x12" / name for name, _, _ in facts(corpus)] + [corpus / "fhir"]
    first = import_paths(session_factory, paths)
    assert first.totals.imported > 60 and first.totals.claims > 800
    assert all(r.status != "duplicate" or r.warnings for r in first.files)  # always a reason
    eob_files = [r for r in first.files if r.format == "fhir-eob" and r.status == "imported"]
    assert sum(r.claims for r in eob_files) >= 8  # CARIN examples and Synthea bundles
    with session_factory() as s:
        files_before = s.scalar(select(func.count()).select_from(ImportFile))
    second = import_paths(session_factory, paths)
    assert {r.status for r in second.files} <= {"duplicate", "rejected"}
    assert second.totals.claims == 0 and second.totals.imported == 0
    assert [r.path for r in second.files if r.status == "rejected"] == [
        r.path for r in first.files if r.status == "rejected"
    ]
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(ImportFile)) == files_before
