"""Where outbound work starts: the finding or work item, the claim as sent, the payer's answer.

The claim as sent is re-read from its import file when that file is still where the import
left it (moved_to, else path) with the same SHA-256: the record is then exactly what went
out, every loop included. Otherwise it is rebuilt from the stored rows (outbound_rebuild),
which keep less (no pay-to address, 2330A names from coverages on file); the 837 gate
then says whether what was rebuilt is still a valid claim.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimsdesk.services.claim_views import payer_key_of
from claimsdesk.services.import_files import hash_file
from claimsdesk.services.matching import pcn_variants, split_codes
from claimsdesk.services.outbound_types import NotFound, Refused
from claimsdesk.storage.models.analysis import ClaimMatch, LineMatch
from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.findings import Finding
from claimsdesk.storage.models.ingest import (
    ClaimAdjustment,
    ClaimLine,
    ClaimPayment,
    ImportFile,
    Interchange,
    Payer,
    RemarkCode,
    Remittance,
    ServicePayment,
    SubmittedClaim,
    TransactionSetRow,
)
from claimsdesk.storage.models.worklist import WorkItem
from parsers import ReadError, read_file
from parsers.records import Adjustment, Procedure
from parsers.records import SubmittedClaim as ClaimRecord

SC, CP, REM, PAYER = (table_of(m) for m in (SubmittedClaim, ClaimPayment, Remittance, Payer))
SP, ADJ, RMK, LM = (table_of(m) for m in (ServicePayment, ClaimAdjustment, RemarkCode, LineMatch))
CM, CL, FILES = table_of(ClaimMatch), table_of(ClaimLine), table_of(ImportFile)
TS, ISA, F, W = (
    table_of(TransactionSetRow),
    table_of(Interchange),
    table_of(Finding),
    table_of(WorkItem),
)
REVERSAL = "22"  # CLP02: reversal of a previous payment


@dataclass(frozen=True, slots=True)
class Target:
    """What an action is about: the claim, the payer's answer, and the finding and item."""

    submitted_claim_id: int
    claim_payment_id: int | None
    finding_id: int | None
    work_item_id: int | None
    finding: Any  # the findings row (codes, amount, deadline, evidence) or None


@dataclass(frozen=True, slots=True)
class SourceClaim:
    """The claim as sent, with what the 837 envelope and the line mapping need."""

    claim_id: int  # submitted_claims.id
    record: ClaimRecord
    source: str  # "file" or "database"
    line_ids: tuple[int, ...]  # claim_lines ids in line order (record.lines[i] -> line_ids[i])
    payer_key: str
    payer_name: str
    sender_id: str  # ISA06 of the original interchange
    receiver_id: str  # ISA08
    usage: str  # ISA15
    patient_id: int | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PaidLine:
    """A 2110 service payment with its CAS, remarks and the billed line it paid."""

    service_payment_id: int
    claim_line_id: int | None
    procedure: Procedure  # SVC01 (as adjudicated)
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    units_paid: Decimal | None  # SVC05
    original_units: Decimal | None  # SVC07
    line_control_number: str  # REF*6R
    service_date: dt.date | None
    adjustments: tuple[Adjustment, ...]
    remarks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Adjudication:
    """One payer's answer to the claim (a CLP loop) as stored."""

    claim_payment_id: int
    payer_key: str
    payer_name: str
    status: str  # CLP02
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal | None  # CLP05
    payer_claim_number: str  # CLP07
    payment_date: dt.date | None  # BPR16, else DTM*405
    trace_number: str  # TRN02
    crossover_carrier: str  # NM1*TT as 'NAME (PI ID)'
    outpatient: tuple[str, ...]  # MOA raw
    inpatient: tuple[str, ...]  # MIA raw
    adjustments: tuple[Adjustment, ...]  # claim-level CAS
    remarks: tuple[str, ...]  # claim-level RARCs (MIA/MOA)
    lines: tuple[PaidLine, ...]

    @property
    def all_adjustments(self) -> tuple[Adjustment, ...]:
        """Claim- and line-level CAS together."""
        return self.adjustments + tuple(a for ln in self.lines for a in ln.adjustments)


# --------------------------------------------------------------------------- targets


