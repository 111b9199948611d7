"""Corrected claims and claims to the next payer: the 837s the denial desk sends.

    correct_claim(session, finding_id=.. | item_id=.. | submitted_claim_id=.. | pcn=..,
                  corrections=Corrections(...), user=account) -> OutboundResult
    bill_secondary(session, finding_id=.. | item_id=.. | submitted_claim_id=.. | pcn=..,
                   user=account) -> OutboundResult
    export(session, [ids], out_dir, user=account, again=False) -> ExportResult
    get_outbound(session, id) -> OutboundResult;  list_outbound(session, ...) -> [OutboundResult]

A corrected claim is the stored claim (re-read as sent) with the specialist's corrections,
CLM05-3 7 and REF*F8 = the payer's claim number (CLP07 of the adjudication being corrected);
CLM02 is recomputed. A claim to the next payer is described in outbound_secondary. Both go
through the gate (outbound_x12): stored 'validated' only when pyx12 accepts the 837 (999 AK9
A/E) and, for COB, the TR3 balance holds; otherwise 'rejected' with the errors in plain
words. Work items are not changed here: after a validated claim the caller resolves the
item (worklist.resolve with corrected_resubmitted / billed_next_payer).

Transactions: everything is read and built first; then one write transaction (BEGIN
IMMEDIATE on SQLite) inserts the row, validates under its control number, adds the audit
event and commits. Any error rolls back; OutboundError subclasses carry plain messages.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimsdesk.services import audit
from claimsdesk.services.audit import Actor
from claimsdesk.services.claim_views import payer_key_of
from claimsdesk.services.matching import pcn_variants
from claimsdesk.services.outbound_corrections import apply_corrections
from claimsdesk.services.outbound_secondary import NextPayer, build_secondary, find_next_payer
from claimsdesk.services.outbound_source import (
    Adjudication,
    SourceClaim,
    latest_payment,
    load_adjudication,
    load_claim,
    resolve_target,
)
from claimsdesk.services.outbound_types import (
    Corrections,
    ExportResult,
    NotFound,
    OutboundKind,
    OutboundResult,
    OutboundStatus,
    Refused,
)
from claimsdesk.services.outbound_x12 import Draft, export_rows, result_of, store
from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.ingest import Payer, SubmittedClaim
from claimsdesk.storage.models.outbound import OutboundClaim
from payer_rules import Rulebook

FORWARDED = ("19", "20", "21")  # CLP02: processed and forwarded to the next payer
REVERSAL = "22"
SC, PAYER = table_of(SubmittedClaim), table_of(Payer)


@contextmanager
def _reading(session: Session) -> Iterator[None]:
    """Reads before the write: any failure rolls back what the session holds."""
    try:
        yield
    except BaseException:
        session.rollback()
        raise


@contextmanager
def writing(session: Session) -> Iterator[None]:
    """One write transaction begun fresh, committed at the end, rolled back on any error."""
    audit.begin_write(session)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def correct_claim(
    session: Session,
    *,
    corrections: Corrections,
    user: Actor | None,
    finding_id: int | None = None,
    item_id: int | None = None,
    submitted_claim_id: int | None = None,
    pcn: str | None = None,
) -> OutboundResult:
    """Build, validate and store the replacement claim (CLM05-3 7, REF*F8 = CLP07)."""
    with _reading(session):
        target = resolve_target(session, finding_id=finding_id, item_id=item_id,
                                submitted_claim_id=submitted_claim_id, pcn=pcn)  # fmt: skip
        source = load_claim(session, target.submitted_claim_id)
        answer = _answer(session, source, target.claim_payment_id, "a replacement claim")
        if not answer.payer_claim_number:
            raise Refused(f"{answer.payer_name} sent no claim number (CLP07) for "
                          f"{source.record.patient_control_number}: a replacement claim "
                          "needs it in REF*F8.")  # fmt: skip
        fixed, changes = apply_corrections(source.record, corrections, answer.payer_claim_number)
        draft = Draft(
            OutboundKind.CORRECTED, fixed, source, target, answer.claim_payment_id,
            source.payer_key, source.payer_name, source.receiver_id,
            original_reference=answer.payer_claim_number, changes=changes,
            notes=list(source.notes),
        )  # fmt: skip
    with writing(session):
        row = store(session, draft, user)
    return result_of(row)


def bill_secondary(
    session: Session,
    *,
    user: Actor | None,
    finding_id: int | None = None,
    item_id: int | None = None,
    submitted_claim_id: int | None = None,
    pcn: str | None = None,
    rulebook: Rulebook | None = None,
) -> OutboundResult:
    """Build, validate and store the claim to the next payer with this payer's adjudication."""
    with _reading(session):
        target = resolve_target(session, finding_id=finding_id, item_id=item_id,
                                submitted_claim_id=submitted_claim_id, pcn=pcn)  # fmt: skip
        source = load_claim(session, target.submitted_claim_id)
        answer = _answer(session, source, target.claim_payment_id, "the next payer's claim")
        nxt = find_next_payer(session, source, answer)
        claim, changes = build_secondary(source, answer, nxt)
        notes = [*source.notes, *_cob_notes(session, source, answer, nxt, rulebook)]
        payer_id = source.record.payer.identifier if source.record.payer else ""
        draft = Draft(
            OutboundKind.SECONDARY, claim, source, target, answer.claim_payment_id,
            nxt.payer_key, nxt.payer_name,
            nxt.other.payer.identifier if nxt.other.payer else nxt.payer_key,
            check_balance_of=payer_id, changes=changes, notes=notes,
        )  # fmt: skip
    with writing(session):
        row = store(session, draft, user)
    return result_of(row)


