"""The 835 header up to the first claim: BPR, TRN, CUR, REF, DTM*405, 1000A payer, 1000B payee."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parsers.records import Address, Issue, Party, RemittanceHeader, Severity, TransactionSet
from parsers.x12.remittance_835_loops import contacts
from parsers.x12.remittance_835_values import ZERO, amount, date, issue, pad
from parsers.x12.values import ValueProblem, problem

ERROR, WARNING = Severity.ERROR, Severity.WARNING


class PartyBuilder:
    """An N1 loop being read (1000A payer or 1000B payee)."""

    __slots__ = ("address", "code", "identifier", "index", "name", "qualifier", "refs")

    def __init__(self, index: int, seg: list[str]) -> None:
        e = pad(seg, 5)
        self.index = index
        self.code = e[1]  # N101 PR payer / PE payee
        self.name = e[2]  # N102
        self.qualifier = e[3]  # N103 XV, XX, FI
        self.identifier = e[4]  # N104
        self.address: Address | None = None
        self.refs: list[tuple[str, str]] = []

    def build(self) -> Party:
        """The finished Party."""
        return Party(
            entity_code=self.code,
            last_or_org_name=self.name,
            id_qualifier=self.qualifier,
            identifier=self.identifier,
            address=self.address,
            refs=tuple(self.refs),
        )


class HeaderBuilder:
    """Collects header segments; `emit` takes the bare issues found on the way."""

    def __init__(self, ts: TransactionSet, emit: Callable[[Issue], None]) -> None:
        self.ts = ts
        self.emit = emit
        self.fields: dict[str, Any] = {}
        self.closed = False  # True once the header record is built
        self.payment_ok = False  # BPR02 read as a number
        self.bpr_index: int | None = None
        self.payer: PartyBuilder | None = None
        self.payee: PartyBuilder | None = None
        self.party: PartyBuilder | None = None  # the N1 loop now being read
        self.refs: list[tuple[str, str]] = []
        self.contacts: list[tuple[str, str, str]] = []

    def _late(self, index: int, seg: list[str]) -> bool:
        """Warn about a header segment met after the claims began (or repeated)."""
        sid = seg[0]
        if self.closed:
            self.emit(
                issue(
                    WARNING,
                    "835.segment-order",
                    f"{sid} belongs in the 835 header, before the first claim; skipped",
                    index,
                    sid,
                )
            )
            return True
        return False

    def _once(self, index: int, seg: list[str], key: str) -> bool:
        if self._late(index, seg):
            return False
        if key in self.fields:
            self.emit(
                issue(
                    WARNING,
                    "835.segment-repeated",
                    f"a second {seg[0]} in the 835 header; the first is kept",
                    index,
                    seg[0],
                )
            )
            return False
        return True

    def bpr(self, index: int, seg: list[str]) -> None:
        """BPR: payment amount, method and date (all elements kept raw too)."""
        if not self._once(index, seg, "handling_code"):
            return
        e = pad(seg, 17)
        f = self.fields
        self.bpr_index = index
        f["handling_code"] = e[1]  # BPR01
        try:
            f["payment_amount"] = amount(e[2])  # BPR02 total actual provider payment
            self.payment_ok = True
        except ValueProblem as exc:
            self.emit(problem(exc, index, "BPR", "BPR02"))
        f["credit_debit"] = e[3]  # BPR03
        f["payment_method"] = e[4]  # BPR04
        f["payment_format"] = e[5]  # BPR05
        f["raw_bpr"] = tuple(seg[1:])
        f["payment_date"] = None
        try:
            f["payment_date"] = date(e[16])  # BPR16 check issue or EFT effective date
        except ValueProblem as exc:
            # known payer data errors (an impossible date such as 20002316, or BPR16 left
            # empty with the date one element early in BPR15): keep the claims, flag it
            cause = exc
            if not e[16] and len(e[15]) == 8 and e[15].isdigit():
                cause = ValueProblem(f"empty; BPR15 holds {e[15]}, so an element is missing")
            self.emit(problem(cause, index, "BPR", "BPR16", severity=WARNING))

    def trn(self, index: int, seg: list[str]) -> None:
        """TRN: the check or EFT trace number that reassociates money and remittance."""
        if not self._once(index, seg, "trace_type"):
            return
        e = pad(seg, 5)
        f = self.fields
        f["trace_type"] = e[1]  # TRN01
        f["trace_number"] = e[2]  # TRN02
        f["originator_id"] = e[3]  # TRN03
        f["trace_supplemental"] = e[4]  # TRN04
        if not e[2]:
            self.emit(
                issue(ERROR, "value.missing", "TRN02 trace number is empty", index, "TRN", "TRN02")
            )

    def cur(self, index: int, seg: list[str]) -> None:
        """CUR: payment currency."""
        if self._once(index, seg, "currency"):
            self.fields["currency"] = pad(seg, 3)[2]  # CUR02

    def ref(self, index: int, seg: list[str]) -> None:
        """REF: header (EV receiver, F2 version) or the current N1 loop's identifiers."""
        if self._late(index, seg):
            return
        e = pad(seg, 3)
        if self.party is not None:
            self.party.refs.append((e[1], e[2]))
            return
        self.refs.append((e[1], e[2]))
        if e[1] == "EV":
            self.fields["receiver_id"] = e[2]

    def dtm(self, index: int, seg: list[str]) -> None:
        """DTM*405 production date."""
        if self._late(index, seg):
            return
        e = pad(seg, 3)
        if e[1] != "405":
            self.emit(
                issue(
                    WARNING,
                    "835.date-qualifier",
                    f"DTM01 {e[1]!r} is not a header date (405); skipped",
                    index,
                    "DTM",
                    "DTM01",
                )
            )
            return
        try:
            self.fields["production_date"] = date(e[2])
        except ValueProblem as exc:
            self.emit(problem(exc, index, "DTM", "DTM02"))

    def n1(self, index: int, seg: list[str]) -> None:
        """N1: open the 1000A payer (PR) or 1000B payee (PE) loop."""
        if self._late(index, seg):
            return
        party = PartyBuilder(index, seg)
        self.party = None
        if party.code == "PR" and self.payer is None:
            self.payer = self.party = party
        elif party.code == "PE" and self.payee is None:
            self.payee = self.party = party
        else:
            self.emit(
                issue(
                    WARNING,
                    "835.segment-unexpected",
                    f"N1*{party.code} is not a payer (PR) or payee (PE) loop, or repeats "
                    "one; skipped",
                    index,
                    "N1",
                    "N101",
                )
            )

    def n2(self, index: int, seg: list[str]) -> None:
        """N2 (4010): additional name, appended to the N102 name."""
        if not self._late(index, seg) and self.party is not None:
            extra = " ".join(x for x in seg[1:3] if x)
            self.party.name = f"{self.party.name} {extra}".strip()

    def n3(self, index: int, seg: list[str]) -> None:
        """N3: address lines of the current N1 loop."""
        if self._in_party(index, seg):
            assert self.party is not None
            e = pad(seg, 3)
            old = self.party.address or Address()
            self.party.address = Address(
                e[1], e[2], old.city, old.state, old.postal_code, old.country
            )

    def n4(self, index: int, seg: list[str]) -> None:
        """N4: city, state, postal code, country of the current N1 loop."""
        if self._in_party(index, seg):
            assert self.party is not None
            e = pad(seg, 5)
            old = self.party.address or Address()
            self.party.address = Address(old.line1, old.line2, e[1], e[2], e[3], e[4])

    def per(self, index: int, seg: list[str]) -> None:
        """PER CX/BL/IC: payer contacts."""
        if self._in_party(index, seg):
            if self.party is not self.payer:
                self.emit(
                    issue(
                        WARNING,
                        "835.segment-unexpected",
                        "PER belongs to the payer loop (1000A); kept as a payer contact",
                        index,
                        "PER",
                    )
                )
            self.contacts.extend(contacts(seg))

    def rdm(self, index: int, seg: list[str]) -> None:
        """RDM: how the payee receives the remittance (1000B)."""
        if self._in_party(index, seg):
            self.fields["payee_delivery"] = tuple(seg[1:])

    def _in_party(self, index: int, seg: list[str]) -> bool:
        if self._late(index, seg):
            return False
        if self.party is None:
            self.emit(
                issue(
                    WARNING,
                    "835.segment-order",
                    f"{seg[0]} stands outside a payer or payee N1 loop; skipped",
                    index,
                    seg[0],
                )
            )
            return False
        return True

    def build(self, index: int | None) -> RemittanceHeader:
        """The header record; missing BPR/TRN are errors, missing N1 loops warnings."""
        self.closed = True
        self.party = None
        self._check_required(index)
        f = self.fields
        return RemittanceHeader(
            transaction=self.ts,
            handling_code=f.get("handling_code", ""),
            payment_amount=f.get("payment_amount", ZERO),
            credit_debit=f.get("credit_debit", ""),
            payment_method=f.get("payment_method", ""),
            payment_format=f.get("payment_format", ""),
            payment_date=f.get("payment_date"),
            trace_type=f.get("trace_type", ""),
            trace_number=f.get("trace_number", ""),
            originator_id=f.get("originator_id", ""),
            receiver_id=f.get("receiver_id", ""),
            production_date=f.get("production_date"),
            payer=self.payer.build() if self.payer else None,
            payee=self.payee.build() if self.payee else None,
            payer_contacts=tuple(self.contacts),
            raw_bpr=f.get("raw_bpr", ()),
            trace_supplemental=f.get("trace_supplemental", ""),
            currency=f.get("currency", ""),
            refs=tuple(self.refs),
            payee_delivery=f.get("payee_delivery", ()),
        )

    def _check_required(self, index: int | None) -> None:
        f = self.fields
        if "handling_code" not in f:
            msg = "the 835 has no BPR: the payment amount is unknown"
            self.emit(issue(ERROR, "835.segment-missing", msg, index, "BPR"))
        if "trace_type" not in f:
            msg = "the 835 has no TRN: the payment cannot be traced"
            self.emit(issue(ERROR, "835.segment-missing", msg, index, "TRN"))
        for who, party in (("payer (N1*PR)", self.payer), ("payee (N1*PE)", self.payee)):
            if party is None:
                msg = f"the 835 header has no {who} loop"
                self.emit(issue(WARNING, "835.segment-missing", msg, index, "N1"))