def resolve_target(
    session: Session,
    *,
    finding_id: int | None = None,
    item_id: int | None = None,
    submitted_claim_id: int | None = None,
    pcn: str | None = None,
) -> Target:
    """The claim, payment, finding and item an action names (exactly one way of naming)."""
    given = [v for v in (finding_id, item_id, submitted_claim_id, pcn) if v is not None]
    if len(given) != 1:
        raise NotFound("Name exactly one of: a finding, a work item, a claim id or a PCN.")
    if item_id is not None:
        found = session.execute(select(W.c.finding_id).where(W.c.id == item_id)).scalar()
        if found is None:
            raise NotFound(f"No work item {item_id}.")
        finding_id = found
    if finding_id is not None:
        return _finding_target(session, finding_id)
    claim_id = submitted_claim_id if submitted_claim_id is not None else _by_pcn(session, pcn)
    if session.execute(select(SC.c.id).where(SC.c.id == claim_id)).first() is None:
        raise NotFound(f"No submitted claim {claim_id}.")
    return Target(claim_id, None, None, None, None)


def _finding_target(session: Session, finding_id: int) -> Target:
    row = session.execute(select(F).where(F.c.id == finding_id)).first()
    if row is None:
        raise NotFound(f"No finding {finding_id}.")
    if row.submitted_claim_id is None:
        raise Refused(
            f"Finding {finding_id} ({row.kind}) is about a remittance no claim matched: "
            "there is no claim to act on."
        )
    item = session.execute(select(W.c.id).where(W.c.finding_id == finding_id)).scalar()
    return Target(row.submitted_claim_id, row.claim_payment_id, finding_id, item, row)


def _by_pcn(session: Session, pcn: str | None) -> int:
    """The latest submission of a PCN a payer answered, else the latest submission."""
    variants = sorted(pcn_variants([pcn or ""]))
    ids = list(
        session.execute(
            select(SC.c.id).where(SC.c.patient_control_number.in_(variants)).order_by(SC.c.id)
        ).scalars()
    )
    if not ids:
        raise NotFound(f"No claim has patient control number {pcn!r}.")
    answered = session.execute(
        select(CM.c.submitted_claim_id).where(
            CM.c.submitted_claim_id.in_(ids), CM.c.status == "matched"
        )
    ).scalars()
    found: int = max(set(answered) or set(ids))
    return found


def latest_payment(session: Session, claim_id: int, payer_key: str | None = None) -> int | None:
    """The newest matched, non-reversal payment of a claim (from one payer when given)."""
    stmt = (
        select(CP.c.id, REM.c.payer_key, PAYER.c.identifier, PAYER.c.name)
        .select_from(
            CM.join(CP, CP.c.id == CM.c.claim_payment_id)
            .join(REM, REM.c.id == CP.c.remittance_id)
            .outerjoin(PAYER, PAYER.c.id == REM.c.payer_id)
        )
        .where(CM.c.submitted_claim_id == claim_id, CM.c.status == "matched")
        .where(CP.c.status != REVERSAL)
        .order_by(REM.c.payment_date, CP.c.id)
    )
    rows = session.execute(stmt).all()
    if payer_key is not None:
        rows = [r for r in rows if payer_key in (r.payer_key, payer_key_of(r.identifier, r.name))]
    return rows[-1].id if rows else None


# --------------------------------------------------------------------------- the claim


def load_claim(session: Session, claim_id: int) -> SourceClaim:
    """The claim as sent: re-read from its file when unchanged, else rebuilt from rows."""
    from claimsdesk.services.outbound_rebuild import rebuild_claim

    row = _claim_row(session, claim_id)
    line_ids = tuple(
        session.execute(
            select(CL.c.id).where(CL.c.submitted_claim_id == claim_id).order_by(CL.c.id)
        ).scalars()
    )
    record, why = _from_file(row)
    notes: tuple[str, ...] = ()
    source = "file"
    if record is None:
        record = rebuild_claim(session, claim_id)
        source = "database"
        notes = (f"The original 837 could not be re-read ({why}); the claim was rebuilt from "
                 "the stored rows, which keep less (check the 837 before sending).",)  # fmt: skip
    if len(record.lines) != len(line_ids):
        raise Refused(f"Claim {row.patient_control_number}: its stored lines do not match the "
                      "file it came from; re-import the file.")  # fmt: skip
    return SourceClaim(
        claim_id, record, source, line_ids, payer_key_of(row.payer_identifier, row.payer_name),
        row.payer_name or "", row.sender_id, row.receiver_id, row.usage or "P", row.patient_id,
        notes,
    )  # fmt: skip


