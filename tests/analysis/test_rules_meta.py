"""Every registered rule, every category it can produce, and every DenialCategory is tested.

The scenario table (cases.SCENARIOS) and the unit table (test_findings_rules.UNIT_CASES) are
checked against the live registry: a new rule or category without a test fails here.
"""

from __future__ import annotations

from cases import SCENARIOS, covered_by_scenarios
from test_findings_rules import UNIT_CASES

from claimsdesk.domain.findings import REGISTRY, FindingKind
from payer_rules import DenialCategory


def covered() -> set[tuple[str, str]]:
    """(rule, category) pairs some test expects."""
    return covered_by_scenarios() | UNIT_CASES


def test_every_rule_and_category_has_a_test() -> None:
    """Each (rule, category) the registry can produce appears in a scenario or unit case."""
    wanted = {(rule.name, category) for rule in REGISTRY.values() for category in rule.categories}
    missing = sorted(wanted - covered())
    assert not missing, f"rules/categories without a test: {missing}"


def test_tables_name_only_registered_rules() -> None:
    """No stale entries: every tested pair is something the registry can produce."""
    wanted = {(rule.name, category) for rule in REGISTRY.values() for category in rule.categories}
    assert covered() <= wanted, sorted(covered() - wanted)


def test_every_denial_category_has_a_test() -> None:
    """Denial categories as findings; contractual and patient share shown to be no finding."""
    as_findings = {category for _, category in covered()}
    shown_absent = {c for s in SCENARIOS for c in s.categories_shown_absent}
    missing = [c.value for c in DenialCategory if c.value not in as_findings | shown_absent]
    assert not missing, f"denial categories without a test: {missing}"
    assert shown_absent == {DenialCategory.CONTRACTUAL.value,
                            DenialCategory.PATIENT_RESPONSIBILITY.value}  # fmt: skip


def test_every_kind_has_a_rule() -> None:
    """Each finding kind is produced by at least one registered rule."""
    assert {rule.kind for rule in REGISTRY.values()} == set(FindingKind)


def test_rules_the_engine_skips_without_payments_find_nothing_there() -> None:
    """The engine skips `answered` rules for a claim no payer answered: they must find nothing."""
    import datetime as dt

    from viewkit import billed, claim

    from claimsdesk.domain.findings.registry import Subject
    from claimsdesk.domain.views import OtherCoverageView
    from payer_rules import load_rulebook

    rules = load_rulebook().for_payer("SXBLW")
    others = (OtherCoverageView("SXSCI", "SUMMIT CREST INSURANCE", "S"),)
    views = [
        claim((billed("99213", "100.00"),)),
        claim((billed("99213", "100.00"),), others=others, responsibility="S"),
    ]
    skipped = [r for r in REGISTRY.values() if r.subject is Subject.CLAIM and r.answered]
    assert {r.name for r in skipped} >= {"denial", "underpayment", "cob.crossover"}
    for rule in skipped:
        for view in views:
            assert rule.func(view, rules, dt.date(2027, 1, 1)) == [], rule.name
