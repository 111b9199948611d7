"""Loops 2100/2110 of the 835: one claim at a time, its service lines, and claim balancing.

The assembler keeps only the claim being read; each ClaimPayment is built once, when the next
CLP, LX, PLB or the end of the transaction closes it. Amount conversions on the hot path are
inlined (Decimal + is_finite); failures take the slow path that names the element.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from parsers.records import ClaimPayment, Procedure, Severity
from parsers.x12.remittance_835_balance import balance_claim, balance_line
from parsers.x12.remittance_835_loops import Claim, Line, build_claim, build_line, contacts
from parsers.x12.remittance_835_values import (
    CACHE_LIMIT,
    CLAIM_DATES,
    GROUPS_4010,
    GROUPS_5010,
    LINE_DATES,
    PARTY_SLOTS,
    STATUS_4010,
    STATUS_5010,
    ZERO,
    amount,
    date,
    issue,
    make_adjustment,
    nm1_party,
    pad,
    procedure,
)
from parsers.x12.values import ValueProblem, problem

Handler = Callable[[int, list[str]], None]
ERROR, WARNING = Severity.ERROR, Severity.WARNING
_MIA_REMARKS = (5, 20, 21, 22, 23, 24)  # MIA05, MIA20-MIA24 claim payment remark codes
_MOA_REMARKS = (3, 4, 5, 6, 7)  # MOA03-MOA07 claim payment remark codes


class ClaimAssembler:
    """Segment handlers for loops 2100/2110; `outside` takes segments met with no claim open."""

    def __init__(self, component: str, is_4010: bool, outside: Handler) -> None:
        self.component = component
        self.groups = GROUPS_4010 if is_4010 else GROUPS_5010
        self.statuses = STATUS_4010 if is_4010 else STATUS_5010
        self.version = "4010" if is_4010 else "5010"
        self.outside = outside
        self.claim: Claim | None = None
        self.procedures: dict[str, Procedure] = {}

    # ------------------------------------------------------------------ claim open/close

    def start(self, index: int, seg: list[str]) -> None:
        """CLP: open a claim (the caller closed the previous one)."""
        e = seg if len(seg) > 5 else pad(seg, 6)  # CLP06 onwards are read by Claim.build
        claim = self.claim = Claim(index, e)
        try:  # CLP03 charge, CLP04 payment, CLP05 patient responsibility
            charge, paid = Decimal(e[3]), Decimal(e[4])
            responsibility = Decimal(e[5]) if e[5] else None
            ok = charge.is_finite() and paid.is_finite()
            ok = ok and (responsibility is None or responsibility.is_finite())
        except InvalidOperation:
            ok = False
        if not ok:
            charge = self._amount(claim, e[3], index, "CLP", "CLP03")
            paid = self._amount(claim, e[4], index, "CLP", "CLP04")
            responsibility = self._optional(claim, e[5], index, "CLP", "CLP05")
        claim.charge, claim.paid, claim.patient_responsibility = charge, paid, responsibility
        if len(e) > 12:
            self._drg_amounts(claim, index, e)
        if not e[1]:
            msg = "CLP01 patient control number is empty"
            self._add(claim, ERROR, "value.missing", msg, index, "CLP", "CLP01")
        if e[2] not in self.statuses:
            msg = f"CLP02 claim status {e[2]!r} is not valid in a {self.version} 835"
            self._add(claim, WARNING, "835.claim-status", msg, index, "CLP", "CLP02")

    def _drg_amounts(self, claim: Claim, index: int, e: list[str]) -> None:
        """CLP12 DRG weight and CLP13 discharge fraction, when sent."""
        if e[12]:
            claim.drg_weight = self._amount(claim, e[12], index, "CLP", "CLP12")
        if len(e) > 13 and e[13]:
            claim.discharge_fraction = self._amount(claim, e[13], index, "CLP", "CLP13")

    def close(self) -> ClaimPayment | None:
        """Build the open claim, with its balancing issues; None when no claim is open."""
        claim = self.claim
        if claim is None:
            return None
        self.claim = None
        if claim.line is not None:
            self._close_line(claim, claim.line)
        if claim.ok and (  # exact matches need no closer look
            claim.charge - claim.cas_total - claim.line_cas != claim.paid
            or (claim.patient_responsibility or ZERO) != claim.pr_total
            or (claim.services and claim.line_charge != claim.charge)
        ):
            claim.issues.extend(balance_claim(claim))
        return build_claim(claim)

    def _close_line(self, claim: Claim, line: Line) -> None:
        claim.line = None
        if line.ok:
            claim.line_cas += line.cas_total
            claim.line_charge += line.charge
            if line.charge - line.cas_total != line.paid:  # exact match: no need to look closer
                found = balance_line(claim.pcn, line)
                if found is not None:
                    claim.issues.append(found)
        else:
            claim.ok = False
        claim.services.append(build_line(line))

    # ------------------------------------------------------------------ 2100 / 2110 segments

    def cas(self, index: int, seg: list[str]) -> None:
        """CAS: up to six group/reason/amount/quantity triplets, at claim or line level."""
        claim = self.claim
        if claim is None:
            return self.outside(index, seg)
        line = claim.line
        n = len(seg)
        group = seg[1] if n > 1 else ""  # CAS01
        if group not in self.groups:
            msg = f"CAS01 group code {group!r} is not valid in a {self.version} 835"
            self._add(claim, WARNING, "835.group-code", msg, index, "CAS", "CAS01")
        level = "claim" if line is None else "line"
        target = claim.adjustments if line is None else line.adjustments
        total = ZERO
        ok = True
        for i in range(2, n if n < 20 else 20, 3):  # CAS02/03/04 .. CAS17/18/19
            reason = seg[i]
            text = seg[i + 1] if i + 1 < n else ""
            qty_text = seg[i + 2] if i + 2 < n else ""
            try:
                value = Decimal(text)
                if not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                if reason or text or qty_text:
                    ok = False
                    self._amount(claim, text, index, "CAS", f"CAS{i + 1:02d}")
                continue
            qty = None
            if qty_text or not reason:
                qty = self._triplet_extras(claim, index, i, reason, text, qty_text)
            total += value
            target.append(make_adjustment(group, reason, value, qty, level))
        if group == "PR":
            claim.pr_total += total
        if line is None:
            claim.cas_total += total
        else:
            line.cas_total += total
        if not ok:
            (claim if line is None else line).ok = False
        return None

    def _triplet_extras(
        self, claim: Claim, index: int, i: int, reason: str, text: str, qty_text: str
    ) -> Decimal | None:
        """Slow path of a CAS triplet: its quantity, and the check that a reason was given."""
        if not reason:
            msg = f"CAS{i:02d} adjustment reason is empty for amount {text}"
            self._add(claim, ERROR, "value.missing", msg, index, "CAS", f"CAS{i:02d}")
        return self._optional(claim, qty_text, index, "CAS", f"CAS{i + 2:02d}")

    def nm1(self, index: int, seg: list[str]) -> None:
        """NM1 QC/IL/74/82/TT/PR/GB: the parties of the claim."""
        claim = self.claim
        if claim is None:
            return self.outside(index, seg)
        code = seg[1] if len(seg) > 1 else ""
        slot = PARTY_SLOTS.get(code)
        if slot is None:
            msg = f"NM101 entity {code!r} is not one an 835 claim carries; skipped"
            self._add(claim, WARNING, "835.segment-unexpected", msg, index, "NM1", "NM101")
        elif getattr(claim, slot) is not None:
            msg = f"a second NM1*{code} in the same claim; the first is kept"
            self._add(claim, WARNING, "835.segment-repeated", msg, index, "NM1", "NM101")
        else:
            setattr(claim, slot, nm1_party(seg))
        if claim.line is not None:
            msg = f"NM1*{code} comes after a service line; it belongs before the first SVC"
            self._add(claim, WARNING, "835.segment-order", msg, index, "NM1")
        return None

    def mia(self, index: int, seg: list[str]) -> None:
        """MIA: inpatient adjudication, raw, with its remark codes."""
        self._adjudication(index, seg, "inpatient_adjudication", _MIA_REMARKS)

    def moa(self, index: int, seg: list[str]) -> None:
        """MOA: outpatient adjudication, raw, with its remark codes."""
        self._adjudication(index, seg, "outpatient_adjudication", _MOA_REMARKS)

    def _adjudication(
        self, index: int, seg: list[str], slot: str, remarks: tuple[int, ...]
    ) -> None:
        claim = self.claim
        if claim is None:
            return self.outside(index, seg)
        if getattr(claim, slot):
            msg = f"a second {seg[0]} in the same claim; the first is kept"
            self._add(claim, WARNING, "835.segment-repeated", msg, index, seg[0])
            return None
        if claim.line is not None:
            msg = f"{seg[0]} comes after a service line; it belongs before the first SVC"
            self._add(claim, WARNING, "835.segment-order", msg, index, seg[0])
        setattr(claim, slot, tuple(seg[1:]))
        n = len(seg)
        claim.remark_codes.extend(seg[i] for i in remarks if i < n and seg[i])
        return None

    def ref(self, index: int, seg: list[str]) -> None:
        """REF: claim (1L, EA, F8 ...) or line (6R line control number, others)."""
        claim = self.claim
        if claim is None:
            return self.outside(index, seg)
        if len(seg) < 3:
            seg = pad(seg, 3)
        line = claim.line
        if line is None:
            claim.refs.append((seg[1], seg[2]))
        elif seg[1] == "6R":
            line.line_control_number = seg[2]  # REF02 line item control number
        else:
            line.refs.append((seg[1], seg[2]))
        return None

    def dtm(self, index: int, seg: list[str]) -> None:
        """DTM: claim dates 232/233/036/050, line dates 472/150/151."""
        claim = self.claim
        if claim is None:
            return self.outside(index, seg)
        if len(seg) < 3:
            seg = pad(seg, 3)
        line = claim.line
        slot = (CLAIM_DATES if line is None else LINE_DATES).get(seg[1])
        if slot is None:
            where = "claim" if line is None else "service line"
            msg = f"DTM01 {seg[1]!r} is not a {where} date qualifier; the date is skipped"
            self._add(claim, WARNING, "835.date-qualifier", msg, index, "DTM", "DTM01")
            return None
        try:
            value = date(seg[2])  # DTM02
        except ValueProblem as exc:
            claim.issues.append(problem(exc, index, "DTM", "DTM02", claim.pcn))
            return None
        setattr(claim if line is None else line, slot, value)  # field names of the records
        return None

    def per(self, index: int, seg: list[str]) -> None:
        """PER*CX: claim contact numbers."""
        claim = self.claim
        if claim is None:
            return self.outside(index, seg)
        claim.contacts.extend(contacts(seg))
        return None

    def amt(self, index: int, seg: list[str]) -> None:
        """AMT: claim (AU, D8, I ...) or line (B6 allowed, KH ...) supplemental amounts."""
        claim = self.claim
        if claim is None:
            return self.outside(index, seg)
        try:
            value = Decimal(seg[2])  # AMT02
            if value.is_finite():
                line = claim.line
                (claim.amounts if line is None else line.amounts).append((seg[1], value))
                return None
        except (InvalidOperation, IndexError):
            pass
        self._amount(claim, seg[2] if len(seg) > 2 else "", index, "AMT", "AMT02")
        return None

    def qty(self, index: int, seg: list[str]) -> None:
        """QTY: claim or line supplemental quantities."""
        claim = self.claim
        if claim is None:
            return self.outside(index, seg)
        try:
            value = Decimal(seg[2])  # QTY02
            if value.is_finite():
                line = claim.line
                (claim.quantities if line is None else line.quantities).append((seg[1], value))
                return None
        except (InvalidOperation, IndexError):
            pass
        self._amount(claim, seg[2] if len(seg) > 2 else "", index, "QTY", "QTY02")
        return None

    def svc(self, index: int, seg: list[str]) -> None:
        """SVC: open a service line (closing the previous one)."""
        claim = self.claim
        if claim is None:
            return self.outside(index, seg)
        if claim.line is not None:
            self._close_line(claim, claim.line)
        n = len(seg)
        e = seg if n > 3 else pad(seg, 4)
        units_text = e[5] if n > 5 else ""  # SVC05 units of service paid
        original_text = e[7] if n > 7 else ""  # SVC07 original units of service
        try:  # SVC02 charge, SVC03 payment
            charge, paid = Decimal(e[2]), Decimal(e[3])
            units = Decimal(units_text) if units_text else None
            original_units = Decimal(original_text) if original_text else None
            ok = charge.is_finite() and paid.is_finite()
            ok = ok and (units is None or units.is_finite())
            ok = ok and (original_units is None or original_units.is_finite())
        except InvalidOperation:
            ok = False
        if not ok:
            charge = self._amount(claim, e[2], index, "SVC", "SVC02")
            paid = self._amount(claim, e[3], index, "SVC", "SVC03")
            units = self._optional(claim, units_text, index, "SVC", "SVC05")
            original_units = self._optional(claim, original_text, index, "SVC", "SVC07")
        proc = self.procedures.get(e[1]) or self._procedure(e[1])
        if not proc.code:
            msg = f"SVC01 {e[1]!r} has no procedure code"
            self._add(claim, WARNING, "value.missing", msg, index, "SVC", "SVC01")
        revenue = e[4] if n > 4 else ""  # SVC04 NUBC revenue code
        line = claim.line = Line(index, proc, revenue, (charge, paid, units, original_units), ok)
        if n > 6 and e[6]:
            line.original_procedure = self._procedure(e[6])  # SVC06
        return None

    def _procedure(self, text: str) -> Procedure:
        """SVC01/SVC06 composite, cached per transaction (its component separator is fixed)."""
        proc = self.procedures.get(text)
        if proc is None:
            if len(self.procedures) >= CACHE_LIMIT:
                self.procedures.clear()
            proc = self.procedures[text] = procedure(text, self.component)
        return proc

    def lq(self, index: int, seg: list[str]) -> None:
        """LQ: line remark code (HE RARC, RX NCPDP reject)."""
        claim = self.claim
        if claim is None:
            return self.outside(index, seg)
        e = pad(seg, 3)
        if claim.line is None:
            claim.remark_codes.append(e[2])
            msg = "LQ remark code before any SVC; kept among the claim's remark codes"
            self._add(claim, WARNING, "835.segment-order", msg, index, "LQ")
        else:
            claim.line.remarks.append((e[1], e[2]))  # LQ01 HE/RX, LQ02 code
        return None

    # ------------------------------------------------------------------ helpers

    def _amount(self, claim: Claim, text: str, index: int, sid: str, element: str) -> Decimal:
        """Slow path: convert, or record an error naming the element and return 0."""
        try:
            return amount(text)
        except ValueProblem as exc:
            claim.ok = False
            claim.issues.append(problem(exc, index, sid, element, claim.pcn))
            return ZERO

    def _optional(
        self, claim: Claim, text: str, index: int, sid: str, element: str
    ) -> Decimal | None:
        return self._amount(claim, text, index, sid, element) if text else None

    def _add(
        self,
        claim: Claim,
        severity: Severity,
        code: str,
        message: str,
        index: int,
        sid: str,
        element: str | None = None,
    ) -> None:
        claim.issues.append(issue(severity, code, message, index, sid, element, claim.pcn))
