"""Frozen, typed records that every reader produces and every layer above consumes.

Money is Decimal, codes and ids are str (leading zeros matter), dates are datetime.date.
Element ids from the implementation guides are noted beside each field (CLP04 = claim paid).
Records hold raw values; problems travel as Issue records, not exceptions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Format(StrEnum):
    """What a file holds, sniffed from its content."""

    X12_835 = "835"
    X12_837P = "837P"
    X12_837I = "837I"
    FHIR_EOB = "fhir-eob"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    """An error refuses the file; a warning is stored beside what was read."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem found while reading, with where it was found."""

    severity: Severity
    code: str  # stable machine id, e.g. "envelope.se-count", "balance.claim"
    message: str  # plain words for a billing specialist
    segment_index: int | None = None  # 1-based position of the segment in the file
    segment_id: str | None = None  # e.g. "CLP"
    element: str | None = None  # e.g. "CLP04"
    claim: str | None = None  # patient control number the issue belongs to, when known

    def where(self) -> str:
        """Human-readable location: 'segment 42 (CLP04)'."""
        parts: list[str] = []
        if self.segment_index is not None:
            parts.append(f"segment {self.segment_index}")
        if self.segment_id:
            parts.append(self.element or self.segment_id)
        return " ".join(parts) if parts else "file"


# --------------------------------------------------------------------------- envelope


@dataclass(frozen=True, slots=True)
class Delimiters:
    """Delimiters read from the ISA; any character, newline included."""

    element: str
    component: str
    repetition: str | None
    segment: str


@dataclass(frozen=True, slots=True)
class Interchange:
    """ISA/IEA interchange header."""

    sender_qualifier: str  # ISA05
    sender_id: str  # ISA06
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08
    date: str  # ISA09 YYMMDD
    time: str  # ISA10 HHMM
    version: str  # ISA12 00501 / 00401
    control_number: str  # ISA13
    usage: str  # ISA15 P production / T test
    delimiters: Delimiters


@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    """GS/GE functional group header."""

    functional_id: str  # GS01 HP (835) / HC (837)
    sender_code: str  # GS02
    receiver_code: str  # GS03
    date: str  # GS04 CCYYMMDD
    control_number: str  # GS06
    version: str  # GS08 e.g. 005010X221A1


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """ST/SE transaction set header, with the envelopes around it."""

    interchange: Interchange
    group: FunctionalGroup
    set_id: str  # ST01 835 / 837
    control_number: str  # ST02
    implementation: str  # ST03 (5010) or GS08 when absent
    segment_index: int  # position of the ST segment in the file

    @property
    def is_4010(self) -> bool:
        """4010 files are read where the structure is the same, and marked."""
        return self.implementation.startswith("004010") or self.interchange.version == "00401"


# --------------------------------------------------------------------------- parties


@dataclass(frozen=True, slots=True)
class Address:
    """N3/N4 address."""

    line1: str = ""  # N301
    line2: str = ""  # N302
    city: str = ""  # N401
    state: str = ""  # N402
    postal_code: str = ""  # N403
    country: str = ""  # N404


@dataclass(frozen=True, slots=True)
class Party:
    """An NM1 or N1 entity: payer, provider, patient, subscriber."""

    entity_code: str  # NM101 / N101 (QC patient, IL insured, PR payer, 85 billing ...)
    last_or_org_name: str = ""  # NM103 / N102
    first_name: str = ""  # NM104
    middle_name: str = ""  # NM105
    suffix: str = ""  # NM107
    id_qualifier: str = ""  # NM108 / N103 (XX NPI, MI member id, PI payer id, FI tax id)
    identifier: str = ""  # NM109 / N104
    entity_type: str = ""  # NM102 1 person / 2 non-person
    address: Address | None = None
    refs: tuple[tuple[str, str], ...] = ()  # REF01 qualifier, REF02 value
    birth_date: dt.date | None = None  # DMG02
    gender: str = ""  # DMG03

    @property
    def display_name(self) -> str:
        """'LAST, FIRST M' for people, the name for organisations."""
        given = " ".join(p for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_or_org_name}, {given}" if given else self.last_or_org_name

    def ref(self, qualifier: str) -> str | None:
        """First REF02 with this REF01 qualifier."""
        return next((v for q, v in self.refs if q == qualifier), None)


