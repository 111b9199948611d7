"""Which submitted claim a claim payment adjudicated, and which billed line each paid line paid.

Pure functions over plain facts: the services load a whole batch's candidates with a few IN
queries, then decide here in memory. Claim level: CLP01 = CLM01 first, narrowed by payer,
payer sequence (CLP02 vs SBR01), member id, dates of service and charge, then the payment's
CLP07 link and "the latest replacement wins"; a reversal (CLP02 22) follows the claim of the
payment it reverses (same payer, same CLP07). Without a PCN hit: member id + dates + charge.
Line level: REF*6R, else procedure + modifiers + date + units, tolerating a dropped modifier
and a recoded procedure (SVC06 carries the original).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from claimsdesk.domain.views import MatchStatus

POSITION_OF_STATUS = {"1": "P", "19": "P", "2": "S", "20": "S", "3": "T", "21": "T"}
"""CLP02 -> the payer's position (SBR01 P/S/T) in the claim's coordination of benefits."""
REVERSAL = "22"
VOID = "8"
REPLACEMENT = "7"


class Method(StrEnum):
    """How a claim payment found its claim (stored on claim_matches.method)."""

    PCN = "pcn"  # CLP01 = CLM01, one candidate after narrowing
    PAYER_CLAIM_NUMBER = "payer_claim_number"  # CLP07 of an earlier payment of the claim
    LATEST_REPLACEMENT = "latest_replacement"  # several submissions: the latest replacement
    MEMBER_DATES_CHARGE = "member_dates_charge"  # no PCN hit: member id + dates + charge
    NONE = "none"


class LineMethod(StrEnum):
    """How a paid line found its billed line (stored on line_matches.method)."""

    CONTROL_NUMBER = "control_number"  # REF*6R
    EXACT = "exact"  # procedure + modifiers (+ date)
    MODIFIER_DROPPED = "modifier_dropped"  # the payer left a billed modifier off
    RECODED = "recoded"  # SVC06 original procedure = the billed one
    REVENUE_CODE = "revenue_code"  # institutional line paid by revenue code
    CHARGE_DATE = "charge_date"  # the only billed line left with that charge and date
    NONE = "none"


@functools.lru_cache(maxsize=1 << 16)
def normalize_pcn(value: str) -> str:
    """Patient control numbers compare trimmed and upper-cased (each looked up several times
    in a run: cached)."""
    return "".join(value.split()).upper()


@functools.lru_cache(maxsize=4096)
def payer_tokens(*values: str) -> frozenset[str]:
    """Ids and names of a payer, normalised, for comparing an 835's payer with an 837's
    (a few payers, many claims: cached)."""
    return frozenset(" ".join(v.split()).upper() for v in values if v and v.strip())


# --------------------------------------------------------------------------- claim level


class PaymentFacts(NamedTuple):
    """What matching needs of one claim payment (CLP loop or EOB)."""

    claim_payment_id: int
    pcn: str  # CLP01 as sent
    status: str  # CLP02
    payer_key: str  # remittance payer id
    payer: frozenset[str]  # payer_tokens of the remitting payer (id, name)
    charge: Decimal  # CLP03 (negative on a reversal)
    start: dt.date | None  # DTM*232 or the first line date
    end: dt.date | None
    member_id: str  # NM1*IL / NM1*QC NM109
    payer_claim_number: str  # CLP07
    as_of: dt.date | None  # DTM*050 received, else BPR16


class ClaimFacts(NamedTuple):
    """What matching needs of one submitted claim (837 loop 2300)."""

    submitted_claim_id: int
    pcn: str
    responsibility: str  # SBR01
    payer: frozenset[str]  # payer_tokens of the billed payer
    other_payers: frozenset[str]  # payer_tokens of the 2330B payers
    charge: Decimal  # CLM02
    start: dt.date | None
    end: dt.date | None
    member_ids: frozenset[str]  # 2010BA NM109 and the 2330A ones
    frequency: str  # CLM05-3
    billed_on: dt.date | None  # GS04 of the 837


class MatchResult(NamedTuple):
    """The decision for one claim payment."""

    claim_payment_id: int
    status: MatchStatus
    submitted_claim_id: int | None
    method: Method
    candidates: tuple[int, ...] = ()


def link_key(payer_key: str, payer_claim_number: str) -> str:
    """Key of the CLP07 links: the same payer's payer claim control number."""
    return f"{payer_key}|{payer_claim_number.strip()}"


