"""Analysis service: run the finding rules over claims and payments, keep the findings table.

analyze_claims() is set-based: views loaded in bulk, rules evaluated in memory, findings
written with executemany. after_file() runs matching + ledger, then the findings of what the
file touched, inside the import's transaction. analyze_all() re-runs everything (after a
rule change) in chunks; running it twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimsdesk.domain.findings import REGISTRY, RulesCache, Subject, evaluate
from claimsdesk.domain.views import ClaimView, PaymentView
from claimsdesk.services import claim_views, ledger
from claimsdesk.services.findings_close import close_reason
from claimsdesk.services.findings_context import (
    catch_up,
    drop_billed_secondaries,
    file_date,
    with_siblings,
)
from claimsdesk.services.findings_store import Counts, chunks, existing, sync
from claimsdesk.services.import_types import FileResult, ImportedIds
from claimsdesk.storage.models.base import utcnow
from claimsdesk.storage.models.ingest import ClaimPayment, SubmittedClaim
from payer_rules import Rulebook, load_rulebook

ALL_CHUNK = 5_000
"""Claims per chunk in analyze_all: bounds memory, keeps each IN query small."""
FILE_PART = 200_000
"""Claims of a file judged together after its import: the hook's memory (views, rows,
drafts) is bounded by this, not by the file (about 2 GB at 200,000 claims)."""


@cache
def default_rulebook() -> Rulebook:
    """The shipped payer rules, loaded once per process."""
    return load_rulebook()


def analyze_claims(
    session: Session,
    rulebook: Rulebook,
    submitted_claim_ids: Iterable[int],
    payment_ids: Iterable[int],
    today: dt.date,
    found: set[int] | None = None,
) -> Counts:
    """Findings for these claims (every payment on them) and these payments, upserted;
    `found` (when given) gets the ids of every finding about them."""
    claims = claim_views.load_claim_views(session, sorted(set(submitted_claim_ids)))
    seen = {p.claim_payment_id for c in claims for p in c.payments}
    extra_ids = sorted(set(payment_ids) - seen)
    extra = claim_views.load_payment_views(session, extra_ids) if extra_ids else []
    return _run(session, rulebook, claims, extra, today, found)


def _scope(claim_ids: Iterable[int], payment_ids: Iterable[int]) -> Callable[[Any], bool]:
    """Which existing findings this run re-judged (and may therefore close)."""
    claims, payments = set(claim_ids), set(payment_ids)

    def judged(row: Any) -> bool:
        rule = REGISTRY.get(row.rule)
        if rule is None:  # a retired rule: close its findings wherever we look
            return row.submitted_claim_id in claims or row.claim_payment_id in payments
        if rule.subject is Subject.PAYMENT:
            return row.claim_payment_id in payments
        return row.submitted_claim_id in claims

    return judged


def after_file(session: Session, result: FileResult, imported: ImportedIds) -> None:
    """Import hook: matching + ledger, then the findings of what the file touched (one tx).

    Clocks are judged as of the file's own date (GS04 of an 837, BPR16 of an 835), never
    later than today: back-loading last year's files does not open (and at once close)
    a follow-up finding per claim. `claimsdesk analyze` judges as of today.
    """
    del result
    today = dt.date.today()
    analyze_imported(
        session, default_rulebook(), imported, min(today, file_date(session, imported) or today)
    )


def make_after_file(
    rulebook: Rulebook, today: dt.date | None = None
) -> Callable[[Session, FileResult, ImportedIds], None]:
    """An after_file hook with given rules; `today` fixed (tests) or as after_file decides."""

    def hook(session: Session, result: FileResult, imported: ImportedIds) -> None:
        del result
        analyze_imported(session, rulebook, imported, today or import_day(session, imported))

    return hook


def import_day(session: Session, imported: ImportedIds) -> dt.date:
    """The file's own date, never later than today."""
    real = dt.date.today()
    return min(real, file_date(session, imported) or real)


def analyze_imported(
    session: Session, rulebook: Rulebook, imported: ImportedIds, today: dt.date
) -> Counts:
    """Matching and ledger for a file's rows, then the findings of every claim it touched;
    a file of more than FILE_PART claims in parts (analyze_in_parts)."""
    if max(len(imported.claim_payments), len(imported.submitted_claims)) > FILE_PART:
        return analyze_in_parts(session, rulebook, imported, today, FILE_PART)
    touched = claim_views.run_matching_and_ledger(session, imported)
    claims = set(touched) | with_siblings(session, imported.submitted_claims)
    found: set[int] = set()
    counts = analyze_claims(session, rulebook, claims, imported.claim_payments, today, found)
    _sync_queues(session, rulebook, found, today)
    return counts


