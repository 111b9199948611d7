"""The 837 loop structure (005010X222A1/X223A2 and 004010X098A1/X096A1) as data.

Positions, repeats and required flags follow the implementation guides (pyx12 maps agree);
a few maximum uses are wider than the guides where published examples exceed them.
The walker in claim_837_walk.py enforces this table; the builder never re-checks order.
"""

from __future__ import annotations

from functools import cache

MANY = 1_000_000  # ">1" in the guides


class SegRule:
    """Where a segment sits in its loop: position, maximum use, required."""

    __slots__ = ("max_use", "pos", "required")

    def __init__(self, pos: int, max_use: int, required: bool) -> None:
        self.pos = pos
        self.max_use = max_use
        self.required = required


class Child:
    """A loop nested in another: where it sits, how often it repeats, whether required."""

    __slots__ = ("pos", "repeat", "required", "soft", "spec")

    def __init__(
        self, spec: LoopSpec, pos: int, repeat: int, required: bool, soft: bool = False
    ) -> None:
        self.spec = spec
        self.pos = pos
        self.repeat = repeat
        self.required = required
        self.soft = soft  # missing is only a warning (published examples omit it)


class LoopSpec:
    """One loop: the segment that opens it (and its first-element codes), its segments, children."""

    __slots__ = (
        "by_trigger",
        "checked",
        "children",
        "code_at",
        "codes",
        "name",
        "one_of",
        "required_children",
        "required_segments",
        "role",
        "segments",
        "title",
        "trigger",
    )

    def __init__(
        self,
        name: str,
        role: str,
        title: str,
        trigger: str,
        codes: str,
        segments: str,
        children: tuple[Child, ...] = (),
        one_of: tuple[str, ...] = (),
    ) -> None:
        self.name = name  # TR3 loop id, e.g. 2010AA
        self.role = role  # what the builder does with it, e.g. "billing"
        self.title = title  # plain words for messages
        self.trigger = trigger  # NM1, HL, CLM, LX ...
        self.codes = frozenset(codes.split())  # NM101 / HL03 values that open it; empty = any
        self.code_at = 3 if trigger == "HL" else 1  # HL03 level code, else the first element
        self.segments = _parse_segments(segments)
        self.children = children
        self.one_of = one_of  # at least one of these two child loops must appear
        self.required_segments = tuple(sid for sid, r in self.segments.items() if r.required)
        self.required_children = tuple(c for c in children if c.required)
        self.checked = bool(self.required_segments or self.required_children or one_of)
        self.by_trigger: dict[str, tuple[Child, ...]] = {}
        for child in children:
            self.by_trigger[child.spec.trigger] = (
                *self.by_trigger.get(child.spec.trigger, ()),
                child,
            )

    def label(self) -> str:
        """'loop 2010AA (billing provider)'."""
        return f"loop {self.name} ({self.title})"


def _parse_segments(text: str) -> dict[str, SegRule]:
    """'N3:250:1:R N4:300:1:R REF:350:3' -> {sid: SegRule}."""
    out: dict[str, SegRule] = {}
    for item in text.split():
        sid, pos, max_use, *flag = item.split(":")
        out[sid] = SegRule(int(pos), MANY if max_use == "N" else int(max_use), flag == ["R"])
    return out


_PROVIDER_SEGS = "PRV:{b}550:1 N3:{b}650:1{r} N4:{b}700:1{r} REF:{b}710:20 PER:{b}750:1"


def _providers(names: str, base: int, pos: int, prefix: str, role: str) -> tuple[Child, ...]:
    """Provider loops from 'A=DN,P3*2 B=82 C=77! ...' (! address required, *n repeats)."""
    out = []
    for item in names.split():
        letter, _, rest = item.partition("=")
        required_address = rest.endswith("!")
        rest = rest.rstrip("!")
        codes, _, repeat = rest.partition("*")
        segs = _PROVIDER_SEGS.format(b=base, r=":R" if required_address else "")
        spec = LoopSpec(prefix + letter, role, "provider", "NM1", codes.replace(",", " "), segs)
        out.append(Child(spec, pos, int(repeat or 1), False))
    return tuple(out)


def _party(name: str, role: str, title: str, codes: str, segs: str) -> LoopSpec:
    return LoopSpec(name, role, title, "NM1", codes, segs)


