"""A claim's ledger: postings derived from its adjudications, PLBs and transfers, then totals,
balance by responsible party and the claim's state. Pure; services persist the postings.

Identity (checked by the ledger property test), per claim:
  charges = payer payments + CO + PI + OA + write-offs + transferred + patient payments + balance
where balance = patient part (PR of the last payer that adjudicated, less patient payments)
+ payer part. Reversals (CLP02 22) post their negated amounts, so they net what they reverse.
PR of earlier payers is superseded by the last payer's adjudication; OA-23 (prior payer impact)
counts only on a claim billed as secondary or tertiary; a zero-paid CARC 18 answer from a
payer that already adjudicated the claim is informational. PLB rows naming the claim are kept
(provider_level): interest (L6) is paid to us, a recoupment (WO/FB) takes back an overpayment;
neither re-opens the balance. CLP05 beyond the PR CAS posts as other PR (the payer's word).
Manual rows: patient payments and write-offs (of the party named) lower the balance; a patient
transfer moves part of what the payers owe to the patient's part, the total unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from claimsdesk.domain.ledger_state import (
    PATIENT,
    ClaimBasis,
    claim_state,
    duplicate_answers,
    is_forwarded,
    live_adjudications,
    next_payer_of,
    rank,
)
from claimsdesk.domain.views import ZERO, ClaimState, LedgerView, PaymentView, make_ledger_view

NEXT_PAYER = "next payer"  # held for a payer the remittance did not name


class EntryKind(StrEnum):
    """What one ledger row posts."""

    CHARGE = "charge"
    PAYMENT = "payment"  # payer payment (CLP04 / SVC03)
    CONTRACTUAL = "contractual"  # CO
    PAYER_INITIATED = "payer_initiated"  # PI
    OTHER_ADJUSTMENT = "other_adjustment"  # OA (and 4010 CR)
    PRIOR_PAYER = "prior_payer"  # OA-23 on a secondary claim
    DEDUCTIBLE = "deductible"  # PR-1
    COINSURANCE = "coinsurance"  # PR-2
    COPAY = "copay"  # PR-3
    OTHER_PR = "other_pr"  # any other PR
    PATIENT_PAYMENT = "patient_payment"
    WRITE_OFF = "write_off"  # manual: party says whose share is written off
    PATIENT_TRANSFER = "patient_transfer"  # manual: part of the payers' balance to the patient
    PLB_INTEREST = "plb_interest"  # PLB L6: paid to us, not a claim adjustment
    PLB_RECOUPMENT = "plb_recoupment"  # PLB WO/FB/...: money taken back (positive)
    TRANSFER = "transfer"  # balance moved to another submission of the claim
    INFORMATIONAL = "informational"  # kept for the story, not counted


PR_KINDS = frozenset(
    {EntryKind.DEDUCTIBLE, EntryKind.COINSURANCE, EntryKind.COPAY, EntryKind.OTHER_PR}
)
MANUAL_KINDS = frozenset(
    {EntryKind.PATIENT_PAYMENT, EntryKind.WRITE_OFF, EntryKind.PATIENT_TRANSFER}
)
_PR_ORDER = (EntryKind.DEDUCTIBLE, EntryKind.COINSURANCE, EntryKind.COPAY, EntryKind.OTHER_PR)
_BY_PARTY = PR_KINDS | {EntryKind.WRITE_OFF}
_PR_REASON = {"1": EntryKind.DEDUCTIBLE, "2": EntryKind.COINSURANCE, "3": EntryKind.COPAY}
_GROUP_KIND = {"CO": EntryKind.CONTRACTUAL, "PI": EntryKind.PAYER_INITIATED}


class Posting(NamedTuple):
    """One ledger row; entry_key is unique within the claim and stable across re-runs.
    A tuple: cheap to make by the hundred thousand and compared field by field."""

    entry_key: str
    kind: EntryKind
    party: str  # payer key or "patient"
    amount: Decimal
    source: str  # claim / claim_payment / plb / transfer / manual
    claim_line_id: int | None = None
    claim_payment_id: int | None = None
    provider_adjustment_id: int | None = None
    detail: str = ""
    posted_on: dt.date | None = None


class PlbFacts(NamedTuple):
    """A PLB adjustment whose PLB03-2 reference names this claim."""

    provider_adjustment_id: int
    payer_key: str
    reason: str  # PLB03-1
    reference: str  # PLB03-2
    amount: Decimal  # PLB04: positive reduces the payment
    posted_on: dt.date | None


class Assessment(NamedTuple):
    """The ledger view, the state and who the balance sits with."""

    ledger: LedgerView
    state: ClaimState
    last_payment_id: int | None
    responsible_party: str


def adjustment_kind(group: str, reason: str) -> EntryKind:
    """PR split by CARC 1/2/3; OA-23 prior payer; CO, PI; the rest other."""
    if group == "PR":
        return _PR_REASON.get(reason, EntryKind.OTHER_PR)
    if reason == "23":
        return EntryKind.PRIOR_PAYER
    return _GROUP_KIND.get(group, EntryKind.OTHER_ADJUSTMENT)


# --------------------------------------------------------------------------- postings


_new = tuple.__new__  # Posting(...) without NamedTuple's Python-level __new__: same tuple


def charge_postings(basis: ClaimBasis) -> list[Posting]:
    """The billed charge per line, and any part of CLM02 the lines do not carry (void: none)."""
    if basis.frequency == "8":
        return []
    party, when = basis.payer_key, basis.billed_on
    charge, new, cls = EntryKind.CHARGE, _new, Posting
    out: list[Posting] = []
    rest = basis.charge - ZERO  # as CLM02 - sum(lines, ZERO): ZERO's places at least
    for ln in basis.lines:
        line_id, amount = ln.claim_line_id, ln.charge
        rest -= amount
        out.append(new(cls, (f"charge:{line_id}", charge, party, amount, "claim", line_id, None,
                             None, f"line {ln.line_number}", when)))  # fmt: skip
    if rest or not out:
        out.append(new(cls, ("charge", charge, party, rest, "claim", None, None, None, "", when)))
    return out


def payment_postings(basis: ClaimBasis, payments: Sequence[PaymentView]) -> list[Posting]:
    """Payments and adjustments of every adjudication, line by line where the 835 has lines."""
    informational = duplicate_answers(payments)
    out: list[Posting] = []
    for p in payments:
        out.extend(_one_payment(basis, p, p.claim_payment_id in informational))
    return out


def _one_payment(basis: ClaimBasis, p: PaymentView, informational: bool) -> list[Posting]:
    """One adjudication's postings, keyed cp<payment>:... (the Posting fields, positionally)."""
    pid, payer, when = p.claim_payment_id, p.payer_key, p.payment_date
    prefix = f"cp{pid}:"
    new, cls, paid_kind = _new, Posting, EntryKind.PAYMENT
    out: list[Posting] = []
    rest = p.paid - ZERO  # as sum() would: ZERO's places at least
    for ln in p.lines:
        paid = ln.paid
        rest -= paid
        if paid:
            out.append(new(cls, (f"{prefix}sp{ln.service_payment_id}:paid", paid_kind, payer,
                                 paid, "claim_payment", ln.claim_line_id, pid, None,
                                 f"SVC {ln.procedure}", when)))  # fmt: skip
    if rest:
        out.append(new(cls, (f"{prefix}paid", paid_kind, payer, rest, "claim_payment", None,
                             pid, None, "CLP04", when)))  # fmt: skip
    pr_cas = ZERO
    for a in p.adjustments:
        if a.group == "PR":
            pr_cas += a.amount
    if p.patient_responsibility is not None and p.patient_responsibility != pr_cas:
        out.append(new(cls, (f"{prefix}clp05", EntryKind.OTHER_PR, payer,
                             p.patient_responsibility - pr_cas, "claim_payment", None, pid, None,
                             "CLP05", when)))  # fmt: skip
    prior_counts = rank(basis.responsibility) > 1
    kinds = _ADJUSTMENT_KINDS
    for index, adj in enumerate(p.adjustments):
        if not adj.amount:
            continue
        group, reason = adj.group, adj.reason
        found = kinds.get((group, reason))
        if found is None:
            found = kinds[(group, reason)] = (adjustment_kind(group, reason), f"{group}-{reason}")
        kind, detail = found
        if informational or (kind is EntryKind.PRIOR_PAYER and not prior_counts):
            kind = EntryKind.INFORMATIONAL
        out.append(new(cls, (f"{prefix}adj{index}", kind, payer, adj.amount, "claim_payment",
                             adj.claim_line_id, pid, None, detail, when)))  # fmt: skip
    return out


