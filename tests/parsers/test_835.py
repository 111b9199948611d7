"""The 835 loop reader: every segment it must read, balancing, bad values, order, streaming."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from parsers import errors_of, read_file
from parsers.records import (
    Adjustment,
    ClaimPayment,
    Delimiters,
    FunctionalGroup,
    Interchange,
    Issue,
    Procedure,
    Record,
    RemittanceHeader,
    RemittanceTrailer,
    Severity,
    TransactionEnd,
    TransactionSet,
)
from parsers.x12.record_makers import fast_constructor, record_builder
from parsers.x12.remittance_835 import read_835

D = Decimal

ISA_5010 = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*260105*1200*^*00501*000000101*0*P*:~"
)
ISA_4010 = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*260105*1200*U*00401*000000101*0*P*:~"
)

HEADER = [
    "BPR*I*{bpr}*C*ACH*CCP*01*999999992*DA*123456*1512345678**01*999988880*DA*98765*20260105",
    "TRN*1*TRACE0001*1512345678*SUPPL9",
    "CUR*PR*USD",
    "REF*EV*RECEIVER01",
    "REF*F2*VERSION1",
    "DTM*405*20260104",
    "N1*PR*SYNTHETIC HEALTH PLAN*XV*PAYER01",
    "N3*100 EXAMPLE WAY*SUITE 2",
    "N4*SPRINGFIELD*IL*627010000*US",
    "REF*2U*PAYER2U",
    "REF*EO*SUBMITTER9",
    "PER*CX*CLAIMS DESK*TE*5550100*EX*12",
    "PER*BL*EDI HELP*TE*5550101*EM*edi@example.invalid",
    "PER*IC**UR*www.example.invalid",
    "N1*PE*SYNTHETIC CLINIC*XX*1999999984",
    "N3*1 CLINIC RD",
    "N4*SHELBYVILLE*IL*627020000",
    "REF*TJ*999999999",
    "REF*PQ*PAYEEID7",
    "RDM*EM*BILLING OFFICE*billing@example.invalid",
]

# Claim 1 balances: lines 200 + 100 = CLP03 300; line CAS 50 + 15, claim CAS 35;
# 300 - 35 - 65 = CLP04 200; PR CAS 40 = CLP05.
FULL_CLAIM = [
    "LX*1",
    "TS3*1999999984*11*20261231*2*350.00",
    "TS2*10.00*20.00",
    "CLP*PCN001*1*300.00*200.00*40.00*12*PAYERCLM001*11*1*01*DRG1*1.5*0.5*Y",
    "CAS*CO*45*30.00*1*253*5.00",
    "NM1*QC*1*DOE*JANE*Q**JR*MI*MEMBER001",
    "NM1*IL*1*DOE*JOHN****MI*SUB001",
    "NM1*74*1*DOE*JANET****C*NEWID",
    "NM1*82*1*SMITH*PAT****XX*1999999992",
    "NM1*TT*2*SYNTHETIC MEDIGAP*****PI*CROSS01",
    "NM1*PR*2*OTHER PAYER*****PI*PRIO01",
    "NM1*GB*1*ROE*RICHARD****MI*OTHERSUB",
    "MIA*0*10.00*1*2.00*MA01*1*2*3*4*5*6*7*8*9*10*11*12*13*14*MA02*MA03*MA04*MA05*MA06",
    "MOA*0.8*5.00*MA07*MA08*MA09*MA10*MA11*1.00*2.00",
    "REF*1L*GROUP77",
    "REF*F8*ORIGCLAIM",
    "DTM*232*20260101",
    "DTM*233*20260102",
    "DTM*036*20261231",
    "DTM*050*20260103",
    "PER*CX*CLAIM CONTACT*TE*5550102",
    "AMT*AU*300.00",
    "AMT*I*1.25",
    "QTY*CA*2",
    "SVC*HC:99213:25:59:XS:XU:OFFICE VISIT*200.00*150.00*0510*1*HC:99214*2",
    "DTM*472*20260101",
    "CAS*PR*1*40.00",
    "CAS*CO*45*10.00",
    "REF*6R*LINE001",
    "REF*LU*LOC1",
    "AMT*B6*190.00",
    "QTY*ZK*1",
    "LQ*HE*N130",
    "LQ*RX*RX01",
    "SVC*HC:85025*100.00*85.00**1",
    "DTM*150*20260101",
    "DTM*151*20260102",
    "CAS*CO*45*15.00",
]
SMALL_CLAIM = [
    "CLP*PCN002*1*80.00*60.00**12*PAYERCLM002",
    "NM1*QC*1*ROE*RITA****MI*MEMBER002",
    "SVC*HC:99212*80.00*60.00**1",
    "DTM*472*20260101",
    "CAS*CO*45*20.00",
]
PLB_SIX = "PLB*1999999984*20261231*L6:INT01*-1.25*WO:PCN009*10.00*FB:FWD1*5.00*72:X1*1.00*CS:ADJ*2.00*AP:ACC*3.00"


def x835(
    body: list[str], bpr: str = "0", *, v4010: bool = False, drop: tuple[str, ...] = ()
) -> str:
    """A whole interchange around one 835 transaction; `drop` removes header segments."""
    head = [h.replace("{bpr}", bpr) for h in HEADER if not (drop and h.startswith(drop))]
    segs = ["ST*835*0001" + ("" if v4010 else "*005010X221A1"), *head, *body]
    segs.append(f"SE*{len(segs) + 1}*0001")
    gs08 = "004010X091A1" if v4010 else "005010X221A1"
    return (
        (ISA_4010 if v4010 else ISA_5010)
        + f"GS*HP*SENDER*RECEIVER*20260105*1200*7*X*{gs08}~\n"
        + "~\n".join(segs)
        + "~\nGE*1*7~\nIEA*1*000000101~\n"
    )


def read(tmp_path: Path, text: str) -> list[Record]:
    path = tmp_path / "remit.835"
    path.write_text(text)
    return list(read_file(path))


def claims(records: list[Record]) -> list[ClaimPayment]:
    return [r for r in records if isinstance(r, ClaimPayment)]


def trailer(records: list[Record]) -> RemittanceTrailer:
    return next(r for r in records if isinstance(r, RemittanceTrailer))


def header(records: list[Record]) -> RemittanceHeader:
    return next(r for r in records if isinstance(r, RemittanceHeader))


def all_issues(records: list[Record]) -> list[Issue]:
    out: list[Issue] = []
    for r in records:
        if isinstance(r, Issue):
            out.append(r)
        elif isinstance(r, ClaimPayment | RemittanceTrailer):
            out.extend(r.issues)
    return out


def codes(records: list[Record]) -> list[tuple[str, str]]:
    return [(i.severity.value, i.code) for i in all_issues(records)]


@pytest.fixture
def full(tmp_path: Path) -> list[Record]:
    # CLP04 200 + 60, minus PLB 19.75
    return read(tmp_path, x835([*FULL_CLAIM, *SMALL_CLAIM, PLB_SIX], bpr="240.25"))


# --------------------------------------------------------------------------- order and header


def test_header_claims_trailer_come_in_file_order(full: list[Record]) -> None:
    kinds = [type(r).__name__ for r in full]
    assert kinds == [
        "RemittanceHeader",
        "ClaimPayment",
        "ClaimPayment",
        "RemittanceTrailer",
        "TransactionEnd",
    ]


def test_a_balanced_complete_835_has_no_issue_at_all(full: list[Record]) -> None:
    assert all_issues(full) == []
    end = full[-1]
    assert isinstance(end, TransactionEnd) and end.claim_count == 2 and end.issues == ()


def test_header_reads_bpr_trn_cur_ref_dtm(full: list[Record]) -> None:
    h = header(full)
    assert (h.handling_code, h.payment_amount, h.credit_debit) == ("I", D("240.25"), "C")
    assert (h.payment_method, h.payment_format) == ("ACH", "CCP")
    assert h.payment_date == dt.date(2026, 1, 5)
    assert len(h.raw_bpr) == 16 and h.raw_bpr[6] == "999999992" and h.raw_bpr[14] == "98765"
    assert (h.trace_type, h.trace_number, h.originator_id) == ("1", "TRACE0001", "1512345678")
    assert h.trace_supplemental == "SUPPL9"
    assert h.currency == "USD"
    assert h.receiver_id == "RECEIVER01"
    assert h.refs == (("EV", "RECEIVER01"), ("F2", "VERSION1"))
    assert h.production_date == dt.date(2026, 1, 4)
    assert h.transaction is not None and h.transaction.control_number == "0001"


def test_header_reads_payer_and_payee_loops(full: list[Record]) -> None:
    h = header(full)
    payer, payee = h.payer, h.payee
    assert payer is not None and payee is not None
    assert (payer.entity_code, payer.last_or_org_name) == ("PR", "SYNTHETIC HEALTH PLAN")
    assert (payer.id_qualifier, payer.identifier) == ("XV", "PAYER01")
    assert payer.address is not None
    assert (payer.address.line1, payer.address.line2) == ("100 EXAMPLE WAY", "SUITE 2")
    assert (payer.address.city, payer.address.state) == ("SPRINGFIELD", "IL")
    assert (payer.address.postal_code, payer.address.country) == ("627010000", "US")
    assert payer.refs == (("2U", "PAYER2U"), ("EO", "SUBMITTER9"))
    assert h.payer_id == "PAYER2U"
    assert h.payer_contacts == (
        ("CX", "", "CLAIMS DESK"),
        ("CX", "TE", "5550100"),
        ("CX", "EX", "12"),
        ("BL", "", "EDI HELP"),
        ("BL", "TE", "5550101"),
        ("BL", "EM", "edi@example.invalid"),
        ("IC", "UR", "www.example.invalid"),
    )
    assert (payee.entity_code, payee.id_qualifier, payee.identifier) == ("PE", "XX", "1999999984")
    assert payee.address is not None and payee.address.city == "SHELBYVILLE"
    assert payee.refs == (("TJ", "999999999"), ("PQ", "PAYEEID7"))
    assert h.payee_delivery == ("EM", "BILLING OFFICE", "billing@example.invalid")


def test_provider_summaries_are_kept_raw_on_the_trailer_header(full: list[Record]) -> None:
    assert header(full).provider_summaries == ()  # the header comes before LX is read
    assert trailer(full).header.provider_summaries == (
        ("LX", "1"),
        ("TS3", "1999999984", "11", "20261231", "2", "350.00"),
        ("TS2", "10.00", "20.00"),
    )


def test_header_is_yielded_even_without_claims(tmp_path: Path) -> None:
    recs = read(tmp_path, x835([]))
    assert [type(r).__name__ for r in recs] == [
        "RemittanceHeader",
        "RemittanceTrailer",
        "TransactionEnd",
    ]
    assert trailer(recs).claim_count == 0 and all_issues(recs) == []


# --------------------------------------------------------------------------- claim loop


def test_clp_reads_all_fourteen_elements(full: list[Record]) -> None:
    c = claims(full)[0]
    assert (c.patient_control_number, c.status, c.charge, c.paid) == (
        "PCN001",
        "1",
        D("300.00"),
        D("200.00"),
    )
    assert c.patient_responsibility == D("40.00")
    assert (c.filing_indicator, c.payer_claim_number) == ("12", "PAYERCLM001")
    assert (c.facility_type, c.frequency, c.patient_status) == ("11", "1", "01")
    assert (c.drg_code, c.drg_weight, c.discharge_fraction) == ("DRG1", D("1.5"), D("0.5"))
    assert c.yes_no_condition == "Y"
    assert c.segment_index == 27  # ISA, GS, ST, 20 header segments, LX, TS3, TS2, CLP


def test_claim_parties_nm1(full: list[Record]) -> None:
    c = claims(full)[0]
    assert c.patient is not None and c.patient.display_name == "DOE, JANE Q"
    assert (c.patient.suffix, c.patient.id_qualifier, c.patient.identifier) == (
        "JR",
        "MI",
        "MEMBER001",
    )
    assert c.insured is not None and c.insured.identifier == "SUB001"
    assert c.corrected_patient is not None and c.corrected_patient.identifier == "NEWID"
    assert c.rendering_provider is not None and c.rendering_provider.identifier == "1999999992"
    assert c.crossover_carrier is not None
    assert (c.crossover_carrier.last_or_org_name, c.crossover_carrier.identifier) == (
        "SYNTHETIC MEDIGAP",
        "CROSS01",
    )
    assert c.corrected_priority_payer is not None
    assert c.corrected_priority_payer.identifier == "PRIO01"
    assert c.other_subscriber is not None and c.other_subscriber.last_or_org_name == "ROE"


def test_mia_moa_raw_and_their_remark_codes(full: list[Record]) -> None:
    c = claims(full)[0]
    assert len(c.inpatient_adjudication) == 24 and c.inpatient_adjudication[4] == "MA01"
    assert c.outpatient_adjudication == (
        "0.8",
        "5.00",
        "MA07",
        "MA08",
        "MA09",
        "MA10",
        "MA11",
        "1.00",
        "2.00",
    )
    assert c.remark_codes == (
        "MA01",
        "MA02",
        "MA03",
        "MA04",
        "MA05",
        "MA06",
        "MA07",
        "MA08",
        "MA09",
        "MA10",
        "MA11",
    )


def test_claim_ref_dtm_per_amt_qty(full: list[Record]) -> None:
    c = claims(full)[0]
    assert c.refs == (("1L", "GROUP77"), ("F8", "ORIGCLAIM"))
    assert (c.statement_start, c.statement_end) == (dt.date(2026, 1, 1), dt.date(2026, 1, 2))
    assert c.coverage_expiration == dt.date(2026, 12, 31)
    assert c.received_date == dt.date(2026, 1, 3)
    assert c.contacts == (("CX", "", "CLAIM CONTACT"), ("CX", "TE", "5550102"))
    assert c.amounts == (("AU", D("300.00")), ("I", D("1.25")))
    assert c.amount("I") == D("1.25")
    assert c.quantities == (("CA", D("2")),)


def test_claim_level_cas_triplets(full: list[Record]) -> None:
    c = claims(full)[0]
    assert [(a.group, a.reason, a.amount, a.quantity, a.level) for a in c.adjustments] == [
        ("CO", "45", D("30.00"), D("1"), "claim"),
        ("CO", "253", D("5.00"), None, "claim"),
    ]
    assert len(c.all_adjustments) == 5


def test_service_line_reads_every_element(full: list[Record]) -> None:
    s = claims(full)[0].services[0]
    assert s.procedure == Procedure("HC", "99213", ("25", "59", "XS", "XU"), "OFFICE VISIT")
    assert (s.charge, s.paid, s.revenue_code, s.units_paid) == (
        D("200.00"),
        D("150.00"),
        "0510",
        D("1"),
    )
    assert s.original_procedure == Procedure("HC", "99214")
    assert s.original_units == D("2")
    assert s.service_date == dt.date(2026, 1, 1)
    assert s.line_control_number == "LINE001"
    assert s.refs == (("LU", "LOC1"),)
    assert s.allowed == D("190.00")
    assert s.quantities == (("ZK", D("1")),)
    assert s.remarks == (("HE", "N130"), ("RX", "RX01"))
    assert [(a.group, a.reason, a.amount, a.level) for a in s.adjustments] == [
        ("PR", "1", D("40.00"), "line"),
        ("CO", "45", D("10.00"), "line"),
    ]
    assert s.segment_index == 24 + FULL_CLAIM.index("DTM*472*20260101") - 1


def test_service_line_date_range(full: list[Record]) -> None:
    s = claims(full)[0].services[1]
    assert s.service_date is None
    assert (s.service_start, s.service_end) == (dt.date(2026, 1, 1), dt.date(2026, 1, 2))
    assert s.original_procedure is None and s.revenue_code == ""


def test_cas_reads_all_six_triplets(tmp_path: Path) -> None:
    body = [
        "CLP*PCN1*1*100.00*40.00**12*X",
        "CAS*CO*45*10.00*1*253*10.00**59*10.00*2*A2*10.00**B10*10.00**97*10.00*3",
    ]
    c = claims(read(tmp_path, x835(body, bpr="40.00")))[0]
    assert [(a.reason, a.amount, a.quantity) for a in c.adjustments] == [
        ("45", D("10.00"), D("1")),
        ("253", D("10.00"), None),
        ("59", D("10.00"), D("2")),
        ("A2", D("10.00"), None),
        ("B10", D("10.00"), None),
        ("97", D("10.00"), D("3")),
    ]


def test_plb_reads_all_six_pairs(full: list[Record]) -> None:
    t = trailer(full)
    assert [(p.reason, p.reference, p.amount) for p in t.provider_adjustments] == [
        ("L6", "INT01", D("-1.25")),
        ("WO", "PCN009", D("10.00")),
        ("FB", "FWD1", D("5.00")),
        ("72", "X1", D("1.00")),
        ("CS", "ADJ", D("2.00")),
        ("AP", "ACC", D("3.00")),
    ]
    p = t.provider_adjustments[0]
    assert (p.provider_id, p.fiscal_period_end) == ("1999999984", dt.date(2026, 12, 31))
    assert (t.plb_total, t.claim_paid_total, t.claim_count) == (D("19.75"), D("260.00"), 2)
    assert t.balanced and t.issues == ()
    end = full[-1]
    assert isinstance(end, TransactionEnd)
    assert (
        t.segment_count == end.segment_count == len(HEADER) + len(FULL_CLAIM) + len(SMALL_CLAIM) + 3
    )


# --------------------------------------------------------------------------- special claims


def test_reversal_with_negative_amounts_balances(tmp_path: Path) -> None:
    body = [
        "CLP*PCN7*22*-100.00*-70.00*-10.00*12*PAYERCLM7",
        "CAS*CO*45*-20.00",
        "SVC*HC:99213*-100.00*-90.00**-1",
        "CAS*PR*1*-10.00",
        "CLP*PCN7*1*100.00*50.00*10.00*12*PAYERCLM7",
        "CAS*CO*45*40.00",
        "SVC*HC:99213*100.00*90.00**1",
        "CAS*PR*1*10.00",
    ]
    recs = read(tmp_path, x835(body, bpr="-20.00"))
    reversal, corrected = claims(recs)
    assert (reversal.status, reversal.charge, reversal.paid) == ("22", D("-100.00"), D("-70.00"))
    assert reversal.patient_responsibility == D("-10.00")
    assert reversal.services[0].units_paid == D("-1")
    assert corrected.paid == D("50.00")
    assert all_issues(recs) == []
    assert trailer(recs).claim_paid_total == D("-20.00")


def test_crossover_carrier_nm1_tt(tmp_path: Path) -> None:
    body = [
        "CLP*PCN8*19*100.00*80.00*20.00*MB*PAYERCLM8",
        "CAS*PR*2*20.00",
        "NM1*QC*1*DOE*JANE",
        "NM1*TT*2*SYNTHETIC SUPPLEMENT*****PI*SUPP77",
    ]
    recs = read(tmp_path, x835(body, bpr="80.00"))
    c = claims(recs)[0]
    assert c.crossover_carrier is not None
    assert (c.crossover_carrier.entity_code, c.crossover_carrier.identifier) == ("TT", "SUPP77")
    assert c.status == "19" and all_issues(recs) == []


def test_svc06_recoded_procedure(tmp_path: Path) -> None:
    body = [
        "CLP*PCN9*1*100.00*60.00**12*X",
        "SVC*HC:99212*100.00*60.00**1*HC:99214:25*1",
        "CAS*CO*45*40.00",
    ]
    s = claims(read(tmp_path, x835(body, bpr="60.00")))[0].services[0]
    assert s.procedure.code == "99212"
    assert s.original_procedure == Procedure("HC", "99214", ("25",))
    assert s.original_units == D("1")


# --------------------------------------------------------------------------- balancing


BALANCE_CASES = {
    "line": (
        ["CLP*P1*1*100.00*90.00**12*X", "SVC*HC:1*100.00*80.00**1", "CAS*CO*45*10.00"],
        "balance.line",
        "SVC03",
    ),
    "claim-paid": (
        ["CLP*P1*1*100.00*85.00**12*X", "SVC*HC:1*100.00*80.00**1", "CAS*CO*45*20.00"],
        "balance.claim",
        "CLP04",
    ),
    "claim-pr": (
        ["CLP*P1*1*100.00*80.00*5.00*12*X", "CAS*PR*1*20.00"],
        "balance.claim-pr",
        "CLP05",
    ),
    "lines-vs-charge": (
        ["CLP*P1*1*100.00*50.00**12*X", "CAS*CO*45*50.00", "SVC*HC:1*60.00*60.00**1"],
        "balance.claim",
        "CLP03",
    ),
}


@pytest.mark.parametrize("case", sorted(BALANCE_CASES))
def test_claim_balancing_warnings(tmp_path: Path, case: str) -> None:
    body, code, element = BALANCE_CASES[case]
    recs = read(tmp_path, x835(body, bpr=body[0].split("*")[4]))
    found = [i for i in all_issues(recs) if i.code.startswith("balance.")]
    assert [(i.severity, i.code, i.element) for i in found] == [(Severity.WARNING, code, element)]
    assert found[0].claim == "P1"
    assert set(found) <= set(claims(recs)[0].issues)  # attached to the claim, not loose


def test_missing_pr_total_when_clp05_is_empty_warns(tmp_path: Path) -> None:
    recs = read(tmp_path, x835(["CLP*P1*1*100.00*80.00**12*X", "CAS*PR*1*20.00"], bpr="80.00"))
    assert codes(recs) == [("warning", "balance.claim-pr")]


def test_transaction_balance_warning_is_on_the_trailer(tmp_path: Path) -> None:
    recs = read(tmp_path, x835([*SMALL_CLAIM, "PLB*1999999984*20261231*L6*-2.00"], bpr="60.00"))
    t = trailer(recs)
    assert [(i.severity, i.code, i.element) for i in t.issues] == [
        (Severity.WARNING, "balance.transaction", "BPR02")
    ]
    assert not t.balanced
    assert [r for r in recs if isinstance(r, Issue)] == []  # reported once, on the trailer


def test_sub_cent_differences_are_not_imbalances(tmp_path: Path) -> None:
    body = ["CLP*P1*1*100.004*100.00**12*X"]
    assert all_issues(read(tmp_path, x835(body, bpr="100.00"))) == []


# --------------------------------------------------------------------------- bad values


@pytest.mark.parametrize(
    ("segment", "seg_id", "element"),
    [
        ("CLP*P1*1*100.00*12.3.4**12*X", "CLP", "CLP04"),
        ("CLP*P1*1*ABC*0**12*X", "CLP", "CLP03"),
        ("CLP*P1*1*100.00*0*NaN*12*X", "CLP", "CLP05"),
        ("CLP*P1*1*100*0**12*X~SVC*HC:1*1O0.00*0", "SVC", "SVC02"),
        ("CLP*P1*1*100*0**12*X~SVC*HC:1*100*0~CAS*CO*45*1,00", "CAS", "CAS03"),
        ("CLP*P1*1*100*0**12*X~CAS*CO*45*1.00*Q", "CAS", "CAS04"),
        ("CLP*P1*1*100*0**12*X~AMT*AU*$100", "AMT", "AMT02"),
        ("CLP*P1*1*100*0**12*X~QTY*CA*two", "QTY", "QTY02"),
        ("CLP*P1*1*100*100**12*X~DTM*232*20260230", "DTM", "DTM02"),
        ("CLP*P1*1*100*100**12*X~SVC*HC:1*100*100~DTM*472*2026010", "DTM", "DTM02"),
        ("CLP*P1*1*100*99**12*X~CAS*CO**1.00", "CAS", "CAS02"),
    ],
)
def test_bad_claim_values_are_errors_naming_the_place(
    tmp_path: Path, segment: str, seg_id: str, element: str
) -> None:
    recs = read(tmp_path, x835(segment.split("~"), bpr="0"))
    errors = errors_of(recs)
    assert [(e.segment_id, e.element) for e in errors] == [(seg_id, element)]
    err = errors[0]
    assert err.claim == "P1" and err.segment_index is not None and err.segment_index > 23
    assert element in err.message
    assert len(claims(recs)) == 1  # the claim is still reported, with its error
    assert not any(i.code.startswith("balance.") for i in claims(recs)[0].issues)


@pytest.mark.parametrize(
    ("segment", "seg_id", "element"),
    [
        ("PLB*1999999984*20261231*WO:X*ten", "PLB", "PLB04"),
        ("PLB*1999999984*20261232*WO:X*1.00", "PLB", "PLB02"),
        ("PLB*1999999984*20261231*:X*1.00", "PLB", "PLB03"),
    ],
)
def test_bad_plb_values_are_loose_errors(
    tmp_path: Path, segment: str, seg_id: str, element: str
) -> None:
    recs = read(tmp_path, x835([segment], bpr="-1.00"))
    loose = [r for r in recs if isinstance(r, Issue) and r.severity is Severity.ERROR]
    assert [(e.segment_id, e.element) for e in loose] == [(seg_id, element)]


def test_bad_bpr02_and_production_date_are_errors(tmp_path: Path) -> None:
    text = x835([], bpr="12x").replace("DTM*405*20260104", "DTM*405*2026")
    errors = errors_of(read(tmp_path, text))
    assert [(e.segment_id, e.element, e.segment_index) for e in errors] == [
        ("BPR", "BPR02", 4),
        ("DTM", "DTM02", 9),
    ]


def test_impossible_bpr16_is_only_a_warning(tmp_path: Path) -> None:
    text = x835(SMALL_CLAIM, bpr="60.00").replace("*98765*20260105", "*98765*20002316")
    recs = read(tmp_path, text)
    assert header(recs).payment_date is None
    assert codes(recs) == [("warning", "value.invalid")]
    assert all_issues(recs)[0].element == "BPR16"


# --------------------------------------------------------------------------- code sets


@pytest.mark.parametrize("status", ["5", "11", "13", "15", "16", "17", "27", "99"])
def test_clp02_codes_not_in_5010_are_warnings(tmp_path: Path, status: str) -> None:
    recs = read(tmp_path, x835([f"CLP*P1*{status}*0*0**12*X"]))
    assert codes(recs) == [("warning", "835.claim-status")]
    assert claims(recs)[0].status == status


@pytest.mark.parametrize("status", ["1", "2", "3", "4", "19", "20", "21", "22", "23", "25"])
def test_clp02_codes_of_5010_are_accepted(tmp_path: Path, status: str) -> None:
    assert codes(read(tmp_path, x835([f"CLP*P1*{status}*0*0**12*X"]))) == []


def test_cr_group_is_a_warning_in_5010(tmp_path: Path) -> None:
    body = ["CLP*P1*1*100.00*90.00**12*X", "CAS*CR*45*10.00"]
    recs = read(tmp_path, x835(body, bpr="90.00"))
    assert codes(recs) == [("warning", "835.group-code")]
    assert claims(recs)[0].adjustments[0].group == "CR"


def test_4010_allows_cr_and_its_own_status_codes(tmp_path: Path) -> None:
    body = [
        "CLP*P1*5*100.00*90.00**12*X",
        "CAS*CR*45*10.00",
        "CLP*P2*1*100.00*90.00**12*X",
        "CAS*ZZ*45*10.00",
    ]
    recs = read(tmp_path, x835(body, bpr="180.00", v4010=True))
    h = header(recs)
    assert h.transaction is not None and h.transaction.is_4010
    assert [c.patient_control_number for c in claims(recs)] == ["P1", "P2"]
    assert codes(recs) == [("warning", "835.group-code")]  # only ZZ


# --------------------------------------------------------------------------- structure


def test_unknown_segment_is_a_warning_and_skipped(tmp_path: Path) -> None:
    body = ["CLP*P1*1*100.00*100.00**12*X", "ZZZ*1*2", "NM1*QC*1*DOE*JANE"]
    recs = read(tmp_path, x835(body, bpr="100.00"))
    assert codes(recs) == [("warning", "835.segment-unknown")]
    assert claims(recs)[0].patient is not None


@pytest.mark.parametrize("orphan", ["SVC*HC:99213*10*10", "CAS*CO*45*10", "NM1*QC*1*DOE", "MOA"])
def test_claim_segments_before_any_clp_are_errors(tmp_path: Path, orphan: str) -> None:
    recs = read(tmp_path, x835(["LX*1", orphan, *SMALL_CLAIM], bpr="60.00"))
    errors = errors_of(recs)
    assert [(e.code, e.segment_id, e.segment_index) for e in errors] == [
        ("835.segment-outside-claim", orphan[:3].rstrip("*"), 25)
    ]
    assert isinstance(recs[0], RemittanceHeader)  # the header still comes first
    assert len(claims(recs)) == 1


def test_claim_segments_after_plb_are_errors(tmp_path: Path) -> None:
    body = [*SMALL_CLAIM, "PLB*1999999984*20261231*L6*0", "CAS*CO*45*1.00"]
    errors = errors_of(read(tmp_path, x835(body, bpr="60.00")))
    assert [e.code for e in errors] == ["835.segment-outside-claim"]


def test_header_segment_after_claims_is_a_warning(tmp_path: Path) -> None:
    recs = read(tmp_path, x835([*SMALL_CLAIM, "N1*PE*LATE"], bpr="60.00"))
    assert codes(recs) == [("warning", "835.segment-order")]


def test_missing_bpr_and_trn_are_errors(tmp_path: Path) -> None:
    errors = errors_of(read(tmp_path, x835(SMALL_CLAIM, drop=("BPR", "TRN"))))
    assert [(e.code, e.segment_id) for e in errors] == [
        ("835.segment-missing", "BPR"),
        ("835.segment-missing", "TRN"),
    ]


def test_issues_are_loose_before_the_header_and_inside_claims_after(tmp_path: Path) -> None:
    text = x835(["CLP*P1*1*0*0**12*X", "ZZZ"]).replace("CUR*PR*USD", "XYZ*1")
    recs = read(tmp_path, text)
    assert isinstance(recs[0], Issue) and recs[0].code == "835.segment-unknown"
    assert isinstance(recs[1], RemittanceHeader)
    claim = recs[2]
    assert isinstance(claim, ClaimPayment)
    assert [(i.code, i.segment_id, i.claim) for i in claim.issues] == [
        ("835.segment-unknown", "ZZZ", "P1")
    ]


# --------------------------------------------------------------------------- streaming


def _ts() -> TransactionSet:
    isa = Interchange(
        "ZZ", "S", "ZZ", "R", "260105", "1200", "00501", "1", "P", Delimiters("*", ":", "^", "~")
    )
    group = FunctionalGroup("HP", "S", "R", "20260105", "1", "005010X221A1")
    return TransactionSet(isa, group, "835", "0001", "005010X221A1", 3)


def test_claims_stream_without_reading_ahead() -> None:
    consumed = 0

    def endless() -> Iterator[tuple[int, list[str]]]:
        nonlocal consumed
        head = [h.replace("{bpr}", "0").split("*") for h in HEADER]
        for n in itertools.count():
            seg = head[n] if n < len(head) else ["CLP", f"P{n}", "1", "0", "0", "", "12", "X"]
            consumed = n + 1
            yield n + 4, seg

    stream = read_835(_ts(), endless())
    first = list(itertools.islice(stream, 4))
    assert isinstance(first[0], RemittanceHeader)
    assert [type(r) for r in first[1:]] == [ClaimPayment] * 3
    assert consumed == len(HEADER) + 4  # each claim comes out as soon as the next CLP starts


def test_empty_bpr16_with_the_date_in_bpr15_says_so(tmp_path: Path) -> None:
    text = x835([]).replace("*98765*20260105", "*20260105")
    recs = read(tmp_path, text)
    (found,) = all_issues(recs)
    assert (found.severity, found.element) == (Severity.WARNING, "BPR16")
    assert "BPR15 holds 20260105" in found.message


@pytest.mark.parametrize(
    ("segments", "code"),
    [
        (["CLP*P1*1*0*0**12*X", "NM1*QC*1*A", "NM1*QC*1*B"], "835.segment-repeated"),
        (["CLP*P1*1*0*0**12*X", "MOA*1", "MOA*2"], "835.segment-repeated"),
        (["CLP*P1*1*0*0**12*X", "NM1*XX*1*A"], "835.segment-unexpected"),
        (["CLP*P1*1*0*0**12*X", "DTM*472*20260101"], "835.date-qualifier"),
        (["CLP*P1*1*0*0**12*X", "SVC*HC:1*0*0", "DTM*232*20260101"], "835.date-qualifier"),
        (["CLP*P1*1*0*0**12*X", "LQ*HE*N1"], "835.segment-order"),
        (["CLP*P1*1*0*0**12*X", "SVC*HC:1*0*0", "NM1*QC*1*A"], "835.segment-order"),
        (["CLP*P1*1*0*0**12*X", "TS3*1*11*20261231*1*0"], "835.segment-order"),
        (["PLB*1*20261231*L6*0", "CLP*P1*1*0*0**12*X"], "835.segment-order"),
        (["CLP*P1*1*0*0**12*X", "SVC*HC*0*0"], "value.missing"),
    ],
)
def test_out_of_place_but_readable_segments_are_warnings(
    tmp_path: Path, segments: list[str], code: str
) -> None:
    recs = read(tmp_path, x835(segments))
    assert codes(recs) == [("warning", code)]
    assert len(claims(recs)) == 1


def test_missing_payer_and_payee_loops_are_warnings(tmp_path: Path) -> None:
    drop = ("N1", "N3", "N4", "PER", "RDM", "REF*2U", "REF*EO", "REF*TJ", "REF*PQ")
    recs = read(tmp_path, x835(SMALL_CLAIM, bpr="60.00", drop=drop))
    assert codes(recs) == [("warning", "835.segment-missing")] * 2
    h = header(recs)
    assert h.payer is None and h.payee is None
    assert h.payer_id == "1512345678"  # TRN03 as the fallback


def test_4010_n2_adds_to_the_name(tmp_path: Path) -> None:
    text = x835([], v4010=True).replace("N3*1 CLINIC RD", "N2*WEST WING~\nN3*1 CLINIC RD")
    text = text.replace("SE*22*", "SE*23*")
    recs = read(tmp_path, text)
    payee = header(recs).payee
    assert payee is not None and payee.last_or_org_name == "SYNTHETIC CLINIC WEST WING"
    assert all_issues(recs) == []


def test_records_are_genuine_frozen_dataclasses(full: list[Record]) -> None:
    claim = claims(full)[0]
    line = claim.services[0]
    for record in (claim, line, claim.adjustments[0], line.adjustments[0], claim.patient):
        assert record is not None
        assert type(record).__module__ == "parsers.records"
        rebuilt = dataclasses.replace(record)  # through the dataclass's own __init__
        assert rebuilt == record and hash(rebuilt) == hash(record)
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.paid = D(0)  # type: ignore[misc]


def test_record_builder_refuses_a_builder_missing_a_required_field() -> None:
    class Partial:
        __slots__ = ("group", "reason")

    with pytest.raises(TypeError, match="amount"):
        record_builder(Adjustment, Partial)


def test_fast_constructor_matches_the_dataclass() -> None:
    make = fast_constructor(Adjustment)
    assert make("CO", "45", D("1.00")) == Adjustment("CO", "45", D("1.00"))
    assert type(make("PR", "1", D(2), level="line")) is Adjustment


def test_reading_an_835_leaves_no_garbage_cycles() -> None:
    """The import pauses the cyclic GC: a reader must be freed by reference counting alone
    (a cycle per transaction held ~35 MB at 1,000,000 claims)."""
    import gc

    from parsers import read_file

    path = (
        Path(__file__).resolve().parents[2]
        / "sample_edi"
        / "scenarios"
        / "denied-authorization.835"
    )
    was = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        assert sum(1 for _ in read_file(path)) > 0
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()
