"""Match claim payments to submitted claims (and paid lines to billed lines) for a batch.

Set-based: the payments' rows, the candidate claims (by PCN, by member id), earlier CLP07
links and the billed lines are each loaded with one query per chunk of CHUNK ids or values,
decided in memory by claimsdesk.domain.matching, and written back in bulk (analysis_sql),
only where something changed (so a re-run changes nothing). The payments' rows and billed
lines go on to the ledger with the decisions (MatchOutcome), so the run loads them once.
Runs for new claim payments and for payments still whose PCN a newly imported 837 brings
(unmatched ones also by member id).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.orm import Session

from claimsdesk.domain.matching import (
    BilledLineFacts,
    ClaimFacts,
    MatchResult,
    PaidLineFacts,
    PaymentFacts,
    link_key,
    match_batch,
    match_lines,
    normalize_pcn,
    payer_tokens,
)
from claimsdesk.domain.views import BilledLineView, MatchStatus
from claimsdesk.services import claim_rows
from claimsdesk.services.analysis_sql import (
    bound,
    chunked,
    id_in,
    insert_rows,
    one_of,
    update_rows,
)
from claimsdesk.services.claim_rows import (
    PaymentRows,
    gs_date,
    load_billed_views,
    load_payment_rows,
)
from claimsdesk.storage.models.analysis import ClaimMatch
from claimsdesk.storage.models.analysis import LineMatch as LineMatchRow
from claimsdesk.storage.models.base import table_of, utcnow
from claimsdesk.storage.models.ingest import (
    ClaimLine,
    ClaimPayment,
    OtherPayerRow,
    Patient,
    Payer,
    Remittance,
    ServicePayment,
    SubmittedClaim,
    TransactionSetRow,
)

_LM_COLUMNS = ("service_payment_id", "claim_payment_id", "claim_line_id", "method")
_CM_COLUMNS = ("claim_payment_id", "submitted_claim_id", "status", "method", "candidates",
               "matched_at")  # fmt: skip

split_codes = claim_rows.split_codes  # the outbound modules import it from here
CP = table_of(ClaimPayment)
REM = table_of(Remittance)
PAYER = table_of(Payer)
PAT = table_of(Patient)
SP = table_of(ServicePayment)
SC = table_of(SubmittedClaim)
TS = table_of(TransactionSetRow)
OP = table_of(OtherPayerRow)
CL = table_of(ClaimLine)
CM = table_of(ClaimMatch)
LM = table_of(LineMatchRow)


def pcn_variants(pcns: Iterable[str]) -> set[str]:
    """The PCNs as sent and normalised, so an index lookup finds either spelling."""
    out: set[str] = set()
    for pcn in pcns:
        out.update((pcn, pcn.strip(), normalize_pcn(pcn)))
    out.discard("")
    return out


@dataclass
class MatchOutcome:
    """What a matching run decided and which submitted claims it touched."""

    results: list[MatchResult] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)
    changed: int = 0
    billed: dict[int, list[BilledLineView]] = field(default_factory=dict)  # matched claims' lines
    rows: PaymentRows = field(default_factory=PaymentRows)  # the payments, with the decisions


def match_payments(
    session: Session, payment_ids: Sequence[int], new_claim_ids: Sequence[int] = ()
) -> MatchOutcome:
    """Match these payments and those a new 837 may now resolve; write what changed."""
    conn = session.connection()
    ids = set(payment_ids) | waiting_payments(conn, new_claim_ids)
    outcome = MatchOutcome(touched=set(new_claim_ids))
    if not ids:
        return outcome
    outcome.rows = load_payment_rows(conn, sorted(ids))
    facts, paid_lines = payment_facts(outcome.rows)
    by_pcn = _group_by_pcn(
        load_claim_facts(conn, SC.c.patient_control_number, pcn_variants(f.pcn for f in facts))
    )
    missing = {f.member_id for f in facts if normalize_pcn(f.pcn) not in by_pcn and f.member_id}
    fallback: dict[str, list[ClaimFacts]] = defaultdict(list)
    for claim in load_claim_facts(conn, PAT.c.member_id, missing):
        for member in claim.member_ids & missing:
            fallback[member].append(claim)
    links = load_links(conn, facts, ids)
    outcome.results = match_batch(facts, by_pcn, links, fallback)
    previous = _existing_matches(conn, ids)
    outcome.changed = _write_matches(conn, outcome.results, previous, outcome.touched)
    outcome.billed = load_billed_views(
        conn, {r.submitted_claim_id for r in outcome.results if r.submitted_claim_id is not None}
    )
    outcome.rows.line_of = _write_line_matches(conn, outcome.results, paid_lines, outcome.billed)
    outcome.rows.decided = {
        r.claim_payment_id: (r.status, r.submitted_claim_id, r.candidates) for r in outcome.results
    }
    return outcome


def waiting_payments(conn: Connection, new_claim_ids: Sequence[int]) -> set[int]:
    """Payments whose PCN a new claim has (a better candidate may have arrived: the 837 after
    its 835, our secondary claim), and unmatched ones with a new claim's member id."""
    if not new_claim_ids:
        return set()
    pcns: set[str] = set()
    members: set[str] = set()
    for ids in chunked(new_claim_ids):
        stmt = select(SC.c.patient_control_number, SC.c.subscriber_member_id)
        for pcn, member in conn.execute(stmt.where(id_in(SC.c.id, ids, conn))).all():
            pcns.add(pcn)
            members.add(member)
    found: set[int] = set()
    join = CM.join(CP, CP.c.id == CM.c.claim_payment_id)
    for values in chunked(sorted(pcn_variants(pcns))):
        stmt = select(CM.c.claim_payment_id).select_from(join)
        found.update(
            conn.execute(stmt.where(one_of(conn, CP.c.patient_control_number, values))).scalars()
        )
    unmatched = CM.c.status == MatchStatus.UNMATCHED.value
    join_pat = join.join(PAT, PAT.c.id == CP.c.patient_id)
    for values in chunked(sorted(members - {""})):
        stmt = select(CM.c.claim_payment_id).select_from(join_pat)
        found.update(
            conn.execute(stmt.where(unmatched, one_of(conn, PAT.c.member_id, values))).scalars()
        )
    return found


