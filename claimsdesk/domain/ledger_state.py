"""Who adjudicated a claim last, whether that was a denial or a forward, who is next in line,
and the state the claim is in. Pure; used by claimsdesk.domain.ledger.assess.

State order: billed (nothing adjudicated, or all taken back), forwarded (the last payer sent it
on: CLP02 19-21, NM1*TT or MA18 - and something is open), credit balance, denied (CLP02 4, or
nothing paid for a non-contract reason), awaiting secondary (a next coverage and nothing from
it), paid (balance 0 by payer money alone) / closed (balance 0), zero paid, patient
responsibility (only the patient owes), partially paid.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from claimsdesk.domain.views import (
    ZERO,
    BilledLineView,
    ClaimState,
    LedgerView,
    OtherCoverageView,
    PaymentView,
)
from payer_rules import categorize, is_denial

PATIENT = "patient"
_RANKS = "PSTABCDEFGH"  # SBR01 payer responsibility sequence
_POSITION = {"1": "P", "19": "P", "2": "S", "20": "S", "3": "T", "21": "T"}
FORWARDED_STATUSES = frozenset({"19", "20", "21"})
FORWARD_REMARKS = frozenset({"MA18", "MA07", "N89"})
REVERSAL = "22"


class ClaimBasis(NamedTuple):
    """What the ledger needs of the submitted claim."""

    submitted_claim_id: int
    payer_key: str
    responsibility: str  # SBR01
    frequency: str  # CLM05-3
    charge: Decimal  # CLM02
    billed_on: dt.date | None
    lines: tuple[BilledLineView, ...] = ()
    other_coverages: tuple[OtherCoverageView, ...] = ()


def rank(responsibility: str) -> int:
    """P=1, S=2, T=3 ...; unknown (U, '') = 0."""
    index = _RANKS.find(responsibility.upper()) if responsibility else -1
    return index + 1


def duplicate_answers(payments: Sequence[PaymentView]) -> set[int]:
    """Zero-paid CARC 18 answers from a payer that adjudicated the claim otherwise too."""
    if len(payments) < 2:  # a duplicate needs another answer from its payer
        return set()
    dups = {
        p.claim_payment_id
        for p in payments
        if p.status != REVERSAL
        and p.paid == 0
        and p.adjustments
        and all(a.reason == "18" for a in p.adjustments if a.amount)
    }
    real = {
        p.payer_key for p in payments if p.status != REVERSAL and p.claim_payment_id not in dups
    }
    return {
        p.claim_payment_id for p in payments if p.claim_payment_id in dups and p.payer_key in real
    }


def is_denied(p: PaymentView) -> bool:
    """CLP02 4, or nothing paid on any line for a reason other than contract or patient share."""
    if p.status == "4":
        return True
    if p.paid != 0 or p.charge <= 0 or any(ln.paid for ln in p.lines):
        return False
    return any(
        a.amount > 0 and a.reason != "23" and is_denial(categorize(a.group, a.reason))
        for a in p.adjustments
    )


def is_forwarded(p: PaymentView) -> bool:
    """CLP02 19-21, NM1*TT crossover carrier, or a forwarding remark (MA18 ...)."""
    return (
        p.status in FORWARDED_STATUSES
        or bool(p.crossover_carrier)
        or any(r in FORWARD_REMARKS for r in p.remark_codes)
    )


def carrier_key(carrier: str) -> str:
    """The id out of 'NAME (PI SXMCD)', else the name."""
    if carrier.endswith(")") and " (" in carrier:
        inner = carrier[carrier.rindex(" (") + 2 : -1].split()
        if inner:
            return inner[-1]
    return carrier


def position_of(basis: ClaimBasis, p: PaymentView) -> int:
    """The payer's rank from CLP02, else from where it sits on the claim."""
    if p.status in _POSITION:
        return rank(_POSITION[p.status])
    if p.payer_key == basis.payer_key:
        return rank(basis.responsibility) or 1
    for cov in basis.other_coverages:
        if cov.payer_key == p.payer_key:
            return rank(cov.payer_responsibility)
    return rank(basis.responsibility) or 1


def live_adjudications(
    basis: ClaimBasis, payments: Sequence[PaymentView]
) -> dict[str, tuple[int, PaymentView]]:
    """Per payer with an adjudication not taken back: (rank, its latest answer)."""
    if not payments:
        return {}
    if len(payments) == 1:  # the common case: one answer, standing unless a reversal
        p = payments[0]
        return {} if p.status == REVERSAL else {p.payer_key: (position_of(basis, p), p)}
    dups = duplicate_answers(payments)
    answers: dict[str, list[PaymentView]] = defaultdict(list)
    reversals: dict[str, int] = defaultdict(int)
    for p in payments:
        if p.status == REVERSAL:
            reversals[p.payer_key] += 1
        elif p.claim_payment_id not in dups:
            answers[p.payer_key].append(p)
    return {
        payer: (max(position_of(basis, p) for p in found), found[-1])
        for payer, found in answers.items()
        if len(found) > reversals[payer]
    }


def next_payer_of(
    basis: ClaimBasis,
    live: dict[str, tuple[int, PaymentView]],
    last_payer: str,
    last: PaymentView | None,
) -> str:
    """Who the patient's share waits for: the crossover carrier, else the next coverage."""
    if last is None:
        return ""
    if last.crossover_carrier:
        return carrier_key(last.crossover_carrier)
    last_rank = live[last_payer][0]
    waiting = [
        c
        for c in basis.other_coverages
        if rank(c.payer_responsibility) > last_rank
        and c.payer_key not in live
        and c.payer_key != basis.payer_key
    ]
    if not waiting:
        return ""
    best = min(waiting, key=lambda c: (rank(c.payer_responsibility), not c.on_claim))
    return best.payer_key


def claim_state(
    ledger: LedgerView,
    last: PaymentView | None,
    forwarded: bool,
    next_payer: str,
    held: Decimal,
) -> ClaimState:
    """Billed, forwarded, credit, denied, awaiting secondary, paid/closed, zero, PR, partial."""
    balance = ledger.balance
    moved = bool(ledger.transferred or ledger.write_offs or ledger.patient_payments)
    if last is None:
        if balance == 0 and (ledger.transferred or not ledger.charges):
            return ClaimState.CLOSED
        return ClaimState.BILLED
    if forwarded and balance > 0 and not ledger.transferred:
        return ClaimState.FORWARDED
    if balance < 0:
        return ClaimState.CREDIT_BALANCE
    if is_denied(last):
        return ClaimState.DENIED
    if next_payer and held > 0:
        return ClaimState.AWAITING_SECONDARY
    paid = sum(ledger.payer_payments.values(), ZERO)
    if balance == 0:
        return ClaimState.PAID if paid > 0 and not moved else ClaimState.CLOSED
    if paid <= 0:
        return ClaimState.ZERO_PAID
    if ledger.balance_by_party.get(PATIENT, ZERO) == balance:
        return ClaimState.PATIENT_RESPONSIBILITY
    return ClaimState.PARTIALLY_PAID
