"""FHIR ExplanationOfBenefit reader: public corpus counts, synthetic scenarios, refusals, money."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from parsers import ReadError, errors_of, read_file, sniff
from parsers.fhir_eob import read_eobs
from parsers.records import (
    ClaimPayment,
    Format,
    Issue,
    Record,
    RemittanceHeader,
    RemittanceTrailer,
    Severity,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_edi" / "fhir"
CORPUS = ROOT.parent / "shared" / "corpus" / "fhir"
CORPUS_FILES = sorted(CORPUS.rglob("*.json")) if CORPUS.is_dir() else []
NO_CORPUS = pytest.param(None, marks=pytest.mark.skip(reason="../shared/corpus/fhir is absent"))

CARC = "https://x12.org/codes/claim-adjustment-reason-codes"
RARC = "https://x12.org/codes/remittance-advice-remark-codes"
C4 = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"
DISC = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator"


# --------------------------------------------------------------------------- helpers


def read(path: Path) -> list[Record]:
    return list(read_eobs(path))


def claims(records: list[Record]) -> list[ClaimPayment]:
    return [r for r in records if isinstance(r, ClaimPayment)]


def issues(records: list[Record]) -> list[Issue]:
    out = [r for r in records if isinstance(r, Issue)]
    for r in records:
        out.extend(getattr(r, "issues", ()))
    return out


def codes(records: list[Record]) -> list[str]:
    return [i.code for i in issues(records)]


def adjs(obj: Any) -> list[tuple[str, str, Decimal]]:
    return [(a.group, a.reason, a.amount) for a in obj.adjustments]


def sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text(), parse_float=Decimal)


def write(tmp_path: Path, obj: Any, name: str = "f.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(obj, default=str))  # Decimal -> str: still exact, R4B reads it
    return path


def count_eobs(value: Any) -> int:
    """Plain JSON scan: ExplanationOfBenefit resources at the top or in Bundle entries."""
    if not isinstance(value, dict):
        return 0
    if value.get("resourceType") == "ExplanationOfBenefit":
        return 1
    if value.get("resourceType") == "Bundle":
        return sum(count_eobs(e.get("resource")) for e in value.get("entry", []))
    return 0


# --------------------------------------------------------------------------- public corpus


@pytest.mark.corpus
@pytest.mark.parametrize(
    "path", CORPUS_FILES or [NO_CORPUS], ids=lambda p: p.name if p else "absent"
)
def test_corpus_file_gives_one_claim_per_eob_or_is_refused(path: Path) -> None:
    expected = count_eobs(json.loads(path.read_text(encoding="utf-8-sig")))
    records = list(read_file(path))
    found = claims(records)
    if expected:
        assert len(found) == expected
        assert errors_of(records) == []
        assert sum(isinstance(r, RemittanceHeader) for r in records) == expected
        assert sum(isinstance(r, RemittanceTrailer) for r in records) == expected
        assert all(c.source_id for c in found)
        assert all(isinstance(c.paid, Decimal) and isinstance(c.charge, Decimal) for c in found)
    else:
        assert found == []
        refusals = errors_of(records)
        assert [i.code for i in refusals] == ["fhir.no-eob"]
        assert "no ExplanationOfBenefit" in refusals[0].message


@pytest.mark.corpus
def test_corpus_carin_inpatient_maps_account_number_claim_id_and_totals() -> None:
    path = CORPUS / "carin-bb" / "ExplanationOfBenefit-EOBInpatient1.json"
    if not path.exists():
        pytest.skip("../shared/corpus/fhir is absent")
    (claim,) = claims(read(path))
    assert claim.patient_control_number == "1234-234-1243-12345678901a"
    assert claim.payer_claim_number == "AW123412341234123412341234123412"
    assert (claim.status, claim.charge, claim.paid) == ("1", Decimal(2650), Decimal(620))
    assert ("EA", "1234-234-1243-12345678901m") in claim.refs
    assert ("fhir:outcome", "partial") in claim.refs


@pytest.mark.corpus
def test_corpus_synthea_keeps_sub_cent_amounts_exact_and_warns() -> None:
    files = sorted((CORPUS / "synthea").glob("Clemente_*.json"))
    if not files:
        pytest.skip("../shared/corpus/fhir is absent")
    records = read(files[0])
    paid = [c.paid for c in claims(records)]
    assert Decimal("112.41600000000001") in paid  # as written in the JSON, never via float
    assert "fhir.sub-cent" in codes(records)


@pytest.mark.corpus
def test_corpus_searchset_resolves_insurer_organization() -> None:
    path = CORPUS / "carin-bb" / "inferno_c4bb_eob_include_bundle.json"
    if not path.exists():
        pytest.skip("../shared/corpus/fhir is absent")
    header = next(r for r in read(path) if isinstance(r, RemittanceHeader))
    assert header.payer is not None and header.payer.last_or_org_name == "Orange Medical Group"
    assert header.payer_id == "13703"  # NAIC code (its payerid identifier has no value)


# --------------------------------------------------------------------------- scenarios


def test_paid_with_deductible_coinsurance_copay() -> None:
    records = read(SAMPLES / "paid-deductible-coinsurance-copay.json")
    header, claim, trailer = records
    assert isinstance(header, RemittanceHeader) and isinstance(trailer, RemittanceTrailer)
    assert isinstance(claim, ClaimPayment)
    assert header.transaction is None
    assert (header.payment_amount, str(header.payment_date)) == (Decimal("104.28"), "2026-01-22")
    assert header.trace_number == "EFT20260122001"
    assert header.payer_id == "99901"
    assert header.payee is not None and (header.payee.id_qualifier, header.payee.identifier) == (
        "XX",
        "1999999984",
    )
    assert (claim.patient_control_number, claim.payer_claim_number) == ("PCN-1001", "PCLM-9001")
    assert (claim.status, claim.charge, claim.paid) == ("1", Decimal("275.10"), Decimal("104.28"))
    assert str(claim.charge) == "275.10"  # the JSON text, trailing zero and all
    assert claim.patient_responsibility == Decimal("86.07")
    assert claim.amount("AU") == Decimal("190.35")
    line1, line2 = claim.services
    assert (line1.procedure.qualifier, line1.procedure.code, line1.procedure.modifiers) == (
        "HC",
        "99214",
        ("25",),
    )
    assert adjs(line1) == [
        ("CO", "45", Decimal("69.75")),
        ("PR", "1", Decimal("50.00")),
        ("PR", "2", Decimal("26.07")),
    ]
    assert adjs(line2) == [("CO", "45", Decimal("15.00")), ("PR", "3", Decimal("10.00"))]
    assert line1.allowed == Decimal("180.35") and str(line1.service_date) == "2026-01-05"
    cas = sum(a.amount for a in claim.all_adjustments)
    assert claim.charge - cas == claim.paid  # 835 claim balance, exact to the cent
    pr = sum(a.amount for a in claim.all_adjustments if a.group == "PR")
    assert pr == claim.patient_responsibility
    assert trailer.balanced and trailer.claim_count == 1
    assert errors_of(records) == [] and issues(records) == []


def test_denied_with_carc_197_and_rarcs() -> None:
    records = read(SAMPLES / "denied-co197-authorization.json")
    (claim,) = claims(records)
    assert (claim.status, claim.paid, claim.charge) == ("4", Decimal("0.00"), Decimal("1800.00"))
    (line,) = claim.services
    assert adjs(line) == [("CO", "197", Decimal("1800.00"))]
    assert line.remarks == (("HE", "M62"),)
    assert claim.remark_codes == ("N54",)
    assert claim.charge - sum(a.amount for a in claim.all_adjustments) == claim.paid


def test_reversal_keeps_negative_amounts() -> None:
    records = read(SAMPLES / "reversal-negative.json")
    header, claim, trailer = records
    assert isinstance(header, RemittanceHeader) and isinstance(claim, ClaimPayment)
    assert isinstance(trailer, RemittanceTrailer)
    assert claim.status == "22"
    assert (claim.charge, claim.paid) == (Decimal("-275.10"), Decimal("-104.28"))
    assert claim.patient_responsibility == Decimal("-86.07")
    assert ("F8", "PCLM-9001") in claim.refs
    assert adjs(claim.services[0])[0] == ("CO", "45", Decimal("-69.75"))
    assert (header.payment_amount, header.credit_debit) == (Decimal("-104.28"), "D")
    assert trailer.balanced


def test_bundle_with_two_eobs_resolves_references() -> None:
    records = read(SAMPLES / "bundle-two-eobs.json")
    first, second = claims(records)
    kinds = [type(r).__name__ for r in records]
    assert kinds == ["RemittanceHeader", "ClaimPayment", "RemittanceTrailer"] * 2
    assert (first.status, second.status) == ("1", "2")  # second: focal coverage listed second
    assert first.patient_control_number == "PCN-1003"  # Claim/claim-test-3 identifier
    assert second.patient_control_number == "PCN-1003"  # EOB.claim.identifier
    assert adjs(second.services[0])[0] == ("OA", "23", Decimal("95.00"))
    assert first.insured is not None and first.insured.identifier == "SUB0000001"
    assert first.patient is not None and first.patient.display_name == "TESTPATIENT, BRAVO"
    header = records[0]
    assert isinstance(header, RemittanceHeader) and header.payee is not None
    assert header.payee.last_or_org_name == "EXAMPLE FAMILY CLINIC"  # found by urn:uuid fullUrl
    assert [c.source_id for c in (first, second)] == ["eob-bundle-1", "eob-bundle-2"]


def test_ndjson_bulk_export() -> None:
    records = list(read_file(SAMPLES / "bulk-export.ndjson"))
    found = claims(records)
    assert [c.source_id for c in found] == ["eob-ndjson-1", "eob-ndjson-2"]
    assert [c.segment_index for c in found] == [3, 4]  # NDJSON line numbers
    assert found[0].patient_control_number == "claim-test-3"  # Claim reference's id
    header = records[0]
    assert isinstance(header, RemittanceHeader) and header.payer_id == "99901"
    assert errors_of(records) == []


def test_sniff_and_read_file_dispatch_json_here() -> None:
    path = SAMPLES / "paid-deductible-coinsurance-copay.json"
    assert sniff(path) is Format.FHIR_EOB
    assert len(claims(list(read_file(path)))) == 1


def test_sample_patient_only_is_refused() -> None:
    (issue,) = read(SAMPLES / "refused-patient-only.json")
    assert isinstance(issue, Issue) and issue.severity is Severity.ERROR
    assert issue.code == "fhir.no-eob" and "Patient" in issue.message


# --------------------------------------------------------------------------- status rules


def test_predetermination_entered_in_error_and_error_outcome(tmp_path: Path) -> None:
    eob = sample("paid-deductible-coinsurance-copay.json")
    pre = dict(eob, use="predetermination")
    err = dict(eob, status="entered-in-error")
    failed = sample("denied-co197-authorization.json")
    failed.pop("adjudication")
    failed["item"][0]["adjudication"] = failed["item"][0]["adjudication"][:2]
    failed["outcome"] = "error"
    assert claims(read(write(tmp_path, pre)))[0].status == "25"
    err_records = read(write(tmp_path, err))
    assert claims(err_records)[0].status == "22"
    assert "fhir.entered-in-error" in codes(err_records)
    assert claims(read(write(tmp_path, failed)))[0].status == "4"


def test_nothing_paid_without_denial_evidence_is_not_denied(tmp_path: Path) -> None:
    eob = sample("denied-co197-authorization.json")
    eob.pop("adjudication")
    eob["item"][0]["adjudication"] = eob["item"][0]["adjudication"][:2]
    assert claims(read(write(tmp_path, eob)))[0].status == "1"


def test_carc_in_reason_overrides_category_default(tmp_path: Path) -> None:
    eob = sample("paid-deductible-coinsurance-copay.json")
    line = eob["item"][0]["adjudication"]
    discount = next(a for a in line if a["category"]["coding"][0]["code"] == "discount")
    discount["reason"] = {"coding": [{"system": CARC, "code": "253"}]}
    deductible = next(a for a in line if a["category"]["coding"][0]["code"] == "deductible")
    deductible["reason"] = {"coding": [{"system": CARC, "code": "OA-1"}]}
    line.append(
        {
            "category": {"coding": [{"system": DISC, "code": "adjustmentreason"}]},
            "reason": {
                "coding": [{"system": CARC, "code": "59"}, {"system": RARC, "code": "N130"}]
            },
        }
    )
    (claim,) = claims(read(write(tmp_path, eob)))
    found = adjs(claim.services[0])
    assert ("CO", "253", Decimal("69.75")) in found
    assert ("OA", "1", Decimal("50.00")) in found
    assert ("CO", "59", Decimal(0)) in found  # amount-less reason, nothing left unexplained
    assert ("HE", "N130") in claim.services[0].remarks


# --------------------------------------------------------------------------- refusals


def test_bad_json_raises_read_error_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "resourceType": "Bundle",\n  "entry": [\n    {"resource": }\n  ]\n}\n')
    with pytest.raises(ReadError, match=r"line 4 column 18"):
        read(path)


def test_bad_ndjson_line_raises_before_any_record(tmp_path: Path) -> None:
    good = json.dumps(sample("denied-co197-authorization.json"), default=str)
    path = tmp_path / "export.ndjson"
    path.write_text(good + "\n" + '{"resourceType": "ExplanationOfBenefit", "id": \n')
    seen: list[Record] = []
    with pytest.raises(ReadError, match=r"line 2 column"):
        seen.extend(read_eobs(path))
    assert seen == []  # nothing half-read


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b'{"resourceType": "Patient", "name": "\xff\xfe"}', "not UTF-8"),
    ],
)
def test_unreadable_files_raise_read_error(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=expected):
        read(path)


@pytest.mark.parametrize(
    ("obj", "code", "words"),
    [
        ({"claims": [{"id": 1}]}, "fhir.not-fhir", "not FHIR"),
        ([{"resourceType": "ExplanationOfBenefit"}], "fhir.not-fhir", "JSON array"),
        (
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [
                    {"resource": {"resourceType": "Patient", "id": "p"}},
                    {"resource": {"resourceType": "Coverage", "id": "c"}},
                ],
            },
            "fhir.no-eob",
            "Coverage x1, Patient x1",
        ),
        (
            {"resourceType": "Bundle", "type": "searchset"},
            "fhir.no-eob",
            "empty FHIR Bundle (searchset)",
        ),
    ],
)
def test_json_without_eobs_is_refused_with_a_reason(
    tmp_path: Path, obj: Any, code: str, words: str
) -> None:
    records = read(write(tmp_path, obj))
    assert [(type(r).__name__, getattr(r, "code", "")) for r in records] == [("Issue", code)]
    issue = records[0]
    assert isinstance(issue, Issue) and issue.severity is Severity.ERROR and words in issue.message


def test_invalid_eob_is_an_error_naming_id_and_place(tmp_path: Path) -> None:
    bundle = sample("bundle-two-eobs.json")
    bad = bundle["entry"][-1]["resource"]
    bad["item"][0]["adjudication"][0]["amount"]["value"] = "abc"
    records = read(write(tmp_path, bundle))
    (error,) = errors_of(records)
    assert error.code == "fhir.invalid-eob"
    assert "eob-bundle-2" in error.message
    assert "item[0].adjudication[0].amount.value" in error.message
    assert len(claims(records)) == 1  # the valid EOB is still read


def test_ndjson_line_that_is_not_a_resource_is_skipped_with_a_warning(tmp_path: Path) -> None:
    eob = json.dumps(sample("denied-co197-authorization.json"), default=str)
    path = tmp_path / "export.ndjson"
    path.write_text(eob + '\n{"note": "not a resource"}\n')
    records = read(path)
    assert len(claims(records)) == 1
    assert [(i.severity, i.code) for i in issues(records)] == [
        (Severity.WARNING, "fhir.not-a-resource")
    ]


# --------------------------------------------------------------------------- money


def test_money_stays_exact_to_the_cent(tmp_path: Path) -> None:
    eob = sample("denied-co197-authorization.json")
    eob.pop("adjudication")
    eob["item"] = [copy.deepcopy(eob["item"][0]) for _ in range(3)]
    for n, item in enumerate(eob["item"], 1):
        item["sequence"] = n
        item["adjudication"] = [
            {"category": {"coding": [{"code": "submitted"}]}, "amount": {"value": Decimal("0.10")}},
            {
                "category": {"coding": [{"system": C4, "code": "paidtoprovider"}]},
                "amount": {"value": Decimal("0.10")},
            },
        ]
    eob["total"] = [
        {"category": {"coding": [{"code": "submitted"}]}, "amount": {"value": Decimal("0.30")}}
    ]
    path = tmp_path / "cents.json"
    path.write_text(
        json.dumps(eob, default=str).replace('"0.10"', "0.10").replace('"0.30"', "0.30")
    )
    records = read(path)
    (claim,) = claims(records)
    assert claim.charge == Decimal("0.30") and str(claim.charge) == "0.30"
    assert claim.paid == Decimal("0.30")  # payment absent: sum of the lines, 0.1+0.1+0.1 exact
    assert 0.1 + 0.1 + 0.1 != 0.3  # what float would have done
    assert "balance.claim-lines" not in codes(records)
