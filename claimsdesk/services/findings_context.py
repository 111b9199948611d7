"""Facts the pure rules cannot see in one claim view, looked up for a whole batch at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from claimsdesk.domain.findings import FindingDraft
from claimsdesk.domain.findings.adjudication import payer_id
from claimsdesk.services.findings_store import chunks, id_blocks
from claimsdesk.services.import_types import ImportedIds
from claimsdesk.storage.models.analysis import ClaimLedger, ClaimMatch
from claimsdesk.storage.models.ingest import (
    ClaimPayment,
    Payer,
    Remittance,
    SubmittedClaim,
    TransactionSetRow,
)


def drop_billed_secondaries(session: Session, drafts: list[FindingDraft]) -> list[FindingDraft]:
    """'Bill the secondary' is moot when a secondary claim to that payer is on file.

    A claim view shows one submitted claim; the secondary 837 is another row with the same
    patient control number, so this one fact is looked up here, for the few drafts concerned.
    """
    asking = [d for d in drafts if d.rule == "cob.bill_secondary"]
    if not asking:
        return drafts
    pcns = sorted({d.patient_control_number for d in asking})
    billed: set[tuple[str, str]] = set()
    for part in chunks(pcns):
        query = (
            select(SubmittedClaim.patient_control_number, Payer.payer_key)
            .join(Payer, Payer.id == SubmittedClaim.payer_id)
            .where(
                SubmittedClaim.patient_control_number.in_(part),
                SubmittedClaim.payer_responsibility.in_(("S", "T")),
            )
        )
        billed.update((pcn, payer_id(key)) for pcn, key in session.execute(query))
    return [
        d
        for d in drafts
        if not (
            d.rule == "cob.bill_secondary"
            and (d.patient_control_number, payer_id(d.payer_key)) in billed
        )
    ]


def with_siblings(session: Session, claim_ids: Sequence[int]) -> set[int]:
    """New claims and the earlier submissions sharing their PCN (a secondary or corrected
    claim changes what the first submission still needs)."""
    found = set(claim_ids)  # a BETWEEN of id_blocks spans only ids of this set
    new, other = aliased(SubmittedClaim), aliased(SubmittedClaim)
    pair = new.patient_control_number == other.patient_control_number
    for clause in id_blocks(new.id, found):
        query = select(new.id, other.id).join(other, and_(pair, other.id != new.id))
        found.update(sibling for _, sibling in session.execute(query.where(clause)))
    return found


def catch_up(session: Session, chunk: int = 5_000) -> int:
    """Match and post what an `import --no-analysis` left: payments without a match row,
    claims without a ledger; returns how many rows were caught up."""
    from claimsdesk.services import claim_views

    payments = list(
        session.scalars(
            select(ClaimPayment.id)
            .outerjoin(ClaimMatch, ClaimMatch.claim_payment_id == ClaimPayment.id)
            .where(ClaimMatch.id.is_(None))
            .order_by(ClaimPayment.id)
        )
    )
    claims = list(
        session.scalars(
            select(SubmittedClaim.id)
            .outerjoin(ClaimLedger, ClaimLedger.submitted_claim_id == SubmittedClaim.id)
            .where(ClaimLedger.submitted_claim_id.is_(None))
            .order_by(SubmittedClaim.id)
        )
    )
    for start in range(0, max(len(payments), len(claims)), chunk):
        part = payments[start : start + chunk]
        remits = (
            session.scalars(
                select(ClaimPayment.remittance_id).distinct().where(ClaimPayment.id.in_(part))
            ).all()
            if part
            else []
        )
        claim_views.run_matching_and_ledger(
            session, ImportedIds(part, claims[start : start + chunk], list(remits))
        )
    return len(payments) + len(claims)


def file_date(session: Session, imported: ImportedIds) -> dt.date | None:
    """The date a file speaks for: latest BPR16 of its payments, else GS04 of its 837s."""
    if imported.remittances:
        query = select(func.max(Remittance.payment_date)).where(
            Remittance.id.in_(imported.remittances[:1000])
        )
        found = session.scalar(query)
        if found is not None:
            return found
    if imported.submitted_claims:
        claim = select(SubmittedClaim.transaction_set_id).where(
            SubmittedClaim.id == imported.submitted_claims[-1]
        )
        text = session.scalar(
            select(TransactionSetRow.group_date).where(
                TransactionSetRow.id == claim.scalar_subquery()
            )
        )
        return _gs_date(text or "")
    return None


def _gs_date(text: str) -> dt.date | None:
    """GS04 CCYYMMDD as a date (None when unreadable)."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        return None


__all__ = ["catch_up", "drop_billed_secondaries", "file_date", "with_siblings"]
