"""Mutable state of the loop being read (2100 claim, 2110 line); frozen records come at close.

Attributes carry the record's field names, so `record_builder` turns a finished loop into
its ClaimPayment / ServicePayment with plain attribute copies (lists become tuples).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from parsers.records import (
    Adjustment,
    ClaimPayment,
    Issue,
    Party,
    Procedure,
    ServicePayment,
)
from parsers.x12.record_makers import record_builder
from parsers.x12.remittance_835_values import ZERO, pad


class Line:
    """Loop 2110 being read: SVC values plus what follows it."""

    __slots__ = (
        "adjustments",
        "amounts",
        "cas_total",
        "charge",
        "line_control_number",
        "ok",
        "original_procedure",
        "original_units",
        "paid",
        "procedure",
        "quantities",
        "refs",
        "remarks",
        "revenue_code",
        "segment_index",
        "service_date",
        "service_end",
        "service_start",
        "units_paid",
    )

    def __init__(
        self,
        index: int,
        procedure: Procedure,
        revenue_code: str,
        amounts: tuple[Decimal, Decimal, Decimal | None, Decimal | None],
        ok: bool,
    ) -> None:
        self.segment_index = index
        self.procedure = procedure  # SVC01
        self.charge, self.paid, self.units_paid, self.original_units = amounts  # SVC02/03/05/07
        self.revenue_code = revenue_code  # SVC04 NUBC revenue code
        self.ok = ok  # SVC02/SVC03 and every CAS amount converted
        self.original_procedure: Procedure | None = None  # SVC06
        self.service_date: dt.date | None = None  # DTM*472
        self.service_start: dt.date | None = None  # DTM*150
        self.service_end: dt.date | None = None  # DTM*151
        self.line_control_number = ""  # REF*6R
        self.adjustments: list[Adjustment] = []
        self.cas_total = ZERO
        self.refs: list[tuple[str, str]] = []
        self.amounts: list[tuple[str, Decimal]] = []
        self.quantities: list[tuple[str, Decimal]] = []
        self.remarks: list[tuple[str, str]] = []


class Claim:
    """Loop 2100 being read: CLP values, claim-level segments and the closed lines."""

    __slots__ = (
        "adjustments",
        "amounts",
        "cas_total",
        "charge",
        "contacts",
        "corrected_patient",
        "corrected_priority_payer",
        "coverage_expiration",
        "crossover_carrier",
        "discharge_fraction",
        "drg_code",
        "drg_weight",
        "facility_type",
        "filing_indicator",
        "frequency",
        "inpatient_adjudication",
        "insured",
        "issues",
        "line",
        "line_cas",
        "line_charge",
        "ok",
        "other_subscriber",
        "outpatient_adjudication",
        "paid",
        "patient",
        "patient_control_number",
        "patient_responsibility",
        "patient_status",
        "payer_claim_number",
        "pcn",
        "pr_total",
        "quantities",
        "received_date",
        "refs",
        "remark_codes",
        "rendering_provider",
        "segment_index",
        "services",
        "statement_end",
        "statement_start",
        "status",
        "yes_no_condition",
    )

    def __init__(self, index: int, clp: list[str]) -> None:
        n = len(clp)  # at least CLP01-CLP05
        self.segment_index = index
        self.pcn = self.patient_control_number = clp[1]  # CLP01, named in every claim issue
        self.status = clp[2]  # CLP02
        self.charge = self.paid = ZERO  # CLP03, CLP04
        self.patient_responsibility: Decimal | None = None  # CLP05
        self.filing_indicator = clp[6] if n > 6 else ""  # CLP06
        self.payer_claim_number = clp[7] if n > 7 else ""  # CLP07
        self.facility_type = clp[8] if n > 8 else ""  # CLP08
        self.frequency = clp[9] if n > 9 else ""  # CLP09
        self.patient_status = clp[10] if n > 10 else ""  # CLP10
        self.drg_code = clp[11] if n > 11 else ""  # CLP11
        self.drg_weight: Decimal | None = None  # CLP12
        self.discharge_fraction: Decimal | None = None  # CLP13
        self.yes_no_condition = clp[14] if n > 14 else ""  # CLP14
        self.patient: Party | None = None  # NM1*QC
        self.insured: Party | None = None  # NM1*IL
        self.corrected_patient: Party | None = None  # NM1*74
        self.rendering_provider: Party | None = None  # NM1*82
        self.crossover_carrier: Party | None = None  # NM1*TT
        self.corrected_priority_payer: Party | None = None  # NM1*PR
        self.other_subscriber: Party | None = None  # NM1*GB
        self.inpatient_adjudication: tuple[str, ...] = ()  # MIA
        self.outpatient_adjudication: tuple[str, ...] = ()  # MOA
        self.statement_start: dt.date | None = None  # DTM*232
        self.statement_end: dt.date | None = None  # DTM*233
        self.coverage_expiration: dt.date | None = None  # DTM*036
        self.received_date: dt.date | None = None  # DTM*050
        self.ok = True  # every amount balancing needs was converted
        self.line: Line | None = None
        self.issues: list[Issue] = []
        self.adjustments: list[Adjustment] = []
        self.services: list[ServicePayment] = []
        self.refs: list[tuple[str, str]] = []
        self.contacts: list[tuple[str, str, str]] = []
        self.amounts: list[tuple[str, Decimal]] = []
        self.quantities: list[tuple[str, Decimal]] = []
        self.remark_codes: list[str] = []
        self.cas_total = ZERO  # claim-level CAS
        self.line_cas = ZERO  # line-level CAS of closed lines
        self.line_charge = ZERO  # sum SVC02 of closed lines
        self.pr_total = ZERO  # PR-group CAS, both levels


build_line = record_builder(ServicePayment, Line)
build_claim = record_builder(ClaimPayment, Claim)


def contacts(seg: list[str]) -> list[tuple[str, str, str]]:
    """PER as (PER01, qualifier, number) per pair; the PER02 name comes with qualifier ''."""
    e = pad(seg, 9)
    out = [(e[1], "", e[2])] if e[2] else []
    out.extend((e[1], e[i], e[i + 1]) for i in (3, 5, 7) if e[i] or e[i + 1])
    return out
