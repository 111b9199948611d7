"""Manager view: backlog by queue and specialist, moving work in bulk, write-offs awaiting
approval and deadlines coming up."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from claimsdesk.services import account_actions, appeals, worklist
from claimsdesk.services.users import Account, Role
from claimsdesk.services.worklist import BacklogRow, ItemFilter, WorklistError
from claimsdesk.web.db import db
from claimsdesk.web.screens import NavItem, Screen
from claimsdesk.web.screens.deskview import PER_PAGE, active_people, install_filters, page_number
from claimsdesk.web.security import manager_required, require_user, safe_next

bp = Blueprint("manager", __name__, url_prefix="/manager")
SCREEN = Screen(bp, (NavItem("manager.index", "Manager", Role.MANAGER, "g g"),))
install_filters(bp)
DUE_DAYS = 14
MAX_MOVE = 200


def _by_person(rows: list[BacklogRow], today: dt.date) -> list[dict[str, Any]]:
    """The backlog summed per person across queues (unassigned first)."""
    acc: dict[int | None, dict[str, Any]] = {}
    for r in rows:
        p = acc.setdefault(
            r.assignee_id,
            {"id": r.assignee_id, "name": r.assignee, "count": 0, "past": 0,
             "dollars": Decimal("0.00"), "oldest": None, "queues": 0,
             "by_status": defaultdict(int)},
        )  # fmt: skip
        p["count"] += r.count
        p["past"] += r.past_deadline
        p["dollars"] += r.dollars
        p["queues"] += 1
        for status, n in r.by_status.items():
            p["by_status"][status] += n
        if r.oldest_opened_at and (p["oldest"] is None or r.oldest_opened_at < p["oldest"]):
            p["oldest"] = r.oldest_opened_at
    for p in acc.values():
        p["oldest_days"] = (today - p["oldest"].date()).days if p["oldest"] else None
    return sorted(acc.values(), key=lambda p: (p["id"] is not None, -p["count"]))


@bp.route("/")
@manager_required
def index() -> ResponseReturnValue:
    """Backlog, approvals, deadlines coming up, and the form that moves work."""
    today = dt.date.today()
    backlog = worklist.backlog_by_queue_and_user(db())
    return render_template(
        "manager/index.html",
        backlog=backlog,
        people_rows=_by_person(backlog, today),
        today=today,
        pending=account_actions.pending_write_offs(db()),
        appeals_due=appeals.appeals_due(db(), today=today, within_days=DUE_DAYS),
        due_days=DUE_DAYS,
        queues=worklist.list_queues(db()),
        people=active_people(),
        limit=account_actions.approval_limit(),
    )


@bp.route("/due")
@manager_required
def due() -> ResponseReturnValue:
    """Active items whose appeal or filing deadline falls in the next days, nearest first.

    Its own page: no index serves a deadline filter across every queue, so on a large desk
    this takes seconds and would slow the manager view down."""
    page = worklist.queue_items(
        db(),
        None,
        page=page_number(request.args.get("page")),
        per_page=PER_PAGE,
        filters=ItemFilter(deadline_within_days=DUE_DAYS, past_deadline=False),
        sort="deadline",
    )
    return render_template("manager/due.html", page=page, due_days=DUE_DAYS)


def _back(default: str = "manager.index") -> ResponseReturnValue:
    return redirect(safe_next(request.form.get("next")) or url_for(default), code=303)


def _target() -> int | None:
    raw = request.form.get("to_user", "").strip()
    return int(raw) if raw.isdigit() else None


def _picked_items() -> list[int]:
    """Item ids ticked on a queue page, or the top of a queue chosen on the manager page."""
    ticked = [int(v) for v in request.form.getlist("item_id") if v.isdigit()]
    if ticked or not request.form.get("from_queue"):
        return ticked
    who = request.form.get("from_user", "").strip()
    filters = ItemFilter(unassigned=who == "none", assignee_id=int(who) if who.isdigit() else None)
    try:
        count = min(max(int(request.form.get("count", "10")), 1), MAX_MOVE)
    except ValueError:
        count = 10
    page = worklist.queue_items(db(), request.form["from_queue"], per_page=count, filters=filters)
    return [r.id for r in page.items]


@bp.route("/reassign", methods=["POST"])
@manager_required
def reassign() -> ResponseReturnValue:
    """Move several items to one person (or back to the queue); each is its own change."""
    user = require_user()
    try:
        ids = _picked_items()
    except WorklistError as exc:
        flash(str(exc), "error")
        return _back()
    if not ids:
        flash("No items were selected to move.", "warning")
        return _back()
    moved, refused = _move(ids, _target(), user)
    if moved:
        flash(f"Moved {moved} item{'' if moved == 1 else 's'}.", "success")
    for message in refused[:5]:
        flash(message, "warning")
    if len(refused) > 5:
        flash(f"... and {len(refused) - 5} more were not moved.", "warning")
    return _back()


def _move(ids: list[int], target: int | None, user: Account) -> tuple[int, list[str]]:
    moved, refused = 0, []
    for item_id in ids:
        try:
            worklist.reassign(db(), item_id, target, by=user, note="bulk reassignment")
            moved += 1
        except WorklistError as exc:
            refused.append(str(exc))
    return moved, refused


@bp.route("/write-offs/<int:write_off_id>/approve", methods=["POST"])
@manager_required
def approve(write_off_id: int) -> ResponseReturnValue:
    """Approve a write-off: it posts and the item is resolved as written off."""
    try:
        result = account_actions.approve_write_off(
            db(), write_off_id, user=require_user(), note=request.form.get("note", "")
        )
    except WorklistError as exc:
        flash(str(exc), "error")
        return _back()
    amount = f"{result.write_off.amount:,.2f}"
    flash(f"Write-off of ${amount} on {result.item.claim} approved.", "success")
    return _back()


@bp.route("/write-offs/<int:write_off_id>/reject", methods=["POST"])
@manager_required
def reject(write_off_id: int) -> ResponseReturnValue:
    """Reject a write-off (saying why): the item goes back to its owner."""
    try:
        result = account_actions.reject_write_off(
            db(), write_off_id, user=require_user(), note=request.form.get("note", "")
        )
    except WorklistError as exc:
        flash(str(exc), "error")
        return _back()
    flash(f"Write-off on {result.item.claim} rejected; back with its owner.", "success")
    return _back()
