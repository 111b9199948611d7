"""Item actions that send something to a payer: the appeal letter, a corrected claim
(CLM05-3 7) and the claim to the next payer. The services build, validate (pyx12) and store;
here the item is checked first (workable by this user) and resolved once the letter is filed
or the specialist confirms a validated 837."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from claimsdesk.services import appeals, resubmission, worklist
from claimsdesk.services.outbound_types import Corrections, LineCorrection
from claimsdesk.services.users import Account
from claimsdesk.services.worklist import BadInput, ItemDetail, Outcome, WorklistError
from claimsdesk.services.worklist_actions import owner_or_manager
from claimsdesk.services.worklist_states import check
from claimsdesk.web.db import db
from claimsdesk.web.screens.deskview import REFUSALS, status_of, viewed
from claimsdesk.web.screens.items import EXTRA_PANELS, act, bp
from claimsdesk.web.screens.story import claim_view
from claimsdesk.web.security import login_required, require_user

OUTCOME_OF_KIND = {
    "corrected": Outcome.CORRECTED_RESUBMITTED,
    "secondary": Outcome.BILLED_NEXT_PAYER,
}


def _sent(detail: ItemDetail, _user: Account) -> dict[str, Any]:
    """The appeal / corrected claim / secondary panels, and what was sent on this claim."""
    pcn = detail.item.claim
    return {
        "item_panels": ["items/_outbound_panels.html"],
        "appeals": appeals.list_appeals(db(), pcn=pcn, limit=20),
        "outbound": resubmission.list_outbound(db(), pcn=pcn, limit=20),
    }


EXTRA_PANELS.append(_sent)


def workable(item_id: int, user: Account) -> worklist.WorkItemRow:
    """The item, when this user may settle it now (it is theirs, or they manage)."""
    row = worklist.item_row(db(), item_id)
    check("resolve", row.status, row.id)
    owner_or_manager(row, user, "work")
    return row


def _resolve(item_id: int, user: Account, outcome: Outcome, note: str) -> str:
    """Resolve after something was sent; a refusal here does not undo what was sent."""
    try:
        worklist.resolve(db(), item_id, outcome, user=user, note=note)
    except WorklistError as exc:
        return f" The item was not resolved: {exc}"
    return " The item is resolved."


@bp.route("/<int:item_id>/appeal", methods=["POST"])
@login_required
def appeal(item_id: int) -> ResponseReturnValue:
    """File the appeal letter for the item's denial and resolve the item as appealed."""

    def run(user: Account) -> tuple[str, str]:
        workable(item_id, user)
        result = appeals.file_appeal(
            db(),
            user=user,
            reason_text=request.form.get("reason", ""),
            item_id=item_id,
            allow_late=request.form.get("allow_late") == "1",
        )
        route = f" by {result.method}" if result.method else ""
        note = f"appeal {result.id} (level {result.level}) filed{route}"
        tail = _resolve(item_id, user, Outcome.APPEALED, note)
        message = f"Appeal filed: send the letter{route} to {result.send_to or 'the payer'}." + tail
        return message, url_for("appeals.show", appeal_id=result.id)

    return act(item_id, "appeal", run)


@bp.route("/<int:item_id>/secondary", methods=["POST"])
@login_required
def secondary(item_id: int) -> ResponseReturnValue:
    """Build and check the claim to the next payer; the page after shows it."""

    def run(user: Account) -> tuple[str, str]:
        workable(item_id, user)
        result = resubmission.bill_secondary(db(), user=user, item_id=item_id)
        where = url_for("items.outbound", item_id=item_id, outbound_id=result.id)
        return f"Claim to the next payer built: {result.status.value}.", where

    return act(item_id, "secondary", run)