# --------------------------------------------------------------------------- loading


def payment_facts(rows: PaymentRows) -> tuple[list[PaymentFacts], dict[int, list[PaidLineFacts]]]:
    """Each payment's CLP/remittance/patient facts and its paid lines, from the loaded rows."""
    lines: dict[int, list[PaidLineFacts]] = {}
    for payment_id, found in rows.lines.items():
        lines[payment_id] = [
            PaidLineFacts(sp, control, qualifier, procedure, split_codes(modifiers), original,
                          split_codes(original_mods), revenue, charge,
                          units if units is not None else old_units, date or start)
            for (sp, _, procedure, modifiers, original, original_mods, charge, _paid, _allowed,
                 units, old_units, date, start, control, qualifier, revenue) in found
        ]  # fmt: skip
    facts: list[PaymentFacts] = []
    for row in rows.payments.values():
        pid, payer_key, name, status, charge = row[0], row[3], row[4], row[5], row[6]
        start, end = row[15], row[16]
        if start is None or end is None:
            dates = [ln.date for ln in lines.get(pid, ()) if ln.date is not None]
            start = start or (min(dates) if dates else None)
            end = end or (max(dates) if dates else None)
        facts.append(PaymentFacts(
            pid, row[17], status, payer_key, payer_tokens(payer_key, name or ""), charge, start,
            end, row[19] or "", row[9], row[20] or row[11]))  # fmt: skip
    return facts, lines


