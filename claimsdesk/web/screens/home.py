"""Home: the page a specialist lands on; later screens add panels to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from claimsdesk.services import audit
from claimsdesk.services.users import Account, Role
from claimsdesk.web.db import db
from claimsdesk.web.screens import NavItem, Screen
from claimsdesk.web.security import login_required, require_user

bp = Blueprint("home", __name__)
SCREEN = Screen(bp, (NavItem("home.index", "Home", Role.SPECIALIST, "g h"),))


@dataclass(frozen=True, slots=True)
class Panel:
    """A box on the home page: a template fed by a function of the signed-in user."""

    title: str
    template: str
    context: Callable[[Account], dict[str, Any]]
    min_role: Role = Role.SPECIALIST


def _recent_activity(user: Account) -> dict[str, Any]:
    page = audit.list_events(db(), audit.AuditFilter(username=user.username), per_page=8)
    return {"events": page.items}


PANELS: list[Panel] = [
    Panel("Your recent activity", "home/panel_activity.html", _recent_activity),
]


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """Dashboard shell: each panel the user's role may see, in order."""
    user = require_user()
    shown = [(panel, panel.context(user)) for panel in PANELS if user.role.includes(panel.min_role)]
    return render_template("home/index.html", panels=shown)
