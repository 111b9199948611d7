"""Keep work items in step with findings: one item per finding, routed, scored, closed, reopened.

Set-based like the analysis: a chunk of findings and their items is read with two IN queries
(items locked FOR UPDATE on PostgreSQL, so a user's change is never overwritten), compared in
memory, and written with executemany (insert, update, history). Runs inside the caller's
transaction (the import's, or the CLI's), so the caller commits, as the analysis does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from claimsdesk.domain.findings import FindingKind
from claimsdesk.domain.findings.adjudication import payer_id
from claimsdesk.domain.priority import Priority, PriorityInput, score
from claimsdesk.services import analysis
from claimsdesk.services.analysis import default_rulebook
from claimsdesk.services.analysis_sql import id_in, insert_dicts
from claimsdesk.services.findings_query import known_categories
from claimsdesk.services.findings_store import FINDINGS, chunks
from claimsdesk.services.import_types import AfterFile
from claimsdesk.services.worklist_states import reopened_status
from claimsdesk.services.worklist_types import ItemStatus, SyncCounts
from claimsdesk.storage.models.base import table_of, utcnow
from claimsdesk.storage.models.worklist import WorkItem, WorkItemHistory, WriteOff
from payer_rules import DenialCategory, PayerRules, Rulebook
from payer_rules.queues import Queue, QueueBook, load_queues

F = FINDINGS.c
W, H, WO = table_of(WorkItem), table_of(WorkItemHistory), table_of(WriteOff)
CHUNK = 2_000
DENIAL_CATEGORIES = frozenset(c.value for c in DenialCategory)

FINDING_COLS = (F.id, F.kind, F.category, F.payer_key, F.payer_name, F.patient_control_number,
                F.submitted_claim_id, F.amount, F.codes, F.deadline, F.status, F.closed_reason,
                F.created_at)  # fmt: skip
COMPARED = ("queue", "team", "kind", "category", "payer_key", "payer_name",
            "patient_control_number", "submitted_claim_id", "amount", "codes", "deadline",
            "score", "past_deadline")  # fmt: skip
CONTENT = (*COMPARED, "score_parts", "scored_on")
STATE = ("status", "outcome", "outcome_note", "follow_up_on", "resolved_at", "closed_at",
         "reopened_at", "reopen_count")  # fmt: skip
ITEM_COLS = (W.c.id, W.c.finding_id, W.c.assignee_id, W.c.version,
             *(W.c[n] for n in (*STATE, *COMPARED)))  # fmt: skip


@cache
def queue_book() -> QueueBook:
    """The shipped queues, checked against the finding kinds and categories the rules make."""
    return load_queues(kinds=[k.value for k in FindingKind], categories=known_categories())


class Scorer:
    """Routes and scores findings as of one day, remembering each payer's rules."""

    def __init__(self, queues: QueueBook, rulebook: Rulebook, today: dt.date) -> None:
        self.queues, self.rulebook, self.today = queues, rulebook, today
        self._rules: dict[tuple[str, str], PayerRules] = {}

    def route(self, f: Any) -> Queue:
        """The queue a finding belongs in."""
        return self.queues.route(f.kind, f.category, payer_id(f.payer_key), f.payer_name, f.amount)

    def priority(self, queue: Queue, f: Any) -> Priority:
        """The finding's score with its parts."""
        weight, source = self.weight(queue, f)
        return score(PriorityInput(f.amount, f.deadline, weight, source, self.today))

    def weight(self, queue: Queue, f: Any) -> tuple[Any, str]:
        """Denial categories: the payer rules' recoverability; others: the queue's weight."""
        if f.category not in DENIAL_CATEGORIES:
            return queue.recoverability, f"{queue.title} queue weight"
        key = (payer_id(f.payer_key), f.payer_name)
        rules = self._rules.get(key)
        if rules is None:
            rules = self._rules[key] = self.rulebook.for_payer(*key)
        category = DenialCategory(f.category)
        words = f"{category.value.replace('_', ' ')} denials"
        where = "default rules" if rules.key == "default" else f"{rules.name} rules"
        return rules.recoverability_of(category), f"{words}, {where}"

    def content(self, f: Any) -> dict[str, Any]:
        """The item columns a finding decides; score_parts is a callable (built only when
        the item is written)."""
        queue = self.route(f)
        prio = self.priority(queue, f)
        return {
            "queue": queue.name,
            "team": queue.team,
            "kind": f.kind,
            "category": f.category,
            "payer_key": f.payer_key,
            "payer_name": f.payer_name,
            "patient_control_number": f.patient_control_number,
            "submitted_claim_id": f.submitted_claim_id,
            "amount": f.amount,
            "codes": list(f.codes or ()),
            "deadline": f.deadline,
            "score": prio.score,
            "past_deadline": prio.past_deadline,
            "score_parts": prio.parts,
            "scored_on": self.today,
        }