def load_claim_facts(conn: Connection, column: Any, values: Iterable[str]) -> list[ClaimFacts]:
    """Submitted claims whose `column` (CLM01 or the patient's member id) is in values."""
    cols = (SC.c.id, SC.c.patient_control_number, SC.c.payer_responsibility, PAYER.c.identifier,
            PAYER.c.name, SC.c.total_charge, SC.c.statement_from, SC.c.statement_to,
            SC.c.subscriber_member_id, SC.c.frequency, TS.c.group_date)  # fmt: skip
    join = (
        SC.join(TS, TS.c.id == SC.c.transaction_set_id)
        .outerjoin(PAYER, PAYER.c.id == SC.c.payer_id)
        .outerjoin(PAT, PAT.c.id == SC.c.patient_id)
    )
    rows: dict[int, Any] = {}
    for chunk in chunked(sorted(values)):
        for r in conn.execute(
            select(*cols).select_from(join).where(one_of(conn, column, chunk))
        ).all():
            rows[r.id] = r
    others = _other_payer_facts(conn, sorted(rows))
    empty: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
    out = []
    for r in rows.values():
        payers, members = others.get(r.id, empty)
        out.append(ClaimFacts(
            r.id, r.patient_control_number, r.payer_responsibility,
            payer_tokens(r.identifier or "", r.name or ""), payers, r.total_charge,
            r.statement_from, r.statement_to, frozenset({r.subscriber_member_id} | members) - {""},
            r.frequency, gs_date(r.group_date)))  # fmt: skip
    return out


def _other_payer_facts(
    conn: Connection, claim_ids: Sequence[int]
) -> dict[int, tuple[frozenset[str], frozenset[str]]]:
    """Per claim: the 2330B payers' tokens and the 2330A member ids."""
    payers: dict[int, set[str]] = defaultdict(set)
    members: dict[int, set[str]] = defaultdict(set)
    cols = (OP.c.submitted_claim_id, OP.c.payer_identifier, PAYER.c.identifier, PAYER.c.name,
            OP.c.subscriber_member_id)  # fmt: skip
    join = OP.outerjoin(PAYER, PAYER.c.id == OP.c.payer_id)
    for chunk in chunked(claim_ids):
        stmt = select(*cols).select_from(join).where(id_in(OP.c.submitted_claim_id, chunk, conn))
        for r in conn.execute(stmt).all():
            tokens = payer_tokens(r.payer_identifier, r.identifier or "", r.name or "")
            payers[r.submitted_claim_id] |= tokens
            members[r.submitted_claim_id].add(r.subscriber_member_id)
    return {k: (frozenset(payers[k]), frozenset(members[k])) for k in payers}


def _group_by_pcn(claims: Iterable[ClaimFacts]) -> dict[str, list[ClaimFacts]]:
    out: dict[str, list[ClaimFacts]] = defaultdict(list)
    for claim in claims:
        out[normalize_pcn(claim.pcn)].append(claim)
    return out


def load_links(
    conn: Connection, facts: Sequence[PaymentFacts], exclude: set[int]
) -> dict[str, int]:
    """CLP07 of earlier matched payments (not those being decided) -> their claim."""
    numbers = {f.payer_claim_number for f in facts if f.payer_claim_number.strip()}
    links: dict[str, int] = {}
    join = CP.join(REM, REM.c.id == CP.c.remittance_id).join(CM, CM.c.claim_payment_id == CP.c.id)
    cols = (CP.c.id, CP.c.payer_claim_number, REM.c.payer_key, CM.c.submitted_claim_id)
    for chunk in chunked(sorted(numbers)):
        stmt = (
            select(*cols)
            .select_from(join)
            .where(
                CM.c.status == MatchStatus.MATCHED.value,
                one_of(conn, CP.c.payer_claim_number, chunk),
            )
        )
        for r in conn.execute(stmt.order_by(CP.c.id)).all():
            if r.id not in exclude and r.submitted_claim_id is not None:
                links.setdefault(link_key(r.payer_key, r.payer_claim_number), r.submitted_claim_id)
    return links


# --------------------------------------------------------------------------- writing


