"""The OpenAPI 3.1 document of the desk's JSON API (/api/openapi.json), written by hand.

tests/web/test_openapi.py checks that every /api route of the app is described here and that
nothing here lacks a route. Money is always a string with two decimals ("125.00").
"""

from __future__ import annotations

from typing import Any

STR: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
BOOL: dict[str, Any] = {"type": "boolean"}
MONEY: dict[str, Any] = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["125.00"]}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
TIME: dict[str, Any] = {"type": "string", "format": "date-time"}
ANY_OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def array(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


def obj(props: dict[str, Any], required: tuple[str, ...] | None = None) -> dict[str, Any]:
    """An object schema; every property is required unless `required` says otherwise."""
    return {
        "type": "object",
        "properties": props,
        "required": list(props if required is None else required),
    }


WORK_ITEM = obj({
    "id": INT, "finding_id": INT, "queue": STR, "queue_title": STR, "team": STR,
    "status": {"type": "string", "enum": ["open", "assigned", "in_progress", "pending",
                                          "pending_approval", "resolved", "closed"]},
    "outcome": nullable(STR), "assignee_id": nullable(INT), "assignee": nullable(STR),
    "score": {"type": "string", "description": "priority 0-100"}, "past_deadline": BOOL,
    "kind": STR, "category": STR, "claim": {**STR, "description": "patient control number"},
    "submitted_claim_id": nullable(INT), "payer_key": STR, "payer_name": STR, "amount": MONEY,
    "codes": array(STR), "deadline": nullable(DATE), "days_left": nullable(INT),
    "follow_up_on": nullable(DATE), "follow_up_due": BOOL, "opened_at": TIME, "updated_at": TIME,
    "age_days": INT, "description": STR, "action": STR,
    "version": {**INT, "description": "send back as 'version' to refuse stale changes"},
})  # fmt: skip

WRITE_OFF = obj({
    "id": INT, "item_id": INT, "submitted_claim_id": INT, "claim": STR, "amount": MONEY,
    "posted_amount": nullable(MONEY), "reason": STR, "note": STR,
    "status": {"type": "string", "enum": ["pending_approval", "posted", "rejected", "cancelled"]},
    "requested_by": nullable(STR), "requested_at": TIME, "decided_by": nullable(STR),
    "decided_at": nullable(TIME), "decision_note": nullable(STR),
})  # fmt: skip

SCHEMAS: dict[str, Any] = {
    "Error": obj({"error": obj({"status": INT, "code": STR, "message": STR})}),
    "User": obj({"id": INT, "username": STR, "display_name": STR,
                 "role": {"type": "string", "enum": ["specialist", "manager", "admin"]}}),
    "WorkItem": WORK_ITEM,
    "ItemPage": obj({"items": array(ref("WorkItem")), "total": INT, "page": INT,
                     "per_page": INT, "pages": INT}),
    "ItemList": obj({"items": array(ref("WorkItem")), "total": INT}),
    "ItemResult": obj({"item": ref("WorkItem")}),
    "NextResult": obj({"item": nullable(ref("WorkItem"))}),
    "Queue": obj({
        "name": STR, "title": STR, "team": STR, "description": STR, "active": INT,
        "unassigned": INT, "dollars": MONEY, "past_deadline": INT,
        "by_status": {"type": "object", "additionalProperties": INT},
        "ages": array(obj({"label": STR, "count": INT, "dollars": MONEY})),
    }),
    "ItemDetail": obj({
        "item": ref("WorkItem"), "finding": ref("Finding"),
        "priority": {**ANY_OBJECT, "description": "score parts and 'explanation' sentences"},
        "history": array(obj({"at": TIME, "user": nullable(STR), "action": STR,
                              "from_status": nullable(STR), "to_status": nullable(STR),
                              "note": STR, "details": ANY_OBJECT})),
        "notes": array(ref("Note")), "write_offs": array(ref("WriteOff")),
        "allowed": array(STR), "claim_story": nullable(ref("ClaimStory")),
    }),
    "Note": obj({"id": INT, "at": TIME, "user": nullable(STR), "text": STR}),
    "WriteOff": WRITE_OFF,
    "WriteOffResult": obj({"write_off": ref("WriteOff"), "item": ref("WorkItem"),
                           "needs_approval": BOOL}),
    "TransferResult": obj({"item": ref("WorkItem"), "amount": MONEY,
                           "self_pay_account_id": INT, "self_pay_total": MONEY,
                           "patient_balance": MONEY}),
    "Finding": {**ANY_OBJECT, "properties": {
        "id": INT, "claim": STR, "kind": STR, "category": STR, "rule": STR, "amount": MONEY,
        "codes": array(STR), "deadline": nullable(DATE), "status": STR, "action": STR,
        "description": STR, "payer": STR, "payer_key": STR, "evidence": ANY_OBJECT}},
    "ClaimStory": {**ANY_OBJECT, "properties": {
        "claim": STR, "state": STR, "submissions": array(ANY_OBJECT),
        "remittances": array(ANY_OBJECT), "findings": nullable(array(ref("Finding")))}},
    "Appeal": obj({
        "id": INT, "finding_id": nullable(INT), "work_item_id": nullable(INT),
        "submitted_claim_id": INT, "patient_control_number": STR, "payer_name": STR,
        "payer_claim_number": STR, "level": INT, "amount": MONEY, "codes": array(STR),
        "method": STR, "send_to": STR, "deadline": nullable(DATE), "follow_up_on": nullable(DATE),
        "status": {"type": "string", "enum": ["filed", "responded", "won", "lost"]},
        "created_by": nullable(STR), "created_at": TIME, "responded_at": nullable(TIME),
        "recovered": nullable(MONEY), "days_left": nullable(INT),
    }),
    "AppealFiled": obj({
        "appeal": {**ANY_OBJECT, "description": "id, html (the letter), deadline, status, "
                   "level, amount, method, send_to, follow_up_on, late, notes"},
        "letter_pdf": {**STR, "description": "URL of the letter as PDF"},
        "item": ref("WorkItem"),
        "item_error": {**STR, "description": "why the item was not resolved (rare)"},
    }, ("appeal", "letter_pdf", "item")),
    "OutboundFiled": obj({
        "outbound": {**ANY_OBJECT, "description": "id, kind, status (validated/rejected), "
                     "x12_text, errors, changes, notes, total_charge ..."},
        "validated": BOOL, "item": ref("WorkItem"), "item_error": STR,
    }, ("outbound", "validated")),
    "Backlog": obj({
        "queue": STR, "queue_title": STR, "assignee_id": nullable(INT),
        "assignee": nullable(STR), "by_status": {"type": "object", "additionalProperties": INT},
        "count": INT, "dollars": MONEY, "past_deadline": INT, "oldest_opened_at": nullable(TIME),
    }),
}  # fmt: skip

ITEM_ID = {"name": "item_id", "in": "path", "required": True, "schema": INT}
APPEAL_ID = {"name": "appeal_id", "in": "path", "required": True, "schema": INT}
WRITE_OFF_ID = {"name": "write_off_id", "in": "path", "required": True, "schema": INT}
VERSION = {"version": {**INT, "description": "the item version you saw (optional)"}}


def query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or STR}  # fmt: skip


