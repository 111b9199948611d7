"""The item page: the claim as billed beside as paid, its ledger, the finding and why it ranks
where it does, history and notes, and every action a specialist or manager takes on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from claimsdesk.services import account_actions, worklist
from claimsdesk.services.users import Account, Role
from claimsdesk.services.worklist import ItemDetail
from claimsdesk.web.db import db
from claimsdesk.web.screens import Screen
from claimsdesk.web.screens.deskview import (
    REFUSALS,
    active_people,
    install_filters,
    outcome_words,
    parse_day,
    parse_version,
    status_of,
    viewed,
)
from claimsdesk.web.screens.story import claim_view
from claimsdesk.web.security import login_required, manager_required, require_user

bp = Blueprint("items", __name__, url_prefix="/items")
SCREEN = Screen(bp)
install_filters(bp)
FOLLOW_UP_DAYS = 7  # the follow-up box starts a week out
EXTRA_PANELS: list[Callable[[ItemDetail, Account], dict[str, Any]]] = []
"""Hooks that add context for more action panels (appeal, corrected claim, secondary)."""


def page_context(item_id: int, user: Account, **extra: Any) -> dict[str, Any]:
    """Everything the item page shows; raises the services' errors (ItemNotFound ...)."""
    detail = worklist.item_detail(db(), item_id)
    row = detail.item
    context: dict[str, Any] = {
        "d": detail,
        "item": row,
        "claim": claim_view(detail.claim_story, row.submitted_claim_id, row.codes),
        "siblings": [r for r in worklist.search(db(), row.claim) if r.id != row.id]
        if len(row.claim) >= 2
        else [],
        "limit": account_actions.approval_limit(),
        "is_manager": user.role.includes(Role.MANAGER),
        "people": active_people() if user.role.includes(Role.MANAGER) else [],
        "tomorrow": (dt.date.today() + dt.timedelta(days=1)).isoformat(),
        "follow_default": (dt.date.today() + dt.timedelta(days=FOLLOW_UP_DAYS)).isoformat(),
        "item_panels": [],
        "form": {},
        "panel": None,
        "error": None,
    }
    for hook in EXTRA_PANELS:
        more = hook(detail, user)
        context["item_panels"] += more.pop("item_panels", [])
        context.update(more)
    context.update(extra)
    return context


def render_item(item_id: int, status: int = 200, **extra: Any) -> ResponseReturnValue:
    """The item page (again after a refused action, with the form as it was typed)."""
    user = require_user()
    try:
        context = page_context(item_id, user, **extra)
    except REFUSALS as exc:
        code = status_of(exc)
        title = "Not found" if code == 404 else "Not possible"
        return render_template("error.html", code=code, title=title, message=str(exc)), code
    return render_template("items/show.html", **context), status


@bp.route("/<int:item_id>")
@login_required
def show(item_id: int) -> ResponseReturnValue:
    """One item; the view is recorded in the audit log."""
    response = render_item(item_id)
    if isinstance(response, tuple) and response[1] == 200:
        viewed(require_user(), "item.view", "work_item", item_id)
    return response


def act(
    item_id: int, panel: str, run: Callable[[Account], str | tuple[str, str]]
) -> ResponseReturnValue:
    """Run one action; success flashes and goes back to the item (or where run says), a
    refusal re-shows the page with the message and the values typed."""
    user = require_user()
    try:
        done = run(user)
    except REFUSALS as exc:
        form = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return render_item(item_id, status_of(exc), form=form, panel=panel, error=str(exc))
    message, where = done if isinstance(done, tuple) else (done, "")
    flash(message, "success")
    return redirect(where or url_for("items.show", item_id=item_id), code=303)


def _version() -> int | None:
    return parse_version(request.form.get("version"))


def _text(name: str) -> str:
    return request.form.get(name, "").strip()


