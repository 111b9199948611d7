"""Pure matching decisions (claimsdesk.domain.matching) on hand-built facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from claimsdesk.domain.matching import (
    BilledLineFacts,
    ClaimFacts,
    LineMethod,
    Method,
    PaidLineFacts,
    PaymentFacts,
    link_key,
    match_batch,
    match_lines,
    match_payment,
    normalize_pcn,
    payer_tokens,
)
from claimsdesk.domain.views import MatchStatus

DAY = dt.date(2026, 3, 2)
BLW = payer_tokens("SXBLW", "BLUEWATER HEALTH PLAN")
MCD = payer_tokens("SXMCD", "LAKESHORE STATE MEDICAID")


def claim(cid: int, **kw: object) -> ClaimFacts:
    base: dict[str, object] = dict(
        submitted_claim_id=cid,
        pcn="PCN1",
        responsibility="P",
        payer=BLW,
        other_payers=MCD,
        charge=Decimal("265.00"),
        start=DAY,
        end=DAY,
        member_ids=frozenset({"M1"}),
        frequency="1",
        billed_on=DAY,
    )
    base.update(kw)
    return ClaimFacts(**base)  # type: ignore[arg-type]


def payment(pid: int = 1, **kw: object) -> PaymentFacts:
    base: dict[str, object] = dict(
        claim_payment_id=pid,
        pcn="pcn1 ",
        status="1",
        payer_key="SXBLW",
        payer=BLW,
        charge=Decimal("265.00"),
        start=DAY,
        end=DAY,
        member_id="M1",
        payer_claim_number="C-1",
        as_of=DAY + dt.timedelta(days=10),
    )
    base.update(kw)
    return PaymentFacts(**base)  # type: ignore[arg-type]


def by_pcn(*claims: ClaimFacts) -> dict[str, list[ClaimFacts]]:
    out: dict[str, list[ClaimFacts]] = {}
    for c in claims:
        out.setdefault(normalize_pcn(c.pcn), []).append(c)
    return out


def test_pcn_compares_trimmed_and_upper_cased() -> None:
    result = match_payment(payment(), by_pcn(claim(10)), {})
    assert (result.status, result.submitted_claim_id, result.method) == (
        MatchStatus.MATCHED,
        10,
        Method.PCN,
    )


def test_narrowed_by_payer_then_sequence() -> None:
    """Our primary (to Bluewater) and secondary (to Medicaid) claims share the PCN."""
    primary = claim(10)
    secondary = claim(11, responsibility="S", payer=MCD, other_payers=BLW)
    medicaid = payment(status="2", payer_key="SXMCD", payer=MCD)
    assert match_payment(medicaid, by_pcn(primary, secondary), {}).submitted_claim_id == 11
    crossover = payment(status="2", payer_key="SXMCD", payer=MCD)
    assert match_payment(crossover, by_pcn(primary), {}).submitted_claim_id == 10


def test_narrowed_by_dates_and_charge() -> None:
    later = claim(11, start=DAY + dt.timedelta(days=30), end=DAY + dt.timedelta(days=30))
    other = claim(12, charge=Decimal("99.00"))
    assert match_payment(payment(), by_pcn(claim(10), later, other), {}).submitted_claim_id == 10


def test_latest_replacement_wins_but_not_over_an_earlier_answer() -> None:
    original = claim(10)
    replacement = claim(11, frequency="7", billed_on=DAY + dt.timedelta(days=20))
    late = payment(as_of=DAY + dt.timedelta(days=25))
    early = payment(as_of=DAY + dt.timedelta(days=5))
    result = match_payment(late, by_pcn(original, replacement), {})
    assert (result.submitted_claim_id, result.method) == (11, Method.LATEST_REPLACEMENT)
    assert match_payment(early, by_pcn(original, replacement), {}).submitted_claim_id == 10


def test_two_originals_are_ambiguous() -> None:
    result = match_payment(payment(), by_pcn(claim(10), claim(11)), {})
    assert (result.status, result.candidates) == (MatchStatus.AMBIGUOUS, (10, 11))


def test_payer_claim_number_decides_between_twins() -> None:
    links = {link_key("SXBLW", "C-1"): 11}
    result = match_payment(payment(), by_pcn(claim(10), claim(11)), links)
    assert (result.submitted_claim_id, result.method) == (11, Method.PAYER_CLAIM_NUMBER)


def test_reversal_follows_its_original_even_without_pcn_hit() -> None:
    links = {link_key("SXBLW", "C-1"): 42}
    reversal = payment(status="22", pcn="TYPO", charge=Decimal("-265.00"))
    result = match_payment(reversal, by_pcn(claim(10)), links)
    assert (result.submitted_claim_id, result.method) == (42, Method.PAYER_CLAIM_NUMBER)


def test_batch_links_a_reversal_to_a_payment_decided_earlier_in_it() -> None:
    original = payment(1)
    reversal = payment(2, status="22", pcn="TYPO", charge=Decimal("-265.00"))
    results = match_batch([reversal, original], by_pcn(claim(10)), {}, {})
    assert [r.submitted_claim_id for r in results] == [10, 10]


def test_fallback_by_member_dates_and_charge() -> None:
    stray = payment(pcn="UNKNOWN")
    assert match_payment(stray, {}, {}, [claim(10)]).method is Method.MEMBER_DATES_CHARGE
    assert match_payment(stray, {}, {}, [claim(10), claim(11)]).status is MatchStatus.AMBIGUOUS
    wrong = [claim(10, charge=Decimal("1.00"))]
    assert match_payment(stray, {}, {}, wrong).status is MatchStatus.UNMATCHED


def billed(lid: int, proc: str, mods: tuple[str, ...] = (), **kw: object) -> BilledLineFacts:
    base: dict[str, object] = dict(
        claim_line_id=lid,
        control_number="",
        procedure=proc,
        modifiers=mods,
        revenue_code="",
        charge=Decimal("100.00"),
        units=Decimal(1),
        start=DAY,
        end=None,
    )
    base.update(kw)
    return BilledLineFacts(**base)  # type: ignore[arg-type]


def paid(sid: int, proc: str, mods: tuple[str, ...] = (), **kw: object) -> PaidLineFacts:
    base: dict[str, object] = dict(
        service_payment_id=sid,
        control_number="",
        qualifier="HC",
        procedure=proc,
        modifiers=mods,
        original_procedure="",
        original_modifiers=(),
        revenue_code="",
        charge=Decimal("100.00"),
        units=None,
        date=DAY,
    )
    base.update(kw)
    return PaidLineFacts(**base)  # type: ignore[arg-type]


def methods(paid_lines: list[PaidLineFacts], billed_lines: list[BilledLineFacts]) -> list[object]:
    return [(m.claim_line_id, m.method) for m in match_lines(paid_lines, billed_lines)]


def test_lines_by_control_number_first() -> None:
    lines = [billed(1, "99214", control_number="A-1"), billed(2, "99214", control_number="A-2")]
    got = methods([paid(7, "99214", control_number="A-2")], lines)
    assert got == [(2, LineMethod.CONTROL_NUMBER)]


def test_lines_by_codes_with_dropped_modifier_and_recode() -> None:
    lines = [billed(1, "20610", ("RT", "59")), billed(2, "99214"), billed(3, "97110")]
    got = methods(
        [
            paid(7, "20610", ("RT",)),
            paid(8, "99213", original_procedure="99214"),
            paid(9, "97110", units=Decimal(3)),
        ],
        lines,
    )
    assert got == [(1, LineMethod.MODIFIER_DROPPED), (2, LineMethod.RECODED),
                   (3, LineMethod.EXACT)]  # fmt: skip


def test_lines_one_to_one_and_by_date() -> None:
    later = DAY + dt.timedelta(days=1)
    lines = [billed(1, "97110", start=later), billed(2, "97110")]
    got = methods([paid(7, "97110"), paid(8, "97110", date=later)], lines)
    assert got == [(2, LineMethod.EXACT), (1, LineMethod.EXACT)]


def test_institutional_lines_by_revenue_code() -> None:
    lines = [billed(1, "", revenue_code="0120"), billed(2, "", revenue_code="0360")]
    got = methods([paid(7, "0360", qualifier="NU")], lines)
    assert got == [(2, LineMethod.REVENUE_CODE)]


def test_unknown_line_stays_unmatched() -> None:
    got = methods([paid(7, "J1885", charge=Decimal("35.00"))], [billed(1, "99214")])
    assert got == [(None, LineMethod.NONE)]