def match_payment(
    payment: PaymentFacts,
    by_pcn: Mapping[str, Sequence[ClaimFacts]],
    links: Mapping[str, int],
    fallback: Sequence[ClaimFacts] = (),
) -> MatchResult:
    """Decide one payment: reversal link, PCN narrowing, CLP07 link, member fallback."""
    linked = links.get(link_key(payment.payer_key, payment.payer_claim_number))
    if not payment.payer_claim_number.strip():
        linked = None
    if payment.status == REVERSAL and linked is not None:
        return _matched(payment, linked, Method.PAYER_CLAIM_NUMBER)
    candidates = by_pcn.get(normalize_pcn(payment.pcn), ())
    if candidates:
        return _decide_pcn(payment, candidates, linked)
    if linked is not None:
        return _matched(payment, linked, Method.PAYER_CLAIM_NUMBER)
    return _decide_fallback(payment, fallback)


def _matched(payment: PaymentFacts, claim_id: int, method: Method) -> MatchResult:
    return MatchResult(payment.claim_payment_id, MatchStatus.MATCHED, claim_id, method)


def _decide_pcn(
    payment: PaymentFacts, candidates: Sequence[ClaimFacts], linked: int | None
) -> MatchResult:
    """Narrow the PCN's submissions; then CLP07 link; then the latest replacement."""
    left = narrow(payment, candidates)
    if len(left) == 1:
        return _matched(payment, left[0].submitted_claim_id, Method.PCN)
    if linked is not None and any(c.submitted_claim_id == linked for c in left):
        return _matched(payment, linked, Method.PAYER_CLAIM_NUMBER)
    latest = max(left, key=_billing_order)
    if latest.frequency == REPLACEMENT:
        return _matched(payment, latest.submitted_claim_id, Method.LATEST_REPLACEMENT)
    ids = tuple(sorted(c.submitted_claim_id for c in left))
    return MatchResult(payment.claim_payment_id, MatchStatus.AMBIGUOUS, None, Method.PCN, ids)


def _decide_fallback(payment: PaymentFacts, fallback: Sequence[ClaimFacts]) -> MatchResult:
    """No PCN hit: the same member, overlapping dates and the same total charge."""
    charge = abs(payment.charge)
    found = [
        c
        for c in fallback
        if payment.member_id
        and payment.member_id in c.member_ids
        and c.charge == charge
        and _overlaps(payment, c)
        and payment.start is not None
    ]
    if len(found) == 1:
        return _matched(payment, found[0].submitted_claim_id, Method.MEMBER_DATES_CHARGE)
    if found:
        ids = tuple(sorted(c.submitted_claim_id for c in found))
        return MatchResult(
            payment.claim_payment_id,
            MatchStatus.AMBIGUOUS,
            None,
            Method.MEMBER_DATES_CHARGE,
            ids,
        )
    return MatchResult(payment.claim_payment_id, MatchStatus.UNMATCHED, None, Method.NONE)


def _billing_order(claim: ClaimFacts) -> tuple[dt.date, int]:
    return (claim.billed_on or dt.date.min, claim.submitted_claim_id)


def narrow(payment: PaymentFacts, candidates: Sequence[ClaimFacts]) -> list[ClaimFacts]:
    """Apply each test in turn, keeping its result only when someone is left."""
    position = POSITION_OF_STATUS.get(payment.status, "")
    charge = abs(payment.charge)
    tests: tuple[Callable[[ClaimFacts], bool], ...] = (
        lambda c: bool(c.payer & payment.payer),
        lambda c: bool((c.payer | c.other_payers) & payment.payer),
        lambda c: c.responsibility == position,
        lambda c: payment.member_id in c.member_ids,
        lambda c: _overlaps(payment, c),
        lambda c: c.charge == charge,
        lambda c: c.frequency != VOID,
        lambda c: payment.as_of is None or c.billed_on is None or c.billed_on <= payment.as_of,
    )
    left = list(candidates)
    for test in tests:
        if len(left) == 1:
            break
        kept = [c for c in left if test(c)]
        if kept:
            left = kept
    return left


def _overlaps(payment: PaymentFacts, claim: ClaimFacts) -> bool:
    """Dates of service overlap (an unknown side overlaps everything)."""
    if payment.start is None or claim.start is None:
        return True
    p_end = payment.end or payment.start
    c_end = claim.end or claim.start
    return payment.start <= c_end and claim.start <= p_end


def match_batch(
    payments: Iterable[PaymentFacts],
    by_pcn: Mapping[str, Sequence[ClaimFacts]],
    links: dict[str, int],
    fallback: Mapping[str, Sequence[ClaimFacts]],
) -> list[MatchResult]:
    """Decide payments in import order; a match made here links later reversals at once."""
    results = []
    for payment in sorted(payments, key=lambda p: p.claim_payment_id):
        result = match_payment(payment, by_pcn, links, fallback.get(payment.member_id, ()))
        results.append(result)
        if result.submitted_claim_id is not None and payment.payer_claim_number.strip():
            key = link_key(payment.payer_key, payment.payer_claim_number)
            links.setdefault(key, result.submitted_claim_id)
    return results


