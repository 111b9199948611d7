"""Search: find work by patient control number, patient name or payer claim number."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from claimsdesk.services import worklist
from claimsdesk.services.users import Role
from claimsdesk.services.worklist import WorkItemRow, WorklistError
from claimsdesk.web.db import db
from claimsdesk.web.screens import NavItem, Screen
from claimsdesk.web.screens.deskview import install_filters, status_of
from claimsdesk.web.security import login_required

bp = Blueprint("search", __name__)
SCREEN = Screen(bp, (NavItem("search.index", "Search", Role.SPECIALIST, "g s"),))
install_filters(bp)
LIMIT = 100


@bp.route("/search")
@login_required
def index() -> ResponseReturnValue:
    """Results for ?q=; one active hit on an exact claim number opens the item at once."""
    text = " ".join(request.args.get("q", "").split())
    rows: list[WorkItemRow] = []
    error = None
    status = 200
    if text:
        try:
            rows = worklist.search(db(), text, limit=LIMIT)
        except WorklistError as exc:
            error, status = str(exc), status_of(exc)
    exact = [r for r in rows if r.claim.upper() == text.upper()]
    if len(rows) == 1 and exact and request.args.get("stay") != "1":
        return redirect(url_for("items.show", item_id=rows[0].id))
    claims = sorted({r.claim for r in rows})
    page = render_template(
        "search/index.html", q=text, rows=rows, error=error, claims=claims, limit=LIMIT
    )
    return page, status
