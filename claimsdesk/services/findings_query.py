"""Reading findings back: filtered lists for the CLI and the desk, and one claim's story."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from claimsdesk.domain.findings import REGISTRY, FindingKind, FindingStatus
from claimsdesk.services.findings_store import FINDINGS

STATUSES = ("open", "closed", "all")
F = FINDINGS.c


class FilterError(ValueError):
    """A filter value that cannot match anything (unknown kind, category or status)."""


@dataclass(frozen=True, slots=True)
class FindingFilter:
    """What to list; None = any."""

    kind: str | None = None
    category: str | None = None
    payer: str | None = None  # payer id (SXBLW), key (id:SXBLW) or part of the name
    status: str = "open"  # open / closed / all
    claim: str | None = None  # patient control number
    limit: int | None = None

    def check(self) -> None:
        """Refuse values no finding can have, naming the valid ones."""
        if self.status not in STATUSES:
            raise FilterError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")
        kinds = [k.value for k in FindingKind]
        if self.kind is not None and self.kind not in kinds:
            raise FilterError(f"kind must be one of {', '.join(kinds)}, not {self.kind!r}")
        if self.category is not None and self.category not in known_categories():
            raise FilterError(
                f"unknown category {self.category!r}; known: {', '.join(known_categories())}"
            )


def known_categories() -> list[str]:
    """Every category a registered rule can produce, sorted."""
    return sorted({c for rule in REGISTRY.values() for c in rule.categories})


@dataclass(frozen=True, slots=True)
class FindingItem:
    """One finding as the CLI and the desk show it."""

    id: int
    claim: str  # patient control number
    kind: str
    category: str
    rule: str
    amount: Decimal
    codes: list[str]
    deadline: dt.date | None
    status: str
    action: str
    description: str
    payer: str
    payer_key: str
    evidence: dict[str, Any]
    closed_reason: str | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_claim_id: int | None
    claim_payment_id: int | None
    claim_line_id: int | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: amount as a 2-decimal string, dates ISO."""
        return {
            "id": self.id,
            "claim": self.claim,
            "kind": self.kind,
            "category": self.category,
            "rule": self.rule,
            "amount": f"{self.amount:.2f}",
            "codes": list(self.codes),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "status": self.status,
            "action": self.action,
            "description": self.description,
            "payer": self.payer,
            "payer_key": self.payer_key,
            "evidence": self.evidence,
            "closed_reason": self.closed_reason,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "submitted_claim_id": self.submitted_claim_id,
            "claim_payment_id": self.claim_payment_id,
        }


COLUMNS = (
    F.id, F.patient_control_number, F.kind, F.category, F.rule, F.amount, F.codes, F.deadline,
    F.status, F.action, F.description, F.payer_name, F.payer_key, F.evidence, F.closed_reason,
    F.closed_at, F.created_at, F.updated_at, F.submitted_claim_id, F.claim_payment_id,
    F.claim_line_id,
)  # fmt: skip


def list_findings(session: Session, filters: FindingFilter | None = None) -> list[FindingItem]:
    """Findings matching the filters: nearest deadline first, then the most money."""
    filters = filters or FindingFilter()
    filters.check()
    query = select(*COLUMNS).where(*_conditions(filters))
    query = query.order_by(
        F.deadline.is_(None), F.deadline, F.amount.desc(), F.patient_control_number, F.id
    )
    if filters.limit is not None:
        query = query.limit(filters.limit)
    return [_item(row) for row in session.execute(query)]


def _conditions(filters: FindingFilter) -> list[ColumnElement[bool]]:
    """WHERE terms for the filters given."""
    terms: list[ColumnElement[bool]] = []
    if filters.status != "all":
        terms.append(F.status == FindingStatus(filters.status).value)
    if filters.kind:
        terms.append(F.kind == filters.kind)
    if filters.category:
        terms.append(F.category == filters.category)
    if filters.claim:
        terms.append(F.patient_control_number == filters.claim.strip())
    if filters.payer:
        text = filters.payer.strip()
        terms.append(
            or_(
                F.payer_key.in_((text, f"id:{text}", f"id:{text.upper()}")),
                func.lower(F.payer_name).contains(text.lower(), autoescape=True),
            )
        )
    return terms


def _item(row: Any) -> FindingItem:
    """A result row (COLUMNS order) as an item."""
    values: tuple[Any, ...] = tuple(row)
    return FindingItem(*values)


def findings_for_claim(session: Session, submitted_claim_id: int) -> list[FindingItem]:
    """Every finding (open and closed) about one submitted claim, oldest first."""
    query = (
        select(*COLUMNS)
        .where(F.submitted_claim_id == submitted_claim_id)
        .order_by(F.created_at, F.id)
    )
    return [_item(row) for row in session.execute(query)]


__all__ = [
    "FilterError",
    "FindingFilter",
    "FindingItem",
    "findings_for_claim",
    "known_categories",
    "list_findings",
]
