"""Appeals: the letter to the payer (HTML and PDF), filed, tracked to its deadline and answer.

    file_appeal(session, finding_id=.. | item_id=.. | submitted_claim_id=.. | pcn=..,
                user=account, reason_text="...", today=None, allow_late=False) -> AppealResult
    appeals_due(session, today=None, within_days=None) -> [AppealRow]
    record_response(session, appeal_id, "responded" | "won" | "lost", user=account,
                    note="", recovered=None) -> AppealRow
    get_appeal / list_appeals / appeal_documents (html, pdf bytes)

Filing checks that the denial can be appealed (payer_rules guardrails on the finding's
codes: CO-16/MA130-style unprocessable claims, duplicates and patient shares are refused with
the reason), that no appeal of the same denial is still open, and that the deadline has not
passed (allow_late overrides). The deadline is the finding's (payer_rules.appeal_deadline of
the remittance date), or, for the next level, counted from the date the last level was lost.
The letter's HTML and PDF bytes are stored in the appeals row (no documents folder: one
transaction holds the letter and its audit event). Work items are not changed here: after
filing, the caller resolves the item (worklist.resolve with outcome 'appealed').
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from claimsdesk.services import audit
from claimsdesk.services.audit import Actor
from claimsdesk.services.matching import pcn_variants
from claimsdesk.services.outbound_letter import (
    AppealLetter,
    build_letter,
    code_texts,
    render_html,
    route_text,
)
from claimsdesk.services.outbound_pdf import render_pdf
from claimsdesk.services.outbound_source import (
    Adjudication,
    Target,
    latest_payment,
    load_adjudication,
    load_claim,
    resolve_target,
)
from claimsdesk.services.outbound_types import (
    AppealResult,
    AppealRow,
    AppealStatus,
    BadInput,
    NotFound,
    Refused,
)
from claimsdesk.services.resubmission import writing
from claimsdesk.storage.models.base import utcnow
from claimsdesk.storage.models.outbound import Appeal
from payer_rules import PayerRules, Rulebook, appeal_block_reason

MAX_REASON = 8_000
OPEN = (AppealStatus.FILED.value, AppealStatus.RESPONDED.value)
NEXT = {
    AppealStatus.FILED: (AppealStatus.RESPONDED, AppealStatus.WON, AppealStatus.LOST),
    AppealStatus.RESPONDED: (AppealStatus.WON, AppealStatus.LOST),
}


def file_appeal(
    session: Session,
    *,
    user: Actor | None,
    reason_text: str,
    finding_id: int | None = None,
    item_id: int | None = None,
    submitted_claim_id: int | None = None,
    pcn: str | None = None,
    today: dt.date | None = None,
    rulebook: Rulebook | None = None,
    allow_late: bool = False,
    signer_title: str = "Billing specialist",
) -> AppealResult:
    """Write the appeal letter for a denial, store it as filed, audit it; returns the letter."""
    reason = reason_text.strip()
    if not reason:
        raise BadInput("Say why the claim should be paid: the letter needs the reason.")
    if len(reason) > MAX_REASON:
        raise BadInput(f"The reason may be at most {MAX_REASON} characters.")
    day = today or dt.date.today()
    try:
        target = resolve_target(session, finding_id=finding_id, item_id=item_id,
                                submitted_claim_id=submitted_claim_id, pcn=pcn)  # fmt: skip
        p = _prepare(session, target, _rules(rulebook), reason, day, allow_late, user,
                     signer_title)  # fmt: skip
    except BaseException:
        session.rollback()
        raise
    with writing(session):
        row = _store(session, target, p, user, reason)
    letter = p.letter
    notes = ("Filed after the deadline (allow late filing).",) if letter.late else ()
    return AppealResult(
        row.id, p.html, p.pdf, letter.deadline, AppealStatus.FILED, row.patient_control_number,
        row.payer_name, row.payer_claim_number, letter.level, row.amount, p.method, p.send_to,
        p.follow_up, letter.late, notes,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A letter ready to file, with what the row keeps beside it."""

    answer: Adjudication
    letter: AppealLetter
    codes: tuple[str, ...]
    html: str
    pdf: bytes
    method: str
    send_to: str
    follow_up: dt.date


def _prepare(
    session: Session,
    target: Target,
    rulebook: Rulebook,
    reason: str,
    day: dt.date,
    allow_late: bool,
    user: Actor | None,
    signer_title: str,
) -> _Prepared:
    """Every check and the letter in both forms; nothing written yet."""
    source = load_claim(session, target.submitted_claim_id)
    answer = _answer(session, target)
    rules = rulebook.for_payer(answer.payer_key, answer.payer_name)
    codes = _codes(target, answer)
    _check_appealable(target, codes, rules)
    level, lost_on = _level(session, target, answer)
    deadline = _deadline(target, answer, rules, level, lost_on)
    late = deadline is not None and day > deadline
    if deadline is not None and late and not allow_late:
        raise Refused(
            f"The appeal deadline was {deadline}; {(day - deadline).days} day(s) have "
            "passed. File anyway only with a good-cause reason (allow late filing)."
        )
    amount = target.finding.amount if target.finding is not None else answer.charge - answer.paid
    signer = (getattr(user, "display_name", "") or user.username) if user else "Billing office"
    letter = build_letter(
        source, answer, rules.appeal, codes=codes, amount=amount, reason=reason, day=day,
        deadline=deadline, late=late, level=level, signer=(signer, signer_title),
    )  # fmt: skip
    _recipient, _how, method, send_to = route_text(rules.appeal, answer.payer_name)
    return _Prepared(
        answer, letter, codes, render_html(letter), render_pdf(letter, _noon(day)), method,
        send_to, day + dt.timedelta(days=rules.follow_up_days),
    )  # fmt: skip


