"""The claim to the next payer, carrying the previous payer's adjudication (COB, 837 2320/2430).

Who the next payer is, in this order (the first that answers wins):
1. the claim's own 2320/2330 loops: the other payer whose SBR01 comes next after the claim's
   (P -> S -> T -> A ... H), i.e. the coverage the office registered when it billed;
2. the crossover carrier the payer named in its 835 (NM1*TT), with the member id taken from
   that payer's coverage on file for the same person;
3. the person's other coverage on file (coverages of patients with the same name and birth
   date, from earlier 837s and 835s) whose responsibility comes next.
None known: Refused, naming what was looked at.

The new claim: 2000B SBR01 becomes the next payer's responsibility and its subscriber and
payer (2010BA/BB) are the next payer's; the previous payer moves to a 2320/2330 loop with
its claim-level CAS, AMT*D (CLP04), AMT*EAF (CLP05), MOA/MIA and DTP*573 (BPR16); each line
gets a 2430 (SVD = SVC03, the line's CAS, DTP*573). The 837 TR3 balance (line charge less
2430 CAS = SVD02; CLM02 less all CAS = AMT*D) is checked by the gate (outbound_x12).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimsdesk.services.claim_views import payer_key_of
from claimsdesk.services.outbound_rebuild import named_party
from claimsdesk.services.outbound_source import Adjudication, PaidLine, SourceClaim
from claimsdesk.services.outbound_types import Refused
from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.ingest import Coverage, Patient, Payer
from parsers.records import LineAdjudication, OtherPayer, Party, ServiceLine, SubmittedClaim

PAT, COV, PAYER = table_of(Patient), table_of(Coverage), table_of(Payer)
ORDER = "PSTABCDEFGH"  # SBR01 payer responsibility sequence
SELF = "18"
OTHER_RELATIONSHIP = "G8"  # SBR02 other relationship (the coverage row does not say)
_BRIEF = re.compile(r"^(?P<name>.*?)(?: \((?P<qualifier>\S+) (?P<id>\S+)\))?$")
_2330B_REFS = frozenset({"2U", "EI", "FY", "NF"})  # payer secondary ids allowed in 2330B
REVENUE_ONLY = "NU"  # SVC01-1 NUBC revenue code: not a procedure for SVD03


@dataclass(frozen=True, slots=True)
class NextPayer:
    """The payer the new claim goes to, as a 2320-like record, and how we know it."""

    other: OtherPayer
    payer_key: str
    payer_name: str
    how: str  # plain words: where the next payer came from


def after(responsibility: str) -> str:
    """The SBR01 that follows (S after P); '' past the last."""
    n = ORDER.find(responsibility or "P")
    return ORDER[n + 1] if 0 <= n < len(ORDER) - 1 else ""


def rank(responsibility: str) -> int:
    """Position in P, S, T, A..H (unknown codes last)."""
    n = ORDER.find(responsibility) if responsibility else -1
    return n if n >= 0 else len(ORDER)


def _key(party: Party | None) -> str:
    return payer_key_of(party.identifier, party.last_or_org_name) if party else ""


# --------------------------------------------------------------------------- next payer


def find_next_payer(session: Session, source: SourceClaim, primary: Adjudication) -> NextPayer:
    """The next payer by the rule in the module docstring; Refused when none is known."""
    claim = source.record
    current = claim.payer_responsibility or "P"
    later = [
        o
        for o in claim.other_payers
        if rank(o.payer_responsibility) > rank(current) and _key(o.payer) != source.payer_key
    ]
    if later:
        best = min(later, key=lambda o: rank(o.payer_responsibility))
        return NextPayer(best, _key(best.payer), _name(best.payer), "the claim's 2320/2330 loop")
    if primary.crossover_carrier:
        found = _crossover(session, source, primary.crossover_carrier, current)
        if found is not None:
            return found
    found = _coverage_on_file(session, source, current, None)
    if found is not None:
        return found
    raise Refused(
        f"No next payer is known for claim {claim.patient_control_number}: the claim lists no "
        "other payer after this one (2320/2330), the remittance names no crossover carrier "
        "(NM1*TT) with a coverage on file, and the patient has no other coverage on file. "
        "Record the secondary coverage first."
    )


def _name(party: Party | None) -> str:
    return party.last_or_org_name if party else ""


def _crossover(session: Session, source: SourceClaim, brief: str, current: str) -> NextPayer | None:
    """NM1*TT 'NAME (PI ID)': the crossover payer, with its member id from coverage on file."""
    m = _BRIEF.match(brief)
    if m is None:  # pragma: no cover - the pattern matches any text
        return None
    identifier = m.group("id") or ""
    key = payer_key_of(identifier, m.group("name"))
    found = _coverage_on_file(session, source, current, key)
    if found is None:
        raise Refused(
            f"The payer forwarded claim {source.record.patient_control_number} to "
            f"{m.group('name')} (crossover, NM1*TT) but no coverage with a member id is on "
            "file for the patient at that payer: record it first."
        )
    return dataclasses.replace(found, how="the crossover carrier the payer named (NM1*TT)")


def _coverage_on_file(
    session: Session, source: SourceClaim, current: str, payer_key: str | None
) -> NextPayer | None:
    """The same person's coverage at another payer (one payer when payer_key is given)."""
    patient = source.record.patient
    if patient is None:
        return None
    cols = (COV.c.member_id, COV.c.payer_responsibility, COV.c.group_number,
            COV.c.relationship_code, COV.c.filing_indicator, COV.c.subscriber_name,
            PAYER.c.identifier, PAYER.c.name, PAYER.c.id_qualifier)  # fmt: skip
    same_person = [
        func.upper(PAT.c.last_name) == patient.last_or_org_name.upper(),
        func.upper(PAT.c.first_name) == patient.first_name.upper(),
    ]
    if patient.birth_date is not None:
        same_person.append((PAT.c.birth_date == patient.birth_date) | (PAT.c.birth_date.is_(None)))
    join = COV.join(PAT, PAT.c.id == COV.c.patient_id).join(PAYER, PAYER.c.id == COV.c.payer_id)
    rows = session.execute(select(*cols).select_from(join).where(*same_person)).all()
    options = []
    for r in rows:
        key = payer_key_of(r.identifier, r.name)
        if key == source.payer_key or not r.member_id:
            continue
        if payer_key is not None and key != payer_key:
            continue
        if payer_key is None and rank(r.payer_responsibility) <= rank(current):
            continue
        options.append((rank(r.payer_responsibility), r))
    if not options:
        return None
    r = min(options, key=lambda o: o[0])[1]
    return _from_coverage(r, patient, after(current))


