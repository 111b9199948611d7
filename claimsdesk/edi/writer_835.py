"""835 writer (005010X221A1): one ST..SE per payment, claims streamed, PLB at the end.

The caller gives BPR02; it must equal sum CLP04 - sum PLB (TR3 1.10.2.1). The writer checks
that balance when the transaction closes and refuses an unbalanced one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from claimsdesk.edi.claim_2300 import address, nm1
from claimsdesk.edi.x12out import (
    Envelope,
    InterchangeWriter,
    SegmentWriter,
    WriteSummary,
    X12WriteError,
    composite,
    d8,
    money,
    number,
    procedure,
    write_atomic,
)
from parsers.records import (
    ClaimPayment,
    Party,
    ProviderAdjustment,
    RemittanceHeader,
    ServicePayment,
)

VERSION = "005010X221A1"  # GS08; ST03 is not used in the 835
PLB_PAIRS = 6  # PLB03..PLB14: six reason/amount pairs per segment
_CLAIM_REF_FIRST = frozenset(
    ["1L", "1W", "28", "6P", "9A", "9C", "BB", "CE", "EA", "F8", "G1", "G3", "IG", "SY"]
)
_LINE_REF_FIRST = frozenset(["1S", "APC", "BB", "E9", "G1", "G3", "LU", "RB"])
_CLAIM_NAMES = (  # 2100 NM1 loops in map order: (attribute, NM101, default NM102)
    ("patient", "QC", "1"),
    ("insured", "IL", "1"),
    ("corrected_patient", "74", "1"),
    ("rendering_provider", "82", "1"),
    ("crossover_carrier", "TT", "2"),
    ("corrected_priority_payer", "PR", "2"),
    ("other_subscriber", "GB", "1"),
)


@dataclass(frozen=True, slots=True)
class Remittance:
    """One 835 transaction to write: the payment header, its claims and PLB adjustments."""

    header: RemittanceHeader
    claims: Iterable[ClaimPayment]
    provider_adjustments: Sequence[ProviderAdjustment] = ()


def balanced_amount(
    claims: Iterable[ClaimPayment], adjustments: Iterable[ProviderAdjustment] = ()
) -> Decimal:
    """BPR02 that balances: sum CLP04 - sum PLB04 (positive PLB reduces the payment)."""
    return sum((c.paid for c in claims), Decimal(0)) - sum(
        (a.amount for a in adjustments), Decimal(0)
    )


def _bpr(out: SegmentWriter, h: RemittanceHeader) -> None:
    """BPR: BPR06..BPR15 (bank details) come from raw_bpr when the payment moves money by EFT."""
    raw = list(h.raw_bpr[1:] if h.raw_bpr[:1] == ("BPR",) else h.raw_bpr)
    bank = (raw[5:15] + [""] * 10)[:10] if h.payment_method in ("ACH", "BOP", "FWT") else []
    if bank and not any(bank):
        raise X12WriteError(
            f"BPR04 {h.payment_method} needs the bank details BPR06..BPR15 (give raw_bpr)"
        )
    bank = bank or [""] * 10
    fmt = h.payment_format if h.payment_method == "ACH" else ""
    out.seg(
        "BPR",
        h.handling_code,
        money(h.payment_amount),
        h.credit_debit,
        h.payment_method,
        fmt,
        *bank,
        d8(h.payment_date),
    )


def _header(out: SegmentWriter, h: RemittanceHeader) -> None:
    """BPR, TRN, REF*EV, DTM*405 and the 1000A payer / 1000B payee loops."""
    _bpr(out, h)
    out.seg("TRN", h.trace_type or "1", h.trace_number, h.originator_id, h.trace_supplemental)
    if h.currency:
        out.seg("CUR", "PR", h.currency)
    refs = [r for r in h.refs if r[0] != "EV"]
    for q, v in ([("EV", h.receiver_id)] if h.receiver_id else []) + refs:
        out.seg("REF", q, v)
    if h.production_date is not None:
        out.seg("DTM", "405", d8(h.production_date))
    payer, payee = h.payer, h.payee
    if payer is None or payer.address is None:
        raise X12WriteError("the 835 payer (N1*PR) and its address (N3/N4) are required")
    xv = payer.id_qualifier == "XV"
    out.seg("N1", "PR", payer.last_or_org_name, "XV" if xv else "", payer.identifier if xv else "")
    address(out, payer.address)
    for q, v in payer.refs:
        out.seg("REF", q, v)
    _payer_contacts(out, h.payer_contacts)
    if payee is None or not payee.identifier:
        raise X12WriteError("the 835 payee (N1*PE) with its identifier (N103/N104) is required")
    out.seg("N1", "PE", payee.last_or_org_name, payee.id_qualifier or "XX", payee.identifier)
    if payee.address is not None:
        address(out, payee.address)
    for q, v in payee.refs:
        out.seg("REF", q, v)
    if h.payee_delivery:
        out.seg("RDM", *h.payee_delivery)


def _payer_contacts(out: SegmentWriter, contacts: tuple[tuple[str, str, str], ...]) -> None:
    """PER*CX business, PER*BL technical (required), PER*IC web site, in map order."""
    if not any(f == "BL" for f, _q, _n in contacts):
        raise X12WriteError("the 835 payer needs a technical contact (PER*BL)")
    for function in ("CX", "BL", "IC"):
        for f, qualifier, value in contacts:
            if f == function:
                out.seg("PER", f, "", qualifier, value)


def write_claim_payment(out: SegmentWriter, c: ClaimPayment) -> None:
    """Loop 2100 and its 2110 service lines."""
    out.context = c.patient_control_number
    _clp(out, c)
    out.cas(c.adjustments)
    for attribute, code, default_type in _CLAIM_NAMES:
        party: Party | None = getattr(c, attribute)
        if party is not None:
            nm1(out, party, code, default_type)
    if c.inpatient_adjudication:
        out.seg("MIA", *c.inpatient_adjudication)
    if c.outpatient_adjudication:
        out.seg("MOA", *c.outpatient_adjudication)
    refs = [r for r in c.refs if r[0] in _CLAIM_REF_FIRST]
    for q, v in refs + [r for r in c.refs if r[0] not in _CLAIM_REF_FIRST]:
        out.seg("REF", q, v)
    for q, day in (
        ("232", c.statement_start),
        ("233", c.statement_end),
        ("036", c.coverage_expiration),
        ("050", c.received_date),
    ):
        if day is not None:
            out.seg("DTM", q, d8(day))
    for function, qualifier, value in c.contacts:
        out.seg("PER", function, "", qualifier, value)
    for q, amount in c.amounts:
        out.seg("AMT", q, money(amount))
    for q, qty in c.quantities:
        out.seg("QTY", q, money(qty))
    for service in c.services:
        write_service(out, service)


def _clp(out: SegmentWriter, c: ClaimPayment) -> None:
    """CLP01..CLP14; CLP10 is not used in 5010 but is written back when a record has it."""
    out.seg(
        "CLP",
        c.patient_control_number,
        c.status,
        money(c.charge),
        money(c.paid),
        number(c.patient_responsibility),
        c.filing_indicator,
        c.payer_claim_number,
        c.facility_type,
        c.frequency,
        c.patient_status,
        c.drg_code,
        number(c.drg_weight),
        number(c.discharge_fraction),
        c.yes_no_condition,
    )


def write_service(out: SegmentWriter, s: ServicePayment) -> None:
    """Loop 2110: SVC, DTM, CAS, REF, AMT, QTY, LQ."""
    out.seg(
        "SVC",
        procedure(s.procedure),
        money(s.charge),
        money(s.paid),
        s.revenue_code,
        number(s.units_paid),
        procedure(s.original_procedure),
        number(s.original_units),
    )
    if s.service_date is not None:
        out.seg("DTM", "472", d8(s.service_date))
    else:
        for q, day in (("150", s.service_start), ("151", s.service_end)):
            if day is not None:
                out.seg("DTM", q, d8(day))
    out.cas(s.adjustments)
    for q, v in [r for r in s.refs if r[0] in _LINE_REF_FIRST]:
        out.seg("REF", q, v)
    if s.line_control_number:
        out.seg("REF", "6R", s.line_control_number)
    for q, v in [r for r in s.refs if r[0] not in _LINE_REF_FIRST and r[0] != "6R"]:
        out.seg("REF", q, v)
    for q, amount in s.amounts:
        out.seg("AMT", q, money(amount))
    for q, qty in s.quantities:
        out.seg("QTY", q, money(qty))
    for q, code in s.remarks:
        out.seg("LQ", q, code)


def write_plb(out: SegmentWriter, adjustments: Sequence[ProviderAdjustment]) -> None:
    """PLB segments: one per provider and fiscal period, six adjustments each."""
    by_key: dict[tuple[str, dt.date | None], list[ProviderAdjustment]] = {}
    for adj in adjustments:
        by_key.setdefault((adj.provider_id, adj.fiscal_period_end), []).append(adj)
    for (provider, period), items in by_key.items():
        if period is None:
            raise X12WriteError(f"PLB02 fiscal period date is required (provider {provider})")
        for start in range(0, len(items), PLB_PAIRS):
            pairs: list[str] = []
            for a in items[start : start + PLB_PAIRS]:
                pairs += [composite(a.reason, a.reference), money(a.amount)]
            out.seg("PLB", provider, d8(period), *pairs)


def _transaction(ic: InterchangeWriter, remittance: Remittance) -> None:
    h = remittance.header
    ic.begin_transaction("835")
    _header(ic.out, h)
    paid = Decimal(0)
    count = 0
    for claim in remittance.claims:
        if count == 0:
            ic.out.seg("LX", "1")  # 2000 header number
        write_claim_payment(ic.out, claim)
        paid += claim.paid
        count += 1
    ic.out.context = ""
    write_plb(ic.out, remittance.provider_adjustments)
    expected = paid - sum((a.amount for a in remittance.provider_adjustments), Decimal(0))
    if expected != h.payment_amount:
        raise X12WriteError(
            f"TRN {h.trace_number}: BPR02 {h.payment_amount} does not balance: "
            f"sum CLP04 {paid} - sum PLB = {expected}"
        )
    ic.end_transaction()
    ic.summary.claims += count


class Writer835:
    """Push-style 835 writer: add() one payment (ST..SE) at a time, close() the envelopes."""

    def __init__(
        self,
        stream: TextIO,
        *,
        sender: str,
        receiver: str,
        interchange_control: int,
        group_control: int | None = None,
        first_transaction: int = 1,
        created: dt.datetime | None = None,
        usage: str = "P",
        newline: bool = True,
    ) -> None:
        env = Envelope(
            sender,
            receiver,
            interchange_control,
            group_control,
            first_transaction,
            created=created,
            usage=usage,
        )
        self._ic = InterchangeWriter(SegmentWriter(stream, newline=newline), env)
        self._ic.open()
        self._ic.open_group("HP", VERSION)

    def add(self, remittance: Remittance) -> None:
        """One transaction; refuses one whose BPR02 does not balance."""
        _transaction(self._ic, remittance)

    def close(self) -> WriteSummary:
        """GE/IEA."""
        self._ic.close()
        return self._ic.summary


def write_835(remittances: Iterable[Remittance], *, stream: TextIO, **options: Any) -> WriteSummary:
    """Stream remittances to one 835 interchange: one GS, one ST..SE per payment.

    Options are Writer835's: sender, receiver, interchange_control (required), group_control,
    first_transaction, created, usage, newline.
    """
    writer = Writer835(stream, **options)
    for remittance in remittances:
        writer.add(remittance)
    return writer.close()


def write_835_file(
    path: str | Path, remittances: Iterable[Remittance], **kwargs: Any
) -> WriteSummary:
    """write_835 to a file, atomically (no half-written file on error)."""
    return write_atomic(path, lambda stream: write_835(remittances, stream=stream, **kwargs))
