"""Persist claims' ledgers: derive postings for touched claims, write only what changed.

A claim is refreshed with its whole family (every submission sharing its PCN), because a
replacement or our claim to the next payer takes over an earlier submission's balance (a
transfer posting). Rows are keyed by (claim, entry_key): a re-run changes nothing, a reversal
posts its own negative rows, manual rows (patient payments, write-offs) are never touched.
PLB adjustments join the claim their PLB03-2 names (payer claim number, else PCN).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from claimsdesk.domain.ledger import (
    MANUAL_KINDS,
    Assessment,
    EntryKind,
    PlbFacts,
    Posting,
    assess,
    derive_postings,
    open_balance,
    transfer_posting,
    transfer_target,
)
from claimsdesk.domain.ledger_state import ClaimBasis, live_adjudications
from claimsdesk.domain.matching import normalize_pcn
from claimsdesk.domain.views import BilledLineView, ClaimState, ClaimView, PaymentView
from claimsdesk.services.analysis_sql import (
    as_sqlite_text,
    bound,
    chunked,
    delete_rows,
    id_in,
    insert_rows,
    one_of,
    update_rows,
)
from claimsdesk.services.background_writes import Overlapped
from claimsdesk.services.claim_rows import PaymentRows
from claimsdesk.services.claim_views import (
    ClaimParts,
    build_claim_view,
    chronological,
    forget_views,
    load_claim_parts,
    payment_views_by_id,
    stored_postings,
)
from claimsdesk.services.matching import pcn_variants
from claimsdesk.storage.models.analysis import ClaimLedger, ClaimMatch, LedgerEntry
from claimsdesk.storage.models.base import table_of, utcnow
from claimsdesk.storage.models.ingest import (
    ClaimPayment,
    ProviderAdjustmentRow,
    Remittance,
    SubmittedClaim,
)

SC, CP, CM = table_of(SubmittedClaim), table_of(ClaimPayment), table_of(ClaimMatch)
PLB, REM = table_of(ProviderAdjustmentRow), table_of(Remittance)
LE, LEDGER = table_of(LedgerEntry), table_of(ClaimLedger)
SLICE = 5_000  # claims refreshed together: bounds memory; one IN chunk per slice
_ENTRY_COLUMNS = ("submitted_claim_id", *Posting._fields)  # (claim, entry_key) is the key
_KIND_VALUE = {k: k.value for k in EntryKind}


class _Loaded(NamedTuple):
    """Rows matching loaded in this transaction, for the ledger's claims and payments."""

    billed: dict[int, list[BilledLineView]] | None
    payments: PaymentRows | None


def families(conn: Connection, claim_ids: Iterable[int]) -> dict[str, list[int]]:
    """Normalised PCN -> every submitted claim id with it, for the claims given."""
    pcns: set[str] = set()
    for ids in chunked(sorted(set(claim_ids))):
        stmt = select(SC.c.patient_control_number).where(id_in(SC.c.id, ids, conn))
        pcns.update(conn.execute(stmt).scalars())
    out: dict[str, list[int]] = defaultdict(list)
    for values in chunked(sorted(pcn_variants(pcns))):
        stmt = select(SC.c.id, SC.c.patient_control_number).where(
            one_of(conn, SC.c.patient_control_number, values)
        )
        for claim_id, pcn in conn.execute(stmt).all():
            out[normalize_pcn(pcn)].append(claim_id)
    return {k: sorted(set(v)) for k, v in out.items()}


def refresh(
    session: Session,
    claim_ids: Iterable[int],
    *,
    keep_views: bool = False,
    billed: dict[int, list[BilledLineView]] | None = None,
    payments: PaymentRows | None = None,
) -> dict[int, ClaimView | None]:
    """Re-derive the ledgers of these claims and their families, a slice of families at a
    time; returns every claim refreshed, with its ClaimView when keep_views is set. `billed`
    and `payments`: what matching loaded (and decided) in this transaction, not loaded again.

    On PostgreSQL a slice's writes run on a second thread while the next slice is derived
    (the server's insert work overlaps ours); the next slice is read before they start, and
    slices never share a claim, so no read waits on a write it depends on."""
    loaded = _Loaded(billed, payments)
    conn = session.connection()
    groups = _slices(families(conn, claim_ids).values())
    done: dict[int, ClaimView | None] = {}
    with Overlapped(conn.dialect.name == "postgresql") as writes:
        ahead = _load_slice(conn, groups[0], loaded) if groups else None
        for index, group in enumerate(groups):
            current = ahead
            assert current is not None
            derived = _derive_slice(current, group)
            writes.wait()
            following = groups[index + 1] if index + 1 < len(groups) else None
            ahead = _load_slice(conn, following, loaded) if following else None
            writes.submit(partial(_write_slice, conn, current, derived))
            done.update(_views_of(current, derived, keep_views))
    return done


