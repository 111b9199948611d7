"""Records to row dicts: one function per table, plain values, Refs for parents.

Raw repeating elements (REF, AMT, QTY, PER) are stored as JSON lists with Decimal as str.
Natural keys for shared parties are built here (see the key functions below).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from claimsdesk.services.import_sql import dumps
from parsers.records import (
    Adjustment,
    ClaimPayment,
    Interchange,
    Issue,
    Party,
    ProviderAdjustment,
    RemittanceHeader,
    RemittanceTrailer,
    ServicePayment,
    TransactionSet,
)

Row = dict[str, Any]

# CLP02 -> the payer's position (SBR01-like P/S/T) for the coverage row of an 835 claim
_RESPONSIBILITY = {"1": "P", "19": "P", "2": "S", "20": "S", "3": "T", "21": "T"}
_TAX_QUALIFIERS = ("FI", "EI", "24", "34")
TAXONOMY = "PXC"  # the 837 reader keeps PRV03 as a ("PXC", code) reference of the party


def upper(text: str) -> str:
    """Key part: trimmed and upper-cased."""
    return " ".join(text.split()).upper()


# --------------------------------------------------------------------------- envelopes


def interchange_row(isa: Interchange, file_id: int) -> Row:
    """ISA columns."""
    return {
        "import_file_id": file_id,
        "sender_qualifier": isa.sender_qualifier,
        "sender_id": isa.sender_id.strip(),
        "receiver_qualifier": isa.receiver_qualifier,
        "receiver_id": isa.receiver_id.strip(),
        "date": isa.date,
        "time": isa.time,
        "version": isa.version,
        "control_number": isa.control_number,
        "usage": isa.usage,
    }


def envelope_key(ts: TransactionSet) -> str:
    """Sender, receiver and the three control numbers: ISA05/06/07/08/13, GS06, ST02."""
    isa = ts.interchange
    return "|".join(
        (
            isa.sender_qualifier,
            isa.sender_id.strip(),
            isa.receiver_qualifier,
            isa.receiver_id.strip(),
            isa.control_number,
            ts.group.control_number,
            ts.control_number,
        )
    )


def transaction_row(ts: TransactionSet, file_id: int, interchange: Any) -> Row:
    """GS and ST columns; counts and dedupe key arrive with the SE."""
    gs = ts.group
    return {
        "import_file_id": file_id,
        "interchange_id": interchange,
        "functional_id": gs.functional_id,
        "group_sender": gs.sender_code,
        "group_receiver": gs.receiver_code,
        "group_date": gs.date,
        "group_control_number": gs.control_number,
        "group_version": gs.version,
        "set_id": ts.set_id,
        "control_number": ts.control_number,
        "implementation": ts.implementation,
        "is_4010": ts.is_4010,
        "segment_index": ts.segment_index,
        "segment_count": None,
        "claim_count": None,
        "envelope_key": envelope_key(ts),
        "dedupe_key": None,
    }


# --------------------------------------------------------------------------- parties


def payer_key(identifier: str, name: str) -> str | None:
    """'id:<payer id>', else 'name:<NAME>', else None."""
    if identifier.strip():
        return "id:" + identifier.strip()
    return "name:" + upper(name) if name.strip() else None


def payer_row(party: Party | None, identifier: str) -> Row:
    """Payer columns from an N1/NM1*PR (or only an id)."""
    return {
        "identifier": identifier.strip(),
        "id_qualifier": party.id_qualifier if party else "",
        "name": party.last_or_org_name if party else "",
    }


def provider_key(party: Party) -> str | None:
    """'npi:<NPI>', else 'tin:<tax id>', else '<qualifier>:<id>', else 'name:<NAME>'."""
    if party.identifier and party.id_qualifier == "XX":
        return "npi:" + party.identifier
    tax = tax_id(party)
    if tax:
        return "tin:" + tax
    if party.identifier:
        return f"{party.id_qualifier}:{party.identifier}"
    name = upper(f"{party.last_or_org_name} {party.first_name}")
    return "name:" + name if name else None


def tax_id(party: Party) -> str | None:
    """Tax id from the id qualifier or REF*EI / REF*TJ."""
    if party.identifier and party.id_qualifier in _TAX_QUALIFIERS:
        return party.identifier
    return party.ref("EI") or party.ref("TJ")


def provider_row(party: Party) -> Row:
    """Provider columns."""
    address = party.address
    return {
        "entity_type": party.entity_type,
        "name": party.last_or_org_name,
        "first_name": party.first_name,
        "npi": party.identifier if party.id_qualifier == "XX" else None,
        "tax_id": tax_id(party),
        "address_line1": address.line1 if address else "",
        "city": address.city if address else "",
        "state": address.state if address else "",
        "postal_code": address.postal_code if address else "",
        "taxonomy": party.ref(TAXONOMY),
    }


def patient_key(patient: Party, member_id: str) -> str:
    """LAST|FIRST|member id: the same person under the same coverage."""
    return f"{upper(patient.last_or_org_name)}|{upper(patient.first_name)}|{member_id.strip()}"


def patient_row(patient: Party, member_id: str) -> Row:
    """Patient columns (address and birth date when the file has them)."""
    address = patient.address
    return {
        "last_name": patient.last_or_org_name,
        "first_name": patient.first_name,
        "middle_name": patient.middle_name,
        "member_id": member_id.strip(),
        "birth_date": patient.birth_date,
        "gender": patient.gender,
        "address_line1": address.line1 if address else "",
        "address_line2": address.line2 if address else "",
        "city": address.city if address else "",
        "state": address.state if address else "",
        "postal_code": address.postal_code if address else "",
    }


def coverage_key(patient: str, payer: str, member_id: str, responsibility: str, group: str) -> str:
    """Patient, payer, member id, P/S/T and group together."""
    return "|".join((patient, payer, member_id.strip(), responsibility, group.strip()))


def responsibility_of(claim_status: str) -> str:
    """P/S/T for a CLP02 that says who processed the claim, '' otherwise."""
    return _RESPONSIBILITY.get(claim_status, "")


def party_brief(party: Party | None) -> str:
    """'NAME (qualifier id)' for an NM1 kept as text."""
    if party is None:
        return ""
    ident = f" ({party.id_qualifier} {party.identifier})" if party.identifier else ""
    return f"{party.display_name}{ident}"


def party_list(parties: Iterable[Party | None]) -> list[list[str]]:
    """[[NM101, name, qualifier, id], ...] for NM1s kept as JSON."""
    return [[p.entity_code, p.display_name, p.id_qualifier, p.identifier] for p in parties if p]


# --------------------------------------------------------------------------- 835 / EOB


def remittance_row(
    header: RemittanceHeader, file_id: int, transaction: Any, payment_key: str | None
) -> Row:
    """BPR/TRN/REF/DTM columns; trailer totals arrive later."""
    return {
        "import_file_id": file_id,
        "transaction_set_id": transaction,
        "source": "x12" if header.transaction is not None else "fhir",
        "payer_id": None,
        "payee_id": None,
        "payer_key": header.payer_id,
        "payment_key": payment_key,
        "handling_code": header.handling_code,
        "payment_amount": header.payment_amount,
        "credit_debit": header.credit_debit,
        "payment_method": header.payment_method,
        "payment_format": header.payment_format,
        "payment_date": header.payment_date,
        "trace_type": header.trace_type,
        "trace_number": header.trace_number,
        "originator_id": header.originator_id,
        "trace_supplemental": header.trace_supplemental,
        "currency": header.currency,
        "refs": dumps(header.refs),
        "receiver_id": header.receiver_id,
        "production_date": header.production_date,
        "claim_count": None,
        "claim_paid_total": None,
        "plb_total": None,
        "balanced": None,
        "provider_summaries": "[]",
    }


def trailer_values(trailer: RemittanceTrailer) -> Row:
    """Totals a remittance learns at its SE (or the end of an EOB)."""
    return {
        "claim_count": trailer.claim_count,
        "claim_paid_total": trailer.claim_paid_total,
        "plb_total": trailer.plb_total,
        "balanced": trailer.balanced,
        "provider_summaries": [list(s) for s in trailer.header.provider_summaries],
    }


def plb_row(plb: ProviderAdjustment, remittance: Any) -> Row:
    """PLB columns."""
    return {
        "remittance_id": remittance,
        "provider_identifier": plb.provider_id,
        "fiscal_period_end": plb.fiscal_period_end,
        "reason": plb.reason,
        "reference": plb.reference,
        "amount": plb.amount,
        "segment_index": plb.segment_index,
    }


def claim_payment_row(claim: ClaimPayment, remittance: Any, file_id: int) -> Row:
    """CLP and its 2100 segments; party ids are filled in by the caller."""
    return {
        "remittance_id": remittance,
        "import_file_id": file_id,
        "patient_control_number": claim.patient_control_number,
        "status": claim.status,
        "charge": claim.charge,
        "paid": claim.paid,
        "patient_responsibility": claim.patient_responsibility,
        "filing_indicator": claim.filing_indicator,
        "payer_claim_number": claim.payer_claim_number,
        "facility_type": claim.facility_type,
        "frequency": claim.frequency,
        "patient_status": claim.patient_status,
        "drg_code": claim.drg_code,
        "drg_weight": claim.drg_weight,
        "discharge_fraction": claim.discharge_fraction,
        "yes_no_condition": claim.yes_no_condition,
        "patient_id": None,
        "coverage_id": None,
        "rendering_provider_id": None,
        "crossover_carrier": party_brief(claim.crossover_carrier),
        "corrected_payer": party_brief(claim.corrected_priority_payer),
        "inpatient_adjudication": dumps(claim.inpatient_adjudication),
        "outpatient_adjudication": dumps(claim.outpatient_adjudication),
        "statement_start": claim.statement_start,
        "statement_end": claim.statement_end,
        "coverage_expiration": claim.coverage_expiration,
        "received_date": claim.received_date,
        "refs": dumps(claim.refs),
        "amounts": dumps(claim.amounts),
        "quantities": dumps(claim.quantities),
        "contacts": dumps(claim.contacts),
        "parties": dumps(
            party_list((claim.insured, claim.corrected_patient, claim.other_subscriber))
        ),
        "source_id": claim.source_id,
        "segment_index": claim.segment_index,
    }


def service_payment_row(svc: ServicePayment, claim: Any, line_number: int) -> Row:
    """SVC and its 2110 segments."""
    proc, orig = svc.procedure, svc.original_procedure
    return {
        "claim_payment_id": claim,
        "line_number": line_number,
        "procedure_qualifier": proc.qualifier,
        "procedure_code": proc.code,
        "modifiers": ":".join(proc.modifiers),
        "charge": svc.charge,
        "paid": svc.paid,
        "revenue_code": svc.revenue_code,
        "units_paid": svc.units_paid,
        "original_procedure_qualifier": orig.qualifier if orig else "",
        "original_procedure_code": orig.code if orig else "",
        "original_modifiers": ":".join(orig.modifiers) if orig else "",
        "original_units": svc.original_units,
        "service_date": svc.service_date,
        "service_start": svc.service_start,
        "service_end": svc.service_end,
        "line_control_number": svc.line_control_number,
        "allowed": svc.allowed,
        "refs": dumps(svc.refs),
        "amounts": dumps(svc.amounts),
        "quantities": dumps(svc.quantities),
        "segment_index": svc.segment_index,
    }


def adjustment_row(adj: Adjustment, claim: Any, service: Any) -> Row:
    """CAS triplet at claim (service None) or line level."""
    return {
        "claim_payment_id": claim,
        "service_payment_id": service,
        "level": "line" if service is not None else "claim",
        "group_code": adj.group,
        "reason_code": adj.reason,
        "amount": adj.amount,
        "quantity": adj.quantity,
    }


def remark_row(claim: Any, service: Any, qualifier: str, code: str) -> Row:
    """A RARC at claim (service None) or line level."""
    return {
        "claim_payment_id": claim,
        "service_payment_id": service,
        "level": "line" if service is not None else "claim",
        "qualifier": qualifier,
        "code": code,
    }


# --------------------------------------------------------------------------- issues


def issue_row(issue: Issue, file_id: int, claim_payment: Any = None, submitted: Any = None) -> Row:
    """An issue stored beside the file (and the claim it belongs to, when known)."""
    return {
        "import_file_id": file_id,
        "severity": issue.severity.value,
        "code": issue.code,
        "message": issue.message,
        "segment_index": issue.segment_index,
        "segment_id": issue.segment_id,
        "element": issue.element,
        "claim_pcn": issue.claim,
        "claim_payment_id": claim_payment,
        "submitted_claim_id": submitted,
    }


def signed_payment(header: RemittanceHeader) -> Decimal:
    """BPR02 with BPR03 applied: a debit (D) takes money back."""
    return -header.payment_amount if header.credit_debit == "D" else header.payment_amount
