"""Payments of one file (835 transactions and FHIR EOBs): duplicate checks and their rows.

A payment is known by its payer id and key (TRN02; "eob:" + EOB id for FHIR). An X12
payment's check against earlier imports is sent as soon as its header is read (announce, see
RecordSink.check); the sink holds the records that follow until the answer is in. A known
payment is skipped whole; the n-th repeat inside the file is stored as key#n, with a note.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claimsdesk.services import import_parties as parties
from claimsdesk.services import import_rows as rows
from claimsdesk.services.import_writer import Ref
from claimsdesk.storage import queries
from claimsdesk.storage.models import ingest as m
from parsers.records import ClaimPayment, Party, RemittanceHeader, RemittanceTrailer

if TYPE_CHECKING:
    from claimsdesk.services.import_store import RecordSink


@dataclass
class _Payment:
    """The remittance being read: its header and check until decided, then its rows."""

    header: RemittanceHeader
    key: str | None = None
    check: Future[Any] | None = None  # earlier import of the same payment: (path,) or None
    started: bool = False
    ref: int | None = None
    skip: bool = False
    payer_key: str | None = None
    payer: Ref | None = None
    decided: bool = False


class Payments:
    """Writes the payments of one file through its RecordSink."""

    def __init__(self, sink: RecordSink) -> None:
        self.sink = sink
        self.current: _Payment | None = None
        self._announced: dict[int, _Payment] = {}
        self._seen: Counter[tuple[str, str]] = Counter()

    def announce(self, header: RemittanceHeader) -> None:
        """Send the duplicate check of an X12 payment as soon as its header is read."""
        if header.transaction is not None:
            payment = _Payment(header)
            self._start(payment, "")
            self._announced[id(header)] = payment

    def ready(self, header: RemittanceHeader) -> bool:
        """False while this header's duplicate check is still running."""
        payment = self._announced.get(id(header))
        return payment is None or payment.check is None or payment.check.done()

    def header(self, header: RemittanceHeader) -> None:
        """The payment starts; it is decided at its first claim or its trailer."""
        if header.transaction is not None:
            self.sink.tx_for(header.transaction)
        self.current = self._announced.pop(id(header), None) or _Payment(header)

    def claim(self, claim: ClaimPayment) -> None:
        """CLP loop (or EOB) with its service lines, adjustments and remarks."""
        payment = self.current
        if payment is None:  # a reader fault: claims without a header
            return
        if not payment.decided:
            self._decide(payment, claim.source_id)
        if payment.skip:
            return
        sink, add = self.sink, self.sink.writer.add
        row = rows.claim_payment_row(claim, payment.ref, sink.file_id)
        row["patient_id"], row["coverage_id"] = parties.patient_835(
            sink.writer, claim, payment.payer_key, payment.payer
        )
        row["rendering_provider_id"] = parties.provider(sink.writer, claim.rendering_provider)
        ref = sink.writer.add_parent(m.ClaimPayment, row)
        for adj in claim.adjustments:
            add(m.ClaimAdjustment, rows.adjustment_row(adj, ref, None))
        for code in claim.remark_codes:
            add(m.RemarkCode, rows.remark_row(ref, None, "", code))
        for number, svc in enumerate(claim.services, 1):
            svc_ref = add(m.ServicePayment, rows.service_payment_row(svc, ref, number))
            for adj in svc.adjustments:
                add(m.ClaimAdjustment, rows.adjustment_row(adj, ref, svc_ref))
            for qualifier, code in svc.remarks:
                add(m.RemarkCode, rows.remark_row(ref, svc_ref, qualifier, code))
        sink.issues(claim.issues, claim_payment=ref)
        sink.counts.claims += 1
        sink.counts.service_lines += len(claim.services)
        sink.claim_done()

    def trailer(self, trailer: RemittanceTrailer) -> None:
        """Totals and PLB of the payment (none when it was skipped)."""
        payment, self.current = self.current, None
        if payment is None:
            payment = _Payment(trailer.header)
        if not payment.decided:
            self._decide(payment, "")
        sink = self.sink
        if payment.skip or payment.ref is None:
            sink.issues(trailer.issues)
            return
        sink.writer.set_values(m.Remittance, payment.ref, rows.trailer_values(trailer))
        for plb in trailer.provider_adjustments:
            sink.writer.add(m.ProviderAdjustmentRow, rows.plb_row(plb, payment.ref))
        sink.issues(trailer.issues)

    # ------------------------------------------------------------------ steps

    def _start(self, payment: _Payment, source_id: str) -> None:
        """Key the payment and send its check (FHIR: only now is the EOB id known)."""
        payment.started = True
        header = payment.header
        payment.key = self._occurrence_key(header, _payment_key(header, source_id))
        if payment.key is not None:
            payment.check = self.sink.check(queries.payment_source(header.payer_id, payment.key))

    def _decide(self, payment: _Payment, source_id: str) -> None:
        """Skip a payment seen before; otherwise write its remittance row."""
        if not payment.started:
            self._start(payment, source_id)
        payment.decided = True
        header, sink = payment.header, self.sink
        found = payment.check.result() if payment.check is not None else None
        if found is not None:
            payment.skip = True
            if header.transaction is not None:
                sink.tx_for(header.transaction).skip = True
            sink.duplicates.append(
                f"{_where(header)}: payment {payment.key} of payer {header.payer_id} was"
                f" already imported from {found[0]}; skipped"
            )
            return
        tx_ref = None
        if header.transaction is not None:
            tx_ref = sink.tx_row(sink.tx_for(header.transaction))
        row = rows.remittance_row(header, sink.file_id, tx_ref, payment.key)
        payment.payer_key = rows.payer_key(header.payer_id, _name(header.payer))
        if payment.payer_key is not None:
            payment.payer = sink.writer.payers.ref(
                payment.payer_key, lambda: rows.payer_row(header.payer, header.payer_id)
            )
        row["payer_id"] = payment.payer
        row["payee_id"] = parties.provider(sink.writer, header.payee)
        payment.ref = sink.writer.add_parent(m.Remittance, row)
        sink.counts.remittances += 1
        sink.counts.payment_total += rows.signed_payment(header)

    def _occurrence_key(self, header: RemittanceHeader, key: str | None) -> str | None:
        """The n-th time a payment appears in this file is stored as key#n, with a note."""
        if key is None:
            return None
        self._seen[header.payer_id, key] += 1
        n = self._seen[header.payer_id, key]
        if n == 1:
            return key
        self.sink.notes.append(
            f"{_where(header)}: payment {key} of payer {header.payer_id} appears {n} times"
            " in this file; each is stored as its own remittance"
        )
        return f"{key}#{n}"


def _name(party: Party | None) -> str:
    return party.last_or_org_name if party is not None else ""


def _payment_key(header: RemittanceHeader, source_id: str) -> str | None:
    """TRN02 for X12; 'eob:' + EOB id for FHIR (several EOBs may share one payment)."""
    if header.transaction is None and source_id:
        return "eob:" + source_id
    return header.trace_number.strip() or None


def _where(header: RemittanceHeader) -> str:
    if header.transaction is None:
        return "EOB"
    ts = header.transaction
    return f"segment {ts.segment_index} ST {ts.set_id} {ts.control_number}"