def _from_coverage(r: Any, patient: Party, responsibility: str) -> NextPayer:
    """A coverage row as the next payer's 2320-like record."""
    name = r.subscriber_name or ""
    relationship = r.relationship_code or ""
    if relationship in ("", SELF):
        relationship = SELF if name.upper() == patient.display_name.upper() else ""
    subscriber = named_party("IL", name or patient.display_name, "MI", r.member_id)
    payer = Party("PR", r.name or "", id_qualifier="PI", identifier=r.identifier,
                  entity_type="2")  # fmt: skip
    other = OtherPayer(r.payer_responsibility or responsibility,
                       relationship or OTHER_RELATIONSHIP, r.group_number or "",
                       r.filing_indicator or "", subscriber, payer)  # fmt: skip
    return NextPayer(other, payer_key_of(r.identifier, payer.last_or_org_name),
                     payer.last_or_org_name, "the patient's coverage on file")  # fmt: skip


# --------------------------------------------------------------------------- the claim


def build_secondary(
    source: SourceClaim, primary: Adjudication, nxt: NextPayer
) -> tuple[SubmittedClaim, list[str]]:
    """The claim to the next payer and what changed, in plain words."""
    claim = source.record
    if primary.payment_date is None:
        raise Refused(
            f"{primary.payer_name}'s remittance has no payment date (BPR16): the adjudication "
            "date (DTP*573) the next payer needs is unknown."
        )
    if claim.payer is None or not claim.payer.identifier:
        raise Refused("The claim's payer has no identifier (2010BB NM109) for SVD01.")
    target = nxt.other
    patient = claim.patient or claim.subscriber
    is_self = target.relationship == SELF
    subscriber = _subscriber(target, patient, is_self)
    previous = _previous_payer(claim, primary)
    others = [
        o for o in claim.other_payers if _key(o.payer) not in (nxt.payer_key, source.payer_key)
    ]
    others = sorted([previous, *others], key=lambda o: rank(o.payer_responsibility))
    payer = dataclasses.replace(target.payer, entity_code="PR") if target.payer else None
    new = dataclasses.replace(
        claim,
        payer_responsibility=target.payer_responsibility,
        relationship=SELF if is_self else target.relationship,
        group_number=target.group_number,
        filing_indicator=target.filing_indicator or claim.filing_indicator,
        subscriber=subscriber,
        payer=payer,
        patient=patient,
        receiver=Party("40", nxt.payer_name, id_qualifier="46",
                       identifier=target.payer.identifier if target.payer else "",
                       entity_type="2"),
        frequency="1",
        refs=tuple(r for r in claim.refs if r[0] != "F8"),
        other_payers=tuple(others),
        lines=_lines(source, primary, nxt.payer_key),
    )  # fmt: skip
    return new, _changes(nxt, primary, previous)


def _changes(nxt: NextPayer, primary: Adjudication, previous: OtherPayer) -> list[str]:
    """What the next payer's claim changed, in plain words."""
    liability = previous.remaining_liability
    eaf = f", AMT*EAF {liability:.2f}" if liability is not None else ""
    day = primary.payment_date.isoformat() if primary.payment_date else "?"
    return [
        f"billed to {nxt.payer_name} as SBR01 {nxt.other.payer_responsibility} (from {nxt.how})",
        f"{primary.payer_name} moved to 2320/2330 as SBR01 {previous.payer_responsibility}: "
        f"AMT*D {primary.paid:.2f}{eaf}, DTP*573 {day}",
    ]


