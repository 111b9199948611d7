"""My queue, the specialist's home: what I hold (follow-ups due first) and the Next item
button that hands me the best open item of my queues and opens it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from claimsdesk.services import worklist
from claimsdesk.services.users import Account, Role
from claimsdesk.services.worklist import WorklistError
from claimsdesk.web.db import db
from claimsdesk.web.screens import NavItem, Screen, home
from claimsdesk.web.screens.deskview import install_filters
from claimsdesk.web.security import login_required, require_user

bp = Blueprint("mine", __name__)
SCREEN = Screen(bp, (NavItem("mine.index", "My queue", Role.SPECIALIST, "g m"),))
install_filters(bp)
MINE_ORDER = ("in_progress", "assigned", "pending", "pending_approval")


def _mine(user: Account) -> dict[str, Any]:
    """My active items and their counts by status, for the page and the home panel."""
    items = worklist.my_items(db(), user.id)
    counts = {s: sum(1 for i in items if i.status == s) for s in MINE_ORDER}
    due = sum(1 for i in items if i.follow_up_due)
    return {"items": items, "counts": counts, "due": due}


@bp.route("/my")
@login_required
def index() -> ResponseReturnValue:
    """The specialist's home: what I hold, follow-ups due first, and the Next item button."""
    user = require_user()
    queues = worklist.user_queues(db(), user.id)
    return render_template("mine/index.html", **_mine(user), my_queues=queues)


@bp.route("/next", methods=["POST"])
@login_required
def take_next() -> ResponseReturnValue:
    """Hand me the best open item of my queues (or of one queue) and open it."""
    user = require_user()
    queue = request.form.get("queue", "").strip() or None
    try:
        row = worklist.next_item(db(), user, queues=[queue] if queue else None)
    except WorklistError as exc:
        flash(str(exc), "error")
        return redirect(url_for("mine.index"), code=303)
    if row is None:
        where = f"the {queue} queue" if queue else "your queues"
        flash(f"Nothing is waiting in {where}. Well done.", "info")
        back = url_for("queues.show", name=queue) if queue else url_for("mine.index")
        return redirect(back, code=303)
    return redirect(url_for("items.show", item_id=row.id), code=303)


def _panel(user: Account) -> dict[str, Any]:
    found = _mine(user)
    return {**found, "items": found["items"][:6], "total": len(found["items"])}


def _add_home_panel() -> None:
    """Put 'My work' first on the home page (once, however often the app is built)."""
    template = "mine/panel.html"
    if not any(p.template == template for p in home.PANELS):
        home.PANELS.insert(0, home.Panel("My work", template, _panel))


_add_home_panel()
