"""Builders for the 837 reader tests (no tests here): envelopes around segment lists."""

from __future__ import annotations

from pathlib import Path

from parsers import errors_of, read_file
from parsers.records import Issue, Record, Severity, SubmittedClaim

ISA_5010 = (
    "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       "
    "*260105*1200*^*00501*000000101*0*T*:~"
)
ISA_4010 = ISA_5010.replace("*^*00501*", "*U*00401*")

HEADER = [
    "BHT*0019*00*B0001*20260105*1200*CH",
    "NM1*41*2*SYNTH BILLING SVC*****46*S0001",
    "PER*IC*DESK*TE*5550000000",
    "NM1*40*2*SYNTH CLEARING*****46*R0001",
]
BILLING = [
    "HL*1**20*1",
    "NM1*85*2*SYNTH CLINIC*****XX*1999999984",
    "N3*1 TEST WAY",
    "N4*ANYTOWN*ZZ*000010000",
    "REF*EI*000000001",
]
SUBSCRIBER = [
    "HL*2*1*22*0",
    "SBR*P*18*GRP01******CI",
    "NM1*IL*1*TESTLAST*TESTFIRST****MI*M0001",
    "N3*2 SAMPLE ST",
    "N4*ANYTOWN*ZZ*000010000",
    "DMG*D8*19800101*F",
    "NM1*PR*2*SYNTH HEALTH PLAN*****PI*PAYER1",
]
CLAIM_P = [
    "CLM*PCN001*100.00***11:B:1*Y*A*Y*Y",
    "HI*ABK:J069",
    "LX*1",
    "SV1*HC:99213*100.00*UN*1*11**1**Y",
    "DTP*472*D8*20260102",
]
CLAIM_I = [
    "CLM*PCN-I1*500.00***13:A:1*Y*A*Y*Y",
    "DTP*434*RD8*20260101-20260103",
    "CL1*1*7*01",
    "HI*ABK:J189:::::::Y",
    "LX*1",
    "SV2*0450*HC:99283*500.00*UN*1",
    "DTP*472*D8*20260101",
]


def x12(segments: list[str], version: str = "005010X222A1", isa: str = ISA_5010) -> str:
    """An interchange with one transaction holding `segments` (ST and SE added, counted)."""
    st = f"ST*837*0001*{version}" if version.startswith("005") else "ST*837*0001"
    body = [st, *segments, f"SE*{len(segments) + 2}*0001"]
    return (
        isa
        + f"GS*HC*SUBMITTER*RECEIVER*20260105*1200*7*X*{version}~"
        + "~".join(body)
        + "~GE*1*7~IEA*1*000000101~"
    )


def read(tmp_path: Path, segments: list[str], version: str = "005010X222A1") -> list[Record]:
    """Records of a file made from segments (4010 versions get a 4010 ISA)."""
    isa = ISA_4010 if version.startswith("004010") else ISA_5010
    path = tmp_path / "claims.837"
    path.write_text(x12(segments, version, isa))
    return list(read_file(path))


def claims(records: list[Record]) -> list[SubmittedClaim]:
    return [r for r in records if isinstance(r, SubmittedClaim)]


def errors(records: list[Record]) -> list[Issue]:
    return errors_of(records)


def warnings(records: list[Record]) -> list[Issue]:
    found = [r for r in records if isinstance(r, Issue)]
    found += [i for c in claims(records) for i in c.issues]
    return [i for i in found if i.severity is Severity.WARNING]


def index_of(segments: list[str], prefix: str, nth: int = 0) -> int:
    """File segment index (ISA=1, GS=2, ST=3) of the nth segment starting with prefix."""
    hits = [i for i, s in enumerate(segments) if s.startswith(prefix)]
    return hits[nth] + 4