LIST_PARAMS = [
    query("page", "page number, from 1", INT),
    query("per_page", "rows per page (at most 200)", INT),
    query("sort", "priority, amount, deadline, age, updated or claim"),
    query("status", "active (default), all, or one status"),
    query("assignee", "me, none (unassigned) or a username"),
    query("payer", "payer id or part of its name"),
    query("kind", "finding kind"),
    query("category", "finding category"),
    query("min_amount", "amount at stake at least", MONEY),
    query("max_amount", "amount at stake at most", MONEY),
]


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    words = {400: "Bad input", 401: "No valid token", 403: "Role or ownership does not allow it",
             404: "Not found", 409: "Not possible from the item's status, or changed meanwhile",
             501: "Not available in this version"}  # fmt: skip
    return {str(c): {"description": words[c], **_json(ref("Error"))} for c in codes}


def op(
    summary: str,
    tag: str,
    result: dict[str, Any],
    *,
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    errors: tuple[int, ...] = (401, 403),
    role: str = "specialist",
    status: str = "200",
) -> dict[str, Any]:
    """One operation: bearer auth, JSON in and out, the shared error shape."""
    out: dict[str, Any] = {
        "summary": summary,
        "tags": [tag],
        "description": f"Needs the {role} role or above.",
        "parameters": params or [],
        "responses": {status: {"description": "OK", **_json(result)}, **_errors(*errors)},
    }
    if body is not None:
        out["requestBody"] = {"required": False, **_json(body)}
    return out


