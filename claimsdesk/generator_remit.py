"""How synthetic payers answer the generator's claims: balanced 835 claim payments.

Prices come from payer_rules (expected_allowed), so paid-as-contracted claims agree with the
rules and a short pay is short by more than the payer's tolerance. Every payment balances:
line SVC02 - CAS = SVC03, claim CLP03 - CAS = CLP04, and CLP05 = sum of PR adjustments.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from claimsdesk import generator_data as data
from claimsdesk.generator_claims import Case, member_id, with_surgery_line
from claimsdesk.generator_data import PayerInfo
from parsers.records import (
    Adjustment,
    ClaimPayment,
    Party,
    Procedure,
    ServiceLine,
    ServicePayment,
    SubmittedClaim,
)
from payer_rules import Rulebook, expected_allowed

CENT = Decimal("0.01")
ZERO = Decimal(0)


def cents(value: Decimal) -> Decimal:
    """Round half up to the cent, as payers do."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class Paid:
    """One claim payment and the check it goes on (payer, payee)."""

    payer: PayerInfo
    payee: Party
    payment: ClaimPayment


@dataclass(slots=True)
class Followup:
    """What happens in the next payment cycle: secondary claims and later payments."""

    claims: list[SubmittedClaim] = field(default_factory=list)
    payments: list[Paid] = field(default_factory=list)


@dataclass(slots=True)
class _Line:
    """A line being adjudicated: allowed amount and the adjustments against the charge."""

    source: ServiceLine
    allowed: Decimal
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: tuple[tuple[str, str], ...] = ()
    show_allowed: bool = True

    @property
    def paid(self) -> Decimal:
        return self.source.charge - sum((a.amount for a in self.adjustments), ZERO)

    def patient_share(self) -> Decimal:
        return sum((a.amount for a in self.adjustments if a.group == "PR"), ZERO)


