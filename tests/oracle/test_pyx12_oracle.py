"""pyx12 as the oracle: our readers see the same claims, lines and amounts as its context reader.

For each file, pyx12.x12context.X12ContextReader walks loops 2100/2110 (835) or 2300/2400
(837) and we compare, claim by claim in file order: CLP01/CLP03/CLP04 with SVC02/SVC03 per
line, or CLM01/CLM02 with SV102/SV203 per line. Files: a generated batch, and every corpus
file pyx12 reads (../shared/corpus/x12; skipped when absent). pyx12 has maps for X222A1 and
X223A2 only, so corpus files on the later errata (X222A2, X223A3) are read by pyx12 from a
copy whose GS08/ST03 name the earlier map; the loops compared are the same in both. Files
whose composites use another separator than ISA16 declares are skipped: pyx12 then cannot
recognise SVC/SV1 at all, so it is no oracle for their lines.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from claimsdesk.generator import generate_batch
from parsers import Format, read_file, sniff
from parsers.records import ClaimPayment, SubmittedClaim
from parsers.x12.tokenizer import parse_isa

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "x12"
NO_CORPUS = pytest.param(None, marks=pytest.mark.skip(reason="../shared/corpus/x12 is absent"))
MAP_STAND_INS = {"005010X222A2": "005010X222A1", "005010X223A3": "005010X223A2"}

Claim = tuple[str, Decimal, Decimal | None, tuple[tuple[Decimal, Decimal | None], ...]]


def _dec(text: str | None) -> Decimal | None:
    return Decimal(text) if text not in (None, "") else None


def pyx12_claims(path: Path, fmt: Format) -> list[Claim]:
    """Claims and lines as pyx12's context reader extracts them."""
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    params = pyx12.params.params()
    params.set("exclude_external_codes", "remark_code")
    remit = fmt is Format.X12_835
    loop, child = ("2100", "2110") if remit else ("2300", "2400")
    out: list[Claim] = []
    errh = pyx12.error_handler.errh_null()
    with pyx12.x12context.X12ContextReader(params, errh, str(path)) as reader:
        for node in reader.iter_segments(loop):
            if node.id != loop:
                continue
            if remit:
                head = (
                    node.get_value("CLP01"),
                    _dec(node.get_value("CLP03")),
                    _dec(node.get_value("CLP04")),
                )
                lines = tuple(
                    (_dec(s.get_value("SVC02")), _dec(s.get_value("SVC03")))
                    for s in node.select(child)
                )
            else:
                head = (node.get_value("CLM01"), _dec(node.get_value("CLM02")), None)
                key = "SV102" if fmt is Format.X12_837P else "SV203"
                lines = tuple((_dec(s.get_value(key)), None) for s in node.select(child))
            out.append((*head, lines))  # type: ignore[arg-type]
    return out


def our_claims(path: Path) -> list[Claim]:
    """The same values from parsers.read_file."""
    out: list[Claim] = []
    for r in read_file(path):
        if isinstance(r, ClaimPayment):
            lines = tuple((s.charge, s.paid) for s in r.services)
            out.append((r.patient_control_number, r.charge, r.paid, lines))
        elif isinstance(r, SubmittedClaim):
            lines = tuple((ln.charge, None) for ln in r.lines)
            out.append((r.patient_control_number, r.total_charge, None, lines))
    return out


def composite_mismatch(text: str) -> str | None:
    """The separator a procedure composite uses when it is not the one ISA16 declares."""
    declared = parse_isa(text.lstrip()).delimiters.component
    for found in re.finditer(r"(?:SVC|SV1|SV2\*\d*)\*[A-Z]{2}([^A-Z0-9*])", text):
        if found.group(1) != declared:
            return found.group(1)
    return None


def compare(path: Path, tmp_path: Path) -> None:
    fmt = sniff(path)
    readable = path
    text = path.read_bytes().decode("ascii", "replace")
    odd = composite_mismatch(text)
    if odd is not None:  # pyx12 then cannot recognise SVC/SV1 and loses the 2110/2400 loops
        pytest.skip(
            f"{path.name}: composites use {odd!r} but ISA16 declares {text.lstrip()[104]!r}"
        )
    for later, earlier in MAP_STAND_INS.items():
        if later in text:
            readable = tmp_path / path.name
            readable.write_text(text.replace(later, earlier), encoding="ascii", errors="replace")
    try:
        expected = pyx12_claims(readable, fmt)
    except Exception as exc:  # pyx12 cannot read it at all: no oracle for this file
        pytest.skip(f"pyx12 cannot read {path.name}: {type(exc).__name__}: {exc}")
    ours = our_claims(path)
    assert len(ours) == len(expected), (
        f"{path.name}: {len(ours)} claims read, pyx12 {len(expected)}"
    )
    for mine, theirs in zip(ours, expected):
        assert mine == theirs, path.name


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate_batch(240, 21, tmp_path_factory.mktemp("oracle"), cycle_size=120)


def test_generated_batch_matches_pyx12(generated: list[Path], tmp_path: Path) -> None:
    claims = 0
    for path in generated:
        compare(path, tmp_path)
        claims += len(our_claims(path))
    assert claims > 240


def _corpus_files() -> list[Any]:
    facts_path = CORPUS / "FACTS.json"
    if not facts_path.is_file():
        return [NO_CORPUS]
    facts = json.loads(facts_path.read_text(encoding="utf-8"))
    with (CORPUS / "SOURCES.tsv").open(encoding="utf-8", newline="") as fh:
        notes = {r["file"]: r.get("notes") or "" for r in csv.DictReader(fh, delimiter="\t")}
    params = []
    for fact in facts:
        if not {"835", "837"} & set(fact["st01"]):
            continue
        marks = [pytest.mark.corpus]
        if "MALFORMED" in notes.get(fact["file"], ""):
            marks.append(pytest.mark.skip(reason="malformed on purpose: no single right answer"))
        params.append(pytest.param(fact, id=fact["file"], marks=marks))
    return params


@pytest.mark.parametrize("fact", _corpus_files())
def test_corpus_file_matches_pyx12(fact: dict[str, Any], tmp_path: Path) -> None:
    path = CORPUS / fact["file"]
    ours = our_claims(path)
    assert len(ours) == fact["n_clp"] + fact["n_clm"]  # raw CLP/CLM counts in FACTS.json
    compare(path, tmp_path)