def _noon(day: dt.date) -> dt.datetime:
    """A fixed creation time for the PDF metadata: the letter's date, at noon UTC."""
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


def _rules(rulebook: Rulebook | None) -> Rulebook:
    if rulebook is not None:
        return rulebook
    from claimsdesk.services.analysis import default_rulebook

    return default_rulebook()


def _answer(session: Session, target: Target) -> Adjudication:
    """The adjudication appealed: the finding's payment, else the claim's newest."""
    payment_id = target.claim_payment_id or latest_payment(session, target.submitted_claim_id)
    if payment_id is None:
        raise Refused("No payer has answered this claim yet: there is nothing to appeal.")
    answer = load_adjudication(session, payment_id)
    if answer.status == "22":
        raise Refused("That remittance is a reversal; appeal the payer's corrected answer.")
    return answer


def _codes(target: Target, answer: Adjudication) -> tuple[str, ...]:
    """The codes appealed: the finding's, else every non-patient code on the answer."""
    if target.finding is not None and target.finding.codes:
        return tuple(target.finding.codes)
    return tuple(c.code for c in code_texts((), answer))


def _check_appealable(target: Target, codes: tuple[str, ...], rules: PayerRules) -> None:
    """Refuse when the payer_rules guardrails say an appeal would be wasted."""
    evidence: dict[str, Any] = (target.finding.evidence or {}) if target.finding else {}
    if evidence.get("appealable", True):
        return
    remarks = [c for c in codes if "-" not in c]
    reasons = [
        appeal_block_reason(group, carc, remarks, rules.carc_category)
        for group, _, carc in (c.partition("-") for c in codes if "-" in c)
    ]
    why = next((r for r in reasons if r), "the payer's codes say it cannot be appealed")
    raise Refused(f"This denial cannot be appealed: {why}.")


def _same_denial(target: Target, answer: Adjudication) -> Any:
    """Appeals of the same denial: same finding, else same remittance claim."""
    if target.finding_id is not None:
        return Appeal.finding_id == target.finding_id
    return Appeal.claim_payment_id == answer.claim_payment_id


def _level(session: Session, target: Target, answer: Adjudication) -> tuple[int, dt.date | None]:
    """1 + appeals of this denial that were lost; refused while one is still open."""
    rows = session.scalars(
        select(Appeal).where(_same_denial(target, answer)).order_by(Appeal.id)
    ).all()
    still_open = [r for r in rows if r.status in OPEN]
    if still_open:
        a = still_open[-1]
        raise Refused(
            f"Appeal #{a.id} of this denial was filed on {a.created_at.date()} and is still "
            f"{a.status}: record the payer's answer before filing the next level."
        )
    if any(r.status == AppealStatus.WON.value for r in rows):
        raise Refused("An appeal of this denial was already won.")
    lost = [r for r in rows if r.status == AppealStatus.LOST.value]
    lost_on = lost[-1].responded_at.date() if lost and lost[-1].responded_at else None
    return len(lost) + 1, lost_on


def _deadline(
    target: Target,
    answer: Adjudication,
    rules: PayerRules,
    level: int,
    lost_on: dt.date | None,
) -> dt.date | None:
    if level > 1 and lost_on is not None:
        return rules.appeal_deadline(lost_on)
    if target.finding is not None and target.finding.deadline is not None:
        found: dt.date = target.finding.deadline
        return found
    return rules.appeal_deadline(answer.payment_date) if answer.payment_date else None