def _slices(family_of: Iterable[list[int]]) -> list[list[list[int]]]:
    """Families grouped into slices of about SLICE claims."""
    groups: list[list[list[int]]] = []
    group: list[list[int]] = []
    size = 0
    for members in family_of:
        group.append(members)
        size += len(members)
        if size >= SLICE:
            groups.append(group)
            group, size = [], 0
    if group:
        groups.append(group)
    return groups


class _SliceInput(NamedTuple):
    """What one slice reads: claims, their payments (chronological), PLBs, stored rows."""

    parts: dict[int, ClaimParts]
    payments: dict[int, list[PaymentView]]
    plbs: dict[int, list[PlbFacts]]
    stored: dict[int, list[Posting]]
    summaries: dict[int, tuple[Any, ...]]


class _Derived(NamedTuple):
    wanted: dict[int, list[Posting]]
    results: dict[int, Assessment]


def _load_slice(conn: Connection, family_of: list[list[int]], loaded: _Loaded) -> _SliceInput:
    """Every read of one slice of claim families."""
    ids = sorted({i for members in family_of for i in members})
    parts = load_claim_parts(conn, ids, loaded.billed)
    views = payment_views_by_id(
        conn, (p for c in parts.values() for p in c.payment_ids), loaded.payments
    )
    payments = {
        i: chronological(views[p] for p in c.payment_ids if p in views) for i, c in parts.items()
    }
    plbs = _plbs_for(conn, parts, payments)
    return _SliceInput(parts, payments, plbs, stored_postings(conn, ids), _summaries(conn, ids))


def _derive_slice(data: _SliceInput, family_of: list[list[int]]) -> _Derived:
    """Postings and assessments of one slice: no database."""
    parts, plbs, stored = data.parts, data.plbs, data.stored
    wanted: dict[int, list[Posting]] = {}
    results: dict[int, Assessment] = {}
    for members in family_of:
        bases = [parts[i].basis for i in members if i in parts]
        for basis in bases:
            cid = basis.submitted_claim_id
            paid = data.payments[cid]
            own = stored.get(cid)
            manual = [p for p in own if p.kind in MANUAL_KINDS] if own else []
            postings = derive_postings(basis, paid, plbs.get(cid, ()))
            if len(bases) > 1:
                move = _transfer(basis, bases, paid, postings + manual)
                if move:
                    postings.append(move)
            wanted[cid] = postings
            results[cid] = assess(basis, postings + manual if manual else postings, paid)
    return _Derived(wanted, results)


def _write_slice(conn: Connection, data: _SliceInput, derived: _Derived) -> None:
    """Ledger rows and summaries of one slice, only what changed."""
    _write_entries(conn, derived.wanted, data.stored)
    _write_summaries(conn, derived.results, data.summaries)


def _views_of(
    data: _SliceInput, derived: _Derived, keep_views: bool
) -> dict[int, ClaimView | None]:
    if not keep_views:
        return dict.fromkeys(derived.results)
    return {
        i: build_claim_view(data.parts[i], data.payments[i], a) for i, a in derived.results.items()
    }


def _transfer(
    basis: ClaimBasis,
    family: Sequence[ClaimBasis],
    payments: Sequence[PaymentView],
    postings: Sequence[Posting],
) -> Posting | None:
    """The transfer of this submission's open balance to the one that took it over."""
    if len(family) < 2:
        return None
    target = transfer_target(basis, family, bool(live_adjudications(basis, payments)))
    return transfer_posting(target, open_balance(postings)) if target else None


# --------------------------------------------------------------------------- PLB


