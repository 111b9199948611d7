"""837 structure rules: each breach is an error naming the segment, the loop and the cause."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_837_build import (
    BILLING,
    CLAIM_I,
    CLAIM_P,
    HEADER,
    SUBSCRIBER,
    claims,
    errors,
    index_of,
    read,
)

from parsers.records import Issue

GOOD = [*HEADER, *BILLING, *SUBSCRIBER, *CLAIM_P]


def swap(segments: list[str], old: str, new: str | list[str]) -> list[str]:
    """segments with the first one starting with `old` replaced (or removed with [])."""
    at = next(i for i, s in enumerate(segments) if s.startswith(old))
    repl = [new] if isinstance(new, str) else new
    return segments[:at] + repl + segments[at + 1 :]


def only_error(tmp_path: Path, segments: list[str], version: str = "005010X222A1") -> Issue:
    found = errors(read(tmp_path, segments, version))
    assert len(found) == 1, [e.message for e in found]
    return found[0]


def test_the_base_file_is_clean(tmp_path: Path) -> None:
    recs = read(tmp_path, GOOD)
    assert errors(recs) == [] and len(claims(recs)) == 1


def test_entity_code_not_valid_in_the_loop(tmp_path: Path) -> None:
    """NM1*117 where 2010AA (NM1*85) belongs: bad code, and the required loop is missing."""
    segments = swap(GOOD, "NM1*85", "NM1*117*2*SYNTH CLINIC*****XX*1999999984")
    bad, missing = errors(read(tmp_path, segments))
    assert bad.code == "structure.unexpected" and bad.segment_index == index_of(segments, "NM1*117")
    assert "NM101 '117'" in bad.message and "85, 87, PE" in bad.message
    assert missing.code == "structure.missing-loop" and "2010AA" in missing.message
    assert missing.segment_index == index_of(segments, "HL*1")


def test_billing_provider_loop_only_once_per_level(tmp_path: Path) -> None:
    segments = [*HEADER, *BILLING, *BILLING[1:4], *SUBSCRIBER, *CLAIM_P]
    issue = only_error(tmp_path, segments)
    assert issue.code == "structure.loop-repeat" and "2010AA" in issue.message
    assert issue.segment_index == index_of(segments, "NM1*85", 1) and issue.segment_id == "NM1"


def test_required_loop_missing(tmp_path: Path) -> None:
    segments = [*HEADER, "HL*1**20*1", *SUBSCRIBER, *CLAIM_P]
    issue = only_error(tmp_path, segments)
    assert issue.code == "structure.missing-loop" and "2010AA (billing provider)" in issue.message


def test_subscriber_name_loop_missing_in_one_repeat(tmp_path: Path) -> None:
    second = [
        s.replace("HL*2*", "HL*3*")
        for s in SUBSCRIBER
        if not s.startswith(("NM1*IL", "N3", "N4", "DMG"))
    ]
    segments = [*GOOD, *second, *CLAIM_P]
    issue = only_error(tmp_path, segments)
    assert issue.code == "structure.missing-loop" and "2010BA" in issue.message
    assert issue.segment_index == index_of(segments, "HL*3")


def test_subscriber_information_only_once(tmp_path: Path) -> None:
    segments = swap(GOOD, "SBR", ["SBR*P*18*GRP01******CI", "SBR*S*18*GRP01******CI"])
    issue = only_error(tmp_path, segments)
    assert issue.code == "structure.repeat" and issue.segment_id == "SBR"
    assert issue.segment_index == index_of(segments, "SBR", 1)


def test_segments_out_of_order(tmp_path: Path) -> None:
    billing = [
        "HL*1**20*1",
        "NM1*85*2*SYNTH CLINIC*****XX*1999999984",
        "N3*1 TEST WAY",
        "REF*EI*000000001",
        "N4*ANYTOWN*ZZ*000010000",
        "NM1*87*2",
        "N4*ANYTOWN*ZZ*000010000",
        "N3*PO BOX 1",
    ]
    segments = [*HEADER, *billing, *SUBSCRIBER, *CLAIM_P]
    found = errors(read(tmp_path, segments))
    assert [e.code for e in found] == ["structure.order", "structure.order"]
    assert "N4 comes after REF in loop 2010AA" in found[0].message
    assert found[0].segment_index == index_of(segments, "N4")
    assert found[1].segment_id == "N3" and "N3 comes after N4 in loop 2010AB" in found[1].message
    assert found[1].segment_index == index_of(segments, "N3*PO BOX")


def test_claim_segments_out_of_order(tmp_path: Path) -> None:
    segments = swap(GOOD, "HI", ["HI*ABK:J069", "REF*G1*AUTH1"])
    issue = only_error(tmp_path, segments)
    assert issue.code == "structure.order" and "REF comes after HI in loop 2300" in issue.message


def test_service_line_without_lx(tmp_path: Path) -> None:
    segments = swap(GOOD, "LX", [])
    unexpected, missing = errors(read(tmp_path, segments))
    assert unexpected.segment_id == "SV1" and "must start with LX" in unexpected.message
    assert missing.code == "structure.missing-loop" and "2400" in missing.message


@pytest.mark.parametrize(
    ("old", "new", "element", "words"),
    [
        ("NM1*40", "NM1*40**SYNTH CLEARING*****46*R0001", "NM102", "entity type"),
        ("CLM", "CLM*PCN001*100.00****Y*A*Y*Y", "CLM05-1", "facility"),
        ("CLM", "CLM**100.00***11:B:1*Y*A*Y*Y", "CLM01", "patient control number"),
        ("CLM", "CLM*PCN001*ABC***11:B:1*Y*A*Y*Y", "CLM02", "not a number"),
        ("CLM", "CLM*PCN001*100.00***11:B:12*Y*A*Y*Y", "CLM05-3", "frequency"),
        ("CLM", "CLM*PCN001*100.00***11:X:1*Y*A*Y*Y", "CLM05-2", "place of service"),
        ("SBR", "SBR*X*18*GRP01******CI", "SBR01", "payer responsibility"),
        ("DTP*472", "DTP*472*RD9*20260101-20260102", "DTP02", "not a date format"),
        ("DTP*472", "DTP*472*D8*20261340", "DTP03", "not a real date"),
        ("DTP*472", "DTP*472*RD8*20260105-20260101", "DTP03", "ends before it starts"),
        ("SV1", "SV1*HC:99213**UN*1***1", "SV102", "missing"),
        ("NM1*IL", "NM1*IL*1*TESTLAST*TESTFIRST****MI", "NM109", "identifier"),
        ("NM1*PR", "NM1*PR*2*SYNTH HEALTH PLAN", "NM108", "identifier"),
        ("NM1*85", "NM1*85*2*SYNTH CLINIC", "NM108", "identifier"),
        ("DMG", "DMG*D8*19800231*F", "DMG02", "birth date"),
    ],
)
def test_required_elements_and_code_sets(
    tmp_path: Path, old: str, new: str, element: str, words: str
) -> None:
    segments = swap(GOOD, old, new)
    found = errors(read(tmp_path, segments))
    assert [e.element for e in found][:1] == [element], [e.message for e in found]
    assert words in found[0].message and found[0].segment_index == index_of(segments, new)


def test_missing_clm05_names_each_component(tmp_path: Path) -> None:
    segments = swap(GOOD, "CLM", "CLM*PCN001*100.00****Y*A*Y*Y")
    assert [e.element for e in errors(read(tmp_path, segments))] == ["CLM05-1", "CLM05-3"]


def test_level_code_not_valid(tmp_path: Path) -> None:
    segments = swap(GOOD, "HL*2", "HL*2*1*21*0")
    issue = errors(read(tmp_path, segments))[0]
    assert issue.code == "structure.unexpected" and "HL03 '21'" in issue.message
    assert issue.segment_index == index_of(segments, "HL*2")


def test_subscriber_level_needs_a_billing_level(tmp_path: Path) -> None:
    segments = [*HEADER, *SUBSCRIBER, *CLAIM_P]
    issue = errors(read(tmp_path, segments))[0]
    assert "HL03 '22'" in issue.message and "expected one of 20" in issue.message


def test_health_care_diagnosis_required_in_5010(tmp_path: Path) -> None:
    issue = only_error(tmp_path, swap(GOOD, "HI", []))
    assert issue.code == "structure.missing-segment" and "no HI segment" in issue.message
    assert issue.segment_index == index_of(GOOD, "CLM")


def test_subscriber_level_without_claim_or_patient(tmp_path: Path) -> None:
    segments = [
        *HEADER,
        *BILLING,
        *SUBSCRIBER,
        *[s.replace("HL*2*", "HL*3*") for s in SUBSCRIBER],
        *CLAIM_P,
    ]
    issue = only_error(tmp_path, segments)
    assert "neither a claim" in issue.message and issue.segment_index == index_of(segments, "HL*2")


def test_institutional_claim_needs_statement_dates(tmp_path: Path) -> None:
    segments = [*HEADER, *BILLING, *SUBSCRIBER, *swap(CLAIM_I, "DTP*434", [])]
    issue = only_error(tmp_path, segments, "005010X223A2")
    assert "DTP*434" in issue.message and issue.claim == "PCN-I1"


def test_unknown_segment_in_a_claim(tmp_path: Path) -> None:
    segments = swap(GOOD, "HI", ["HI*ABK:J069", "ZZZ*1"])
    issue = only_error(tmp_path, segments)
    assert issue.code == "structure.unexpected" and issue.segment_id == "ZZZ"
    assert "loop 2300 (claim)" in issue.message and issue.claim == "PCN001"


def test_service_lines_limited_to_50_on_a_professional_claim(tmp_path: Path) -> None:
    line = CLAIM_P[2:]
    segments = [*HEADER, *BILLING, *SUBSCRIBER, *CLAIM_P[:2], *(line * 51)]
    issue = only_error(tmp_path, segments)
    assert issue.code == "structure.loop-repeat" and "at most 50" in issue.message


def test_missing_other_payer_name_is_only_a_warning(tmp_path: Path) -> None:
    """Published COB examples omit 2330B; the claim still imports, with a warning."""
    cob = ["SBR*S*01*******CI", "OI***Y*P**Y", "NM1*IL*1*OTHER*ONE****MI*OTH1"]
    segments = swap(GOOD, "HI", ["HI*ABK:J069", *cob])
    recs = read(tmp_path, segments)
    assert errors(recs) == [] and claims(recs)[0].other_payers[0].payer is None


@pytest.mark.parametrize("op", ["drop", "repeat", "cut", "swap"])
def test_any_single_damage_is_reported_never_raised(tmp_path: Path, op: str) -> None:
    """Every segment dropped, repeated, cut to its id or swapped: issues, not exceptions."""
    body = [
        *GOOD,
        "SBR*S*01*******CI",
        "OI***Y*P**Y",
        "NM1*IL*1*O*P****MI*1",
        "NM1*PR*2*Q*****PI*2",
    ]
    body = swap(
        body, "DTP*472", ["DTP*472*D8*20260102", "SVD*2*1*HC:99213**1", "DTP*573*D8*20260110"]
    )
    for i in range(len(body)):
        damaged = list(body)
        if op == "drop":
            del damaged[i]
        elif op == "repeat":
            damaged.insert(i, body[i])
        elif op == "cut":
            damaged[i] = body[i].split("*")[0]
        elif i + 1 < len(body):
            damaged[i], damaged[i + 1] = body[i + 1], body[i]
        records = read(tmp_path, damaged)
        assert all(e.segment_index is not None for e in errors(records))
