"""Reading a claim's adjudications: which ones stand, which payer, which lines were denied.

Shared by the rule modules so each of them judges the same "current" adjudication: the last
one per payer once reversals (CLP02 22) have cancelled what they reverse, and once a
duplicate denial (CARC 18) has been set aside when an earlier adjudication is on file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from claimsdesk.domain.findings.draft import total
from claimsdesk.domain.views import AdjustmentView, ClaimView, PaidLineView, PaymentView
from payer_rules import DenialCategory, PayerRules, appeal_block_reason, is_denial

REVERSAL = "22"  # CLP02 reversal of a previous payment
DENIED = "4"  # CLP02 denied
PROCESSED = frozenset({"1", "2", "3", "19", "20", "21"})  # CLP02 processed (and forwarded)
AS_PRIMARY = frozenset({"1", "19"})
AS_SECONDARY = frozenset({"2", "3", "20", "21"})
FORWARDED = frozenset({"19", "20", "21"})
DUPLICATE_CARCS = frozenset({"18", "B13"})
PRIOR_PAYER_CARCS = frozenset({"23"})
"""CARC 23 (impact of the prior payer's adjudication) is how a secondary posts, not a denial."""
ALLOWED_REDUCING_CARCS = frozenset({"253"})
"""Contractual-category CARCs that still sit inside the allowed amount (sequestration)."""


T = TypeVar("T")
_SLOTS: dict[str, tuple[tuple[int, ...], tuple[object, ...], Any, tuple[object, ...]]] = {}


def memo(
    name: str, subjects: tuple[object, ...], extra: tuple[object, ...], compute: Callable[[], T]
) -> T:
    """The last result of `name`, reused while the rules judge the very same objects.

    The engine runs every rule on one claim before the next, so one slot per helper is
    enough. The slot keeps its subjects alive, so equal ids mean the same objects.
    """
    ids = tuple(map(id, subjects))
    slot = _SLOTS.get(name)
    if slot is not None and slot[0] == ids and slot[1] == extra:
        found: T = slot[2]
        return found
    value = compute()
    _SLOTS[name] = (ids, extra, value, subjects)
    return value


@lru_cache(maxsize=4096)
def payer_id(key: str) -> str:
    """'id:SXBLW' / 'name:ACME' / 'SXBLW' -> 'SXBLW' / 'ACME', for comparison and lookup."""
    text = key.strip()
    for prefix in ("id:", "name:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text.upper()


def same_payer(key: str, name: str, payment: PaymentView) -> bool:
    """The payment comes from this payer: same id, or (no id) the same name."""
    mine, theirs = payer_id(key), payer_id(payment.payer_key)
    if mine and theirs:
        return mine == theirs
    return bool(name) and name.strip().upper() == payment.payer_name.strip().upper()


def payments_from(claim: ClaimView, key: str, name: str) -> list[PaymentView]:
    """The claim's adjudications by one payer, oldest first."""
    return [p for p in claim.payments if same_payer(key, name, p)]


def standing(payments: Sequence[PaymentView]) -> list[PaymentView]:
    """Adjudications not reversed: a CLP02 22 cancels the latest one with its CLP07."""
    kept: list[PaymentView] = []
    for payment in payments:
        if payment.status != REVERSAL:
            kept.append(payment)
            continue
        index = _reversed_index(kept, payment.payer_claim_number)
        if index is not None:
            del kept[index]
    return kept


def _reversed_index(kept: list[PaymentView], number: str) -> int | None:
    """Index of what a reversal cancels: same CLP07, else the latest one."""
    for index in range(len(kept) - 1, -1, -1):
        if number and kept[index].payer_claim_number == number:
            return index
    return len(kept) - 1 if kept else None


def is_duplicate_denial(payment: PaymentView) -> bool:
    """Nothing paid and every non-contractual reduction says 'duplicate' (CARC 18/B13)."""
    if payment.paid != 0:
        return False
    reasons = {a.reason for a in payment.adjustments if a.group != "PR" and a.reason != "45"}
    return bool(reasons) and reasons <= DUPLICATE_CARCS


def current(claim: ClaimView, key: str, name: str) -> PaymentView | None:
    """The adjudication of this payer that stands now (None when it never answered)."""
    if not claim.payments:
        return None
    last = _LAST_CURRENT
    if last and last[0] is claim and last[1] == key and last[2] == name:
        found: PaymentView | None = last[3]
        return found
    value = _current(claim, key, name)
    _LAST_CURRENT[:] = (claim, key, name, value)
    return value


_LAST_CURRENT: list[Any] = []
"""One slot: every rule asks for the current adjudication of the claim being judged."""


def _current(claim: ClaimView, key: str, name: str) -> PaymentView | None:
    """current() without the memo."""
    kept = standing(payments_from(claim, key, name))
    while len(kept) > 1 and is_duplicate_denial(kept[-1]):
        kept.pop()  # an earlier adjudication is on file: the duplicate denial needs no work
    return kept[-1] if kept else None


def other_payers(claim: ClaimView) -> list[tuple[str, str]]:
    """(payer key, name) of every payer other than the billed one that adjudicated the claim."""
    seen: dict[str, tuple[str, str]] = {}
    for payment in claim.payments:
        if not same_payer(claim.payer_key, claim.payer_name, payment):
            seen.setdefault(
                payer_id(payment.payer_key) or payment.payer_name,
                (
                    payment.payer_key,
                    payment.payer_name,
                ),
            )
    return list(seen.values())


def code_of(adjustment: AdjustmentView) -> str:
    """'CO-197' for one CAS triplet."""
    return f"{adjustment.group}-{adjustment.reason}"


def claim_level(payment: PaymentView) -> tuple[AdjustmentView, ...]:
    """CAS at claim level (loop 2100)."""
    return tuple(a for a in payment.adjustments if a.service_payment_id is None)


def claim_remarks(payment: PaymentView) -> tuple[str, ...]:
    """MIA/MOA remarks: the payment's remarks that no line carries."""
    on_lines = {code for line in payment.lines for code in line.remark_codes}
    return tuple(code for code in payment.remark_codes if code not in on_lines)


def service_date(claim: ClaimView) -> dt.date | None:
    """The date the filing clock runs from: first date of service."""
    dates = [line.service_date for line in claim.lines if line.service_date is not None]
    return claim.service_from or (min(dates) if dates else None)


def filing_deadline(claim: ClaimView, rules: PayerRules) -> dt.date | None:
    """Timely filing deadline of this claim at this payer."""
    start = service_date(claim)
    return None if start is None else rules.timely_filing_deadline(start)


@lru_cache(maxsize=8192)
def category_of(rules: PayerRules, group: str, reason: str) -> DenialCategory:
    """Category of a CAS triplet without remarks, cached (PayerRules hash by identity)."""
    return rules.categorize(group, reason)


def allowed_of(line: PaidLineView, rules: PayerRules) -> Decimal:
    """Allowed amount of a line: AMT*B6, else paid + patient share + non-contract reductions."""
    if line.allowed is not None:
        return line.allowed
    return derived_allowed(line.paid, line.adjustments, rules)


def derived_allowed(
    paid: Decimal, adjustments: Iterable[AdjustmentView], rules: PayerRules
) -> Decimal:
    """Paid plus every reduction that is not a contractual write-off (sequestration stays in)."""
    kept = (
        a.amount
        for a in adjustments
        if a.reason in ALLOWED_REDUCING_CARCS
        or category_of(rules, a.group, a.reason) is not DenialCategory.CONTRACTUAL
    )
    return paid + total(kept)


@dataclass(frozen=True, slots=True)
class DeniedItem:
    """Money a payer refused for one category, on the whole claim or on one line."""

    payment: PaymentView
    category: DenialCategory
    line: PaidLineView | None  # None = whole claim (CLP02 4) or claim-level CAS
    adjustments: tuple[AdjustmentView, ...]
    remarks: tuple[str, ...]
    amount: Decimal
    block_reason: str | None  # why an appeal would be wasted (None = appeal)

    @property
    def codes(self) -> tuple[str, ...]:
        """Adjustment codes then remark codes, each sorted: part of the fingerprint."""
        return tuple(sorted({code_of(a) for a in self.adjustments})) + tuple(
            sorted(set(self.remarks))
        )


def denied_items(payment: PaymentView, rules: PayerRules) -> list[DeniedItem]:
    """Denials in one adjudication: the whole claim when CLP02 is 4, else zero-paid lines."""
    return memo("denied", (payment, rules), (), lambda: _denied_items(payment, rules))


def _denied_items(payment: PaymentView, rules: PayerRules) -> list[DeniedItem]:
    """denied_items() without the memo."""
    if payment.status != DENIED and _all_paid_no_claim_cas(payment):
        return []  # the common case: every line paid, no claim-level CAS
    head = claim_remarks(payment)
    if payment.status == DENIED:
        pairs = [(a, head) for a in claim_level(payment)]
        for line in payment.lines:
            pairs.extend((a, head + line.remark_codes) for a in line.adjustments)
        items = _group(payment, None, pairs, rules)
        if items:
            return items
        return [_fallback(payment, rules, head)]
    items = _group(payment, None, [(a, head) for a in claim_level(payment)], rules)
    for line in payment.lines:
        if line.paid == 0 and line.charge > 0:
            pairs = [(a, head + line.remark_codes) for a in line.adjustments]
            items.extend(_group(payment, line, pairs, rules))
    return items


def _all_paid_no_claim_cas(payment: PaymentView) -> bool:
    """Every line paid something and every CAS sits on a line (plain loops: the rules ask
    this of every adjudication)."""
    for line in payment.lines:
        if line.paid == 0:
            return False
    for a in payment.adjustments:  # noqa: SIM110 - a loop: no generator per adjudication
        if a.service_payment_id is None:
            return False
    return True


def _group(
    payment: PaymentView,
    line: PaidLineView | None,
    pairs: Iterable[tuple[AdjustmentView, tuple[str, ...]]],
    rules: PayerRules,
) -> list[DeniedItem]:
    """Denial-category adjustments grouped by category, in first-seen order."""
    groups: dict[DenialCategory, tuple[list[AdjustmentView], list[str]]] = {}
    for adjustment, remarks in pairs:
        if adjustment.reason in PRIOR_PAYER_CARCS or adjustment.amount <= 0:
            continue
        category = rules.categorize(adjustment.group, adjustment.reason, remarks)
        if not is_denial(category):
            continue
        adjs, rarcs = groups.setdefault(category, ([], []))
        adjs.append(adjustment)
        rarcs.extend(r for r in remarks if r not in rarcs)
    return [_item(payment, line, cat, adjs, rarcs, rules) for cat, (adjs, rarcs) in groups.items()]


def _item(
    payment: PaymentView,
    line: PaidLineView | None,
    category: DenialCategory,
    adjustments: list[AdjustmentView],
    remarks: list[str],
    rules: PayerRules,
) -> DeniedItem:
    """One denied item; the amount is the denied charge, or the allowed when the payer gave it."""
    amount = total(a.amount for a in adjustments)
    if line is not None and line.allowed is not None and line.allowed > 0:
        amount = line.allowed
    block = next(
        (
            reason
            for a in adjustments
            if (reason := appeal_block_reason(a.group, a.reason, remarks, rules.carc_category))
        ),
        None,
    )
    return DeniedItem(payment, category, line, tuple(adjustments), tuple(remarks), amount, block)


def _fallback(payment: PaymentView, rules: PayerRules, remarks: tuple[str, ...]) -> DeniedItem:
    """A CLP02 4 without any denial-category CAS: the whole charge, category 'other'."""
    reasons = [r for r in remarks if r]
    block = next(
        (
            reason
            for r in reasons
            if (reason := appeal_block_reason("CO", "", [r], rules.carc_category))
        ),
        None,
    )
    adjustments = tuple(a for a in payment.adjustments if a.group != "PR")
    return DeniedItem(
        payment, DenialCategory.OTHER, None, adjustments, remarks, payment.charge, block
    )


__all__ = [
    "AS_PRIMARY",
    "AS_SECONDARY",
    "DENIED",
    "FORWARDED",
    "PROCESSED",
    "REVERSAL",
    "DeniedItem",
    "allowed_of",
    "category_of",
    "claim_level",
    "claim_remarks",
    "code_of",
    "current",
    "denied_items",
    "derived_allowed",
    "filing_deadline",
    "is_duplicate_denial",
    "memo",
    "other_payers",
    "payer_id",
    "payments_from",
    "same_payer",
    "service_date",
    "standing",
]
