"""Pure rule tests on hand-built views: cases no scenario file shows, guardrails, the engine.

UNIT_CASES lists the (rule, category) pairs proven here; test_rules_meta.py adds them to the
scenario table when checking that every registered rule and category has a test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from viewkit import adj, billed, claim, paid, payment

from claimsdesk.domain.findings import (
    REGISTRY,
    FindingDraft,
    FindingKind,
    RulesCache,
    Subject,
    check_claim_before_submit,
    evaluate,
    evaluate_claim,
    fingerprint,
)
from claimsdesk.domain.findings.adjudication import standing
from claimsdesk.domain.findings.claim_edits import problems
from claimsdesk.domain.findings.registry import Rule, call, register
from claimsdesk.domain.views import LedgerView, MatchStatus, OtherCoverageView
from payer_rules import Rulebook, load_rulebook

UNIT_CASES = {
    ("cob.other_coverage", "other_coverage"),
    ("remittance.unmatched", "ambiguous"),
    ("coding.claim_edit", "service_date"),
    ("underpayment.credit_balance", "credit_balance"),
}
TODAY = dt.date(2026, 7, 1)


@pytest.fixture(scope="module")
def rules() -> RulesCache:
    """Rules lookup over the shipped rulebook."""
    book: Rulebook = load_rulebook()
    return RulesCache(book)


def rules_of(drafts: list[FindingDraft]) -> list[tuple[str, str, Decimal]]:
    """(rule, category, amount) of each draft."""
    return sorted((d.rule, d.category, d.amount) for d in drafts)


def test_other_coverage_known_for_the_patient(rules: RulesCache) -> None:
    """Another active coverage on file and no 2320 loop on the claim: add the other payer."""
    other = OtherCoverageView("SXSCI", "SUMMIT CREST INSURANCE", "P", on_claim=False)
    view = claim((billed("99213", "180.00"),), others=(other,))
    drafts = evaluate_claim(view, rules, TODAY)
    assert rules_of(drafts) == [("cob.other_coverage", "other_coverage", Decimal("180.00"))]
    assert "SUMMIT CREST INSURANCE" in drafts[0].description


def test_other_coverage_on_the_claim_is_fine(rules: RulesCache) -> None:
    """The claim already names the other payer (2320): nothing to add."""
    others = (
        OtherCoverageView("SXSCI", "SUMMIT CREST INSURANCE", "S"),
        OtherCoverageView("SXMCD", "LAKESHORE STATE MEDICAID", "T", on_claim=False),
    )
    assert evaluate_claim(claim((billed("99213", "180.00"),), others=others), rules, TODAY) == []


def test_ambiguous_payment(rules: RulesCache) -> None:
    """A payment matching two claims: pick one; the candidates are in the evidence."""
    view = payment(
        "1", "180.00", "116.23", match_status=MatchStatus.AMBIGUOUS, candidate_claim_ids=(11, 12)
    )
    drafts = evaluate([], [view], rules, TODAY)
    assert rules_of(drafts) == [("remittance.unmatched", "ambiguous", Decimal("116.23"))]
    assert drafts[0].evidence["candidates"] == [11, 12]
    assert drafts[0].subject == f"payment:{view.claim_payment_id}"


def test_line_date_outside_statement_period(rules: RulesCache) -> None:
    """An 837I line dated after the statement period ends."""
    line = billed("99284", "900.00", date=dt.date(2026, 6, 5), pointers=())
    view = claim((line,), kind="837I", service=(dt.date(2026, 6, 1), dt.date(2026, 6, 3)))
    drafts = evaluate_claim(view, rules, TODAY)
    assert rules_of(drafts) == [("coding.claim_edit", "service_date", Decimal("900.00"))]
    assert drafts[0].codes == ("service_date", "2026-06-05")
    assert drafts[0].claim_line_id == line.claim_line_id


def test_credit_balance_from_the_ledger(rules: RulesCache) -> None:
    """A negative balance is owed back, to the cent, with the parties that overpaid."""
    ledger = LedgerView(charges=Decimal("100.00"), balance_by_party={"patient": Decimal("-20.00")})
    drafts = evaluate_claim(claim((billed("99213", "100.00"),), ledger=ledger), rules, TODAY)
    assert rules_of(drafts) == [("underpayment.credit_balance", "credit_balance", Decimal("20.00"))]
    assert drafts[0].evidence["by_party"] == {"patient": "-20.00"}


def test_lone_co45_and_patient_share_are_not_denials(rules: RulesCache) -> None:
    """A line paid zero by a contractual write-off or a deductible is not a denial."""
    lines = (billed("99213", "100.00", line_id=501), billed("36415", "25.00", line_id=502))
    pay = payment(
        "1", "125.00", "0.00",
        paid("99213", "100.00", "0.00", "CO-45=100.00", claim_line_id=501, allowed="0.00"),
        paid("36415", "25.00", "0.00", "PR-1=3.99", "CO-45=21.01", claim_line_id=502,
             allowed="3.99"),
    )  # fmt: skip
    view = claim(lines, pay, payer="SXBLW")
    kinds = {d.kind for d in evaluate_claim(view, rules, TODAY)}
    assert FindingKind.DENIAL not in kinds and FindingKind.CODING not in kinds


def test_no_appeal_rights_turn_into_correct_and_resubmit(rules: RulesCache) -> None:
    """N211 on a denial: the action says not to appeal; the deadline is the filing one."""
    pay = payment(
        "4", "180.00", "0.00", paid("99213", "180.00", "0.00", "CO-50=180.00", remarks=("N211",))
    )
    view = claim((billed("99213", "180.00"),), pay)
    (draft,) = [d for d in evaluate_claim(view, rules, TODAY) if d.rule == "denial"]
    assert draft.action.startswith("Do not appeal: N211")
    assert draft.deadline == dt.date(2026, 11, 28)  # Bluewater: 180 days from 2026-06-01
    assert draft.evidence["appealable"] is False


def test_denial_by_a_crossover_payer_uses_that_payers_rules(rules: RulesCache) -> None:
    """A second payer's denial on the claim: its name, its appeal window (Medicaid 90 days)."""
    primary = payment(
        "19",
        "100.00",
        "80.00",
        paid("99213", "100.00", "80.00", "CO-45=0.00"),
        payer="SXMB1",
        payer_name="MEDICARE PART B SYNTHETIC MAC",
    )
    medicaid = payment(
        "4",
        "100.00",
        "0.00",
        paid("99213", "100.00", "0.00", "CO-27=20.00"),
        payer="SXMCD",
        payer_name="LAKESHORE STATE MEDICAID",
        when=dt.date(2026, 6, 25),
    )
    view = claim(
        (billed("99213", "100.00"),),
        primary,
        medicaid,
        payer="SXMB1",
        payer_name="MEDICARE PART B SYNTHETIC MAC",
    )
    (draft,) = [d for d in evaluate_claim(view, rules, TODAY) if d.rule == "denial"]
    assert (draft.payer_key, draft.category) == ("SXMCD", "eligibility")
    assert draft.deadline == dt.date(2026, 9, 23)


