"""JSON API over the same services as the desk: bearer tokens (Authorization: Bearer cdt_...),
one error shape ({"error": {"status", "code", "message"}}), no CSRF (no cookies are read).

Reads live here; actions (note, follow-up, resolve, write-off ...) in api_actions.py, which
adds its routes to this blueprint. Every route is described in claimsdesk/web/openapi.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from claimsdesk.services import account_actions, audit, users, worklist
from claimsdesk.services.audit import Page
from claimsdesk.services.claim_story import claim_story
from claimsdesk.services.findings_query import FilterError, FindingFilter, list_findings
from claimsdesk.services.users import Account, Role
from claimsdesk.services.worklist import BadInput
from claimsdesk.web import csrf
from claimsdesk.web.db import db
from claimsdesk.web.screens import Screen
from claimsdesk.web.screens.deskview import REFUSALS, item_filter, page_number, status_of
from claimsdesk.web.security import ROLE_MARK, public

F = TypeVar("F", bound=Callable[..., Any])
bp = Blueprint("api", __name__, url_prefix="/api")
SCREEN = Screen(bp)
MAX_PER_PAGE = 200
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    501: "not_implemented",
}


def error(status: int, message: str, **extra: Any) -> Response:
    """The one error shape every API failure has."""
    code = CODES.get(status, "server_error")
    body = {"error": {"status": status, "code": code, "message": message}}
    response = jsonify({**body, **extra} if extra else body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="claimsdesk"'
    return response


def api_user() -> Account:
    """The token's account (set by the gate)."""
    return cast(Account, g.api_user)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_required(role: Role = Role.SPECIALIST) -> Callable[[F], F]:
    """Gate an API view on a bearer token of an active user with at least `role`; service
    refusals become JSON errors with their HTTP status."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            token = _bearer()
            if token is None:
                return error(401, "Send an API token: Authorization: Bearer <token>.")
            user = users.user_for_token(db(), token)
            if user is None:
                return error(401, "The API token is unknown, revoked, or its user is inactive.")
            if not user.role.includes(role):
                details = {"path": request.path, "needs": role.value, "via": "api"}
                audit.record(db(), user, "access.denied", "endpoint", request.endpoint, details)
                return error(403, f"This needs the {role.value} role.")
            g.api_user = user
            try:
                return view(*args, **kwargs)
            except REFUSALS as exc:
                return error(status_of(exc), str(exc))

        wrapped.__dict__[ROLE_MARK] = role
        return cast(F, csrf.exempt(wrapped))

    return decorate


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    """aborts and server errors inside the API answer in JSON too."""
    code = exc.code or 500
    message = exc.description if code < 500 else "The server hit an unexpected error."
    return error(code, message or "")


def body() -> dict[str, Any]:
    """The request's JSON object; a 400 when it is not one (an empty body is {})."""
    if not request.get_data():
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadInput("The request body must be a JSON object.")
    return data


def paged(page: Page[Any]) -> dict[str, Any]:
    """A page of rows in the API's list shape."""
    return {
        "items": [row.to_dict() for row in page.items],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
    }


def _per_page() -> int:
    return min(page_number(request.args.get("per_page") or "50"), MAX_PER_PAGE)


def _list_items(queue: str | None) -> ResponseReturnValue:
    errors: list[str] = []
    filters = item_filter(cast(Mapping[str, str], request.args), api_user(), errors)
    if errors:
        raise BadInput(" ".join(errors))
    page = worklist.queue_items(
        db(),
        queue,
        page=page_number(request.args.get("page")),
        per_page=_per_page(),
        filters=filters,
        sort=request.args.get("sort", "priority"),
    )
    return jsonify(paged(page))


def _viewed(action: str, object_type: str, object_id: object) -> None:
    details = {"ip": request.remote_addr or "", "via": "api"}
    audit.record(db(), api_user(), action, object_type, str(object_id), details)


# --------------------------------------------------------------------------- reads


