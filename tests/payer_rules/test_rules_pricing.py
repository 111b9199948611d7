"""Expected allowed amounts under every contract method, and the underpayment tolerance."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rules_testkit import MINIMAL_PAYER, SCHEDULE, write_rules

from payer_rules import (
    ContractMethod,
    PayerRules,
    Tolerance,
    expected_allowed,
    is_facility_setting,
    load_rulebook,
    underpayment,
)

BOOK = load_rulebook()

# One row per contract method, against the shipped payers; the meta-test below checks
# that every ContractMethod value has a row here.
METHOD_CASES = [
    (ContractMethod.FEE_SCHEDULE, "SXMB1", {"procedure": "99213"}, "91.52"),
    (
        ContractMethod.PERCENT_OF_BILLED,
        "SXSCI",
        {"kind": "837I", "charge": Decimal("1000.01")},
        "585.01",
    ),
    (
        ContractMethod.PERCENT_OF_BASE,
        "SXMCD",
        {"procedure": "99213", "units": Decimal(2)},
        "131.79",
    ),
    (ContractMethod.PER_DIEM, "SXMCD", {"kind": "837I", "days": 3}, "3555.00"),
    (ContractMethod.CASE_RATE, "SXBLW", {"kind": "837I", "drg": "470"}, "14250.00"),
]


def test_every_contract_method_has_a_case() -> None:
    assert {case[0] for case in METHOD_CASES} == set(ContractMethod)


@pytest.mark.parametrize(("method", "payer_id", "kwargs", "expected"), METHOD_CASES, ids=str)
def test_contract_method(
    method: ContractMethod, payer_id: str, kwargs: dict, expected: str
) -> None:
    rules = BOOK.for_payer(payer_id)
    contract = rules.contract_for(kwargs.get("kind", "837P"))
    assert contract is not None and contract.method is method
    result = expected_allowed(rules, **kwargs)
    assert result == Decimal(expected)
    assert result is not None and result.as_tuple().exponent == -2  # always cents


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> PayerRules:
    """A payer priced from the test schedule (99213 100.00 / facility 70.00, 71046 with 26/TC)."""
    extra = (
        '[contract]\nmethod = "fee_schedule"\nfee_schedule = "fs.csv"\n'
        '[institutional_contract]\nmethod = "percent_of_base"\nbase_schedule = "fs.csv"\npercent = "33.335"\n'
    )
    root = write_rules(
        tmp_path_factory.mktemp("rules"),
        payers={"acme": MINIMAL_PAYER + extra},
        files={"fs.csv": SCHEDULE},
    )
    return load_rulebook(root).for_payer("T0001")


@pytest.mark.parametrize(
    ("modifiers", "expected"),
    [
        ((), "40.00"),  # unmodified (global) rate
        (("26",), "12.00"),  # professional component
        (("TC",), "28.00"),  # technical component
        (("59",), "40.00"),  # unpriced modifier falls back to the unmodified rate
        (("59", "26"), "12.00"),  # the first priced modifier wins
        (("26", "TC"), "12.00"),
        ((" tc ",), "28.00"),  # case and spacing do not matter
    ],
)
def test_fee_schedule_modifier_fallback(
    local: PayerRules, modifiers: tuple[str, ...], expected: str
) -> None:
    assert expected_allowed(local, procedure="71046", modifiers=modifiers) == Decimal(expected)


def test_fee_schedule_facility_rate(local: PayerRules) -> None:
    assert expected_allowed(local, procedure="99213", place_of_service="11") == Decimal("100.00")
    assert expected_allowed(local, procedure="99213", place_of_service="22") == Decimal("70.00")
    # no facility amount on file: the one amount applies everywhere
    assert expected_allowed(local, procedure="71046", place_of_service="21") == Decimal("40.00")


def test_fee_schedule_units_and_rounding(local: PayerRules) -> None:
    assert expected_allowed(local, procedure="J1885", units=Decimal(15)) == Decimal("6.30")
    assert expected_allowed(local, procedure="J1885", units=Decimal("2.5")) == Decimal(
        "1.05"
    )  # 1.05 exact
    assert expected_allowed(local, procedure="J1885", units=Decimal("1.25")) == Decimal(
        "0.53"
    )  # 0.525 half up


def test_unknown_code_or_missing_inputs_give_none(local: PayerRules) -> None:
    assert expected_allowed(local, procedure="99999") is None
    assert expected_allowed(local) is None
    medicaid = BOOK.for_payer("SXMCD")
    assert expected_allowed(medicaid, kind="837I") is None  # per diem without days
    assert expected_allowed(medicaid, kind="837I", days=0) is None
    assert expected_allowed(BOOK.for_payer("SXBLW"), kind="837I", drg="999") is None
    assert expected_allowed(BOOK.for_payer("SXSCI"), kind="837I") is None  # % of billed, no charge
    assert expected_allowed(BOOK.default, procedure="99213") is None  # no contract


def test_percent_of_base_rounds_half_up_once(local: PayerRules) -> None:
    # 837I uses the institutional contract at the facility rate: 33.335% of 70.00
    assert expected_allowed(local, kind="837I", procedure="99213") == Decimal("23.33")  # 23.3345
    assert expected_allowed(local, kind="837I", procedure="71046") == Decimal("13.33")  # 13.334


def test_institutional_kind_falls_back_to_contract_when_no_institutional() -> None:
    medicare = BOOK.for_payer("SXMB1")
    assert medicare.institutional_contract is None
    assert expected_allowed(medicare, kind="837I", procedure="99223") == Decimal("183.55")


def test_facility_setting() -> None:
    assert is_facility_setting("837I", "")
    assert is_facility_setting("837P", "23")
    assert not is_facility_setting("837P", "11")
    assert not is_facility_setting("837P", "")


# --------------------------------------------------------------------------- tolerance

TOL = Tolerance(amount=Decimal("1.00"), percent=Decimal("1"))


@pytest.mark.parametrize(
    ("expected", "allowed", "tolerance", "result"),
    [
        ("100.00", "99.00", TOL, None),  # shortfall 1.00 = tolerance: let go
        ("100.00", "98.99", TOL, "1.01"),  # one cent beyond: reported in full
        ("500.00", "495.00", TOL, None),  # 1% of 500 = 5.00 beats the 1.00 floor
        ("500.00", "494.99", TOL, "5.01"),
        ("50.00", "49.00", TOL, None),  # 1% = 0.50 < 1.00 floor
        ("50.00", "48.99", TOL, "1.01"),
        ("100.00", "100.00", TOL, None),
        ("100.00", "150.00", TOL, None),  # overpaid is not underpaid
        ("100.00", "99.99", Decimal("0"), "0.01"),  # zero tolerance: every cent counts
        ("100.00", "99.99", Decimal("0.01"), None),
        ("100.004", "99.99", Decimal("0.01"), None),  # amounts compared at the cent
        ("100.005", "99.99", Decimal("0.01"), "0.02"),  # 100.005 rounds half up to 100.01
        ("200.00", "199.49", Tolerance(percent=Decimal("0.2525")), None),  # 0.505 -> 0.51 half up
        ("200.00", "199.48", Tolerance(percent=Decimal("0.2525")), "0.52"),
    ],
)
def test_underpayment_tolerance_edges(
    expected: str, allowed: str, tolerance: Tolerance | Decimal, result: str | None
) -> None:
    got = underpayment(Decimal(expected), Decimal(allowed), tolerance)
    assert got == (None if result is None else Decimal(result))


def test_underpayment_needs_both_amounts() -> None:
    assert underpayment(None, Decimal(1), TOL) is None
    assert underpayment(Decimal(1), None, TOL) is None


def test_underpayment_with_payer_tolerance() -> None:
    bluewater = BOOK.for_payer("SXBLW")
    expected = expected_allowed(bluewater, procedure="99214")  # 129.17 x 1.27 = 164.05
    assert expected == Decimal("164.05")
    limit = bluewater.tolerance.limit(expected)
    assert limit == Decimal("1.64")  # 1% beats $1.00
    assert underpayment(expected, expected - limit, bluewater.tolerance) is None
    assert underpayment(
        expected, expected - limit - Decimal("0.01"), bluewater.tolerance
    ) == Decimal("1.65")


def test_schedule_lookup_directly(local: PayerRules, tmp_path: Path) -> None:
    contract = local.contract
    assert contract is not None and contract.fee_schedule is not None
    assert contract.fee_schedule.lookup("71046", ["TC"]) == Decimal("28.00")
    assert contract.fee_schedule.lookup("99213", facility=True) == Decimal("70.00")
    assert contract.fee_schedule.lookup("00000") is None
