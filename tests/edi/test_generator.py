"""generate_batch: deterministic by seed, balanced 835s, matching 837s, a realistic mix, pyx12-valid."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from claimsdesk.edi.validate import validate_file
from claimsdesk.generator import generate_batch
from parsers import read_file
from parsers.records import (
    ClaimPayment,
    Record,
    RemittanceTrailer,
    Severity,
    SubmittedClaim,
)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate_batch(600, 11, tmp_path_factory.mktemp("batch"), cycle_size=250)


@pytest.fixture(scope="module")
def records(batch: list[Path]) -> dict[Path, list[Record]]:
    return {path: list(read_file(path)) for path in batch}


def payments(records: dict[Path, list[Record]]) -> list[ClaimPayment]:
    return [r for recs in records.values() for r in recs if isinstance(r, ClaimPayment)]


def claims(records: dict[Path, list[Record]]) -> list[SubmittedClaim]:
    return [r for recs in records.values() for r in recs if isinstance(r, SubmittedClaim)]


def test_the_same_seed_gives_the_same_bytes(batch: list[Path], tmp_path: Path) -> None:
    again = generate_batch(600, 11, tmp_path / "again", cycle_size=250)
    assert [p.name for p in again] == [p.name for p in batch]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(again, batch))
    other = generate_batch(600, 12, tmp_path / "other", cycle_size=250)
    assert other[0].read_bytes() != batch[0].read_bytes()


def test_files_come_in_import_order_split_by_cycle_and_payer(batch: list[Path]) -> None:
    names = [p.name for p in batch]
    assert [n[:4] for n in names] == sorted(n[:4] for n in names)  # cycle by cycle
    assert names[:2] == ["0001-claims-837p.837", "0001-claims-837i.837"]  # claims first
    assert {n.split("-remit-")[1] for n in names if "-remit-" in n} == {
        "SXMB1.835",
        "SXMB2.835",
        "SXMCD.835",
        "SXBLW.835",
        "SXSCI.835",
    }
    assert not any(p.name.endswith(".part") for p in batch[0].parent.iterdir())


def test_every_file_reads_without_errors(records: dict[Path, list[Record]]) -> None:
    for path, recs in records.items():
        errors = [i for r in recs for i in getattr(r, "issues", ()) if i.severity is Severity.ERROR]
        assert errors == [], path


def test_every_835_balances_by_line_claim_and_transaction(
    records: dict[Path, list[Record]],
) -> None:
    for c in payments(records):
        for s in c.services:
            assert s.charge - sum(a.amount for a in s.adjustments) == s.paid, (
                c.patient_control_number
            )
        cas = sum((a.amount for a in c.all_adjustments), Decimal(0))
        assert c.charge - cas == c.paid, c.patient_control_number
        pr = sum((a.amount for a in c.all_adjustments if a.group == "PR"), Decimal(0))
        assert c.patient_responsibility == pr, c.patient_control_number
        if c.services:
            assert sum(s.charge for s in c.services) == c.charge
    trailers = [r for recs in records.values() for r in recs if isinstance(r, RemittanceTrailer)]
    assert trailers and all(t.balanced for t in trailers)
    assert all(t.header.payment_amount >= 0 for t in trailers)


def test_every_payment_answers_a_claim_we_sent_or_a_crossover(
    records: dict[Path, list[Record]],
) -> None:
    sent = {
        (c.patient_control_number, c.payer.identifier if c.payer else "") for c in claims(records)
    }
    pcns = {pcn for pcn, _payer in sent}
    for recs in records.values():
        payer = next((r.header.payer_id for r in recs if isinstance(r, RemittanceTrailer)), "")
        for c in (r for r in recs if isinstance(r, ClaimPayment)):
            assert c.patient_control_number in pcns
            if (c.patient_control_number, payer) not in sent:  # Medicaid crossover: no 837 to it
                assert payer == "SXMCD" and c.status == "2"


def test_the_mix_has_every_story(records: dict[Path, list[Record]]) -> None:
    pays = payments(records)
    statuses = Counter(c.status for c in pays)
    assert {"1", "2", "4", "19", "22"} <= set(statuses)
    carcs = {a.reason for c in pays for a in c.all_adjustments}
    assert {"16", "27", "50", "97", "197", "29", "18", "22"} <= carcs
    assert {"1", "2", "3", "45", "23"} <= carcs
    assert any(c.crossover_carrier and c.crossover_carrier.identifier == "SXMCD" for c in pays)
    reversals = [c for c in pays if c.status == "22"]
    assert all(c.paid <= 0 and c.charge < 0 for c in reversals)
    numbers = {c.payer_claim_number for c in pays if c.status != "22"}
    assert all(c.payer_claim_number in numbers for c in reversals)
    trailers = [r for recs in records.values() for r in recs if isinstance(r, RemittanceTrailer)]
    plb = {a.reason for t in trailers for a in t.provider_adjustments}
    assert {"L6", "WO"} <= plb


def test_secondary_claims_carry_the_primary_adjudication(records: dict[Path, list[Record]]) -> None:
    secondary = [c for c in claims(records) if c.payer_responsibility == "S"]
    assert secondary
    for c in secondary:
        (primary,) = c.other_payers
        assert primary.payer_responsibility == "P" and primary.paid_amount is not None
        paid = sum(ln.other_payer_adjudications[0].paid for ln in c.lines)
        assert paid == primary.paid_amount
        assert all(ln.other_payer_adjudications[0].adjudication_date for ln in c.lines)
    kinds = Counter(c.kind for c in claims(records))
    assert kinds["837P"] > kinds["837I"] > 0


def test_single_file_mode_writes_one_837p_one_837i_one_835(tmp_path: Path) -> None:
    paths = generate_batch(120, 3, tmp_path, single_835=True, cycle_size=50)
    assert [p.name for p in paths] == ["claims-837p.837", "claims-837i.837", "remit.835"]
    recs = list(read_file(paths[2]))
    trailers = [r for r in recs if isinstance(r, RemittanceTrailer)]
    assert len(trailers) > 5 and all(t.balanced for t in trailers)


def test_pyx12_accepts_a_small_generated_batch(tmp_path: Path) -> None:
    for path in generate_batch(90, 5, tmp_path, cycle_size=45):
        report = validate_file(path)
        assert report.ok, report.to_text()