def sync_work_items(
    session: Session,
    finding_ids: Iterable[int] | None = None,
    *,
    today: dt.date | None = None,
    queues: QueueBook | None = None,
    rulebook: Rulebook | None = None,
) -> SyncCounts:
    """Create, update, move, close and reopen the items of these findings (None = every
    finding); scores are computed as of `today`. The caller commits."""
    scorer = Scorer(
        queues or queue_book(), rulebook or default_rulebook(), today or dt.date.today()
    )
    if finding_ids is None:
        ids: Sequence[int] = session.scalars(select(F.id).order_by(F.id)).all()
    else:
        ids = sorted(set(finding_ids))
    counts = SyncCounts()
    for part in chunks(ids, CHUNK):
        counts.add(_sync_chunk(session, scorer, part))
    return counts


def _sync_chunk(session: Session, scorer: Scorer, finding_ids: Sequence[int]) -> SyncCounts:
    """One chunk: read findings and items, plan the changes, write them."""
    conn = session.connection()
    findings = conn.execute(select(*FINDING_COLS).where(id_in(F.id, finding_ids, conn))).all()
    query = select(*ITEM_COLS).where(id_in(W.c.finding_id, finding_ids, conn))
    query = query.order_by(W.c.finding_id)
    items = {r.finding_id: r for r in conn.execute(query.with_for_update()).all()}
    plan = _Plan(utcnow())
    for f in findings:
        plan.add(scorer, f, items.get(f.id))
    plan.write(session)
    return plan.counts