def _subscriber(target: OtherPayer, patient: Party | None, is_self: bool) -> Party | None:
    """2010BA: the next payer's subscriber; when it is the patient, with address and DMG."""
    sub = target.subscriber
    if sub is None:
        return None
    if is_self and patient is not None:
        return dataclasses.replace(patient, entity_code="IL", id_qualifier=sub.id_qualifier or "MI",
                                   identifier=sub.identifier)  # fmt: skip
    return dataclasses.replace(sub, birth_date=None, gender="")


def _previous_payer(claim: SubmittedClaim, primary: Adjudication) -> OtherPayer:
    """The payer that answered, as a 2320/2330 loop with its claim-level adjudication."""
    payer = claim.payer
    assert payer is not None
    refs = tuple(r for r in payer.refs if r[0] in _2330B_REFS)
    inpatient = primary.inpatient if claim.kind == "837I" else ()
    return OtherPayer(
        payer_responsibility=claim.payer_responsibility or "P",
        relationship=claim.relationship or SELF,
        group_number=claim.group_number,
        filing_indicator=claim.filing_indicator,
        subscriber=claim.subscriber,
        payer=dataclasses.replace(payer, refs=refs),
        adjustments=primary.adjustments,
        paid_amount=primary.paid,
        remaining_liability=primary.patient_responsibility,
        adjudication_date=primary.payment_date,
        outpatient_adjudication=primary.outpatient if any(primary.outpatient) else (),
        inpatient_adjudication=inpatient if any(inpatient) else (),
    )


def _lines(source: SourceClaim, primary: Adjudication, next_key: str) -> tuple[ServiceLine, ...]:
    """Each billed line with the primary's 2430 (and earlier payers' 2430s kept)."""
    claim = source.record
    payer_id = claim.payer.identifier if claim.payer else ""
    paid = _paid_by_line(source, primary)
    drop = {payer_id, next_key}
    out = []
    for line, line_id in zip(claim.lines, source.line_ids, strict=True):
        kept = tuple(a for a in line.other_payer_adjudications if a.payer_id not in drop)
        added = tuple(_svd(p, line, payer_id, primary) for p in paid.get(line_id, ()))
        out.append(dataclasses.replace(line, other_payer_adjudications=kept + added))
    return tuple(out)


def _paid_by_line(source: SourceClaim, primary: Adjudication) -> dict[int, list[PaidLine]]:
    """Paid lines by billed line id (matching's link, else REF*6R); Refused when one is lost."""
    control = {
        ln.line_control_number: line_id
        for ln, line_id in zip(source.record.lines, source.line_ids, strict=True)
        if ln.line_control_number
    }
    out: dict[int, list[PaidLine]] = {}
    for p in primary.lines:
        line_id = p.claim_line_id or control.get(p.line_control_number)
        if line_id is None:
            raise Refused(
                f"{primary.payer_name}'s paid line {p.procedure.code} ({p.charge:.2f}) matches "
                "no billed line: the next payer cannot be shown its line adjudication."
            )
        out.setdefault(line_id, []).append(p)
    return out


def _svd(p: PaidLine, line: ServiceLine, payer_id: str, primary: Adjudication) -> LineAdjudication:
    """One 2430: SVD01 payer id, SVD02 paid, SVD03 procedure as adjudicated, SVD05 units."""
    procedure = p.procedure if p.procedure.qualifier != REVENUE_ONLY else None
    units = p.units_paid if p.units_paid is not None else Decimal(1)  # 835: absent means one
    return LineAdjudication(payer_id, p.paid, procedure, units, p.adjustments,
                            primary.payment_date)  # fmt: skip


def balance_errors(claim: SubmittedClaim, payer_id: str) -> list[str]:
    """837 TR3 COB balance for the payer in 2320/2330 whose 2330B NM109 is payer_id."""
    other = next(
        (o for o in claim.other_payers if o.payer and o.payer.identifier == payer_id), None
    )
    if other is None or other.paid_amount is None:
        return []
    name = _name(other.payer)
    errors = []
    line_cas = Decimal("0")
    for n, line in enumerate(claim.lines, start=1):
        svds = [a for a in line.other_payer_adjudications if a.payer_id == payer_id]
        cas = sum((a.amount for s in svds for a in s.adjustments), Decimal("0"))
        line_cas += cas
        if len(svds) == 1 and line.charge - cas != svds[0].paid:
            errors.append(
                f"line {n}: charge {line.charge:.2f} less {name}'s line adjustments {cas:.2f} "
                f"is {line.charge - cas:.2f}, not the {svds[0].paid:.2f} it paid (2430 SVD02): "
                "the remittance does not balance"
            )
    claim_cas = sum((a.amount for a in other.adjustments), Decimal("0"))
    left = claim.total_charge - claim_cas - line_cas
    if left != other.paid_amount:
        errors.append(
            f"claim: charge {claim.total_charge:.2f} less {name}'s adjustments "
            f"{claim_cas + line_cas:.2f} is {left:.2f}, not the {other.paid_amount:.2f} it paid "
            "(2320 AMT*D): the remittance does not balance; fix the adjudication before billing"
        )
    return errors


__all__ = [
    "NextPayer",
    "after",
    "balance_errors",
    "build_secondary",
    "find_next_payer",
    "rank",
]