def _existing_matches(conn: Connection, ids: Iterable[int]) -> dict[int, tuple[Any, ...]]:
    """Stored decisions: payment id -> (status, claim id, method, candidates)."""
    cols = (CM.c.claim_payment_id, CM.c.status, CM.c.submitted_claim_id, CM.c.method,
            CM.c.candidates)  # fmt: skip
    out: dict[int, tuple[Any, ...]] = {}
    for chunk in chunked(sorted(ids)):
        stmt = select(*cols).where(id_in(CM.c.claim_payment_id, chunk, conn))
        for payment_id, status, claim_id, method, candidates in conn.execute(stmt):
            out[payment_id] = (status, claim_id, method, tuple(candidates or ()))
    return out


def _write_matches(
    conn: Connection,
    results: Sequence[MatchResult],
    previous: dict[int, tuple[Any, ...]],
    touched: set[int],
) -> int:
    """Insert new decisions, update changed ones; returns how many changed."""
    now = bound(conn, CM.c.matched_at, utcnow())
    as_json: dict[tuple[int, ...], Any] = {}
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    for r in results:
        claim_id, candidates = r.submitted_claim_id, r.candidates
        values = (r.status.value, claim_id, r.method.value, candidates)
        old = previous.get(r.claim_payment_id)
        if old == values:
            continue
        if old is not None and old[1] is not None:
            touched.add(old[1])
        if claim_id is not None:
            touched.add(claim_id)
        if candidates not in as_json:
            as_json[candidates] = bound(conn, CM.c.candidates, list(candidates))
        row = (r.claim_payment_id, claim_id, values[0], values[2], as_json[candidates], now)
        (inserts if old is None else updates).append(row)
    insert_rows(conn, CM, _CM_COLUMNS, inserts)
    update_rows(conn, CM, _CM_COLUMNS[:1], _CM_COLUMNS[1:], updates)
    return len(inserts) + len(updates)


def _write_line_matches(
    conn: Connection,
    results: Sequence[MatchResult],
    paid: dict[int, list[PaidLineFacts]],
    billed: dict[int, list[BilledLineView]],
) -> dict[int, int | None]:
    """Line matches of matched payments (none for the others); only changes are written.
    Returns each paid line's billed line as now stored."""
    target = {r.claim_payment_id: r.submitted_claim_id for r in results}
    facts: dict[int, list[BilledLineFacts]] = {}
    wanted: dict[int, tuple[Any, ...]] = {}
    for payment_id, claim_id in target.items():
        if claim_id is None:
            continue
        lines = facts.get(claim_id)
        if lines is None:
            lines = facts[claim_id] = [_billed_facts(v) for v in billed.get(claim_id, ())]
        for m in match_lines(paid.get(payment_id, []), lines):
            sp = m.service_payment_id
            wanted[sp] = (sp, payment_id, m.claim_line_id, m.method.value)
    existing: dict[int, tuple[Any, ...]] = {}
    cols = (LM.c.service_payment_id, LM.c.claim_payment_id, LM.c.claim_line_id, LM.c.method)
    for chunk in chunked(sorted(target)):
        for row in conn.execute(select(*cols).where(id_in(LM.c.claim_payment_id, chunk, conn))):
            existing[row[0]] = tuple(row)
    for batch in chunked([sp for sp in existing if sp not in wanted]):
        conn.execute(delete(LM).where(id_in(LM.c.service_payment_id, batch, conn)))
    insert_rows(conn, LM, _LM_COLUMNS, [r for sp, r in wanted.items() if sp not in existing])
    changed = [r for sp, r in wanted.items() if sp in existing and existing[sp] != r]
    update_rows(conn, LM, _LM_COLUMNS[:1], _LM_COLUMNS[1:], changed)
    return {sp: row[2] for sp, row in wanted.items()}


def _billed_facts(v: BilledLineView) -> BilledLineFacts:
    return BilledLineFacts(v.claim_line_id, v.line_control_number, v.procedure, v.modifiers,
                           v.revenue_code, v.charge, v.units, v.service_date,
                           v.service_date_end)  # fmt: skip