def _action(summary: str, props: dict[str, Any], result: str = "ItemResult",
            required: tuple[str, ...] = ()) -> dict[str, Any]:  # fmt: skip
    return {"post": op(summary, "actions", ref(result), params=[ITEM_ID],
                       body=obj({**props, **VERSION}, required),
                       errors=(400, 401, 403, 404, 409))}  # fmt: skip


def _reads() -> dict[str, Any]:
    """Routes that read: queues, items, claims, findings, search."""
    story_params = [{"name": "pcn", "in": "path", "required": True, "schema": STR}]
    return {
        "/api/me": {"get": op("Who the token belongs to", "reads", ref("User"))},
        "/api/queues": {"get": op("Queues with counts, dollars and age buckets", "reads",
                                  obj({"queues": array(ref("Queue"))}))},
        "/api/queues/{name}/items": {"get": op(
            "One queue's items", "reads", ref("ItemPage"), errors=(400, 401, 403),
            params=[{"name": "name", "in": "path", "required": True, "schema": STR},
                    *LIST_PARAMS])},
        "/api/items": {"get": op("Items of every queue", "reads", ref("ItemPage"),
                                 params=LIST_PARAMS, errors=(400, 401, 403))},
        "/api/items/mine": {"get": op("My active items", "reads", ref("ItemList"))},
        "/api/items/{item_id}": {"get": op("One item with finding, story and history (audited)",
                                           "reads", ref("ItemDetail"), params=[ITEM_ID],
                                           errors=(401, 403, 404))},
        "/api/claims/{pcn}": {"get": op("A claim's story (audited)", "reads", ref("ClaimStory"),
                                        params=story_params, errors=(401, 403, 404))},
        "/api/findings": {"get": op(
            "Findings", "reads", obj({"findings": array(ref("Finding")), "total": INT}),
            errors=(400, 401, 403),
            params=[query("kind", "finding kind"), query("category", "category"),
                    query("payer", "payer id or name"), query("status", "open, closed or all"),
                    query("claim", "patient control number"), query("limit", "at most", INT)])},
        "/api/search": {"get": op("Items by claim number, patient name or payer claim number",
                                  "reads", ref("ItemList"), errors=(400, 401, 403),
                                  params=[{**query("q", "what to find"), "required": True},
                                          query("per_page", "at most this many", INT)])},
    }  # fmt: skip


def _manager() -> dict[str, Any]:
    """Routes for managers: backlog and write-off approvals."""
    return {
        "/api/backlog": {"get": op("Active items per queue and assignee", "manager",
                                   obj({"backlog": array(ref("Backlog"))}), role="manager")},
        "/api/write-offs/pending": {"get": op(
            "Write-offs awaiting approval", "manager",
            obj({"write_offs": array(ref("WriteOff")), "total": INT}), role="manager")},
        "/api/write-offs/{write_off_id}/approve": {"post": op(
            "Approve a write-off", "manager", ref("WriteOffResult"), params=[WRITE_OFF_ID],
            body=obj({"note": STR}, ()), role="manager", errors=(400, 401, 403, 404, 409))},
        "/api/write-offs/{write_off_id}/reject": {"post": op(
            "Reject a write-off", "manager", ref("WriteOffResult"), params=[WRITE_OFF_ID],
            body=obj({"note": STR}), role="manager", errors=(400, 401, 403, 404, 409))},
    }  # fmt: skip


