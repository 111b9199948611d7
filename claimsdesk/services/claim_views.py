"""Load ClaimView and PaymentView snapshots in bulk, and run matching + ledger after imports.

A handful of queries per chunk of CHUNK ids (claims, lines, other payers, coverages, matches,
ledger rows; the payments' side is in claim_rows), never a query per claim. The findings
rules judge what these functions return.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from claimsdesk.domain.ledger import Assessment, EntryKind, Posting, assess
from claimsdesk.domain.ledger_state import ClaimBasis
from claimsdesk.domain.views import (
    BilledLineView,
    ClaimView,
    MatchStatus,
    OtherCoverageView,
    PaymentView,
    make_claim_view,
    make_other_coverage_view,
)
from claimsdesk.services import claim_rows
from claimsdesk.services.analysis_sql import CHUNK, chunked, id_in
from claimsdesk.services.claim_rows import gs_date, load_billed_views
from claimsdesk.services.import_types import ImportedIds
from claimsdesk.storage.models.analysis import ClaimMatch, LedgerEntry
from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.ingest import (
    ClaimPayment,
    Coverage,
    OtherPayerRow,
    Payer,
    SubmittedClaim,
    TransactionSetRow,
)

CP, PAYER, CM = table_of(ClaimPayment), table_of(Payer), table_of(ClaimMatch)
SC, TS = table_of(SubmittedClaim), table_of(TransactionSetRow)
OP, COV, LE = table_of(OtherPayerRow), table_of(Coverage), table_of(LedgerEntry)
payment_views_by_id = claim_rows.payment_views_by_id  # claim_story and the ledger use it here
DIAGNOSIS_QUALIFIERS = ("ABK", "BK", "ABF", "BF", "ABJ", "BJ", "APR", "PR", "ABN", "BN")
INPATIENT_BILL_TYPES = frozenset({"11", "12", "18", "21", "41", "86"})
_KINDS = {k.value: k for k in EntryKind}
_CACHE = "claimsdesk.claim_views"  # session.info key: (transaction, {claim id: ClaimView})


def payer_key_of(identifier: str | None, name: str | None) -> str:
    """The key a payer goes by in views and ledgers: its id, else its name."""
    return (identifier or "").strip() or " ".join((name or "").split()).upper()


# --------------------------------------------------------------------------- payments


def load_payment_views(session: Session, claim_payment_ids: Sequence[int]) -> list[PaymentView]:
    """PaymentViews for these claim payments, in the order of the ids given."""
    found = payment_views_by_id(session.connection(), claim_payment_ids)
    return [found[i] for i in claim_payment_ids if i in found]


# --------------------------------------------------------------------------- claims


class ClaimParts(NamedTuple):
    """Everything of a ClaimView but its payments, ledger and state."""

    row: Any  # the submitted_claims row with payer and billing date
    basis: ClaimBasis
    payment_ids: tuple[int, ...]


_CLAIM_COLUMNS = (
    SC.c.id, SC.c.patient_control_number, SC.c.kind, SC.c.total_charge, SC.c.facility_code,
    SC.c.frequency, SC.c.payer_responsibility, SC.c.filing_indicator, SC.c.patient_id,
    SC.c.subscriber_member_id, SC.c.diagnoses, SC.c.statement_from, SC.c.statement_to,
    SC.c.original_reference, SC.c.import_file_id,
    PAYER.c.identifier.label("payer_identifier"), PAYER.c.name.label("payer_name"),
    TS.c.group_date)  # fmt: skip
_CLAIM_JOIN = SC.join(TS, TS.c.id == SC.c.transaction_set_id).outerjoin(
    PAYER, PAYER.c.id == SC.c.payer_id
)


def load_claim_parts(
    conn: Connection,
    ids: Iterable[int],
    billed: dict[int, list[BilledLineView]] | None = None,
) -> dict[int, ClaimParts]:
    """Claims with lines, other coverages and matched payment ids, by claim id; billed
    lines already loaded in this transaction (load_billed_views) are not loaded again."""
    out: dict[int, ClaimParts] = {}
    known = billed or {}
    new, key_of = tuple.__new__, _payer_keys()  # NamedTuples made as plain tuples
    for chunk in chunked(sorted(set(ids)), CHUNK):
        stmt = select(*_CLAIM_COLUMNS).select_from(_CLAIM_JOIN).where(id_in(SC.c.id, chunk, conn))
        rows = conn.execute(stmt).all()
        lines = load_billed_views(conn, [i for i in chunk if i not in known])
        lines.update((i, known[i]) for i in chunk if i in known)
        coverages = _coverages(conn, rows)
        payments = _matched_payment_ids(conn, chunk)
        for r in rows:
            claim_id = r[0]
            basis = new(ClaimBasis, (
                claim_id, key_of(r.payer_identifier, r.payer_name), r.payer_responsibility,
                r.frequency, r.total_charge, gs_date(r.group_date),
                tuple(lines.get(claim_id, ())), tuple(coverages.get(claim_id, ()))))  # fmt: skip
            out[claim_id] = new(ClaimParts, (r, basis, tuple(payments.get(claim_id, ()))))
    return out


def _payer_keys() -> Callable[[str | None, str | None], str]:
    """payer_key_of remembered per (id, name) for one load: a few payers, many claims."""
    memory: dict[tuple[str | None, str | None], str] = {}

    def key_of(identifier: str | None, name: str | None) -> str:
        found = memory.get((identifier, name))
        if found is None:
            found = memory[(identifier, name)] = payer_key_of(identifier, name)
        return found

    return key_of


def _coverages(conn: Connection, claims: Sequence[Any]) -> dict[int, list[OtherCoverageView]]:
    """2320/2330 payers on the claim, then the patient's other coverages on file."""
    out: dict[int, list[OtherCoverageView]] = defaultdict(list)
    cols = (OP.c.submitted_claim_id, OP.c.payer_identifier, OP.c.payer_responsibility,
            OP.c.paid_amount, OP.c.adjudication_date, PAYER.c.identifier, PAYER.c.name)  # fmt: skip
    join = OP.outerjoin(PAYER, PAYER.c.id == OP.c.payer_id)
    stmt = (
        select(*cols)
        .select_from(join)
        .where(id_in(OP.c.submitted_claim_id, [c.id for c in claims], conn))
    )
    order = (OP.c.submitted_claim_id, OP.c.sequence)
    key_of: dict[tuple[str | None, str | None], str] = {}
    for claim_id, payer_id, sbr01, paid, adjudicated, identifier, name in conn.execute(
        stmt.order_by(*order)
    ):
        key = key_of.get((identifier or payer_id, name))
        if key is None:
            key = key_of[(identifier or payer_id, name)] = payer_key_of(
                identifier or payer_id, name
            )
        out[claim_id].append(make_other_coverage_view(key, name or "", sbr01, paid, adjudicated))
    by_patient: dict[int, list[Any]] = defaultdict(list)
    for c in claims:
        if c.patient_id is not None:
            by_patient[c.patient_id].append(c)
    cov_cols = (COV.c.patient_id, COV.c.payer_responsibility, PAYER.c.identifier, PAYER.c.name)
    cov_join = COV.join(PAYER, PAYER.c.id == COV.c.payer_id)
    known: dict[int, set[str]] = {}
    for patients in chunked(sorted(by_patient)):
        on_file = (
            select(*cov_cols).select_from(cov_join).where(id_in(COV.c.patient_id, patients, conn))
        )
        for patient_id, sbr01, identifier, name in conn.execute(on_file.order_by(COV.c.id)):
            if sbr01:
                key = key_of.get((identifier, name))
                if key is None:
                    key = key_of[(identifier, name)] = payer_key_of(identifier, name)
                _add_known(out, known, by_patient[patient_id], key, name or "", sbr01)
    return out


