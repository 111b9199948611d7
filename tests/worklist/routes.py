"""Which queue each finding (kind, category) goes to, and which scenario shows it on a database.

test_queues_config checks ROUTES against the registry (every kind and category routes) and
queues.toml (every shipped queue has a route here and a database case in SCENARIO_QUEUES).
"""

from __future__ import annotations

ROUTES: dict[tuple[str, str], str] = {
    ("denial", "eligibility"): "eligibility",
    ("denial", "authorization"): "authorization",
    ("denial", "medical_necessity"): "medical_necessity",
    ("denial", "timely_filing"): "timely_filing",
    ("denial", "duplicate"): "duplicates",
    ("denial", "missing_information"): "other_denials",
    ("denial", "frequency_limits"): "other_denials",
    ("denial", "other"): "other_denials",
    ("cob", "coordination_of_benefits"): "cob_secondary",
    ("cob", "payer_order"): "cob_secondary",
    ("cob", "missing_primary"): "cob_secondary",
    ("cob", "crossover_missing"): "cob_secondary",
    ("cob", "other_coverage"): "cob_secondary",
    ("cob", "bill_secondary"): "cob_secondary",
    ("coding", "coding"): "coding",
    ("coding", "bundling"): "coding",
    ("coding", "recoded"): "coding",
    ("coding", "units_reduced"): "coding",
    ("coding", "diagnosis_code"): "coding",
    ("coding", "procedure_code"): "coding",
    ("coding", "modifier"): "coding",
    ("coding", "diagnosis_pointer"): "coding",
    ("coding", "charge_total"): "coding",
    ("coding", "service_date"): "coding",
    ("no_response", "follow_up"): "no_response",
    ("no_response", "filing_deadline"): "timely_filing",
    ("no_response", "appeal_deadline"): "no_response",
    ("remittance", "unmatched"): "unmatched_remittances",
    ("remittance", "ambiguous"): "unmatched_remittances",
    ("remittance", "unbalanced"): "unmatched_remittances",
    ("underpayment", "underpayment"): "underpayments",
    ("underpayment", "overpayment"): "credit_balances",
    ("underpayment", "credit_balance"): "credit_balances",
}

S = "sample_edi/scenarios/"
T = "tests/analysis/data/"

# (name, files imported in order, as of, [(claim, category, queue) of every open finding])
SCENARIO_QUEUES: tuple[tuple[str, tuple[str, ...], str, tuple[tuple[str, str, str], ...]], ...] = (
    ("eligibility", (S + "denied-eligibility.837", S + "denied-eligibility.835"), "2026-04-25",
     (("ELG26001", "eligibility", "eligibility"),)),
    ("authorization", (S + "denied-authorization.837", S + "denied-authorization.835"),
     "2026-05-05", (("AUT26001", "authorization", "authorization"),)),
    ("medical-necessity",
     (S + "denied-medical-necessity.837", S + "denied-medical-necessity.835"), "2026-05-25",
     (("MNC26001", "medical_necessity", "medical_necessity"),)),
    ("missing-info", (S + "denied-missing-info.837", S + "denied-missing-info.835"),
     "2026-05-30", (("MIS26001", "missing_information", "other_denials"),)),
    ("timely-filing-unanswered", (S + "denied-timely-filing.837",), "2026-05-26",
     (("TMF26001", "follow_up", "no_response"), ("TMF26001", "filing_deadline", "timely_filing"))),
    ("duplicate", (T + "denied-duplicate-unpaid.837", T + "denied-duplicate-unpaid.835"),
     "2026-07-05", (("TDU26001", "duplicate", "duplicates"),)),
    ("frequency", (T + "denied-frequency.837", T + "denied-frequency.835"), "2026-07-05",
     (("TFQ26001", "frequency_limits", "other_denials"),)),
    ("coding", (S + "denied-coding.837", S + "denied-coding.835"), "2026-06-30",
     (("COD26001", "coding", "coding"), ("COD26001", "coding", "coding"))),
    ("bundled", (S + "multi-line-bundled.837", S + "multi-line-bundled.835"), "2026-10-10",
     (("BUN26001", "bundling", "coding"),)),
    ("underpaid", (S + "underpaid-against-contract.837", S + "underpaid-against-contract.835"),
     "2026-07-05", (("UND26001", "underpayment", "underpayments"),)),
    ("paid-twice", (T + "paid-twice.837", T + "paid-twice.1.835", T + "paid-twice.2.835"),
     "2026-07-20", (("TPT26001", "overpayment", "credit_balances"),
                    ("TPT26001", "credit_balance", "credit_balances"))),
    ("wrong-payer-order", (S + "wrong-payer-order.837", S + "wrong-payer-order.835"),
     "2026-08-25", (("WPO26001", "coordination_of_benefits", "cob_secondary"),)),
    ("missing-primary", (T + "missing-primary.837",), "2026-06-16",
     (("TMP26001", "missing_primary", "cob_secondary"),)),
    ("unmatched", (S + "unmatched-remittance.835",), "2026-09-30",
     (("UNM26001", "unmatched", "unmatched_remittances"),)),
    ("unbalanced", (S + "unbalanced-835.837", S + "unbalanced-835.835"), "2026-10-25",
     (("UBL26001", "unbalanced", "unmatched_remittances"),)),
)  # fmt: skip

TIMELY_FILING_DENIAL = (
    (S + "denied-timely-filing.835",),
    "2026-05-27",
    ("TMF26001", "timely_filing", "timely_filing"),
)
"""Imported after the unanswered step: the denial lands in timely_filing, the clocks close."""
