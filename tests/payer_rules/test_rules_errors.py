"""Bad rule files: each problem names the file, the key (or CSV line) and the cause."""

from __future__ import annotations

from pathlib import Path

import pytest
from rules_testkit import MINIMAL_DEFAULT, MINIMAL_PAYER, SCHEDULE, write_rules

from payer_rules import RuleError, check_rules, load_rulebook


def problems_of(root: Path) -> list[str]:
    """check_rules output, and the same problems from load_rulebook's RuleError."""
    found = check_rules(root)
    with pytest.raises(RuleError) as info:
        load_rulebook(root)
    assert [str(p) for p in info.value.problems] == found
    assert str(info.value) == "\n".join(found)
    return found


def one_problem(root: Path) -> str:
    found = problems_of(root)
    assert len(found) == 1, found
    return found[0]


def payer(extra: str) -> dict[str, str]:
    return {"acme": MINIMAL_PAYER + extra}


def test_minimal_directory_loads(tmp_path: Path) -> None:
    book = load_rulebook(write_rules(tmp_path, payers={"acme": MINIMAL_PAYER}))
    assert book.for_payer("T0001").name == "Test Payer"
    assert check_rules(tmp_path) == []


def test_misspelled_key_names_file_key_and_suggestion(tmp_path: Path) -> None:
    root = write_rules(tmp_path, payers={"acme": "timely_filing_day = 90\n" + MINIMAL_PAYER})
    message = one_problem(root)
    assert message.startswith(f"{root / 'payers' / 'acme.toml'}: timely_filing_day: ")
    assert "unknown key; did you mean 'timely_filing_days'?" in message


def test_misspelled_key_inside_a_table(tmp_path: Path) -> None:
    root = write_rules(
        tmp_path, payers=payer('[contract]\nmethod = "percent_of_billed"\npercnt = "80"\n')
    )
    found = problems_of(root)
    assert any(
        "acme.toml: contract.percnt: unknown key; did you mean 'percent'?" in f for f in found
    )
    assert any("contract.percent: required when method = 'percent_of_billed'" in f for f in found)


def test_unknown_key_without_close_match_lists_choices(tmp_path: Path) -> None:
    root = write_rules(tmp_path, default=MINIMAL_DEFAULT + "zzz = 1\n")
    message = one_problem(root)
    assert "default.toml: zzz: unknown key; expected one of " in message
    assert "appeal_days" in message


@pytest.mark.parametrize(
    ("line", "key", "cause"),
    [
        ('appeal_days = "60"', "appeal_days", "must be a whole number of days without quotes"),
        ("appeal_days = true", "appeal_days", "must be a whole number of days"),
        ("appeal_days = 0", "appeal_days", "must be between 1 and 3650 days, not 0"),
        ("appeal_receipt_days = 61", "appeal_receipt_days", "between 0 and 60"),
        ("[contract]\ntolerance_amount = 1.5", "contract.tolerance_amount", "floats lose cents"),
        (
            '[contract]\ntolerance_amount = "1.005"',
            "contract.tolerance_amount",
            "more than two decimals",
        ),
        ('[contract]\ntolerance_amount = "-1"', "contract.tolerance_amount", "must be between 0"),
        ('[contract]\ntolerance_percent = "101"', "contract.tolerance_percent", "at most 100"),
        ('[contract]\nmethod = "fee schedule"', "contract.method", "did you mean 'fee_schedule'?"),
        ("contract = 5", "contract", "must be a table"),
        (
            '[secondary]\nautomatic_crossover = "yes"',
            "secondary.automatic_crossover",
            "true or false",
        ),
        ('[appeal]\nstate = "Illinois"', "appeal.state", "is not a 2-letter state code"),
        ('[appeal]\nportal = "http://x.example"', "appeal.portal", "is not an https:// address"),
        ('[appeal]\nmethod = "email"', "appeal.method", "is not allowed"),
        ('sources = "one"', "sources", "must be a list of quoted strings"),
        ('[recoverability]\ncoding = "1.5"', "recoverability.coding", "at most 1"),
    ],
)
def test_wrong_type_or_value_names_key_and_cause(
    tmp_path: Path, line: str, key: str, cause: str
) -> None:
    root = write_rules(tmp_path, payers=payer(line + "\n"))
    message = one_problem(root)
    assert message.startswith(f"{root / 'payers' / 'acme.toml'}: {key}: "), message
    assert cause in message


