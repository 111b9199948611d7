"""Tiny synthetic X12 files for the work-queue tests, written to a temporary folder.

Same conventions as sample_edi/README.md: invented patients (DEMOPATIENT, <NATO letter>), the
synthetic payers of payer_rules, PCNs the other suites never use (W + two letters + 26 + n).
"""

from __future__ import annotations

from pathlib import Path

PAYERS = {
    "SXBLW": ("BLUEWATER HEALTH PLAN", "CI", "12", "1990000103"),
    "SXSCI": ("SUMMIT CREST INSURANCE", "CI", "HM", "1990000104"),
    "SXMB1": ("MEDICARE PART B SYNTHETIC MAC", "MB", "MB", "1990000101"),
}


def _envelope(
    sender: str, receiver: str, date: str, control: int, fid: str, body: list[str]
) -> str:
    version = "005010X221A1" if fid == "HP" else "005010X222A1"
    st = "ST*835*0001" if fid == "HP" else f"ST*837*0001*{version}"
    segments = [
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*{date[2:]}*0900*^*"
        f"00501*{control:09d}*0*P*:",
        f"GS*{fid}*{sender}*{receiver}*{date}*0900*{control % 10000}*X*{version}",
        st,
        *body,
        f"SE*{len(body) + 2}*0001",
        f"GE*1*{control % 10000}",
        f"IEA*1*{control:09d}",
    ]
    return "~\n".join(segments) + "~\n"


def claim_837(
    folder: Path,
    name: str,
    *,
    pcn: str,
    payer: str,
    member: str,
    patient: str,
    date: str,
    dos: str,
    lines: list[tuple[str, str]],
    control: int,
) -> Path:
    """An 837P with one claim of these (procedure, charge) lines."""
    payer_name, sbr09, _, _ = PAYERS[payer]
    total = sum(float(c) for _, c in lines)
    body = [
        f"BHT*0019*00*W-BATCH-{control}*{date}*0900*CH",
        "NM1*41*2*CLAIMSDESK DEMO CLINIC*****46*CDDEMO01",
        "PER*IC*BILLING OFFICE*TE*5555550100",
        f"NM1*40*2*{payer_name}*****46*{payer}",
        "HL*1**20*1",
        "NM1*85*2*CLAIMSDESK DEMO CLINIC*****XX*1999999992",
        "N3*100 SAMPLE PARK DRIVE",
        "N4*FAIRVIEW*OH*439990001",
        "REF*EI*990000001",
        "HL*2*1*22*0",
        f"SBR*P*18*GRP-{payer}******{sbr09}",
        f"NM1*IL*1*DEMOPATIENT*{patient}****MI*{member}",
        "N3*9 SAMPLE STREET",
        "N4*FAIRVIEW*OH*43999",
        "DMG*D8*19800101*F",
        f"NM1*PR*2*{payer_name}*****PI*{payer}",
        f"CLM*{pcn}*{total:.2f}***11:B:1*Y*A*Y*Y",
        "HI*ABK:M545",
        "NM1*82*1*SAMPLEDOC*CASEY****XX*1888888884",
    ]
    for n, (code, charge) in enumerate(lines, 1):
        body += [
            f"LX*{n}",
            f"SV1*HC:{code}*{charge}*UN*1***1",
            f"DTP*472*D8*{dos}",
            f"REF*6R*{pcn}-{n}",
        ]
    path = folder / name
    path.write_text(_envelope("CDDEMO01", payer, date, control, "HC", body), encoding="ascii")
    return path


Line = tuple[str, str, str, list[str]]  # procedure, charge, paid, CAS ("CO*197*130.00")


def remit_835(
    folder: Path,
    name: str,
    *,
    pcn: str,
    payer: str,
    member: str,
    patient: str,
    date: str,
    dos: str,
    trn: str,
    status: str,
    number: str,
    control: int,
    lines: list[Line],
    reverses: list[Line] | None = None,
) -> Path:
    """An 835 answering one claim; `reverses` first takes back an earlier answer (CLP02 22)."""
    payer_name, _, _, tin = PAYERS[payer]
    clps = _clp(pcn, payer, member, patient, dos, status, number, lines)
    paid = sum(float(p) for _, _, p, _ in lines)
    if reverses:
        negated = [
            (c, _neg(ch), _neg(pd), [_neg_cas(x) for x in cas]) for c, ch, pd, cas in reverses
        ]
        clps = _clp(pcn, payer, member, patient, dos, "22", number, negated) + clps
        paid -= sum(float(p) for _, _, p, _ in reverses)
    bpr = (
        f"BPR*I*{paid:.2f}*C*CHK************{date}"
        if paid > 0
        else f"BPR*H*0.00*C*NON************{date}"
    )
    body = [
        bpr,
        f"TRN*1*{trn}*{tin}",
        "REF*EV*CDDEMO01",
        f"DTM*405*{date}",
        f"N1*PR*{payer_name}",
        "N3*PO BOX 3000",
        "N4*FAIRVIEW*OH*43999",
        f"REF*2U*{payer}",
        "PER*BL*EDI HELP DESK*TE*5555550303",
        "N1*PE*CLAIMSDESK DEMO CLINIC*XX*1999999992",
        "REF*TJ*990000001",
        "LX*1",
        *clps,
    ]
    path = folder / name
    path.write_text(_envelope(payer, "CDDEMO01", date, control, "HP", body), encoding="ascii")
    return path


def _neg(amount: str) -> str:
    return f"{-float(amount):.2f}"


def _neg_cas(cas: str) -> str:
    group, reason, amount = cas.split("*")
    return f"{group}*{reason}*{_neg(amount)}"


def _clp(
    pcn: str,
    payer: str,
    member: str,
    patient: str,
    dos: str,
    status: str,
    number: str,
    lines: list[Line],
) -> list[str]:
    """One CLP loop with its SVC lines."""
    clp06 = PAYERS[payer][2]
    charge = sum(float(c) for _, c, _, _ in lines)
    paid = sum(float(p) for _, _, p, _ in lines)
    out = [
        f"CLP*{pcn}*{status}*{charge:.2f}*{paid:.2f}**{clp06}*{number}*11*1",
        f"NM1*QC*1*DEMOPATIENT*{patient}****MI*{member}",
        f"DTM*232*{dos}",
        f"DTM*233*{dos}",
    ]
    for n, (code, line_charge, line_paid, cas) in enumerate(lines, 1):
        out += [f"SVC*HC:{code}*{line_charge}*{line_paid}**1", f"DTM*472*{dos}"]
        out += [f"CAS*{c}" for c in cas]
        out += [f"REF*6R*{pcn}-{n}"]
    return out