def _plbs_for(
    conn: Connection, parts: dict[int, ClaimParts], payments: dict[int, list[PaymentView]]
) -> dict[int, list[PlbFacts]]:
    """PLBs whose reference names one of these claims (by CLP07, else by PCN)."""
    by_number: dict[tuple[str, str], int] = {}
    for owner, found in payments.items():
        for p in found:
            if p.payer_claim_number.strip():
                by_number.setdefault((p.payer_key, p.payer_claim_number.strip()), owner)
    by_pcn: dict[str, list[ClaimParts]] = defaultdict(list)
    for part in parts.values():
        by_pcn[normalize_pcn(part.row.patient_control_number)].append(part)
    refs = {n for _, n in by_number} | pcn_variants(
        p.row.patient_control_number for p in parts.values()
    )
    out: dict[int, list[PlbFacts]] = defaultdict(list)
    for row in _plb_rows(conn, PLB.c.reference, refs):
        named = by_pcn.get(normalize_pcn(row.reference), [])
        claim_id: int | None = by_number.get((row.payer_key, row.reference.strip()))
        if claim_id is None:
            claim_id = _by_pcn(named, row.payer_key, payments)
        if claim_id is not None:
            out[claim_id].append(
                PlbFacts(
                    row.id, row.payer_key, row.reason, row.reference, row.amount, row.payment_date
                )
            )
    return out


def _plb_rows(conn: Connection, column: Any, values: Iterable[Any]) -> list[Any]:
    cols = (
        PLB.c.id,
        PLB.c.reason,
        PLB.c.reference,
        PLB.c.amount,
        REM.c.payer_key,
        REM.c.payment_date,
    )
    join = PLB.join(REM, REM.c.id == PLB.c.remittance_id)
    rows: list[Any] = []
    for chunk in chunked(sorted(set(values))):
        rows.extend(
            conn.execute(select(*cols).select_from(join).where(one_of(conn, column, chunk)))
        )
    return sorted(rows, key=lambda r: r.id)


def _by_pcn(
    candidates: list[ClaimParts], payer_key: str, payments: dict[int, list[PaymentView]]
) -> int | None:
    """Of a PCN's submissions: the one this payer paid, else billed to it, else the first."""
    if not candidates:
        return None
    paid = [
        c
        for c in candidates
        if any(p.payer_key == payer_key for p in payments.get(c.basis.submitted_claim_id, []))
    ]
    billed = [c for c in candidates if c.basis.payer_key == payer_key]
    pick = (paid or billed or candidates)[0]
    return pick.basis.submitted_claim_id


def claims_named_by_plbs(session: Session, remittance_ids: Sequence[int]) -> set[int]:
    """Submitted claims a new remittance's PLBs refer to (by PCN or by matched CLP07)."""
    conn = session.connection()
    refs: set[str] = set()
    for row in _plb_rows(conn, PLB.c.remittance_id, remittance_ids):
        if row.reference.strip():
            refs.add(row.reference.strip())
    out: set[int] = set()
    for chunk in chunked(sorted(pcn_variants(refs))):
        out.update(
            conn.execute(
                select(SC.c.id).where(one_of(conn, SC.c.patient_control_number, chunk))
            ).scalars()
        )
    join = CP.join(CM, CM.c.claim_payment_id == CP.c.id)
    for chunk in chunked(sorted(refs)):
        stmt = (
            select(CM.c.submitted_claim_id)
            .select_from(join)
            .where(
                one_of(conn, CP.c.payer_claim_number, chunk), CM.c.submitted_claim_id.is_not(None)
            )
        )
        out.update(conn.execute(stmt).scalars())
    return out


# --------------------------------------------------------------------------- writing


