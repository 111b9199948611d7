"""Stores one file's record stream inside the caller's transaction, batch by batch.

Duplicates are caught per transaction before anything of it is written:
- 835 and FHIR: the payment key (payer id + TRN02; payer id + "eob:" + EOB id for FHIR) is
  looked up before the remittance is written; a known payment is skipped whole.
- 837: the transaction key is ISA05/06/07/08/13 + GS06 + ST02 + a digest of its claims
  (CLM01, CLM02, CLM05-3 in order). When the envelope part was seen before, the transaction is
  written inside a savepoint and rolled back if the whole key matches.
An ERROR issue anywhere rejects the file: writing stops and the caller rolls back.
"""

from __future__ import annotations

import gc
import hashlib
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import URL, Connection, NestedTransaction, Select

from claimsdesk.services import import_rows as rows
from claimsdesk.services.import_835 import Payments
from claimsdesk.services.import_837 import write_submitted_claim
from claimsdesk.services.import_issues import IssueLog
from claimsdesk.services.import_writer import BatchWriter
from claimsdesk.storage import queries
from claimsdesk.storage.models import ingest as m
from parsers.records import (
    ClaimPayment,
    Interchange,
    Issue,
    Record,
    RemittanceHeader,
    RemittanceTrailer,
    SubmittedClaim,
    TransactionEnd,
    TransactionSet,
)


@dataclass
class Counts:
    """What this file added to the store."""

    transactions: int = 0
    claims: int = 0
    service_lines: int = 0
    remittances: int = 0
    payment_total: Decimal = Decimal("0.00")

    def snapshot(self) -> Counts:
        """A copy to restore after a savepoint rollback."""
        return Counts(**vars(self))


@dataclass
class _Tx:
    """State of the transaction set being read."""

    ts: TransactionSet
    ref: int | None = None
    skip: bool = False  # a duplicate payment: nothing of it is stored
    digest: Any = None  # 837 claims digest
    savepoint: NestedTransaction | None = None
    counts: Counts | None = None
    created: tuple[int, int, int] = (0, 0, 0)