def _store(
    session: Session, target: Target, p: _Prepared, user: Actor | None, reason: str
) -> Appeal:
    now = utcnow()
    answer, letter = p.answer, p.letter
    row = Appeal(
        finding_id=target.finding_id, work_item_id=target.work_item_id,
        submitted_claim_id=target.submitted_claim_id, claim_payment_id=answer.claim_payment_id,
        patient_control_number=letter.pcn, payer_key=answer.payer_key,
        payer_name=answer.payer_name, payer_claim_number=answer.payer_claim_number,
        level=letter.level, amount=letter.amount, codes=list(p.codes), reason_text=reason,
        method=p.method, send_to=p.send_to, deadline=letter.deadline, follow_up_on=p.follow_up,
        status=AppealStatus.FILED.value, letter_html=p.html, letter_pdf=p.pdf,
        created_by_id=user.id if user else None, created_by=user.username if user else None,
        created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.add_event(session, user, "appeal.filed", "appeal", row.id, {
        "pcn": row.patient_control_number, "finding_id": row.finding_id,
        "work_item_id": row.work_item_id, "payer": row.payer_name, "level": row.level,
        "amount": row.amount, "deadline": row.deadline, "late": letter.late,
        "method": p.method, "codes": list(p.codes),
    })  # fmt: skip
    return row


# --------------------------------------------------------------------------- tracking


def row_of(a: Appeal, today: dt.date | None = None) -> AppealRow:
    """An appeal as lists show it; days_left counts to the deadline."""
    day = today or dt.date.today()
    days_left = (a.deadline - day).days if a.deadline is not None else None
    return AppealRow(
        a.id, a.finding_id, a.work_item_id, a.submitted_claim_id, a.patient_control_number,
        a.payer_name, a.payer_claim_number, a.level, a.amount, tuple(a.codes or ()), a.method,
        a.send_to, a.deadline, a.follow_up_on, AppealStatus(a.status), a.created_by,
        a.created_at, a.responded_at, a.recovered, days_left,
    )  # fmt: skip


def appeals_due(
    session: Session, *, today: dt.date | None = None, within_days: int | None = None
) -> list[AppealRow]:
    """Open appeals (filed or answered, not settled) by deadline, then follow-up date;
    with within_days, only those whose deadline or follow-up falls by today + within_days."""
    day = today or dt.date.today()
    stmt = select(Appeal).where(Appeal.status.in_(OPEN))
    if within_days is not None:
        horizon = day + dt.timedelta(days=within_days)
        stmt = stmt.where(or_(Appeal.deadline <= horizon, Appeal.follow_up_on <= horizon))
    order = func.coalesce(Appeal.deadline, Appeal.follow_up_on)
    rows = session.scalars(stmt.order_by(order, Appeal.id)).all()
    return [row_of(a, day) for a in rows]


def list_appeals(
    session: Session,
    *,
    pcn: str | None = None,
    status: AppealStatus | str | None = None,
    submitted_claim_id: int | None = None,
    finding_id: int | None = None,
    limit: int = 200,
) -> list[AppealRow]:
    """Appeals, newest first, narrowed by PCN, status, claim or finding."""
    stmt = select(Appeal).order_by(Appeal.id.desc()).limit(max(1, limit))
    if pcn:
        stmt = stmt.where(Appeal.patient_control_number.in_(sorted(pcn_variants([pcn]))))
    if status is not None:
        stmt = stmt.where(Appeal.status == AppealStatus(status).value)
    if submitted_claim_id is not None:
        stmt = stmt.where(Appeal.submitted_claim_id == submitted_claim_id)
    if finding_id is not None:
        stmt = stmt.where(Appeal.finding_id == finding_id)
    return [row_of(a) for a in session.scalars(stmt)]


def get_appeal(session: Session, appeal_id: int) -> AppealRow:
    """One appeal (without its letter)."""
    return row_of(_appeal(session, appeal_id))


def appeal_documents(session: Session, appeal_id: int) -> tuple[str, bytes]:
    """The letter as filed: HTML and PDF bytes."""
    a = _appeal(session, appeal_id)
    return a.letter_html, bytes(a.letter_pdf)


def _appeal(session: Session, appeal_id: int) -> Appeal:
    found = session.get(Appeal, appeal_id)
    if found is None:
        raise NotFound(f"No appeal {appeal_id}.")
    return found


def record_response(
    session: Session,
    appeal_id: int,
    status: AppealStatus | str,
    *,
    user: Actor | None,
    note: str = "",
    recovered: Decimal | None = None,
) -> AppealRow:
    """The payer answered (responded), or the appeal ended (won, with what it paid; lost)."""
    try:
        new = AppealStatus(status)
    except ValueError:
        raise BadInput(f"Unknown appeal status {status!r}: use responded, won or lost.") from None
    if recovered is not None and (new is not AppealStatus.WON or recovered < 0):
        raise BadInput("A recovered amount goes with a won appeal and is zero or more.")
    with writing(session):
        a = session.scalars(select(Appeal).where(Appeal.id == appeal_id).with_for_update()).first()
        if a is None:
            raise NotFound(f"No appeal {appeal_id}.")
        was = AppealStatus(a.status)
        if new not in NEXT.get(was, ()):
            raise BadInput(f"Appeal {appeal_id} is {was.value}; it cannot become {new.value}.")
        now = utcnow()
        a.status, a.updated_at, a.responded_at = new.value, now, now
        a.response_note = note.strip() or a.response_note
        a.recovered = recovered if recovered is not None else a.recovered
        audit.add_event(session, user, f"appeal.{new.value}", "appeal", a.id, {
            "pcn": a.patient_control_number, "from": was.value, "to": new.value,
            "note": note.strip(), "recovered": recovered,
        })  # fmt: skip
    return row_of(a)


__all__ = [
    "appeal_documents",
    "appeals_due",
    "file_appeal",
    "get_appeal",
    "list_appeals",
    "record_response",
]
