"""JSON API actions on work items: next, start, note, follow-up, resolve, reopen, assign,
write-off (with approval), transfer to patient. Each answers with the item as it now is.

Bodies are JSON objects; "version" (optional) is the item version the caller saw, so a change
someone made in between is refused with 409 instead of overwritten.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from claimsdesk.services import account_actions, worklist
from claimsdesk.services.users import Role
from claimsdesk.services.worklist import BadInput
from claimsdesk.web.db import db
from claimsdesk.web.screens.api import api_user, body, bp, token_required
from claimsdesk.web.screens.deskview import parse_day, parse_version


def _text(data: dict[str, Any], name: str, default: str = "") -> str:
    value = data.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise BadInput(f"{name!r} must be a string.")
    return value


def _amount(data: dict[str, Any]) -> str | None:
    """An amount given as a string ("125.00"); numbers are refused so cents stay exact."""
    value = data.get("amount")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadInput('"amount" must be a string like "125.00" (no floats for money).')
    return value


def _version(data: dict[str, Any]) -> int | None:
    return parse_version(data.get("version"))


@bp.post("/next")
@token_required()
def next_item() -> ResponseReturnValue:
    """Take the best open item of the caller's queues (or of "queue"); item null when none."""
    data = body()
    queue = _text(data, "queue").strip()
    row = worklist.next_item(db(), api_user(), queues=[queue] if queue else None)
    return jsonify({"item": row.to_dict() if row else None})


@bp.post("/items/<int:item_id>/start")
@token_required()
def start(item_id: int) -> ResponseReturnValue:
    """Start working an item (an open one is taken at the same time)."""
    data = body()
    row = worklist.start(db(), item_id, user=api_user(), expected_version=_version(data))
    return jsonify({"item": row.to_dict()})


@bp.post("/items/<int:item_id>/notes")
@token_required()
def add_note(item_id: int) -> ResponseReturnValue:
    """Leave a note: {"text": "..."}."""
    note = worklist.add_note(db(), item_id, _text(body(), "text"), user=api_user())
    return jsonify({"note": note.to_dict()}), 201


@bp.post("/items/<int:item_id>/follow-up")
@token_required()
def follow_up(item_id: int) -> ResponseReturnValue:
    """Park an item until a date: {"on": "YYYY-MM-DD", "note": "..."}."""
    data = body()
    day = parse_day(_text(data, "on"))
    if day is None:
        raise BadInput('"on" must be a date like 2026-12-01.')
    row = worklist.set_follow_up(
        db(),
        item_id,
        day,
        user=api_user(),
        note=_text(data, "note"),
        expected_version=_version(data),
    )
    return jsonify({"item": row.to_dict()})


@bp.post("/items/<int:item_id>/resolve")
@token_required()
def resolve(item_id: int) -> ResponseReturnValue:
    """Settle an item: {"outcome": "paid_on_recheck", "note": "..."}."""
    data = body()
    row = worklist.resolve(
        db(),
        item_id,
        _text(data, "outcome"),
        user=api_user(),
        note=_text(data, "note"),
        expected_version=_version(data),
    )
    return jsonify({"item": row.to_dict()})


@bp.post("/items/<int:item_id>/reopen")
@token_required()
def reopen(item_id: int) -> ResponseReturnValue:
    """Take a resolved item back into work: {"note": "why"}."""
    data = body()
    row = worklist.reopen(
        db(), item_id, user=api_user(), note=_text(data, "note"), expected_version=_version(data)
    )
    return jsonify({"item": row.to_dict()})


@bp.post("/items/<int:item_id>/assign")
@token_required()
def assign(item_id: int) -> ResponseReturnValue:
    """Give an item to {"user_id": N} or back to the queue ({"user_id": null}); managers move
    anything, specialists take free work or give back their own."""
    data = body()
    target = data.get("user_id")
    if target is not None and (not isinstance(target, int) or isinstance(target, bool)):
        raise BadInput('"user_id" must be a user id (integer) or null.')
    row = worklist.assign(
        db(),
        item_id,
        target,
        by=api_user(),
        note=_text(data, "note"),
        expected_version=_version(data),
    )
    return jsonify({"item": row.to_dict()})


@bp.post("/items/<int:item_id>/write-off")
@token_required()
def write_off(item_id: int) -> ResponseReturnValue:
    """Write off: {"reason": "small_balance", "amount": "12.00", "note": "..."}; above the
    approval limit the item waits for a manager (needs_approval true)."""
    data = body()
    result = account_actions.write_off(
        db(),
        item_id,
        reason=_text(data, "reason"),
        user=api_user(),
        amount=_amount(data),
        note=_text(data, "note"),
        expected_version=_version(data),
    )
    return jsonify(result.to_dict())


@bp.post("/items/<int:item_id>/transfer")
@token_required()
def transfer(item_id: int) -> ResponseReturnValue:
    """Move what payers still owe (or "amount") to the patient: {"reason": "..."}."""
    data = body()
    result = account_actions.transfer_to_patient(
        db(),
        item_id,
        reason=_text(data, "reason"),
        user=api_user(),
        amount=_amount(data),
        expected_version=_version(data),
    )
    return jsonify(result.to_dict())


@bp.post("/write-offs/<int:write_off_id>/approve")
@token_required(Role.MANAGER)
def approve_write_off(write_off_id: int) -> ResponseReturnValue:
    """A manager approves a pending write-off: it posts and the item is resolved."""
    result = account_actions.approve_write_off(
        db(), write_off_id, user=api_user(), note=_text(body(), "note")
    )
    return jsonify(result.to_dict())


@bp.post("/write-offs/<int:write_off_id>/reject")
@token_required(Role.MANAGER)
def reject_write_off(write_off_id: int) -> ResponseReturnValue:
    """A manager rejects a pending write-off, saying why: {"note": "..."}."""
    result = account_actions.reject_write_off(
        db(), write_off_id, user=api_user(), note=_text(body(), "note")
    )
    return jsonify(result.to_dict())
