"""Hand-built records for the writer tests: claims (original, corrected, secondary) and payments."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal as D

from parsers.records import (
    Address,
    Adjustment,
    ClaimPayment,
    Delimiters,
    Diagnosis,
    FunctionalGroup,
    Interchange,
    LineAdjudication,
    OtherPayer,
    Party,
    Procedure,
    ProviderAdjustment,
    RemittanceHeader,
    ServiceLine,
    ServicePayment,
    SubmittedClaim,
    TransactionSet,
)

TS = TransactionSet(
    Interchange("ZZ", "S", "ZZ", "R", "", "", "00501", "1", "T", Delimiters("*", ":", "^", "~")),
    FunctionalGroup("HC", "S", "R", "", "1", "005010X222A1"),
    "837",
    "0001",
    "005010X222A1",
    3,
)
ADDRESS = Address("12 LANTERN WAY", "APT 4", "LAKESHORE CITY", "IL", "00601")
BILLING = Party(
    "85",
    "LAKESHORE FAMILY MEDICINE",
    id_qualifier="XX",
    identifier="1234567893",
    entity_type="2",
    address=Address("400 HARBOR LIGHT DR", "", "LAKESHORE CITY", "IL", "006010400"),
    refs=(("EI", "001000010"),),
)
SUBSCRIBER = Party(
    "IL",
    "ALDERWICK",
    "IMOGEN",
    "Q",
    id_qualifier="MI",
    identifier="MB000000001",
    entity_type="1",
    address=ADDRESS,
    birth_date=dt.date(1951, 3, 9),
    gender="F",
)
CHILD = Party(
    "QC",
    "ALDERWICK",
    "JASPER",
    entity_type="1",
    address=ADDRESS,
    birth_date=dt.date(2015, 6, 1),
    gender="M",
)
MEDICARE = Party(
    "PR", "MEDICARE PART B SYNTHETIC MAC", id_qualifier="PI", identifier="SXMB1", entity_type="2"
)
BLUEWATER = Party(
    "PR", "BLUEWATER HEALTH PLAN", id_qualifier="PI", identifier="SXBLW", entity_type="2"
)
RENDERING = Party(
    "82",
    "QUILLFEATHER",
    "MARISOL",
    id_qualifier="XX",
    identifier="2900000318",
    entity_type="1",
)
BILLED_RENDERING = dataclasses.replace(RENDERING, refs=(("PXC", "207Q00000X"),))  # PRV03 taxonomy
DOS = dt.date(2024, 3, 1)


def line(n: int, code: str, charge: str, **kw: object) -> ServiceLine:
    """A professional service line."""
    values: dict[str, object] = {
        "line_number": str(n),
        "procedure": Procedure("HC", code, tuple(kw.pop("mods", ()))),  # type: ignore[arg-type]
        "charge": D(charge),
        "unit_basis": "UN",
        "units": D(1),
        "diagnosis_pointers": ("1",),
        "service_date": DOS,
        "line_control_number": f"LC{n:03d}",
    }
    values.update(kw)
    return ServiceLine(**values)  # type: ignore[arg-type]


def professional(pcn: str = "PCN0001", **kw: object) -> SubmittedClaim:
    """An original 837P claim, patient = subscriber, two lines."""
    lines = (
        line(1, "99213", "230", mods=("25",)),
        line(2, "36415", "25", diagnosis_pointers=("1", "2")),
    )
    values: dict[str, object] = {
        "transaction": TS,
        "kind": "837P",
        "patient_control_number": pcn,
        "total_charge": D("255"),
        "facility_code": "11",
        "facility_qualifier": "B",
        "frequency": "1",
        "payer_responsibility": "P",
        "filing_indicator": "MB",
        "group_number": "",
        "relationship": "18",
        "submitter": None,
        "receiver": None,
        "billing_provider": BILLING,
        "pay_to_provider": None,
        "subscriber": SUBSCRIBER,
        "payer": MEDICARE,
        "patient": SUBSCRIBER,
        "diagnoses": (Diagnosis("ABK", "E119"), Diagnosis("ABF", "I10")),
        "providers": (BILLED_RENDERING,),
        "lines": lines,
        "signature_on_file": "Y",  # CLM06
        "assignment": "A",  # CLM07
        "benefits_assigned": "Y",  # CLM08
        "release_of_information": "Y",  # CLM09
    }
    values.update(kw)
    return SubmittedClaim(**values)  # type: ignore[arg-type]


def dependent(pcn: str = "PCN0002") -> SubmittedClaim:
    """A claim for a child on a parent's commercial plan (2000C patient loop)."""
    # DMG is sent for the subscriber only when the subscriber is the patient (TR3 2010BA)
    sub = dataclasses.replace(SUBSCRIBER, identifier="BW000000001", birth_date=None, gender="")
    return professional(
        pcn,
        relationship="19",
        patient=CHILD,
        subscriber=sub,
        payer=BLUEWATER,
        filing_indicator="CI",
        group_number="GRP0042",
    )