@dataclass
class RecordSink:
    """Consumes records and writes rows; the caller owns the transaction."""

    conn: Connection
    file_id: int
    log: IssueLog
    batch_claims: int = 2_000
    counts: Counts = field(default_factory=Counts)
    duplicates: list[str] = field(default_factory=list)  # why transactions were skipped
    notes: list[str] = field(default_factory=list)  # repeats inside the file, kept
    keep_ids: bool = True  # note the ids of created rows (writer.created) for a hook

    def __post_init__(self) -> None:
        self.writer = BatchWriter(self.conn, keep_ids=self.keep_ids)
        self.payments = Payments(self)
        self._tx: _Tx | None = None
        self._isa: Interchange | None = None
        self._isa_ref: int | None = None
        self._pending = 0
        self._held: deque[Record] = deque()
        self._announced: TransactionSet | None = None  # last 837 transaction checked
        self._envelope_checks: dict[int, tuple[TransactionSet, Future[Any]]] = {}
        self._side: Connection | None = None  # duplicate checks against other files
        self._837_seen: Counter[str] = Counter()
        self._young = [0, 0]  # claims and transactions read since the last young collection
        self._handlers: dict[type, Callable[[Any], None]] = {
            RemittanceHeader: self.payments.header,
            ClaimPayment: self.payments.claim,
            RemittanceTrailer: self.payments.trailer,
            SubmittedClaim: self._submitted,
            TransactionEnd: self._end,
            Issue: self._issue,
        }

    @property
    def rejected(self) -> bool:
        """An ERROR issue was read."""
        return self.log.error_count > 0

    @property
    def only_duplicates(self) -> bool:
        """Every transaction or payment of the file was imported before."""
        c = self.counts
        return bool(self.duplicates) and not (c.transactions or c.remittances or c.claims)

    def consume(self, records: Iterable[Record]) -> None:
        """Store every record; after an error only collect the remaining issues. The duplicate
        check of a payment or 837 transaction is sent when its first record is read; the
        records from there on wait (at most a batch of them) until it has answered."""
        held, limit = self._held, max(self.batch_claims, 1)
        for record in records:
            if not self.rejected:
                self._announce(record)
            held.append(record)
            self._drain(block=len(held) > limit)
        self._drain(block=True)

    def _announce(self, record: Record) -> None:
        if isinstance(record, RemittanceHeader):
            self.payments.announce(record)
        elif isinstance(record, SubmittedClaim) and record.transaction is not self._announced:
            ts = self._announced = record.transaction
            seen = queries.envelope_seen_elsewhere(rows.envelope_key(ts), self.file_id)
            self._envelope_checks[id(ts)] = (ts, self.check(seen))

    def _ready(self, record: Record) -> bool:
        """False while the check this record waits for is still running."""
        if isinstance(record, RemittanceHeader):
            return self.payments.ready(record)
        if isinstance(record, SubmittedClaim):
            entry = self._envelope_checks.get(id(record.transaction))
            return entry is None or entry[0] is not record.transaction or entry[1].done()
        return True

    def _drain(self, block: bool) -> None:
        """Handle held records in order, up to one whose check is still running."""
        held = self._held
        while held:
            record = held[0]
            if not block and not self._ready(record):
                return
            held.popleft()
            if self.rejected:
                self.log.collect_errors(record)
            else:
                self._handlers[type(record)](record)

    def finish(self) -> None:
        """Write what is still buffered (nothing when rejected) and stop the writer thread."""
        if self.rejected:
            self.close()
            return
        self.writer.flush()
        self.writer.close()
        self.close()

    def close(self) -> None:
        """Stop the writer (quietly: the caller is failing or done) and return the second
        connection; safe to call again."""
        self.writer.close(quiet=True)
        side, self._side = self._side, None
        if side is not None:
            side.close()

    def check(self, query: Select[Any]) -> Future[Any]:
        """First row of a duplicate check, which only looks at other files (committed rows):
        it runs at once on a second connection, so it never waits behind this file's writes.
        An in-memory SQLite database has no second connection: there it runs on the writer
        thread after the work queued before it (the records after it are held meanwhile)."""
        engine = self.conn.engine
        if engine.dialect.name == "sqlite" and _in_memory(engine.url):
            return self.writer.submit(lambda conn: conn.execute(query).first())
        if self._side is None:
            self._side = engine.connect()
        done: Future[Any] = Future()
        done.set_result(self._side.execute(query).first())
        self._side.rollback()  # no snapshot kept between checks
        return done

    # ------------------------------------------------------------------ issues

    def _issue(
        self, issue: Issue, claim_payment: int | None = None, submitted: int | None = None
    ) -> None:
        if self.log.add(issue) and not self.rejected:
            self.writer.add(
                m.ImportIssue, rows.issue_row(issue, self.file_id, claim_payment, submitted)
            )

    def issues(self, issues: tuple[Issue, ...], **links: int | None) -> None:
        for issue in issues:
            self._issue(issue, **links)

    def claim_done(self) -> None:
        self._pending += 1
        self._young[0] += 1
        if self._pending >= self.batch_claims:
            self.writer.flush(wait=False)
            self._pending = 0

    # ------------------------------------------------------------------ envelopes

    def tx_for(self, ts: TransactionSet) -> _Tx:
        if self._tx is None or self._tx.ts is not ts:
            self._tx = _Tx(ts)
        return self._tx

    def _interchange(self, isa: Interchange) -> int:
        if self._isa_ref is None or (self._isa is not isa and self._isa != isa):
            self._isa = isa
            self._isa_ref = self.writer.add_parent(
                m.Interchange, rows.interchange_row(isa, self.file_id)
            )
        assert self._isa_ref is not None
        return self._isa_ref

    def tx_row(self, tx: _Tx) -> int:
        if tx.ref is None:
            isa = self._interchange(tx.ts.interchange)
            tx.ref = self.writer.add_parent(
                m.TransactionSetRow, rows.transaction_row(tx.ts, self.file_id, isa)
            )
        assert tx.ref is not None
        return tx.ref

    def _end(self, end: TransactionEnd) -> None:
        self._collect_young()
        tx = self.tx_for(end.transaction)
        self._tx = None
        if tx.skip:
            self.issues(end.issues)
            return
        if end.transaction.set_id == "837":
            if tx.digest is None:
                self._start_837(tx)
            if not self._finish_837(tx, end):
                return
        ref = self.tx_row(tx)
        values = {"segment_count": end.segment_count, "claim_count": end.claim_count}
        self.writer.set_values(m.TransactionSetRow, ref, values)
        self.counts.transactions += 1
        self.issues(end.issues)

    def _collect_young(self) -> None:
        """Free the readers of finished transactions. The reader's state for one transaction
        is a reference cycle (dispatch tables of bound methods) and the import pauses the
        cyclic GC (import_attempt), so a million-claim 835 would keep ~35 MB of dead readers.
        At a transaction end none is alive; a young collection also scans the live objects
        made since the last one, so it runs only every so many claims or transactions."""
        young = self._young
        young[1] += 1
        if young[0] >= _COLLECT_CLAIMS or young[1] >= _COLLECT_TRANSACTIONS:
            gc.collect(0)
            young[0] = young[1] = 0

    # ------------------------------------------------------------------ 837

    def _submitted(self, claim: SubmittedClaim) -> None:
        tx = self.tx_for(claim.transaction)
        if tx.digest is None:
            self._start_837(tx)
        ref = write_submitted_claim(self, claim, self.tx_row(tx))
        tx.digest.update(
            f"{claim.patient_control_number}\x1f{claim.total_charge}\x1f{claim.frequency}\x1e".encode()
        )
        self.issues(claim.issues, submitted=ref)
        self.counts.claims += 1
        self.counts.service_lines += len(claim.lines)
        self.claim_done()

    def _start_837(self, tx: _Tx) -> None:
        """Open a savepoint when this envelope was seen before (a possible re-send)."""
        tx.digest = hashlib.sha256()
        entry = self._envelope_checks.pop(id(tx.ts), None)
        if entry is None or entry[0] is not tx.ts:  # a transaction without claims
            seen = queries.envelope_seen_elsewhere(rows.envelope_key(tx.ts), self.file_id)
            entry = (tx.ts, self.check(seen))
        if entry[1].result() is not None:
            self._interchange(tx.ts.interchange)
            self.writer.flush()
            tx.counts = self.counts.snapshot()
            tx.created = self.writer.created.mark()
            tx.savepoint = self.conn.begin_nested()

    def _finish_837(self, tx: _Tx, end: TransactionEnd) -> bool:
        """Set the dedupe key; roll a re-sent transaction back. True when it is kept."""
        key = self._837_key(tx, end)
        if tx.savepoint is not None:
            self.writer.flush()
            found = self.conn.execute(queries.transaction_source(key)).first()
            if found is not None:
                tx.savepoint.rollback()
                self.counts = tx.counts or self.counts
                self.writer.created.cut(tx.created)
                self.writer.forget_entities()
                self.duplicates.append(
                    f"{_where_ts(tx.ts)}: 837 transaction {rows.envelope_key(tx.ts)} with the"
                    f" same claims was already imported from {found[0]}; skipped"
                )
                return False
        ref = self.tx_row(tx)
        self.writer.set_values(m.TransactionSetRow, ref, {"dedupe_key": key})
        if tx.savepoint is not None:
            self.writer.flush()
            tx.savepoint.commit()
        return True

    def _837_key(self, tx: _Tx, end: TransactionEnd) -> str:
        """Envelope, claim count and claims digest; the n-th repeat in a file gets #n."""
        key = f"{rows.envelope_key(tx.ts)}|{end.claim_count}|{tx.digest.hexdigest()[:40]}"
        self._837_seen[key] += 1
        n = self._837_seen[key]
        if n == 1:
            return key
        self.notes.append(
            f"{_where_ts(tx.ts)}: 837 transaction {rows.envelope_key(tx.ts)} appears {n} times"
            " in this file; each is stored"
        )
        return f"{key}#{n}"


# A young collection costs ~30 ms, mostly for the live party Refs and rows it scans (cold
# in cache); dead readers are ~20 KB per 700-claim 835 transaction: a few MB between two.
_COLLECT_CLAIMS = 100_000
_COLLECT_TRANSACTIONS = 500


def _in_memory(url: URL) -> bool:
    """A SQLite database that a second connection would not see."""
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _where_ts(ts: TransactionSet) -> str:
    return f"segment {ts.segment_index} ST {ts.set_id} {ts.control_number}"
