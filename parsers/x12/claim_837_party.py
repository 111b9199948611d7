"""837 party loops (NM1 with N3/N4/REF/DMG/PRV): read once per loop, kept where the role says.

A context party (submitter, billing provider, subscriber, payer ...) is kept on the reader
and shared by every claim under it; providers and other payers go into the open claim,
other-payer loop or service line. Each role has its own closer, so closing a loop (which
happens several times per claim) does no role dispatch.
"""

from __future__ import annotations

from parsers.records import Delimiters, Party
from parsers.x12.claim_837_cob import CobReader
from parsers.x12.claim_837_parts import PartyDraft, cached_date
from parsers.x12.claim_837_walk import Closer, Handler
from parsers.x12.values import ValueProblem, el

NM102 = frozenset({"1", "2"})  # entity type: person / non-person
# Loops whose NM108/NM109 identifier the guides require (NPI, member id, payer id, ETIN).
IDENTIFIED_ROLES = ("submitter", "receiver", "billing", "subscriber", "payer")
# Context party loops whose Party is kept in the reader attribute of the same name.
CONTEXT_ROLES = ("submitter", "receiver", "billing", "pay_to", "subscriber", "payer", "patient")
_PERSONS = frozenset({"subscriber", "patient", "other_subscriber"})  # rarely repeat: not cached
_OTHER_ROLES = ("provider", "other_subscriber", "other_provider", "line_provider", "context")


class PartyReader(CobReader):
    """NM1 loop handlers and closers for every party role; ClaimReader extends it."""

    def __init__(self, delimiters: Delimiters, v4010: bool) -> None:
        super().__init__(delimiters, v4010)
        self.submitter: Party | None = None
        self.receiver: Party | None = None
        self.billing: Party | None = None
        self.pay_to: Party | None = None
        self.subscriber: Party | None = None
        self.payer: Party | None = None
        self.patient: Party | None = None
        self.party: PartyDraft | None = None

    def party_handlers(self) -> dict[str, dict[str, Handler]]:
        """Segment handlers of the party loops, by role."""
        party: dict[str, Handler] = {
            "NM1": self.nm1,
            "N3": self.n3,
            "N4": self.n4,
            "REF": self.party_ref,
            "DMG": self.dmg,
            "PRV": self.prv,
        }
        roles = dict.fromkeys((*CONTEXT_ROLES, *_OTHER_ROLES), party)
        for role in IDENTIFIED_ROLES:
            roles[role] = {**party, "NM1": self.nm1_identified}
        roles["other_payer"] = {**party, "DTP": self.other_payer_dtp}
        return roles

    def party_closers(self) -> dict[str, Closer]:
        """What to do when a party loop closes, by role."""
        done = {role: self._keep(role) for role in CONTEXT_ROLES}
        done["context"] = done["other_provider"] = self.drop_party  # read, checked, not kept
        done["provider"] = self.close_provider
        done["other_subscriber"] = self.close_other_subscriber
        done["other_payer"] = self.close_other_payer
        done["line_provider"] = self.close_line_provider
        return done

    # ------------------------------------------------------------------ segments

    def nm1(self, index: int, seg: list[str]) -> None:
        """NM1 opens a party loop; NM102 and NM108/NM109 must be coherent."""
        self.party = PartyDraft(seg)
        n = len(seg)
        if n < 3 or seg[2] not in NM102 or (n > 8 and seg[8] and (n < 10 or not seg[9])):
            self._nm1_issues(index, seg, identified=False)

    def nm1_identified(self, index: int, seg: list[str]) -> None:
        """NM1 of a loop that must name its party by id (NM108 qualifier, NM109 id)."""
        self.party = PartyDraft(seg)
        if len(seg) < 10 or not seg[8] or not seg[9] or seg[2] not in NM102:
            self._nm1_issues(index, seg, identified=True)

    def _nm1_issues(self, index: int, seg: list[str], identified: bool) -> None:
        """Every NM1 problem, in a fixed order (NM102, NM109, then NM108 when required)."""
        n = len(seg)
        if n < 3 or seg[2] not in NM102:
            self.issue(
                f"NM102 entity type {el(seg, 2)!r} must be 1 (person) or 2 (organisation)",
                index, "NM1", "NM102",
            )  # fmt: skip
        if n > 8 and seg[8] and (n < 10 or not seg[9]):
            self.issue("NM109 identifier is missing after NM108", index, "NM1", "NM109")
        if identified and (n < 9 or not seg[8]):
            self.issue(f"NM108/NM109 identifier of NM1*{seg[1]} is missing", index, "NM1", "NM108")

    def n3(self, index: int, seg: list[str]) -> None:
        if self.party is not None:
            self.party.n3 = seg

    def n4(self, index: int, seg: list[str]) -> None:
        if self.party is not None:
            self.party.n4 = seg

    def party_ref(self, index: int, seg: list[str]) -> None:
        if self.party is not None:
            self.party.refs += ((el(seg, 1), el(seg, 2)),)

    def prv(self, index: int, seg: list[str]) -> None:
        """PRV03 provider taxonomy, kept as a ('PXC', code) reference of the party."""
        if self.party is not None and el(seg, 3):
            self.party.refs += (("PXC", seg[3]),)

    def dmg(self, index: int, seg: list[str]) -> None:
        """DMG02 birth date (D8), DMG03 gender."""
        party = self.party
        if party is None:
            return
        n = len(seg)
        party.gender = seg[3] if n > 3 else ""
        if n > 2 and seg[2]:
            try:
                party.birth_date = cached_date(seg[2])
            except ValueProblem as exc:
                self.issue(f"DMG02 birth date: {exc}", index, "DMG", "DMG02")

    # ------------------------------------------------------------------ closers

    def _keep(self, role: str) -> Closer:
        """Closer of a context loop: its Party goes to the reader attribute named role."""
        person = role in _PERSONS

        def close(_loop: object = None) -> None:
            draft, self.party = self.party, None
            if draft is not None:
                setattr(self, role, draft.build() if person else draft.shared())

        return close

    def close_provider(self, _loop: object = None) -> None:
        """2310A-F: a claim provider."""
        draft, self.party = self.party, None
        if draft is not None:
            party = draft.shared()
            if self.claim is not None:
                self.claim.providers += (party,)

    def close_other_subscriber(self, _loop: object = None) -> None:
        """2330A: the other payer's subscriber."""
        draft, self.party = self.party, None
        if draft is not None:
            party = draft.build()
            if self.other is not None:
                self.other.subscriber = party

    def close_other_payer(self, _loop: object = None) -> None:
        """2330B: the other payer."""
        draft, self.party = self.party, None
        if draft is not None:
            party = draft.shared()
            if self.other is not None:
                self.other.payer = party

    def close_line_provider(self, _loop: object = None) -> None:
        """2420A-H: a line provider."""
        draft, self.party = self.party, None
        if draft is not None:
            party = draft.shared()
            if self.line is not None:
                self.line.providers += (party,)

    def drop_party(self, _loop: object = None) -> None:
        """Party loops claimsdesk does not keep (pay-to plan, 2330C-I providers, 4010 QD/AO)."""
        self.party = None
