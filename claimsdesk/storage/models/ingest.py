"""Ingest tables: import files and their issues, envelopes, parties, remittances, claims.

Rows are written in bulk by claimsdesk.services.import_writer (Core executemany), so these
classes carry no defaults that only the ORM would apply. Money is Numeric(12,2), codes str.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claimsdesk.storage.models.base import BIG_ID, QUANTITY, Base

JSON_DATA = JSON().with_variant(JSONB(), "postgresql")
"""Raw repeating elements kept as read (REF, AMT, QTY lists), Decimal as str."""

Raw = list[Any]


def _fk(target: str, *, index: bool = True, nullable: bool = False) -> Any:
    """A foreign key that goes away with its parent row."""
    return mapped_column(
        BIG_ID, ForeignKey(target, ondelete="CASCADE"), index=index, nullable=nullable
    )


def _ref(target: str, *, index: bool = True) -> Any:
    """An optional link to a shared party row (payer, provider, patient, coverage)."""
    return mapped_column(
        BIG_ID, ForeignKey(target, ondelete="SET NULL"), index=index, nullable=True
    )


# --------------------------------------------------------------------------- files


class ImportFile(Base):
    """One file content ever seen: imported whole, or rejected with reasons."""

    __tablename__ = "import_files"
    __table_args__ = (CheckConstraint("status IN ('imported', 'rejected')", name="status"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    path: Mapped[str]  # where the file was when it was read
    sha256: Mapped[str] = mapped_column(unique=True)  # of the content: the file's identity
    size: Mapped[int] = mapped_column(BigInteger)
    format: Mapped[str]  # parsers.records.Format value
    status: Mapped[str]  # imported / rejected (duplicates change nothing)
    transactions: Mapped[int]
    claims: Mapped[int]
    service_lines: Mapped[int]
    remittances: Mapped[int]
    payment_total: Mapped[Decimal]
    warning_count: Mapped[int]
    error_count: Mapped[int]
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime]
    moved_to: Mapped[str | None]  # set once --move-to has moved the file after its commit

    issues: Mapped[list[ImportIssue]] = relationship(
        back_populates="import_file", passive_deletes=True
    )


class ImportIssue(Base):
    """A warning stored with an imported file, or an error that rejected a file."""

    __tablename__ = "import_issues"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    import_file_id: Mapped[int] = _fk("import_files.id")
    severity: Mapped[str]  # error / warning
    code: Mapped[str]  # stable machine id, e.g. balance.claim
    message: Mapped[str]
    segment_index: Mapped[int | None]
    segment_id: Mapped[str | None]
    element: Mapped[str | None]
    claim_pcn: Mapped[str | None]  # CLP01 / CLM01 the issue belongs to
    claim_payment_id: Mapped[int | None] = _fk("claim_payments.id", nullable=True)
    submitted_claim_id: Mapped[int | None] = _fk("submitted_claims.id", nullable=True)

    import_file: Mapped[ImportFile] = relationship(back_populates="issues")


# --------------------------------------------------------------------------- envelopes


class Interchange(Base):
    """ISA/IEA interchange as read from one file."""

    __tablename__ = "interchanges"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    import_file_id: Mapped[int] = _fk("import_files.id")
    sender_qualifier: Mapped[str]  # ISA05
    sender_id: Mapped[str]  # ISA06
    receiver_qualifier: Mapped[str]  # ISA07
    receiver_id: Mapped[str]  # ISA08
    date: Mapped[str]  # ISA09 YYMMDD
    time: Mapped[str]  # ISA10 HHMM
    version: Mapped[str]  # ISA12
    control_number: Mapped[str] = mapped_column(index=True)  # ISA13
    usage: Mapped[str]  # ISA15 P / T


class TransactionSetRow(Base):
    """ST/SE transaction set with its GS group; dedupe_key guards 837 re-sends."""

    __tablename__ = "transaction_sets"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    import_file_id: Mapped[int] = _fk("import_files.id")
    interchange_id: Mapped[int] = _fk("interchanges.id", index=False)
    functional_id: Mapped[str]  # GS01 HP / HC
    group_sender: Mapped[str]  # GS02
    group_receiver: Mapped[str]  # GS03
    group_date: Mapped[str]  # GS04
    group_control_number: Mapped[str]  # GS06
    group_version: Mapped[str]  # GS08
    set_id: Mapped[str]  # ST01 835 / 837
    control_number: Mapped[str]  # ST02
    implementation: Mapped[str]  # ST03 or GS08
    is_4010: Mapped[bool]
    segment_index: Mapped[int]
    segment_count: Mapped[int | None]  # SE01 as read
    claim_count: Mapped[int | None]
    envelope_key: Mapped[str] = mapped_column(index=True)  # ISA05/06/07/08/13, GS06, ST02
    dedupe_key: Mapped[str | None] = mapped_column(unique=True)  # 837: envelope + claims digest


# --------------------------------------------------------------------------- parties


class Payer(Base):
    """A payer, known by its id (REF*2U / N104 / NM109 / TRN03) or else its name."""

    __tablename__ = "payers"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    payer_key: Mapped[str] = mapped_column(unique=True)
    identifier: Mapped[str]
    id_qualifier: Mapped[str]
    name: Mapped[str]


class Provider(Base):
    """A billing, rendering or payee provider, known by NPI, else tax id, else name."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    provider_key: Mapped[str] = mapped_column(unique=True)
    entity_type: Mapped[str]  # NM102 1 person / 2 organisation
    name: Mapped[str]  # NM103 / N102
    first_name: Mapped[str]
    npi: Mapped[str | None] = mapped_column(index=True)  # NM109 / N104 with XX
    tax_id: Mapped[str | None]  # REF*EI / REF*TJ / FI qualifier
    address_line1: Mapped[str]
    city: Mapped[str]
    state: Mapped[str]
    postal_code: Mapped[str]
    taxonomy: Mapped[str | None]  # PRV03 (837 2000A PRV*BI*PXC, 2310/2420 PRV)