class Adjudicator:
    """Turns a Case into 835 claim payments, deterministically from the shared rng."""

    def __init__(self, rules: Rulebook, rng: random.Random, seed: int) -> None:
        self.rules = rules
        self.rng = rng
        self.seed = seed

    def prepare(self, case: Case) -> None:
        """Inpatient bills must exceed the contract price: add an OR line when they do not."""
        if case.days:
            expected = self.claim_expected(case, case.payer)
            if expected is not None:
                case.claim = with_surgery_line(case.claim, expected * Decimal("1.6"))

    def answer(self, case: Case, paid_on: dt.date) -> tuple[list[Paid], Followup | None]:
        """The payer's first answer, and what follows in the next cycle."""
        s = case.scenario
        lines: list[_Line] = []
        if s == "no_response":
            return [], None
        if case.denial is not None and (case.denial[2] or case.days):
            payment = self._claim_denial(case)
        elif case.days:
            payment = self._inpatient(case, short=s in ("short_paid", "reversal"))
        else:
            payment = self._outpatient(case, lines)
        first = [Paid(case.payer, payee_of(case), payment)]
        from claimsdesk.generator_cob import reversal, secondary_claim, secondary_payment

        if s == "crossover":
            return first, Followup(payments=[secondary_payment(self, case, payment)])
        if s == "cob_secondary":
            claim = secondary_claim(self, case, payment, paid_on)
            return first, Followup([claim], [secondary_payment(self, case, payment)])
        if s == "reversal":
            return first, Followup(payments=reversal(self, case, payment))
        return first, None

    def _outpatient(self, case: Case, lines: list[_Line]) -> ClaimPayment:
        s = case.scenario
        lines.extend(self._price_lines(case, case.payer, short=s in ("short_paid", "reversal")))
        status = "1"
        if s in ("denied", "line_denied"):
            status = self._deny_lines(case, lines)
        elif s != "paid_in_full":
            self._patient_share(case, case.payer, lines, deductible=s == "deductible")
        if s != "crossover":
            return self.payment(case, case.payer, status, lines, ())
        # CLP02 19 processed as primary, forwarded: NM1*TT names the crossover carrier, MA18
        payment = self.payment(case, case.payer, "19", lines, ("", "", "MA18"))
        sec = case.secondary or data.MEDICAID
        carrier = Party("TT", sec.name, id_qualifier="PI", identifier=sec.payer_id, entity_type="2")
        return replace(payment, crossover_carrier=carrier)

    # ------------------------------------------------------------------ pricing

    def claim_expected(self, case: Case, payer: PayerInfo) -> Decimal | None:
        rules = self.rules.for_payer(payer.payer_id, payer.name)
        return expected_allowed(
            rules, kind="837I", drg=case.drg, days=case.days, charge=case.claim.total_charge
        )

    def line_expected(self, claim: SubmittedClaim, payer: PayerInfo, line: ServiceLine) -> Decimal:
        rules = self.rules.for_payer(payer.payer_id, payer.name)
        proc = line.procedure
        expected = expected_allowed(
            rules,
            procedure=proc.code if proc else "",
            modifiers=proc.modifiers if proc else (),
            units=line.units,
            charge=line.charge,
            kind=claim.kind,
            place_of_service=line.place_of_service or claim.facility_code,
        )
        if expected is None:  # no contract price: a flat 60 % of the charge
            expected = cents(line.charge * Decimal("0.6"))
        return min(expected, line.charge)

    def _price_lines(self, case: Case, payer: PayerInfo, *, short: bool) -> list[_Line]:
        lines = []
        for source in case.claim.lines:
            allowed = self.line_expected(case.claim, payer, source)
            lines.append(_Line(source, allowed))
        if short:  # the priciest line allowed 8-15 % (at least $2) under contract
            line = max(lines, key=lambda x: x.allowed)
            cut = max(cents(line.allowed * Decimal(self.rng.randint(8, 15)) / 100), Decimal(2))
            line.allowed = max(line.allowed - cut, ZERO)
        for line in lines:
            if line.source.charge > line.allowed:
                line.adjustments.append(
                    Adjustment("CO", "45", line.source.charge - line.allowed, level="line")
                )
        return lines

    def _patient_share(
        self, case: Case, payer: PayerInfo, lines: list[_Line], *, deductible: bool
    ) -> None:
        """PR-1 deductible, PR-2 coinsurance, PR-3 copay by payer type."""
        left = self.rng.choice(data.DEDUCTIBLES) if deductible else ZERO
        commercial = payer.filing_indicator == "CI"
        copay = self.rng.choice(data.COPAYS) if commercial and case.claim.kind == "837P" else ZERO
        for n, line in enumerate(lines):
            base = line.allowed
            if left and base:
                take = min(left, base)
                line.adjustments.append(Adjustment("PR", "1", take, level="line"))
                left, base = left - take, base - take
            if payer.filing_indicator == "MC" or not base:
                continue
            if n == 0 and copay:
                line.adjustments.append(Adjustment("PR", "3", min(copay, base), level="line"))
                continue
            rate = (
                Decimal("0.2")
                if payer.filing_indicator == "MB" or not commercial
                else Decimal("0.1")
            )
            share = cents(base * rate)
            if share:
                line.adjustments.append(Adjustment("PR", "2", share, level="line"))

    def _deny_lines(self, case: Case, lines: list[_Line]) -> str:
        """Line denials: every line (CO-16 claim denial) or the last one; returns CLP02."""
        assert case.denial is not None
        carc, group, _whole, rarc = case.denial
        targets = lines if case.scenario == "denied" or len(lines) == 1 else lines[-1:]
        for line in targets:
            line.adjustments = [Adjustment(group, carc, line.source.charge, level="line")]
            line.remarks = (("HE", rarc),) if rarc else ()
            line.show_allowed = False
        self._patient_share(
            case, case.payer, [x for x in lines if x not in targets], deductible=False
        )
        return "4" if len(targets) == len(lines) else "1"

    def _claim_denial(self, case: Case) -> ClaimPayment:
        """A whole claim denied at claim level (CLP02 4, CAS for the full charge)."""
        assert case.denial is not None
        carc, group, _whole, rarc = case.denial
        charge = case.claim.total_charge
        payment = self.payment(case, case.payer, "4", [], ("", "", rarc) if rarc else ())
        return replace(payment, paid=ZERO, adjustments=(Adjustment(group, carc, charge),))

    def _inpatient(self, case: Case, *, short: bool) -> ClaimPayment:
        """Claim-level adjudication of an inpatient bill: DRG case rate or per diem."""
        charge = case.claim.total_charge
        expected = self.claim_expected(case, case.payer) or cents(charge * Decimal("0.6"))
        allowed = min(expected, charge)
        if short:
            allowed -= max(cents(allowed * Decimal("0.1")), Decimal(2))
        adjustments = [Adjustment("CO", "45", charge - allowed)]
        if case.payer.filing_indicator == "CI" and case.scenario == "deductible":
            adjustments.append(Adjustment("PR", "1", min(Decimal(250), allowed)))
        payment = self.payment(case, case.payer, "1", [], ())
        pr = sum((a.amount for a in adjustments if a.group == "PR"), ZERO)
        return replace(
            payment,
            paid=charge - sum((a.amount for a in adjustments), ZERO),
            patient_responsibility=pr,
            adjustments=tuple(adjustments),
            drg_code=case.drg,
            drg_weight=case.drg_weight,
        )

    def claim_number(self, payer: PayerInfo, case: Case, suffix: str = "") -> str:
        """CLP07 payer claim control number."""
        return f"{payer.short}{self.seed % 100_000:05d}{case.index:09d}{suffix}"

    def payment(
        self,
        case: Case,
        payer: PayerInfo,
        status: str,
        lines: list[_Line],
        moa: tuple[str, ...],
        suffix: str = "",
    ) -> ClaimPayment:
        """Assemble CLP and its 2110 lines; CLP04 and CLP05 are summed from the lines."""
        claim = case.claim
        services = tuple(_service(line, claim.kind) for line in lines)
        qc, il = _patient(claim, member_id(payer, self.seed, case.index))
        days = [line.service_date for line in claim.lines if line.service_date is not None]
        ends = [line.service_date_end or line.service_date for line in claim.lines]
        return ClaimPayment(
            patient_control_number=claim.patient_control_number,
            status=status,
            charge=claim.total_charge,
            paid=sum((s.paid for s in services), ZERO),
            patient_responsibility=sum((x.patient_share() for x in lines), ZERO),
            filing_indicator=payer.clp06,
            payer_claim_number=self.claim_number(payer, case, suffix),
            facility_type=claim.facility_code,
            frequency=claim.frequency,
            patient=qc,
            insured=il,
            rendering_provider=_rendering(claim),
            outpatient_adjudication=moa,
            services=services,
            statement_start=min(days) if days else None,
            statement_end=max(d for d in ends if d is not None) if days else None,
            received_date=case.submitted,
        )


