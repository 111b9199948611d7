"""Rebuild a claim record (parsers.records.SubmittedClaim) from the stored rows.

Used when the import file is gone or changed. The rows keep most of an 837 but not all:
the 1000A/1000B names come from the billing provider and the payer with the ISA ids, the
pay-to address, a service facility's address and the 2310/2420 provider taxonomies are not
kept (except the claim's rendering provider's: its provider row has one), and a subscriber who
is not the patient (2010BA, 2330A) has only the name on the coverage row. CLM06-09, CLM20, CL1
and the 2000A billing taxonomy are kept (NULL in rows imported before revision 0007: the
writer's defaults then).
What is missing shows up as validation errors at the 837 gate, never as a silent guess.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimsdesk.services.matching import split_codes
from claimsdesk.services.outbound_types import NotFound
from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.ingest import (
    ClaimLine,
    Coverage,
    Interchange,
    OtherPayerAdjustment,
    OtherPayerRow,
    Patient,
    Payer,
    Provider,
    SubmittedClaim,
    TransactionSetRow,
)
from parsers.records import (
    Address,
    Adjustment,
    Delimiters,
    Diagnosis,
    FunctionalGroup,
    LineAdjudication,
    OtherPayer,
    Party,
    Procedure,
    ServiceLine,
    TransactionSet,
)
from parsers.records import Interchange as InterchangeRecord
from parsers.records import SubmittedClaim as ClaimRecord

SC, CL, OP, OPA = (table_of(m) for m in (SubmittedClaim, ClaimLine, OtherPayerRow,
                                         OtherPayerAdjustment))  # fmt: skip
PAT, PAYER, PROV, COV = (table_of(m) for m in (Patient, Payer, Provider, Coverage))
TS, ISA = table_of(TransactionSetRow), table_of(Interchange)
SELF = ("18", "")
PERSON_PROVIDERS = frozenset({"DN", "P3", "DQ", "DK", "71", "72", "ZZ", "82"})
PAY_TO = "87"
RENDERING = "82"  # 2310B (837P) / 2310D (837I) rendering provider, linked by the claim row
TAXONOMY = "PXC"  # PRV03 as the reader keeps it: a ("PXC", code) reference of the party


def rebuild_claim(session: Session, claim_id: int) -> ClaimRecord:
    """The claim as the rows remember it."""
    c = session.execute(select(SC).where(SC.c.id == claim_id)).first()
    if c is None:
        raise NotFound(f"No submitted claim {claim_id}.")
    transaction = _transaction(session, c.transaction_set_id)
    payer = _payer(session, c.payer_id, "PR")
    billing = _provider(session, c.billing_provider_id)
    patient = _patient(session, c.patient_id)
    subscriber = _subscriber(session, c, patient)
    providers = tuple(_brief_party(p) for p in c.providers or () if p and p[0] != PAY_TO)
    providers = _rendering_taxonomy(session, providers, c.rendering_provider_id)
    isa = transaction.interchange
    record = ClaimRecord(
        transaction=transaction, kind=c.kind, patient_control_number=c.patient_control_number,
        total_charge=c.total_charge, facility_code=c.facility_code,
        facility_qualifier=c.facility_qualifier, frequency=c.frequency,
        payer_responsibility=c.payer_responsibility, filing_indicator=c.filing_indicator,
        group_number=c.group_number, relationship=c.relationship_code,
        submitter=Party("41", billing.last_or_org_name if billing else "", id_qualifier="46",
                        identifier=isa.sender_id, entity_type="2"),
        receiver=Party("40", payer.last_or_org_name if payer else "", id_qualifier="46",
                       identifier=isa.receiver_id, entity_type="2"),
        billing_provider=billing, pay_to_provider=None, subscriber=subscriber, payer=payer,
        patient=patient if c.relationship_code not in SELF else subscriber,
        diagnoses=tuple(Diagnosis(d[0], d[1], d[2] if len(d) > 2 else "")
                        for d in c.diagnoses or () if d),
        dates=tuple((d[0], d[1], d[2]) for d in c.dates or ()),
        refs=tuple((r[0], r[1]) for r in c.refs or ()),
        providers=providers, other_payers=_other_payers(session, claim_id),
        lines=_lines(session, claim_id),
        amounts=tuple((a[0], Decimal(a[1])) for a in c.amounts or ()),
        segment_index=c.segment_index,
    )  # fmt: skip
    return _with_flags(record, c)


def _with_flags(record: ClaimRecord, c: Any) -> ClaimRecord:
    """CLM06-09, CLM20 and CL101-103 as billed ('' where not recorded: writer defaults)."""
    return dataclasses.replace(
        record,
        signature_on_file=c.signature_on_file or "",  # CLM06
        assignment=c.assignment or "",  # CLM07
        benefits_assigned=c.benefits_assigned or "",  # CLM08
        release_of_information=c.release_of_information or "",  # CLM09
        delay_reason=c.delay_reason or "",  # CLM20
        admission_type=c.admission_type or "",  # CL101
        admission_source=c.admission_source or "",  # CL102
        patient_status=c.patient_status or "",  # CL103
    )


def _transaction(session: Session, ts_id: int) -> TransactionSet:
    t = session.execute(select(TS).where(TS.c.id == ts_id)).one()
    i = session.execute(select(ISA).where(ISA.c.id == t.interchange_id)).one()
    isa = InterchangeRecord(
        i.sender_qualifier, i.sender_id, i.receiver_qualifier, i.receiver_id, i.date, i.time,
        i.version, i.control_number, i.usage, Delimiters("*", ":", "^", "~"),
    )  # fmt: skip
    group = FunctionalGroup(
        t.functional_id, t.group_sender, t.group_receiver, t.group_date,
        t.group_control_number, t.group_version,
    )  # fmt: skip
    return TransactionSet(isa, group, t.set_id, t.control_number, t.implementation, 0)


def _payer(session: Session, payer_id: int | None, code: str) -> Party | None:
    if payer_id is None:
        return None
    p = session.execute(select(PAYER).where(PAYER.c.id == payer_id)).one()
    return Party(code, p.name, id_qualifier=p.id_qualifier or "PI", identifier=p.identifier,
                 entity_type="2")  # fmt: skip


def _provider(session: Session, provider_id: int | None) -> Party | None:
    if provider_id is None:
        return None
    p = session.execute(select(PROV).where(PROV.c.id == provider_id)).one()
    address = Address(p.address_line1, "", p.city, p.state, p.postal_code)
    refs = (("EI", p.tax_id),) if p.tax_id else ()
    if p.taxonomy:  # 2000A PRV*BI*PXC
        refs = ((TAXONOMY, p.taxonomy), *refs)
    return Party("85", p.name, p.first_name, id_qualifier="XX" if p.npi else "",
                 identifier=p.npi or "", entity_type=p.entity_type or "2",
                 address=address if p.address_line1 else None, refs=refs)  # fmt: skip


def _patient(session: Session, patient_id: int | None) -> Party | None:
    if patient_id is None:
        return None
    p = session.execute(select(PAT).where(PAT.c.id == patient_id)).one()
    address = Address(p.address_line1, p.address_line2, p.city, p.state, p.postal_code)
    return Party("QC", p.last_name, p.first_name, p.middle_name, id_qualifier="MI",
                 identifier=p.member_id, entity_type="1",
                 address=address if p.address_line1 else None, birth_date=p.birth_date,
                 gender=p.gender)  # fmt: skip


def _subscriber(session: Session, c: Any, patient: Party | None) -> Party | None:
    """The patient when self, else the name on the coverage row with the member id."""
    if c.relationship_code in SELF and patient is not None:
        return Party("IL", patient.last_or_org_name, patient.first_name, patient.middle_name,
                     id_qualifier="MI", identifier=c.subscriber_member_id, entity_type="1",
                     address=patient.address, birth_date=patient.birth_date,
                     gender=patient.gender)  # fmt: skip
    name = ""
    if c.coverage_id is not None:
        stmt = select(COV.c.subscriber_name).where(COV.c.id == c.coverage_id)
        name = session.execute(stmt).scalar() or ""
    return named_party("IL", name, "MI", c.subscriber_member_id)


def named_party(code: str, display: str, qualifier: str, identifier: str) -> Party:
    """A person from 'LAST, FIRST M' text (as kept in rows) with an id."""
    last, _, given = display.partition(", ")
    first, _, middle = given.partition(" ")
    return Party(code, last.strip(), first.strip(), middle.strip(),
                 id_qualifier=qualifier if identifier else "", identifier=identifier,
                 entity_type="1")  # fmt: skip


def _brief_party(item: list[str]) -> Party:
    """A 2310/2420 provider from [NM101, name, qualifier, id]."""
    code, name, qualifier, identifier = [*item, "", "", "", ""][:4]
    if code in PERSON_PROVIDERS and ", " in name:
        return named_party(code, name, qualifier, identifier)
    return Party(code, name, id_qualifier=qualifier, identifier=identifier, entity_type="2")


def _rendering_taxonomy(
    session: Session, providers: tuple[Party, ...], provider_id: int | None
) -> tuple[Party, ...]:
    """The rendering provider with its stored taxonomy: the claim's JSON list keeps none, its
    provider row (submitted_claims.rendering_provider_id) does, and 2310B PRV*PE needs it."""
    if provider_id is None:
        return providers
    stmt = select(PROV.c.npi, PROV.c.taxonomy).where(PROV.c.id == provider_id)
    row = session.execute(stmt).first()
    if row is None or not row.taxonomy:
        return providers
    out = list(providers)
    for n, party in enumerate(out):
        if party.entity_code != RENDERING:
            continue
        if party.ref(TAXONOMY) is None and (row.npi is None or party.identifier == row.npi):
            out[n] = dataclasses.replace(party, refs=((TAXONOMY, row.taxonomy), *party.refs))
        break  # the row links the first rendering provider (as the import does)
    return tuple(out)


def _lines(session: Session, claim_id: int) -> tuple[ServiceLine, ...]:
    stmt = select(CL).where(CL.c.submitted_claim_id == claim_id).order_by(CL.c.id)
    out = []
    for ln in session.execute(stmt).all():
        proc = None
        if ln.procedure_code:
            proc = Procedure(ln.procedure_qualifier, ln.procedure_code, split_codes(ln.modifiers))
        out.append(ServiceLine(
            ln.line_number, proc, ln.charge, ln.unit_basis, ln.units, ln.revenue_code,
            ln.place_of_service, split_codes(ln.diagnosis_pointers), ln.service_date,
            ln.service_date_end, ln.line_control_number, ln.ndc,
            tuple(_line_adjudication(a) for a in ln.other_payer_adjudications or ()),
            ln.segment_index, tuple(_brief_party(p) for p in ln.providers or () if p),
        ))  # fmt: skip
    return tuple(out)


def _line_adjudication(data: dict[str, Any]) -> LineAdjudication:
    """A 2430 from its stored JSON (parsers.records.to_jsonable of LineAdjudication)."""
    proc = data.get("procedure")
    procedure = None
    if proc:
        procedure = Procedure(proc["qualifier"], proc["code"], tuple(proc.get("modifiers", ())))
    units = data.get("units")
    day = data.get("adjudication_date")
    return LineAdjudication(
        data["payer_id"], Decimal(data["paid"]), procedure,
        Decimal(units) if units is not None else None,
        tuple(_adjustment(a) for a in data.get("adjustments", ())),
        dt.date.fromisoformat(day) if day else None,
    )  # fmt: skip


def _adjustment(a: dict[str, Any]) -> Adjustment:
    qty = a.get("quantity")
    quantity = Decimal(qty) if qty is not None else None
    level = a.get("level") or "line"
    return Adjustment(a["group"], a["reason"], Decimal(a["amount"]), quantity, level)


def _other_payers(session: Session, claim_id: int) -> tuple[OtherPayer, ...]:
    stmt = select(OP).where(OP.c.submitted_claim_id == claim_id).order_by(OP.c.sequence)
    out = []
    for o in session.execute(stmt).all():
        payer = _payer(session, o.payer_id, "PR") or Party(
            "PR", o.payer_identifier, id_qualifier="PI", identifier=o.payer_identifier
        )
        name = session.execute(
            select(COV.c.subscriber_name).where(
                COV.c.payer_id == o.payer_id, COV.c.member_id == o.subscriber_member_id
            )
        ).scalar()
        adj_stmt = select(OPA).where(OPA.c.other_payer_id == o.id).order_by(OPA.c.id)
        adjustments = tuple(
            Adjustment(a.group_code, a.reason_code, a.amount, a.quantity)
            for a in session.execute(adj_stmt).all()
        )
        extra = o.adjudication or {}
        out.append(OtherPayer(
            o.payer_responsibility, o.relationship_code, o.group_number, o.filing_indicator,
            named_party("IL", name or "", "MI", o.subscriber_member_id), payer, adjustments,
            o.paid_amount, o.remaining_liability, o.noncovered_amount, o.adjudication_date,
            tuple((a[0], Decimal(a[1])) for a in o.amounts or ()),
            tuple(extra.get("oi", ())), tuple(extra.get("moa", ())), tuple(extra.get("mia", ())),
        ))  # fmt: skip
    return tuple(out)


__all__ = ["named_party", "rebuild_claim"]
