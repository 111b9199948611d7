"""837P/837I loop reader: one SubmittedClaim per CLM, with its context shared by reference.

The walker (claim_837_walk) places each segment in its loop and reports structure errors;
the handlers here read the elements. Context parties (submitter, billing provider,
subscriber, payer, patient) are built once per loop and shared by every claim under them;
claims are yielded as soon as their loop 2300 closes, so memory stays flat.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parsers import kind_of_837
from parsers.records import Diagnosis, Format, Issue, Record, Severity, TransactionSet
from parsers.x12.claim_837_map import loop_map
from parsers.x12.claim_837_parts import (
    CACHE_LIMIT,
    DIAGNOSES,
    DIAGNOSIS_CODES,
    MONEY,
    ClaimDraft,
    cached_money,
    diagnosis,
    make_claim,
)
from parsers.x12.claim_837_party import PartyReader
from parsers.x12.claim_837_walk import Closer, Handler, Walker
from parsers.x12.values import ValueProblem, el

_CLM05_SHAPE = re.compile(r"[0-9A-Z]{1,2}([^0-9A-Za-z\s])[AB]?\1[0-9A-Z]\Z")
CLM05_2 = frozenset({"", "A", "B"})  # A UB-04 bill type, B place of service (empty in 4010 837P)

_CLM05: dict[str, tuple[str, str, str]] = {}  # clean CLM05 values read (a handful per file)
_NO_SBR = [""] * 10  # read only: SBR elements before a 2000B has its SBR
TAXONOMY = "PXC"  # PRV03 kept as a ("PXC", code) reference of the party (claim_837_party)


def read_837(ts: TransactionSet, segments: Iterator[tuple[int, list[str]]]) -> Iterator[Record]:
    """Records of one 837 transaction: claims in file order, and issues where found."""
    reader = ClaimReader(ts)
    out = reader.out
    walker = Walker(
        loop_map(reader.professional, ts.is_4010),
        reader.handlers(),
        reader.closers(),
        out,
        reader.claim_number,
        ts.segment_index,
    )
    yield from walker.run(segments, ts.segment_index)


class ClaimReader(PartyReader):
    """Element reading for every loop role; holds the context of the claims being read."""

    def __init__(self, ts: TransactionSet) -> None:
        kind = kind_of_837(ts.implementation)
        super().__init__(ts.interchange.delimiters, ts.is_4010)
        self.ts = ts
        self.kind = str(kind.value)
        self.professional = kind is Format.X12_837P
        self.out: list[Record] = []
        self.sbr: list[str] = _NO_SBR
        self.pat01 = ""
        self.patient_level = False  # inside a 2000C: the patient is not the subscriber
        self.hl_ids = ["", ""]  # HL01 of the open billing and subscriber levels
        self.billing_taxonomy = ""  # 2000A PRV03, given to the 2010AA party at its NM1
        self.claim: ClaimDraft | None = None

    def claim_number(self) -> str | None:
        """Patient control number of the claim being read, for issue messages."""
        return self.claim.pcn if self.claim is not None else None

    def issue(self, message: str, index: int, sid: str, element: str, warn: bool = False) -> None:
        """An element problem: attached to the open claim, else reported on its own."""
        severity = Severity.WARNING if warn else Severity.ERROR
        code = "value.warning" if warn else "value.invalid"
        claim = self.claim
        found = Issue(severity, code, message, index, sid, element, claim.pcn if claim else None)
        if claim is not None:
            claim.issues += (found,)
        else:
            self.out.append(found)

    # ------------------------------------------------------------------ wiring

    def handlers(self) -> dict[str, dict[str, Handler]]:
        """Segment handlers by loop role (the walker calls them once a segment is placed)."""
        parties = self.party_handlers()
        return {
            **parties,
            "billing": {**parties["billing"], "NM1": self.nm1_billing},
            "billing_level": {"HL": self.hl_billing, "PRV": self.prv_billing},
            "subscriber_level": {"HL": self.hl_subscriber, "SBR": self.sbr_subscriber},
            "patient_level": {"HL": self.hl_patient, "PAT": self.pat},
            "claim": {
                "CLM": self.clm,
                "DTP": self.claim_dtp,
                "REF": self.claim_ref,
                "AMT": self.claim_amt,
                "HI": self.hi,
                "CL1": self.cl1,
            },
            **self.cob_handlers(),
            **self.line_handlers(),
        }

    def closers(self) -> dict[str, Closer]:
        """What to do when a loop closes, by role."""
        done = self.party_closers()
        done["claim"] = self.close_claim
        done["other"] = self.close_other
        done["patient_level"] = self.leave_patient
        done.update(self.line_closers())
        return done

    # ------------------------------------------------------------------ hierarchy

    def hl_billing(self, index: int, seg: list[str]) -> None:
        """HL*20: a new billing provider; everything below it starts afresh."""
        self._hl_id(index, seg)
        self.hl_ids = [el(seg, 1), ""]
        self.billing = self.pay_to = self.subscriber = self.payer = self.patient = None
        self.billing_taxonomy = ""

    def prv_billing(self, index: int, seg: list[str]) -> None:
        """2000A PRV*BI: PRV03 billing provider taxonomy (it comes before the 2010AA NM1)."""
        self.billing_taxonomy = el(seg, 3)

    def nm1_billing(self, index: int, seg: list[str]) -> None:
        """NM1*85 opens 2010AA: the 2000A taxonomy joins its refs as ('PXC', code), as PRV
        does in the provider loops, so the billing provider record carries it."""
        self.nm1_identified(index, seg)
        if self.party is not None and self.billing_taxonomy:
            self.party.refs = ((TAXONOMY, self.billing_taxonomy),)

    def hl_subscriber(self, index: int, seg: list[str]) -> None:
        """HL*22: a new subscriber (and payer); HL02 should name the billing level."""
        hl01 = seg[1] if len(seg) > 2 else ""
        if not hl01 or seg[2] != self.hl_ids[0]:
            self._hl_id(index, seg)
            self._hl_parent(index, seg, self.hl_ids[0])
        self.hl_ids[1] = hl01
        self.subscriber = self.payer = self.patient = None
        self.sbr = _NO_SBR
        self.pat01 = ""

    def hl_patient(self, index: int, seg: list[str]) -> None:
        """HL*23: a patient who is not the subscriber."""
        self._hl_id(index, seg)
        self._hl_parent(index, seg, self.hl_ids[1])
        self.patient = None
        self.pat01 = ""
        self.patient_level = True

    def leave_patient(self, _loop: object = None) -> None:
        self.patient = None
        self.pat01 = ""
        self.patient_level = False

    def _hl_id(self, index: int, seg: list[str]) -> None:
        if not el(seg, 1):
            self.issue("HL01 hierarchical id number is missing", index, "HL", "HL01")

    def _hl_parent(self, index: int, seg: list[str], parent: str) -> None:
        if el(seg, 2) != parent:
            self.issue(
                f"HL02 parent {el(seg, 2)!r} is not the enclosing level's HL01 {parent!r}",
                index, "HL", "HL02", warn=True,
            )  # fmt: skip

    def sbr_subscriber(self, index: int, seg: list[str]) -> None:
        """SBR of 2000B: payer responsibility, relationship, group, filing indicator."""
        self._check_sbr(index, seg)
        self.sbr = seg + [""] * (10 - len(seg)) if len(seg) < 10 else seg

    def pat(self, index: int, seg: list[str]) -> None:
        """PAT01 individual relationship code of a patient who is not the subscriber."""
        self.pat01 = el(seg, 1)
        if not self.pat01:
            self.issue("PAT01 relationship to the insured is missing", index, "PAT", "PAT01")

    # ------------------------------------------------------------------ claim

    def clm(self, index: int, seg: list[str]) -> None:
        """CLM01 patient control number, CLM02 charge, CLM05 facility:qualifier:frequency."""
        n = len(seg)
        claim = self.claim = ClaimDraft(seg[1] if n > 1 else "", index)
        if not claim.pcn:
            self.issue("CLM01 patient control number is missing", index, "CLM", "CLM01")
        charge = MONEY.get(seg[2]) if n > 2 else None  # CLM02
        if charge is None:
            self.charge_of(claim, index, seg)
        else:
            claim.charge = charge
        clm05 = seg[5] if n > 5 else ""
        parts = _CLM05.get(clm05 + self.component)
        if parts is None:
            parts = self._clm05(index, clm05)
        claim.facility, claim.qualifier, claim.frequency = parts
        if n > 6:  # CLM06-09 indicators, CLM20 delay reason
            claim.clm_codes = tuple(seg[i] if i < n else "" for i in (6, 7, 8, 9, 20))

    def cl1(self, index: int, seg: list[str]) -> None:
        """CL101 admission type, CL102 admission source, CL103 patient status (837I)."""
        if self.claim is not None:
            self.claim.cl1 = (el(seg, 1), el(seg, 2), el(seg, 3))

    def _clm05(self, index: int, clm05: str) -> tuple[str, str, str]:
        """Split and check CLM05; clean values are remembered (they repeat on every claim)."""
        if self.component not in clm05:
            self._infer_component(index, clm05)
        facility, qualifier, frequency, *_ = [*clm05.split(self.component), "", ""]
        clean = True
        if not facility:
            self.issue("CLM05-1 facility or place of service code is missing", index, "CLM",
                       "CLM05-1")  # fmt: skip
            clean = False
        if qualifier not in CLM05_2:
            self.issue(f"CLM05-2 {qualifier!r} is not A (bill type) or B (place of service)",
                       index, "CLM", "CLM05-2")  # fmt: skip
            clean = False
        if len(frequency) != 1 or not frequency.isalnum():
            what = f"{frequency!r} is not a claim frequency code" if frequency else "is missing"
            self.issue(f"CLM05-3 frequency {what} (1 original, 7 replacement, 8 void ...)",
                       index, "CLM", "CLM05-3")  # fmt: skip
            clean = False
        if clean and self.component in clm05:
            if len(_CLM05) > CACHE_LIMIT:
                _CLM05.clear()
            _CLM05[clm05 + self.component] = (facility, qualifier, frequency)
        return facility, qualifier, frequency

    def _infer_component(self, index: int, clm05: str) -> None:
        """CLM05 shows the separator really used when ISA16 declares another (a common slip)."""
        found = _CLM05_SHAPE.match(clm05)
        if found is None or found.group(1) == self.component:
            return
        self.issue(
            f"ISA16 declares {self.component!r} as component separator but CLM05 {clm05!r} "
            f"uses {found.group(1)!r}; composites are read with {found.group(1)!r}",
            index, "CLM", "CLM05", warn=True,
        )  # fmt: skip
        self.component = found.group(1)

    def charge_of(self, claim: ClaimDraft, index: int, seg: list[str]) -> None:
        try:
            claim.charge = cached_money(el(seg, 2))
        except ValueProblem as exc:
            what = exc if el(seg, 2) else "is missing"
            self.issue(f"CLM02 total claim charge {what}", index, "CLM", "CLM02")

    def claim_dtp(self, index: int, seg: list[str]) -> None:
        if self.claim is not None and self.dates_of(index, seg) is not None:
            self.claim.dates += ((seg[1], seg[2], seg[3]),)

    def claim_ref(self, index: int, seg: list[str]) -> None:
        if self.claim is not None:
            if len(seg) < 3 or not seg[2]:
                self.issue(f"REF02 value of REF*{el(seg, 1)} is missing", index, "REF", "REF02")
                seg = [*seg, "", ""]
            self.claim.refs += ((seg[1], seg[2]),)

    def claim_amt(self, index: int, seg: list[str]) -> None:
        value = self.amount_of(index, seg)
        if self.claim is not None and value is not None:
            self.claim.amounts += ((el(seg, 1), value),)

    def hi(self, index: int, seg: list[str]) -> None:
        """HI01..HI12 composites: diagnoses and ICD procedures (others are codes, not kept)."""
        claim, comp = self.claim, self.component
        if claim is None:
            return
        kept: list[Diagnosis] = []
        for n in range(1, min(len(seg), 13)):
            text = seg[n]
            if not text:
                continue
            found = DIAGNOSES.get(text + comp)  # cached only when comp is in text
            if found is None:
                if comp not in text:
                    self._hi_issue(index, n, text)
                    continue
                found = diagnosis(text, comp)
                if found is None:  # condition, occurrence, value codes: not diagnoses
                    continue
            if not found.code:
                self._hi_issue(index, n, text)
                continue
            kept.append(found)
            if found.qualifier in DIAGNOSIS_CODES:
                claim.dx_count += 1
        claim.diagnoses += tuple(kept)

    def _hi_issue(self, index: int, n: int, text: str) -> None:
        self.issue(f"HI{n:02d} {text!r} is not a qualifier{self.component}code composite",
                   index, "HI", f"HI{n:02d}", warn=True)  # fmt: skip

    def close_claim(self, _loop: object = None) -> None:
        """Loop 2300 closed: the SubmittedClaim goes out with its context."""
        claim = self.claim
        if claim is None:
            return
        if not self.professional and not any(d[0] == "434" for d in claim.dates):
            self.issue("an institutional claim needs DTP*434 statement dates", claim.index,
                       "CLM", "DTP01")  # fmt: skip
        diagnoses = claim.ordered_diagnoses()
        self.claim = None
        sbr, own = self.sbr, self.patient_level
        self.out.append(
            make_claim(
                self.ts, self.kind, claim.pcn, claim.charge, claim.facility, claim.qualifier,
                claim.frequency, sbr[1], sbr[9], sbr[3], self.pat01 if own else sbr[2],
                self.submitter, self.receiver, self.billing, self.pay_to, self.subscriber,
                self.payer, self.patient if own else self.subscriber, diagnoses,
                claim.dates, claim.refs, claim.providers, claim.others, tuple(claim.lines),
                claim.amounts, claim.index, claim.issues, *claim.clm_codes, *claim.cl1,
            )
        )  # fmt: skip
