"""The shipped rule files: every one loads, matches its payers, and agrees with README.md."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pytest

from payer_rules import DEFAULT_DIRECTORY, ContractMethod, check_rules, load_rulebook

PAYER_FILES = sorted((DEFAULT_DIRECTORY / "payers").glob("*.toml"))
README = (DEFAULT_DIRECTORY / "README.md").read_text(encoding="utf-8")


def test_there_are_payer_files() -> None:
    assert len(PAYER_FILES) >= 4


def test_shipped_rules_have_no_problems() -> None:
    assert check_rules() == []
    assert check_rules(DEFAULT_DIRECTORY) == []


@pytest.mark.parametrize("path", PAYER_FILES, ids=lambda p: p.stem)
def test_every_payer_file_loads_and_is_found_by_id_and_name(path: Path) -> None:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    book = load_rulebook()
    for payer_id in raw["match"].get("payer_ids", []):
        rules = book.for_payer(payer_id)
        assert rules.key == path.stem
        assert rules.files[-1] == path
        assert f"`{payer_id}`" in README, f"{payer_id} missing from payer_rules/README.md"
    assert f"`payers/{path.name}`" in README
    assert rules.sources, "every payer file cites where its numbers come from"


def test_names_match_case_and_spacing_blind() -> None:
    book = load_rulebook()
    assert book.for_payer("", "medicare   part b synthetic mac").key == "medicare_part_b"
    assert book.for_payer("", "LAKESHORE STATE MEDICAID").key == "lakeshore_medicaid"
    assert book.for_payer("", "Bluewater Health Plan").key == "bluewater_health"
    assert book.for_payer("", "SUMMIT CREST INSURANCE").key == "summit_crest"


def test_id_wins_over_name_and_unknown_payer_gets_defaults() -> None:
    book = load_rulebook()
    assert book.for_payer("SXSCI", "MEDICARE PART B").key == "summit_crest"
    assert book.for_payer("sxmb2").key == "medicare_part_b"
    unknown = book.for_payer("99999", "NOBODY MUTUAL")
    assert unknown is book.default
    assert unknown.contract is None
    assert unknown.timely_filing_days == 90


def test_payer_file_overrides_default_key_by_key() -> None:
    book = load_rulebook()
    medicaid = book.for_payer("SXMCD")
    assert medicaid.timely_filing_days == 365  # own key
    assert medicaid.tolerance.amount == book.default.tolerance.amount / 4  # own 0.25 over 1.00
    summit = book.for_payer("SXSCI")
    assert summit.tolerance.percent == 0  # inherited from default's [contract]
    # institutional_contract inherits the contract table's tolerance key by key
    assert medicaid.institutional_contract is not None
    assert medicaid.institutional_contract.tolerance.amount == medicaid.tolerance.amount


def test_shipped_contracts_cover_every_method() -> None:
    book = load_rulebook()
    methods = set()
    for rules in book.payers:
        for contract in (rules.contract, rules.institutional_contract):
            if contract is not None:
                methods.add(contract.method)
    assert methods == set(ContractMethod)


@pytest.mark.parametrize(
    "path", sorted((DEFAULT_DIRECTORY / "fee_schedules").glob("*.csv")), ids=lambda p: p.stem
)
def test_fee_schedules_ship_codes_and_amounts_only(path: Path) -> None:
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    header = next(csv.reader(lines))
    assert header == ["procedure", "modifier", "amount", "facility_amount"]  # no descriptions


def test_medicare_appeal_address_is_complete() -> None:
    appeal = load_rulebook().for_payer("SXMB1").appeal
    label = appeal.mailing_label()
    assert appeal.method == "mail"
    assert "PO Box 00101" in label
    assert label.endswith("Lakeshore City, IL 00101")


def test_secondary_rules() -> None:
    book = load_rulebook()
    assert book.for_payer("SXMB1").secondary.automatic_crossover
    medicaid = book.for_payer("SXMCD").secondary
    assert medicaid.payer_of_last_resort and medicaid.requires_primary_eob
    assert not book.default.secondary.automatic_crossover