def test_secondary_without_allowed_is_not_priced(rules: RulesCache) -> None:
    """A CLP02 2 without AMT*B6 (OA-23 lines) is not judged against the payer's schedule."""
    secondary = payment(
        "2",
        "200.00",
        "25.83",
        paid("99214", "200.00", "25.83", "OA-23=174.17"),
        payer="SXMCD",
        payer_name="LAKESHORE STATE MEDICAID",
    )
    view = claim(
        (billed("99214", "200.00"),),
        secondary,
        payer="SXMCD",
        payer_name="LAKESHORE STATE MEDICAID",
        responsibility="S",
        others=(OtherCoverageView("SXMB1", "MEDICARE", "P", Decimal("103.34")),),
    )
    assert evaluate_claim(view, rules, TODAY) == []


def test_reversal_cancels_the_adjudication_it_names() -> None:
    """CLP02 22 removes the payment with its CLP07; the correction stands."""
    first = payment("1", "240.00", "64.05", payer_claim_number="A1")
    reversal = payment("22", "-240.00", "-64.05", payer_claim_number="A1")
    correction = payment("1", "240.00", "164.05", payer_claim_number="A2")
    assert standing([first, reversal, correction]) == [correction]


@pytest.mark.parametrize(
    ("code", "ok"),
    [("E119", True), ("U071", True), ("S72001A", True), ("I10", True), ("E11.9", False),
     ("4019", False), ("E1", False), ("E1190000", False)],
)  # fmt: skip
def test_icd10_syntax(code: str, ok: bool) -> None:
    """Letter, digit, 1-5 letters or digits; no dot."""
    view = claim((billed("99213", "100.00"),), diagnoses=(code,))
    assert (problems(view) == []) is ok