_ADJUSTMENT_KINDS: dict[tuple[str, str], tuple[EntryKind, str]] = {}
"""(CAS group, CARC) -> (kind, detail): few distinct pairs, met hundreds of thousands of times."""


def plb_postings(plbs: Iterable[PlbFacts]) -> list[Posting]:
    """PLB interest (L6) and recoupments naming the claim, as the remittance gave them."""
    return [Posting(f"plb{f.provider_adjustment_id}",
                    EntryKind.PLB_INTEREST if f.reason == "L6" else EntryKind.PLB_RECOUPMENT,
                    f.payer_key, f.amount, "plb", None, None, f.provider_adjustment_id,
                    f"PLB {f.reason} {f.reference}".strip(), f.posted_on)
            for f in plbs]  # fmt: skip


def derive_postings(
    basis: ClaimBasis, payments: Sequence[PaymentView], plbs: Iterable[PlbFacts] = ()
) -> list[Posting]:
    """Every posting the claim's own facts imply (transfers and manual rows come apart)."""
    return charge_postings(basis) + payment_postings(basis, payments) + plb_postings(plbs)


def transfer_target(
    basis: ClaimBasis, siblings: Sequence[ClaimBasis], adjudicated: bool
) -> ClaimBasis | None:
    """The later submission that takes this one's balance: its replacement, else (once
    adjudicated) our claim to the next payer in line."""
    mine = _order(basis)
    later = [s for s in siblings if _order(s) > mine]
    replacements = [
        s for s in later if s.frequency in ("7", "8") and s.responsibility == basis.responsibility
    ]
    if replacements:
        return min(replacements, key=_order)
    if adjudicated:
        following = [s for s in later if rank(s.responsibility) > rank(basis.responsibility)]
        if following:
            return min(following, key=_order)
    return None