def _claim_row(session: Session, claim_id: int) -> Any:
    cols = (SC.c.id, SC.c.patient_control_number, SC.c.segment_index, SC.c.patient_id,
            FILES.c.path, FILES.c.moved_to, FILES.c.sha256, ISA.c.sender_id, ISA.c.receiver_id,
            ISA.c.usage, PAYER.c.identifier.label("payer_identifier"),
            PAYER.c.name.label("payer_name"))  # fmt: skip
    join = (
        SC.join(FILES, FILES.c.id == SC.c.import_file_id)
        .join(TS, TS.c.id == SC.c.transaction_set_id)
        .join(ISA, ISA.c.id == TS.c.interchange_id)
        .outerjoin(PAYER, PAYER.c.id == SC.c.payer_id)
    )
    row = session.execute(select(*cols).select_from(join).where(SC.c.id == claim_id)).first()
    if row is None:
        raise NotFound(f"No submitted claim {claim_id}.")
    return row


def _from_file(row: Any) -> tuple[ClaimRecord | None, str]:
    """The record re-read from the import file, or None and why not."""
    path = Path(row.moved_to or row.path)
    try:
        digest, _size = hash_file(path)
    except OSError as exc:
        return None, f"{path}: {exc.strerror or exc}"
    if digest != row.sha256:
        return None, f"{path} has changed since it was imported"
    try:
        for record in read_file(path):
            if (
                isinstance(record, ClaimRecord)
                and record.segment_index == row.segment_index
                and record.patient_control_number == row.patient_control_number
            ):
                return record, ""
    except ReadError as exc:
        return None, str(exc)
    return None, f"{path} no longer holds claim {row.patient_control_number}"


# --------------------------------------------------------------------------- the answer


def load_adjudication(session: Session, claim_payment_id: int) -> Adjudication:
    """A stored claim payment with its CAS, remarks and paid lines."""
    cols = (CP, REM.c.payer_key, REM.c.payment_date, REM.c.production_date, REM.c.trace_number,
            PAYER.c.identifier, PAYER.c.name.label("payer_name"))  # fmt: skip
    join = CP.join(REM, REM.c.id == CP.c.remittance_id).outerjoin(
        PAYER, PAYER.c.id == REM.c.payer_id
    )
    r = session.execute(select(*cols).select_from(join).where(CP.c.id == claim_payment_id)).first()
    if r is None:
        raise NotFound(f"No claim payment {claim_payment_id}.")
    adjustments: dict[int | None, list[Adjustment]] = defaultdict(list)
    adj_stmt = select(ADJ).where(ADJ.c.claim_payment_id == claim_payment_id).order_by(ADJ.c.id)
    for a in session.execute(adj_stmt).all():
        level = "line" if a.service_payment_id else "claim"
        adj = Adjustment(a.group_code, a.reason_code, a.amount, a.quantity, level)
        adjustments[a.service_payment_id].append(adj)
    remarks: dict[int | None, list[str]] = defaultdict(list)
    rmk_stmt = select(RMK).where(RMK.c.claim_payment_id == claim_payment_id).order_by(RMK.c.id)
    for m in session.execute(rmk_stmt).all():
        remarks[m.service_payment_id].append(m.code)
    return Adjudication(
        r.id, r.payer_key or payer_key_of(r.identifier, r.payer_name), r.payer_name or "",
        r.status, r.charge, r.paid, r.patient_responsibility, r.payer_claim_number,
        r.payment_date or r.production_date, r.trace_number, r.crossover_carrier or "",
        tuple(r.outpatient_adjudication or ()), tuple(r.inpatient_adjudication or ()),
        tuple(adjustments.get(None, ())), tuple(remarks.get(None, ())),
        _paid_lines(session, claim_payment_id, adjustments, remarks),
    )  # fmt: skip


def _paid_lines(
    session: Session,
    claim_payment_id: int,
    adjustments: dict[int | None, list[Adjustment]],
    remarks: dict[int | None, list[str]],
) -> tuple[PaidLine, ...]:
    join = SP.outerjoin(LM, LM.c.service_payment_id == SP.c.id)
    stmt = (
        select(SP, LM.c.claim_line_id)
        .select_from(join)
        .where(SP.c.claim_payment_id == claim_payment_id)
        .order_by(SP.c.line_number)
    )
    out = []
    for s in session.execute(stmt).all():
        proc = Procedure(s.procedure_qualifier, s.procedure_code, split_codes(s.modifiers))
        out.append(PaidLine(
            s.id, s.claim_line_id, proc, s.charge, s.paid, s.units_paid, s.original_units,
            s.line_control_number, s.service_date or s.service_start,
            tuple(adjustments.get(s.id, ())), tuple(remarks.get(s.id, ())),
        ))  # fmt: skip
    return tuple(out)


__all__ = [
    "Adjudication",
    "PaidLine",
    "SourceClaim",
    "Target",
    "latest_payment",
    "load_adjudication",
    "load_claim",
    "resolve_target",
]
