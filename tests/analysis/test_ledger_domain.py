"""Pure ledger rules (claimsdesk.domain.ledger): postings, PR of the last payer, states."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from claimsdesk.domain.ledger import (
    EntryKind,
    PlbFacts,
    Posting,
    assess,
    charge_postings,
    derive_postings,
    transfer_posting,
    transfer_target,
)
from claimsdesk.domain.ledger_state import ClaimBasis
from claimsdesk.domain.views import (
    AdjustmentView,
    BilledLineView,
    ClaimState,
    MatchStatus,
    OtherCoverageView,
    PaidLineView,
    PaymentView,
)

D = Decimal
DAY = dt.date(2026, 4, 1)
LINE = BilledLineView(5, "1", "99213", (), "", D("100.00"), D(1), DAY, None, ("1",), "L-1")


def basis(**kw: object) -> ClaimBasis:
    base: dict[str, object] = dict(
        submitted_claim_id=1,
        payer_key="P1",
        responsibility="P",
        frequency="1",
        charge=D("100.00"),
        billed_on=DAY,
        lines=(LINE,),
        other_coverages=(),
    )
    base.update(kw)
    return ClaimBasis(**base)  # type: ignore[arg-type]


def pay(pid: int, status: str, paid: str, *adjs: tuple[str, str, str], **kw: object) -> PaymentView:
    """A one-line payment with line-level CAS (group, CARC, amount)."""
    adjustments = tuple(AdjustmentView(g, r, D(a), None, 100 + pid, 5) for g, r, a in adjs)
    line = PaidLineView(
        100 + pid,
        5,
        "99213",
        (),
        "",
        (),
        D("100.00") * (-1 if status == "22" else 1),
        D(paid),
        None,
        None,
        None,
        DAY,
        adjustments,
    )
    pr = sum((D(a) for g, _, a in adjs if g == "PR"), D(0))
    base: dict[str, object] = dict(
        claim_payment_id=pid,
        remittance_id=1,
        import_file_id=1,
        payer_key="P1",
        payer_name="",
        status=status,
        charge=line.charge,
        paid=D(paid),
        patient_responsibility=pr,
        payer_claim_number=f"C{pid}",
        frequency="1",
        payment_date=DAY + dt.timedelta(days=pid),
        trace_number="T",
        match_status=MatchStatus.MATCHED,
        submitted_claim_id=1,
        adjustments=adjustments,
        lines=(line,),
    )
    base.update(kw)
    return PaymentView(**base)  # type: ignore[arg-type]


def run(b: ClaimBasis, *payments: PaymentView, extra: tuple[Posting, ...] = ()):  # type: ignore[no-untyped-def]
    postings = derive_postings(b, payments) + list(extra)
    return postings, assess(b, postings, payments)


def test_charges_per_line_and_the_rest_of_clm02() -> None:
    got = charge_postings(basis(charge=D("120.00")))
    assert [(p.entry_key, p.amount, p.claim_line_id) for p in got] == [
        ("charge:5", D("100.00"), 5), ("charge", D("20.00"), None)]  # fmt: skip
    assert charge_postings(basis(frequency="8")) == []


def test_paid_with_contractual_is_paid() -> None:
    _, a = run(basis(), pay(1, "1", "80.00", ("CO", "45", "20.00")))
    assert (a.state, a.ledger.balance, a.ledger.contractual) == (ClaimState.PAID, 0, D("20.00"))


def test_pr_split_goes_to_the_patient() -> None:
    _, a = run(
        basis(),
        pay(
            1,
            "1",
            "50.00",
            ("CO", "45", "20"),
            ("PR", "1", "10"),
            ("PR", "2", "15"),
            ("PR", "3", "5"),
        ),
    )
    ledger = a.ledger
    assert (ledger.deductible, ledger.coinsurance, ledger.copay) == (D(10), D(15), D(5))
    assert (a.state, ledger.balance_by_party) == (
        ClaimState.PATIENT_RESPONSIBILITY,
        {"patient": D(30)},
    )


def test_denied_zero_paid_partial_and_credit() -> None:
    denied = pay(1, "4", "0.00", ("CO", "50", "100"))
    assert run(basis(), denied)[1].state is ClaimState.DENIED
    all_deductible = pay(1, "1", "0.00", ("CO", "45", "20"), ("PR", "1", "80"))
    assert run(basis(), all_deductible)[1].state is ClaimState.ZERO_PAID
    partial = pay(1, "1", "60.00", ("CO", "45", "20"))
    _, a = run(basis(), partial)
    assert (a.state, a.ledger.balance_by_party) == (ClaimState.PARTIALLY_PAID, {"P1": D(20)})
    twice = pay(2, "1", "80.00", ("CO", "45", "20"))
    _, a = run(basis(), pay(1, "1", "80.00", ("CO", "45", "20")), twice)
    assert a.state is ClaimState.CREDIT_BALANCE and a.ledger.balance < 0


def test_reversal_nets_and_duplicate_denial_is_informational() -> None:
    original = pay(1, "1", "70.00", ("CO", "45", "20"), ("PR", "1", "10"))
    reversal = pay(2, "22", "-70.00", ("CO", "45", "-20"), ("PR", "1", "-10"))
    corrected = pay(3, "1", "80.00", ("CO", "45", "20"))
    _, a = run(basis(), original, reversal, corrected)
    assert (a.ledger.payer_payments, a.ledger.deductible, a.state) == (
        {"P1": D(80)},
        D(0),
        ClaimState.PAID,
    )
    dup = pay(4, "4", "0.00", ("OA", "18", "100"))
    postings, a = run(basis(), corrected, dup)
    assert a.state is ClaimState.PAID and a.last_payment_id == 3
    assert [p.kind for p in postings if p.claim_payment_id == 4] == [EntryKind.INFORMATIONAL]


def test_prior_payer_counts_only_on_a_secondary_claim() -> None:
    secondary_answer = pay(2, "2", "20.00", ("OA", "23", "80"), payer_key="P2")
    _, on_secondary = run(basis(responsibility="S", payer_key="P2"), secondary_answer)
    assert (on_secondary.ledger.other_adjustments, on_secondary.ledger.balance) == (D(80), 0)
    primary = pay(1, "19", "80.00", ("PR", "2", "20"), crossover_carrier="MEDICAID (PI P2)")
    _, forwarded = run(basis(), primary)
    assert forwarded.state is ClaimState.FORWARDED
    assert forwarded.ledger.balance_by_party == {"P2": D(20)}
    _, done = run(basis(), primary, secondary_answer)
    assert (done.state, done.ledger.other_adjustments, done.ledger.balance) == (
        ClaimState.PAID,
        D(0),
        D(0),
    )


def test_awaiting_secondary_holds_the_patient_share() -> None:
    medicaid = OtherCoverageView("P2", "MEDICAID", "S")
    b = basis(other_coverages=(medicaid,))
    _, a = run(b, pay(1, "1", "80.00", ("PR", "2", "20")))
    assert (a.state, a.ledger.balance_by_party) == (ClaimState.AWAITING_SECONDARY, {"P2": D(20)})


def test_clp05_beyond_pr_cas_is_other_patient_share() -> None:
    p = pay(1, "1", "80.00", patient_responsibility=D("20.00"))
    _, a = run(basis(), p)
    assert (a.ledger.other_patient, a.ledger.balance_by_party) == (D(20), {"patient": D(20)})


def test_plb_kept_without_reopening_the_balance() -> None:
    plbs = [PlbFacts(9, "P1", "L6", "PCN", D("-1.37"), DAY), PlbFacts(10, "P1", "WO", "PCN",
                                                                      D("50.00"), DAY)]  # fmt: skip
    b = basis()
    payments = (pay(1, "1", "100.00"),)
    postings = derive_postings(b, payments, plbs)
    a = assess(b, postings, payments)
    assert (a.ledger.provider_level, a.ledger.recouped, a.state) == (
        D("48.63"),
        D("50.00"),
        ClaimState.PAID,
    )


def test_manual_write_off_closes() -> None:
    write_off = Posting("manual:w", EntryKind.WRITE_OFF, "patient", D(20), "manual")
    _, a = run(basis(), pay(1, "1", "80.00", ("PR", "2", "20")), extra=(write_off,))
    assert (a.state, a.ledger.balance) == (ClaimState.CLOSED, 0)


def test_patient_transfer_moves_the_payer_part() -> None:
    move = Posting("manual:t", EntryKind.PATIENT_TRANSFER, "patient", D(20), "manual")
    _, a = run(basis(), pay(1, "1", "60.00", ("CO", "45", "20")), extra=(move,))
    assert (a.state, a.ledger.balance_by_party) == (
        ClaimState.PATIENT_RESPONSIBILITY,
        {"patient": D(20)},
    )
    payer_write_off = Posting("manual:w", EntryKind.WRITE_OFF, "P1", D(20), "manual")
    _, a = run(basis(), pay(1, "1", "60.00", ("CO", "45", "20")), extra=(payer_write_off,))
    assert (a.state, a.ledger.balance) == (ClaimState.CLOSED, 0)


def test_transfer_to_replacement_or_next_payer_claim() -> None:
    original = basis()
    replacement = basis(submitted_claim_id=2, frequency="7", billed_on=DAY + dt.timedelta(5))
    secondary = basis(
        submitted_claim_id=3, responsibility="S", payer_key="P2", billed_on=DAY + dt.timedelta(9)
    )
    assert transfer_target(original, [original, replacement, secondary], False) == replacement
    assert transfer_target(original, [original, secondary], False) is None
    assert transfer_target(original, [original, secondary], True) == secondary
    assert transfer_target(secondary, [original, secondary], True) is None
    move = transfer_posting(secondary, D(20))
    assert move is not None and (move.party, move.amount) == ("P2", D(20))
    assert transfer_posting(secondary, D(0)) is None
    _, a = run(original, pay(1, "1", "80.00", ("PR", "2", "20")), extra=(move,))
    assert (a.state, a.ledger.transferred, a.ledger.balance) == (ClaimState.CLOSED, D(20), 0)


def test_nothing_adjudicated_is_billed() -> None:
    _, a = run(basis())
    assert (a.state, a.ledger.balance_by_party) == (ClaimState.BILLED, {"P1": D(100)})
    reversed_only = (
        pay(1, "1", "80.00", ("CO", "45", "20")),
        pay(2, "22", "-80.00", ("CO", "45", "-20")),
    )
    assert run(basis(), *reversed_only)[1].state is ClaimState.BILLED
