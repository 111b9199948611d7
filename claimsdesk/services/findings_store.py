"""Writing findings: upsert drafts by fingerprint, close the ones no longer produced.

Set-based: the existing findings of a batch are read with a few IN queries, compared in
memory, and written back with three executemany statements (insert, update, close).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Row, bindparam, or_, select, update
from sqlalchemy.orm import Session

from claimsdesk.domain.findings import FindingDraft, FindingStatus
from claimsdesk.services.analysis_sql import insert_dicts, one_of
from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.findings import Finding

FINDINGS = table_of(Finding)
V = TypeVar("V")
CENT = Decimal("0.01")
CHUNK = 1_000
NEW_CHUNK = 5_000  # fingerprints per lookup of new rows' ids (one array or JSON parameter)
RUN = 32  # consecutive ids worth a BETWEEN
RANGES = 50  # BETWEENs per query
"""Ids per IN list: well inside SQLite's and PostgreSQL's bind limits."""

CONTENT = (
    "rule",
    "kind",
    "category",
    "subject",
    "submitted_claim_id",
    "claim_line_id",
    "claim_payment_id",
    "patient_control_number",
    "payer_key",
    "payer_name",
    "amount",
    "codes",
    "evidence",
    "description",
    "action",
    "deadline",
)
"""Columns a re-run may change; a change counts as an update."""

READ = (FINDINGS.c.id, FINDINGS.c.fingerprint, FINDINGS.c.status, *(FINDINGS.c[n] for n in CONTENT))


@dataclass
class Counts:
    """What one analysis run did to the findings table."""

    created: int = 0
    updated: int = 0
    closed: int = 0
    reopened: int = 0
    unchanged: int = 0

    def add(self, other: Counts) -> None:
        """Sum another run's counts into this one (analyze_all works in chunks)."""
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def to_dict(self) -> dict[str, int]:
        """JSON-ready."""
        return asdict(self)


