"""Run every registered rule over claim and payment views: pure, no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import NamedTuple

from claimsdesk.domain.findings.adjudication import other_payers, payer_id
from claimsdesk.domain.findings.draft import FindingDraft
from claimsdesk.domain.findings.registry import Rule, claim_rules, payment_rules
from claimsdesk.domain.views import ClaimView, PaymentView
from payer_rules import PayerRules, Rulebook

RulesLookup = Callable[[str, str], PayerRules]


class RulesCache:
    """Rulebook.for_payer by (payer key, name), looked up once per payer per run."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self._cache: dict[tuple[str, str], PayerRules] = {}

    def __call__(self, key: str, name: str) -> PayerRules:
        """The payer's rules (the defaults for an unknown payer)."""
        found = self._cache.get((key, name))
        if found is None:
            found = self.rulebook.for_payer(payer_id(key), name)
            self._cache[(key, name)] = found
        return found


class _ClaimPlan(NamedTuple):
    """The rule functions to call, in registration order, worked out once per run."""

    answered: tuple[Callable[..., list[FindingDraft]], ...]  # a claim with payments: all
    unanswered: tuple[Callable[..., list[FindingDraft]], ...]  # no payments: these only
    per_payer: tuple[Callable[..., list[FindingDraft]], ...]  # again for every other payer


def _claim_plan(rules: Iterable[Rule]) -> _ClaimPlan:
    selected = list(rules)
    return _ClaimPlan(
        tuple(r.func for r in selected),
        tuple(r.func for r in selected if not r.answered),
        tuple(r.func for r in selected if r.per_payer),
    )


def evaluate_claim(
    claim: ClaimView,
    lookup: RulesLookup,
    today: dt.date,
    rules: Iterable[Rule] | None = None,
) -> list[FindingDraft]:
    """Claim rules with the billed payer's rules; per-payer rules again for each other payer."""
    return _evaluate_claim(
        claim, lookup, today, _claim_plan(claim_rules() if rules is None else rules)
    )


def _evaluate_claim(
    claim: ClaimView, lookup: RulesLookup, today: dt.date, plan: _ClaimPlan
) -> list[FindingDraft]:
    """evaluate_claim with the rule functions already picked (a run judges thousands)."""
    billed = lookup(claim.payer_key, claim.payer_name)
    drafts: list[FindingDraft] = []
    add = drafts.extend
    if not claim.payments:
        for func in plan.unanswered:
            add(func(claim, billed, today))
        return drafts  # per-payer rules need an adjudication
    for func in plan.answered:
        add(func(claim, billed, today))
    if plan.per_payer:
        for key, name in other_payers(claim):
            lens = replace(claim, payer_key=key, payer_name=name)
            payer = lookup(key, name)
            for func in plan.per_payer:
                add(func(lens, payer, today))
    return drafts


def evaluate_payment(
    payment: PaymentView,
    lookup: RulesLookup,
    today: dt.date,
    rules: Iterable[Rule] | None = None,
) -> list[FindingDraft]:
    """Payment rules with the paying payer's rules."""
    payer = lookup(payment.payer_key, payment.payer_name)
    drafts: list[FindingDraft] = []
    for rule in payment_rules() if rules is None else rules:
        drafts.extend(rule.func(payment, payer, today))
    return drafts


def evaluate(
    claims: Iterable[ClaimView],
    payments: Iterable[PaymentView],
    lookup: RulesLookup,
    today: dt.date,
) -> list[FindingDraft]:
    """Every finding for the claims and payments given (payments deduplicated by id)."""
    plan, payment_set = _claim_plan(claim_rules()), payment_rules()
    drafts: list[FindingDraft] = []
    for claim in claims:
        drafts.extend(_evaluate_claim(claim, lookup, today, plan))
    for payment in payments:
        drafts.extend(evaluate_payment(payment, lookup, today, payment_set))
    return drafts


__all__ = ["RulesCache", "RulesLookup", "evaluate", "evaluate_claim", "evaluate_payment"]
