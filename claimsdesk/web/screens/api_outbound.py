"""JSON API for what goes to payers: appeals (file, list, one, the letter as PDF), corrected
claims and claims to the next payer (built and checked by pyx12; the item is resolved only
for an appeal, or when "resolve": true and the 837 was accepted)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import jsonify, make_response, request, url_for
from flask.typing import ResponseReturnValue

from claimsdesk.services import appeals, audit, resubmission, worklist
from claimsdesk.services.outbound_types import (
    AppealStatus,
    Corrections,
    LineCorrection,
    OutboundResult,
)
from claimsdesk.services.worklist import BadInput, Outcome, WorklistError
from claimsdesk.web.db import db
from claimsdesk.web.screens.api import api_user, body, bp, token_required
from claimsdesk.web.screens.item_outbound import OUTCOME_OF_KIND, workable
from claimsdesk.web.security import client_context

LINE_FIELDS = ("procedure", "modifiers", "add_modifiers", "remove_modifiers", "units", "charge",
               "diagnosis_pointers", "revenue_code", "remove")  # fmt: skip


def _resolved(item_id: int, outcome: Outcome, note: str) -> dict[str, Any]:
    """Resolve the item after something was sent; say so when that is refused."""
    try:
        row = worklist.resolve(db(), item_id, outcome, user=api_user(), note=note)
    except WorklistError as exc:
        return {"item": worklist.item_row(db(), item_id).to_dict(), "item_error": str(exc)}
    return {"item": row.to_dict()}


@bp.post("/items/<int:item_id>/appeal")
@token_required()
def file_appeal(item_id: int) -> ResponseReturnValue:
    """File the appeal letter ({"reason": "...", "allow_late": false}); the item is resolved
    as appealed. The letter comes back as HTML; the PDF is at letter_pdf."""
    data = body()
    reason = data.get("reason", "")
    if not isinstance(reason, str):
        raise BadInput('"reason" must be a string.')
    workable(item_id, api_user())
    result = appeals.file_appeal(
        db(), user=api_user(), reason_text=reason, item_id=item_id,
        allow_late=data.get("allow_late") is True,
    )  # fmt: skip
    appeal = {k: v for k, v in result.to_dict().items() if k != "pdf_bytes"}
    pdf = url_for("api.appeal_pdf", appeal_id=result.id)
    done = _resolved(item_id, Outcome.APPEALED, f"appeal {result.id} filed")
    return jsonify({"appeal": appeal, "letter_pdf": pdf, **done}), 201


@bp.get("/appeals")
@token_required()
def list_appeals() -> ResponseReturnValue:
    """Appeals, newest first, by claim ("claim") and status; "due" lists open ones by date."""
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in AppealStatus}:
        raise BadInput(f"Unknown appeal status {status!r}.")
    if request.args.get("due"):
        rows = appeals.appeals_due(db())
    else:
        rows = appeals.list_appeals(db(), pcn=request.args.get("claim") or None, status=status)
    return jsonify({"appeals": [r.to_dict() for r in rows], "total": len(rows)})


@bp.get("/appeals/<int:appeal_id>")
@token_required()
def get_appeal(appeal_id: int) -> ResponseReturnValue:
    """One appeal (without the letter)."""
    return jsonify(appeals.get_appeal(db(), appeal_id).to_dict())


@bp.get("/appeals/<int:appeal_id>/letter.pdf")
@token_required()
def appeal_pdf(appeal_id: int) -> ResponseReturnValue:
    """The letter as filed, as a PDF (recorded in the audit log)."""
    row = appeals.get_appeal(db(), appeal_id)
    _html, pdf = appeals.appeal_documents(db(), appeal_id)
    details = {**client_context(), "via": "api", "claim": row.patient_control_number}
    audit.record(db(), api_user(), "appeal.download", "appeal", str(appeal_id), details)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    name = f"appeal-{row.patient_control_number}-{appeal_id}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _outbound(item_id: int, result: OutboundResult, resolve: bool) -> ResponseReturnValue:
    out: dict[str, Any] = {"outbound": result.to_dict(), "validated": result.exportable}
    if resolve and result.exportable:
        outcome = OUTCOME_OF_KIND[result.kind.value]
        out.update(_resolved(item_id, outcome, f"{result.kind.value} claim {result.id} validated"))
    return jsonify(out), 201


@bp.post("/items/<int:item_id>/secondary")
@token_required()
def bill_secondary(item_id: int) -> ResponseReturnValue:
    """Build and check the claim to the next payer ({"resolve": true} to resolve the item
    as billed to the next payer when pyx12 accepts it)."""
    data = body()
    workable(item_id, api_user())
    result = resubmission.bill_secondary(db(), user=api_user(), item_id=item_id)
    return _outbound(item_id, result, data.get("resolve") is True)


@bp.post("/items/<int:item_id>/corrected")
@token_required()
def corrected(item_id: int) -> ResponseReturnValue:
    """Build and check a replacement claim from {"lines": [{"line": 1, "add_modifiers":
    ["25"]}], "diagnoses": [...], "prior_authorization": "...", "resolve": true}."""
    data = body()
    workable(item_id, api_user())
    fixes = corrections_of(data)
    result = resubmission.correct_claim(db(), corrections=fixes, user=api_user(), item_id=item_id)
    return _outbound(item_id, result, data.get("resolve") is True)


def _codes(value: Any, what: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadInput(f'"{what}" must be a list of strings.')
    return tuple(v.strip().upper() for v in value)


def _decimal(value: Any, what: str) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(f'"{what}" must be a string like "2" or "230.00".')
    try:
        return Decimal(value)
    except InvalidOperation:
        raise BadInput(f'"{what}" {value!r} is not a number.') from None


def _line(raw: Any) -> LineCorrection:
    if not isinstance(raw, dict) or not isinstance(raw.get("line"), int):
        raise BadInput('Each of "lines" must be an object with "line" (the LX number).')
    unknown = set(raw) - {"line", *LINE_FIELDS}
    if unknown:
        raise BadInput(f"Unknown line field {sorted(unknown)[0]!r}.")
    return LineCorrection(
        line=raw["line"],
        procedure=raw.get("procedure"),
        modifiers=_codes(raw.get("modifiers"), "modifiers"),
        add_modifiers=_codes(raw.get("add_modifiers"), "add_modifiers") or (),
        remove_modifiers=_codes(raw.get("remove_modifiers"), "remove_modifiers") or (),
        units=_decimal(raw.get("units"), "units"),
        charge=_decimal(raw.get("charge"), "charge"),
        diagnosis_pointers=_codes(raw.get("diagnosis_pointers"), "diagnosis_pointers"),
        revenue_code=raw.get("revenue_code"),
        remove=raw.get("remove") is True,
    )


def corrections_of(data: dict[str, Any]) -> Corrections:
    """Corrections from a JSON body."""
    lines = data.get("lines") or []
    if not isinstance(lines, list):
        raise BadInput('"lines" must be a list.')
    found = Corrections(
        lines=tuple(_line(x) for x in lines),
        diagnoses=_codes(data.get("diagnoses"), "diagnoses"),
        add_diagnoses=_codes(data.get("add_diagnoses"), "add_diagnoses") or (),
        prior_authorization=data.get("prior_authorization"),
        referral_number=data.get("referral_number"),
    )
    if found.empty:
        raise BadInput("Nothing to correct: give lines, diagnoses or an authorization.")
    return found