def _add_known(
    out: dict[int, list[OtherCoverageView]],
    known: dict[int, set[str]],
    claims: list[Any],
    key: str,
    name: str,
    responsibility: str,
) -> None:
    """A coverage on file for the patient, for claims that do not list that payer."""
    for c in claims:
        claim_id = c[0]
        seen = known.get(claim_id)
        if seen is None:
            seen = {payer_key_of(c.payer_identifier, c.payer_name)}
            listed = out.get(claim_id)
            if listed:
                seen.update(o.payer_key for o in listed)
            known[claim_id] = seen
        if key not in seen:
            seen.add(key)
            out[claim_id].append(make_other_coverage_view(key, name, responsibility, None,
                                                          None, False))  # fmt: skip


def _matched_payment_ids(conn: Connection, chunk: list[int]) -> dict[int, list[int]]:
    """Matched payments per claim (status tested here: an index on it would scan them all)."""
    out: dict[int, list[int]] = defaultdict(list)
    matched = MatchStatus.MATCHED.value
    stmt = select(CM.c.submitted_claim_id, CM.c.claim_payment_id, CM.c.status).where(
        id_in(CM.c.submitted_claim_id, chunk, conn)
    )
    for claim_id, payment_id, status in conn.execute(stmt.order_by(CM.c.claim_payment_id)):
        if status == matched:
            out[claim_id].append(payment_id)
    return out


