"""Synthetic submitted claims (837P professional, 837I outpatient and inpatient) for the generator.

One Case per original claim: who the patient is, which payer, which scenario the remittance
side will play out, and the SubmittedClaim itself. All randomness comes from the caller's
random.Random, so a seed gives the same batch every time.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from decimal import Decimal

from claimsdesk import generator_data as data
from claimsdesk.generator_data import PayerInfo, Service
from parsers.records import (
    Address,
    Delimiters,
    Diagnosis,
    FunctionalGroup,
    Interchange,
    OtherPayer,
    Party,
    Procedure,
    ServiceLine,
    SubmittedClaim,
    TransactionSet,
)

# Writers take the envelope from their own arguments; claims built here carry a draft one.
DRAFT_TRANSACTION = TransactionSet(
    Interchange("", "", "", "", "", "", "00501", "", "T", Delimiters("*", ":", "^", "~")),
    FunctionalGroup("HC", "", "", "", "", ""),
    "837",
    "",
    "",
    0,
)

SCENARIOS = (  # (name, weight): how the payer answers an original claim
    ("paid", 46),
    ("deductible", 8),
    ("short_paid", 7),
    ("denied", 15),
    ("line_denied", 5),
    ("crossover", 5),
    ("cob_secondary", 6),
    ("reversal", 3),
    ("no_response", 2),
    ("paid_in_full", 3),
)
_NAMES = tuple(n for n, _w in SCENARIOS)
_WEIGHTS = tuple(w for _n, w in SCENARIOS)


@dataclass(slots=True)
class Case:
    """One original claim and how its story goes."""

    index: int
    claim: SubmittedClaim
    payer: PayerInfo
    scenario: str
    submitted: dt.date
    secondary: PayerInfo | None = None
    drg: str = ""
    drg_weight: Decimal | None = None
    days: int = 0
    denial: tuple[str, str, bool, str] | None = None


def pcn_of(seed: int, index: int) -> str:
    """CLM01 patient control number: unique within a batch and across seeds."""
    return f"G{seed % 100_000:05d}{index:09d}"


def member_id(payer: PayerInfo, seed: int, index: int) -> str:
    """A member id in the payer's own numbering."""
    return f"{payer.short}{(seed * 7 + index) % 10**9:09d}"


def _person(rng: random.Random, code: str, born: dt.date) -> Party:
    city, state, zip5 = rng.choice(data.CITIES)
    address = Address(
        f"{rng.randrange(10, 9990)} {rng.choice(data.STREETS)}", "", city, state, zip5
    )
    return Party(
        code,
        rng.choice(data.LAST_NAMES),
        rng.choice(data.FIRST_NAMES),
        entity_type="1",
        address=address,
        birth_date=born,
        gender=rng.choice("FM"),
    )


def payer_party(payer: PayerInfo) -> Party:
    """2010BB / 2330B NM1*PR."""
    return Party("PR", payer.name, id_qualifier="PI", identifier=payer.payer_id, entity_type="2")


def _pick_payer(rng: random.Random, kind: str, scenario: str, inpatient: bool) -> PayerInfo:
    if scenario == "crossover":
        return data.MEDICARE_PRO if kind == "837P" else data.MEDICARE_INST
    if scenario == "cob_secondary":
        return rng.choice(data.COMMERCIAL)
    if kind == "837I":
        return rng.choice(data.INPATIENT_PAYERS if inpatient else data.OUTPATIENT_PAYERS)
    return rng.choices(data.PROFESSIONAL_PAYERS, data.PROFESSIONAL_WEIGHTS)[0]


def _secondary_for(rng: random.Random, primary: PayerInfo, scenario: str) -> PayerInfo | None:
    if scenario == "crossover":
        return data.MEDICAID
    if scenario == "cob_secondary":
        others = [p for p in data.COMMERCIAL if p is not primary]
        return rng.choice([data.MEDICAID, *others])
    return None


def make_case(rng: random.Random, seed: int, index: int, submitted: dt.date) -> Case:
    """Draw one original claim and its scenario."""
    scenario = rng.choices(_NAMES, _WEIGHTS)[0]
    kind = "837P" if scenario == "cob_secondary" or rng.random() < 0.8 else "837I"
    inpatient = kind == "837I" and scenario != "crossover" and rng.random() < 0.3
    payer = _pick_payer(rng, kind, scenario, inpatient)
    case = Case(
        index, _DUMMY_CLAIM, payer, scenario, submitted, _secondary_for(rng, payer, scenario)
    )
    if scenario in ("denied", "line_denied"):
        choices = [d for d in data.DENIALS if d[2] == (scenario == "denied") or d[0] == "16"]
        case.denial = rng.choice(choices)
    late = case.denial is not None and case.denial[0] == "29"
    first_service = submitted - dt.timedelta(
        days=rng.randrange(400, 500) if late else rng.randrange(3, 40)
    )
    case.claim = _build_claim(rng, seed, case, kind, inpatient, first_service)
    return case


def _people(rng: random.Random, seed: int, case: Case, start: dt.date) -> tuple[Party, Party]:
    """Subscriber (with the payer's member id) and patient: the subscriber or a child."""
    medicare = case.payer.filing_indicator == "MB"
    self_insured = medicare or rng.random() < 0.85
    years = rng.randrange(66 * 365, 90 * 365) if medicare else rng.randrange(2 * 365, 64 * 365)
    born = start - dt.timedelta(days=years)
    subscriber = _person(rng, "IL", born if self_insured else born - dt.timedelta(days=9000))
    member = member_id(case.payer, seed, case.index)
    subscriber = replace(subscriber, id_qualifier="MI", identifier=member)
    if self_insured:
        return subscriber, subscriber
    return subscriber, replace(_person(rng, "QC", born), address=subscriber.address)