@bp.route("/<int:item_id>/start", methods=["POST"])
@login_required
def start(item_id: int) -> ResponseReturnValue:
    """Start working the item (taking it when it is still in the queue)."""

    def run(user: Account) -> str:
        worklist.start(db(), item_id, user=user, expected_version=_version())
        return "Started: the item is in progress with you."

    return act(item_id, "start", run)


@bp.route("/<int:item_id>/note", methods=["POST"])
@login_required
def note(item_id: int) -> ResponseReturnValue:
    """Leave a note."""

    def run(user: Account) -> str:
        worklist.add_note(db(), item_id, request.form.get("text", ""), user=user)
        return "Note added."

    return act(item_id, "note", run)


@bp.route("/<int:item_id>/follow-up", methods=["POST"])
@login_required
def follow_up(item_id: int) -> ResponseReturnValue:
    """Park the item until a date."""

    def run(user: Account) -> str:
        day = parse_day(request.form.get("on"))
        if day is None:
            raise worklist.BadInput("Pick a follow-up date (YYYY-MM-DD).")
        worklist.set_follow_up(
            db(), item_id, day, user=user, note=_text("note"), expected_version=_version()
        )
        return f"Follow-up set for {day.isoformat()}; the item waits until then."

    return act(item_id, "follow_up", run)


@bp.route("/<int:item_id>/resolve", methods=["POST"])
@login_required
def resolve(item_id: int) -> ResponseReturnValue:
    """Settle the item with an outcome."""

    def run(user: Account) -> str:
        row = worklist.resolve(
            db(),
            item_id,
            _text("outcome"),
            user=user,
            note=_text("note"),
            expected_version=_version(),
        )
        return f"Resolved: {outcome_words(row.outcome)}. Press n for the next item."

    return act(item_id, "resolve", run)


@bp.route("/<int:item_id>/write-off", methods=["POST"])
@login_required
def write_off(item_id: int) -> ResponseReturnValue:
    """Write the amount off; above the limit it waits for a manager."""

    def run(user: Account) -> str:
        result = account_actions.write_off(
            db(),
            item_id,
            reason=_text("reason"),
            user=user,
            amount=_text("amount") or None,
            note=_text("note"),
            expected_version=_version(),
        )
        amount = f"{result.write_off.amount:,.2f}"
        if result.needs_approval:
            return f"Write-off of ${amount} sent to a manager for approval."
        posted = result.write_off.posted_amount
        return f"Written off ${amount} (${posted or 0:,.2f} posted to the ledger)."

    return act(item_id, "write_off", run)


@bp.route("/<int:item_id>/transfer", methods=["POST"])
@login_required
def transfer(item_id: int) -> ResponseReturnValue:
    """Move what payers still owe to the patient (the self-pay stage takes it from there)."""

    def run(user: Account) -> str:
        result = account_actions.transfer_to_patient(
            db(),
            item_id,
            reason=_text("reason"),
            user=user,
            amount=_text("amount") or None,
            expected_version=_version(),
        )
        return (
            f"${result.amount:,.2f} moved to the patient; the patient now owes "
            f"${result.patient_balance:,.2f} on this claim."
        )

    return act(item_id, "transfer", run)


@bp.route("/<int:item_id>/reopen", methods=["POST"])
@login_required
def reopen(item_id: int) -> ResponseReturnValue:
    """Take a resolved item back into work."""

    def run(user: Account) -> str:
        worklist.reopen(db(), item_id, user=user, note=_text("note"), expected_version=_version())
        return "Reopened."

    return act(item_id, "reopen", run)


@bp.route("/<int:item_id>/reassign", methods=["POST"])
@manager_required
def reassign(item_id: int) -> ResponseReturnValue:
    """A manager gives the item to someone (or back to the queue)."""

    def run(user: Account) -> str:
        raw = _text("to_user")
        target = int(raw) if raw.isdigit() else None
        row = worklist.reassign(
            db(), item_id, target, by=user, note=_text("note"), expected_version=_version()
        )
        return f"Now with {row.assignee}." if row.assignee else "Back in the queue."

    return act(item_id, "reassign", run)