def corrected(pcn: str = "PCN0003") -> SubmittedClaim:
    """A replacement claim: CLM05-3 = 7 with REF*F8 the payer's original claim number."""
    return professional(pcn, frequency="7", refs=(("F8", "MB00001000000003"),))


OI = ("", "", "Y", "", "", "Y")  # OI03 benefits assigned, OI06 release of information


def secondary(pcn: str = "PCN0004") -> SubmittedClaim:
    """A secondary claim: SBR S, 2320/2330 with the primary's CAS and AMT*D, 2430 per line."""
    primary_sub = dataclasses.replace(
        SUBSCRIBER, identifier="BW000000004", birth_date=None, gender=""
    )  # 2330A has no DMG
    cas = (
        Adjustment("CO", "45", D("113.77"), level="line"),
        Adjustment("PR", "3", D("30"), level="line"),
    )
    adjudicated = tuple(
        dataclasses.replace(
            ln,
            other_payer_adjudications=(
                LineAdjudication("SXBLW", paid, ln.procedure, D(1), adj, dt.date(2024, 3, 20)),
            ),
        )
        for ln, paid, adj in (
            (line(1, "99213", "230", mods=("25",)), D("86.23"), cas),
            (
                line(2, "36415", "25"),
                D("3.59"),
                (
                    Adjustment("CO", "45", D("21.01"), level="line"),
                    Adjustment("PR", "2", D("0.40"), level="line"),
                ),
            ),
        )
    )
    other = OtherPayer(
        "P",
        "18",
        "GRP0042",
        "CI",
        primary_sub,
        BLUEWATER,
        paid_amount=D("89.82"),
        remaining_liability=D("30.40"),
        amounts=(("D", D("89.82")), ("EAF", D("30.40"))),
        other_insurance=OI,
    )
    return professional(
        pcn,
        payer_responsibility="S",
        filing_indicator="MC",
        other_payers=(other,),
        payer=Party(
            "PR", "LAKESHORE STATE MEDICAID", id_qualifier="PI", identifier="SXMCD", entity_type="2"
        ),
        subscriber=dataclasses.replace(SUBSCRIBER, identifier="MD000000004"),
        patient=dataclasses.replace(SUBSCRIBER, identifier="MD000000004"),
        lines=adjudicated,
    )


def secondary_claim_level(pcn: str = "PCN0006") -> SubmittedClaim:
    """A secondary claim whose primary adjudicated at claim level: 2320 CAS, 2330B DTP*573."""
    other = OtherPayer(
        "P",
        "18",
        "GRP0042",
        "CI",
        dataclasses.replace(SUBSCRIBER, identifier="BW000000006", birth_date=None, gender=""),
        BLUEWATER,
        adjustments=(
            Adjustment("CO", "45", D("134.78"), level="claim"),
            Adjustment("PR", "1", D("50"), level="claim"),
            Adjustment("PR", "2", D("7.02"), level="claim"),
        ),
        paid_amount=D("63.20"),
        remaining_liability=D("57.02"),
        noncovered_amount=D("0"),
        adjudication_date=dt.date(2024, 3, 20),
        other_insurance=OI,
        amounts=(("D", D("63.20")), ("A8", D("0")), ("EAF", D("57.02"))),
    )
    return dataclasses.replace(secondary(pcn), other_payers=(other,), lines=professional().lines)


def institutional(pcn: str = "PCN0005") -> SubmittedClaim:
    """An outpatient 837I claim (type of bill 131) with revenue codes and HCPCS."""
    lines = (
        ServiceLine(
            "1",
            Procedure("HC", "99284"),
            D("1150"),
            "UN",
            D(1),
            revenue_code="0450",
            service_date=DOS,
            line_control_number="LC001",
        ),
        ServiceLine(
            "2",
            Procedure("HC", "J1885"),
            D("48"),
            "UN",
            D(4),
            revenue_code="0636",
            service_date=DOS,
            line_control_number="LC002",
        ),
    )
    attending = dataclasses.replace(BILLED_RENDERING, entity_code="71")
    return professional(
        pcn,
        kind="837I",
        facility_code="13",
        facility_qualifier="A",
        total_charge=D("1198"),
        dates=(("434", "RD8", "20240301-20240301"),),
        refs=(("EA", "MR0001"),),
        providers=(attending,),
        lines=lines,
        signature_on_file="",  # CLM06 is not used in the 837I
        assignment="C",  # CLM07 not assigned
        release_of_information="I",  # CLM09 informed consent, federal statutes
        admission_type="3",  # CL101 elective
        admission_source="1",  # CL102 non-health-care facility point of origin
        patient_status="01",  # CL103 discharged home
        billing_provider=dataclasses.replace(
            BILLING, last_or_org_name="LAKESHORE COMMUNITY HOSPITAL"
        ),
    )