def test_unquoted_payer_id_is_refused(tmp_path: Path) -> None:
    root = write_rules(tmp_path, payers={"acme": 'name = "A"\n[match]\npayer_ids = [123]\n'})
    found = problems_of(root)
    assert any(
        "acme.toml: match.payer_ids: payer id 123 must be a quoted string (leading zeros matter)"
        in f
        for f in found
    )


def test_bad_carc_code_and_category_name(tmp_path: Path) -> None:
    root = write_rules(
        tmp_path,
        payers=payer(
            '[carc_category]\n"045" = "contractual"\n"B7" = "eligibilty"\n"97" = "bundling"\n'
        ),
    )
    found = problems_of(root)
    assert len(found) == 2, found
    assert "acme.toml: carc_category.045: '045' is not a CARC" in found[0]
    assert (
        "acme.toml: carc_category.B7: 'eligibilty' is not allowed; did you mean 'eligibility'?"
        in found[1]
    )


def test_bad_drg_key(tmp_path: Path) -> None:
    root = write_rules(
        tmp_path,
        payers=payer('[contract]\nmethod = "case_rate"\n[contract.case_rates]\n"47" = "100"\n'),
    )
    found = problems_of(root)
    assert any("contract.case_rates.47: '47' is not a 3-digit DRG" in f for f in found)


def test_missing_fee_schedule_file_names_toml_key(tmp_path: Path) -> None:
    extra = '[contract]\nmethod = "fee_schedule"\nfee_schedule = "fee_schedules/nope.csv"\n'
    root = write_rules(tmp_path, payers=payer(extra))
    message = one_problem(root)
    assert message.startswith(f"{root / 'payers' / 'acme.toml'}: contract.fee_schedule: ")
    assert "fee schedule 'fee_schedules/nope.csv' not found" in message


@pytest.mark.parametrize(
    ("row", "cause"),
    [
        ("9921,,10.00,", "procedure '9921' is not a 5-character code"),
        ("99214,2,10.00,", "modifier '2' is not 2 letters/digits"),
        ("99214,,ten,", "amount 'ten' is not a number"),
        ("99214,,10.001,", "more than two decimals"),
        ("99214,,-1.00,", "must be between 0"),
        ("99214,,10.00,x", "facility_amount 'x' is not a number"),
        ("99214,,10.00,1,9", "more cells than header columns"),
        ("99213,,1.00,", "duplicate row for 99213"),
    ],
)
def test_bad_csv_row_names_file_and_line(tmp_path: Path, row: str, cause: str) -> None:
    extra = '[contract]\nmethod = "fee_schedule"\nfee_schedule = "fs/a.csv"\n'
    root = write_rules(tmp_path, payers=payer(extra), files={"fs/a.csv": SCHEDULE + row + "\n"})
    message = one_problem(root)
    assert message.startswith(f"{root / 'fs' / 'a.csv'}: line 7: "), message
    assert cause in message


def test_bad_csv_header(tmp_path: Path) -> None:
    extra = '[contract]\nmethod = "fee_schedule"\nfee_schedule = "a.csv"\n'
    root = write_rules(
        tmp_path, payers=payer(extra), files={"a.csv": "procedure,modifer,amount\n99213,,1\n"}
    )
    assert (
        one_problem(root)
        == f"{root / 'a.csv'}: line 1: unknown column 'modifer'; did you mean 'modifier'?"
    )


def test_schedule_problems_reported_once_when_shared(tmp_path: Path) -> None:
    extra = '[contract]\nmethod = "percent_of_base"\npercent = "80"\nbase_schedule = "a.csv"\n'
    second = MINIMAL_PAYER.replace("T0001", "T0002") + extra
    root = write_rules(
        tmp_path,
        payers={"acme": MINIMAL_PAYER + extra, "beta": second},
        files={"a.csv": SCHEDULE + "X,,1\n"},
    )
    assert len(problems_of(root)) == 1


