"""The 835 files of the public corpus (../shared/corpus/x12): claim counts and no errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from parsers import errors_of, read_file
from parsers.records import ClaimPayment, RemittanceHeader, RemittanceTrailer

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "x12"
NO_CORPUS = pytest.param(None, marks=pytest.mark.skip(reason="../shared/corpus/x12 is absent"))


def _facts() -> list[Any]:
    """FACTS.json entries of the 835 files, or one skipped parameter without the corpus."""
    path = CORPUS / "FACTS.json"
    if not path.is_file():
        return [NO_CORPUS]
    facts = json.loads(path.read_text(encoding="utf-8"))
    return [pytest.param(f, id=f["file"]) for f in facts if "835" in f["st01"]]


def _malformed() -> set[str]:
    path = CORPUS / "SOURCES.tsv"
    if not path.is_file():
        return set()
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return {r["file"] for r in rows if "MALFORMED" in (r.get("notes") or "")}


@pytest.mark.corpus
@pytest.mark.parametrize("fact", _facts())
def test_corpus_835_claim_count_and_no_errors(fact: dict[str, Any]) -> None:
    records = list(read_file(CORPUS / fact["file"]))
    claims = [r for r in records if isinstance(r, ClaimPayment)]
    assert len(claims) == fact["n_clp"]
    trailers = [r for r in records if isinstance(r, RemittanceTrailer)]
    assert len(trailers) == len([r for r in records if isinstance(r, RemittanceHeader)])
    assert sum(t.claim_count for t in trailers) == fact["n_clp"]
    if fact["file"] not in _malformed():
        assert errors_of(records) == []
    assert sum(len(t.provider_adjustments) > 0 for t in trailers) == (fact["plb"] > 0)


@pytest.mark.corpus
def test_managed_care_bad_bpr16_is_a_warning_and_claims_are_read() -> None:
    path = CORPUS / "LinuxForHealth__x12" / "835_005010X221A1__managed-care.835"
    if not path.is_file():
        pytest.skip("../shared/corpus/x12 is absent")
    records = list(read_file(path))
    header = next(r for r in records if isinstance(r, RemittanceHeader))
    assert header.payment_date is None
    assert [c.patient_control_number for c in records if isinstance(c, ClaimPayment)] == [
        "5554555444",
        "8765432112",
    ]
    assert errors_of(records) == []
