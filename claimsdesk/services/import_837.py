"""Rows of one 837 claim: the claim, its lines, its other payers and their adjustments."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from claimsdesk.services import import_parties as parties
from claimsdesk.services import import_rows as rows
from claimsdesk.services.import_sql import dumps
from claimsdesk.storage.models import ingest as m
from parsers.records import Adjustment, OtherPayer, ServiceLine, SubmittedClaim, to_jsonable
from parsers.x12.values import ValueProblem, date8, date_range

if TYPE_CHECKING:
    from claimsdesk.services.import_store import RecordSink

RENDERING = "82"
Row = dict[str, Any]


def write_submitted_claim(sink: RecordSink, claim: SubmittedClaim, transaction: int) -> int:
    """Queue the claim's rows with its payer, providers, patient and coverage linked."""
    writer = sink.writer
    row = submitted_claim_row(claim, transaction, sink.file_id)
    payer = claim.payer
    payer_id = payer.identifier if payer else ""
    payer_key = rows.payer_key(payer_id, payer.last_or_org_name if payer else "")
    payer_ref = None
    if payer_key is not None:
        payer_ref = writer.payers.ref(payer_key, lambda: rows.payer_row(payer, payer_id))
    row["payer_id"] = payer_ref
    row["billing_provider_id"] = parties.provider(
        writer, claim.billing_provider, authoritative=True
    )
    rendering = next((p for p in claim.providers if p.entity_code == RENDERING), None)
    row["rendering_provider_id"] = parties.provider(writer, rendering)
    if claim.patient is not None:
        member = claim.subscriber.identifier if claim.subscriber else ""
        subscriber = claim.subscriber or claim.patient
        row["patient_id"], row["coverage_id"] = parties.patient_and_coverage(
            writer,
            claim.patient,
            member,
            payer_key,
            payer_ref,
            {
                "payer_responsibility": claim.payer_responsibility,
                "group_number": claim.group_number,
                "relationship_code": claim.relationship,
                "filing_indicator": claim.filing_indicator,
                "subscriber_name": subscriber.display_name,
            },
        )
    ref = writer.add_parent(m.SubmittedClaim, row)
    for line in claim.lines:
        writer.add(m.ClaimLine, claim_line_row(line, ref))
    for sequence, other in enumerate(claim.other_payers, 1):
        _write_other_payer(sink, other, ref, sequence)
    return ref


def _write_other_payer(sink: RecordSink, other: OtherPayer, claim: int, sequence: int) -> None:
    """2320/2330 with its CAS; the other payer joins the shared payer rows."""
    writer = sink.writer
    row = other_payer_row(other, claim, sequence)
    payer = other.payer
    if payer is not None:
        key = rows.payer_key(payer.identifier, payer.last_or_org_name)
        if key is not None:
            row["payer_id"] = writer.payers.ref(
                key, lambda: rows.payer_row(payer, payer.identifier)
            )
    ref = writer.add(m.OtherPayerRow, row)
    for adj in other.adjustments:
        writer.add(m.OtherPayerAdjustment, other_adjustment_row(adj, ref))


def parse_dtp(fmt: str, value: str) -> tuple[dt.date | None, dt.date | None]:
    """A DTP D8 or RD8 value as (start, end); (None, None) when unreadable."""
    try:
        if fmt == "RD8" or "-" in value:
            return date_range(value)
        day = date8(value)
    except ValueProblem:
        return None, None
    return day, day


def claim_period(claim: SubmittedClaim) -> tuple[dt.date | None, dt.date | None]:
    """Statement dates (DTP*434), else claim service dates (DTP*472), else the lines'."""
    for qualifier in ("434", "472"):
        for q, fmt, value in claim.dates:
            if q == qualifier:
                return parse_dtp(fmt, value)
    starts = [ln.service_date for ln in claim.lines if ln.service_date]
    ends = [ln.service_date_end or ln.service_date for ln in claim.lines if ln.service_date]
    return (min(starts) if starts else None, max(e for e in ends if e) if ends else None)


