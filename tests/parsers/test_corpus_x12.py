"""Every X12 file of the public corpus (../shared/corpus/x12), 835 and 837 alike.

Well-formed files import with FACTS.json's claim count (CLP + CLM) and no error; files marked
MALFORMED in SOURCES.tsv, and the few documented exceptions below, are refused with a reason
that names the place. Nothing may raise anything but parsers.ReadError.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from parsers import ReadError, errors_of, read_file
from parsers.records import ClaimPayment, Record, SubmittedClaim

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "x12"
NO_CORPUS = pytest.param(
    "", None, False, marks=pytest.mark.skip(reason="../shared/corpus/x12 is absent")
)

# Well-formed by SOURCES.tsv, yet refused by the envelope reader, for a reason in the file:
REFUSED_BY_ENVELOPE = {
    # The first interchange's transaction is cut short: a new ISA comes before its SE.
    "slott56__TigerShark/tests__837I-Examples.txt": "envelope.se-missing",
    # SE01 declares 61 segments but the transaction holds 60: a segment has been lost.
    "slott56__TigerShark/tests__837I-Patient-NotSubscriber2.txt": "envelope.se-count",
    # ISA16 declares newline as segment terminator but every segment after the ISA starts
    # with '~' ("\n~GS|..."): read as declared, '~GS' is no segment id. FACTS.json counted
    # no GS/ST in them either; they stay refused until the tokenizer accepts '\n~'.
    "slott56__TigerShark/tests__835-example.txt": "syntax.segment-id",
    "slott56__TigerShark/tests__835-example-2.txt": "syntax.segment-id",
}


def _sources() -> dict[str, dict[str, str]]:
    with (CORPUS / "SOURCES.tsv").open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


def _cases() -> list[Any]:
    """(file, facts, malformed) for every corpus file; one skipped case without the corpus."""
    if not (CORPUS / "FACTS.json").is_file():
        return [NO_CORPUS]
    facts = {f["file"]: f for f in json.loads((CORPUS / "FACTS.json").read_text("utf-8"))}
    sources = _sources()
    files = sorted(
        str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*") if p.is_file()
    )  # fmt: skip
    return [
        pytest.param(
            name, facts.get(name), "MALFORMED" in sources.get(name, {}).get("notes", ""), id=name
        )
        for name in files
    ]


def _refusal(path: Path) -> tuple[list[Record], str | None]:
    """Records read and the ReadError message (None when the file was read to its end)."""
    try:
        return list(read_file(path)), None
    except ReadError as exc:
        assert exc.path == str(path) and exc.message
        return [], str(exc)


@pytest.mark.corpus
@pytest.mark.parametrize(("name", "fact", "malformed"), _cases())
def test_corpus_file(name: str, fact: dict[str, Any] | None, malformed: bool) -> None:
    records, read_error = _refusal(CORPUS / name)
    if malformed or name in REFUSED_BY_ENVELOPE:
        if read_error is not None:
            assert "segment" in read_error or name in read_error
            return
        found = errors_of(records)
        assert found, f"{name} should be refused"
        assert any(e.segment_index is not None and e.message for e in found)
        if name in REFUSED_BY_ENVELOPE:
            assert REFUSED_BY_ENVELOPE[name] in {e.code for e in found}
        return
    assert read_error is None
    assert fact is not None, f"{name} has no FACTS.json entry"
    assert [e.message for e in errors_of(records)] == []
    claims = [r for r in records if isinstance(r, ClaimPayment | SubmittedClaim)]
    assert len(claims) == fact["n_clp"] + fact["n_clm"]


@pytest.mark.corpus
def test_ambiguous_loop_is_read_as_a_line_level_provider() -> None:
    """x12_ambiguous_loop is an EDGE case, not malformed: NM1*82 after LX is loop 2420A."""
    path = CORPUS / "imsweb__x12-parser" / "837_5010__x12_ambiguous_loop.txt"
    if not path.is_file():
        pytest.skip("../shared/corpus/x12 is absent")
    records = list(read_file(path))
    (claim,) = [r for r in records if isinstance(r, SubmittedClaim)]
    assert errors_of(records) == []
    assert claim.providers == () and claim.lines[0].providers[0].entity_code == "82"
    assert claim.date("435") == "20120330" and claim.date("096") == "20120406"


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("file", "words"),
    [
        ("x12_bad_valid_code.txt", "NM101 '117'"),
        ("x12_loop_errors1_exceeds_max_1_parent.txt", "loop 2010AA (billing provider) appears 2"),
        ("x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt", "appears 2 times"),
        ("x12_loop_errors3_missing_loops.txt", "lacks its required loop 2010AA"),
        ("x12_missing_elements.txt", "NM102 entity type"),
        ("x12_missing_required_loop_in_one_repeat.txt", "lacks its required loop 2010BA"),
        ("x12_missing_required_loops_mult_repeats.txt", "a service line must start with LX"),
        ("x12_segments_out_of_order.txt", "N4 comes after REF in loop 2010AA"),
        ("x12_segment_errors.txt", "has no N3 segment"),
    ],
)
def test_malformed_837_refused_for_the_rule_it_breaks(file: str, words: str) -> None:
    path = CORPUS / "imsweb__x12-parser" / f"837_5010__{file}"
    if not path.is_file():
        pytest.skip("../shared/corpus/x12 is absent")
    messages = [e.message for e in errors_of(list(read_file(path)))]
    assert any(words in m for m in messages), messages
