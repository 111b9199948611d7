"""837P/837I reading: claim, context, diagnoses, lines, COB loops, 4010, streaming."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from test_837_build import (
    BILLING,
    CLAIM_I,
    CLAIM_P,
    HEADER,
    SUBSCRIBER,
    claims,
    errors,
    read,
    warnings,
)

from parsers.records import Diagnosis, Procedure, SubmittedClaim, TransactionEnd
from parsers.x12.claim_837 import read_837

FULL_P = [
    *HEADER,
    "HL*1**20*1",
    "PRV*BI*PXC*207Q00000X",
    "NM1*85*2*SYNTH CLINIC*****XX*1999999984",
    "N3*1 TEST WAY*SUITE 2",
    "N4*ANYTOWN*ZZ*000010000",
    "REF*EI*000000001",
    "NM1*87*2",
    "N3*PO BOX 9",
    "N4*ANYTOWN*ZZ*000010009",
    *SUBSCRIBER,
    "CLM*PCN-P1*250.50***11:B:7*Y*A*Y*Y",
    "DTP*431*D8*20251201",
    "DTP*304*D8*20251215",
    "AMT*F5*20.00",
    "REF*F8*PAYERCLM0001",
    "REF*G1*AUTH777",
    "REF*EA*MRN0001",
    "HI*ABK:J069*ABF:R05*ABF:R509",
    "NM1*DN*1*REFERRER*ANN****XX*1000000004",
    "NM1*82*1*RENDERER*BOB****XX*1000000012",
    "PRV*PE*PXC*207Q00000X",
    "REF*G2*RND01",
    "NM1*77*2*SYNTH SITE*****XX*1000000020",
    "N3*3 SITE RD",
    "N4*ANYTOWN*ZZ*000010003",
    "LX*1",
    "SV1*HC:99214:25:59:GT:95:OFFICE VISIT*150.50*UN*1*11**1:2:3**Y",
    "DTP*472*D8*20260102",
    "REF*6R*LINE-1",
    "LX*2",
    "SV1*HC:J3301*100.00*MJ*30***3",
    "DTP*472*RD8*20260102-20260104",
    "REF*6R*LINE-2",
    "LIN**N4*00009999999",
    "CTP****1*UN",
    "NM1*82*1*LINEDOC*CAT****XX*1000000038",
]


def test_professional_claim_with_every_part(tmp_path: Path) -> None:
    recs = read(tmp_path, FULL_P)
    assert errors(recs) == []
    (claim,) = claims(recs)
    assert claim.kind == "837P" and claim.patient_control_number == "PCN-P1"
    assert claim.total_charge == Decimal("250.50")
    assert (claim.facility_code, claim.facility_qualifier, claim.frequency) == ("11", "B", "7")
    assert (claim.payer_responsibility, claim.relationship) == ("P", "18")
    assert (claim.group_number, claim.filing_indicator) == ("GRP01", "CI")
    assert claim.submitter is not None and claim.submitter.identifier == "S0001"
    assert claim.receiver is not None and claim.receiver.entity_code == "40"
    billing = claim.billing_provider
    assert billing is not None and billing.identifier == "1999999984"
    assert billing.address is not None and billing.address.line2 == "SUITE 2"
    assert billing.ref("EI") == "000000001"
    assert claim.pay_to_provider is not None and claim.pay_to_provider.address is not None
    assert claim.subscriber is not None and claim.subscriber.birth_date == dt.date(1980, 1, 1)
    assert claim.payer is not None and claim.payer.identifier == "PAYER1"
    assert claim.dates == (("431", "D8", "20251201"), ("304", "D8", "20251215"))
    assert claim.amounts == (("F5", Decimal("20.00")),)
    assert claim.ref("F8") == "PAYERCLM0001" and claim.ref("G1") == "AUTH777"
    assert [d.code for d in claim.diagnoses] == ["J069", "R05", "R509"]
    assert [p.entity_code for p in claim.providers] == ["DN", "82", "77"]
    assert claim.providers[1].ref("PXC") == "207Q00000X" and claim.providers[1].ref("G2") == "RND01"
    assert claim.providers[2].address is not None


def test_professional_service_lines(tmp_path: Path) -> None:
    line1, line2 = claims(read(tmp_path, FULL_P))[0].lines
    assert line1.procedure == Procedure("HC", "99214", ("25", "59", "GT", "95"), "OFFICE VISIT")
    assert (line1.charge, line1.unit_basis, line1.units) == (Decimal("150.50"), "UN", Decimal(1))
    assert line1.place_of_service == "11" and line1.diagnosis_pointers == ("1", "2", "3")
    assert line1.service_date == dt.date(2026, 1, 2) and line1.service_date_end is None
    assert line1.line_control_number == "LINE-1" and line1.line_number == "1"
    assert (line2.unit_basis, line2.units, line2.place_of_service) == ("MJ", Decimal(30), "")
    assert line2.diagnosis_pointers == ("3",)
    assert (line2.service_date, line2.service_date_end) == (
        dt.date(2026, 1, 2),
        dt.date(2026, 1, 4),
    )
    assert line2.ndc == "00009999999"
    assert [p.last_or_org_name for p in line2.providers] == ["LINEDOC"]


COB = [
    *HEADER,
    *BILLING,
    *SUBSCRIBER,
    "CLM*PCN-COB*100.00***11:B:1*Y*A*Y*Y",
    "HI*ABK:J069",
    "SBR*S*01*GRP-O******CI",
    "CAS*PR*1*21.89**2*15.00*3",
    "CAS*CO*45*3.11",
    "AMT*D*60.00",
    "AMT*A8*3.11",
    "AMT*EAF*36.89",
    "OI***Y*P**Y",
    "MOA***MA01",
    "NM1*IL*1*OTHERLAST*OTHERFIRST****MI*OTH001",
    "N3*9 ELSEWHERE",
    "N4*OTHERTOWN*ZZ*000020000",
    "NM1*PR*2*SYNTH OTHER PLAN*****PI*PAYER2",
    "DTP*573*D8*20251220",
    "REF*F8*OTHERCLM01",
    "LX*1",
    "SV1*HC:99213*100.00*UN*1***1",
    "DTP*472*D8*20251210",
    "SVD*PAYER2*60.00*HC:99213**1",
    "CAS*PR*1*21.89",
    "CAS*CO*45*3.11",
    "CAS*OA*23*15.00",
    "DTP*573*D8*20251220",
]


def test_coordination_of_benefits_loops(tmp_path: Path) -> None:
    recs = read(tmp_path, COB)
    assert errors(recs) == []
    (claim,) = claims(recs)
    (other,) = claim.other_payers
    assert (other.payer_responsibility, other.relationship) == ("S", "01")
    assert (other.group_number, other.filing_indicator) == ("GRP-O", "CI")
    assert [(a.group, a.reason, a.amount, a.quantity) for a in other.adjustments] == [
        ("PR", "1", Decimal("21.89"), None),
        ("PR", "2", Decimal("15.00"), Decimal(3)),
        ("CO", "45", Decimal("3.11"), None),
    ]
    assert {a.level for a in other.adjustments} == {"claim"}
    assert other.paid_amount == Decimal("60.00") and other.noncovered_amount == Decimal("3.11")
    assert other.remaining_liability == Decimal("36.89")
    assert other.other_insurance[2] == "Y" and other.outpatient_adjudication == ("", "", "MA01")
    assert other.subscriber is not None and other.subscriber.identifier == "OTH001"
    assert other.payer is not None and other.payer.ref("F8") == "OTHERCLM01"
    assert other.adjudication_date == dt.date(2025, 12, 20)
    (adjudication,) = claim.lines[0].other_payer_adjudications
    assert adjudication.payer_id == "PAYER2" and adjudication.paid == Decimal("60.00")
    assert adjudication.procedure == Procedure("HC", "99213") and adjudication.units == 1
    assert [(a.group, a.reason, a.amount) for a in adjudication.adjustments] == [
        ("PR", "1", Decimal("21.89")),
        ("CO", "45", Decimal("3.11")),
        ("OA", "23", Decimal("15.00")),
    ]
    assert adjudication.adjudication_date == dt.date(2025, 12, 20)


def test_patient_is_the_subscriber(tmp_path: Path) -> None:
    (claim,) = claims(read(tmp_path, [*HEADER, *BILLING, *SUBSCRIBER, *CLAIM_P]))
    assert claim.patient is claim.subscriber and claim.relationship == "18"


def test_patient_who_is_not_the_subscriber(tmp_path: Path) -> None:
    subscriber = [
        s.replace("SBR*P*18*", "SBR*P**").replace("HL*2*1*22*0", "HL*2*1*22*1") for s in SUBSCRIBER
    ]
    patient = [
        "HL*3*2*23*0",
        "PAT*19",
        "NM1*QC*1*TESTLAST*CHILD",
        "N3*2 SAMPLE ST",
        "N4*ANYTOWN*ZZ*000010000",
        "DMG*D8*20150505*M",
    ]
    recs = read(tmp_path, [*HEADER, *BILLING, *subscriber, *patient, *CLAIM_P])
    assert errors(recs) == []
    (claim,) = claims(recs)
    assert claim.patient is not None and claim.patient.entity_code == "QC"
    assert claim.patient.first_name == "CHILD" and claim.patient.gender == "M"
    assert claim.subscriber is not None and claim.subscriber.first_name == "TESTFIRST"
    assert claim.relationship == "19"


def test_context_parties_are_shared_by_reference(tmp_path: Path) -> None:
    second = [s.replace("PCN001", "PCN002") for s in CLAIM_P]
    next_subscriber = [s.replace("HL*2*1", "HL*3*1").replace("M0001", "M0002") for s in SUBSCRIBER]
    recs = read(
        tmp_path, [*HEADER, *BILLING, *SUBSCRIBER, *CLAIM_P, *second, *next_subscriber, *CLAIM_P]
    )
    a, b, c = claims(recs)
    assert a.billing_provider is b.billing_provider is c.billing_provider
    assert a.subscriber is b.subscriber and a.payer is b.payer
    assert c.subscriber is not a.subscriber and c.subscriber is not None
    assert c.subscriber.identifier == "M0002"


def test_principal_diagnosis_comes_first(tmp_path: Path) -> None:
    claim_lines = [s if not s.startswith("HI") else "HI*ABF:R05~HI*ABK:J069" for s in CLAIM_P]
    segments = "~".join([*HEADER, *BILLING, *SUBSCRIBER, *claim_lines]).split("~")
    (claim,) = claims(read(tmp_path, segments))
    assert [d.qualifier for d in claim.diagnoses] == ["ABK", "ABF"]


def test_institutional_claim(tmp_path: Path) -> None:
    segments = [
        *HEADER, *BILLING, *SUBSCRIBER,
        "CLM*PCN-I1*500.00***13:A:1*Y*A*Y*Y",
        "DTP*434*RD8*20260101-20260103",
        "DTP*435*DT*202601010830",
        "DTP*096*TM*1130",
        "CL1*1*7*01",
        "HI*ABK:J189:::::::Y",
        "HI*ABJ:R509*APR:R05",
        "HI*ABF:E119:::::::N*ABF:I10:::::::U",
        "HI*BBR:0BH17EZ:D8:20260101",
        "HI*BG:01",
        "NM1*71*1*ATTENDING*AL****XX*1000000046",
        "PRV*AT*PXC*207R00000X",
        "LX*1",
        "SV2*0450*HC:99283:25*400.00*UN*1",
        "DTP*472*D8*20260101",
        "LX*2",
        "SV2*0300**100.00*UN*2",
    ]  # fmt: skip
    recs = read(tmp_path, segments, "005010X223A2")
    assert errors(recs) == []
    (claim,) = claims(recs)
    assert claim.kind == "837I" and (claim.facility_code, claim.facility_qualifier) == ("13", "A")
    assert claim.date("434") == "20260101-20260103" and claim.date("096") == "1130"
    assert claim.diagnoses[0] == Diagnosis("ABK", "J189", "Y")
    assert [d.qualifier for d in claim.diagnoses] == ["ABK", "ABJ", "APR", "ABF", "ABF", "BBR"]
    assert claim.diagnoses[3].present_on_admission == "N"
    assert claim.providers[0].entity_code == "71"
    ed, room = claim.lines
    assert (ed.revenue_code, ed.procedure, ed.charge) == (
        "0450",
        Procedure("HC", "99283", ("25",)),
        Decimal("400.00"),
    )
    assert (ed.unit_basis, ed.units, ed.service_date) == ("UN", Decimal(1), dt.date(2026, 1, 1))
    assert (room.revenue_code, room.procedure, room.units) == ("0300", None, Decimal(2))


def test_4010_professional_claim_is_read_and_marked(tmp_path: Path) -> None:
    segments = [
        "BHT*0019*00*B0001*20060209*0826*CH",
        "REF*87*004010X098A1",
        *HEADER[1:],
        "HL*1**20*1",
        "NM1*85*2*SYNTH SCHOOL*****24*000000001",
        "N3*1 TEST WAY",
        "N4*ANYTOWN*ZZ*000010000",
        "REF*1D*PROV01",
        *SUBSCRIBER,
        "CLM*0777-1*32.73***03::1*Y*A*Y*Y*C",
        "HI*BK:4779*BF:2724",
        "LX*1",
        "SV1*HC:T1018:U1*10.63*UN*1***1:2",
        "DTP*472*D8*20060102",
    ]
    recs = read(tmp_path, segments, "004010X098A1")
    assert errors(recs) == []
    (claim,) = claims(recs)
    assert claim.transaction.is_4010 and claim.kind == "837P"
    assert (claim.facility_code, claim.facility_qualifier, claim.frequency) == ("03", "", "1")
    assert [d.qualifier for d in claim.diagnoses] == ["BK", "BF"]


def test_4010_institutional_payer_is_loop_2010bc(tmp_path: Path) -> None:
    segments = [
        "BHT*0019*00*0001*20020122*1100*CH",
        "REF*87*004010X096A1",
        *HEADER[1:],
        *BILLING[:4],
        "HL*2*1*22*0",
        "SBR*P*18*******MC",
        "NM1*IL*1*TESTLAST*TESTFIRST****MI*M0001",
        "NM1*AO*2*CARDHOLDER",
        "NM1*PR*2*SYNTH MEDICARE*****PI*PAYER9",
        "CLM*PCN-4I*974.00***13:A:1*Y*A*Y*A",
        "DTP*434*RD8*20011101-20011103",
        "CL1*3*7",
        "HI*BK:78907*BJ:78907",
        "SBR*S*01*GRP2******CI",
        "DMG*D8*19521001*F",
        "OI***Y***A",
        "NM1*IL*1*OTHERLAST*OTHERFIRST****MI*OTH01",
        "NM1*PR*2*SYNTH OTHER*****PI*PAYER8",
        "NM1*QC*1******MI*PAT01",
        "LX*1",
        "SV2*301**350.00*UN*1",
        "DTP*472*D8*20011101",
    ]
    recs = read(tmp_path, segments, "004010X096A1")
    assert errors(recs) == []
    (claim,) = claims(recs)
    assert claim.transaction.is_4010 and claim.kind == "837I"
    assert claim.payer is not None and claim.payer.identifier == "PAYER9"
    assert claim.other_payers[0].payer is not None
    assert claim.other_payers[0].payer.identifier == "PAYER8"


def test_component_separator_used_instead_of_the_declared_one(tmp_path: Path) -> None:
    claim_lines = [
        "CLM*PCN001*100.00***11>B>1*Y*A*Y*Y",
        "HI*ABK>J069*ABF>R05",
        "LX*1",
        "SV1*HC>99213>25*100.00*UN*1***1>2",
        "DTP*472*D8*20260102",
    ]
    recs = read(tmp_path, [*HEADER, *BILLING, *SUBSCRIBER, *claim_lines])
    assert errors(recs) == []
    (claim,) = claims(recs)
    assert claim.frequency == "1" and claim.lines[0].procedure == Procedure("HC", "99213", ("25",))
    assert [d.code for d in claim.diagnoses] == ["J069", "R05"]
    assert any("ISA16" in w.message and w.element == "CLM05" for w in warnings(recs))


def test_pointer_beyond_the_diagnoses_and_wrong_hl_parent_are_warnings(tmp_path: Path) -> None:
    subscriber = [s.replace("HL*2*1*22", "HL*2*9*22") for s in SUBSCRIBER]
    claim_lines = [s.replace("11**1**Y", "11**1:4**Y") for s in CLAIM_P]
    recs = read(tmp_path, [*HEADER, *BILLING, *subscriber, *claim_lines])
    assert errors(recs) == [] and len(claims(recs)) == 1
    assert {w.element for w in warnings(recs)} == {"HL02", "SV107"}


def test_claims_stream_out_before_the_transaction_ends(tmp_path: Path) -> None:
    """A claim is yielded when its loop closes, not at SE: memory stays flat."""
    recs = read(tmp_path, [*HEADER, *BILLING, *SUBSCRIBER, *CLAIM_P])
    ts = claims(recs)[0].transaction
    body = [*HEADER, *BILLING, *SUBSCRIBER, *CLAIM_P, *CLAIM_P, *CLAIM_P]
    consumed = 0

    def segments() -> Iterator[tuple[int, list[str]]]:
        nonlocal consumed
        for n, text in enumerate(body, start=4):
            consumed += 1
            yield n, text.split("*")

    reader = read_837(ts, segments())
    first = next(r for r in reader if not isinstance(r, TransactionEnd))
    assert isinstance(first, SubmittedClaim) and first.patient_control_number == "PCN001"
    assert consumed < len(body)


def test_institutional_sample_claim_helper_reads_cleanly(tmp_path: Path) -> None:
    recs = read(tmp_path, [*HEADER, *BILLING, *SUBSCRIBER, *CLAIM_I], "005010X223A3")
    assert errors(recs) == [] and claims(recs)[0].lines[0].revenue_code == "0450"