PAYER_835 = Party(
    "PR",
    "MEDICARE PART B SYNTHETIC MAC",
    address=Address("PO BOX 00101", "", "LAKESHORE CITY", "IL", "00101"),
    refs=(("2U", "SXMB1"),),
)
PAYEE_835 = Party(
    "PE",
    "LAKESHORE FAMILY MEDICINE",
    id_qualifier="XX",
    identifier="1234567893",
    refs=(("TJ", "001000010"),),
)


def payment(pcn: str = "PCN0001", status: str = "1") -> ClaimPayment:
    """A balanced professional claim payment with CO-45, PR-1/PR-2, allowed and a remark."""
    s1 = ServicePayment(
        Procedure("HC", "99213", ("25",)),
        D("230"),
        D("53.22"),
        service_date=DOS,
        line_control_number="LC001",
        adjustments=(
            Adjustment("CO", "45", D("138.48"), level="line"),
            Adjustment("PR", "1", D("25"), level="line"),
            Adjustment("PR", "2", D("13.30"), level="line"),
        ),
        amounts=(("B6", D("91.52")),),
        remarks=(("HE", "N130"),),
    )
    s2 = ServicePayment(
        Procedure("HC", "36415"),
        D("25"),
        D("0"),
        service_date=DOS,
        line_control_number="LC002",
        adjustments=(Adjustment("CO", "97", D("25"), level="line"),),
        remarks=(("HE", "M15"),),
    )
    return ClaimPayment(
        pcn,
        status,
        D("255"),
        D("53.22"),
        D("38.30"),
        "MB",
        "MB00001000000001",
        "11",
        "1",
        patient=Party(
            "QC",
            "ALDERWICK",
            "IMOGEN",
            id_qualifier="MI",
            identifier="MB000000001",
            entity_type="1",
        ),
        rendering_provider=RENDERING,
        services=(s1, s2),
        statement_start=DOS,
        statement_end=DOS,
        received_date=dt.date(2024, 3, 5),
    )


def denial(pcn: str = "PCN0009") -> ClaimPayment:
    """A claim denied at claim level (CO-29 timely filing) with no lines."""
    return ClaimPayment(
        pcn,
        "4",
        D("180"),
        D("0"),
        D("0"),
        "MB",
        "MB00001000000009",
        "11",
        "1",
        patient=Party(
            "QC",
            "BRACKENRIDGE",
            "SILAS",
            id_qualifier="MI",
            identifier="MB000000009",
            entity_type="1",
        ),
        adjustments=(Adjustment("CO", "29", D("180")),),
        outpatient_adjudication=("", "", "N30"),
        remark_codes=("N30",),
    )


def crossover(pcn: str = "PCN0010") -> ClaimPayment:
    """CLP02 19 with NM1*TT naming the Medicaid crossover carrier."""
    return dataclasses.replace(
        payment(pcn),
        status="19",
        payer_claim_number="MB00001000000010",
        crossover_carrier=Party(
            "TT", "LAKESHORE STATE MEDICAID", id_qualifier="PI", identifier="SXMCD", entity_type="2"
        ),
        outpatient_adjudication=("", "", "MA18"),
        remark_codes=("MA18",),
    )


PLB = (
    ProviderAdjustment("1234567893", dt.date(2024, 12, 31), "L6", "MB00001000000001", D("-1.25")),
    ProviderAdjustment("1234567893", dt.date(2024, 12, 31), "WO", "MB00001000000077", D("10")),
)


def header(amount: D, method: str = "CHK") -> RemittanceHeader:
    """A payment header (check, or ACH with synthetic bank details in raw_bpr)."""
    raw: tuple[str, ...] = ()
    if method == "ACH":
        raw = (
            "I",
            str(amount),
            "C",
            "ACH",
            "CCP",
            "01",
            "999999992",
            "DA",
            "000123456",
            "1000000101",
            "",
            "01",
            "999988880",
            "DA",
            "000987654",
            "20240320",
        )
    return RemittanceHeader(
        None,
        "I",
        amount,
        "C",
        method,
        "CCP" if method == "ACH" else "",
        dt.date(2024, 3, 20),
        "1",
        "MB0000100001",
        "1000000101",
        production_date=dt.date(2024, 3, 19),
        payer=PAYER_835,
        payee=PAYEE_835,
        payer_contacts=(("BL", "TE", "8005550101"),),
        raw_bpr=raw,
    )