def transfer_posting(target: ClaimBasis, balance: Decimal) -> Posting | None:
    """The whole open balance moves to the target submission, on the day it was billed."""
    if balance <= 0:
        return None
    detail = f"to claim {target.submitted_claim_id}"
    return Posting("transfer", EntryKind.TRANSFER, target.payer_key, balance, "transfer",
                   detail=detail, posted_on=target.billed_on)  # fmt: skip


def _order(basis: ClaimBasis) -> tuple[dt.date, int]:
    return (basis.billed_on or dt.date.min, basis.submitted_claim_id)


# --------------------------------------------------------------------------- assessment


@dataclass(slots=True)
class _Sums:
    """One pass over the postings: totals by kind, payments by payer, PR by payer."""

    by_kind: dict[EntryKind, Decimal]
    payer_payments: dict[str, Decimal]
    pr_by_party: dict[tuple[str, EntryKind], Decimal]

    def get(self, *kinds: EntryKind) -> Decimal:
        """The total of these kinds (ZERO's two places at least, as every sum here)."""
        got = self.by_kind
        total = ZERO
        for kind in kinds:
            if kind in got:
                total += got[kind]
        return total

    def one(self, kind: EntryKind) -> Decimal:
        """get() of one kind: by_kind sums start at ZERO, so they already carry its places."""
        return self.by_kind.get(kind, ZERO)

    @property
    def balance(self) -> Decimal:
        """What is still owed by anyone, before deciding who owes it."""
        return self.one(EntryKind.CHARGE) - self.get(*_REDUCING)


_REDUCING = (
    EntryKind.PAYMENT,
    EntryKind.CONTRACTUAL,
    EntryKind.PAYER_INITIATED,
    EntryKind.OTHER_ADJUSTMENT,
    EntryKind.PRIOR_PAYER,
    EntryKind.WRITE_OFF,
    EntryKind.TRANSFER,
    EntryKind.PATIENT_PAYMENT,
)