def chronological(payments: Iterable[PaymentView]) -> list[PaymentView]:
    """Payment date, then import order."""
    found = list(payments)
    if len(found) > 1:
        found.sort(key=_chronology)
    return found


def _chronology(p: PaymentView) -> tuple[dt.date, int]:
    return (p.payment_date or dt.date.min, p.claim_payment_id)


def stored_postings(conn: Connection, ids: Iterable[int]) -> dict[int, list[Posting]]:
    """Ledger rows of these claims as Postings."""
    out: dict[int, list[Posting]] = defaultdict(list)
    cols = (LE.c.submitted_claim_id, LE.c.entry_key, LE.c.kind, LE.c.party, LE.c.amount,
            LE.c.source, LE.c.claim_line_id, LE.c.claim_payment_id,
            LE.c.provider_adjustment_id, LE.c.detail, LE.c.posted_on)  # fmt: skip
    kinds, make = _KINDS, Posting._make
    for chunk in chunked(sorted(set(ids)), CHUNK):
        stmt = select(*cols).where(id_in(LE.c.submitted_claim_id, chunk, conn))
        for (
            claim_id,
            key,
            kind,
            party,
            amount,
            source,
            line,
            payment,
            plb,
            detail,
            posted,
        ) in conn.execute(stmt):
            out[claim_id].append(make((key, kinds[kind], party, amount, source, line, payment,
                                       plb, detail, posted)))  # fmt: skip
    return out