# --------------------------------------------------------------------------- 835


class ClaimStatus(StrEnum):
    """CLP02 claim status codes valid in 005010X221A1."""

    PRIMARY = "1"
    SECONDARY = "2"
    TERTIARY = "3"
    DENIED = "4"
    PRIMARY_FORWARDED = "19"
    SECONDARY_FORWARDED = "20"
    TERTIARY_FORWARDED = "21"
    REVERSAL = "22"
    NOT_OUR_CLAIM_FORWARDED = "23"
    PREDETERMINATION = "25"


class GroupCode(StrEnum):
    """CAS01 claim adjustment group codes (CR is 4010 only)."""

    CONTRACTUAL = "CO"
    OTHER = "OA"
    PAYER_INITIATED = "PI"
    PATIENT_RESPONSIBILITY = "PR"
    CORRECTION_REVERSAL = "CR"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS triplet (or an EOB adjudication), at claim or line level."""

    group: str  # CAS01
    reason: str  # CAS02/05/08/11/14/17 CARC
    amount: Decimal  # CAS03/06/...
    quantity: Decimal | None = None  # CAS04/07/...
    level: str = "claim"  # "claim" (2100) or "line" (2110)


@dataclass(frozen=True, slots=True)
class Procedure:
    """A composite medical procedure identifier (SVC01 / SVC06 / SV101 / SV202)."""

    qualifier: str  # -1 HC (HCPCS/CPT), NU (revenue), N4 (NDC), AD, ER, WK ...
    code: str  # -2
    modifiers: tuple[str, ...] = ()  # -3 .. -6
    description: str = ""  # -7


@dataclass(frozen=True, slots=True)
class ServicePayment:
    """Loop 2110: one service line as the payer paid it."""

    procedure: Procedure  # SVC01
    charge: Decimal  # SVC02 line item charge
    paid: Decimal  # SVC03 line item provider payment
    revenue_code: str = ""  # SVC04 NUBC revenue code
    units_paid: Decimal | None = None  # SVC05 units of service paid
    original_procedure: Procedure | None = None  # SVC06 procedure as submitted
    original_units: Decimal | None = None  # SVC07 original units of service
    service_date: dt.date | None = None  # DTM*472
    service_start: dt.date | None = None  # DTM*150
    service_end: dt.date | None = None  # DTM*151
    line_control_number: str = ""  # REF*6R
    adjustments: tuple[Adjustment, ...] = ()  # CAS (level "line")
    refs: tuple[tuple[str, str], ...] = ()  # other REF
    amounts: tuple[tuple[str, Decimal], ...] = ()  # AMT (B6 allowed, KH late filing ...)
    quantities: tuple[tuple[str, Decimal], ...] = ()  # QTY
    remarks: tuple[tuple[str, str], ...] = ()  # LQ01 HE (RARC) / RX, LQ02 code
    segment_index: int = 0

    def amount(self, qualifier: str) -> Decimal | None:
        """AMT02 for the AMT01 qualifier, e.g. 'B6' allowed."""
        return next((v for q, v in self.amounts if q == qualifier), None)

    @property
    def allowed(self) -> Decimal | None:
        """AMT*B6 allowed actual, when the payer sent it."""
        return self.amount("B6")


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """Loop 2100 (835 CLP) or one FHIR ExplanationOfBenefit: a claim as adjudicated."""

    patient_control_number: str  # CLP01
    status: str  # CLP02 (ClaimStatus value; kept raw)
    charge: Decimal  # CLP03 total claim charge
    paid: Decimal  # CLP04 claim payment amount
    patient_responsibility: Decimal | None  # CLP05
    filing_indicator: str = ""  # CLP06 claim filing indicator (MB, MC, CI, 12 ...)
    payer_claim_number: str = ""  # CLP07 payer claim control number
    facility_type: str = ""  # CLP08 facility type code (place of service)
    frequency: str = ""  # CLP09 claim frequency code
    drg_code: str = ""  # CLP11
    drg_weight: Decimal | None = None  # CLP12
    discharge_fraction: Decimal | None = None  # CLP13
    patient: Party | None = None  # NM1*QC
    insured: Party | None = None  # NM1*IL
    corrected_patient: Party | None = None  # NM1*74
    rendering_provider: Party | None = None  # NM1*82
    crossover_carrier: Party | None = None  # NM1*TT
    corrected_priority_payer: Party | None = None  # NM1*PR
    other_subscriber: Party | None = None  # NM1*GB
    inpatient_adjudication: tuple[str, ...] = ()  # MIA01..MIA24 raw
    outpatient_adjudication: tuple[str, ...] = ()  # MOA01..MOA09 raw
    remark_codes: tuple[str, ...] = ()  # RARCs from MIA/MOA (and EOB)
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    services: tuple[ServicePayment, ...] = ()
    refs: tuple[tuple[str, str], ...] = ()  # REF (1L group, EA record, F8 original ...)
    statement_start: dt.date | None = None  # DTM*232
    statement_end: dt.date | None = None  # DTM*233
    coverage_expiration: dt.date | None = None  # DTM*036
    received_date: dt.date | None = None  # DTM*050
    contacts: tuple[tuple[str, str, str], ...] = ()  # PER01 function, PER03 qual, PER04 number
    amounts: tuple[tuple[str, Decimal], ...] = ()  # AMT (AU coverage, D8 discount, I interest)
    quantities: tuple[tuple[str, Decimal], ...] = ()  # QTY
    segment_index: int = 0
    source_id: str = ""  # FHIR EOB id, when from FHIR
    issues: tuple[Issue, ...] = ()  # balancing and data problems of this claim
    patient_status: str = ""  # CLP10 (not used in 005010X221A1; kept when sent)
    yes_no_condition: str = ""  # CLP14

    def amount(self, qualifier: str) -> Decimal | None:
        """AMT02 for the AMT01 qualifier."""
        return next((v for q, v in self.amounts if q == qualifier), None)

    @property
    def all_adjustments(self) -> tuple[Adjustment, ...]:
        """Claim- and line-level adjustments together."""
        return self.adjustments + tuple(a for s in self.services for a in s.adjustments)


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB adjustment pair: interest, recoupment (WO/FB), withhold ..."""

    provider_id: str  # PLB01
    fiscal_period_end: dt.date | None  # PLB02
    reason: str  # PLB03-1 (L6 interest, WO overpayment recovery, FB forward balance ...)
    reference: str  # PLB03-2 (often the patient control number or payer claim number)
    amount: Decimal  # PLB04 (positive reduces the payment)
    segment_index: int = 0