@bp.route("/<int:item_id>/corrected", methods=["GET", "POST"])
@login_required
def corrected(item_id: int) -> ResponseReturnValue:
    """The corrections form (the claim's lines as billed); posting builds and checks the
    replacement claim and shows it."""
    user = require_user()
    try:
        detail = worklist.item_detail(db(), item_id)
    except REFUSALS as exc:
        abort(status_of(exc), description=str(exc))
    claim = claim_view(detail.claim_story, detail.item.submitted_claim_id, detail.item.codes)
    lines = claim["lines"] if claim and claim["submission"] else []
    if request.method == "GET":
        return render_template("items/corrected.html", d=detail, item=detail.item, claim=claim,
                               lines=lines, form={}, error=None)  # fmt: skip
    try:
        workable(item_id, user)
        fixes = corrections_from(request.form, lines, claim)
        result = resubmission.correct_claim(db(), corrections=fixes, user=user, item_id=item_id)
    except REFUSALS as exc:
        page = render_template("items/corrected.html", d=detail, item=detail.item, claim=claim,
                               lines=lines, form=request.form, error=str(exc))  # fmt: skip
        return page, status_of(exc)
    where = url_for("items.outbound", item_id=item_id, outbound_id=result.id)
    return redirect(where, code=303)


@bp.route("/<int:item_id>/outbound/<int:outbound_id>")
@login_required
def outbound(item_id: int, outbound_id: int) -> ResponseReturnValue:
    """An 837 built for the item: its text, what changed, and what the validator said."""
    user = require_user()
    try:
        result = resubmission.get_outbound(db(), outbound_id)
        row = worklist.item_row(db(), item_id)
    except REFUSALS as exc:
        abort(status_of(exc), description=str(exc))
    if result.patient_control_number != row.claim:
        abort(404, description=f"Outbound claim {outbound_id} is not about claim {row.claim}.")
    viewed(
        user, "outbound.view", "outbound_claim", outbound_id, claim=result.patient_control_number
    )
    return render_template(
        "items/outbound.html",
        item=row,
        result=result,
        outcome=OUTCOME_OF_KIND[result.kind.value],
        can_resolve="resolve" in worklist.allowed_actions(row.status),
    )


# --------------------------------------------------------------------------- the form


def _words(raw: str) -> tuple[str, ...]:
    """'25, 59' or '25 59' -> ('25', '59'), upper case."""
    return tuple(w.upper() for w in raw.replace(",", " ").split())


def _number(raw: str, what: str) -> Decimal:
    try:
        value = Decimal(raw.replace(",", "").lstrip("$"))
    except InvalidOperation:
        raise BadInput(f"{what} {raw!r} is not a number.") from None
    if not value.is_finite() or value < 0:
        raise BadInput(f"{what} {raw!r} is not a number.")
    return value


def _line_fix(form: Mapping[str, str], line: dict[str, Any]) -> LineCorrection | None:
    """What the form changed on one line (None when nothing)."""
    n = str(line["line_number"])

    def get(name: str) -> str:
        return form.get(f"{name}_{n}", "").strip()

    if get("remove") == "1":
        return LineCorrection(line=int(n), remove=True)
    changes: dict[str, Any] = {}
    if get("proc") and get("proc").upper() != (line.get("procedure") or ""):
        changes["procedure"] = get("proc").upper()
    mods = _words(get("mods"))
    if f"mods_{n}" in form and mods != tuple(line.get("modifiers") or ()):
        changes["modifiers"] = mods
    if get("units") and _number(get("units"), f"Line {n} units") != Decimal(line["units"] or "0"):
        changes["units"] = _number(get("units"), f"Line {n} units")
    if get("charge") and _number(get("charge"), f"Line {n} charge") != Decimal(line["charge"]):
        changes["charge"] = _number(get("charge"), f"Line {n} charge")
    if get("ptr"):
        changes["diagnosis_pointers"] = _words(get("ptr"))
    return LineCorrection(line=int(n), **changes) if changes else None


def corrections_from(
    form: Mapping[str, str], lines: list[dict[str, Any]], claim: dict[str, Any] | None
) -> Corrections:
    """Corrections from the form: only what differs from the claim as billed."""
    fixes = tuple(f for f in (_line_fix(form, ln) for ln in lines if ln.get("line_number")) if f)
    billed = tuple((claim or {}).get("submission", {}).get("diagnoses") or ())
    dx = _words(form.get("diagnoses", ""))
    auth = form.get("prior_authorization", "").strip()
    referral = form.get("referral_number", "").strip()
    found = Corrections(
        lines=fixes,
        diagnoses=dx if dx and dx != billed else None,
        prior_authorization=auth or None,
        referral_number=referral or None,
    )
    if found.empty:
        raise BadInput("Nothing was changed: edit a line, the diagnoses or the authorization.")
    return found