_DIAGNOSIS_RANK = {q: i // 2 for i, q in enumerate(DIAGNOSIS_QUALIFIERS)}


def build_claim_view(
    parts: ClaimParts, payments: Sequence[PaymentView], assessment: Assessment
) -> ClaimView:
    """The frozen ClaimView of one claim."""
    (claim_id, pcn, kind, charge, facility, frequency, responsibility, filing, _patient, member,
     codes, start, end, original, _file, _payer_id, payer_name, _billed) = parts.row  # fmt: skip
    b = parts.basis
    diagnoses, drg = _diagnoses(codes) if codes else ((), "")
    days = None
    if kind == "837I" and facility in INPATIENT_BILL_TYPES and start and end:
        days = (end - start).days
    return make_claim_view(
        claim_id, pcn, kind, b.payer_key, payer_name or "", responsibility, filing, frequency,
        original, charge, b.billed_on, start, end, diagnoses, b.lines,
        b.other_coverages, tuple(payments), assessment.ledger, assessment.state, member, drg,
        days, facility or "")  # fmt: skip


def _diagnoses(codes: Sequence[Any]) -> tuple[tuple[str, ...], str]:
    """HI codes principal first (stable by qualifier rank), and the first DRG; one pass."""
    rank = _DIAGNOSIS_RANK
    picked: list[tuple[int, str]] = []
    drg, seen_drg = "", False
    for d in codes:
        if not d:
            continue
        found = rank.get(d[0])
        if found is not None:
            picked.append((found, d[1]))
        elif not seen_drg and d[0] == "DR":
            drg, seen_drg = d[1], True
    if len(picked) > 1:
        picked.sort(key=_first)  # stable, as sorted() by rank was
    return tuple(code for _, code in picked), drg


def _first(pair: tuple[int, str]) -> int:
    return pair[0]


def load_claim_views(session: Session, submitted_claim_ids: Sequence[int]) -> list[ClaimView]:
    """ClaimViews with payments, ledger and state, in the order of the ids given.

    Views that run_matching_and_ledger derived in this same transaction are served from
    memory (once: each is handed out and forgotten); the rest are loaded in bulk."""
    conn = session.connection()
    found = _take_cached(session, submitted_claim_ids)
    missing = [i for i in dict.fromkeys(submitted_claim_ids) if i not in found]
    for chunk in chunked(missing, CHUNK):
        parts = load_claim_parts(conn, chunk)
        views = payment_views_by_id(conn, (p for c in parts.values() for p in c.payment_ids))
        postings = stored_postings(conn, chunk)
        for claim_id, part in parts.items():
            payments = chronological(views[p] for p in part.payment_ids if p in views)
            assessment = assess(part.basis, postings.get(claim_id, []), payments)
            found[claim_id] = build_claim_view(part, payments, assessment)
    return [found[i] for i in submitted_claim_ids if i in found]


def _take_cached(session: Session, ids: Sequence[int]) -> dict[int, ClaimView]:
    """Views remembered in this transaction for these ids, removed from the memory."""
    cached = session.info.get(_CACHE)
    if not cached or cached[0] is not session.get_transaction():
        session.info.pop(_CACHE, None)
        return {}
    memory: dict[int, ClaimView] = cached[1]
    return {i: memory.pop(i) for i in ids if i in memory}


def forget_views(session: Session) -> None:
    """Drop remembered views (their claims changed since)."""
    session.info.pop(_CACHE, None)


def _remember(session: Session, views: dict[int, ClaimView | None]) -> None:
    memory = {i: v for i, v in views.items() if v is not None}
    session.info[_CACHE] = (session.get_transaction(), memory)


# --------------------------------------------------------------------------- runs


@contextmanager
def collector_paused() -> Iterator[None]:
    """Bulk loads make hundreds of thousands of small objects that hold no cycles; the cyclic
    collector would rescan them over and over (a third of the run), so it waits until after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def run_matching_and_ledger(session: Session, imported: ImportedIds) -> list[int]:
    """After a file: match its payments (and payments its claims resolve), post ledgers;
    returns the submitted claim ids whose matches or ledgers may have changed. Their views
    are remembered for this transaction, so load_claim_views right after costs no query."""
    from claimsdesk.services import ledger, matching

    forget_views(session)
    with collector_paused():
        outcome = matching.match_payments(
            session, imported.claim_payments, imported.submitted_claims
        )
        touched = set(outcome.touched)
        touched |= ledger.claims_named_by_plbs(session, imported.remittances)
        views = ledger.refresh(
            session, touched, keep_views=True, billed=outcome.billed, payments=outcome.rows
        )
    _remember(session, views)
    return sorted(views)


def run_matching(session: Session, imported: ImportedIds) -> set[int]:
    """Matching alone for a part of a big file: the submitted claims it touched."""
    from claimsdesk.services import matching

    with collector_paused():
        outcome = matching.match_payments(
            session, imported.claim_payments, imported.submitted_claims
        )
    return set(outcome.touched)


def run_ledger(session: Session, claim_ids: Iterable[int]) -> list[int]:
    """Ledgers of these claims (and their families), views remembered as by
    run_matching_and_ledger; returns the claims refreshed."""
    from claimsdesk.services import ledger

    forget_views(session)
    with collector_paused():
        views = ledger.refresh(session, claim_ids, keep_views=True)
    _remember(session, views)
    return sorted(views)


def rebuild_all(session: Session, chunk: int = 5_000) -> list[int]:
    """Re-match every claim payment and re-derive every ledger; idempotent."""
    from claimsdesk.services import ledger, matching

    forget_views(session)
    conn = session.connection()
    payment_ids = list(conn.execute(select(CP.c.id).order_by(CP.c.id)).scalars())
    for batch in chunked(payment_ids, chunk):
        with collector_paused():
            matching.match_payments(session, batch)
    claim_ids = list(conn.execute(select(SC.c.id).order_by(SC.c.id)).scalars())
    done: set[int] = set()
    for batch in chunked(claim_ids, chunk):
        with collector_paused():
            done |= set(ledger.refresh(session, [c for c in batch if c not in done]))
    return sorted(done)