def _other_payer(professional: bool, v4010: bool) -> LoopSpec:
    """Loop 2320 with its 2330 loops."""
    if professional:
        others = (
            "C=QC D=DN,P3*2 E=82 F=QB G=77,FA,LI,TL H=DQ"
            if v4010
            else ("C=DN,P3*2 D=82 E=77 F=DQ G=85")
        )
    else:
        others = "C=QC D=71 E=72 F=73 H=FA" if v4010 else "C=71 D=72 E=ZZ F=77 G=82 H=DN I=85"
    kids = (
        Child(_party("2330A", "other_subscriber", "other subscriber", "IL",
                     "N3:3320:1 N4:3400:1 REF:3550:3"), 3250, 1, True, soft=True),
        Child(_party("2330B", "other_payer", "other payer", "PR",
                     "N3:3320:1 N4:3400:1 PER:3450:2 DTP:3450:1 REF:3550:6"), 3250, 1, True,
              soft=True),
        *_providers(others, 3, 3250, "2330", "other_provider"),
    )  # fmt: skip
    extra = ("DMG:3050:1 " if v4010 else "") + ("MIA:3150:1 " if not professional else "")
    segs = f"CAS:2950:{99 if v4010 else 5} AMT:3000:{11 if v4010 else 3} {extra}OI:3100:1:R"
    return LoopSpec("2320", "other", "other subscriber", "SBR", "", segs + " MOA:3200:1", kids)


def _service_line(professional: bool, v4010: bool) -> LoopSpec:
    """Loop 2400 with 2410 drug, 2420 providers, 2430 line adjudication, 2440 forms."""
    if professional:
        segs = (
            "SV1:3700:1:R SV5:4000:1 PWK:4200:11 CR1:4250:1 CR2:4300:5 CR3:4350:1 CR5:4450:1 "
            "CRC:4500:5 DTP:4550:15:R QTY:4600:2 MEA:4620:20 CN1:4650:1 REF:4700:20 AMT:4750:3 "
            "K3:4800:10 NTE:4850:2 PS1:4880:1 HSD:4910:1 HCP:4920:1"
        )
        names = (
            "A=82 B=QB C=77,FA,LI,TL! D=DQ E=DK F=DN,P3*2 G=PR*4"
            if v4010
            else ("A=82 B=QB C=77! D=DQ E=DK F=DN,P3*2 G=PW! H=45!")
        )
    else:
        segs = "SV2:3750:1:R PWK:4200:10 DTP:4550:3 REF:4700:3 AMT:4750:2 NTE:4850:1 HCP:4920:1"
        names = "A=71 B=72 C=73" if v4010 else "A=72 B=ZZ C=82 D=DN"
    adjudication = LoopSpec(
        "2430", "line_adjudication", "line adjudication", "SVD", "",
        f"CAS:5450:{99 if v4010 else 5} DTP:5500:1{'' if v4010 and not professional else ':R'} "
        "AMT:5505:1",
    )  # fmt: skip
    kids = (
        Child(LoopSpec("2410", "drug", "drug identification", "LIN", "",
                       f"CTP:4940:1{'' if v4010 else ':R'} REF:4950:1"), 4930, 25 if v4010 else 1,
              False),
        *_providers(names, 5, 5000, "2420", "line_provider"),
        Child(adjudication, 5400, 25 if v4010 else 15, False),
        Child(LoopSpec("2440", "form", "form identification", "LQ", "", "FRM:5520:99:R"), 5510,
              MANY, False),
    )  # fmt: skip
    return LoopSpec("2400", "line", "service line", "LX", "", segs, kids)