@bp.get("/me")
@token_required()
def me() -> ResponseReturnValue:
    """Who the token belongs to."""
    user = api_user()
    return jsonify({"id": user.id, "username": user.username, "role": user.role.value,
                    "display_name": user.display_name})  # fmt: skip


@bp.get("/queues")
@token_required()
def queues() -> ResponseReturnValue:
    """Every queue with its active counts, dollars and age buckets."""
    return jsonify({"queues": [q.to_dict() for q in worklist.list_queues(db())]})


@bp.get("/queues/<name>/items")
@token_required()
def queue_items(name: str) -> ResponseReturnValue:
    """One queue's items, filtered, sorted and paged."""
    return _list_items(name)


@bp.get("/items")
@token_required()
def items() -> ResponseReturnValue:
    """Items of every queue, filtered, sorted and paged."""
    return _list_items(None)


@bp.get("/items/mine")
@token_required()
def my_items() -> ResponseReturnValue:
    """The caller's active items, follow-ups due first."""
    rows = worklist.my_items(db(), api_user().id)
    return jsonify({"items": [r.to_dict() for r in rows], "total": len(rows)})


@bp.get("/items/<int:item_id>")
@token_required()
def item(item_id: int) -> ResponseReturnValue:
    """One item with its finding, claim story, score parts, history and notes (audited)."""
    detail = worklist.item_detail(db(), item_id)
    _viewed("item.view", "work_item", item_id)
    return jsonify(detail.to_dict())


@bp.get("/claims/<path:pcn>")
@token_required()
def claim(pcn: str) -> ResponseReturnValue:
    """A claim's story by patient control number (audited)."""
    story = claim_story(db(), pcn)
    if story is None:
        return error(404, f"Nothing on file for claim number {pcn!r}.")
    _viewed("claim.view", "claim", story["claim"])
    return jsonify(story)


@bp.get("/findings")
@token_required()
def findings() -> ResponseReturnValue:
    """Findings by kind, category, payer, status and claim (nearest deadline first)."""
    args = request.args
    limit = min(page_number(args.get("limit") or "100"), 1000)
    filters = FindingFilter(
        kind=args.get("kind") or None,
        category=args.get("category") or None,
        payer=args.get("payer") or None,
        status=args.get("status") or "open",
        claim=args.get("claim") or None,
        limit=limit,
    )
    try:
        found = list_findings(db(), filters)
    except FilterError as exc:
        return error(400, str(exc))
    return jsonify({"findings": [f.to_dict() for f in found], "total": len(found)})


@bp.get("/search")
@token_required()
def search() -> ResponseReturnValue:
    """Items by patient control number, patient name or payer claim number."""
    rows = worklist.search(db(), request.args.get("q", ""), limit=_per_page())
    return jsonify({"items": [r.to_dict() for r in rows], "total": len(rows)})


@bp.get("/backlog")
@token_required(Role.MANAGER)
def backlog() -> ResponseReturnValue:
    """Active items per queue and assignee."""
    return jsonify({"backlog": [r.to_dict() for r in worklist.backlog_by_queue_and_user(db())]})


@bp.get("/write-offs/pending")
@token_required(Role.MANAGER)
def pending_write_offs() -> ResponseReturnValue:
    """Write-offs awaiting a manager's approval, oldest first."""
    rows = account_actions.pending_write_offs(db())
    return jsonify({"write_offs": [w.to_dict() for w in rows], "total": len(rows)})


@bp.get("/openapi.json")
@public
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 document of this API."""
    from claimsdesk.web.openapi import document

    return jsonify(document())


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@csrf.exempt
@public
def unknown(rest: str) -> ResponseReturnValue:
    """Anything else under /api/: 404, or 405 when the path exists with other methods."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except (NotFound, MethodNotAllowed):
            continue
        if endpoint != "api.unknown":
            allowed.append(method)
    if allowed:
        response = error(405, f"{request.method} is not allowed here; use {', '.join(allowed)}.")
        response.headers["Allow"] = ", ".join(allowed)
        return response
    return error(404, f"No API route {request.path}; see /api/openapi.json.")