@pytest.mark.parametrize(
    ("code", "ok"),
    [("99213", True), ("0001F", True), ("0042T", True), ("G0439", True), ("J1885", True),
     ("9921", False), ("99213X", False), ("W1234", False)],
)  # fmt: skip
def test_procedure_syntax(code: str, ok: bool) -> None:
    """CPT, Category II/III, HCPCS Level II."""
    view = claim((billed(code, "100.00"),))
    assert (problems(view) == []) is ok


def test_check_before_submit_needs_no_remittance_or_rules() -> None:
    """Usable on a claim about to go out; a clean claim has no problems."""
    bad = claim((billed("99213", "100.00", pointers=("2",), modifiers=("X",)),), charge="90.00")
    drafts = check_claim_before_submit(bad)
    assert sorted(d.category for d in drafts) == ["charge_total", "diagnosis_pointer", "modifier"]
    assert all(d.deadline is None for d in drafts)
    assert check_claim_before_submit(claim((billed("99213", "100.00"),))) == []


def test_fingerprint_is_rule_subject_and_codes() -> None:
    """Same inputs, same fingerprint; other codes, another finding."""
    assert fingerprint("denial", "claim:1", ["CO-50"]) == fingerprint(
        "denial", "claim:1", ["CO-50"]
    )
    assert fingerprint("denial", "claim:1", ["CO-50"]) != fingerprint("denial", "claim:1", ["CO-4"])


def test_registry_refuses_duplicates_and_mislabelled_drafts() -> None:
    """A rule name is registered once; a rule may only emit drafts with its own name."""
    with pytest.raises(ValueError, match="registered twice"):
        register("denial", FindingKind.DENIAL, Subject.CLAIM, ())(lambda *a: [])
    liar = Rule(
        "x.liar",
        FindingKind.COB,
        Subject.PAYMENT,
        lambda *a: [FindingDraft("cob", FindingKind.COB, "c", "s", Decimal(0), "", "")],
        ("c",),
    )
    with pytest.raises(ValueError, match="labelled cob"):
        call(liar, payment("1", "1.00", "1.00"), load_rulebook().default, TODAY)
    assert "x.liar" not in REGISTRY


def test_claim_level_adjustment_is_kept_apart() -> None:
    """adj() builds a claim-level CAS (no service payment)."""
    assert adj("CO-16", "10.00").service_payment_id is None


def test_facility_place_of_service_prices_at_the_facility_rate() -> None:
    """SV105 22 (outpatient hospital) takes the facility amount (99212: 48.34, not 72.80)."""
    from types import SimpleNamespace

    from claimsdesk.domain.findings.underpayment import line_expected, place_of_service

    bluewater = load_rulebook().for_payer("SXBLW")
    one = Decimal("1")
    assert line_expected(bluewater, "99212", (), one, Decimal("90.00"), "837P", "22") == Decimal(
        "48.34"
    )
    assert line_expected(bluewater, "99212", (), one, Decimal("90.00"), "837P") == Decimal("72.80")
    view = claim((billed("99212", "90.00"),))
    assert place_of_service(view, SimpleNamespace(place_of_service="22")) == "22"  # type: ignore[arg-type]
    assert place_of_service(view, None) == ""
