"""A claim's whole story by patient control number: every submission, remittance, ledger and
finding, with the work items on it. Each view is recorded in the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from claimsdesk.services import worklist
from claimsdesk.services.claim_story import claim_story
from claimsdesk.services.worklist import WorklistError
from claimsdesk.web.db import db
from claimsdesk.web.screens import Screen
from claimsdesk.web.screens.deskview import install_filters, viewed
from claimsdesk.web.screens.story import claim_view
from claimsdesk.web.security import login_required, require_user

bp = Blueprint("claims", __name__, url_prefix="/claims")
SCREEN = Screen(bp)
install_filters(bp)


@bp.route("/<path:pcn>")
@login_required
def show(pcn: str) -> ResponseReturnValue:
    """Everything on file for one claim number."""
    story = claim_story(db(), pcn)
    if story is None:
        abort(404, description=f"Nothing on file for claim number {pcn!r}.")
    try:
        items = worklist.search(db(), pcn) if len(pcn.strip()) >= 2 else []
    except WorklistError:
        items = []
    items = [r for r in items if r.claim == story["claim"]]
    views = [claim_view(story, s["submitted_claim_id"]) for s in story["submissions"]]
    if not views:
        views = [claim_view(story, None)]
    viewed(require_user(), "claim.view", "claim", story["claim"])
    return render_template("claims/show.html", story=story, views=views, items=items)