def _sum(postings: Iterable[Posting]) -> _Sums:
    by_kind: dict[EntryKind, Decimal] = {}
    payer_payments: dict[str, Decimal] = {}
    pr: dict[tuple[str, EntryKind], Decimal] = {}
    payment, by_party, got = EntryKind.PAYMENT, _BY_PARTY, by_kind.get
    for p in postings:
        kind, party, amount = p.kind, p.party, p.amount
        by_kind[kind] = got(kind, ZERO) + amount
        if kind is payment:
            payer_payments[party] = payer_payments.get(party, ZERO) + amount
        elif kind in by_party:
            pr[(party, kind)] = pr.get((party, kind), ZERO) + amount
    return _Sums(by_kind, payer_payments, pr)


def open_balance(postings: Iterable[Posting]) -> Decimal:
    """What is still owed by anyone, before deciding who owes it."""
    return _sum(postings).balance


def assess(
    basis: ClaimBasis, postings: Sequence[Posting], payments: Sequence[PaymentView]
) -> Assessment:
    """Totals, balance by party and state, from the postings and the adjudications."""
    s = _sum(postings)
    live = live_adjudications(basis, payments)
    if len(live) == 1:  # the common case: one payer answered
        last_payer = next(iter(live))
    else:
        last_payer = max(live, key=lambda k: (live[k][0], _when(live[k][1])), default="")
    last = live[last_payer][1] if last_payer else None
    total = s.balance
    by_party = s.pr_by_party
    if by_party:
        pr = {k: by_party.get((last_payer, k), ZERO) for k in _PR_ORDER}
    else:
        pr = dict.fromkeys(_PR_ORDER, ZERO)
    next_payer = next_payer_of(basis, live, last_payer, last)
    forwarded = last is not None and is_forwarded(last)
    owed = sum(pr.values(), ZERO) + s.one(EntryKind.PATIENT_TRANSFER)
    paid_off = s.one(EntryKind.PATIENT_PAYMENT) + by_party.get((PATIENT, EntryKind.WRITE_OFF), ZERO)
    due = _patient_due(owed - paid_off, total, s)
    holder = next_payer if next_payer or forwarded else PATIENT
    holder = holder or NEXT_PAYER
    parts: dict[str, Decimal] = {}
    if last is None:
        parts[basis.payer_key] = ZERO + total
    else:
        parts[holder] = ZERO + due
        parts[last_payer] = parts.get(last_payer, ZERO) + (total - due)
    ledger = _ledger_view(s, pr, parts)
    state = claim_state(
        ledger, last, forwarded, next_payer, parts.get(holder, ZERO) if last else ZERO
    )
    owing = ledger.balance_by_party
    party = next(iter(owing)) if len(owing) == 1 else max(owing, key=owing.__getitem__, default="")
    return Assessment(ledger, state, last.claim_payment_id if last else None, party)


def _ledger_view(s: _Sums, pr: dict[EntryKind, Decimal], parts: dict[str, Decimal]) -> LedgerView:
    """The LedgerView of the sums: PR of the last payer, balance by party."""
    k, got = EntryKind, s.by_kind.get  # by_kind sums start at ZERO: they carry its places
    return make_ledger_view(
        got(k.CHARGE, ZERO),  # charges
        {key: v for key, v in s.payer_payments.items() if v},  # payer_payments
        got(k.CONTRACTUAL, ZERO),
        got(k.PAYER_INITIATED, ZERO),
        s.get(k.OTHER_ADJUSTMENT, k.PRIOR_PAYER),  # other_adjustments
        pr[k.DEDUCTIBLE],
        pr[k.COINSURANCE],
        pr[k.COPAY],
        pr[k.OTHER_PR],  # other_patient
        got(k.PATIENT_PAYMENT, ZERO),
        got(k.WRITE_OFF, ZERO),
        s.get(k.PLB_INTEREST, k.PLB_RECOUPMENT),  # provider_level
        {key: v for key, v in parts.items() if v},  # balance_by_party
        got(k.PLB_RECOUPMENT, ZERO),  # recouped
        got(k.TRANSFER, ZERO),  # transferred
    )


def _when(p: PaymentView) -> tuple[dt.date, int]:
    return (p.payment_date or dt.date.min, p.claim_payment_id)


def _patient_due(due: Decimal, total: Decimal, s: _Sums) -> Decimal:
    """The patient's part of the balance, never more than what is open."""
    if s.one(EntryKind.TRANSFER):
        return ZERO
    if total >= 0:
        return min(max(due, ZERO), total)
    return max(due, total) if due < 0 else ZERO