@pytest.mark.parametrize(
    ("extra", "key", "cause"),
    [
        (
            '[contract]\nmethod = "fee_schedule"',
            "contract.fee_schedule",
            "required when method = 'fee_schedule'",
        ),
        (
            '[contract]\nmethod = "percent_of_base"\npercent = "50"',
            "contract.base_schedule",
            "required",
        ),
        ('[contract]\nmethod = "per_diem"', "contract.per_diem_rate", "required"),
        ('[contract]\nmethod = "case_rate"', "contract.case_rates", "required"),
        ('[contract]\npercent = "50"', "contract.method", "required when contract sets percent"),
        (
            '[institutional_contract]\nmethod = "per_diem"',
            "institutional_contract.per_diem_rate",
            "required",
        ),
        ('[appeal]\nmethod = "fax"', "appeal.fax", "required when appeal.method = 'fax'"),
        ('[appeal]\nmethod = "portal"', "appeal.portal", "required"),
    ],
)
def test_method_needs_its_keys(tmp_path: Path, extra: str, key: str, cause: str) -> None:
    message = one_problem(write_rules(tmp_path, payers=payer(extra + "\n")))
    assert f"acme.toml: {key}: {cause}" in message


def test_mail_appeal_needs_an_address(tmp_path: Path) -> None:
    found = problems_of(
        write_rules(tmp_path, payers=payer('[appeal]\nmethod = "mail"\nname = "X"\n'))
    )
    assert [f.split(": ")[1] for f in found] == [
        "appeal.lines",
        "appeal.city",
        "appeal.state",
        "appeal.postal_code",
    ]


def test_default_must_hold_every_required_key(tmp_path: Path) -> None:
    found = problems_of(write_rules(tmp_path, default="appeal_days = 60\n"))
    keys = {f.split(": ")[1] for f in found if "default.toml" in f}
    assert keys == {
        "appeal_receipt_days",
        "follow_up_days",
        "crossover_wait_days",
        "timely_filing_days",
    }


def test_timely_filing_months_alone_is_enough(tmp_path: Path) -> None:
    default = MINIMAL_DEFAULT.replace("timely_filing_days = 90", "timely_filing_months = 6")
    assert check_rules(write_rules(tmp_path, default=default)) == []


def test_payer_file_needs_name_and_match(tmp_path: Path) -> None:
    found = problems_of(write_rules(tmp_path, payers={"acme": "appeal_days = 30\n"}))
    assert [f.split(": ")[1] for f in found] == ["name", "match"]


def test_default_may_not_match_payers(tmp_path: Path) -> None:
    message = one_problem(
        write_rules(tmp_path, default=MINIMAL_DEFAULT + '[match]\nnames = ["X*"]\n')
    )
    assert "default.toml: match: default.toml applies to every payer" in message


def test_duplicate_payer_id_across_files(tmp_path: Path) -> None:
    root = write_rules(tmp_path, payers={"acme": MINIMAL_PAYER, "beta": MINIMAL_PAYER.lower()})
    message = one_problem(root)
    assert "beta.toml: match.payer_ids: payer id 't0001' is already used by" in message
    assert "acme.toml" in message


def test_invalid_toml_names_file(tmp_path: Path) -> None:
    message = one_problem(write_rules(tmp_path, payers={"acme": "name = \n"}))
    assert message.startswith(f"{tmp_path / 'payers' / 'acme.toml'}: file: not valid TOML: ")


def test_missing_directory_or_default(tmp_path: Path) -> None:
    message = one_problem(tmp_path / "nowhere")
    assert message == f"{tmp_path / 'nowhere' / 'default.toml'}: file: rule file not found"


def test_all_problems_are_listed_together(tmp_path: Path) -> None:
    root = write_rules(
        tmp_path,
        default=MINIMAL_DEFAULT + "follow_up_dayz = 3\n",
        payers={"acme": MINIMAL_PAYER + 'appeal_days = "x"\n[carc_category]\n"16" = "nope"\n'},
    )
    found = problems_of(root)
    assert len(found) == 3
    assert {f.split(": ")[1] for f in found} == {
        "follow_up_dayz",
        "appeal_days",
        "carc_category.16",
    }