class Patient(Base):
    """A patient, known by name and the member id of the coverage they were seen under."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    patient_key: Mapped[str] = mapped_column(unique=True)  # LAST|FIRST|member id
    last_name: Mapped[str]
    first_name: Mapped[str]
    middle_name: Mapped[str]
    member_id: Mapped[str] = mapped_column(index=True)
    birth_date: Mapped[dt.date | None]
    gender: Mapped[str]
    address_line1: Mapped[str]
    address_line2: Mapped[str]
    city: Mapped[str]
    state: Mapped[str]
    postal_code: Mapped[str]


class Coverage(Base):
    """A patient's coverage at a payer: member id, responsibility P/S/T, group."""

    __tablename__ = "coverages"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    coverage_key: Mapped[str] = mapped_column(unique=True)
    patient_id: Mapped[int | None] = _ref("patients.id")
    payer_id: Mapped[int | None] = _ref("payers.id", index=False)
    member_id: Mapped[str]  # subscriber NM109
    payer_responsibility: Mapped[str]  # SBR01 P/S/T (835: from CLP02)
    group_number: Mapped[str]  # SBR03 / REF*1L
    relationship_code: Mapped[str]  # SBR02 / PAT01
    filing_indicator: Mapped[str]  # SBR09 / CLP06
    subscriber_name: Mapped[str]


# --------------------------------------------------------------------------- 835 / EOB


