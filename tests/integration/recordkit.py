"""Records built by hand, for tests that run before (or without) the file readers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from parsers.records import (
    Address,
    Adjustment,
    ClaimPayment,
    Delimiters,
    Diagnosis,
    FunctionalGroup,
    Interchange,
    Issue,
    OtherPayer,
    Party,
    Procedure,
    ProviderAdjustment,
    Record,
    RemittanceHeader,
    RemittanceTrailer,
    ServiceLine,
    ServicePayment,
    Severity,
    SubmittedClaim,
    TransactionEnd,
    TransactionSet,
)

D = Decimal


def transaction(
    set_id: str = "835", isa13: str = "000000101", st02: str = "0001"
) -> TransactionSet:
    isa = Interchange(
        "ZZ", "SENDER", "ZZ", "RECEIVER", "260105", "1200", "00501", isa13, "P",
        Delimiters("*", ":", "^", "~"),
    )  # fmt: skip
    gs = FunctionalGroup(
        "HP" if set_id == "835" else "HC", "SENDER", "RECEIVER", "20260105", "7",
        "005010X221A1" if set_id == "835" else "005010X222A1",
    )  # fmt: skip
    return TransactionSet(isa, gs, set_id, st02, gs.version, 3)


def header(
    ts: TransactionSet | None, trace: str = "TRACE1", amount: str = "150.00"
) -> RemittanceHeader:
    return RemittanceHeader(
        transaction=ts,
        handling_code="I",
        payment_amount=D(amount),
        credit_debit="C",
        payment_method="ACH",
        payment_format="CCP",
        payment_date=dt.date(2026, 1, 5),
        trace_type="1",
        trace_number=trace,
        originator_id="1999999999",
        payer=Party("PR", "ACME HEALTH PLAN", id_qualifier="XV", identifier="PAYER01"),
        payee=Party("PE", "SYNTHETIC CLINIC", id_qualifier="XX", identifier="1234567893"),
    )


def claim_payment(pcn: str, paid: str = "75.00", source_id: str = "") -> ClaimPayment:
    line_adj = Adjustment("CO", "45", D("25.00"), level="line")
    svc = ServicePayment(
        procedure=Procedure("HC", "99213", ("25",)),
        charge=D("100.00"),
        paid=D(paid),
        units_paid=D("1"),
        service_date=dt.date(2026, 1, 2),
        line_control_number=f"{pcn}-1",
        adjustments=(line_adj,),
        amounts=(("B6", D("75.00")),),
        remarks=(("HE", "N130"),),
        segment_index=20,
    )
    return ClaimPayment(
        patient_control_number=pcn,
        status="1",
        charge=D("100.00"),
        paid=D(paid),
        patient_responsibility=D("0.00"),
        filing_indicator="CI",
        payer_claim_number=f"PCN-{pcn}",
        patient=Party("QC", "DOE", "JANE", id_qualifier="MI", identifier="MEM001"),
        remark_codes=("MA01",),
        services=(svc,),
        refs=(("1L", "GRP9"),),
        segment_index=12,
        source_id=source_id,
    )


def remittance(
    ts: TransactionSet | None, pcns: list[str], trace: str = "TRACE1", plb: bool = True
) -> Iterator[Record]:
    h = header(ts, trace, amount=str(D("75.00") * len(pcns) - (D("5.00") if plb else 0)))
    yield h
    claims = [claim_payment(p) for p in pcns]
    yield from claims
    plbs = (ProviderAdjustment("1234567893", dt.date(2026, 12, 31), "WO", pcns[0], D("5.00")),)
    yield RemittanceTrailer(
        h,
        plbs if plb else (),
        len(claims),
        sum((c.paid for c in claims), D("0")),
        D("5.00") if plb else D("0"),
        30,
    )
    if ts is not None:
        yield TransactionEnd(ts, 30, len(claims))


def file_835(pcns: list[str], trace: str = "TRACE1", isa13: str = "000000101") -> list[Record]:
    return list(remittance(transaction("835", isa13), pcns, trace))


def submitted(ts: TransactionSet, pcn: str, charge: str = "100.00") -> SubmittedClaim:
    patient = Party(
        "IL", "DOE", "JANE", id_qualifier="MI", identifier="MEM001",
        address=Address("1 TEST ST", "", "ANYTOWN", "NY", "10001"), birth_date=dt.date(1980, 1, 1),
    )  # fmt: skip
    line = ServiceLine(
        "1", Procedure("HC", "99213", ("25",)), D(charge), "UN", D("1"),
        diagnosis_pointers=("1",), service_date=dt.date(2026, 1, 2), line_control_number=f"{pcn}-1",
    )  # fmt: skip
    other = OtherPayer(
        "S", "18", "GRP2", "MB", Party("IL", "DOE", "JANE", id_qualifier="MI", identifier="M2"),
        Party("PR", "SECOND PAYER", id_qualifier="PI", identifier="PAYER02"),
        adjustments=(Adjustment("CO", "45", D("10.00")),), paid_amount=D("50.00"),
    )  # fmt: skip
    return SubmittedClaim(
        transaction=ts, kind="837P", patient_control_number=pcn, total_charge=D(charge),
        facility_code="11", facility_qualifier="B", frequency="1", payer_responsibility="P",
        filing_indicator="CI", group_number="GRP9", relationship="18",
        submitter=None, receiver=None,
        billing_provider=Party("85", "SYNTHETIC CLINIC", id_qualifier="XX", identifier="1234567893"),
        pay_to_provider=None, subscriber=patient,
        payer=Party("PR", "ACME HEALTH PLAN", id_qualifier="PI", identifier="PAYER01"),
        patient=patient, diagnoses=(Diagnosis("ABK", "J069"),),
        dates=(("472", "D8", "20260102"),), refs=(("F8", "ORIG1"),),
        other_payers=(other,), lines=(line,), segment_index=40,
    )  # fmt: skip


def file_837(pcns: list[str], isa13: str = "000000201", st02: str = "0001") -> list[Record]:
    ts = transaction("837", isa13, st02)
    claims: list[Record] = [submitted(ts, p) for p in pcns]
    return [*claims, TransactionEnd(ts, 40, len(pcns))]


def error(message: str = "claim does not balance") -> Issue:
    return Issue(Severity.ERROR, "balance.claim", message, 12, "CLP", "CLP04", "P1")


def warning(message: str = "odd date") -> Issue:
    return Issue(Severity.WARNING, "value.date", message, 14, "DTM", "DTM02", "P1")
