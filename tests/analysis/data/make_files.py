"""Writes the extra synthetic scenario files of tests/analysis/data (run once, files committed).

    python tests/analysis/data/make_files.py

Same conventions as sample_edi/README.md: invented patients (DEMOPATIENT, <NATO letter>),
the synthetic payers of payer_rules, distinct PCNs (T + two letters + 26 + number), ISA13 and
TRN02. Every 835 balances; claim-edits.837 is wrong on purpose (that is what it tests).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
PAYERS = {
    "SXBLW": ("BLUEWATER HEALTH PLAN", "CI", "12", "1990000103"),
    "SXSCI": ("SUMMIT CREST INSURANCE", "CI", "HM", "1990000104"),
    "SXMB1": ("MEDICARE PART B SYNTHETIC MAC", "MB", "MB", "1990000101"),
}


def envelope(
    sender: str, receiver: str, date: str, control: int, fid: str, version: str, body: list[str]
) -> str:
    """ISA/GS/ST ... SE/GE/IEA around a transaction body (ST and SE counted)."""
    isa = (
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*{date[2:]}*0900*^*"
        f"00501*{control:09d}*0*P*:"
    )
    st = f"ST*{'835' if fid == 'HP' else '837'}*0001" + ("" if fid == "HP" else f"*{version}")
    segments = [
        isa,
        f"GS*{fid}*{sender}*{receiver}*{date}*0900*{control % 10000}*X*{version}",
        st,
        *body,
        f"SE*{len(body) + 2}*0001",
        f"GE*1*{control % 10000}",
        f"IEA*1*{control:09d}",
    ]
    return "~\n".join(segments) + "~\n"


def claim_837(
    pcn: str,
    payer: str,
    member: str,
    patient: str,
    lines: list[str],
    *,
    charge: str,
    dx: str,
    sbr: str = "P",
    other: list[str] | None = None,
    header: list[str] | None = None,
) -> list[str]:
    """Subscriber + claim loops of one 837P claim."""
    name, sbr09, _, _ = PAYERS[payer]
    return [
        "HL*2*1*22*0",
        f"SBR*{sbr}*18*GRP-{payer}******{sbr09}",
        f"NM1*IL*1*DEMOPATIENT*{patient}****MI*{member}",
        "N3*9 SAMPLE STREET",
        "N4*FAIRVIEW*OH*43999",
        "DMG*D8*19800101*F",
        f"NM1*PR*2*{name}*****PI*{payer}",
        f"CLM*{pcn}*{charge}***11:B:1*Y*A*Y*Y",
        *(header or []),
        f"HI*{dx}",
        "NM1*82*1*SAMPLEDOC*CASEY****XX*1888888884",
        *(other or []),
        *lines,
    ]


def file_837(payer: str, date: str, control: int, claims: list[str]) -> str:
    """An 837P file from the clinic to one payer."""
    name = PAYERS[payer][0]
    body = [
        f"BHT*0019*00*T-BATCH-{control}*{date}*0900*CH",
        "NM1*41*2*CLAIMSDESK DEMO CLINIC*****46*CDDEMO01",
        "PER*IC*BILLING OFFICE*TE*5555550100",
        f"NM1*40*2*{name}*****46*{payer}",
        "HL*1**20*1",
        "NM1*85*2*CLAIMSDESK DEMO CLINIC*****XX*1999999992",
        "N3*100 SAMPLE PARK DRIVE",
        "N4*FAIRVIEW*OH*439990001",
        "REF*EI*990000001",
        *claims,
    ]
    return envelope("CDDEMO01", payer, date, control, "HC", "005010X222A1", body)


def sv1(
    n: int, code: str, charge: str, units: str, pointers: str, date: str, pcn: str
) -> list[str]:
    """LX/SV1/DTP/REF of one professional line."""
    return [
        f"LX*{n}",
        f"SV1*HC:{code}*{charge}*UN*{units}***{pointers}",
        f"DTP*472*D8*{date}",
        f"REF*6R*{pcn}-{n}",
    ]


def file_835(payer: str, date: str, control: int, trn: str, paid: str, claims: list[str]) -> str:
    """An 835 file from one payer with its claims (CLP loops)."""
    name, _, _, tin = PAYERS[payer]
    handling = (
        ["BPR*H*0.00*C*NON************" + date]
        if paid == "0.00"
        else [f"BPR*I*{paid}*C*CHK************{date}"]
    )
    body = [
        *handling,
        f"TRN*1*{trn}*{tin}",
        "REF*EV*CDDEMO01",
        f"DTM*405*{date}",
        f"N1*PR*{name}",
        "N3*PO BOX 3000",
        "N4*FAIRVIEW*OH*43999",
        f"REF*2U*{payer}",
        "PER*BL*EDI HELP DESK*TE*5555550303",
        "N1*PE*CLAIMSDESK DEMO CLINIC*XX*1999999992",
        "REF*TJ*990000001",
        "LX*1",
        *claims,
    ]
    return envelope(payer, "CDDEMO01", date, control, "HP", "005010X221A1", body)


def clp(
    pcn: str,
    status: str,
    charge: str,
    paid: str,
    pr: str,
    payer: str,
    number: str,
    member: str,
    patient: str,
    dos: str,
    lines: list[str],
) -> list[str]:
    """One CLP loop."""
    return [
        f"CLP*{pcn}*{status}*{charge}*{paid}*{pr}*{PAYERS[payer][2]}*{number}*11*1",
        f"NM1*QC*1*DEMOPATIENT*{patient}****MI*{member}",
        f"DTM*232*{dos}",
        f"DTM*233*{dos}",
        *lines,
    ]


def svc(
    code: str,
    charge: str,
    paid: str,
    cas: list[str],
    dos: str,
    ref: str,
    allowed: str | None = None,
    lq: str | None = None,
) -> list[str]:
    """One SVC loop."""
    out = [
        f"SVC*HC:{code}*{charge}*{paid}**1",
        f"DTM*472*{dos}",
        *(f"CAS*{c}" for c in cas),
        f"REF*6R*{ref}",
    ]
    if allowed is not None:
        out.append(f"AMT*B6*{allowed}")
    if lq:
        out.append(f"LQ*HE*{lq}")
    return out


def write(name: str, text: str) -> None:
    """One file, X12 segments one per line."""
    (HERE / name).write_text(text, encoding="ascii")


def denials() -> None:
    """Duplicate with no original on file, frequency limit, and an 'other' reason."""
    for stem, pcn, payer, member, who, code, cas, date, ctl, trn, extra_lq in (
        (
            "denied-duplicate-unpaid",
            "TDU26001",
            "SXBLW",
            "BLW700000001",
            "INDIA",
            "99213",
            "OA*18*180.00",
            "20260702",
            301,
            "T-BLW-DU-01",
            None,
        ),
        (
            "denied-frequency",
            "TFQ26001",
            "SXSCI",
            "SCI700000002",
            "JULIETT",
            "97110",
            "CO*119*130.00",
            "20260703",
            302,
            "T-SCI-FQ-01",
            "N362",
        ),
        (
            "denied-other",
            "TOT26001",
            "SXMB1",
            "MBX700000003",
            "KILO",
            "99213",
            "CO*129*180.00",
            "20260704",
            303,
            "T-SXMB-OT-01",
            None,
        ),
    ):
        charge = cas.rsplit("*", 1)[1]
        write(
            f"{stem}.837",
            file_837(
                payer,
                "20260615",
                ctl,
                claim_837(
                    pcn,
                    payer,
                    member,
                    who,
                    sv1(1, code, charge, "1", "1", "20260612", pcn),
                    charge=charge,
                    dx="ABK:M545",
                ),
            ),
        )
        write(
            f"{stem}.835",
            file_835(
                payer,
                date,
                ctl + 100,
                trn,
                "0.00",
                clp(
                    pcn,
                    "4",
                    charge,
                    "0.00",
                    "",
                    payer,
                    f"{payer}{ctl}",
                    member,
                    who,
                    "20260612",
                    svc(code, charge, "0.00", [cas], "20260612", f"{pcn}-1", lq=extra_lq),
                ),
            ),
        )


def claim_edits() -> None:
    """An 837P with every pre-submit fault the coding rule checks (one each)."""
    pcn = "TCE26001"
    lines = sv1(1, "99214:2", "185.00", "1", "1:3", "20260612", pcn) + sv1(
        2, "9921", "40.00", "1", "1", "20260612", pcn
    )
    write(
        "claim-edits.837",
        file_837(
            "SXBLW",
            "20260615",
            310,
            claim_837(pcn, "SXBLW", "BLW700000010", "LIMA", lines, charge="250.00", dx="ABK:E11.9"),
        ),
    )


def cob() -> None:
    """Processed as secondary what we billed as primary; a secondary claim with no primary."""
    pcn, member, who = "TPO26001", "BLW700000011", "MIKE"
    write(
        "payer-order.837",
        file_837(
            "SXBLW",
            "20260615",
            320,
            claim_837(
                pcn,
                "SXBLW",
                member,
                who,
                sv1(1, "99213", "180.00", "1", "1", "20260612", pcn),
                charge="180.00",
                dx="ABK:M545",
            ),
        ),
    )
    write(
        "payer-order.835",
        file_835(
            "SXBLW",
            "20260705",
            420,
            "T-BLW-PO-01",
            "36.23",
            clp(
                pcn,
                "2",
                "180.00",
                "36.23",
                "",
                "SXBLW",
                "BLW320",
                member,
                who,
                "20260612",
                svc(
                    "99213",
                    "180.00",
                    "36.23",
                    ["CO*45*63.77", "OA*23*80.00"],
                    "20260612",
                    f"{pcn}-1",
                    allowed="116.23",
                ),
            ),
        ),
    )
    pcn, member, who = "TMP26001", "BLW700000012", "NOVEMBER"
    other = [
        "SBR*P*18*GRP-SXSCI******CI",
        "OI***Y***Y",
        "NM1*IL*1*DEMOPATIENT*NOVEMBER****MI*SCI700000012",
        "NM1*PR*2*SUMMIT CREST INSURANCE*****PI*SXSCI",
    ]
    write(
        "missing-primary.837",
        file_837(
            "SXBLW",
            "20260615",
            321,
            claim_837(
                pcn,
                "SXBLW",
                member,
                who,
                sv1(1, "99213", "180.00", "1", "1", "20260612", pcn),
                charge="180.00",
                dx="ABK:M545",
                sbr="S",
                other=other,
            ),
        ),
    )


def paid_twice() -> None:
    """The payer pays the same claim twice under two claim numbers: overpayment, credit."""
    pcn, member, who = "TPT26001", "BLW700000013", "OSCAR"
    write(
        "paid-twice.837",
        file_837(
            "SXBLW",
            "20260615",
            330,
            claim_837(
                pcn,
                "SXBLW",
                member,
                who,
                sv1(1, "99213", "180.00", "1", "1", "20260612", pcn),
                charge="180.00",
                dx="ABK:M545",
            ),
        ),
    )
    for n, (date, trn) in enumerate((("20260702", "T-BLW-PT-01"), ("20260716", "T-BLW-PT-02")), 1):
        write(
            f"paid-twice.{n}.835",
            file_835(
                "SXBLW",
                date,
                430 + n,
                trn,
                "116.23",
                clp(
                    pcn,
                    "1",
                    "180.00",
                    "116.23",
                    "",
                    "SXBLW",
                    f"BLW33{n}",
                    member,
                    who,
                    "20260612",
                    svc(
                        "99213",
                        "180.00",
                        "116.23",
                        ["CO*45*63.77"],
                        "20260612",
                        f"{pcn}-1",
                        allowed="116.23",
                    ),
                ),
            ),
        )


if __name__ == "__main__":
    denials()
    claim_edits()
    cob()
    paid_twice()
