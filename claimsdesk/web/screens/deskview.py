"""Glue the denial-desk screens share: service errors as HTTP statuses, query-string filters,
and the template filters that put money, codes and days in plain words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from claimsdesk.services import audit, users, worklist
from claimsdesk.services.account_actions import Unavailable
from claimsdesk.services.outbound_types import BadCorrection, OutboundError, Refused
from claimsdesk.services.outbound_types import BadInput as OutboundBadInput
from claimsdesk.services.outbound_types import NotFound as OutboundNotFound
from claimsdesk.services.users import Account
from claimsdesk.services.worklist import (
    BadInput,
    Conflict,
    IllegalTransition,
    ItemFilter,
    ItemNotFound,
    ItemStatus,
    NotAllowed,
    Outcome,
    WorklistError,
    WriteOffReason,
)
from claimsdesk.web.db import db
from claimsdesk.web.security import client_context
from payer_rules import describe_adjustment, describe_rarc
from payer_rules.codes import is_rarc

PER_PAGE = 50
STATUS_CHOICES = ("active", *(s.value for s in ItemStatus), "all")

OUTCOME_WORDS = {
    Outcome.APPEALED: "Appealed",
    Outcome.CORRECTED_RESUBMITTED: "Corrected claim sent",
    Outcome.BILLED_NEXT_PAYER: "Billed the next payer",
    Outcome.WRITTEN_OFF: "Written off",
    Outcome.MOVED_TO_PATIENT: "Moved to the patient",
    Outcome.PAID_ON_RECHECK: "Paid on recheck",
    Outcome.NO_ACTION_NEEDED: "No action needed",
}
RESOLVE_OUTCOMES = (
    Outcome.PAID_ON_RECHECK,
    Outcome.NO_ACTION_NEEDED,
    Outcome.APPEALED,
    Outcome.CORRECTED_RESUBMITTED,
    Outcome.BILLED_NEXT_PAYER,
)
"""Outcomes a plain resolve may set, most common first (write-off and transfer post)."""

REASON_WORDS = {
    WriteOffReason.SMALL_BALANCE: "Small balance",
    WriteOffReason.TIMELY_FILING: "Timely filing (past the limit)",
    WriteOffReason.NO_AUTHORIZATION: "No authorization",
    WriteOffReason.NOT_COVERED: "Not covered",
    WriteOffReason.APPEAL_EXHAUSTED: "Appeals exhausted",
    WriteOffReason.UNCOLLECTIBLE: "Uncollectible",
    WriteOffReason.ADMINISTRATIVE: "Administrative",
}

REFUSALS = (WorklistError, OutboundError)
"""Service errors whose message is fit for the screen (and the API's error body)."""

_STATUS: dict[type[Exception], int] = {
    BadInput: 400,
    OutboundBadInput: 400,
    BadCorrection: 400,
    NotAllowed: 403,
    ItemNotFound: 404,
    OutboundNotFound: 404,
    IllegalTransition: 409,
    Conflict: 409,
    Refused: 409,
    Unavailable: 501,
}


def status_of(exc: Exception) -> int:
    """HTTP status of a service refusal (400 for any other one)."""
    for kind, code in _STATUS.items():
        if isinstance(exc, kind):
            return code
    return 400


def viewed(user: Account, what: str, object_type: str, object_id: object, **details: Any) -> None:
    """Record that someone looked at a claim or an item (the audit trail of who saw what)."""
    audit.record(db(), user, what, object_type, str(object_id), {**client_context(), **details})


# --------------------------------------------------------------------------- query strings


def page_number(raw: str | None) -> int:
    """?page=N, at least 1; junk reads as 1."""
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


def parse_money(raw: str | None, label: str, errors: list[str]) -> Decimal | None:
    """An amount box ('1,250.00' or '$90'); a bad value is reported and ignored."""
    text = (raw or "").strip().replace(",", "").lstrip("$")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(f"{label} {raw!r} is not an amount like 125.00; it was ignored.")
        return None
    if not value.is_finite():
        errors.append(f"{label} {raw!r} is not an amount like 125.00; it was ignored.")
        return None
    return value


def parse_day(raw: str | None) -> dt.date | None:
    """A YYYY-MM-DD value, or None when empty or malformed (the service then says why)."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_version(raw: object) -> int | None:
    """The item version a form or request carried, for the services' stale-change check."""
    try:
        return int(str(raw)) if raw not in (None, "") else None
    except ValueError:
        return None


def item_filter(args: Mapping[str, str], me: Account, errors: list[str]) -> ItemFilter:
    """ItemFilter from query-string boxes: payer, category, amounts, status, assignee."""
    status = args.get("status", "").strip() or "active"
    if status not in STATUS_CHOICES:
        errors.append(f"Status {status!r} is unknown; showing active items.")
        status = "active"
    who = args.get("assignee", "").strip().lower()
    assignee_id, unassigned = None, False
    if who == "me":
        assignee_id = me.id
    elif who == "none":
        unassigned = True
    elif who:
        found = users.find_account(db(), who)
        if found is None:
            errors.append(f"No user named {who!r}; the assignee filter was ignored.")
        else:
            assignee_id = found.id
    return ItemFilter(
        status=status,
        assignee_id=assignee_id,
        unassigned=unassigned,
        payer=args.get("payer", "").strip() or None,
        kind=args.get("kind", "").strip() or None,
        category=args.get("category", "").strip() or None,
        min_amount=parse_money(args.get("min_amount"), "Minimum amount", errors),
        max_amount=parse_money(args.get("max_amount"), "Maximum amount", errors),
    )


def active_people() -> list[Account]:
    """Who work can be given to: active accounts, by name."""
    found = [a for a in users.list_accounts(db()) if a.active]
    return sorted(found, key=lambda a: a.display_name.lower())


# --------------------------------------------------------------------------- template filters


def money(value: object) -> str:
    """1250 -> '1,250.00'; None or '' -> an em dash."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f}"


def words(value: object) -> str:
    """'in_progress' -> 'in progress'."""
    return "" if value is None else str(value).replace("_", " ")


def days_phrase(days: int | None) -> str:
    """Days to a deadline in words: 'in 5 days', 'today', '12 days ago'."""
    if days is None:
        return "no deadline"
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day{'s' * (days != 1)}"
    return f"{-days} day{'s' * (days != -1)} ago"


def code_meaning(code: str) -> str:
    """'CO-4' or 'N115' in plain words; anything else as it is."""
    group, _, reason = code.partition("-")
    if reason and group.isalpha():
        return describe_adjustment(group, reason)
    if is_rarc(code):
        return describe_rarc(code)
    return code


def outcome_words(value: object) -> str:
    """An outcome value in the words the desk shows."""
    try:
        return OUTCOME_WORDS[Outcome(str(value))]
    except ValueError:
        return words(value)


def install_filters(bp: Blueprint) -> None:
    """Make the filters and choices available to every template once bp is registered."""

    def install(state: BlueprintSetupState) -> None:
        env = state.app.jinja_env
        env.filters.update(
            money=money,
            words=words,
            days_phrase=days_phrase,
            code_meaning=code_meaning,
            outcome_words=outcome_words,
        )
        env.globals.update(
            WRITE_OFF_REASONS=REASON_WORDS,
            RESOLVE_OUTCOMES=RESOLVE_OUTCOMES,
            ITEM_SORTS=worklist.SORTS,
            STATUS_CHOICES=STATUS_CHOICES,
        )

    bp.record_once(install)