# --------------------------------------------------------------------------- line level


class BilledLineFacts(NamedTuple):
    """A billed line (837 loop 2400)."""

    claim_line_id: int
    control_number: str  # REF*6R
    procedure: str  # SV101-2 / SV202-2
    modifiers: tuple[str, ...]
    revenue_code: str  # SV201
    charge: Decimal
    units: Decimal | None
    start: dt.date | None
    end: dt.date | None


class PaidLineFacts(NamedTuple):
    """A paid line (835 loop 2110 / EOB item)."""

    service_payment_id: int
    control_number: str  # REF*6R
    qualifier: str  # SVC01-1 (HC, NU ...)
    procedure: str  # SVC01-2
    modifiers: tuple[str, ...]
    original_procedure: str  # SVC06-2
    original_modifiers: tuple[str, ...]
    revenue_code: str  # SVC04
    charge: Decimal  # SVC02 (negative on a reversal)
    units: Decimal | None  # SVC05, else SVC07
    date: dt.date | None  # DTM*472 / 150


class LineMatch(NamedTuple):
    """The decision for one paid line."""

    service_payment_id: int
    claim_line_id: int | None
    method: LineMethod


_RANK = {
    LineMethod.EXACT: 0,
    LineMethod.RECODED: 1,
    LineMethod.MODIFIER_DROPPED: 2,
    LineMethod.REVENUE_CODE: 3,
}


def line_method(paid: PaidLineFacts, billed: BilledLineFacts) -> LineMethod | None:
    """How well the codes agree: exact, recoded, modifier dropped, revenue code, or not."""
    if paid.procedure and paid.qualifier != "NU" and billed.procedure:
        if paid.procedure == billed.procedure:
            if paid.modifiers == billed.modifiers:
                return LineMethod.EXACT
            if set(paid.modifiers) <= set(billed.modifiers):
                return LineMethod.MODIFIER_DROPPED
        original = paid.original_procedure
        if original == billed.procedure and set(paid.original_modifiers) <= set(billed.modifiers):
            return LineMethod.RECODED
        return None
    revenue = paid.procedure if paid.qualifier == "NU" else paid.revenue_code
    if revenue and revenue == billed.revenue_code and (not billed.procedure or not paid.procedure):
        return LineMethod.REVENUE_CODE
    return None


def _date_fits(paid: PaidLineFacts, billed: BilledLineFacts) -> bool:
    if paid.date is None or billed.start is None:
        return True
    return billed.start <= paid.date <= (billed.end or billed.start)


def match_lines(
    paid_lines: Sequence[PaidLineFacts], billed_lines: Sequence[BilledLineFacts]
) -> list[LineMatch]:
    """One billed line per paid line: REF*6R first, then codes, then charge and date."""
    by_control: dict[str, BilledLineFacts] = {}
    for billed in billed_lines:
        if billed.control_number:
            by_control.setdefault(billed.control_number, billed)
    used: set[int] = set()
    decided: dict[int, LineMatch] = {}
    for paid in paid_lines:
        hit = by_control.get(paid.control_number) if paid.control_number else None
        if hit is not None:
            used.add(hit.claim_line_id)
            decided[paid.service_payment_id] = LineMatch(
                paid.service_payment_id, hit.claim_line_id, LineMethod.CONTROL_NUMBER
            )
    for paid in paid_lines:
        if paid.service_payment_id not in decided:
            decided[paid.service_payment_id] = _best_line(paid, billed_lines, used)
    return [decided[p.service_payment_id] for p in paid_lines]


def _best_line(
    paid: PaidLineFacts, billed_lines: Sequence[BilledLineFacts], used: set[int]
) -> LineMatch:
    """The free billed line with the best code agreement, then units, charge, order."""
    best: tuple[tuple[int, int, int, int], BilledLineFacts, LineMethod] | None = None
    charge = abs(paid.charge)
    for order, billed in enumerate(billed_lines):
        if billed.claim_line_id in used or not _date_fits(paid, billed):
            continue
        method = line_method(paid, billed)
        if method is None and billed.charge == charge and paid.date is not None:
            method = LineMethod.CHARGE_DATE
        if method is None:
            continue
        score = (
            _RANK.get(method, 9),
            0 if paid.units is None or paid.units == billed.units else 1,
            0 if billed.charge == charge else 1,
            order,
        )
        if best is None or score < best[0]:
            best = (score, billed, method)
    if best is None:
        return LineMatch(paid.service_payment_id, None, LineMethod.NONE)
    used.add(best[1].claim_line_id)
    return LineMatch(paid.service_payment_id, best[1].claim_line_id, best[2])
