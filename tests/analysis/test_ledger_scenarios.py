"""Ledgers and claim states of the hand-written scenarios, to the cent (sample_edi/README.md).

Imported through the real import service with matching + ledger in the after_file hook, on
SQLite and PostgreSQL. Also: the crossover held for Medicaid, our secondary claim taking the
primary's balance, a patient payment closing a claim, and re-runs changing no row.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from ledgerkit import hook, import_in_order, only_view, scenario, views_of
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from test_matching_scenarios import arrival_order

from claimsdesk.domain.ledger import EntryKind
from claimsdesk.domain.views import ClaimState, LedgerView
from claimsdesk.services.claim_views import rebuild_all
from claimsdesk.services.imports import import_paths
from claimsdesk.services.ledger import post_manual
from claimsdesk.storage.models.analysis import ClaimLedger, LedgerEntry

D = Decimal
S = ClaimState
# PCN: state, payments by payer, CO, OA, (PR-1, PR-2, PR-3, other PR), balance by party
EXPECTED: dict[str, tuple[ClaimState, dict[str, str], str, str, tuple[str, ...], dict[str, str]]] = {
    "PIF26001": (S.PAID, {"SXBLW": "168.04"}, "96.96", "0", ("0", "0", "0", "0"), {}),
    "PRP26001": (S.PATIENT_RESPONSIBILITY, {"SXBLW": "107.51"}, "167.16", "0",
                 ("40.00", "5.33", "30.00", "0"), {"patient": "75.33"}),
    "ELG26001": (S.DENIED, {}, "235.00", "0", ("0", "0", "0", "0"), {}),
    "AUT26001": (S.DENIED, {}, "1250.00", "0", ("0", "0", "0", "0"), {}),
    "MNC26001": (S.DENIED, {}, "100.00", "0", ("0", "0", "0", "0"), {}),
    "MIS26001": (S.DENIED, {}, "185.00", "0", ("0", "0", "0", "0"), {}),
    "TMF26001": (S.DENIED, {}, "180.00", "0", ("0", "0", "0", "0"), {}),
    "WPO26001": (S.DENIED, {}, "235.00", "0", ("0", "0", "0", "0"), {}),
    "DUP26001": (S.PATIENT_RESPONSIBILITY, {"SXBLW": "91.23"}, "63.77", "0",
                 ("0", "0", "25.00", "0"), {"patient": "25.00"}),
    "COD26001": (S.PAID, {"SXSCI": "69.37"}, "385.63", "0", ("0", "0", "0", "0"), {}),
    "UND26001": (S.PATIENT_RESPONSIBILITY, {"SXBLW": "190.83"}, "154.17", "0",
                 ("0", "0", "30.00", "0"), {"patient": "30.00"}),
    "REV26001": (S.PAID, {"SXBLW": "164.05"}, "75.95", "0", ("0", "0", "0", "0"), {}),
    "XOV26001": (S.PAID, {"SXMB1": "116.52", "SXMCD": "29.13"}, "104.35", "0",
                 ("0", "0", "0", "0"), {}),
    "PLB26001": (S.PATIENT_RESPONSIBILITY, {"SXSCI": "82.50"}, "57.50", "0",
                 ("0", "0", "20.00", "0"), {"patient": "20.00"}),
    "PLB26002": (S.PATIENT_RESPONSIBILITY, {"SXSCI": "174.67"}, "35.33", "0",
                 ("0", "0", "20.00", "0"), {"patient": "20.00"}),
    "RCD26001": (S.PATIENT_RESPONSIBILITY, {"SXSCI": "180.15"}, "289.85", "0",
                 ("0", "0", "20.00", "0"), {"patient": "20.00"}),
    "INP26001": (S.PATIENT_RESPONSIBILITY, {"SXBLW": "3736.00"}, "3660.00", "0",
                 ("750.00", "934.00", "0", "0"), {"patient": "1684.00"}),
    "BUN26001": (S.PATIENT_RESPONSIBILITY, {"SXMB1": "86.40"}, "127.00", "0",
                 ("0", "21.60", "0", "0"), {"patient": "21.60"}),
    "UBL26001": (S.PATIENT_RESPONSIBILITY, {"SXSCI": "124.67"}, "85.33", "0",
                 ("0", "0", "0", "20.00"), {"patient": "20.00"}),
}  # fmt: skip


def money(values: dict[str, str]) -> dict[str, Decimal]:
    return {k: D(v) for k, v in values.items()}


def identity_holds(ledger: LedgerView) -> bool:
    """charges = payments + CO + PI + OA + write-offs + transferred + patient payments + balance."""
    right = (
        sum(ledger.payer_payments.values(), D(0))
        + ledger.contractual
        + ledger.payer_initiated
        + ledger.other_adjustments
        + ledger.write_offs
        + ledger.transferred
        + ledger.patient_payments
        + ledger.balance
    )
    return ledger.charges == right


def stored(sessions: sessionmaker[Session]) -> dict[str, list[Any]]:
    """Ledger rows and summaries as stored (ids included)."""
    with sessions() as session:
        entries = session.execute(
            select(
                LedgerEntry.id,
                LedgerEntry.submitted_claim_id,
                LedgerEntry.entry_key,
                LedgerEntry.kind,
                LedgerEntry.party,
                LedgerEntry.amount,
                LedgerEntry.claim_line_id,
            ).order_by(LedgerEntry.id)
        ).all()
        summaries = session.execute(
            select(
                ClaimLedger.submitted_claim_id,
                ClaimLedger.state,
                ClaimLedger.balance,
                ClaimLedger.updated_at,
            ).order_by(ClaimLedger.submitted_claim_id)
        ).all()
    return {"entries": list(entries), "summaries": list(summaries)}


def test_every_scenario_ledger(session_factory: sessionmaker[Session]) -> None:
    """State and money of each scenario claim, as the README tells them."""
    import_in_order(session_factory, arrival_order())
    for pcn, (state, paid, co, oa, pr, balance) in EXPECTED.items():
        view = only_view(session_factory, pcn)
        ledger = view.ledger
        assert view.state is state, pcn
        assert ledger.payer_payments == money(paid), pcn
        assert (ledger.contractual, ledger.other_adjustments) == (D(co), D(oa)), pcn
        split = (ledger.deductible, ledger.coinsurance, ledger.copay, ledger.other_patient)
        assert split == tuple(D(x) for x in pr), pcn
        assert ledger.balance_by_party == money(balance), pcn
        assert ledger.charges == view.charge and identity_holds(ledger), pcn
    plb1, plb2 = only_view(session_factory, "PLB26001"), only_view(session_factory, "PLB26002")
    assert (plb1.ledger.provider_level, plb1.ledger.recouped) == (D("-1.37"), D(0))
    assert (plb2.ledger.provider_level, plb2.ledger.recouped) == (D("50.00"), D("50.00"))
    primary, secondary = views_of(session_factory, "SEC26001")
    assert primary.state is S.CLOSED and primary.ledger.transferred == D("105.10")
    assert primary.ledger.balance_by_party == {} and identity_holds(primary.ledger)
    assert secondary.state is S.PATIENT_RESPONSIBILITY
    assert secondary.ledger.other_adjustments == D("254.90")  # OA-23 on our secondary claim
    assert secondary.ledger.balance_by_party == {"patient": D("13.02")}
    both = sum((sum(v.ledger.payer_payments.values(), D(0)) for v in (primary, secondary)), D(0))
    assert both == D("196.75")


def test_crossover_held_for_medicaid(session_factory: sessionmaker[Session]) -> None:
    """Forwarded by Medicare: the 29.13 waits for Medicaid, not the patient; then closes."""
    import_in_order(
        session_factory, scenario("crossover-to-secondary.837", "crossover-to-secondary.1.835")
    )
    view = only_view(session_factory, "XOV26001")
    assert view.state is S.FORWARDED
    assert view.ledger.coinsurance == D("29.13")
    assert view.ledger.balance_by_party == {"SXMCD": D("29.13")}
    import_in_order(session_factory, scenario("crossover-to-secondary.2.835"))
    view = only_view(session_factory, "XOV26001")
    assert (view.state, view.ledger.balance_by_party) == (S.PAID, {})
    assert view.ledger.patient_responsibility == D(0)  # the last payer's PR: Medicaid's


def test_secondary_pending_then_billed_then_paid(session_factory: sessionmaker[Session]) -> None:
    """Primary paid, secondary on the claim: held; our secondary claim takes the balance."""
    import_in_order(session_factory, scenario("secondary-payment.1.837", "secondary-payment.1.835"))
    (primary,) = views_of(session_factory, "SEC26001")
    assert primary.state is S.AWAITING_SECONDARY
    assert primary.ledger.balance_by_party == {"SXBLW": D("105.10")}
    import_in_order(session_factory, scenario("secondary-payment.2.837"))
    primary, secondary = views_of(session_factory, "SEC26001")
    assert (primary.state, primary.ledger.transferred) == (S.CLOSED, D("105.10"))
    assert (secondary.state, secondary.ledger.balance) == (S.BILLED, D("360.00"))
    import_in_order(session_factory, scenario("secondary-payment.2.835"))
    _, secondary = views_of(session_factory, "SEC26001")
    assert secondary.ledger.balance_by_party == {"patient": D("13.02")}


def test_reversal_nets_and_correction_posts(session_factory: sessionmaker[Session]) -> None:
    """64.05 - 64.05 + 164.05; the 100.00 deductible goes away with the reversal."""
    import_in_order(
        session_factory, scenario("reversal-and-correction.837", "reversal-and-correction.1.835")
    )
    view = only_view(session_factory, "REV26001")
    assert view.ledger.balance_by_party == {"patient": D("100.00")}
    import_in_order(session_factory, scenario("reversal-and-correction.2.835"))
    view = only_view(session_factory, "REV26001")
    with session_factory() as session:
        paid = session.scalars(
            select(LedgerEntry.amount)
            .where(
                LedgerEntry.submitted_claim_id == view.submitted_claim_id,
                LedgerEntry.kind == EntryKind.PAYMENT.value,
            )
            .order_by(LedgerEntry.id)
        ).all()
    assert paid == [D("64.05"), D("-64.05"), D("164.05")]
    assert (view.state, view.ledger.deductible, view.ledger.balance) == (S.PAID, D(0), D(0))


def test_patient_payment_closes(session_factory: sessionmaker[Session]) -> None:
    """A manual patient payment of the whole PR closes the claim; posting stays on re-runs."""
    import_in_order(
        session_factory,
        scenario(
            "partial-deductible-coinsurance-copay.837", "partial-deductible-coinsurance-copay.835"
        ),
    )
    claim_id = only_view(session_factory, "PRP26001").submitted_claim_id
    with session_factory() as session:
        post_manual(session, claim_id, EntryKind.PATIENT_PAYMENT, D("75.33"), entry_key="rcpt-1")
        session.commit()
    with session_factory() as session:
        rebuild_all(session)
        session.commit()
    view = only_view(session_factory, "PRP26001")
    assert (view.state, view.ledger.balance, view.ledger.patient_payments) == (
        S.CLOSED,
        D(0),
        D("75.33"),
    )
    with session_factory() as session, pytest.raises(ValueError, match="derived"):
        post_manual(session, claim_id, EntryKind.PAYMENT, D("1.00"), entry_key="x")


def test_ledger_rerun_changes_nothing(session_factory: sessionmaker[Session]) -> None:
    """rebuild_all twice and re-importing every file leave ledger rows and summaries alone."""
    files = arrival_order()
    import_in_order(session_factory, files)
    before = stored(session_factory)
    for _ in range(2):
        with session_factory() as session:
            rebuild_all(session)
            session.commit()
        assert stored(session_factory) == before
    import_paths(session_factory, files, after_file=hook)
    assert stored(session_factory) == before