def chunks(ids: Sequence[V], size: int = CHUNK) -> Iterable[Sequence[V]]:
    """Slices of a list for IN queries."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def id_blocks(column: Any, ids: Iterable[int]) -> list[Any]:
    """WHERE clauses covering these ids: a BETWEEN per long run of consecutive ids (the rows
    of one import are numbered in blocks), IN lists of at most CHUNK for the rest."""
    ordered = sorted(set(ids))
    runs: list[list[int]] = []
    for value in ordered:
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    ranges = [(lo, hi) for lo, hi in runs if hi - lo >= RUN]
    singles = [v for lo, hi in runs if hi - lo < RUN for v in range(lo, hi + 1)]
    clauses = [
        or_(*(column.between(lo, hi) for lo, hi in ranges[i : i + RANGES]))
        for i in range(0, len(ranges), RANGES)
    ]
    clauses.extend(column.in_(part) for part in chunks(singles))
    return clauses


def existing(
    session: Session, claim_ids: Sequence[int], payment_ids: Sequence[int]
) -> list[Row[Any]]:
    """Findings (open or closed) about these claims or these payments."""
    found: dict[int, Row[Any]] = {}
    for column, ids in (
        (FINDINGS.c.submitted_claim_id, claim_ids),
        (FINDINGS.c.claim_payment_id, payment_ids),
    ):
        for clause in id_blocks(column, ids):
            for row in session.execute(select(*READ).where(clause)):
                found[row.id] = row
    return list(found.values())


def row_of(draft: FindingDraft) -> dict[str, Any]:
    """The content columns of a draft, JSON-ready."""
    return {
        "rule": draft.rule,
        "kind": draft.kind.value,
        "category": draft.category,
        "subject": draft.subject,
        "submitted_claim_id": draft.submitted_claim_id,
        "claim_line_id": draft.claim_line_id,
        "claim_payment_id": draft.claim_payment_id,
        "patient_control_number": draft.patient_control_number,
        "payer_key": draft.payer_key,
        "payer_name": draft.payer_name,
        "amount": draft.amount.quantize(CENT),
        "codes": list(draft.codes),
        "evidence": dict(draft.evidence),
        "description": draft.description,
        "action": draft.action,
        "deadline": draft.deadline,
    }


def sync(
    session: Session,
    drafts: Iterable[FindingDraft],
    current_rows: Iterable[Row[Any]],
    in_scope: Callable[[Row[Any]], bool],
    close_reason: Callable[[Row[Any]], str],
    now: dt.datetime,
    found: set[int] | None = None,
) -> Counts:
    """Insert new findings, update changed ones, reopen returning ones, close vanished ones;
    `found` (when given) gets the id of every finding of these subjects, new ones included."""
    wanted: dict[str, dict[str, Any]] = {}
    for draft in drafts:
        wanted.setdefault(draft.fingerprint, row_of(draft))
    by_fp = {row.fingerprint: row for row in current_rows}
    if found is not None:
        found.update(row.id for row in by_fp.values())
    counts = Counts()
    inserts, updates = _upserts(wanted, by_fp, now, counts)
    closes = [
        {"b_id": row.id, "status": CLOSED, "closed_reason": close_reason(row),
         "closed_at": now, "updated_at": now}
        for fp, row in by_fp.items()
        if fp not in wanted and row.status == OPEN and in_scope(row)
    ]  # fmt: skip
    _write(session, inserts, updates, closes, found)
    counts.created, counts.closed = len(inserts), len(closes)
    return counts


OPEN, CLOSED = FindingStatus.OPEN.value, FindingStatus.CLOSED.value


def _upserts(
    wanted: dict[str, dict[str, Any]],
    by_fp: dict[str, Row[Any]],
    now: dt.datetime,
    counts: Counts,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows to insert (new fingerprints) and to update (changed or closed ones)."""
    inserts, updates = [], []
    for fp, values in wanted.items():
        row = by_fp.get(fp)
        if row is None:
            inserts.append({**values, "fingerprint": fp, "status": OPEN, "closed_reason": None,
                            "closed_at": None, "created_at": now, "updated_at": now})  # fmt: skip
            continue
        reopen = row.status != OPEN
        if reopen or any(getattr(row, k) != v for k, v in values.items()):
            updates.append({**values, "b_id": row.id, "status": OPEN, "closed_reason": None,
                            "closed_at": None, "updated_at": now})  # fmt: skip
            counts.reopened += reopen
            counts.updated += not reopen
        else:
            counts.unchanged += 1
    return inserts, updates


def _write(
    session: Session,
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
    closes: list[dict[str, Any]],
    found: set[int] | None = None,
) -> None:
    """Three executemany statements at most; `found` gets the new rows' ids."""
    conn = session.connection()
    insert_dicts(conn, FINDINGS, inserts)
    if inserts and found is not None:
        for part in chunks([row["fingerprint"] for row in inserts], NEW_CHUNK):
            stmt = select(FINDINGS.c.id).where(one_of(conn, FINDINGS.c.fingerprint, part))
            found.update(conn.execute(stmt).scalars())
    for rows in (updates, closes):
        if not rows:
            continue
        names = [k for k in rows[0] if k != "b_id"]
        statement = (
            update(FINDINGS)
            .where(FINDINGS.c.id == bindparam("b_id"))
            .values({name: bindparam(f"v_{name}") for name in names})
        )
        conn.execute(statement, [_prefixed(row) for row in rows])


def _prefixed(row: dict[str, Any]) -> dict[str, Any]:
    """Bind names of an update row (v_<column>; a bind may not share a column's name)."""
    return {k if k == "b_id" else f"v_{k}": v for k, v in row.items()}


__all__ = [
    "CHUNK",
    "CONTENT",
    "FINDINGS",
    "Counts",
    "chunks",
    "existing",
    "id_blocks",
    "row_of",
    "sync",
]