def submitted_claim_row(claim: SubmittedClaim, transaction: Any, file_id: int) -> Row:
    """CLM and its 2300 segments; party ids are filled in by the caller."""
    start, end = claim_period(claim)
    principal = claim.diagnoses[0].code if claim.diagnoses else ""
    return {
        "import_file_id": file_id,
        "transaction_set_id": transaction,
        "kind": claim.kind,
        "patient_control_number": claim.patient_control_number,
        "total_charge": claim.total_charge,
        "facility_code": claim.facility_code,
        "facility_qualifier": claim.facility_qualifier,
        "frequency": claim.frequency,
        "payer_responsibility": claim.payer_responsibility,
        "filing_indicator": claim.filing_indicator,
        "group_number": claim.group_number,
        "relationship_code": claim.relationship,
        "payer_id": None,
        "billing_provider_id": None,
        "rendering_provider_id": None,
        "patient_id": None,
        "coverage_id": None,
        "subscriber_member_id": claim.subscriber.identifier if claim.subscriber else "",
        "principal_diagnosis": principal,
        "diagnoses": dumps(
            [[d.qualifier, d.code, d.present_on_admission] for d in claim.diagnoses]
        ),
        "statement_from": start,
        "statement_to": end,
        "original_reference": claim.ref("F8") or "",
        "prior_authorization": claim.ref("G1") or "",
        "dates": dumps(claim.dates),
        "refs": dumps(claim.refs),
        "amounts": dumps(claim.amounts),
        "providers": dumps(rows.party_list((claim.pay_to_provider, *claim.providers))),
        "segment_index": claim.segment_index,
        "signature_on_file": claim.signature_on_file,  # CLM06
        "assignment": claim.assignment,  # CLM07
        "benefits_assigned": claim.benefits_assigned,  # CLM08
        "release_of_information": claim.release_of_information,  # CLM09
        "delay_reason": claim.delay_reason,  # CLM20
        "admission_type": claim.admission_type,  # CL101
        "admission_source": claim.admission_source,  # CL102
        "patient_status": claim.patient_status,  # CL103
    }


def claim_line_row(line: ServiceLine, claim: Any) -> Row:
    """LX/SV1/SV2 and their 2400 segments; 2430 adjudications as JSON."""
    row: Row = {
        "submitted_claim_id": claim,
        "line_number": line.line_number,
        "revenue_code": line.revenue_code,
        "charge": line.charge,
        "unit_basis": line.unit_basis,
        "units": line.units,
        "place_of_service": line.place_of_service,
        "diagnosis_pointers": ":".join(line.diagnosis_pointers),
        "service_date": line.service_date,
        "service_date_end": line.service_date_end,
        "line_control_number": line.line_control_number,
        "ndc": line.ndc,
        "other_payer_adjudications": dumps(to_jsonable(line.other_payer_adjudications)),
        "providers": dumps(rows.party_list(getattr(line, "providers", ()))),
        "segment_index": line.segment_index,
    }
    proc = line.procedure
    row["procedure_qualifier"] = proc.qualifier if proc else ""
    row["procedure_code"] = proc.code if proc else ""
    row["modifiers"] = ":".join(proc.modifiers) if proc else ""
    return row


def other_payer_row(other: OtherPayer, claim: Any, sequence: int) -> Row:
    """2320 SBR/AMT and 2330A/B ids; the payer link is filled in by the caller."""
    return {
        "submitted_claim_id": claim,
        "sequence": sequence,
        "payer_responsibility": other.payer_responsibility,
        "relationship_code": other.relationship,
        "group_number": other.group_number,
        "filing_indicator": other.filing_indicator,
        "payer_id": None,
        "payer_identifier": other.payer.identifier if other.payer else "",
        "subscriber_member_id": other.subscriber.identifier if other.subscriber else "",
        "paid_amount": other.paid_amount,
        "remaining_liability": other.remaining_liability,
        "noncovered_amount": other.noncovered_amount,
        "adjudication_date": other.adjudication_date,
        "amounts": dumps(getattr(other, "amounts", ())),
        "adjudication": dumps(
            {
                "oi": list(getattr(other, "other_insurance", ())),
                "moa": list(getattr(other, "outpatient_adjudication", ())),
                "mia": list(getattr(other, "inpatient_adjudication", ())),
            }
        ),
    }


def other_adjustment_row(adj: Adjustment, other: Any) -> Row:
    """2320 CAS triplet."""
    return {
        "other_payer_id": other,
        "group_code": adj.group,
        "reason_code": adj.reason,
        "amount": adj.amount,
        "quantity": adj.quantity,
    }