def payee_of(case: Case) -> Party:
    """The billing provider: the 835 payee (N1*PE) of this claim's check."""
    billing = case.claim.billing_provider
    assert billing is not None
    return billing


def _patient(claim: SubmittedClaim, member: str) -> tuple[Party, Party | None]:
    """NM1*QC patient (with the member id) and NM1*IL insured when someone else."""
    patient, subscriber = claim.patient, claim.subscriber
    assert patient is not None and subscriber is not None
    qc = Party(
        "QC",
        patient.last_or_org_name,
        patient.first_name,
        id_qualifier="MI",
        identifier=member,
        entity_type="1",
    )
    if claim.relationship == "18":
        return qc, None
    il = Party(
        "IL",
        subscriber.last_or_org_name,
        subscriber.first_name,
        id_qualifier="MI",
        identifier=member,
        entity_type="1",
    )
    return qc, il


def _rendering(claim: SubmittedClaim) -> Party | None:
    if claim.kind != "837P":
        return None
    for p in claim.providers:
        if p.entity_code == "82":
            return Party(
                "82",
                p.last_or_org_name,
                p.first_name,
                id_qualifier="XX",
                identifier=p.identifier,
                entity_type="1",
            )
    return None


def _service(line: _Line, kind: str) -> ServicePayment:
    src = line.source
    proc = src.procedure or Procedure("NU", src.revenue_code)
    return ServicePayment(
        procedure=proc,
        charge=src.charge,
        paid=line.paid,
        revenue_code=src.revenue_code if kind == "837I" and src.procedure else "",
        units_paid=src.units if src.units not in (None, Decimal(1)) else None,
        service_date=src.service_date,
        line_control_number=src.line_control_number,
        adjustments=tuple(line.adjustments),
        amounts=(("B6", line.allowed),) if line.show_allowed else (),
        remarks=line.remarks,
    )