def _write_entries(
    conn: Connection, wanted: dict[int, list[Posting]], stored: dict[int, list[Posting]]
) -> None:
    """Insert new postings, update changed ones, delete derived ones no longer implied."""
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    deletes: list[tuple[int, str]] = []
    value = _KIND_VALUE
    text = as_sqlite_text(conn)  # bind Decimal and date as the registered adapters would
    decimal, date = Decimal, dt.date
    for claim_id, postings in wanted.items():
        before = stored.get(claim_id)
        old = {p.entry_key: p for p in before if p.kind not in MANUAL_KINDS} if before else {}
        for p in postings:
            key, kind, party, amount, source, line, payment, plb, detail, posted = p
            was = old.pop(key, None) if old else None
            if was is None or was != p:
                money: Any = amount
                day: Any = posted
                if text:
                    money = str(amount) if type(amount) is decimal else amount
                    day = posted.isoformat() if type(posted) is date else posted
                row = (claim_id, key, value[kind], party, money, source, line, payment, plb,
                       detail, day)  # fmt: skip
                (inserts if was is None else updates).append(row)
        deletes.extend((claim_id, k) for k in old)
    insert_rows(conn, LE, _ENTRY_COLUMNS, inserts)
    update_rows(conn, LE, _ENTRY_COLUMNS[:2], _ENTRY_COLUMNS[2:], updates)
    delete_rows(conn, LE, _ENTRY_COLUMNS[:2], deletes)


_SUMMARY = ("state", "charges", "payer_paid", "adjustments", "patient_responsibility", "balance",
            "patient_balance", "responsible_party", "last_claim_payment_id")  # fmt: skip


_ZERO = Decimal("0.00")
_STATE_VALUE = {s: s.value for s in ClaimState}  # Enum .value is a slow property


def _summary(assessment: Assessment) -> tuple[Any, ...]:
    """The claim_ledgers values, in _SUMMARY order."""
    ledger = assessment.ledger
    return (
        _STATE_VALUE[assessment.state],
        ledger.charges,
        sum(ledger.payer_payments.values(), _ZERO),
        ledger.contractual + ledger.payer_initiated + ledger.other_adjustments,
        ledger.patient_responsibility,
        ledger.balance,
        ledger.balance_by_party.get("patient", _ZERO),
        assessment.responsible_party,
        assessment.last_payment_id,
    )


def _summaries(conn: Connection, claim_ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """Stored claim_ledgers values of these claims, in _SUMMARY order."""
    existing: dict[int, tuple[Any, ...]] = {}
    cols = [LEDGER.c.submitted_claim_id, *(LEDGER.c[k] for k in _SUMMARY)]
    for chunk in chunked(sorted(claim_ids)):
        stmt = select(*cols).where(id_in(LEDGER.c.submitted_claim_id, chunk, conn))
        for row in conn.execute(stmt):
            existing[row[0]] = tuple(row[1:])
    return existing


def _write_summaries(
    conn: Connection, results: dict[int, Assessment], existing: dict[int, tuple[Any, ...]]
) -> None:
    """Upsert one claim_ledgers row per claim, only where something changed."""
    now = bound(conn, LEDGER.c.updated_at, utcnow())
    inserts, updates = [], []
    for claim_id, assessment in results.items():
        values = _summary(assessment)
        old = existing.get(claim_id)
        if old is None:
            inserts.append((claim_id, *values, now))
        elif old != values:
            updates.append((claim_id, *values, now))
    columns = ("submitted_claim_id", *_SUMMARY, "updated_at")
    insert_rows(conn, LEDGER, columns, inserts)
    update_rows(conn, LEDGER, columns[:1], columns[1:], updates)


def post_manual(
    session: Session,
    submitted_claim_id: int,
    kind: EntryKind,
    amount: Decimal,
    *,
    entry_key: str,
    party: str = "patient",
    detail: str = "",
    posted_on: Any = None,
) -> None:
    """Record a patient payment or write-off (keyed: posting the same key twice is refused
    by the unique key), then re-derive the claim's ledger."""
    if kind not in MANUAL_KINDS:
        raise ValueError(f"{kind} is derived from remittances; only {sorted(MANUAL_KINDS)} post")
    conn = session.connection()
    conn.execute(
        insert(LE),
        [
            {
                "submitted_claim_id": submitted_claim_id,
                "entry_key": f"manual:{entry_key}",
                "kind": kind.value,
                "party": party,
                "amount": amount,
                "source": "manual",
                "claim_line_id": None,
                "claim_payment_id": None,
                "provider_adjustment_id": None,
                "detail": detail,
                "posted_on": posted_on,
            }
        ],
    )
    refresh(session, [submitted_claim_id])
    forget_views(session)