def analyze_in_parts(
    session: Session, rulebook: Rulebook, imported: ImportedIds, today: dt.date, size: int
) -> Counts:
    """A big file with memory bounded by `size`: every part matched first (a claim and
    its secondary may be paid in different parts: none is judged before the whole file is
    matched), then ledgers, findings and work items `size` claims at a time, then the
    file's payments that no claim took (unmatched, ambiguous)."""
    touched: set[int] = set()
    for start in range(0, max(len(imported.claim_payments), len(imported.submitted_claims)), size):
        part = ImportedIds(
            array("q", imported.claim_payments[start : start + size]),
            array("q", imported.submitted_claims[start : start + size]),
        )
        touched |= claim_views.run_matching(session, part)
    touched |= ledger.claims_named_by_plbs(session, imported.remittances)
    claims = sorted(touched | with_siblings(session, imported.submitted_claims))
    del touched
    counts, judged = Counts(), array("q")
    for start in range(0, len(claims), size):
        refreshed = claim_views.run_ledger(session, claims[start : start + size])
        views = claim_views.load_claim_views(session, refreshed)
        judged.extend(p.claim_payment_id for c in views for p in c.payments)
        counts.add(_judge(session, rulebook, views, [], today))
    seen = set(judged)
    rest = [p for p in imported.claim_payments if p not in seen]
    for start in range(0, len(rest), size):
        extra = claim_views.load_payment_views(session, rest[start : start + size])
        counts.add(_judge(session, rulebook, [], extra, today))
    claim_views.forget_views(session)
    return counts


def _judge(
    session: Session,
    rulebook: Rulebook,
    claims: list[ClaimView],
    extra: list[PaymentView],
    today: dt.date,
) -> Counts:
    """Findings of these views, then the work items of every finding about them."""
    found: set[int] = set()
    counts = _run(session, rulebook, claims, extra, today, found)
    _sync_queues(session, rulebook, found, today)
    return counts


def _sync_queues(session: Session, rulebook: Rulebook, found: set[int], today: dt.date) -> None:
    """Work items follow the findings just judged: those of the claims and of every payment
    matched to them (an 835 that was unmatched until its 837 arrived closes its item here).
    Only matching links a payment to a claim, and only when it matched, so those payments
    are the claims' views' payments: the analysis already read (or wrote) their findings."""
    from claimsdesk.services.worklist_sync import sync_work_items

    sync_work_items(session, found, today=today, rulebook=rulebook)


def analyze_all(session: Session, rulebook: Rulebook, today: dt.date) -> Counts:
    """Every claim and every payment, in chunks: for `claimsdesk analyze` after a rule change.

    First matches and posts whatever `import --no-analysis` left undone (catch_up).
    """
    catch_up(session)
    counts = Counts()
    claim_ids: Sequence[int] = session.scalars(
        select(SubmittedClaim.id).order_by(SubmittedClaim.id)
    ).all()
    seen: set[int] = set()
    for part in chunks(claim_ids, ALL_CHUNK):
        claims = claim_views.load_claim_views(session, list(part))
        seen.update(p.claim_payment_id for c in claims for p in c.payments)
        counts.add(_run(session, rulebook, claims, [], today))
    payment_ids = [
        i
        for i in session.scalars(select(ClaimPayment.id).order_by(ClaimPayment.id))
        if i not in seen
    ]
    for part in chunks(payment_ids, ALL_CHUNK):
        payments = claim_views.load_payment_views(session, list(part))
        counts.add(_run(session, rulebook, [], payments, today))
    return counts


def _run(
    session: Session,
    rulebook: Rulebook,
    claims: list[ClaimView],
    extra: list[PaymentView],
    today: dt.date,
    found: set[int] | None = None,
) -> Counts:
    """analyze_claims on views already loaded."""
    payments: dict[int, PaymentView] = {p.claim_payment_id: p for c in claims for p in c.payments}
    payments.update((p.claim_payment_id, p) for p in extra)
    drafts = drop_billed_secondaries(
        session, evaluate(claims, payments.values(), RulesCache(rulebook), today)
    )
    by_claim = {c.submitted_claim_id: c for c in claims}
    rows = existing(session, list(by_claim), list(payments))
    return sync(
        session,
        drafts,
        rows,
        _scope(by_claim.keys(), payments.keys()),
        lambda row: close_reason(row, by_claim, payments, today),
        utcnow(),
        found,
    )


__all__ = [
    "after_file",
    "analyze_all",
    "analyze_claims",
    "analyze_imported",
    "default_rulebook",
    "import_day",
    "make_after_file",
]
