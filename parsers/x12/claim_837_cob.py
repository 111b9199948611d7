"""837 loops 2320/2330 (other subscriber and other payer) and SBR checks shared with 2000B."""

from __future__ import annotations

from parsers.records import Delimiters
from parsers.x12.claim_837_lines import LineReader
from parsers.x12.claim_837_parts import OtherDraft
from parsers.x12.claim_837_walk import Handler
from parsers.x12.values import el

SBR01_5010 = frozenset("ABCDEFGHPSTU")  # payer responsibility sequence number codes
SBR01_4010 = frozenset("PST")


class CobReader(LineReader):
    """Coordination of benefits: another payer's coverage and claim-level adjudication."""

    def __init__(self, delimiters: Delimiters, v4010: bool) -> None:
        super().__init__(delimiters)
        self.sbr01_codes = SBR01_4010 if v4010 else SBR01_5010
        self.other: OtherDraft | None = None

    def cob_handlers(self) -> dict[str, dict[str, Handler]]:
        """Segment handlers of loop 2320 (2330 names are party loops)."""
        return {
            "other": {
                "SBR": self.sbr_other,
                "CAS": self.other_cas,
                "AMT": self.other_amt,
                "OI": self.oi,
                "MOA": self.moa,
                "MIA": self.mia,
            },
        }

    def _check_sbr(self, index: int, seg: list[str]) -> None:
        code = el(seg, 1)
        if code not in self.sbr01_codes or len(code) != 1:
            self.issue(
                f"SBR01 payer responsibility {code!r} is not one of "
                f"{', '.join(sorted(self.sbr01_codes))}",
                index, "SBR", "SBR01",
            )  # fmt: skip

    # ------------------------------------------------------------------ 2320 / 2330

    def sbr_other(self, index: int, seg: list[str]) -> None:
        self._check_sbr(index, seg)
        self.other = OtherDraft(seg)

    def other_cas(self, index: int, seg: list[str]) -> None:
        if self.other is not None:
            self.other.adjustments.extend(self.cas(index, seg, "claim"))

    def other_amt(self, index: int, seg: list[str]) -> None:
        value = self.amount_of(index, seg)
        if self.other is not None and value is not None:
            self.other.amounts[el(seg, 1)] = value

    def oi(self, index: int, seg: list[str]) -> None:
        if self.other is not None:
            self.other.oi = tuple(seg[1:])

    def moa(self, index: int, seg: list[str]) -> None:
        if self.other is not None:
            self.other.moa = tuple(seg[1:])

    def mia(self, index: int, seg: list[str]) -> None:
        if self.other is not None:
            self.other.mia = tuple(seg[1:])

    def other_payer_dtp(self, index: int, seg: list[str]) -> None:
        """2330B DTP*573 claim check or remittance date."""
        dates = self.dates_of(index, seg)
        if dates is not None and self.other is not None and seg[1] == "573":
            self.other.date = dates[0]

    def close_other(self, _loop: object = None) -> None:
        other, self.other = self.other, None
        if other is not None and self.claim is not None:
            self.claim.others += (other.build(),)
