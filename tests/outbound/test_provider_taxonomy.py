"""Provider taxonomies in outbound 837s: the 2310B rendering (PRV*PE, 837P) and 2310A attending
(PRV*AT, 837I) PRV go out when the claim is re-read from its file, and an 837 rebuilt from rows
gives the rendering provider back the taxonomy its provider row keeps (SQLite and PostgreSQL);
every 837 still passes the pyx12 gate."""

from __future__ import annotations

import shutil
from pathlib import Path

from outboundkit import SCENARIOS, replacement_through_gate
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services.imports import import_paths
from claimsdesk.storage.models.ingest import Provider

PROFESSIONAL, INSTITUTIONAL = "denied-coding.837", "institutional-inpatient.837i"
# The rendering provider gets a taxonomy other than the billing provider's (207Q00000X), so a
# rebuilt PRV*PE can only have come from the rendering provider's own row.
RENDERING_PRV = ("PRV*PE*PXC*207Q00000X~", "PRV*PE*PXC*208D00000X~")
RENDERING_NPI = "1888888884"  # 2310B NM1*82 of COD26001
ATTENDING_PRV = "PRV*AT*PXC*207R00000X~"  # 2310A of INP26001


def _import(sessions: sessionmaker[Session], folder: Path) -> list[Path]:
    """The two claims imported from a folder (the 837P with its rendering PRV edited)."""
    text = (SCENARIOS / PROFESSIONAL).read_text(encoding="ascii")
    assert text.count(RENDERING_PRV[0]) == 1
    (folder / PROFESSIONAL).write_text(text.replace(*RENDERING_PRV), encoding="ascii")
    shutil.copy(SCENARIOS / INSTITUTIONAL, folder / INSTITUTIONAL)
    run = import_paths(sessions, [folder])
    assert [f.status for f in run.files] == ["imported", "imported"], run.files
    return [folder / PROFESSIONAL, folder / INSTITUTIONAL]


def _gate(session: Session, pcn: str, source: str) -> str:
    """The claim (from its file or rebuilt from rows) as a replacement through the 837 gate."""
    return replacement_through_gate(session, pcn, source, 123_456_790)


def test_provider_prv_goes_out_from_file_and_from_rows(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    files = _import(session_factory, tmp_path)
    with session_factory() as s:
        assert RENDERING_PRV[1] in _gate(s, "COD26001", "file")
        assert ATTENDING_PRV in _gate(s, "INP26001", "file")
        stored = s.scalar(select(Provider.taxonomy).where(Provider.npi == RENDERING_NPI))
        assert stored == "208D00000X"
    for path in files:
        path.unlink()
    with session_factory() as s:
        rebuilt = _gate(s, "COD26001", "database")
        assert "NM1*82*1*SAMPLEDOC*CASEY****XX*1888888884~\nPRV*PE*PXC*208D00000X~" in rebuilt
        assert "PRV*BI*PXC*207Q00000X~" in rebuilt  # the billing provider's stays its own
        _gate(s, "INP26001", "database")  # the attending's PRV is not kept: still a valid 837
