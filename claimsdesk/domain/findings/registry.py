"""The rule registry: every finding rule by name, with the kind and subject it judges.

A rule is a pure function (view, PayerRules, today) -> list[FindingDraft]. Claim rules get a
ClaimView and the billed payer's rules; per-payer claim rules are called again for every
other payer that adjudicated the claim, with the view's payer_key/payer_name set to that
payer and that payer's rules. Payment rules get a PaymentView and its payer's rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from claimsdesk.domain.findings.draft import FindingDraft, FindingKind
from claimsdesk.domain.views import ClaimView, PaymentView
from payer_rules import PayerRules

ClaimRule = Callable[[ClaimView, PayerRules, dt.date], list[FindingDraft]]
PaymentRule = Callable[[PaymentView, PayerRules, dt.date], list[FindingDraft]]
F = TypeVar("F", bound=Callable[..., list[FindingDraft]])


class Subject(StrEnum):
    """What a rule judges."""

    CLAIM = "claim"
    PAYMENT = "payment"


@dataclass(frozen=True, slots=True)
class Rule:
    """One registered rule."""

    name: str
    kind: FindingKind
    subject: Subject
    func: Callable[..., list[FindingDraft]]
    categories: tuple[str, ...]  # every category it can produce (the meta-test checks each)
    per_payer: bool = False  # judged again for every other payer that adjudicated the claim
    answered: bool = False  # needs an adjudication: skipped for a claim with no payments


REGISTRY: dict[str, Rule] = {}


def register(
    name: str,
    kind: FindingKind,
    subject: Subject,
    categories: tuple[str, ...],
    *,
    per_payer: bool = False,
    answered: bool = False,
) -> Callable[[F], F]:
    """Decorator: add a rule function to the registry under a unique name."""

    def add(func: F) -> F:
        if name in REGISTRY:
            raise ValueError(f"finding rule {name!r} registered twice")
        needs = answered or per_payer
        REGISTRY[name] = Rule(name, kind, subject, func, categories, per_payer, needs)
        return func

    return add


def claim_rules() -> list[Rule]:
    """Rules that judge a ClaimView, in registration order."""
    return [r for r in REGISTRY.values() if r.subject is Subject.CLAIM]


def payment_rules() -> list[Rule]:
    """Rules that judge a PaymentView, in registration order."""
    return [r for r in REGISTRY.values() if r.subject is Subject.PAYMENT]


def rule_named(name: str) -> Rule | None:
    """A rule by name (None for a rule since removed: its findings get closed)."""
    return REGISTRY.get(name)


def call(rule: Rule, view: Any, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """Run one rule; its drafts must carry its own name and kind."""
    drafts = rule.func(view, rules, today)
    for draft in drafts:
        if draft.rule != rule.name or draft.kind is not rule.kind:
            raise ValueError(f"rule {rule.name} produced a draft labelled {draft.rule}")
    return drafts


__all__ = [
    "REGISTRY",
    "ClaimRule",
    "PaymentRule",
    "Rule",
    "Subject",
    "call",
    "claim_rules",
    "payment_rules",
    "register",
    "rule_named",
]