@dataclass(frozen=True, slots=True)
class RemittanceHeader:
    """The 835 header up to the first claim: payment (BPR/TRN), payer and payee."""

    transaction: TransactionSet | None  # None for a FHIR EOB
    handling_code: str  # BPR01 (I remittance+payment, H notification only, ...)
    payment_amount: Decimal  # BPR02 total actual provider payment
    credit_debit: str  # BPR03 C / D
    payment_method: str  # BPR04 ACH / CHK / NON / FWT / BOP
    payment_format: str  # BPR05 CCP / CTX
    payment_date: dt.date | None  # BPR16 check issue or EFT effective date
    trace_type: str  # TRN01
    trace_number: str  # TRN02 check or EFT trace number
    originator_id: str  # TRN03 payer identifier (1 + TIN)
    receiver_id: str = ""  # REF*EV
    production_date: dt.date | None = None  # DTM*405
    payer: Party | None = None  # 1000A N1*PR (id from N104 or REF*2U)
    payee: Party | None = None  # 1000B N1*PE
    payer_contacts: tuple[tuple[str, str, str], ...] = ()  # PER
    provider_summaries: tuple[tuple[str, ...], ...] = ()  # TS3 raw, filled at trailer
    raw_bpr: tuple[str, ...] = ()
    trace_supplemental: str = ""  # TRN04 originating company supplemental code
    currency: str = ""  # CUR02 (CUR01 PR payer)
    refs: tuple[tuple[str, str], ...] = ()  # header REF (EV receiver, F2 version)
    payee_delivery: tuple[str, ...] = ()  # RDM01 method, RDM02 name, RDM03 address (1000B)

    @property
    def payer_id(self) -> str:
        """Best payer identifier: REF*2U, else N104, else TRN03."""
        if self.payer is not None:
            return self.payer.ref("2U") or self.payer.identifier or self.originator_id
        return self.originator_id


