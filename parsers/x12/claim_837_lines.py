"""837 service lines (2400/2410/2430) and the element readers they share with the claim loops.

SV1 (professional) and SV2 (institutional) lines, their dates, control numbers, NDCs and
other payers' line adjudications; plus DTP/AMT/CAS reading used by 2300 and 2320 too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from parsers.records import Adjustment, Delimiters, LineAdjudication
from parsers.x12.claim_837_parts import (
    DTPS,
    MONEY,
    AdjudicationDraft,
    ClaimDraft,
    LineDraft,
    adjustments,
    cached_money,
    cached_procedure,
    check_date,
    pointers,
)
from parsers.x12.claim_837_walk import Closer, Handler
from parsers.x12.values import ValueProblem, el

GROUP_CODES = frozenset({"CO", "CR", "OA", "PI", "PR"})  # CAS01 claim adjustment group


class LineReader:
    """Handlers for loops 2400-2430, and shared element readers; ClaimReader extends it."""

    claim: ClaimDraft | None
    professional: bool

    def __init__(self, delimiters: Delimiters) -> None:
        self.component = delimiters.component
        self.element = delimiters.element  # never inside an element: a safe join for cache keys
        self.line: LineDraft | None = None
        self.adjudication: AdjudicationDraft | None = None

    def issue(self, message: str, index: int, sid: str, element: str, warn: bool = False) -> None:
        raise NotImplementedError  # ClaimReader decides where issues go

    def line_handlers(self) -> dict[str, dict[str, Handler]]:
        """Segment handlers for the line loops, by role."""
        return {
            "line": {
                "LX": self.lx,
                "SV1": self.sv1,
                "SV2": self.sv2,
                "DTP": self.line_dtp,
                "REF": self.line_ref,
            },
            "drug": {"LIN": self.lin},
            "line_adjudication": {"SVD": self.svd, "CAS": self.line_cas, "DTP": self.svd_dtp},
        }

    def line_closers(self) -> dict[str, Closer]:
        """What to do when a line loop closes."""
        return {
            "line": self.close_line,
            "line_adjudication": self.close_adjudication,
        }

    # ------------------------------------------------------------------ shared readers

    def dates_of(self, index: int, seg: list[str]) -> tuple[dt.date | None, dt.date | None] | None:
        """Check DTP01-03; the dates they give, or None (with an issue) when unusable."""
        if len(seg) < 4 or not seg[1] or not seg[3]:
            missing = "DTP01" if len(seg) < 2 or not seg[1] else "DTP03"
            self.issue(f"{missing} is missing", index, "DTP", missing)
            return None
        try:
            return check_date(seg[2], seg[3])
        except ValueProblem as exc:
            element = "DTP03" if seg[2] in ("D8", "RD8", "DT", "TM") else "DTP02"
            self.issue(f"{element} of DTP*{seg[1]}: {exc}", index, "DTP", element)
            return None

    def amount_of(self, index: int, seg: list[str]) -> Decimal | None:
        """AMT02 as money, or None (with an issue)."""
        try:
            return cached_money(el(seg, 2))
        except ValueProblem as exc:
            self.issue(f"AMT02 of AMT*{el(seg, 1)}: {exc}", index, "AMT", "AMT02")
            return None

    def cas(self, index: int, seg: list[str], level: str) -> list[Adjustment]:
        """Every CAS triplet; group code checked."""
        if el(seg, 1) not in GROUP_CODES:
            self.issue(
                f"CAS01 group code {el(seg, 1)!r} is not one of {', '.join(sorted(GROUP_CODES))}",
                index, "CAS", "CAS01",
            )  # fmt: skip
        try:
            return adjustments(seg, level)
        except ValueProblem as exc:
            self.issue(f"CAS amount or quantity: {exc}", index, "CAS", "CAS03")
            return []

    # ------------------------------------------------------------------ 2400

    def lx(self, index: int, seg: list[str]) -> None:
        """LX01 assigned number opens a service line."""
        number = seg[1] if len(seg) > 1 else ""
        self.line = LineDraft(number, index)
        if not number:
            self.issue("LX01 line number is missing", index, "LX", "LX01")

    def sv1(self, index: int, seg: list[str]) -> None:
        """SV101 procedure, SV102 charge, SV103/104 units, SV105 place, SV107 pointers."""
        line = self.line
        if line is None:
            return
        n = len(seg)
        procedure = line.procedure = cached_procedure(seg[1] if n > 1 else "", self.component)
        if procedure is None or not procedure.code:
            self.issue("SV101 procedure code is missing", index, "SV1", "SV101")
        charge = MONEY.get(seg[2]) if n > 2 else None
        line.charge = charge if charge is not None else self._charge(index, seg, 2, "SV1")
        if n > 3:
            line.unit_basis = seg[3]
            if n > 4 and seg[4]:
                units = MONEY.get(seg[4])
                line.units = units if units is not None else self._units(index, seg, 4, "SV1")
            if n > 5:
                line.place = seg[5]
                if n > 7 and seg[7]:
                    line.pointers, highest = pointers(seg[7], self.component)
                    claim = self.claim
                    if highest < 0 or (claim is not None and highest > claim.dx_count):
                        self._check_pointers(index, seg[7], highest)

    def _check_pointers(self, index: int, text: str, highest: int) -> None:
        """SV107 must point at diagnoses the claim carries (HI comes before the lines)."""
        if highest < 0:
            message = f"SV107 diagnosis pointers {text!r} are not numbers 1 to 12"
        elif self.claim is not None and highest > self.claim.dx_count:
            message = f"SV107 points to diagnosis {highest} but the claim has {self.claim.dx_count}"
        else:
            return
        self.issue(message, index, "SV1", "SV107", warn=True)

    def sv2(self, index: int, seg: list[str]) -> None:
        """SV201 revenue code, SV202 procedure, SV203 charge, SV204/205 units."""
        line = self.line
        if line is None:
            return
        line.revenue = el(seg, 1)
        if not line.revenue:
            self.issue("SV201 revenue code is missing", index, "SV2", "SV201")
        line.procedure = cached_procedure(el(seg, 2), self.component)
        line.charge = self._charge(index, seg, 3, "SV2")
        line.unit_basis = el(seg, 4)
        line.units = self._units(index, seg, 5, "SV2")

    def _charge(self, index: int, seg: list[str], n: int, sid: str) -> Decimal:
        try:
            return cached_money(seg[n] if n < len(seg) else "")
        except ValueProblem as exc:
            what = exc if el(seg, n) else "is missing"
            self.issue(f"{sid}{n:02d} line charge {what}", index, sid, f"{sid}{n:02d}")
            return Decimal(0)

    def _units(self, index: int, seg: list[str], n: int, sid: str) -> Decimal | None:
        text = seg[n] if n < len(seg) else ""
        if not text:
            return None
        try:
            return cached_money(text)
        except ValueProblem as exc:
            self.issue(f"{sid}{n:02d} units: {exc}", index, sid, f"{sid}{n:02d}")
            return None

    def line_dtp(self, index: int, seg: list[str]) -> None:
        """DTP*472 service date (D8) or range (RD8); other line dates are checked only."""
        dates = DTPS.get(seg[2] + "\x1f" + seg[3]) if len(seg) > 3 and seg[1] else None
        if dates is None:
            dates = self.dates_of(index, seg)
        if dates is not None and seg[1] == "472":
            line = self.line
            if line is not None:
                line.start, line.end = dates

    def line_ref(self, index: int, seg: list[str]) -> None:
        """REF*6R line item control number (the 835 echoes it in its REF*6R)."""
        if self.line is not None and len(seg) > 2 and seg[1] == "6R":
            self.line.control = seg[2]

    def lin(self, index: int, seg: list[str]) -> None:
        """LIN03 national drug code when LIN02 is N4."""
        if self.line is not None and el(seg, 2) == "N4":
            self.line.ndc = el(seg, 3)

    def close_line(self, _loop: object = None) -> None:
        line, self.line = self.line, None
        claim = self.claim
        if line is not None and claim is not None:
            claim.lines.append(line.build())

    # ------------------------------------------------------------------ 2430

    def svd(self, index: int, seg: list[str]) -> None:
        """SVD01 other payer id, SVD02 paid, SVD03 procedure, SVD05 units."""
        self.adjudication = AdjudicationDraft(seg)
        if not el(seg, 1):
            self.issue("SVD01 other payer identifier is missing", index, "SVD", "SVD01")
        self._charge(index, seg, 2, "SVD")

    def line_cas(self, index: int, seg: list[str]) -> None:
        if self.adjudication is not None:
            self.adjudication.adjustments.extend(self.cas(index, seg, "line"))

    def svd_dtp(self, index: int, seg: list[str]) -> None:
        """DTP*573 line check or remittance date."""
        dates = self.dates_of(index, seg)
        if dates is not None and self.adjudication is not None and seg[1] == "573":
            self.adjudication.date = dates[0]

    def close_adjudication(self, _loop: object = None) -> None:
        draft, self.adjudication = self.adjudication, None
        if draft is None or self.line is None:
            return
        svd = draft.svd
        try:
            paid = cached_money(el(svd, 2))
        except ValueProblem:
            paid = Decimal(0)  # reported when the SVD was read
        units = el(svd, 5)
        self.line.adjudications += (
            LineAdjudication(
                el(svd, 1), paid, cached_procedure(el(svd, 3), self.component),
                cached_money(units) if _is_number(units) else None,
                tuple(draft.adjustments), draft.date,
            ),
        )  # fmt: skip


def _is_number(text: str) -> bool:
    try:
        cached_money(text)
    except ValueProblem:
        return False
    return True
