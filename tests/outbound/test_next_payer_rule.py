"""Where the next payer comes from when the claim lists none (2320/2330 dropped from the 837):
the crossover carrier the primary named (NM1*TT), else the patient's coverage on file."""

from __future__ import annotations

from pathlib import Path

import pytest
from outboundkit import SCENARIOS, import_folder
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services import resubmission
from claimsdesk.services.outbound_types import OutboundStatus, Refused
from parsers import read_file
from parsers.records import SubmittedClaim


def without(text: str, drop: set[str]) -> str:
    """An X12 file without some segments, SE01 recounted."""
    kept = [s for s in text.split("~\n") if s and s not in drop]
    count = sum(1 for s in kept if not s.startswith(("ISA", "GS", "GE", "IEA"))) - 1
    out = [f"SE*{count}*{s.split('*')[2]}" if s.startswith("SE*") else s for s in kept]
    return "~\n".join(out) + "~\n"


SECONDARY_LOOP = {
    "SBR*S*18*******MC",
    "OI***Y***Y",
    "NM1*IL*1*DEMOPATIENT*LIMA****MI*LSM500000013",
    "NM1*PR*2*LAKESHORE STATE MEDICAID*****PI*SXMCD",
}
CROSSOVER = {"NM1*TT*2*LAKESHORE STATE MEDICAID*****PI*SXMCD"}


def crossover_files(folder: Path, *, keep_tt: bool) -> Path:
    """The crossover scenario with the 837's 2320 loop (and maybe the 835's NM1*TT) dropped."""
    base = "crossover-to-secondary"
    claim = (SCENARIOS / f"{base}.837").read_text()
    (folder / f"{base}.837").write_text(without(claim, SECONDARY_LOOP))
    first = (SCENARIOS / f"{base}.1.835").read_text()
    (folder / f"{base}.1.835").write_text(first if keep_tt else without(first, CROSSOVER))
    (folder / f"{base}.2.835").write_text((SCENARIOS / f"{base}.2.835").read_text())
    return folder


@pytest.mark.parametrize(
    ("keep_tt", "how"),
    [(True, "crossover carrier"), (False, "coverage on file")],
)
def test_next_payer_without_a_2320_loop(
    session_factory: sessionmaker[Session], tmp_path: Path, keep_tt: bool, how: str
) -> None:
    (tmp_path / "in").mkdir()
    folder = crossover_files(tmp_path / "in", keep_tt=keep_tt)
    (sent,) = [r for r in read_file(folder / "crossover-to-secondary.837")
               if isinstance(r, SubmittedClaim)]  # fmt: skip
    assert sent.other_payers == ()
    import_folder(session_factory, folder)
    with session_factory() as s:
        result = resubmission.bill_secondary(s, pcn="XOV26001", user=None)
    assert result.status is OutboundStatus.VALIDATED, result.errors
    assert result.payer_name == "LAKESHORE STATE MEDICAID"
    assert any(how in c for c in result.changes), result.changes
    out = tmp_path / "out"
    with session_factory() as s:
        (written,) = resubmission.export(s, [result.id], out, user=None).written
    (claim,) = [r for r in read_file(written.path) if isinstance(r, SubmittedClaim)]
    assert claim.subscriber is not None and claim.subscriber.identifier == "LSM500000013"
    assert claim.payer_responsibility == "S" and claim.relationship == "18"
    assert [o.payer.identifier for o in claim.other_payers if o.payer] == ["SXMB1"]


def test_crossover_without_coverage_on_file_is_refused(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """NM1*TT names the carrier, but without the carrier's 835 no member id is on file."""
    folder = crossover_files(tmp_path, keep_tt=True)
    (folder / "crossover-to-secondary.2.835").unlink()
    import_folder(session_factory, folder)
    with session_factory() as s, pytest.raises(Refused, match="no coverage with a member id"):
        resubmission.bill_secondary(s, pcn="XOV26001", user=None)