@dataclass(frozen=True, slots=True)
class RemittanceTrailer:
    """End of one 835 transaction: PLB and the transaction-level balance."""

    header: RemittanceHeader
    provider_adjustments: tuple[ProviderAdjustment, ...]
    claim_count: int
    claim_paid_total: Decimal  # sum CLP04
    plb_total: Decimal  # sum PLB amounts
    segment_count: int  # SE01 as read
    issues: tuple[Issue, ...] = ()

    @property
    def balanced(self) -> bool:
        """BPR02 = sum CLP04 - sum PLB (835 TR3 1.10.2.1)."""
        return self.header.payment_amount == self.claim_paid_total - self.plb_total


# --------------------------------------------------------------------------- 837


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """One HI composite: qualifier (ABK principal ICD-10, ABF other, BK/BF 4010 ...) and code."""

    qualifier: str  # HI0x-1
    code: str  # HI0x-2
    present_on_admission: str = ""  # HI0x-9 (837I)


@dataclass(frozen=True, slots=True)
class OtherPayer:
    """Loops 2320/2330: another payer's coverage and adjudication on an 837 claim."""

    payer_responsibility: str  # SBR01 P/S/T/A..H/U
    relationship: str  # SBR02
    group_number: str  # SBR03
    filing_indicator: str  # SBR09
    subscriber: Party | None  # 2330A NM1*IL
    payer: Party | None  # 2330B NM1*PR
    adjustments: tuple[Adjustment, ...] = ()  # 2320 CAS
    paid_amount: Decimal | None = None  # AMT*D payer paid amount
    remaining_liability: Decimal | None = None  # AMT*EAF
    noncovered_amount: Decimal | None = None  # AMT*A8
    adjudication_date: dt.date | None = None  # DTP*573 (2330B)
    amounts: tuple[tuple[str, Decimal], ...] = ()  # every 2320 AMT (D, A8, EAF; 4010 others)
    other_insurance: tuple[str, ...] = ()  # OI01..OI06 raw (OI03 benefits assignment)
    outpatient_adjudication: tuple[str, ...] = ()  # MOA01..MOA09 raw
    inpatient_adjudication: tuple[str, ...] = ()  # MIA01..MIA24 raw (837I)


@dataclass(frozen=True, slots=True)
class LineAdjudication:
    """Loop 2430: another payer's adjudication of one service line (SVD/CAS/DTP*573)."""

    payer_id: str  # SVD01
    paid: Decimal  # SVD02
    procedure: Procedure | None  # SVD03
    units: Decimal | None  # SVD05
    adjustments: tuple[Adjustment, ...] = ()
    adjudication_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """Loop 2400: one billed service line (SV1 professional or SV2 institutional)."""

    line_number: str  # LX01
    procedure: Procedure | None  # SV101 / SV202
    charge: Decimal  # SV102 / SV203
    unit_basis: str  # SV103 / SV204 (UN units, MJ minutes, DA days)
    units: Decimal | None  # SV104 / SV205
    revenue_code: str = ""  # SV201 (837I)
    place_of_service: str = ""  # SV105
    diagnosis_pointers: tuple[str, ...] = ()  # SV107-1..4
    service_date: dt.date | None = None  # DTP*472 (single date or range start)
    service_date_end: dt.date | None = None  # DTP*472 RD8 range end
    line_control_number: str = ""  # REF*6R
    ndc: str = ""  # LIN03 (2410)
    other_payer_adjudications: tuple[LineAdjudication, ...] = ()  # 2430
    segment_index: int = 0
    providers: tuple[Party, ...] = ()  # 2420A-H (82 rendering, DK ordering, DN referring ...)


