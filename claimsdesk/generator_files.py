"""Files of a generated batch: 837/835 writers per cycle (or one set for the whole batch),
payment headers (BPR/TRN, payer and payee) and PLB provider adjustments.

Files are written under a temporary name and renamed when complete, so an interrupted run
never leaves a half-written file that looks finished.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from claimsdesk.edi.writer import Remittance, Writer835, Writer837, balanced_amount
from claimsdesk.edi.x12out import money
from claimsdesk.generator_data import CLEARINGHOUSE, SUBMITTER, PayerInfo
from claimsdesk.generator_remit import Paid
from parsers.records import (
    ClaimPayment,
    Party,
    ProviderAdjustment,
    RemittanceHeader,
    SubmittedClaim,
)

SUBMITTER_ID = "SXSUBMIT01"  # ISA06 of our 837s, ISA08 of the payers' 835s
RECEIVER_ID = "SXCLEAR01"  # ISA08 of our 837s (the clearinghouse)


class _Open:
    """One file being written: its stream, writer and final name."""

    def __init__(self, final: Path, writer_kind: str, **options: object) -> None:
        self.final = final
        self.tmp = final.with_name(f".{final.name}.part")
        self.stream: TextIO = open(self.tmp, "w", encoding="ascii", newline="\n")  # noqa: SIM115
        self.writer: Writer835 | Writer837 = (
            Writer835(self.stream, **options)  # type: ignore[arg-type]
            if writer_kind == "835"
            else Writer837(self.stream, **options)  # type: ignore[arg-type]
        )

    def finish(self) -> Path:
        self.writer.close()
        self.stream.close()
        os.replace(self.tmp, self.final)
        return self.final

    def discard(self) -> None:
        self.stream.close()
        self.tmp.unlink(missing_ok=True)


class Outputs:
    """Where a batch goes: per-cycle files, or one 837P, 837I and 835 file (single)."""

    def __init__(self, out_dir: Path, seed: int, *, single: bool) -> None:
        self.out_dir = out_dir
        self.seed = seed
        self.single = single
        self.paths: list[Path] = []
        self.recent: dict[str, list[str]] = defaultdict(list)  # payer -> claim numbers paid
        self.checks = 0  # payments written so far (paces the PLB recoupments)
        self._files = 0
        self._open: dict[str, _Open] = {}

    def _isa13(self) -> int:
        self._files += 1
        return (self.seed % 100_000 * 10_000 + self._files) % 1_000_000_000

    def _file(self, key: str, name: str, kind: str, when: dt.datetime, **env: object) -> _Open:
        current = self._open.get(key)
        if current is None:
            current = _Open(
                self.out_dir / name, kind, interchange_control=self._isa13(), created=when, **env
            )
            self._open[key] = current
        return current

    def claims(
        self, cycle: int, kind: str, claims: Sequence[SubmittedClaim], when: dt.datetime
    ) -> None:
        """An 837 of one kind: its own file per cycle, or appended to the batch file."""
        suffix = kind[-1].lower()
        name = (
            f"claims-837{suffix}.837" if self.single else f"{cycle + 1:04d}-claims-837{suffix}.837"
        )
        handle = self._file(
            kind,
            name,
            "837",
            when,
            sender=SUBMITTER_ID,
            receiver=RECEIVER_ID,
            submitter=SUBMITTER,
            receiver_party=CLEARINGHOUSE,
        )
        writer = handle.writer
        assert isinstance(writer, Writer837)
        for claim in claims:
            writer.add(claim)
        if not self.single:
            self._finish(kind)

    def remits(
        self, cycle: int, payer: PayerInfo, remittances: Sequence[Remittance], when: dt.datetime
    ) -> None:
        """One 835 per payer per cycle (one ST per payee), or all in the batch 835."""
        key = "835" if self.single else f"835-{payer.payer_id}"
        name = "remit.835" if self.single else f"{cycle + 1:04d}-remit-{payer.payer_id}.835"
        sender = "SXPAYERS" if self.single else payer.payer_id
        handle = self._file(key, name, "835", when, sender=sender, receiver=SUBMITTER_ID)
        writer = handle.writer
        assert isinstance(writer, Writer835)
        for remittance in remittances:
            writer.add(remittance)
        if not self.single:
            self._finish(key)

    def _finish(self, key: str) -> None:
        self.paths.append(self._open.pop(key).finish())

    def close(self) -> list[Path]:
        """Finish every open file; the paths in import order (claims before remittances)."""
        for key in ("837P", "837I", "835"):
            if key in self._open:
                self._finish(key)
        return self.paths

    def abort(self) -> None:
        """Drop unfinished files after an error."""
        for handle in self._open.values():
            handle.discard()
        self._open.clear()


def remittances_for(
    outputs: Outputs,
    rng: random.Random,
    payer: PayerInfo,
    cycle: int,
    answers: Sequence[Paid],
    paid_on: dt.date,
) -> list[Remittance]:
    """One balanced payment per payee of this payer in this cycle."""
    by_payee: dict[str, list[Paid]] = defaultdict(list)
    payees: dict[str, Party] = {}
    for item in answers:
        by_payee[item.payee.identifier].append(item)
        payees[item.payee.identifier] = item.payee
    out = []
    for n, npi in enumerate(sorted(by_payee), start=1):
        claims = [p.payment for p in by_payee[npi]]
        plb = _provider_adjustments(outputs, rng, payer, npi, claims, paid_on)
        trace = f"{payer.short}{outputs.seed % 100_000:05d}{cycle + 1:05d}{n:02d}"
        header = payment_header(payer, payees[npi], paid_on, trace, balanced_amount(claims, plb))
        out.append(Remittance(header, claims, plb))
        outputs.recent[payer.payer_id] = [c.payer_claim_number for c in claims[-20:]]
    return out


def _provider_adjustments(
    outputs: Outputs,
    rng: random.Random,
    payer: PayerInfo,
    npi: str,
    claims: Sequence[ClaimPayment],
    paid_on: dt.date,
) -> list[ProviderAdjustment]:
    """PLB: interest on late claims (L6, negative) and overpayment recoveries (WO)."""
    year_end = dt.date(paid_on.year, 12, 31)  # PLB02 fiscal period date
    out: list[ProviderAdjustment] = []
    if claims and rng.random() < 0.2:
        interest = -Decimal(rng.randint(50, 1500)) / 100
        out.append(ProviderAdjustment(npi, year_end, "L6", claims[0].payer_claim_number, interest))
    total = sum((c.paid for c in claims), Decimal(0)) + sum((a.amount for a in out), Decimal(0))
    earlier = outputs.recent.get(payer.payer_id, [])
    outputs.checks += 1
    if earlier and total > 200 and outputs.checks % 5 == 3:  # one payment in five or so
        amount = min(Decimal(rng.randint(2500, 7500)) / 100, total / 2).quantize(Decimal("0.01"))
        out.append(ProviderAdjustment(npi, year_end, "WO", rng.choice(earlier), amount))
    return out


def _bank_details(payer: PayerInfo, amount: Decimal, paid_on: dt.date) -> tuple[str, ...]:
    """BPR01..BPR16 of an ACH payment with synthetic routing and account numbers."""
    return (
        "I",
        money(amount),
        "C",
        "ACH",
        "CCP",
        "01",
        "999999992",
        "DA",
        "000123456",
        "1" + payer.tax_id,
        "",
        "01",
        "999988880",
        "DA",
        "000987654",
        paid_on.strftime("%Y%m%d"),
    )


def payment_header(
    payer: PayerInfo, payee: Party, paid_on: dt.date, trace: str, amount: Decimal
) -> RemittanceHeader:
    """BPR/TRN/DTM*405 and the 1000A payer / 1000B payee of one payment."""
    method = payer.payment_method if amount > 0 else "NON"
    raw = _bank_details(payer, amount, paid_on) if method == "ACH" else ()
    return RemittanceHeader(
        transaction=None,
        handling_code="I" if amount > 0 else "H",
        payment_amount=amount,
        credit_debit="C",
        payment_method=method,
        payment_format="CCP" if method == "ACH" else "",
        payment_date=paid_on,
        trace_type="1",
        trace_number=trace,
        originator_id="1" + payer.tax_id,
        production_date=paid_on - dt.timedelta(days=1),
        payer=Party("PR", payer.name, address=payer.address, refs=(("2U", payer.payer_id),)),
        payee=Party(
            "PE",
            payee.last_or_org_name,
            id_qualifier="XX",
            identifier=payee.identifier,
            refs=tuple((("TJ", v) for q, v in payee.refs if q == "EI")),
        ),
        payer_contacts=(("BL", "TE", "800555" + payer.tax_id[-4:]),),
        raw_bpr=raw,
    )