def _claim(professional: bool, v4010: bool) -> LoopSpec:
    """Loop 2300 with its providers, other payers and service lines."""
    hi = "" if v4010 else ":R"
    if professional:
        segs = (
            "DTP:1350:40 PWK:1550:11 CN1:1600:1 AMT:1750:3 REF:1800:20 K3:1850:10 NTE:1900:1 "
            f"CR1:1950:1 CR2:2000:5 CRC:2200:8 HI:2310:4{hi} HCP:2410:1"
        )
        names = (
            "A=DN,P3*2 B=82 C=QB D=77,FA,LI,TL! E=DQ"
            if v4010
            else ("A=DN,P3*2 B=82 C=77! D=DQ E=PW! F=45!")
        )
    else:
        segs = (
            f"DTP:1350:4 CL1:1400:1{hi} PWK:1550:10 CN1:1600:1 AMT:1750:4 REF:1800:20 "
            "K3:1850:10 NTE:1900:11 CR6:2160:1 CRC:2200:8 "
            f"HI:2310:25{hi} QTY:2400:4 HCP:2410:1"
        )
        names = "A=71 B=72 C=73 E=FA!" if v4010 else "A=71 B=72 C=ZZ D=82 E=77! F=DN"
    kids = (
        *((Child(LoopSpec("2305", "home_health", "home health care plan", "CR7", "",
                          "HSD:2430:12"), 2420, 6, False),) if v4010 else ()),
        *_providers(names, 2, 2500, "2310", "provider"),
        Child(_other_payer(professional, v4010), 2900, 10, False),
        Child(_service_line(professional, v4010), 3650, 50 if professional else 999, True),
    )  # fmt: skip
    return LoopSpec("2300", "claim", "claim", "CLM", "", segs, kids)


def _subscriber_parties(professional: bool, v4010: bool) -> tuple[Child, ...]:
    """2010BA subscriber, 2010BB payer (and the 4010 responsible party / credit card loops)."""
    subscriber = _party(
        "2010BA",
        "subscriber",
        "subscriber",
        "IL",
        "N3:250:1 N4:300:1 DMG:320:1 REF:350:5 PER:400:1",
    )
    payer_segs = "N3:250:1 N4:300:1 REF:350:5 PER:400:1"
    responsible = "N3:250:1:R N4:300:1:R"
    if not v4010:
        return (
            Child(subscriber, 150, 1, True),
            Child(_party("2010BB", "payer", "payer", "PR", payer_segs), 150, 1, True),
        )
    payer_loop, qd_loop, ao_loop = (
        ("2010BB", "2010BC", "2010BD") if professional else ("2010BC", "2010BD", "2010BB")
    )
    return (
        Child(subscriber, 150, 1, True),
        Child(_party(payer_loop, "payer", "payer", "PR", payer_segs), 150, 1, True),
        Child(_party(qd_loop, "context", "responsible party", "QD", responsible), 150, 1, False),
        Child(_party(ao_loop, "context", "credit/debit card holder", "AO", "REF:350:2"), 150, 1,
              False),
    )  # fmt: skip


@cache
def loop_map(professional: bool, v4010: bool) -> LoopSpec:
    """The whole transaction (ST..SE body) as a loop tree; its root is the header."""
    claim = _claim(professional, v4010)
    patient = LoopSpec("2000C", "patient_level", "patient level", "HL", "23", "PAT:70:1:R", (
        Child(_party("2010CA", "patient", "patient", "QC",
                     "N3:250:1:R N4:300:1:R DMG:320:1:R REF:350:6 PER:400:1"), 150, 1, True),
        Child(claim, 1300, 100, True),
    ))  # fmt: skip
    subscriber = LoopSpec(
        "2000B", "subscriber_level", "subscriber level", "HL", "22",
        "SBR:50:1:R" + (" PAT:70:1" if professional else ""),
        (*_subscriber_parties(professional, v4010), Child(claim, 1300, 100, False),
         Child(patient, 9000, MANY, False)),
        one_of=("2300", "2000C"),
    )  # fmt: skip
    billing_segs = f"N3:250:1:R N4:300:1:R REF:350:{16 if v4010 else 3} PER:400:2"
    billing = LoopSpec("2000A", "billing_level", "billing provider level", "HL", "20",
                       "PRV:30:1 CUR:100:1", (
        Child(_party("2010AA", "billing", "billing provider", "85", billing_segs), 150, 1, True),
        Child(_party("2010AB", "pay_to", "pay-to provider", "87",
                     "N3:250:1:R N4:300:1:R REF:350:5"), 150, 1, False),
        *((Child(_party("2010AC", "context", "pay-to plan", "PE",
                        "N3:250:1:R N4:300:1:R REF:350:2"), 150, 1, False),) if not v4010 else ()),
        Child(subscriber, 200, MANY, True),
    ))  # fmt: skip
    return LoopSpec("header", "header", "transaction header", "ST", "", "BHT:100:1:R REF:150:1", (
        Child(_party("1000A", "submitter", "submitter", "41", "PER:450:2"), 200, 1, True),
        Child(_party("1000B", "receiver", "receiver", "40", ""), 200, 1, True),
        Child(billing, 1000, MANY, True),
    ))  # fmt: skip