class _Plan:
    """The inserts, updates and history rows of one chunk."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.counts = SyncCounts()
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.closes: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.closed: list[tuple[int, str]] = []

    def add(self, scorer: Scorer, f: Any, item: Any | None) -> None:
        """Plan what one finding means for its item."""
        if item is None:
            if f.status == "open":
                self.inserts.append(self._new(_ready(scorer.content(f)), f))
                self.counts.created += 1
            return
        status = ItemStatus(item.status)
        if f.status != "open":
            if status is not ItemStatus.CLOSED:
                self._close(item, f)
            else:
                self.counts.unchanged += 1
            return
        content = scorer.content(f)
        state = {n: getattr(item, n) for n in STATE}
        picture = _picture_change(item, content)
        if status is ItemStatus.CLOSED or (status is ItemStatus.RESOLVED and picture):
            why = picture or "the finding was found again when re-analysed"
            self._reopen(item, state, why)
        elif status is ItemStatus.RESOLVED or not _differs(item, content):
            self.counts.unchanged += 1
            return
        elif item.queue != content["queue"]:
            note = f"moved from {item.queue} to {content['queue']} by the queue rules"
            self._log(item, "moved", status, status, note + (f"; {picture}" if picture else ""))
            self.counts.moved += 1
        elif picture:
            self._log(item, "changed", status, status, picture)
            self.counts.updated += 1
        else:
            self.counts.updated += 1
        self.updates.append(
            {**_ready(content), **state, "b_id": item.id, "version": item.version + 1}
        )

    def _new(self, content: dict[str, Any], f: Any) -> dict[str, Any]:
        """A fresh, open item."""
        return {
            **content,
            "finding_id": f.id,
            "status": ItemStatus.OPEN.value,
            "outcome": None,
            "outcome_note": None,
            "assignee_id": None,
            "follow_up_on": None,
            "opened_at": f.created_at,
            "created_at": self.now,
            "updated_at": self.now,
            "assigned_at": None,
            "resolved_at": None,
            "closed_at": None,
            "reopened_at": None,
            "reopen_count": 0,
            "version": 1,
        }

    def _close(self, item: Any, f: Any) -> None:
        """The finding closed: so does its item, whatever it was doing."""
        reason = f.closed_reason or "the finding was closed"
        self.closes.append({"b_id": item.id, "v_version": item.version + 1})
        self._log(item, "closed", ItemStatus(item.status), ItemStatus.CLOSED, reason)
        self.closed.append((item.id, reason))
        self.counts.closed += 1

    def _reopen(self, item: Any, state: dict[str, Any], why: str) -> None:
        """Back to whoever had it (else the queue), outcome cleared, counted."""
        to = reopened_status(item.assignee_id)
        state.update(
            status=to.value,
            outcome=None,
            outcome_note=None,
            follow_up_on=None,
            resolved_at=None,
            closed_at=None,
            reopened_at=self.now,
            reopen_count=item.reopen_count + 1,
        )
        self._log(item, "reopened", ItemStatus(item.status), to, why)
        self.counts.reopened += 1

    def _log(
        self, item: Any, action: str, before: ItemStatus, after: ItemStatus, note: str
    ) -> None:
        self.history.append(
            {
                "item_id": item.id,
                "at": self.now,
                "user_id": None,
                "username": None,
                "action": action,
                "from_status": before.value,
                "to_status": after.value,
                "note": note,
                "details": {},
            }
        )

    def write(self, session: Session) -> None:
        """At most five executemany statements."""
        conn = session.connection()
        insert_dicts(conn, W, self.inserts)
        _write_updates(session, self.updates, self.now)
        _write_closes(session, self.closes, self.now)
        insert_dicts(conn, H, self.history)
        if self.closed:
            _cancel_write_offs(session, self.closed, self.now)


def _write_updates(session: Session, rows: list[dict[str, Any]], now: dt.datetime) -> None:
    """One UPDATE shape for every planned change (content, state, version)."""
    if not rows:
        return
    names = (*CONTENT, *STATE, "version")
    values: dict[str, Any] = {n: bindparam(f"v_{n}") for n in names}
    stmt = update(W).where(W.c.id == bindparam("b_id")).values(updated_at=now, **values)
    params = [{"b_id": r["b_id"], **{f"v_{n}": r[n] for n in names}} for r in rows]
    session.connection().execute(stmt, params)


def _write_closes(session: Session, rows: list[dict[str, Any]], now: dt.datetime) -> None:
    """Close items whose finding closed; their content stays as it was."""
    if not rows:
        return
    stmt = (
        update(W)
        .where(W.c.id == bindparam("b_id"))
        .values(
            status=ItemStatus.CLOSED.value,
            closed_at=now,
            follow_up_on=None,
            updated_at=now,
            version=bindparam("v_version"),
        )
    )
    session.connection().execute(stmt, rows)


def _cancel_write_offs(session: Session, closed: list[tuple[int, str]], now: dt.datetime) -> None:
    """A write-off awaiting approval is moot once its finding closed."""
    stmt = (
        update(WO)
        .where(WO.c.item_id == bindparam("b_item"), WO.c.status == "pending_approval")
        .values(status="cancelled", decided_at=now, decision_note=bindparam("v_note"))
    )
    session.connection().execute(
        stmt, [{"b_item": i, "v_note": f"finding closed: {why}"} for i, why in closed]
    )


def _ready(content: dict[str, Any]) -> dict[str, Any]:
    """Content with its score parts built (they are a callable until the row is written)."""
    return {**content, "score_parts": content["score_parts"]()}


def _differs(item: Any, content: dict[str, Any]) -> bool:
    """Anything the finding decides changed (score included); COMPARED ends ITEM_COLS."""
    return tuple(item[-len(COMPARED) :]) != tuple(content[n] for n in COMPARED)


def _picture_change(item: Any, content: dict[str, Any]) -> str:
    """'amount 180.00 -> 120.00; codes CO-16 -> CO-16, N290' or '' when neither changed."""
    words = []
    if item.amount != content["amount"]:
        words.append(f"amount {item.amount:.2f} -> {content['amount']:.2f}")
    old, new = list(item.codes or ()), content["codes"]
    if old != new:
        words.append(f"codes {', '.join(old) or 'none'} -> {', '.join(new) or 'none'}")
    return "a later remittance changed the finding: " + "; ".join(words) if words else ""


# --------------------------------------------------------------------------- import hook


def make_after_file(rulebook: Rulebook | None = None, today: dt.date | None = None) -> AfterFile:
    """The analysis import hook (matching, ledger, findings, then the work items of every
    finding judged), with given rules and a fixed day: for tests and the desk benchmark."""
    return analysis.make_after_file(rulebook or default_rulebook(), today)


after_file = analysis.after_file
"""The import hook with the shipped rules, judged as of the file's own date."""


__all__ = [
    "Scorer",
    "after_file",
    "make_after_file",
    "queue_book",
    "sync_work_items",
]
