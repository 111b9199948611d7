"""Scenario tables for the findings tests: files imported step by step, findings expected.

Every registered rule and category, and every DenialCategory, must appear here or in the
unit-case table (test_rules_meta.py checks it against the registry). Files come from
sample_edi/scenarios (see its README) or tests/analysis/data (make_files.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
S = "sample_edi/scenarios/"
T = "tests/analysis/data/"


@dataclass(frozen=True)
class Expect:
    """One open finding: rule, category, claim (PCN), amount; codes/deadline/action when given."""

    rule: str
    category: str
    claim: str
    amount: str
    codes: tuple[str, ...] | None = None
    deadline: str | None = None
    action: str | None = None  # the action starts with this


@dataclass(frozen=True)
class Closed:
    """A finding closed by this step, with words its reason must contain."""

    rule: str
    claim: str
    reason: str


@dataclass(frozen=True)
class Step:
    """Import these files (none = re-analyse the scenario's claims) as of `today`."""

    today: dt.date
    files: tuple[str, ...] = ()
    open: tuple[Expect, ...] = ()
    closed: tuple[Closed, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """Steps over claims no other scenario touches (distinct PCNs and files)."""

    name: str
    claims: tuple[str, ...]
    steps: tuple[Step, ...]
    categories_shown_absent: tuple[str, ...] = field(default=())  # DenialCategory not a finding


def d(text: str) -> dt.date:
    """ISO date."""
    return dt.date.fromisoformat(text)


def one(
    name: str,
    claim: str,
    today: str,
    files: tuple[str, ...],
    *expect: Expect,
    absent: tuple[str, ...] = (),
) -> Scenario:
    """A one-step scenario."""
    return Scenario(name, (claim,), (Step(d(today), files, tuple(expect)),), absent)


SCENARIOS: tuple[Scenario, ...] = (
    one(
        "paid-in-full",
        "PIF26001",
        "2026-03-25",
        (S + "paid-in-full.837", S + "paid-in-full.835"),
        absent=("contractual",),
    ),
    one(
        "partial-deductible-coinsurance-copay",
        "PRP26001",
        "2026-04-01",
        (
            S + "partial-deductible-coinsurance-copay.837",
            S + "partial-deductible-coinsurance-copay.835",
        ),
        absent=("patient_responsibility",),
    ),
    one(
        "denied-eligibility",
        "ELG26001",
        "2026-04-25",
        (S + "denied-eligibility.837", S + "denied-eligibility.835"),
        Expect("denial", "eligibility", "ELG26001", "235.00", ("CO-27",), "2026-06-21"),
    ),
    Scenario(
        "denied-authorization",
        ("AUT26001",),
        (
            Step(
                d("2026-05-05"),
                (S + "denied-authorization.837", S + "denied-authorization.835"),
                (
                    Expect(
                        "denial",
                        "authorization",
                        "AUT26001",
                        "1250.00",
                        ("CO-197",),
                        "2026-06-30",
                        "Find the authorization",
                    ),
                ),
            ),
            Step(
                d("2026-06-20"),
                (),
                (
                    Expect(
                        "denial", "authorization", "AUT26001", "1250.00", ("CO-197",), "2026-06-30"
                    ),
                    Expect(
                        "no_response.appeal_deadline",
                        "appeal_deadline",
                        "AUT26001",
                        "1250.00",
                        ("CO-197",),
                        "2026-06-30",
                    ),
                ),
            ),
        ),
    ),
    one(
        "denied-medical-necessity",
        "MNC26001",
        "2026-05-25",
        (S + "denied-medical-necessity.837", S + "denied-medical-necessity.835"),
        Expect(
            "denial", "medical_necessity", "MNC26001", "100.00", ("CO-50", "N115"), "2026-09-22"
        ),
    ),
    one(
        "denied-missing-info",
        "MIS26001",
        "2026-05-30",
        (S + "denied-missing-info.837", S + "denied-missing-info.835"),
        Expect(
            "denial",
            "missing_information",
            "MIS26001",
            "185.00",
            ("CO-16", "MA130", "N290"),
            "2027-05-11",
            "Do not appeal: MA130",
        ),
    ),
    Scenario(
        "denied-timely-filing",
        ("TMF26001",),
        (
            Step(
                d("2026-05-26"),
                (S + "denied-timely-filing.837",),
                (
                    Expect("no_response", "follow_up", "TMF26001", "180.00", (), "2026-04-05"),
                    Expect(
                        "no_response.filing_deadline",
                        "filing_deadline",
                        "TMF26001",
                        "180.00",
                        (),
                        "2026-04-05",
                        "The filing deadline has passed",
                    ),
                ),
            ),
            Step(
                d("2026-05-27"),
                (S + "denied-timely-filing.835",),
                (
                    Expect(
                        "denial", "timely_filing", "TMF26001", "180.00", ("CO-29",), "2026-07-19"
                    ),
                ),
                (
                    Closed("no_response", "TMF26001", "on remittance TRN SCI-NP-260520-01"),
                    Closed("no_response.filing_deadline", "TMF26001", "SCI-NP-260520-01"),
                ),
            ),
        ),
    ),
    one(
        "denied-duplicate",
        "DUP26001",
        "2026-07-15",
        (S + "denied-duplicate.837", S + "denied-duplicate.1.835", S + "denied-duplicate.2.835"),
    ),
    one(
        "denied-duplicate-unpaid",
        "TDU26001",
        "2026-07-05",
        (T + "denied-duplicate-unpaid.837", T + "denied-duplicate-unpaid.835"),
        Expect(
            "denial",
            "duplicate",
            "TDU26001",
            "180.00",
            ("OA-18",),
            "2026-12-09",
            "Do not appeal: duplicate",
        ),
    ),
    one(
        "denied-frequency",
        "TFQ26001",
        "2026-07-05",
        (T + "denied-frequency.837", T + "denied-frequency.835"),
        Expect("denial", "frequency_limits", "TFQ26001", "130.00", ("CO-119", "N362")),
    ),
    one(
        "denied-other",
        "TOT26001",
        "2026-07-06",
        (T + "denied-other.837", T + "denied-other.835"),
        Expect("denial", "other", "TOT26001", "180.00", ("CO-129",)),
    ),
    one(
        "denied-coding",
        "COD26001",
        "2026-06-30",
        (S + "denied-coding.837", S + "denied-coding.835"),
        Expect("coding", "coding", "COD26001", "230.00", ("CO-4",), "2026-08-25"),
        Expect("coding", "coding", "COD26001", "35.00", ("CO-11",), "2026-08-25"),
    ),
    one(
        "multi-line-bundled",
        "BUN26001",
        "2026-10-10",
        (S + "multi-line-bundled.837", S + "multi-line-bundled.835"),
        Expect("coding", "bundling", "BUN26001", "25.00", ("CO-97", "M15")),
    ),
    one(
        "line-recoded-by-payer",
        "RCD26001",
        "2026-09-20",
        (S + "line-recoded-by-payer.837", S + "line-recoded-by-payer.835"),
        Expect("coding.recoded", "recoded", "RCD26001", "42.17", ("CO-150",)),
        Expect("coding.units_reduced", "units_reduced", "RCD26001", "32.55", ("CO-151", "N362")),
    ),
    one(
        "claim-edits",
        "TCE26001",
        "2026-06-16",
        (T + "claim-edits.837",),
        Expect(
            "coding.claim_edit", "diagnosis_code", "TCE26001", "250.00", ("diagnosis_code", "E11.9")
        ),
        Expect(
            "coding.claim_edit", "charge_total", "TCE26001", "250.00", ("charge_total", "225.00")
        ),
        Expect("coding.claim_edit", "modifier", "TCE26001", "185.00", ("modifier", "2")),
        Expect(
            "coding.claim_edit",
            "diagnosis_pointer",
            "TCE26001",
            "185.00",
            ("diagnosis_pointer", "3"),
        ),
        Expect(
            "coding.claim_edit", "procedure_code", "TCE26001", "40.00", ("procedure_code", "9921")
        ),
    ),
    one(
        "underpaid-against-contract",
        "UND26001",
        "2026-07-05",
        (S + "underpaid-against-contract.837", S + "underpaid-against-contract.835"),
        Expect("underpayment", "underpayment", "UND26001", "30.00", (), "2026-12-29"),
    ),
    Scenario(
        "plb-interest-and-recoupment",
        ("PLB26001", "PLB26002"),
        (
            Step(
                d("2026-09-01"),
                (S + "plb-interest-and-recoupment.837", S + "plb-interest-and-recoupment.1.835"),
                (Expect("underpayment.overpayment", "overpayment", "PLB26002", "50.00"),),
            ),
            Step(
                d("2026-10-20"),
                (S + "plb-interest-and-recoupment.2.835",),
                (),
                (Closed("underpayment.overpayment", "PLB26002", "recouped by the payer"),),
            ),
        ),
    ),
    Scenario(
        "paid-twice",
        ("TPT26001",),
        (
            Step(d("2026-07-05"), (T + "paid-twice.837", T + "paid-twice.1.835")),
            Step(
                d("2026-07-20"),
                (T + "paid-twice.2.835",),
                (
                    Expect("underpayment.overpayment", "overpayment", "TPT26001", "116.23"),
                    Expect("underpayment.credit_balance", "credit_balance", "TPT26001", "180.00"),
                ),
            ),
        ),
    ),
    one(
        "reversal-and-correction",
        "REV26001",
        "2026-08-25",
        (
            S + "reversal-and-correction.837",
            S + "reversal-and-correction.1.835",
            S + "reversal-and-correction.2.835",
        ),
    ),
    one(
        "wrong-payer-order",
        "WPO26001",
        "2026-08-25",
        (S + "wrong-payer-order.837", S + "wrong-payer-order.835"),
        Expect(
            "cob",
            "coordination_of_benefits",
            "WPO26001",
            "235.00",
            ("CO-22", "MA04"),
            "2026-12-22",
            "Another payer is primary (BLUEWATER HEALTH PLAN",
        ),
    ),
    one(
        "payer-order",
        "TPO26001",
        "2026-07-10",
        (T + "payer-order.837", T + "payer-order.835"),
        Expect("cob.payer_order", "payer_order", "TPO26001", "143.77"),
    ),
    one(
        "missing-primary",
        "TMP26001",
        "2026-06-16",
        (T + "missing-primary.837",),
        Expect("cob.missing_primary", "missing_primary", "TMP26001", "180.00"),
    ),
    Scenario(
        "crossover-to-secondary",
        ("XOV26001",),
        (
            Step(
                d("2026-09-15"),
                (S + "crossover-to-secondary.837", S + "crossover-to-secondary.1.835"),
                (
                    Expect(
                        "cob.crossover",
                        "crossover_missing",
                        "XOV26001",
                        "29.13",
                        (),
                        None,
                        "Bill LAKESHORE STATE MEDICAID directly",
                    ),
                ),
            ),
            Step(
                d("2026-09-16"),
                (S + "crossover-to-secondary.2.835",),
                (),
                (
                    Closed(
                        "cob.crossover",
                        "XOV26001",
                        "paid on remittance TRN LSM-EFT-260814-0001 on 2026-08-14 "
                        "(LAKESHORE STATE MEDICAID)",
                    ),
                ),
            ),
        ),
    ),
    Scenario(
        "secondary-payment",
        ("SEC26001",),
        (
            Step(
                d("2026-08-10"),
                (S + "secondary-payment.1.837", S + "secondary-payment.1.835"),
                (
                    Expect(
                        "cob.bill_secondary",
                        "bill_secondary",
                        "SEC26001",
                        "105.10",
                        (),
                        None,
                        "Send BLUEWATER HEALTH PLAN a secondary claim",
                    ),
                ),
            ),
            Step(
                d("2026-08-11"),
                (S + "secondary-payment.2.837",),
                (),
                (Closed("cob.bill_secondary", "SEC26001", "a secondary claim to BLUEWATER"),),
            ),
            Step(d("2026-09-01"), (S + "secondary-payment.2.835",)),
        ),
    ),
    one(
        "institutional-inpatient",
        "INP26001",
        "2026-10-01",
        (S + "institutional-inpatient.837i", S + "institutional-inpatient.835"),
    ),
    one(
        "unmatched-remittance",
        "UNM26001",
        "2026-09-30",
        (S + "unmatched-remittance.835",),
        Expect("remittance.unmatched", "unmatched", "UNM26001", "73.22"),
    ),
    one(
        "unbalanced-835",
        "UBL26001",
        "2026-10-25",
        (S + "unbalanced-835.837", S + "unbalanced-835.835"),
        Expect(
            "remittance.unbalanced",
            "unbalanced",
            "UBL26001",
            "20.00",
            ("balance.claim", "balance.claim-pr", "balance.line"),
        ),
    ),
)


def covered_by_scenarios() -> set[tuple[str, str]]:
    """(rule, category) pairs some scenario expects."""
    out = set()
    for scenario in SCENARIOS:
        for step in scenario.steps:
            out.update((e.rule, e.category) for e in step.open)
    return out
