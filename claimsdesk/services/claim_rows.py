"""Rows an analysis run loads once and shares (billed lines, claim payments, paid lines), and
the PaymentViews built from them or from the database.

Matching reads its facts from the rows, then the ledger builds the payments' views from the
same rows with matching's decisions instead of loading them again. Nothing here outlives the
run that loaded it: the rows are handed along explicitly, never cached on the session.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from claimsdesk.domain.views import (
    AdjustmentView,
    BilledLineView,
    MatchStatus,
    PaidLineView,
    PaymentView,
    make_adjustment_view,
    make_billed_line_view,
    make_paid_line_view,
    make_payment_view,
)
from claimsdesk.services.analysis_sql import CHUNK, chunked, id_in
from claimsdesk.storage.models.analysis import ClaimMatch, LineMatch
from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.ingest import (
    ClaimAdjustment,
    ClaimLine,
    ClaimPayment,
    ImportIssue,
    Patient,
    Payer,
    RemarkCode,
    Remittance,
    ServicePayment,
)

CP, REM, PAYER = table_of(ClaimPayment), table_of(Remittance), table_of(Payer)
PAT, SP, CL = table_of(Patient), table_of(ServicePayment), table_of(ClaimLine)
ADJ, RMK, ISSUE = table_of(ClaimAdjustment), table_of(RemarkCode), table_of(ImportIssue)
CM, LM = table_of(ClaimMatch), table_of(LineMatch)


@functools.lru_cache(maxsize=4096)
def split_codes(joined: str) -> tuple[str, ...]:
    """Modifiers stored joined by ':' (few distinct values, so cached)."""
    return tuple(m for m in joined.split(":") if m) if joined else ()


@functools.lru_cache(maxsize=4096)
def gs_date(value: str | None) -> dt.date | None:
    """GS04 CCYYMMDD as a date (None when unreadable); few distinct values, so cached."""
    try:
        return dt.datetime.strptime(value or "", "%Y%m%d").date()
    except ValueError:
        return None


# --------------------------------------------------------------------------- billed lines

_BILLED_COLUMNS = (
    CL.c.id, CL.c.submitted_claim_id, CL.c.line_number, CL.c.procedure_code, CL.c.modifiers,
    CL.c.revenue_code, CL.c.charge, CL.c.units, CL.c.service_date, CL.c.service_date_end,
    CL.c.diagnosis_pointers, CL.c.line_control_number, CL.c.place_of_service)  # fmt: skip


def load_billed_views(
    conn: Connection, claim_ids: Iterable[int]
) -> dict[int, list[BilledLineView]]:
    """Billed lines (2400) of these claims, in file order; every claim asked for is a key."""
    ids = sorted(set(claim_ids))
    out: dict[int, list[BilledLineView]] = {i: [] for i in ids}
    for chunk in chunked(ids):
        stmt = select(*_BILLED_COLUMNS).where(id_in(CL.c.submitted_claim_id, chunk, conn))
        for (line_id, claim_id, number, procedure, modifiers, revenue, charge, units, date, end,
             pointers, control, place) in conn.execute(stmt.order_by(CL.c.id)):  # fmt: skip
            out[claim_id].append(make_billed_line_view(
                line_id, number, procedure, split_codes(modifiers), revenue, charge, units,
                date, end, split_codes(pointers), control, place or ""))  # fmt: skip
    return out


# --------------------------------------------------------------------------- payments

PAYMENT_COLUMNS = (
    CP.c.id, CP.c.remittance_id, CP.c.import_file_id, REM.c.payer_key, PAYER.c.name, CP.c.status,
    CP.c.charge, CP.c.paid, CP.c.patient_responsibility, CP.c.payer_claim_number, CP.c.frequency,
    REM.c.payment_date, REM.c.trace_number, CP.c.crossover_carrier, CP.c.corrected_payer,
    CP.c.statement_start, CP.c.statement_end, CP.c.patient_control_number, CP.c.drg_code,
    PAT.c.member_id, CP.c.received_date)  # fmt: skip
"""A claim payment row: the PaymentView's own columns (0-18), then matching's (19-20)."""
_PAYMENT_JOIN = (
    CP.join(REM, REM.c.id == CP.c.remittance_id)
    .outerjoin(PAYER, PAYER.c.id == REM.c.payer_id)
    .outerjoin(PAT, PAT.c.id == CP.c.patient_id)
)
PAID_LINE_COLUMNS = (
    SP.c.id, SP.c.claim_payment_id, SP.c.procedure_code, SP.c.modifiers,
    SP.c.original_procedure_code, SP.c.original_modifiers, SP.c.charge, SP.c.paid, SP.c.allowed,
    SP.c.units_paid, SP.c.original_units, SP.c.service_date, SP.c.service_start,
    SP.c.line_control_number, SP.c.procedure_qualifier, SP.c.revenue_code)  # fmt: skip
"""A paid line row: the PaidLineView's columns (0-12), then matching's (13-15)."""


@dataclass(slots=True)
class PaymentRows:
    """Claim payments and their paid lines as loaded, and what matching decided for them."""

    payments: dict[int, Any] = field(default_factory=dict)  # id -> PAYMENT_COLUMNS row
    lines: dict[int, list[Any]] = field(default_factory=dict)  # id -> PAID_LINE_COLUMNS rows
    decided: dict[int, tuple[MatchStatus, int | None, tuple[int, ...]]] = field(
        default_factory=dict
    )  # claim_matches as written: status, submitted claim, candidates
    line_of: dict[int, int | None] = field(default_factory=dict)  # paid line -> billed line


def load_payment_rows(conn: Connection, ids: Sequence[int]) -> PaymentRows:
    """The claim payments and their paid lines (in file order), a query each per chunk."""
    rows = PaymentRows()
    order = (SP.c.claim_payment_id, SP.c.line_number)
    for chunk in chunked(sorted(set(ids))):
        stmt = select(*PAYMENT_COLUMNS).select_from(_PAYMENT_JOIN)
        for row in conn.execute(stmt.where(id_in(CP.c.id, chunk, conn))):
            rows.payments[row[0]] = row
            rows.lines[row[0]] = []
        lines = select(*PAID_LINE_COLUMNS).where(id_in(SP.c.claim_payment_id, chunk, conn))
        for line in conn.execute(lines.order_by(*order)):
            rows.lines.setdefault(line[1], []).append(line)
    return rows


# --------------------------------------------------------------------------- payment views

_STORED_COLUMNS = (*PAYMENT_COLUMNS[:19], CM.c.status, CM.c.submitted_claim_id, CM.c.candidates)
_STORED_JOIN = (
    CP.join(REM, REM.c.id == CP.c.remittance_id)
    .outerjoin(PAYER, PAYER.c.id == REM.c.payer_id)
    .outerjoin(CM, CM.c.claim_payment_id == CP.c.id)
)
_ADJ_COLUMNS = (ADJ.c.claim_payment_id, ADJ.c.service_payment_id, ADJ.c.group_code,
                ADJ.c.reason_code, ADJ.c.amount, ADJ.c.quantity)  # fmt: skip
_MATCH_STATUS = {s.value: s for s in MatchStatus}


def payment_views_by_id(
    conn: Connection, ids: Iterable[int], known: PaymentRows | None = None
) -> dict[int, PaymentView]:
    """PaymentViews keyed by claim payment id, five queries per chunk; payments this run
    loaded and matched (`known`) take three (adjustments, remarks, balance warnings)."""
    wanted = sorted(set(ids))
    decided = known.decided if known is not None else {}
    out: dict[int, PaymentView] = {}
    for chunk in chunked([i for i in wanted if i not in decided], CHUNK):
        _stored_views(conn, chunk, out)
    if known is not None:
        for chunk in chunked([i for i in wanted if i in decided], CHUNK):
            _known_views(conn, chunk, known, out)
    return out


def _stored_views(conn: Connection, chunk: list[int], out: dict[int, PaymentView]) -> None:
    """Payment views as stored: claim payments with their match, paid lines with theirs."""
    remarks = _remarks(conn, chunk)
    join = SP.outerjoin(LM, LM.c.service_payment_id == SP.c.id)
    stmt = select(*PAID_LINE_COLUMNS[:13], LM.c.claim_line_id).select_from(join)
    order = (SP.c.claim_payment_id, SP.c.line_number)
    sp_rows = conn.execute(stmt.where(id_in(SP.c.claim_payment_id, chunk, conn)).order_by(*order))
    adjustments, lines = _adjustments_and_lines(conn, chunk, remarks, sp_rows.all())
    warnings = _warnings(conn, chunk)
    statuses = _MATCH_STATUS
    stmt = select(*_STORED_COLUMNS).select_from(_STORED_JOIN).where(id_in(CP.c.id, chunk, conn))
    for row in conn.execute(stmt):
        pid, matched, claim_id, candidates = row[0], row[19], row[20], row[21]
        match = (statuses[matched or "unmatched"], claim_id, tuple(candidates or ()))
        out[pid] = _view(row, match, remarks, adjustments, lines, warnings)


def _known_views(
    conn: Connection, chunk: list[int], known: PaymentRows, out: dict[int, PaymentView]
) -> None:
    """Payment views from the rows matching loaded, with its decisions."""
    remarks = _remarks(conn, chunk)
    got = known.lines.get
    sp_rows = [r for pid in chunk for r in got(pid, ())]
    adjustments, lines = _adjustments_and_lines(conn, chunk, remarks, sp_rows, known.line_of)
    warnings = _warnings(conn, chunk)
    for pid in chunk:
        out[pid] = _view(known.payments[pid], known.decided[pid], remarks, adjustments, lines,
                         warnings)  # fmt: skip


def _view(
    row: Any,
    match: tuple[MatchStatus, int | None, tuple[int, ...]],
    remarks: dict[tuple[int, int | None], list[str]],
    adjustments: dict[int, list[AdjustmentView]],
    lines: dict[int, list[PaidLineView]],
    warnings: dict[int, list[str]],
) -> PaymentView:
    """One PaymentView from a claim payment row (PAYMENT_COLUMNS order) and its parts."""
    (pid, remittance, file_id, payer_key, name, status, charge, paid, patient, number, frequency,
     paid_on, trace, carrier, corrected, start, end, pcn, drg) = row[:19]  # fmt: skip
    return make_payment_view(
        pid, remittance, file_id, payer_key, name or "", status, charge, paid, patient, number,
        frequency, paid_on, trace, match[0], match[1], match[2], carrier, corrected,
        tuple(remarks.get((pid, None), ())), tuple(adjustments.get(pid, ())),
        tuple(lines.get(pid, ())), start, end, pcn, drg, tuple(warnings.get(pid, ())))  # fmt: skip


def _remarks(conn: Connection, chunk: list[int]) -> dict[tuple[int, int | None], list[str]]:
    """RARCs by (payment, line); (payment, None) holds every RARC of the payment."""
    out: dict[tuple[int, int | None], list[str]] = defaultdict(list)
    stmt = select(RMK.c.claim_payment_id, RMK.c.service_payment_id, RMK.c.code)
    stmt = stmt.where(id_in(RMK.c.claim_payment_id, chunk, conn)).order_by(RMK.c.id)
    for payment_id, line_id, code in conn.execute(stmt):
        out[(payment_id, None)].append(code)
        if line_id is not None:
            out[(payment_id, line_id)].append(code)
    return out


def _adjustments_and_lines(
    conn: Connection,
    chunk: list[int],
    remarks: dict[tuple[int, int | None], list[str]],
    sp_rows: Sequence[Any],
    matched: dict[int, int | None] | None = None,
) -> tuple[dict[int, list[AdjustmentView]], dict[int, list[PaidLineView]]]:
    """CAS of the payments (claim and line level, with the matched billed line), and the
    2110 rows (PAID_LINE_COLUMNS[:13], then the matched billed line unless `matched` maps
    each paid line to it) as views."""
    line_of = matched if matched is not None else {r[0]: r[13] for r in sp_rows}
    adjustments: dict[int, list[AdjustmentView]] = defaultdict(list)
    by_line: dict[int, list[AdjustmentView]] = defaultdict(list)
    adj_stmt = select(*_ADJ_COLUMNS).where(id_in(ADJ.c.claim_payment_id, chunk, conn))
    for payment_id, sp, group, reason, amount, quantity in conn.execute(
        adj_stmt.order_by(ADJ.c.id)
    ):
        line = line_of.get(sp) if sp else None
        view = make_adjustment_view(group, reason, amount, quantity, sp, line)
        adjustments[payment_id].append(view)
        if sp is not None:
            by_line[sp].append(view)
    lines: dict[int, list[PaidLineView]] = defaultdict(list)
    noted = {key[0] for key in remarks if key[1] is not None}  # payments with line RARCs
    cas = {sp: tuple(found) for sp, found in by_line.items()}
    for r in sp_rows:
        sp, payment_id = r[0], r[1]
        said = tuple(remarks.get((payment_id, sp), ())) if payment_id in noted else ()
        lines[payment_id].append(make_paid_line_view(
            sp, line_of.get(sp), r[2], split_codes(r[3]), r[4], split_codes(r[5]), r[6], r[7],
            r[8], r[9], r[10], r[11] or r[12], cas.get(sp, ()), said))  # fmt: skip
    return adjustments, lines


def _warnings(conn: Connection, chunk: list[int]) -> dict[int, list[str]]:
    """balance.* issue codes stored with each payment on import."""
    out: dict[int, list[str]] = defaultdict(list)
    stmt = select(ISSUE.c.claim_payment_id, ISSUE.c.code).where(
        id_in(ISSUE.c.claim_payment_id, chunk, conn), ISSUE.c.code.like("balance.%")
    )
    for payment_id, code in conn.execute(stmt.order_by(ISSUE.c.id)):
        out[payment_id].append(code)
    return out