def _answer(
    session: Session, source: SourceClaim, payment_id: int | None, what: str
) -> Adjudication:
    """The claim's payer's adjudication: the finding's payment, else its newest one."""
    if payment_id is not None:
        answer = load_adjudication(session, payment_id)
        if answer.payer_key == source.payer_key and answer.status != REVERSAL:
            return answer
    newest = latest_payment(session, source.claim_id, source.payer_key)
    if newest is None:
        raise Refused(
            f"{source.payer_name or 'The payer'} has not answered claim "
            f"{source.record.patient_control_number} yet: {what} needs its remittance."
        )
    return load_adjudication(session, newest)


def _cob_notes(
    session: Session,
    source: SourceClaim,
    answer: Adjudication,
    nxt: NextPayer,
    rulebook: Rulebook | None,
) -> list[str]:
    """Warnings before a claim goes to the next payer: crossover, answers, earlier claims."""
    notes = []
    if answer.status in FORWARDED or answer.crossover_carrier:
        from claimsdesk.services.analysis import default_rulebook

        rules = (rulebook or default_rulebook()).for_payer(answer.payer_key, answer.payer_name)
        carrier = answer.crossover_carrier or "the next payer"
        due = rules.crossover_due(answer.payment_date) if answer.payment_date else None
        notes.append(
            f"{answer.payer_name} forwarded this claim to {carrier} (crossover, CLP02 "
            f"{answer.status}): send it only if that payer has not answered"
            + (f" by {due.isoformat()}." if due else ".")
        )
    answered = latest_payment(session, source.claim_id, nxt.payer_key)
    if answered is not None:
        theirs = load_adjudication(session, answered)
        notes.append(
            f"{nxt.payer_name} already answered this claim: paid {theirs.paid:.2f} on "
            f"{theirs.payment_date or 'an unknown date'} (claim number "
            f"{theirs.payer_claim_number or 'none'}); sending again may be denied as a duplicate."
        )
    notes += _earlier_claims(session, source, nxt)
    return notes


def _earlier_claims(session: Session, source: SourceClaim, nxt: NextPayer) -> list[str]:
    """Claims with this PCN already sent to the next payer (imported or built here)."""
    pcn = source.record.patient_control_number
    stmt = (
        select(SC.c.id, PAYER.c.identifier, PAYER.c.name)
        .select_from(SC.outerjoin(PAYER, PAYER.c.id == SC.c.payer_id))
        .where(SC.c.patient_control_number.in_(sorted(pcn_variants([pcn]))))
    )
    notes = [
        f"A claim for {pcn} to {nxt.payer_name} was already sent (submission #{r.id})."
        for r in session.execute(stmt)
        if payer_key_of(r.identifier, r.name) == nxt.payer_key
    ]
    built = session.scalars(
        select(OutboundClaim).where(
            OutboundClaim.submitted_claim_id == source.claim_id,
            OutboundClaim.kind == OutboundKind.SECONDARY.value,
            OutboundClaim.payer_key == nxt.payer_key,
            OutboundClaim.status.in_(
                (OutboundStatus.VALIDATED.value, OutboundStatus.EXPORTED.value)
            ),
        )
    )
    notes += [f"Outbound claim #{o.id} to {nxt.payer_name} is already {o.status}." for o in built]
    return notes


def export(
    session: Session,
    ids: Sequence[int],
    out_dir: str | Path,
    *,
    user: Actor | None,
    again: bool = False,
) -> ExportResult:
    """Write validated outbound claims to out_dir (one 837 each); refuse the rest with why."""
    with writing(session):
        result = export_rows(session, ids, Path(out_dir), user, again=again)
    return result


def get_outbound(session: Session, outbound_id: int) -> OutboundResult:
    """One outbound claim with its 837 text and errors."""
    row = session.get(OutboundClaim, outbound_id)
    if row is None:
        raise NotFound(f"No outbound claim {outbound_id}.")
    return result_of(row)


def list_outbound(
    session: Session,
    *,
    status: OutboundStatus | str | None = None,
    kind: OutboundKind | str | None = None,
    pcn: str | None = None,
    submitted_claim_id: int | None = None,
    limit: int = 200,
) -> list[OutboundResult]:
    """Outbound claims, newest first, narrowed by status, kind, PCN or claim."""
    stmt = select(OutboundClaim).order_by(OutboundClaim.id.desc()).limit(max(1, limit))
    if status is not None:
        stmt = stmt.where(OutboundClaim.status == OutboundStatus(status).value)
    if kind is not None:
        stmt = stmt.where(OutboundClaim.kind == OutboundKind(kind).value)
    if pcn:
        stmt = stmt.where(OutboundClaim.patient_control_number.in_(sorted(pcn_variants([pcn]))))
    if submitted_claim_id is not None:
        stmt = stmt.where(OutboundClaim.submitted_claim_id == submitted_claim_id)
    return [result_of(r) for r in session.scalars(stmt)]


__all__ = [
    "bill_secondary",
    "correct_claim",
    "export",
    "get_outbound",
    "list_outbound",
    "writing",
]