class Remittance(Base):
    """One 835 transaction (BPR/TRN) or one FHIR EOB's payment."""

    __tablename__ = "remittances"
    __table_args__ = (UniqueConstraint("payer_key", "payment_key"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    import_file_id: Mapped[int] = _fk("import_files.id")
    transaction_set_id: Mapped[int | None] = _fk("transaction_sets.id", nullable=True)
    source: Mapped[str]  # x12 / fhir
    payer_id: Mapped[int | None] = _ref("payers.id")
    payee_id: Mapped[int | None] = _ref("providers.id")
    payer_key: Mapped[str]  # RemittanceHeader.payer_id
    payment_key: Mapped[str | None]  # TRN02 (x12) or "eob:" + EOB id (fhir); NULL = no dedupe
    handling_code: Mapped[str]  # BPR01
    payment_amount: Mapped[Decimal]  # BPR02
    credit_debit: Mapped[str]  # BPR03
    payment_method: Mapped[str]  # BPR04
    payment_format: Mapped[str]  # BPR05
    payment_date: Mapped[dt.date | None]  # BPR16
    trace_type: Mapped[str]  # TRN01
    trace_number: Mapped[str] = mapped_column(index=True)  # TRN02
    originator_id: Mapped[str]  # TRN03
    trace_supplemental: Mapped[str]  # TRN04
    currency: Mapped[str]  # CUR02
    receiver_id: Mapped[str]  # REF*EV
    production_date: Mapped[dt.date | None]  # DTM*405
    claim_count: Mapped[int | None]
    claim_paid_total: Mapped[Decimal | None]  # sum CLP04
    plb_total: Mapped[Decimal | None]  # sum PLB04
    balanced: Mapped[bool | None]  # BPR02 = sum CLP04 - sum PLB
    refs: Mapped[Raw] = mapped_column(JSON_DATA)  # header REF
    provider_summaries: Mapped[Raw] = mapped_column(JSON_DATA)  # TS3 raw

    claims: Mapped[list[ClaimPayment]] = relationship(
        back_populates="remittance", passive_deletes=True
    )


class ClaimPayment(Base):
    """Loop 2100 CLP (or one EOB): a claim as the payer adjudicated it."""

    __tablename__ = "claim_payments"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    remittance_id: Mapped[int] = _fk("remittances.id")
    import_file_id: Mapped[int] = _fk("import_files.id", index=False)
    patient_control_number: Mapped[str] = mapped_column(index=True)  # CLP01
    status: Mapped[str]  # CLP02
    charge: Mapped[Decimal]  # CLP03
    paid: Mapped[Decimal]  # CLP04
    patient_responsibility: Mapped[Decimal | None]  # CLP05
    filing_indicator: Mapped[str]  # CLP06
    payer_claim_number: Mapped[str] = mapped_column(index=True)  # CLP07
    facility_type: Mapped[str]  # CLP08
    frequency: Mapped[str]  # CLP09
    patient_status: Mapped[str]  # CLP10
    drg_code: Mapped[str]  # CLP11
    drg_weight: Mapped[Decimal | None] = mapped_column(QUANTITY)  # CLP12
    discharge_fraction: Mapped[Decimal | None] = mapped_column(QUANTITY)  # CLP13
    yes_no_condition: Mapped[str]  # CLP14
    patient_id: Mapped[int | None] = _ref("patients.id")
    coverage_id: Mapped[int | None] = _ref("coverages.id", index=False)
    rendering_provider_id: Mapped[int | None] = _ref("providers.id", index=False)
    crossover_carrier: Mapped[str]  # NM1*TT name, id
    corrected_payer: Mapped[str]  # NM1*PR name, id
    inpatient_adjudication: Mapped[Raw] = mapped_column(JSON_DATA)  # MIA raw
    outpatient_adjudication: Mapped[Raw] = mapped_column(JSON_DATA)  # MOA raw
    statement_start: Mapped[dt.date | None]  # DTM*232
    statement_end: Mapped[dt.date | None]  # DTM*233
    coverage_expiration: Mapped[dt.date | None]  # DTM*036
    received_date: Mapped[dt.date | None]  # DTM*050
    refs: Mapped[Raw] = mapped_column(JSON_DATA)  # [[REF01, REF02], ...]
    amounts: Mapped[Raw] = mapped_column(JSON_DATA)  # [[AMT01, "AMT02"], ...]
    quantities: Mapped[Raw] = mapped_column(JSON_DATA)
    contacts: Mapped[Raw] = mapped_column(JSON_DATA)
    parties: Mapped[Raw] = mapped_column(JSON_DATA)  # other NM1s: [[NM101, name, qual, id]]
    source_id: Mapped[str]  # FHIR EOB id
    segment_index: Mapped[int]

    remittance: Mapped[Remittance] = relationship(back_populates="claims")
    services: Mapped[list[ServicePayment]] = relationship(
        back_populates="claim", passive_deletes=True, order_by="ServicePayment.line_number"
    )
    adjustments: Mapped[list[ClaimAdjustment]] = relationship(passive_deletes=True)


class ServicePayment(Base):
    """Loop 2110 SVC: one service line as paid."""

    __tablename__ = "service_payments"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    claim_payment_id: Mapped[int] = _fk("claim_payments.id")
    line_number: Mapped[int]  # 1-based order within the claim
    procedure_qualifier: Mapped[str]  # SVC01-1
    procedure_code: Mapped[str]  # SVC01-2
    modifiers: Mapped[str]  # SVC01-3..6 joined by ':'
    charge: Mapped[Decimal]  # SVC02
    paid: Mapped[Decimal]  # SVC03
    revenue_code: Mapped[str]  # SVC04
    units_paid: Mapped[Decimal | None] = mapped_column(QUANTITY)  # SVC05
    original_procedure_qualifier: Mapped[str]  # SVC06-1
    original_procedure_code: Mapped[str]  # SVC06-2
    original_modifiers: Mapped[str]  # SVC06-3..6
    original_units: Mapped[Decimal | None] = mapped_column(QUANTITY)  # SVC07
    service_date: Mapped[dt.date | None]  # DTM*472
    service_start: Mapped[dt.date | None]  # DTM*150
    service_end: Mapped[dt.date | None]  # DTM*151
    line_control_number: Mapped[str] = mapped_column(index=True)  # REF*6R
    allowed: Mapped[Decimal | None]  # AMT*B6
    refs: Mapped[Raw] = mapped_column(JSON_DATA)
    amounts: Mapped[Raw] = mapped_column(JSON_DATA)
    quantities: Mapped[Raw] = mapped_column(JSON_DATA)
    segment_index: Mapped[int]

    claim: Mapped[ClaimPayment] = relationship(back_populates="services")


class ClaimAdjustment(Base):
    """One CAS triplet at claim (2100) or line (2110) level."""

    __tablename__ = "claim_adjustments"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    claim_payment_id: Mapped[int] = _fk("claim_payments.id")
    service_payment_id: Mapped[int | None] = _fk("service_payments.id", nullable=True, index=False)
    level: Mapped[str]  # claim / line
    group_code: Mapped[str]  # CAS01
    reason_code: Mapped[str] = mapped_column(index=True)  # CAS02 CARC
    amount: Mapped[Decimal]  # CAS03
    quantity: Mapped[Decimal | None] = mapped_column(QUANTITY)  # CAS04


class RemarkCode(Base):
    """A remittance advice remark code (MIA/MOA at claim level, LQ at line level)."""

    __tablename__ = "remark_codes"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    claim_payment_id: Mapped[int] = _fk("claim_payments.id")
    service_payment_id: Mapped[int | None] = _fk("service_payments.id", nullable=True, index=False)
    level: Mapped[str]  # claim / line
    qualifier: Mapped[str]  # LQ01 HE (RARC) / RX; '' at claim level
    code: Mapped[str]


class ProviderAdjustmentRow(Base):
    """One PLB adjustment of a remittance (positive amounts reduce the payment)."""

    __tablename__ = "provider_adjustments"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    remittance_id: Mapped[int] = _fk("remittances.id")
    provider_identifier: Mapped[str]  # PLB01
    fiscal_period_end: Mapped[dt.date | None]  # PLB02
    reason: Mapped[str]  # PLB03-1
    reference: Mapped[str] = mapped_column(index=True)  # PLB03-2
    amount: Mapped[Decimal]  # PLB04
    segment_index: Mapped[int]


# --------------------------------------------------------------------------- 837


class SubmittedClaim(Base):
    """Loop 2300 CLM of an 837P/837I, with its parties resolved to shared rows."""

    __tablename__ = "submitted_claims"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    import_file_id: Mapped[int] = _fk("import_files.id", index=False)
    transaction_set_id: Mapped[int] = _fk("transaction_sets.id", index=False)
    kind: Mapped[str]  # 837P / 837I
    patient_control_number: Mapped[str] = mapped_column(index=True)  # CLM01
    total_charge: Mapped[Decimal]  # CLM02
    facility_code: Mapped[str]  # CLM05-1
    facility_qualifier: Mapped[str]  # CLM05-2
    frequency: Mapped[str]  # CLM05-3
    payer_responsibility: Mapped[str]  # SBR01
    filing_indicator: Mapped[str]  # SBR09
    group_number: Mapped[str]  # SBR03
    relationship_code: Mapped[str]  # SBR02 / PAT01
    payer_id: Mapped[int | None] = _ref("payers.id")
    billing_provider_id: Mapped[int | None] = _ref("providers.id", index=False)
    rendering_provider_id: Mapped[int | None] = _ref("providers.id", index=False)
    patient_id: Mapped[int | None] = _ref("patients.id")
    coverage_id: Mapped[int | None] = _ref("coverages.id", index=False)
    subscriber_member_id: Mapped[str]  # 2010BA NM109
    principal_diagnosis: Mapped[str]
    diagnoses: Mapped[Raw] = mapped_column(JSON_DATA)  # [[qualifier, code, poa], ...]
    statement_from: Mapped[dt.date | None]  # DTP*434 (or 472) start
    statement_to: Mapped[dt.date | None]
    original_reference: Mapped[str] = mapped_column(index=True)  # REF*F8 payer claim number
    prior_authorization: Mapped[str]  # REF*G1
    dates: Mapped[Raw] = mapped_column(JSON_DATA)  # [[DTP01, DTP02, DTP03], ...]
    refs: Mapped[Raw] = mapped_column(JSON_DATA)
    amounts: Mapped[Raw] = mapped_column(JSON_DATA)
    providers: Mapped[Raw] = mapped_column(JSON_DATA)  # 2310x: [[NM101, name, qual, id]]
    segment_index: Mapped[int]
    # as billed, so an 837 rebuilt from rows says the same (NULL: imported before 0007)
    signature_on_file: Mapped[str | None]  # CLM06
    assignment: Mapped[str | None]  # CLM07
    benefits_assigned: Mapped[str | None]  # CLM08
    release_of_information: Mapped[str | None]  # CLM09
    delay_reason: Mapped[str | None]  # CLM20
    admission_type: Mapped[str | None]  # CL101 (837I)
    admission_source: Mapped[str | None]  # CL102 (837I)
    patient_status: Mapped[str | None]  # CL103 (837I)

    lines: Mapped[list[ClaimLine]] = relationship(
        back_populates="claim", passive_deletes=True, order_by="ClaimLine.id"
    )
    other_payers: Mapped[list[OtherPayerRow]] = relationship(passive_deletes=True)


class ClaimLine(Base):
    """Loop 2400 LX/SV1/SV2: one billed service line."""

    __tablename__ = "claim_lines"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    submitted_claim_id: Mapped[int] = _fk("submitted_claims.id")
    line_number: Mapped[str]  # LX01
    procedure_qualifier: Mapped[str]  # SV101-1 / SV202-1
    procedure_code: Mapped[str]  # SV101-2 / SV202-2
    modifiers: Mapped[str]  # -3..-6 joined by ':'
    revenue_code: Mapped[str]  # SV201
    charge: Mapped[Decimal]  # SV102 / SV203
    unit_basis: Mapped[str]  # SV103 / SV204
    units: Mapped[Decimal | None] = mapped_column(QUANTITY)  # SV104 / SV205
    place_of_service: Mapped[str]  # SV105
    diagnosis_pointers: Mapped[str]  # SV107 joined by ':'
    service_date: Mapped[dt.date | None]  # DTP*472
    service_date_end: Mapped[dt.date | None]
    line_control_number: Mapped[str] = mapped_column(index=True)  # REF*6R
    ndc: Mapped[str]  # LIN03
    other_payer_adjudications: Mapped[Raw] = mapped_column(JSON_DATA)  # 2430 SVD/CAS
    providers: Mapped[Raw] = mapped_column(JSON_DATA)  # 2420x: [[NM101, name, qual, id]]
    segment_index: Mapped[int]

    claim: Mapped[SubmittedClaim] = relationship(back_populates="lines")


class OtherPayerRow(Base):
    """Loops 2320/2330 of a submitted claim: another payer and what it did."""

    __tablename__ = "other_payers"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    submitted_claim_id: Mapped[int] = _fk("submitted_claims.id")
    sequence: Mapped[int]  # order within the claim
    payer_responsibility: Mapped[str]  # SBR01
    relationship_code: Mapped[str]  # SBR02
    group_number: Mapped[str]  # SBR03
    filing_indicator: Mapped[str]  # SBR09
    payer_id: Mapped[int | None] = _ref("payers.id", index=False)
    payer_identifier: Mapped[str]  # 2330B NM109
    subscriber_member_id: Mapped[str]  # 2330A NM109
    paid_amount: Mapped[Decimal | None]  # AMT*D
    remaining_liability: Mapped[Decimal | None]  # AMT*EAF
    noncovered_amount: Mapped[Decimal | None]  # AMT*A8
    adjudication_date: Mapped[dt.date | None]  # DTP*573
    amounts: Mapped[Raw] = mapped_column(JSON_DATA)  # every 2320 AMT
    adjudication: Mapped[Any] = mapped_column(JSON_DATA)  # {"oi": OI, "moa": MOA, "mia": MIA}

    adjustments: Mapped[list[OtherPayerAdjustment]] = relationship(passive_deletes=True)


class OtherPayerAdjustment(Base):
    """A 2320 CAS triplet: how the other payer adjusted the claim."""

    __tablename__ = "other_payer_adjustments"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    other_payer_id: Mapped[int] = _fk("other_payers.id")
    group_code: Mapped[str]  # CAS01
    reason_code: Mapped[str]  # CAS02
    amount: Mapped[Decimal]  # CAS03
    quantity: Mapped[Decimal | None] = mapped_column(QUANTITY)  # CAS04
