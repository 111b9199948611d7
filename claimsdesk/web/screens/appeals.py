"""Appeals: every letter filed, its deadline and follow-up, the letter itself (HTML and PDF)
and the payer's answer when it comes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from claimsdesk.services import appeals
from claimsdesk.services.outbound_types import AppealStatus
from claimsdesk.services.users import Role
from claimsdesk.web.db import db
from claimsdesk.web.screens import NavItem, Screen
from claimsdesk.web.screens.deskview import REFUSALS, install_filters, status_of, viewed
from claimsdesk.web.security import login_required, require_user

bp = Blueprint("appeals", __name__, url_prefix="/appeals")
SCREEN = Screen(bp, (NavItem("appeals.index", "Appeals", Role.SPECIALIST, "g p"),))
install_filters(bp)
STATUSES = ("open", *(s.value for s in AppealStatus), "all")
LETTER_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'"
)
"""The stored letter carries its own <style>; it may be framed by the desk, never run script."""


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """Appeals, newest first (open ones: by deadline), narrowed by status or claim."""
    status = request.args.get("status", "open")
    pcn = request.args.get("claim", "").strip() or None
    if status not in STATUSES:
        abort(400, description=f"Status {status!r} is unknown; use {', '.join(STATUSES)}.")
    if status == "open" and not pcn:
        rows = appeals.appeals_due(db())
    else:
        wanted = None if status in ("all", "open") else status
        rows = appeals.list_appeals(db(), pcn=pcn, status=wanted)
        if status == "open":
            rows = [r for r in rows if r.status.value in ("filed", "responded")]
    return render_template(
        "appeals/index.html", rows=rows, status=status, claim=pcn or "", statuses=STATUSES
    )


@bp.route("/<int:appeal_id>")
@login_required
def show(appeal_id: int) -> ResponseReturnValue:
    """One appeal: where it stands, the letter as filed, and the answer form."""
    try:
        row = appeals.get_appeal(db(), appeal_id)
    except REFUSALS as exc:
        abort(status_of(exc), description=str(exc))
    viewed(require_user(), "appeal.view", "appeal", appeal_id, claim=row.patient_control_number)
    return render_template("appeals/show.html", a=row)


@bp.route("/<int:appeal_id>/letter")
@login_required
def letter(appeal_id: int) -> ResponseReturnValue:
    """The letter's HTML as filed, for the frame on the appeal page (no script may run)."""
    try:
        html, _pdf = appeals.appeal_documents(db(), appeal_id)
    except REFUSALS as exc:
        abort(status_of(exc), description=str(exc))
    response = make_response(html)
    response.headers["Content-Security-Policy"] = LETTER_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/<int:appeal_id>/letter.pdf")
@login_required
def letter_pdf(appeal_id: int) -> ResponseReturnValue:
    """The letter as a PDF to print or upload (recorded in the audit log)."""
    try:
        row = appeals.get_appeal(db(), appeal_id)
        _html, pdf = appeals.appeal_documents(db(), appeal_id)
    except REFUSALS as exc:
        abort(status_of(exc), description=str(exc))
    viewed(require_user(), "appeal.download", "appeal", appeal_id, claim=row.patient_control_number)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    name = f"appeal-{row.patient_control_number}-{appeal_id}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/<int:appeal_id>/response", methods=["POST"])
@login_required
def response(appeal_id: int) -> ResponseReturnValue:
    """The payer answered, or the appeal was won (with what it paid) or lost."""
    raw = request.form.get("recovered", "").strip().replace(",", "").lstrip("$")
    try:
        recovered = Decimal(raw) if raw else None
        row = appeals.record_response(
            db(),
            appeal_id,
            request.form.get("status", ""),
            user=require_user(),
            note=request.form.get("note", ""),
            recovered=recovered,
        )
    except InvalidOperation:
        flash(f"Recovered {raw!r} is not an amount like 125.00.", "error")
    except REFUSALS as exc:
        flash(str(exc), "error")
    else:
        flash(f"Appeal {row.id} is now {row.status.value}.", "success")
    return redirect(url_for("appeals.show", appeal_id=appeal_id), code=303)
