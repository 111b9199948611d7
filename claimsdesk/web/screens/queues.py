"""Work queues on the desk: the queue list with counts, dollars and ages, and one queue's
items by priority, filtered and paged (managers tick rows to reassign them)."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from claimsdesk.services import worklist
from claimsdesk.services.findings_query import known_categories
from claimsdesk.services.users import Role
from claimsdesk.services.worklist import ItemStatus, WorklistError
from claimsdesk.web.db import db
from claimsdesk.web.screens import NavItem, Screen
from claimsdesk.web.screens.deskview import (
    PER_PAGE,
    active_people,
    install_filters,
    item_filter,
    page_number,
    status_of,
)
from claimsdesk.web.security import login_required, require_user

bp = Blueprint("queues", __name__)
SCREEN = Screen(bp, (NavItem("queues.index", "Queues", Role.SPECIALIST, "g w"),))
install_filters(bp)
FILTER_KEYS = ("payer", "category", "min_amount", "max_amount", "status", "assignee", "sort")


@bp.route("/queues/")
@login_required
def index() -> ResponseReturnValue:
    """Every queue with its active count, dollars at stake and age buckets."""
    summaries = worklist.list_queues(db())
    totals = {
        "active": sum(q.active for q in summaries),
        "unassigned": sum(q.unassigned for q in summaries),
        "past_deadline": sum(q.past_deadline for q in summaries),
        "dollars": sum((q.dollars for q in summaries), Decimal("0.00")),
    }
    labels = [a.label for a in summaries[0].ages] if summaries else []
    return render_template("queues/index.html", queues=summaries, totals=totals, ages=labels)


@bp.route("/queues/<name>")
@login_required
def show(name: str) -> ResponseReturnValue:
    """One queue's items by priority (or another sort), with filters and paging."""
    user = require_user()
    summary = worklist.queue_book().named(name)  # no counting: the page total says how many
    if summary is None:
        abort(404, description=f"There is no queue named {name!r}.")
    args = {k: request.args.get(k, "") for k in FILTER_KEYS if request.args.get(k)}
    errors: list[str] = []
    filters = item_filter(args, user, errors)
    sort = args.get("sort", "priority")
    if sort not in worklist.SORTS:
        errors.append(f"Sort {sort!r} is unknown; sorted by priority.")
        sort = "priority"
    try:
        page = worklist.queue_items(
            db(),
            name,
            page=page_number(request.args.get("page")),
            per_page=PER_PAGE,
            filters=filters,
            sort=sort,
        )
    except WorklistError as exc:
        abort(status_of(exc), description=str(exc))
    is_manager = user.role.includes(Role.MANAGER)
    return render_template(
        "queues/show.html",
        queue=summary,
        page=page,
        args=args,
        errors=errors,
        categories=known_categories(),
        people=active_people() if is_manager else [],
        is_manager=is_manager,
        statuses=[s.value for s in ItemStatus],
    )