@dataclass(frozen=True, slots=True)
class SubmittedClaim:
    """Loop 2300 of an 837P/837I, with its provider, subscriber and patient context."""

    transaction: TransactionSet
    kind: str  # "837P" or "837I"
    patient_control_number: str  # CLM01
    total_charge: Decimal  # CLM02
    facility_code: str  # CLM05-1 place of service / facility type
    facility_qualifier: str  # CLM05-2 (B place of service, A UB bill type)
    frequency: str  # CLM05-3 (1 original, 7 replacement, 8 void)
    payer_responsibility: str  # SBR01 of the subscriber loop (P/S/T ...)
    filing_indicator: str  # SBR09
    group_number: str  # SBR03
    relationship: str  # SBR02 (18 self) or PAT01
    submitter: Party | None  # 1000A NM1*41
    receiver: Party | None  # 1000B NM1*40
    billing_provider: Party | None  # 2010AA NM1*85
    pay_to_provider: Party | None  # 2010AB NM1*87
    subscriber: Party | None  # 2010BA NM1*IL
    payer: Party | None  # 2010BB NM1*PR
    patient: Party | None  # 2010CA NM1*QC, or the subscriber when the patient is the subscriber
    diagnoses: tuple[Diagnosis, ...] = ()  # HI, principal first
    dates: tuple[tuple[str, str, str], ...] = ()  # DTP01 qualifier, DTP02 format, DTP03 value
    refs: tuple[tuple[str, str], ...] = ()  # REF (F8 original reference, G1 prior auth, EA ...)
    providers: tuple[Party, ...] = ()  # 2310A-F (DN referring, 82 rendering, 77 facility ...)
    other_payers: tuple[OtherPayer, ...] = ()  # 2320/2330
    lines: tuple[ServiceLine, ...] = ()
    amounts: tuple[tuple[str, Decimal], ...] = ()  # AMT*F5 patient paid ...
    segment_index: int = 0
    issues: tuple[Issue, ...] = ()
    signature_on_file: str = ""  # CLM06 provider or supplier signature indicator (Y/N)
    assignment: str = ""  # CLM07 assignment or plan participation code (A/B/C)
    benefits_assigned: str = ""  # CLM08 benefits assignment certification (Y/N/W)
    release_of_information: str = ""  # CLM09 release of information code (I/Y)
    delay_reason: str = ""  # CLM20 delay reason code (why the claim is filed late)
    admission_type: str = ""  # CL101 priority (type) of admission or visit (837I)
    admission_source: str = ""  # CL102 point of origin for admission or visit (837I)
    patient_status: str = ""  # CL103 patient discharge status (837I)

    def ref(self, qualifier: str) -> str | None:
        """First REF02 with this REF01 qualifier (F8 original payer claim number)."""
        return next((v for q, v in self.refs if q == qualifier), None)

    def date(self, qualifier: str) -> str | None:
        """DTP03 for the DTP01 qualifier (434 statement, 472 service, 096 discharge)."""
        return next((v for q, _f, v in self.dates if q == qualifier), None)


@dataclass(frozen=True, slots=True)
class TransactionEnd:
    """SE of a transaction: the reader's last word on it."""

    transaction: TransactionSet
    segment_count: int  # SE01 as read
    claim_count: int
    issues: tuple[Issue, ...] = ()


# --------------------------------------------------------------------------- stream

Record = (
    RemittanceHeader | ClaimPayment | RemittanceTrailer | SubmittedClaim | TransactionEnd | Issue
)
"""What a reader yields, in file order. Issues not tied to a claim come as bare Issue items."""


def to_jsonable(value: Any) -> Any:
    """Plain JSON-ready data (Decimal and dates as str) for golden files and --json."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, TransactionSet):
            out["is_4010"] = value.is_4010
        return out
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


__all__ = [
    "Address",
    "Adjustment",
    "ClaimPayment",
    "ClaimStatus",
    "Delimiters",
    "Diagnosis",
    "Format",
    "FunctionalGroup",
    "GroupCode",
    "Interchange",
    "Issue",
    "LineAdjudication",
    "OtherPayer",
    "Party",
    "Procedure",
    "ProviderAdjustment",
    "Record",
    "RemittanceHeader",
    "RemittanceTrailer",
    "ServiceLine",
    "ServicePayment",
    "Severity",
    "SubmittedClaim",
    "TransactionEnd",
    "TransactionSet",
    "to_jsonable",
]
