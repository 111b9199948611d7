"""The ledger property over generated batches, on SQLite and PostgreSQL.

For every claim: charges = payments + adjustments + write-offs + transfers + patient payments
+ balance, the patient's part is the last payer's PR, and once the payers are done nothing is
left with them (the generator's 835s balance). For the whole batch: the ledgers' payments
plus the payments left unmatched, less the PLB amounts, equal the checks (BPR02, signed), and
each PLB and each claim payment is posted on at most one claim.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from ledgerkit import hook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from test_ledger_scenarios import identity_holds

from claimsdesk.domain.views import ClaimState, ClaimView
from claimsdesk.generator import generate_batch
from claimsdesk.services.claim_views import load_claim_views
from claimsdesk.services.imports import import_paths
from claimsdesk.storage.models.analysis import ClaimMatch, LedgerEntry
from claimsdesk.storage.models.ingest import (
    ClaimPayment,
    ProviderAdjustmentRow,
    Remittance,
    SubmittedClaim,
)

ZERO = Decimal("0.00")
WAITING = (ClaimState.BILLED, ClaimState.FORWARDED, ClaimState.AWAITING_SECONDARY)


def payer_part(view: ClaimView) -> Decimal:
    return sum((v for k, v in view.ledger.balance_by_party.items() if k != "patient"), ZERO)


def check_claim(view: ClaimView) -> None:
    """The per-claim property."""
    ledger, where = view.ledger, view.patient_control_number
    assert identity_holds(ledger), where
    assert ledger.charges == view.charge, where
    if view.state not in WAITING:
        assert payer_part(view) == ZERO, (where, view.state, ledger)
    if ledger.transferred == ZERO and view.state not in WAITING and view.payments:
        assert ledger.balance_by_party.get("patient", ZERO) == ledger.patient_responsibility


def batch_totals(session: Session) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """Ledger payments, payments left unmatched, PLB total, signed BPR02 total."""
    posted = session.scalar(
        select(func.sum(LedgerEntry.amount)).where(LedgerEntry.kind == "payment")
    )
    loose = session.scalar(
        select(func.sum(ClaimPayment.paid))
        .join(ClaimMatch, ClaimMatch.claim_payment_id == ClaimPayment.id)
        .where(ClaimMatch.status != "matched")
    )
    plb = session.scalar(select(func.sum(ProviderAdjustmentRow.amount)))
    checks = ZERO
    for amount, sign in session.execute(select(Remittance.payment_amount, Remittance.credit_debit)):
        checks += -amount if sign == "D" else amount
    return posted or ZERO, loose or ZERO, plb or ZERO, checks


@pytest.mark.parametrize("seed", [3, 41])
def test_ledger_property(seed: int, session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    """Every claim of a generated batch, and the batch against its checks."""
    files = generate_batch(400, seed, tmp_path / "batch", cycle_size=150)
    run = import_paths(session_factory, files, after_file=hook)
    assert {r.status for r in run.files} == {"imported"}
    with session_factory() as session:
        ids = list(session.scalars(select(SubmittedClaim.id)))
        views = load_claim_views(session, ids)
        assert len(views) == len(ids)
        for view in views:
            check_claim(view)
        posted, loose, plb, checks = batch_totals(session)
        assert posted + loose - plb == checks
        per_payment = session.execute(
            select(
                LedgerEntry.claim_payment_id,
                func.count(func.distinct(LedgerEntry.submitted_claim_id)),
            )
            .where(LedgerEntry.claim_payment_id.is_not(None))
            .group_by(LedgerEntry.claim_payment_id)
        ).all()
        assert all(n == 1 for _, n in per_payment)
        per_plb = session.execute(
            select(LedgerEntry.provider_adjustment_id, func.count())
            .where(LedgerEntry.provider_adjustment_id.is_not(None))
            .group_by(LedgerEntry.provider_adjustment_id)
        ).all()
        assert all(n == 1 for _, n in per_plb)
    states = {v.state for v in views}
    assert {ClaimState.PAID, ClaimState.DENIED, ClaimState.PATIENT_RESPONSIBILITY} <= states