def _listed_secondary(case: Case, subscriber: Party, seed: int) -> tuple[OtherPayer, ...]:
    """2320/2330 naming the secondary payer on the primary claim (no adjudication yet)."""
    sec = case.secondary
    if sec is None:
        return ()
    member = replace(subscriber, identifier=member_id(sec, seed, case.index))
    return (OtherPayer("S", "18", "", sec.filing_indicator, member, payer_party(sec)),)


def _build_claim(
    rng: random.Random, seed: int, case: Case, kind: str, inpatient: bool, start: dt.date
) -> SubmittedClaim:
    subscriber, patient = _people(rng, seed, case, start)
    lines, dates, refs = _lines_for(rng, case, kind, inpatient, start)
    codes = rng.sample(data.DIAGNOSES, rng.randint(1, 4))
    diagnoses = tuple(Diagnosis("ABK" if n == 0 else "ABF", c) for n, c in enumerate(codes))
    professional = kind == "837P"
    public = case.payer.filing_indicator in ("MB", "MC")
    return SubmittedClaim(
        transaction=DRAFT_TRANSACTION,
        kind=kind,
        patient_control_number=pcn_of(seed, case.index),
        total_charge=sum((line.charge for line in lines), Decimal(0)),
        facility_code=(lines[0].place_of_service or "11")
        if professional
        else ("11" if inpatient else "13"),
        facility_qualifier="B" if professional else "A",
        frequency="1",
        payer_responsibility="P",
        filing_indicator=case.payer.filing_indicator,
        group_number="" if public else f"GRP{case.index % 997:04d}",
        relationship="18" if patient is subscriber else "19",
        submitter=data.SUBMITTER,
        receiver=data.CLEARINGHOUSE,
        billing_provider=data.CLINIC if professional else data.HOSPITAL,
        pay_to_provider=None,
        subscriber=subscriber,
        payer=payer_party(case.payer),
        patient=patient,
        diagnoses=diagnoses,
        dates=dates,
        refs=refs,
        providers=(rng.choice(data.RENDERING if professional else data.ATTENDING),),
        other_payers=_listed_secondary(case, subscriber, seed),
        lines=lines,
    )


def _service_line(
    n: int,
    svc: Service,
    units: int,
    day: dt.date,
    pos: str,
    ptrs: tuple[str, ...],
    pcn_tag: str,
    end: dt.date | None = None,
) -> ServiceLine:
    proc = Procedure("HC", svc.code, svc.modifiers) if svc.code else None
    return ServiceLine(
        line_number=str(n),
        procedure=proc,
        charge=svc.charge * units,
        unit_basis="DA" if svc.revenue_code == "0120" else "UN",
        units=Decimal(units),
        revenue_code=svc.revenue_code,
        place_of_service=pos,
        diagnosis_pointers=ptrs,
        service_date=day,
        service_date_end=end,
        line_control_number=f"{pcn_tag}{n:02d}",
    )


def _lines_for(
    rng: random.Random, case: Case, kind: str, inpatient: bool, start: dt.date
) -> tuple[tuple[ServiceLine, ...], tuple[tuple[str, str, str], ...], tuple[tuple[str, str], ...]]:
    tag = f"{case.index:09d}"
    if kind == "837P":
        pos = "22" if rng.random() < 0.1 else ""
        picks = [rng.choice(data.OFFICE_VISITS), *rng.sample(data.ANCILLARY, rng.randint(0, 3))]
        lines = tuple(
            _service_line(n, svc, svc.units, start, pos, ("1",), tag)
            for n, svc in enumerate(picks, start=1)
        )
        return lines, (), ((("G1", f"AUTH{case.index:08d}"),) if rng.random() < 0.1 else ())
    refs = (("EA", f"MR{case.index:09d}"),)
    if not inpatient:
        picks = rng.sample(data.OUTPATIENT_LINES, rng.randint(1, 4))
        lines = tuple(
            _service_line(n, s, s.units, start, "", (), tag) for n, s in enumerate(picks, start=1)
        )
        period = f"{start:%Y%m%d}-{start:%Y%m%d}"
        return lines, (("434", "RD8", period),), refs
    case.days = rng.randint(2, 6)
    case.drg, case.drg_weight = rng.choice(data.DRGS)
    end = start + dt.timedelta(days=case.days)
    units = (case.days, 1, 1)
    lines = tuple(
        _service_line(n, s, u, start, "", (), tag, end)
        for n, (s, u) in enumerate(zip(data.INPATIENT_LINES, units, strict=True), start=1)
    )
    dates = (("434", "RD8", f"{start:%Y%m%d}-{end:%Y%m%d}"), ("435", "D8", f"{start:%Y%m%d}"))
    return lines, dates, refs


def with_surgery_line(claim: SubmittedClaim, target: Decimal) -> SubmittedClaim:
    """Raise an inpatient bill to at least target by adding an operating-room line (0360)."""
    gap = target - claim.total_charge
    if gap <= 0:
        return claim
    gap = gap.to_integral_value()
    first = claim.lines[0]
    line = replace(
        first,
        line_number=str(len(claim.lines) + 1),
        procedure=None,
        charge=gap,
        unit_basis="UN",
        units=Decimal(1),
        revenue_code="0360",
        line_control_number=first.line_control_number[:-2] + f"{len(claim.lines) + 1:02d}",
    )
    return replace(claim, lines=(*claim.lines, line), total_charge=claim.total_charge + gap)


_DUMMY_CLAIM = SubmittedClaim(
    DRAFT_TRANSACTION,
    "837P",
    "",
    Decimal(0),
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    None,
    None,
    None,
    None,
    None,
    None,
    None,
)
