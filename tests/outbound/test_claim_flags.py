"""CLM06-09, CLM20, CL1 and the 2000A billing taxonomy survive import -> rows -> rebuilt 837:
an outbound claim rebuilt from the database carries what was billed, not the writer's
defaults, and still passes the pyx12 gate (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from outboundkit import replacement_through_gate
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services.imports import import_paths
from claimsdesk.storage.db import current_revision, downgrade, head_revision, upgrade
from claimsdesk.storage.models import Base
from claimsdesk.storage.models.ingest import Provider, SubmittedClaim

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "sample_edi" / "scenarios"
FLAGS = ("signature_on_file", "assignment", "benefits_assigned", "release_of_information",
         "delay_reason", "admission_type", "admission_source", "patient_status")  # fmt: skip
# Scenario files with non-default values put in: (file, {old segment: new segment}).
PROFESSIONAL = (
    "denied-coding.837",
    {
        "PRV*BI*PXC*207Q00000X~": "PRV*BI*PXC*208D00000X~",  # 2000A billing taxonomy
        # CLM06 N, CLM07 C, CLM08 N, CLM09 I, CLM20 11 (delay: other)
        "CLM*COD26001*455.00***11:B:1*Y*A*Y*Y~": "CLM*COD26001*455.00***11:B:1*N*C*N*I"
        + "*" * 11
        + "11~",
    },
)
INSTITUTIONAL = (
    "institutional-inpatient.837i",
    {
        "PRV*BI*PXC*282N00000X~": "PRV*BI*PXC*282NC0060X~",
        "CLM*INP26001*9080.00***11:A:1**A*Y*Y~": "CLM*INP26001*9080.00***11:A:1**C*W*I~",
        "CL1*1*7*01~": "CL1*2*1*03~",  # urgent, from a physician referral, discharged to a SNF
    },
)
BILLED = {
    "COD26001": {"signature_on_file": "N", "assignment": "C", "benefits_assigned": "N",
                 "release_of_information": "I", "delay_reason": "11", "admission_type": "",
                 "admission_source": "", "patient_status": ""},
    "INP26001": {"signature_on_file": "", "assignment": "C", "benefits_assigned": "W",
                 "release_of_information": "I", "delay_reason": "", "admission_type": "2",
                 "admission_source": "1", "patient_status": "03"},
}  # fmt: skip
TAXONOMY = {"COD26001": "208D00000X", "INP26001": "282NC0060X"}
SEGMENTS = {
    "COD26001": ("PRV*BI*PXC*208D00000X~", "*11:B:7*N*C*N*I" + "*" * 11 + "11~"),
    "INP26001": ("PRV*BI*PXC*282NC0060X~", "*11:A:7**C*W*I~", "CL1*2*1*03~"),
}


def _edited(folder: Path, name: str, changes: dict[str, str]) -> Path:
    """A copy of a scenario file with segments replaced (each must be found once)."""
    text = (SCENARIOS / name).read_text(encoding="ascii")
    for old, new in changes.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = folder / name
    path.write_text(text, encoding="ascii")
    return path


def _imported(sessions: sessionmaker[Session], folder: Path) -> None:
    """Import the edited files, then remove them: outbound work must rebuild from rows."""
    paths = [_edited(folder, *case) for case in (PROFESSIONAL, INSTITUTIONAL)]
    run = import_paths(sessions, [folder])
    assert [f.status for f in run.files] == ["imported", "imported"], run.files
    for path in paths:
        path.unlink()


def _gate(session: Session, pcn: str) -> str:
    """The claim rebuilt from rows as a replacement, through the outbound 837 gate."""

    def billed(record: Any) -> None:
        assert {f: getattr(record, f) for f in FLAGS} == BILLED[pcn]
        assert record.billing_provider is not None
        assert record.billing_provider.ref("PXC") == TAXONOMY[pcn]

    return replacement_through_gate(session, pcn, "database", 123_456_789, billed)


def test_billed_flags_survive_a_rebuild_from_rows(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _imported(session_factory, tmp_path)
    with session_factory() as s:
        rows = {r.patient_control_number: r for r in s.scalars(select(SubmittedClaim))}
        assert {pcn: {f: getattr(rows[pcn], f) for f in FLAGS} for pcn in BILLED} == BILLED
        taxonomies = {r.npi: r.taxonomy for r in s.execute(select(Provider.npi, Provider.taxonomy))}
        assert taxonomies["1999999992"] == "208D00000X"  # the 837P billing provider
        assert taxonomies["1777777776"] == "282NC0060X"  # the 837I billing provider
        for pcn, expected in SEGMENTS.items():
            text = _gate(s, pcn)
            for segment in expected:
                assert segment in text, (pcn, segment, text)


def test_revision_0007_matches_the_models(engine: Engine) -> None:
    """The new columns as the models say; 0007 goes down and up again."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    tables = ("submitted_claims", "providers")
    assert [d for d in diffs if any(f"'{t}'" in repr(d) for t in tables)] == []
    downgrade(engine, "0006_outbound")
    columns = {c["name"] for c in inspect(engine).get_columns("submitted_claims")}
    assert not set(FLAGS) & columns
    assert "taxonomy" not in {c["name"] for c in inspect(engine).get_columns("providers")}
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert set(FLAGS) <= {c["name"] for c in inspect(engine).get_columns("submitted_claims")}
