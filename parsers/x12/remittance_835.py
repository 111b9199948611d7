"""X12 835 remittance reader (005010X221A1; 004010X091A1 where the structure is the same).

Streams one transaction as RemittanceHeader, one ClaimPayment per CLP loop, RemittanceTrailer.
Only the open claim is held, so a million-claim file reads in flat memory. Dispatch is one dict
lookup per segment; problems travel as Issue records (claim problems inside the claim).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator

from parsers.records import (
    ClaimPayment,
    Issue,
    ProviderAdjustment,
    Record,
    RemittanceHeader,
    RemittanceTrailer,
    Severity,
    TransactionSet,
)
from parsers.x12.remittance_835_balance import balance_transaction
from parsers.x12.remittance_835_claim import ClaimAssembler
from parsers.x12.remittance_835_header import HeaderBuilder
from parsers.x12.remittance_835_values import ZERO, amount, date, issue, pad
from parsers.x12.values import ValueProblem, problem

Handler = Callable[[int, list[str]], None]
ERROR, WARNING = Severity.ERROR, Severity.WARNING
SUMMARY_LIMIT = 10_000  # LX/TS3/TS2 kept for the trailer; beyond this they are counted only
_CLAIM_ONLY = frozenset({"CAS", "NM1", "MIA", "MOA", "SVC"})  # meaningless without their CLP
_HEADER_SHARED = frozenset({"REF", "DTM", "PER"})


def read_835(ts: TransactionSet, segments: Iterator[tuple[int, list[str]]]) -> Iterator[Record]:
    """Read the segments between ST and SE of one 835 into records, in file order."""
    return _Reader(ts).run(segments)


class _Reader:
    """One 835 transaction: header builder, claim assembler, footer and totals."""

    def __init__(self, ts: TransactionSet) -> None:
        self.ts = ts
        self.component = ts.interchange.delimiters.component
        self.out: list[Record] = []
        self.head = HeaderBuilder(ts, self.out.append)
        self.claims = ClaimAssembler(self.component, ts.is_4010, self._outside)
        self.header: RemittanceHeader | None = None
        self.in_footer = False
        self.summaries: list[tuple[str, ...]] = []
        self.lx: tuple[str, ...] | None = None  # LX not yet followed by TS3/TS2
        self.summary_overflow = False
        self.adjustments: list[ProviderAdjustment] = []
        self.claim_count = 0
        self.paid_total = ZERO
        self.plb_total = ZERO
        self.money_ok = True  # every CLP04 and PLB amount converted
        self.table = self._dispatch()

    def _dispatch(self) -> dict[str, Handler]:
        head, claims = self.head, self.claims
        return {
            "BPR": head.bpr,
            "TRN": head.trn,
            "CUR": head.cur,
            "N1": head.n1,
            "N2": head.n2,
            "N3": head.n3,
            "N4": head.n4,
            "RDM": head.rdm,
            "LX": self._lx,
            "TS3": self._summary,
            "TS2": self._summary,
            "CLP": self._clp,
            "CAS": claims.cas,
            "NM1": claims.nm1,
            "MIA": claims.mia,
            "MOA": claims.moa,
            "REF": claims.ref,
            "DTM": claims.dtm,
            "PER": claims.per,
            "AMT": claims.amt,
            "QTY": claims.qty,
            "SVC": claims.svc,
            "LQ": claims.lq,
            "PLB": self._plb,
        }

    def run(self, segments: Iterator[tuple[int, list[str]]]) -> Iterator[Record]:
        """The main loop: one dict lookup and one call per segment."""
        out, table = self.out, self.table
        index = self.ts.segment_index  # the ST; after the loop, the last segment read
        for index, seg in segments:
            handler = table.get(seg[0])
            if handler is None:
                self._unknown(index, seg)
            else:
                handler(index, seg)
            if out:
                yield from out
                out.clear()
        self._finish(index - self.ts.segment_index + 2)  # ST..SE, as positions in the file
        yield from out
        out.clear()
        table.clear()  # bound methods of self: freed by refcount, not left to the cyclic GC
        del self.claims  # it holds self._outside

    # ------------------------------------------------------------------ structure

    def _detail(self, index: int | None) -> None:
        """Entering table 2: the header is complete, so emit it once."""
        if self.header is None:
            self.header = self.head.build(index)
            self.out.append(self.header)

    def _close_claim(self) -> None:
        claim = self.claims.close()
        if claim is None:
            return
        self.out.append(claim)
        self.claim_count += 1
        self.paid_total += claim.paid
        if claim.issues and _bad_paid(claim):
            self.money_ok = False

    def _lx(self, index: int, seg: list[str]) -> None:
        """LX: a new header-number group of claims (loop 2000)."""
        self._detail(index)
        self._close_claim()
        self._after_footer(index, seg)
        self.lx = tuple(seg)

    def _summary(self, index: int, seg: list[str]) -> None:
        """TS3/TS2 provider summaries: kept raw (after their LX) for the trailer's header."""
        self._detail(index)
        if self.claims.claim is not None:
            self.out.append(
                issue(
                    WARNING,
                    "835.segment-order",
                    f"{seg[0]} belongs right after LX, before the claims; kept",
                    index,
                    seg[0],
                )
            )
        if len(self.summaries) >= SUMMARY_LIMIT:
            if not self.summary_overflow:
                self.summary_overflow = True
                self.out.append(
                    issue(
                        WARNING,
                        "835.summaries-truncated",
                        f"more than {SUMMARY_LIMIT} provider summaries; the rest are not kept",
                        index,
                        seg[0],
                    )
                )
            return
        if self.lx is not None:
            self.summaries.append(self.lx)
            self.lx = None
        self.summaries.append(tuple(seg))

    def _clp(self, index: int, seg: list[str]) -> None:
        """CLP: close the open claim and start the next."""
        self._detail(index)
        self._close_claim()
        self._after_footer(index, seg)
        self.claims.start(index, seg)

    def _after_footer(self, index: int, seg: list[str]) -> None:
        if self.in_footer:
            self.out.append(
                issue(
                    WARNING,
                    "835.segment-order",
                    f"{seg[0]} after the PLB provider adjustments; read anyway",
                    index,
                    seg[0],
                )
            )

    def _outside(self, index: int, seg: list[str]) -> None:
        """A loop 2100/2110 segment with no claim open."""
        sid = seg[0]
        if sid in _HEADER_SHARED and self.header is None:
            getattr(self.head, sid.lower())(index, seg)
            return
        self._detail(index)
        if sid in _CLAIM_ONLY:
            self.out.append(
                issue(
                    ERROR,
                    "835.segment-outside-claim",
                    f"{sid} stands before any CLP (or after the PLB): the claim it "
                    "belongs to cannot be read",
                    index,
                    sid,
                )
            )
        else:
            self.out.append(
                issue(
                    WARNING,
                    "835.segment-outside-claim",
                    f"{sid} stands outside a claim; skipped",
                    index,
                    sid,
                )
            )

    def _unknown(self, index: int, seg: list[str]) -> None:
        """A segment id the 835 does not have: warned (inside the open claim) and skipped."""
        claim = self.claims.claim
        found = issue(
            WARNING,
            "835.segment-unknown",
            f"segment {seg[0]} is not part of an 835; skipped",
            index,
            seg[0],
            claim=claim.pcn if claim is not None else None,
        )
        (claim.issues if claim is not None else self.out).append(found)

    # ------------------------------------------------------------------ footer

    def _plb(self, index: int, seg: list[str]) -> None:
        """PLB: up to six provider adjustment pairs (PLB03/04 .. PLB13/14)."""
        self._detail(index)
        self._close_claim()
        self.in_footer = True
        e = pad(seg, 15)
        fiscal: dt.date | None = None
        try:
            fiscal = date(e[2])  # PLB02 fiscal period date
        except ValueProblem as exc:
            self.out.append(problem(exc, index, "PLB", "PLB02"))
        for i in range(3, 15, 2):
            if e[i] or e[i + 1]:
                self._plb_pair(index, e[1], fiscal, e[i], e[i + 1], i)

    def _plb_pair(
        self, index: int, provider: str, fiscal: dt.date | None, ident: str, text: str, i: int
    ) -> None:
        parts = ident.split(self.component)
        reason = parts[0]  # PLB03-1 adjustment reason
        reference = parts[1] if len(parts) > 1 else ""  # PLB03-2 reference identification
        try:
            value = amount(text)  # PLB04 (positive reduces the payment)
        except ValueProblem as exc:
            self.money_ok = False
            self.out.append(problem(exc, index, "PLB", f"PLB{i + 1:02d}"))
            return
        if not reason:
            self.out.append(
                issue(
                    ERROR,
                    "value.missing",
                    f"PLB{i:02d} adjustment reason is empty for amount {text}",
                    index,
                    "PLB",
                    f"PLB{i:02d}",
                )
            )
        self.adjustments.append(
            ProviderAdjustment(provider, fiscal, reason, reference, value, index)
        )
        self.plb_total += value

    def _finish(self, count: int) -> None:
        self._close_claim()
        if self.header is None:
            self._detail(None)
        assert self.header is not None
        header = self.header
        if self.summaries:
            header = dataclasses.replace(header, provider_summaries=tuple(self.summaries))
        found: list[Issue] = []
        if self.money_ok and self.head.payment_ok:
            imbalance = balance_transaction(
                header.payment_amount, self.paid_total, self.plb_total, self.head.bpr_index
            )
            if imbalance is not None:
                found.append(imbalance)
        self.out.append(
            RemittanceTrailer(
                header=header,
                provider_adjustments=tuple(self.adjustments),
                claim_count=self.claim_count,
                claim_paid_total=self.paid_total,
                plb_total=self.plb_total,
                segment_count=count,
                issues=tuple(found),
            )
        )


def _bad_paid(claim: ClaimPayment) -> bool:
    """True when CLP04 could not be read, so the transaction cannot be balanced."""
    return any(i.element == "CLP04" and i.severity is ERROR for i in claim.issues)
