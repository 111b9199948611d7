"""Audit log for managers: who did what and when, filtered and paged."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from claimsdesk.services import audit
from claimsdesk.services.users import Role
from claimsdesk.web.db import db
from claimsdesk.web.screens import NavItem, Screen
from claimsdesk.web.security import manager_required

bp = Blueprint("audit_log", __name__, url_prefix="/audit")
SCREEN = Screen(bp, (NavItem("audit_log.index", "Audit log", Role.MANAGER, "g a"),))
PER_PAGE = 50
ACTION_GROUPS = ["login.", "logout", "user.", "token.", "access."]


def _day(raw: str, field: str, errors: list[str]) -> dt.datetime | None:
    """A YYYY-MM-DD box read as midnight UTC; a bad value is reported, not fatal."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(), tzinfo=dt.UTC)
    except ValueError:
        errors.append(f"{field} date {raw!r} is not YYYY-MM-DD; it was ignored.")
        return None


def _filters(args: dict[str, str], errors: list[str]) -> audit.AuditFilter:
    until = _day(args.get("until", ""), "To", errors)
    return audit.AuditFilter(
        username=args.get("user", "").strip() or None,
        action=args.get("action", "").strip() or None,
        object_type=args.get("object_type", "").strip() or None,
        object_id=args.get("object_id", "").strip() or None,
        since=_day(args.get("since", ""), "From", errors),
        until=until + dt.timedelta(days=1) if until else None,  # the To day is included
    )


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


@bp.route("/")
@manager_required
def index() -> ResponseReturnValue:
    """The log, newest first; filters travel in the query string so links can be shared."""
    args = {k: v for k, v in request.args.items() if k != "page"}
    errors: list[str] = []
    page = audit.list_events(
        db(),
        _filters(args, errors),
        page=_page_number(request.args.get("page")),
        per_page=PER_PAGE,
    )
    actions = sorted(set(audit.action_names(db())) | set(ACTION_GROUPS))
    return render_template("audit/index.html", page=page, args=args, actions=actions, errors=errors)
