"""Links from claims to the shared party rows: providers, patients and their coverages.

Natural keys (import_rows): a provider by NPI, else tax id, else its id or name; a patient by
LAST|FIRST|member id; a coverage by patient, payer, member id, responsibility and group.
Providers merge what each source knows (import_entities); the other kinds keep their first row.
"""

from __future__ import annotations

from claimsdesk.services import import_rows as rows
from claimsdesk.services.import_writer import BatchWriter, Ref
from parsers.records import ClaimPayment, Party


def provider(
    writer: BatchWriter, party: Party | None, *, authoritative: bool = False
) -> Ref | None:
    """The shared provider row of an NM1/N1, when it names one. A provider seen before
    (another file, or earlier in this one) gets this party's name and address where its
    own are empty; an authoritative party (the 837 billing provider, whose N3/N4 is the
    billing address outbound 837s need) also replaces them with its non-empty values."""
    if party is None:
        return None
    key = rows.provider_key(party)
    if key is None:
        return None
    return writer.providers.ref_merged(key, party, lambda: rows.provider_row(party), authoritative)


def patient_835(
    writer: BatchWriter, claim: ClaimPayment, payer_key: str | None, payer: Ref | None
) -> tuple[Ref | None, Ref | None]:
    """Patient (NM1*QC) and coverage (insured member id, CLP02 position, REF*1L group)."""
    patient = claim.patient
    if patient is None:
        return None, None
    insured = claim.insured
    member = insured.identifier if insured and insured.identifier else patient.identifier
    group = next((v for q, v in claim.refs if q == "1L"), "")
    coverage = {
        "payer_responsibility": rows.responsibility_of(claim.status),
        "group_number": group,
        "relationship_code": "",
        "filing_indicator": claim.filing_indicator,
        "subscriber_name": (insured or patient).display_name,
    }
    return patient_and_coverage(writer, patient, member, payer_key, payer, coverage)


def patient_and_coverage(
    writer: BatchWriter,
    patient: Party,
    member: str,
    payer_key: str | None,
    payer: Ref | None,
    coverage: dict[str, str],
) -> tuple[Ref | None, Ref | None]:
    """Shared patient row, and the coverage row when the payer is known."""
    pkey = rows.patient_key(patient, member)
    pref = writer.patients.ref(pkey, lambda: rows.patient_row(patient, member))
    if payer_key is None:
        return pref, None
    ckey = rows.coverage_key(
        pkey, payer_key, member, coverage["payer_responsibility"], coverage["group_number"]
    )
    cref = writer.coverages.ref(
        ckey, lambda: {"patient_id": pref, "payer_id": payer, "member_id": member, **coverage}
    )
    return pref, cref
