"""Denial categories, RARC refinement, appeal guardrails, recoverability and code descriptions."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from rules_testkit import MINIMAL_PAYER, write_rules

from parsers.records import Adjustment, GroupCode
from payer_rules import (
    CARC_CATEGORY,
    NO_APPEAL_RARCS,
    RARC_CATEGORY,
    RECOVERABILITY,
    DenialCategory,
    appeal_block_reason,
    appealable,
    categorize,
    describe_adjustment,
    describe_carc,
    describe_group,
    describe_rarc,
    is_carc,
    is_denial,
    is_rarc,
    load_descriptions,
    load_rulebook,
    paid_as_contracted,
)
from payer_rules.codes import carc_descriptions, rarc_descriptions

C = DenialCategory
DOMAIN_NOTES = Path(__file__).resolve().parents[3] / "shared" / "domain-notes.md"

# (group, CARC, RARCs, expected); the meta-test requires every DenialCategory here.
CATEGORY_CASES = [
    ("CO", "27", (), C.ELIGIBILITY),
    ("CO", "197", (), C.AUTHORIZATION),
    ("CO", "11", (), C.CODING),
    ("CO", "50", (), C.MEDICAL_NECESSITY),
    ("CO", "29", (), C.TIMELY_FILING),
    ("OA", "18", (), C.DUPLICATE),
    ("OA", "23", (), C.COORDINATION_OF_BENEFITS),
    ("CO", "16", ("N290",), C.MISSING_INFORMATION),
    ("CO", "119", (), C.FREQUENCY_LIMITS),
    ("CO", "97", (), C.BUNDLING),
    ("CO", "45", (), C.CONTRACTUAL),
    ("PR", "2", (), C.PATIENT_RESPONSIBILITY),
    ("CO", "192", (), C.OTHER),
]


def test_every_category_has_a_case() -> None:
    assert {case[3] for case in CATEGORY_CASES} == set(DenialCategory)


@pytest.mark.parametrize(("group", "carc", "rarcs", "expected"), CATEGORY_CASES, ids=str)
def test_category(group: str, carc: str, rarcs: tuple[str, ...], expected: DenialCategory) -> None:
    assert categorize(group, carc, rarcs) is expected


# Domain-notes routing table (shared/domain-notes.md); 97 and 236 moved to bundling on purpose.
NOTES_TABLE = {
    C.ELIGIBILITY: "26 27 31 109 177 200",
    C.AUTHORIZATION: "15 197 198 243 288",
    C.CODING: "4 5 6 7 11 146 181 182",
    C.BUNDLING: "97 236",
    C.MEDICAL_NECESSITY: "50 55 56 96 167 204",
    C.TIMELY_FILING: "29",
    C.DUPLICATE: "18",
    C.COORDINATION_OF_BENEFITS: "22 23 24 19 20 21",
    C.MISSING_INFORMATION: "16 226 251 252 A1",
    C.FREQUENCY_LIMITS: "119 151",
    C.CONTRACTUAL: "45 59 253",
    C.PATIENT_RESPONSIBILITY: "1 2 3 66 187",
}


@pytest.mark.parametrize("category", list(NOTES_TABLE), ids=str)
def test_domain_notes_table(category: DenialCategory) -> None:
    for code in NOTES_TABLE[category].split():
        assert CARC_CATEGORY[code] is category, code


def test_domain_notes_file_still_lists_these_codes() -> None:
    if not DOMAIN_NOTES.exists():
        pytest.skip("shared/domain-notes.md not present")
    text = DOMAIN_NOTES.read_text(encoding="utf-8")
    table = text.split("**Denial routing**", 1)[1].split("**Filing and appeal clocks**", 1)[0]
    codes: set[str] = set()
    for cell in re.findall(r"^\|[^|]+\|([^|]+)\|", table, flags=re.MULTILINE):
        for low, high in re.findall(r"(\d+)–(\d+)", cell):
            codes.update(str(n) for n in range(int(low), int(high) + 1))
        codes.update(re.findall(r"\b(?:[1-9]\d{0,2}|A1)\b", re.sub(r"\d+–\d+", "", cell)))
    listed = {c for group in NOTES_TABLE.values() for c in group.split()}
    assert codes == listed
    assert all(describe_carc(c) == carc_descriptions()[c] for c in codes)


@pytest.mark.parametrize(
    ("group", "carc", "rarcs", "expected"),
    [
        ("CO", "16", ("MA04",), C.COORDINATION_OF_BENEFITS),  # secondary without primary info
        ("CO", "16", ("N479",), C.COORDINATION_OF_BENEFITS),
        ("CO", "50", ("N4",), C.COORDINATION_OF_BENEFITS),  # COB remarks win over any CARC
        ("CO", "16", ("N30",), C.ELIGIBILITY),
        ("CO", "A1", ("M15",), C.BUNDLING),
        ("CO", "16", ("N362",), C.FREQUENCY_LIMITS),
        ("CO", "16", ("MA130", "N290"), C.MISSING_INFORMATION),  # MA130 has no category
        ("CO", "192", ("M80",), C.BUNDLING),  # OTHER refined by the remark
        ("CO", "11", ("M15",), C.CODING),  # a specific CARC is not overridden
        ("CO", "45", ("MA04",), C.CONTRACTUAL),  # a write-off stays a write-off
        ("PR", "192", (), C.PATIENT_RESPONSIBILITY),  # unknown PR reason: patient's share
        ("OA", "192", (), C.OTHER),
        ("co", " 16 ", (" n30",), C.ELIGIBILITY),  # stray case and spaces
    ],
)
def test_rarc_refinement(
    group: str, carc: str, rarcs: tuple[str, ...], expected: DenialCategory
) -> None:
    assert categorize(group, carc, rarcs) is expected


def test_payer_override_is_final() -> None:
    book = load_rulebook()
    assert categorize("CO", "24") is C.COORDINATION_OF_BENEFITS
    assert book.for_payer("SXMCD").categorize("CO", "24") is C.ELIGIBILITY
    assert book.for_payer("SXMB1").categorize("CO", "24") is C.COORDINATION_OF_BENEFITS
    assert book.for_payer("SXBLW").categorize("CO", "252", ["MA04"]) is C.MEDICAL_NECESSITY
    assert categorize("CO", "96", (), {"96": C.AUTHORIZATION}) is C.AUTHORIZATION


@pytest.mark.parametrize(
    ("group", "carc", "rarcs", "reason"),
    [
        ("CO", "16", ("MA130",), "MA130"),
        ("CO", "50", ("N211",), "N211"),
        ("CO", "50", ("N111",), "N111"),
        ("CO", "18", ("N111",), "duplicate"),  # N111 keeps the duplicate question open
        ("CO", "45", (), "lone CO-45"),
        ("PR", "2", (), "patient share"),
        ("OA", "18", (), "duplicate"),
        ("CO", "50", (), None),
        ("CO", "50", ("N130",), None),  # N130 points to plan documents; appeal rights stay
        ("CO", "197", ("MA01",), None),
        ("CO", "29", (), None),
        ("CO", "16", ("N290",), None),
    ],
)
def test_appeal_guardrails(
    group: str, carc: str, rarcs: tuple[str, ...], reason: str | None
) -> None:
    block = appeal_block_reason(group, carc, rarcs)
    if reason is None:
        assert block is None and appealable(group, carc, rarcs)
    else:
        assert block is not None and reason in block
        assert not appealable(group, carc, rarcs)


def test_payer_appealable_uses_overrides() -> None:
    medicaid = load_rulebook().for_payer("SXMCD")
    assert medicaid.appealable("CO", "24")
    assert not medicaid.appealable("CO", "24", ["N211"])


def test_paid_as_contracted() -> None:
    assert paid_as_contracted([("CO", "45")])  # a lone CO-45: paid correctly
    assert paid_as_contracted([("CO", "45"), ("PR", "2"), ("CO", "253")])
    assert paid_as_contracted([])
    assert not paid_as_contracted([("CO", "45"), ("CO", "50")])
    lines = [Adjustment("CO", "45", Decimal("10.00")), Adjustment("PR", "1", Decimal("5.00"))]
    assert paid_as_contracted(lines)
    assert not paid_as_contracted([*lines, Adjustment("CO", "97", Decimal("3.00"), level="line")])
    assert paid_as_contracted([("CO", "97")], {"97": C.CONTRACTUAL})


def test_is_denial() -> None:
    assert not is_denial(C.CONTRACTUAL) and not is_denial(C.PATIENT_RESPONSIBILITY)
    assert all(is_denial(c) for c in C if c not in (C.CONTRACTUAL, C.PATIENT_RESPONSIBILITY))


def test_recoverability_weights_cover_every_category() -> None:
    assert set(RECOVERABILITY) == set(DenialCategory)
    assert all(Decimal(0) <= w <= Decimal(1) for w in RECOVERABILITY.values())
    assert RECOVERABILITY[C.CONTRACTUAL] == RECOVERABILITY[C.PATIENT_RESPONSIBILITY] == 0
    assert RECOVERABILITY[C.MISSING_INFORMATION] > RECOVERABILITY[C.TIMELY_FILING]


def test_recoverability_override_per_payer(tmp_path: Path) -> None:
    root = write_rules(
        tmp_path, payers={"acme": MINIMAL_PAYER + '[recoverability]\ncoding = "0.9"\n'}
    )
    rules = load_rulebook(root).for_payer("T0001")
    assert rules.recoverability_of(C.CODING) == Decimal("0.9")
    assert rules.recoverability_of(C.BUNDLING) == RECOVERABILITY[C.BUNDLING]


# --------------------------------------------------------------------------- descriptions

COMMON_CARCS = (
    "1 2 3 4 5 6 11 15 16 18 19 22 23 24 26 27 29 31 45 50 55 56 59 96 97 109 119 146 151 167 "
    "177 181 182 197 198 200 204 226 236 243 251 252 253 288 A1 B7 B13"
).split()
COMMON_RARCS = "MA04 MA18 MA130 N130 N211 M15 M80 N4 N20 N30 N290 N362 N432 N479 MA01 N381".split()


def used_carcs() -> set[str]:
    """Every CARC our tables and shipped payer files mention."""
    book = load_rulebook()
    overrides = {code for rules in book.payers for code in rules.carc_category}
    return set(CARC_CATEGORY) | overrides | set(COMMON_CARCS)


def test_every_used_carc_has_our_description() -> None:
    missing = sorted(c for c in used_carcs() if c not in carc_descriptions())
    assert missing == []


def test_every_used_rarc_has_our_description() -> None:
    used = set(RARC_CATEGORY) | set(NO_APPEAL_RARCS) | set(COMMON_RARCS)
    assert sorted(r for r in used if r not in rarc_descriptions()) == []


def test_description_tables_hold_valid_codes_only() -> None:
    assert all(is_carc(code) for code in carc_descriptions())
    assert all(is_rarc(code) for code in rarc_descriptions())
    assert all(
        0 < len(text) <= 120
        for text in [*carc_descriptions().values(), *rarc_descriptions().values()]
    )


def test_describe_functions() -> None:
    assert "Deductible" in describe_carc("1")
    assert describe_carc(" a1 ") == carc_descriptions()["A1"]
    assert describe_carc("999") == "Adjustment reason 999 (no description on file)"
    assert "no appeal rights" in describe_rarc("MA130")
    assert describe_rarc("N9999") == "Remark N9999 (no description on file)"
    assert describe_adjustment("co", "45").startswith("CO-45: Charge is above")


@pytest.mark.parametrize("group", list(GroupCode), ids=str)
def test_group_code_meanings(group: GroupCode) -> None:
    assert "not a valid" not in describe_group(group)


def test_group_code_guidance() -> None:
    assert "may not bill the patient" in describe_group("CO")
    assert "bill the patient" in describe_group("PR")
    assert describe_group("XX") == "Group XX (not a valid group code)"


@pytest.mark.parametrize(
    ("code", "carc", "rarc"),
    [("45", True, False), ("B13", True, False), ("045", False, False), ("1000", False, False),
     ("MA01", False, True), ("N4", False, True), ("X1", False, False), ("P2", True, False), ("", False, False)],
)  # fmt: skip
def test_code_syntax(code: str, carc: bool, rarc: bool) -> None:
    assert is_carc(code) is carc
    assert is_rarc(code) is rarc


def test_load_official_descriptions(tmp_path: Path) -> None:
    path = tmp_path / "carc.csv"
    path.write_text('Code,Description\n45,"Official text, with a comma"\n', encoding="utf-8")
    table = load_descriptions(path)
    assert describe_carc("45", table) == "Official text, with a comma"
    assert describe_carc("1", table).endswith("(no description on file)")