def _actions() -> dict[str, Any]:
    """Routes that act on an item."""
    return {
        "/api/next": {"post": op("Take the next item", "actions", ref("NextResult"),
                                 body=obj({"queue": STR}, ()), errors=(400, 401, 403))},
        "/api/items/{item_id}/start": _action("Start working", {}),
        "/api/items/{item_id}/notes": {"post": op(
            "Add a note", "actions", obj({"note": ref("Note")}), params=[ITEM_ID],
            body=obj({"text": STR}), status="201", errors=(400, 401, 403, 404))},
        "/api/items/{item_id}/follow-up": _action("Set a follow-up date",
                                                  {"on": DATE, "note": STR}, required=("on",)),
        "/api/items/{item_id}/resolve": _action(
            "Resolve with an outcome", {"outcome": STR, "note": STR}, required=("outcome",)),
        "/api/items/{item_id}/reopen": _action("Reopen a resolved item", {"note": STR},
                                               required=("note",)),
        "/api/items/{item_id}/assign": _action("Assign, reassign or unassign",
                                               {"user_id": nullable(INT), "note": STR}),
        "/api/items/{item_id}/write-off": _action(
            "Write off (approval above the limit)", {"reason": STR, "amount": MONEY, "note": STR},
            "WriteOffResult", ("reason",)),
        "/api/items/{item_id}/transfer": _action(
            "Move what payers owe to the patient", {"reason": STR, "amount": MONEY},
            "TransferResult", ("reason",)),
    }  # fmt: skip


def _payers() -> dict[str, Any]:
    """Routes that send something to a payer: appeals, corrected and secondary claims."""
    return {
        "/api/items/{item_id}/appeal": {"post": op(
            "File the appeal letter and resolve the item as appealed", "payers",
            ref("AppealFiled"), params=[ITEM_ID], status="201",
            body=obj({"reason": STR, "allow_late": BOOL}, ("reason",)),
            errors=(400, 401, 403, 404, 409))},
        "/api/items/{item_id}/corrected": {"post": op(
            "Build and check a corrected claim (CLM05-3 7)", "payers", ref("OutboundFiled"),
            params=[ITEM_ID], status="201", errors=(400, 401, 403, 404, 409),
            body=obj({"lines": array(obj({
                "line": INT, "procedure": STR, "modifiers": array(STR),
                "add_modifiers": array(STR), "remove_modifiers": array(STR), "units": STR,
                "charge": MONEY, "diagnosis_pointers": array(STR), "revenue_code": STR,
                "remove": BOOL}, ("line",))),
                "diagnoses": array(STR), "add_diagnoses": array(STR),
                "prior_authorization": STR, "referral_number": STR, "resolve": BOOL}, ()))},
        "/api/items/{item_id}/secondary": {"post": op(
            "Build and check the claim to the next payer", "payers", ref("OutboundFiled"),
            params=[ITEM_ID], status="201", body=obj({"resolve": BOOL}, ()),
            errors=(400, 401, 403, 404, 409))},
        "/api/appeals": {"get": op(
            "Appeals, newest first (due=1: open ones by deadline)", "payers",
            obj({"appeals": array(ref("Appeal")), "total": INT}), errors=(400, 401, 403),
            params=[query("claim", "patient control number"),
                    query("status", "filed, responded, won or lost"),
                    query("due", "any value: open appeals by deadline")])},
        "/api/appeals/{appeal_id}": {"get": op(
            "One appeal", "payers", ref("Appeal"), params=[APPEAL_ID], errors=(401, 403, 404))},
        "/api/appeals/{appeal_id}/letter.pdf": {"get": {
            **op("The letter as filed (PDF, audited)", "payers", STR, params=[APPEAL_ID],
                 errors=(401, 403, 404)),
            "responses": {"200": {"description": "The PDF", "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
                **_errors(401, 403, 404)}}},
    }  # fmt: skip


def paths() -> dict[str, Any]:
    """Every route, by path and method."""
    return {
        **_reads(),
        **_manager(),
        **_actions(),
        **_payers(),
        "/api/openapi.json": {"get": {"summary": "This document", "tags": ["meta"],
                                      "security": [], "responses": {"200": {
                                          "description": "OK", **_json(ANY_OBJECT)}}}},
    }  # fmt: skip


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "claimsdesk denial desk API",
            "version": "1",
            "description": "Work queues, items, actions, claim stories and findings. "
            "Authenticate with an API token: Authorization: Bearer <token>. Errors are "
            '{"error": {"status", "code", "message"}}. Money is a string with two decimals.',
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
