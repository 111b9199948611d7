"""837 loops 2300 (claim), 2310 (providers), 2320/2330 (other payers) and 2400/2430 (lines).

Segment order follows the 005010X222A1 / X223A2 maps; situational segments are written
only when the record carries their data.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from claimsdesk.edi.x12out import (
    SegmentWriter,
    X12WriteError,
    composite,
    d8,
    money,
    number,
    procedure,
)
from parsers.records import (
    Address,
    Diagnosis,
    LineAdjudication,
    OtherPayer,
    Party,
    ServiceLine,
    SubmittedClaim,
)

# Map order of the 2300 DTP and REF qualifiers (unknown ones go last, in record order).
_DTP_ORDER = {
    "837P": "431 454 304 453 439 484 455 471 314 360 361 297 296 435 096 090 091 444 050",
    "837I": "096 434 435 050",
}
_REF_ORDER = {
    "837P": "4N F5 EW 9F G1 F8 X4 9A 9C LX D9 EA P4 1J",
    "837I": "4N 9F G1 F8 9A 9C LX D9 LU EA P4 G4",
}
# HI segments in map order: qualifiers that share one HI segment, and how many per segment.
# 837P puts the principal diagnosis and the others in one HI; 837I gives each kind its own.
_HI_ORDER = {
    "837P": ("ABK BK ABF BF", "BP BO", "BG"),
    "837I": ("ABK BK", "ABJ BJ", "APR PR", "ABN BN", "DR", "ABF BF", "BG", "TC"),
}
_HI_MAX = {"ABK": 1, "BK": 1, "ABJ": 1, "BJ": 1, "APR": 3, "PR": 3, "DR": 1}
_PRINCIPAL = frozenset({"ABK", "BK"})
# 2310 provider loops in map order by NM101.
_PROVIDER_ORDER = {"837P": "DN P3 82 77 DQ PW 45", "837I": "71 72 ZZ 82 77 DN"}
_LINE_PROVIDER_ORDER = {"837P": "82 QB 77 DQ DK DN PW 45", "837I": "72 ZZ 82 DN"}  # 2420
TAXONOMY = "PXC"  # the reader keeps PRV03 as a ("PXC", code) reference of the party
# Provider loops whose guide has a PRV segment: (transaction, NM101) -> PRV01.
_PRV_CODE = {("837P", "82"): "PE", ("837I", "71"): "AT"}  # 2310B/2420A rendering, 2310A attending
_PERSON_PROVIDERS = frozenset({"DN", "P3", "DQ", "DK", "71", "72", "ZZ"})
_PATIENT_AMOUNT = {"837P": "F5", "837I": "F3"}  # AMT01 patient amount paid / estimated due


def _ordered(items: Iterable[tuple[str, ...]], order: str) -> list[tuple[str, ...]]:
    rank = {q: n for n, q in enumerate(order.split())}
    return sorted(items, key=lambda item: rank.get(item[0], len(rank)))


def write_claim(out: SegmentWriter, claim: SubmittedClaim) -> None:
    """Loop 2300 and everything under it."""
    kind = claim.kind
    _clm(out, claim)
    for q, f, v in _ordered(claim.dates, _DTP_ORDER[kind]):
        out.seg("DTP", q, f, v)
    if kind == "837I":
        _institutional_codes(out, claim)
    for q, amount in claim.amounts:
        if q == _PATIENT_AMOUNT[kind]:
            out.seg("AMT", q, money(amount))
    for q, v in _ordered(claim.refs, _REF_ORDER[kind]):
        out.seg("REF", q, v)
    write_diagnoses(out, claim.diagnoses, claim)
    for provider in _ordered_parties(claim.providers, _PROVIDER_ORDER[kind]):
        _provider(out, provider, kind)
    for other in claim.other_payers:
        write_other_payer(out, other, kind)
    if not claim.lines:
        raise X12WriteError(f"claim {claim.patient_control_number}: no service lines (2400)")
    for n, line in enumerate(claim.lines, start=1):
        write_line(out, line, n, kind)


def _clm(out: SegmentWriter, claim: SubmittedClaim) -> None:
    """CLM: CLM05 facility:qualifier:frequency (7 replaces, 8 voids an earlier claim); the
    indicators as billed, or the usual ones for a claim built without them."""
    facility = composite(claim.facility_code, claim.facility_qualifier, claim.frequency)
    professional = claim.kind == "837P"
    elements = [
        claim.patient_control_number,
        money(claim.total_charge),
        "",
        "",
        facility,
        (claim.signature_on_file or "Y") if professional else "",  # CLM06: not used in 837I
        claim.assignment or "A",  # CLM07 assignment or plan participation
        claim.benefits_assigned or "Y",  # CLM08 benefits assignment certification
        claim.release_of_information or "Y",  # CLM09 release of information
    ]
    if claim.delay_reason:  # CLM20 delay reason code
        elements += [""] * 10 + [claim.delay_reason]
    out.seg("CLM", *elements)


def _institutional_codes(out: SegmentWriter, claim: SubmittedClaim) -> None:
    """CL1 as billed; else admission type and source on inpatient bills, status always."""
    if claim.admission_type or claim.admission_source or claim.patient_status:
        out.seg("CL1", claim.admission_type, claim.admission_source, claim.patient_status)
        return
    inpatient = claim.facility_code[:2] in ("11", "18", "21", "41", "65", "66", "86")
    # CL101 admission type, CL102 admission source, CL103 patient status (01 home)
    out.seg("CL1", "1" if inpatient else "", "7" if inpatient else "", "01")


def write_diagnoses(
    out: SegmentWriter, diagnoses: tuple[Diagnosis, ...], claim: SubmittedClaim
) -> None:
    """HI segments: principal first, up to 12 composites per segment."""
    if not diagnoses:
        raise X12WriteError(f"claim {claim.patient_control_number}: no diagnosis (HI) given")
    rank = {q: n for n, qs in enumerate(_HI_ORDER[claim.kind]) for q in qs.split()}
    limits = _HI_MAX if claim.kind == "837I" else {}
    runs: list[list[Diagnosis]] = []
    ordered = sorted(
        diagnoses, key=lambda d: (rank.get(d.qualifier, len(rank)), d.qualifier not in _PRINCIPAL)
    )
    for dx in ordered:
        limit = limits.get(dx.qualifier, 12)
        last = runs[-1] if runs else None
        same = last is not None and rank.get(last[0].qualifier) == rank.get(dx.qualifier)
        if last is not None and same and len(last) < limit:
            last.append(dx)
        else:
            runs.append([dx])
    poa = claim.kind == "837I"
    for run in runs:
        out.seg("HI", *(_hi(d, poa) for d in run))


def _hi(dx: Diagnosis, with_poa: bool) -> str:
    code = dx.code.replace(".", "")  # ICD-10 codes go without the decimal point
    if with_poa and dx.present_on_admission:
        return composite(dx.qualifier, code, "", "", "", "", "", "", dx.present_on_admission)
    return composite(dx.qualifier, code)


def _ordered_parties(parties: tuple[Party, ...], order: str) -> list[Party]:
    rank = {q: n for n, q in enumerate(order.split())}
    return sorted(parties, key=lambda p: rank.get(p.entity_code, len(rank)))


def _provider(out: SegmentWriter, party: Party, kind: str) -> None:
    """One 2310/2420 loop: NM1 (N3/N4 for a service facility), PRV taxonomy, secondary ids."""
    default_type = "1" if party.entity_code in _PERSON_PROVIDERS else "2"
    if party.entity_code in ("77", "PW", "45"):
        default_type = "2"
    nm1(out, party, party.entity_code, default_type)
    if party.entity_code in ("77", "PW", "45") and party.address is not None:
        address(out, party.address)
    prv01 = _PRV_CODE.get((kind, party.entity_code))
    for q, v in party.refs:
        if q == TAXONOMY and prv01:
            out.seg("PRV", prv01, "PXC", v)  # PRV01 provider code, PRV03 taxonomy
    for q, v in party.refs:
        if q != TAXONOMY:
            out.seg("REF", q, v)


def nm1(out: SegmentWriter, party: Party, code: str, default_type: str) -> None:
    """NM1 for a person (NM102 1) or an organisation (2); names after NM103 only for people."""
    kind = party.entity_type or default_type
    person = kind == "1"
    out.seg(
        "NM1",
        code,
        kind,
        party.last_or_org_name,
        party.first_name if person else "",
        party.middle_name if person else "",
        "",
        party.suffix if person else "",
        party.id_qualifier if party.identifier else "",
        party.identifier,
    )


def address(out: SegmentWriter, a: Address) -> None:
    """N3 street lines and N4 city/state/postal code."""
    out.seg("N3", a.line1, a.line2)
    out.seg("N4", a.city, a.state, a.postal_code, a.country)


def write_other_payer(out: SegmentWriter, other: OtherPayer, kind: str) -> None:
    """2320 other subscriber information with its 2330A subscriber and 2330B payer."""
    out.seg(
        "SBR",
        other.payer_responsibility,
        other.relationship,
        other.group_number,
        "",
        "",
        "",
        "",
        "",
        other.filing_indicator,
    )
    out.cas(other.adjustments)
    _other_payer_amounts(out, other, kind)
    # OI03 benefits assigned, OI06 release of information
    out.seg("OI", *(other.other_insurance or ("", "", "Y", "", "", "Y")))
    if kind == "837I" and other.inpatient_adjudication:
        out.seg("MIA", *other.inpatient_adjudication)
    if other.outpatient_adjudication:
        out.seg("MOA", *other.outpatient_adjudication)
    if other.subscriber is None or other.payer is None:
        raise X12WriteError("2320 other payer needs its subscriber (2330A) and payer (2330B)")
    nm1(out, other.subscriber, "IL", "1")
    if other.subscriber.address is not None:
        address(out, other.subscriber.address)
    nm1(out, other.payer, "PR", "2")
    if other.payer.address is not None:
        address(out, other.payer.address)
    if other.adjudication_date is not None:
        out.seg("DTP", "573", "D8", d8(other.adjudication_date))  # claim check or remit date
    for q, v in other.payer.refs:
        out.seg("REF", q, v)


def _other_payer_amounts(out: SegmentWriter, other: OtherPayer, kind: str) -> None:
    """2320 AMT: D payer paid, A8 noncovered, EAF remaining patient liability, in map order."""
    amounts = dict(other.amounts)
    for q, value in (
        ("D", other.paid_amount),
        ("A8", other.noncovered_amount),
        ("EAF", other.remaining_liability),
    ):
        if value is not None:
            amounts[q] = value
    order = ("D", "EAF", "A8") if kind == "837I" else ("D", "A8", "EAF")
    for q in (*order, *(q for q in amounts if q not in order)):
        if q in amounts:
            out.seg("AMT", q, money(amounts[q]))


def write_line(out: SegmentWriter, line: ServiceLine, n: int, kind: str) -> None:
    """2400 service line: LX, SV1/SV2, DTP*472, REF*6R, 2410 drug, 2430 adjudications."""
    out.seg("LX", str(n))
    units = number(line.units if line.units is not None else Decimal(1))
    _service(out, line, units, kind)
    if line.service_date is not None:
        end = line.service_date_end
        if end is not None and end != line.service_date:
            out.seg("DTP", "472", "RD8", f"{d8(line.service_date)}-{d8(end)}")
        else:
            out.seg("DTP", "472", "D8", d8(line.service_date))
    elif kind == "837P":
        raise X12WriteError(f"line {n}: a professional line needs its service date (DTP*472)")
    if line.line_control_number:
        out.seg("REF", "6R", line.line_control_number)
    if line.ndc:
        out.seg("LIN", "", "N4", line.ndc)
        out.seg("CTP", "", "", "", units, "UN")  # CTP04 quantity, CTP05 unit of measure
    for provider in _ordered_parties(line.providers, _LINE_PROVIDER_ORDER[kind]):
        _provider(out, provider, kind)
    for adj in line.other_payer_adjudications:
        _line_adjudication(out, adj, line, kind)


def _service(out: SegmentWriter, line: ServiceLine, units: str, kind: str) -> None:
    """SV1 professional (SV107 diagnosis pointers) or SV2 institutional (SV201 revenue code)."""
    basis = line.unit_basis or "UN"
    if kind == "837P":
        pointers = composite(*line.diagnosis_pointers[:4])
        out.seg(
            "SV1",
            procedure(line.procedure),
            money(line.charge),
            basis,
            units,
            line.place_of_service,
            "",
            pointers,
        )
    else:
        out.seg(
            "SV2", line.revenue_code, procedure(line.procedure), money(line.charge), basis, units
        )


def _line_adjudication(
    out: SegmentWriter, adj: LineAdjudication, line: ServiceLine, kind: str
) -> None:
    """2430: SVD paid amount, CAS and DTP*573 adjudication date."""
    units = number(adj.units if adj.units is not None else line.units)
    proc = procedure(adj.procedure or line.procedure)
    revenue = line.revenue_code if kind == "837I" else ""  # SVD04 (837I only)
    out.seg("SVD", adj.payer_id, money(adj.paid), proc, revenue, units)
    out.cas(adj.adjustments)
    if adj.adjudication_date is None:
        raise X12WriteError(f"line {line.line_number}: 2430 needs its adjudication date")
    out.seg("DTP", "573", "D8", d8(adj.adjudication_date))
