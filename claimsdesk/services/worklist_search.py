"""Find work items by patient control number, patient name or payer claim number (CLP07).

Each path is an indexed lookup (PCN on work_items, CLP07 on claim_payments, member and
claim ids); patient names match by prefix on the patients table, "LAST, FIRST" or "FIRST LAST".
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from claimsdesk.services.findings_store import FINDINGS, chunks
from claimsdesk.services.worklist_read import rows_for
from claimsdesk.services.worklist_sync import queue_book
from claimsdesk.services.worklist_types import ACTIVE, BadInput, WorkItemRow
from claimsdesk.storage.models.analysis import ClaimMatch
from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.ingest import ClaimPayment, Patient, SubmittedClaim
from claimsdesk.storage.models.worklist import WorkItem

F, W = FINDINGS.c, table_of(WorkItem)
CP, CM = table_of(ClaimPayment), table_of(ClaimMatch)
PT, SC = table_of(Patient), table_of(SubmittedClaim)
MAX_IDS = 1_000  # claims or payments a name may expand to before the search is narrowed


def search(
    session: Session, text: str, *, limit: int = 50, today: dt.date | None = None
) -> list[WorkItemRow]:
    """Items whose claim matches the text: active first, then by priority."""
    words = " ".join(text.split())
    if len(words) < 2:
        raise BadInput(
            "Type at least two characters: a claim number, a patient name or a payer claim number."
        )
    claims, payments = _by_payer_claim_number(session, words)
    name_claims, name_payments = _by_patient_name(session, words)
    claims |= name_claims
    payments |= name_payments
    ids = set(_items_by_pcn(session, words, limit))
    for part in chunks(sorted(claims)):
        ids.update(session.scalars(select(W.c.id).where(W.c.submitted_claim_id.in_(part))))
    for part in chunks(sorted(payments)):
        query = select(W.c.id).join(FINDINGS, F.id == W.c.finding_id)
        ids.update(session.scalars(query.where(F.claim_payment_id.in_(part))))
    rows = rows_for(session, ids, today or dt.date.today(), queue_book())
    active = {s.value for s in ACTIVE}
    rows.sort(key=lambda r: (r.status not in active, -r.score, -r.id))
    return rows[:limit]


def _items_by_pcn(session: Session, words: str, limit: int) -> list[int]:
    """Exact patient control number, else those starting with it (3+ characters)."""
    pcn = W.c.patient_control_number
    exact = list(session.scalars(select(W.c.id).where(pcn == words).limit(limit)))
    if exact or len(words) < 3:
        return exact
    prefix = pcn.startswith(words, autoescape=True)
    return list(session.scalars(select(W.c.id).where(prefix).order_by(pcn).limit(limit)))


def _by_payer_claim_number(session: Session, words: str) -> tuple[set[int], set[int]]:
    """Claims and payments a payer claim number (CLP07) names."""
    payments = set(
        session.scalars(select(CP.c.id).where(CP.c.payer_claim_number == words).limit(MAX_IDS))
    )
    return _claims_of(session, payments), payments


def _claims_of(session: Session, payments: set[int]) -> set[int]:
    """Submitted claims these payments matched."""
    out: set[int] = set()
    for part in chunks(sorted(payments)):
        query = select(CM.c.submitted_claim_id).where(
            CM.c.claim_payment_id.in_(part), CM.c.submitted_claim_id.is_not(None)
        )
        out.update(i for i in session.scalars(query) if i is not None)
    return out


def _by_patient_name(session: Session, words: str) -> tuple[set[int], set[int]]:
    """Claims and payments of patients whose name starts like the text."""
    if any(ch.isdigit() for ch in words):
        return set(), set()
    match = _name_terms(words)
    patients = list(session.scalars(select(PT.c.id).where(match).limit(MAX_IDS)))
    claims: set[int] = set()
    payments: set[int] = set()
    for part in chunks(patients):
        claims.update(session.scalars(select(SC.c.id).where(SC.c.patient_id.in_(part))))
        payments.update(session.scalars(select(CP.c.id).where(CP.c.patient_id.in_(part))))
    return claims, payments


def _name_terms(words: str) -> ColumnElement[bool]:
    """'DOE, JANE' -> last DOE* and first JANE*; 'JANE DOE' either way round; 'DOE' -> last."""
    last, first = func.lower(PT.c.last_name), func.lower(PT.c.first_name)

    def both(a: str, b: str) -> ColumnElement[bool]:
        return and_(last.startswith(a, autoescape=True), first.startswith(b, autoescape=True))

    text = words.lower()
    if "," in text:
        surname, _, given = (p.strip() for p in text.partition(","))
        return both(surname, given)
    parts = text.split(" ")
    if len(parts) == 1:
        return last.startswith(text, autoescape=True)
    head, tail = parts[0], " ".join(parts[1:])
    return or_(both(tail, head), both(head, tail))


__all__ = ["search"]
