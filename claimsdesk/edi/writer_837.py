"""837P/837I writer: envelopes, the 1000A/1000B header and the 2000A/B/C hierarchy.

Claims stream in; consecutive claims of the same billing provider share one 2000A HL and
consecutive claims of the same subscriber, payer and patient share one 2000B/2000C HL.
A change of kind (837P/837I) opens a new functional group.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from claimsdesk.edi.claim_2300 import TAXONOMY, address, nm1, write_claim
from claimsdesk.edi.x12out import (
    Envelope,
    InterchangeWriter,
    SegmentWriter,
    WriteSummary,
    X12WriteError,
    d8,
    write_atomic,
)
from parsers.records import Party, SubmittedClaim

VERSIONS = {"837P": "005010X222A1", "837I": "005010X223A2"}  # GS08 / ST03
MAX_CLAIMS_PER_TRANSACTION = 5000  # TR3 1.4.1: no more than 5000 CLM per ST..SE
SELF = "18"  # SBR02 individual relationship: self


@dataclass(frozen=True, slots=True)
class Contact:
    """1000A PER: who at the submitter answers EDI questions."""

    name: str = "BILLING OFFICE"  # PER02
    qualifier: str = "TE"  # PER03 TE telephone / EM e-mail
    number: str = "8005550100"  # PER04


@dataclass(frozen=True, slots=True)
class _Options:
    submitter: Party | None
    receiver: Party | None
    contact: Contact
    max_claims: int
    reference_prefix: str


class _Writer837:
    """State of one 837 interchange: open group, transaction and HL parents."""

    def __init__(self, ic: InterchangeWriter, opts: _Options) -> None:
        self.ic = ic
        self.out = ic.out
        self.opts = opts
        self.kind = ""
        self.claims_in_st = 0
        self.hl = 0
        self.billing_hl = 0
        self.billing_key: object = None
        self.subscriber_key: object = None

    def add(self, claim: SubmittedClaim) -> None:
        """Write one claim, opening whatever envelope or HL level it needs."""
        if claim.kind not in VERSIONS:
            raise X12WriteError(f"claim {claim.patient_control_number}: kind {claim.kind!r}")
        if claim.kind != self.kind or self.claims_in_st >= self.opts.max_claims:
            self._new_transaction(claim)
        self.out.context = claim.patient_control_number
        billing_key = (claim.billing_provider, claim.pay_to_provider)
        if billing_key != self.billing_key:
            self._billing_level(claim)
            self.billing_key, self.subscriber_key = billing_key, None
        subscriber_key = _subscriber_key(claim)
        if subscriber_key != self.subscriber_key:
            self._subscriber_level(claim)
            self.subscriber_key = subscriber_key
        write_claim(self.out, claim)
        self.claims_in_st += 1
        self.ic.summary.claims += 1

    def _new_transaction(self, claim: SubmittedClaim) -> None:
        if self.ic.transaction_is_open:
            self.ic.end_transaction()
        if claim.kind != self.kind:
            if self.ic.group_is_open:
                self.ic.close_group()
            self.ic.open_group("HC", VERSIONS[claim.kind])
            self.kind = claim.kind
        control = self.ic.begin_transaction("837", VERSIONS[claim.kind])
        self.claims_in_st = self.hl = 0
        self.billing_key = self.subscriber_key = None
        created = self.ic.created
        reference = f"{self.opts.reference_prefix}{self.ic.summary.interchange_control}{control}"
        # BHT01 0019 structure, BHT02 00 original, BHT03 reference, BHT06 CH chargeable
        self.out.seg(
            "BHT", "0019", "00", reference, d8(created.date()), created.strftime("%H%M"), "CH"
        )
        self._header_parties(claim)

    def _header_parties(self, claim: SubmittedClaim) -> None:
        """1000A submitter (NM1*41 + PER*IC) and 1000B receiver (NM1*40)."""
        env = self.ic.env
        submitter = self.opts.submitter or claim.submitter
        sub_name = submitter.last_or_org_name if submitter else _name(claim.billing_provider)
        sub_id = submitter.identifier if submitter and submitter.identifier else env.sender_id
        self.out.seg("NM1", "41", "2", sub_name, "", "", "", "", "46", sub_id)
        c = self.opts.contact
        self.out.seg("PER", "IC", c.name, c.qualifier, c.number)
        receiver = self.opts.receiver or claim.receiver
        rec_name = receiver.last_or_org_name if receiver else _name(claim.payer)
        rec_id = receiver.identifier if receiver and receiver.identifier else env.receiver_id
        self.out.seg("NM1", "40", "2", rec_name, "", "", "", "", "46", rec_id)

    def _billing_level(self, claim: SubmittedClaim) -> None:
        """2000A HL*20 (PRV*BI taxonomy when known) with 2010AA billing provider and optional
        2010AB pay-to address."""
        billing = _required(claim.billing_provider, claim, "2010AA billing provider")
        self.hl += 1
        self.billing_hl = self.hl
        self.out.seg("HL", str(self.hl), "", "20", "1")
        taxonomy = billing.ref(TAXONOMY)
        if taxonomy:  # PRV01 BI billing, PRV02 PXC taxonomy qualifier, PRV03 taxonomy code
            self.out.seg("PRV", "BI", "PXC", taxonomy)
        nm1(self.out, billing, "85", "2")
        if billing.address is None:
            raise X12WriteError(
                f"claim {claim.patient_control_number}: billing provider has no address (N3/N4)"
            )
        address(self.out, billing.address)
        tax = [(q, v) for q, v in billing.refs if q in ("EI", "SY")]
        if not tax:
            raise X12WriteError(
                f"claim {claim.patient_control_number}: billing provider has no tax id (REF*EI)"
            )
        for q, v in tax[:1] + [(q, v) for q, v in billing.refs if q in ("0B", "1G")]:
            self.out.seg("REF", q, v)
        if claim.pay_to_provider is not None and claim.pay_to_provider.address is not None:
            self.out.seg("NM1", "87", claim.pay_to_provider.entity_type or "2")
            address(self.out, claim.pay_to_provider.address)

    def _subscriber_level(self, claim: SubmittedClaim) -> None:
        """2000B HL*22 (SBR, 2010BA, 2010BB) and 2000C HL*23 when the patient is someone else."""
        subscriber = _required(claim.subscriber, claim, "2010BA subscriber")
        payer = _required(claim.payer, claim, "2010BB payer")
        is_self = claim.relationship in (SELF, "")
        self.hl += 1
        parent = self.hl
        self.out.seg("HL", str(self.hl), str(self.billing_hl), "22", "0" if is_self else "1")
        self.out.seg(
            "SBR",
            claim.payer_responsibility,  # SBR01 P/S/T
            SELF if is_self else "",  # SBR02
            claim.group_number,  # SBR03
            "",
            "",
            "",
            "",
            "",
            claim.filing_indicator,  # SBR09 MB, MC, CI ...
        )
        write_person(self.out, subscriber, "IL", with_demographics=is_self)
        nm1(self.out, payer, "PR", "2")
        if payer.address is not None:
            address(self.out, payer.address)
        for q, v in payer.refs:
            self.out.seg("REF", q, v)
        if not is_self:
            patient = _required(claim.patient, claim, "2010CA patient")
            self.hl += 1
            self.out.seg("HL", str(self.hl), str(parent), "23", "0")
            self.out.seg("PAT", claim.relationship)  # PAT01 individual relationship code
            write_person(self.out, patient, "QC", with_demographics=True, with_id=False)


def _subscriber_key(claim: SubmittedClaim) -> object:
    return (
        claim.subscriber,
        claim.payer,
        claim.payer_responsibility,
        claim.relationship,
        claim.group_number,
        claim.filing_indicator,
        claim.patient if claim.relationship not in (SELF, "") else None,
    )


def _required(party: Party | None, claim: SubmittedClaim, what: str) -> Party:
    if party is None:
        raise X12WriteError(f"claim {claim.patient_control_number}: {what} is missing")
    return party


def _name(party: Party | None) -> str:
    return party.last_or_org_name if party is not None else "UNKNOWN"


def write_person(
    out: SegmentWriter,
    party: Party,
    code: str,
    *,
    with_demographics: bool,
    with_id: bool = True,
) -> None:
    """2010BA/2010CA: NM1, N3/N4 and DMG (required when this person is the patient)."""
    if not with_id:
        party = dataclasses.replace(party, id_qualifier="", identifier="")  # NM108/09 not used
    nm1(out, party, code, "1")
    if party.address is not None:
        address(out, party.address)
    if with_demographics and party.birth_date is not None:
        out.seg("DMG", "D8", d8(party.birth_date), party.gender or "U")


class Writer837:
    """Push-style 837 writer: add() claims as they come, close() writes the trailers."""

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
        submitter: Party | None = None,
        receiver_party: Party | None = None,
        contact: Contact | None = None,
        max_claims_per_transaction: int = MAX_CLAIMS_PER_TRANSACTION,
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
        opts = _Options(
            submitter, receiver_party, contact or Contact(), max_claims_per_transaction, ""
        )
        self._writer = _Writer837(self._ic, opts)
        self._ic.open()

    def add(self, claim: SubmittedClaim) -> None:
        """Write one claim (loop 2300 and, when needed, new ST/HL levels before it)."""
        self._writer.add(claim)

    def close(self) -> WriteSummary:
        """SE/GE/IEA; an 837 without any claim is refused."""
        if not self._ic.summary.claims:
            raise X12WriteError("an 837 needs at least one claim")
        self._ic.close()
        return self._ic.summary


def write_837(claims: Iterable[SubmittedClaim], *, stream: TextIO, **options: Any) -> WriteSummary:
    """Stream claims to an 837 interchange (837P and 837I in separate groups).

    Options are Writer837's: sender, receiver, interchange_control (required), group_control,
    first_transaction, created, usage, submitter, receiver_party, contact,
    max_claims_per_transaction, newline.
    """
    writer = Writer837(stream, **options)
    for claim in claims:
        writer.add(claim)
    return writer.close()


def write_837_file(
    path: str | Path, claims: Iterable[SubmittedClaim], **kwargs: Any
) -> WriteSummary:
    """write_837 to a file, atomically (no half-written file on error)."""
    return write_atomic(path, lambda stream: write_837(claims, stream=stream, **kwargs))
