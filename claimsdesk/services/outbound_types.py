"""Plain values the outbound services take and return: corrections in, results out, errors.

Every result has to_dict() (JSON-ready: money and dates as text) for the CLI and the web.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any


class OutboundError(Exception):
    """Base of what the outbound services refuse; the message is for a billing specialist."""


class NotFound(OutboundError):
    """No such finding, work item, claim, appeal or outbound claim."""


class Refused(OutboundError):
    """The action does not fit this claim (not appealable, no next payer, late, duplicate)."""


class BadInput(OutboundError):
    """What the user gave cannot be used (empty reason, unknown status, bad amount)."""


class BadCorrection(BadInput):
    """A correction names a line that does not exist or a code that cannot be right."""


class AppealStatus(StrEnum):
    """Where an appeal stands: filed, the payer answered, and how it ended."""

    FILED = "filed"
    RESPONDED = "responded"
    WON = "won"
    LOST = "lost"


class OutboundKind(StrEnum):
    """What an outbound 837 is."""

    CORRECTED = "corrected"  # CLM05-3 7 replacement of a claim the payer adjudicated
    SECONDARY = "secondary"  # the claim to the next payer with the previous payer's result


class OutboundStatus(StrEnum):
    """draft (being built) -> validated or rejected (pyx12) -> exported (written out)."""

    DRAFT = "draft"
    VALIDATED = "validated"
    REJECTED = "rejected"
    EXPORTED = "exported"


def plain(value: Any) -> Any:
    """JSON-ready copy: Decimal and dates as text, enums as values, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


class _ToDict:
    """to_dict() for the result dataclasses."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (money as text with two decimals)."""
        out = plain(self)
        assert isinstance(out, dict)
        return out


# --------------------------------------------------------------------------- corrections


@dataclass(frozen=True, slots=True)
class LineCorrection:
    """Changes to one service line, named by its LX number on the original claim."""

    line: int  # LX01 of the original claim (1-based)
    procedure: str | None = None  # SV101-2 / SV202-2 new procedure code
    modifiers: tuple[str, ...] | None = None  # replace every modifier (SV101-3..6)
    add_modifiers: tuple[str, ...] = ()
    remove_modifiers: tuple[str, ...] = ()
    units: Decimal | None = None  # SV104 / SV205
    charge: Decimal | None = None  # SV102 / SV203 (CLM02 is recomputed)
    diagnosis_pointers: tuple[str, ...] | None = None  # SV107 (837P): '1'..'12'
    revenue_code: str | None = None  # SV201 (837I)
    remove: bool = False  # drop the line from the replacement claim


@dataclass(frozen=True, slots=True)
class Corrections:
    """What the specialist fixes on a claim before it goes back as a replacement (CLM05-3 7)."""

    lines: tuple[LineCorrection, ...] = ()
    diagnoses: tuple[str, ...] | None = None  # replace the ICD-10 codes, principal first
    add_diagnoses: tuple[str, ...] = ()  # append other diagnoses (ABF)
    prior_authorization: str | None = None  # REF*G1; '' removes it
    referral_number: str | None = None  # REF*9F; '' removes it

    @property
    def empty(self) -> bool:
        """True when nothing would change."""
        return not (
            self.lines
            or self.diagnoses is not None
            or self.add_diagnoses
            or self.prior_authorization is not None
            or self.referral_number is not None
        )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class AppealResult(_ToDict):
    """An appeal just filed: the letter as HTML and PDF, and its deadline."""

    id: int
    html: str
    pdf_bytes: bytes
    deadline: dt.date | None  # last day to file with the payer
    status: AppealStatus
    patient_control_number: str
    payer_name: str
    payer_claim_number: str
    level: int
    amount: Decimal
    method: str  # mail / fax / portal / electronic, '' when the payer's route is unknown
    send_to: str  # address block, fax number or portal address
    follow_up_on: dt.date | None  # when to chase the payer's answer
    late: bool  # filed after the deadline (allow_late)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AppealRow(_ToDict):
    """An appeal as lists show it (no letter)."""

    id: int
    finding_id: int | None
    work_item_id: int | None
    submitted_claim_id: int
    patient_control_number: str
    payer_name: str
    payer_claim_number: str
    level: int
    amount: Decimal
    codes: tuple[str, ...]
    method: str
    send_to: str
    deadline: dt.date | None
    follow_up_on: dt.date | None
    status: AppealStatus
    created_by: str | None
    created_at: dt.datetime
    responded_at: dt.datetime | None
    recovered: Decimal | None
    days_left: int | None  # to the deadline (filed appeals), or to the follow-up date


@dataclass(frozen=True, slots=True)
class OutboundResult(_ToDict):
    """An outbound 837 built and checked: its text, and what pyx12 said."""

    id: int
    kind: OutboundKind
    status: OutboundStatus
    submitted_claim_id: int
    patient_control_number: str
    payer_name: str
    payer_responsibility: str
    original_reference: str
    total_charge: Decimal
    interchange_control: str
    source: str  # file (re-read as sent) / database (rebuilt from stored rows)
    x12_text: str
    errors: tuple[str, ...]  # validation errors in plain words ('' when validated)
    changes: tuple[str, ...]
    notes: tuple[str, ...]
    created_by: str | None
    created_at: dt.datetime
    exported_path: str | None = None
    exported_at: dt.datetime | None = None

    @property
    def exportable(self) -> bool:
        """Only a validated claim may be written out."""
        return self.status is OutboundStatus.VALIDATED


@dataclass(frozen=True, slots=True)
class ExportedFile(_ToDict):
    """One outbound claim written to the export folder."""

    id: int
    path: str


@dataclass(frozen=True, slots=True)
class ExportResult(_ToDict):
    """What export() wrote and what it refused, with the reason."""

    written: tuple[ExportedFile, ...]
    refused: tuple[tuple[int, str], ...]


__all__ = [
    "AppealResult",
    "AppealRow",
    "AppealStatus",
    "BadCorrection",
    "BadInput",
    "Corrections",
    "ExportResult",
    "ExportedFile",
    "LineCorrection",
    "NotFound",
    "OutboundError",
    "OutboundKind",
    "OutboundResult",
    "OutboundStatus",
    "Refused",
    "plain",
]
