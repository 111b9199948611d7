"""What a rule hands back: a finding not yet stored, with the fingerprint that dedupes it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from claimsdesk.domain.views import ZERO


class FindingKind(StrEnum):
    """Work queue a finding lands in."""

    DENIAL = "denial"
    UNDERPAYMENT = "underpayment"
    CODING = "coding"
    COB = "cob"
    NO_RESPONSE = "no_response"
    REMITTANCE = "remittance"


class FindingStatus(StrEnum):
    """Open until a later remittance, a fix or a re-analysis settles it."""

    OPEN = "open"
    CLOSED = "closed"


Evidence = Mapping[str, Any]
"""JSON-ready values only (str, int, bool, list, dict): money and dates as strings."""


@dataclass(frozen=True, slots=True)
class FindingDraft:
    """One problem a rule found; the analysis service upserts it by fingerprint."""

    rule: str  # registry name, e.g. "denial" or "coding.recoded"
    kind: FindingKind
    category: str  # DenialCategory value for denials, else the rule's sub-kind
    subject: str  # what the finding is about: "claim:12/payer:SXBLW/line:40", "payment:7"
    amount: Decimal  # at stake, to the cent
    description: str  # plain words
    action: str  # suggested next step, plain words
    submitted_claim_id: int | None = None
    claim_line_id: int | None = None
    claim_payment_id: int | None = None
    patient_control_number: str = ""
    payer_key: str = ""
    payer_name: str = ""
    codes: tuple[str, ...] = ()  # "CO-197", "N54", check ids
    evidence: Evidence = field(default_factory=dict)
    deadline: dt.date | None = None

    @property
    def fingerprint(self) -> str:
        """Same rule, subject and codes -> same finding, so a re-run updates, never duplicates."""
        return fingerprint(self.rule, self.subject, self.codes)


def fingerprint(rule: str, subject: str, codes: Iterable[str]) -> str:
    """Stable 40-hex id of a finding (SHA-1 is fine: this is a key, not a secret)."""
    text = "|".join((rule, subject, ",".join(codes)))
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def claim_subject(claim_id: int, payer_key: str = "", line: int | str | None = None) -> str:
    """Subject of a claim finding, narrowed to a payer and a line when given."""
    parts = [f"claim:{claim_id}"]
    if payer_key:
        parts.append(f"payer:{payer_key}")
    if line is not None:
        parts.append(f"line:{line}")
    return "/".join(parts)


def payment_subject(claim_payment_id: int) -> str:
    """Subject of a remittance finding (a CLP loop or an EOB)."""
    return f"payment:{claim_payment_id}"


def money(value: Decimal | None) -> str | None:
    """Money as evidence text with two places (None stays None)."""
    return None if value is None else f"{value.quantize(Decimal('0.01'))}"


def day(value: dt.date | None) -> str | None:
    """A date as evidence text (ISO)."""
    return None if value is None else value.isoformat()


def total(values: Iterable[Decimal]) -> Decimal:
    """Decimal sum starting from 0.00."""
    return sum(values, ZERO)


__all__ = [
    "Evidence",
    "FindingDraft",
    "FindingKind",
    "FindingStatus",
    "claim_subject",
    "day",
    "fingerprint",
    "money",
    "payment_subject",
    "total",
]
