"""837/835 writers: records -> file -> parsers.read_file gives the same values; pyx12 accepts it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import edikit as k
import pytest

from claimsdesk.edi.validate import validate_file
from claimsdesk.edi.writer import (
    Remittance,
    X12WriteError,
    balanced_amount,
    write_835,
    write_835_file,
    write_837,
    write_837_file,
)
from parsers import read_file
from parsers.records import (
    ClaimPayment,
    RemittanceHeader,
    RemittanceTrailer,
    Severity,
    SubmittedClaim,
    TransactionEnd,
)

CREATED = dt.datetime(2024, 3, 21, 9, 15)
IGNORED = {"segment_index", "issues", "transaction", "source_id", "submitter", "receiver"}
ENV = {
    "sender": "SXSUBMIT01",
    "receiver": "SXCLEAR01",
    "interchange_control": 42,
    "created": CREATED,
}


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where two records differ, ignoring positions and envelope context."""
    if dataclasses.is_dataclass(expected) and dataclasses.is_dataclass(actual):
        out: list[str] = []
        for f in dataclasses.fields(expected):
            if f.name not in IGNORED:
                out += differences(
                    getattr(expected, f.name), getattr(actual, f.name), f"{path}.{f.name}"
                )
        return out
    if isinstance(expected, tuple) and isinstance(actual, tuple):
        if len(expected) != len(actual):
            return [f"{path}: {len(expected)} items written, {len(actual)} read: {actual!r}"]
        return [
            d
            for n, (e, a) in enumerate(zip(expected, actual))
            for d in differences(e, a, f"{path}[{n}]")
        ]
    return [] if expected == actual else [f"{path}: wrote {expected!r}, read {actual!r}"]


def write_claims(tmp_path: Path, claims: list[SubmittedClaim], **kw: Any) -> Path:
    path = tmp_path / "claims.837"
    write_837_file(path, claims, **{**ENV, **kw})
    return path


def read_claims(path: Path) -> list[SubmittedClaim]:
    records = list(read_file(path))
    problems = [
        i for r in records for i in getattr(r, "issues", ()) if i.severity is Severity.ERROR
    ]
    assert problems == []
    return [r for r in records if isinstance(r, SubmittedClaim)]


CLAIMS = {
    "professional": k.professional,
    "dependent": k.dependent,
    "corrected": k.corrected,
    "secondary-2430": k.secondary,
    "secondary-2320-cas": k.secondary_claim_level,
    "institutional": k.institutional,
}


@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_837_round_trip_gives_the_same_claim(tmp_path: Path, name: str) -> None:
    claim = CLAIMS[name]()
    (read,) = read_claims(write_claims(tmp_path, [claim]))
    assert differences(claim, read) == []


def test_corrected_claim_carries_frequency_7_and_the_original_claim_number(tmp_path: Path) -> None:
    text = write_claims(tmp_path, [k.corrected()]).read_text()
    assert "CLM*PCN0003*255***11:B:7*" in text
    assert "REF*F8*MB00001000000003~" in text


def test_secondary_claim_has_the_primary_adjudication(tmp_path: Path) -> None:
    text = write_claims(tmp_path, [k.secondary()]).read_text()
    for segment in (
        "SBR*S*18",
        "SBR*P*18*GRP0042******CI~",
        "AMT*D*89.82~",
        "AMT*EAF*30.4~",
        "SVD*SXBLW*86.23*HC:99213:25**1~",
        "CAS*CO*45*113.77~",
        "DTP*573*D8*20240320~",
    ):
        assert segment in text


def test_claim_indicators_and_cl1_go_out_as_billed(tmp_path: Path) -> None:
    late = dataclasses.replace(k.professional(), delay_reason="7", benefits_assigned="N")
    text = write_claims(tmp_path, [late, k.institutional()]).read_text()
    assert "*11:B:1*Y*A*N*Y***********7~" in text  # CLM06-09, CLM20 third-party delay
    assert "*13:A:1**C*Y*I~" in text and "CL1*3*1*01~" in text


def test_taxonomy_goes_out_as_a_prv_segment(tmp_path: Path) -> None:
    text = write_claims(tmp_path, [k.professional(), k.institutional()]).read_text()
    assert "PRV*PE*PXC*207Q00000X~" in text  # 2310B rendering provider
    assert "PRV*AT*PXC*207Q00000X~" in text  # 2310A attending provider
    assert "REF*PXC" not in text


def test_837_mixes_kinds_in_separate_groups_and_splits_transactions(tmp_path: Path) -> None:
    claims = [k.professional(f"P{n}") for n in range(5)] + [k.institutional("I1")]
    path = write_claims(tmp_path, claims, max_claims_per_transaction=2)
    records = list(read_file(path))
    ends = [r for r in records if isinstance(r, TransactionEnd)]
    assert [e.claim_count for e in ends] == [2, 2, 1, 1]
    assert all(e.issues == () for e in ends)
    assert [e.transaction.control_number for e in ends] == ["0001", "0002", "0003", "0004"]
    assert [e.transaction.group.version for e in ends][-1] == "005010X223A2"
    text = path.read_text()
    assert text.count("GS*HC*") == 2 and "GE*3*42~" in text and "GE*1*43~" in text
    assert text.endswith("IEA*2*000000042~\n")
    assert len(text.split("~")[0] + "~") == 106  # the fixed-width ISA


def test_pyx12_accepts_the_837_we_write(tmp_path: Path) -> None:
    path = write_claims(tmp_path, [factory() for factory in CLAIMS.values()])
    report = validate_file(path)
    assert report.ok, report.to_text()
    assert "AK9*A*" in report.ack_999 and "IK5*R" not in report.ack_999


def remittance(claims: list[ClaimPayment], method: str = "CHK") -> Remittance:
    return Remittance(k.header(balanced_amount(claims, k.PLB), method), claims, k.PLB)


def write_remits(tmp_path: Path, remittances: list[Remittance]) -> Path:
    path = tmp_path / "remit.835"
    write_835_file(
        path,
        remittances,
        sender="SXMB1",
        receiver="SXSUBMIT01",
        interchange_control=7,
        created=CREATED,
    )
    return path


def test_835_round_trip_gives_the_same_payments(tmp_path: Path) -> None:
    claims = [k.payment(), k.denial(), k.crossover()]
    path = write_remits(tmp_path, [remittance(claims, "ACH")])
    records = list(read_file(path))
    read = [r for r in records if isinstance(r, ClaimPayment)]
    assert [d for e, a in zip(claims, read) for d in differences(e, a)] == []
    (header,) = [r for r in records if isinstance(r, RemittanceHeader)]
    assert (header.payment_amount, header.payment_method, header.trace_number) == (
        D("97.69"),
        "ACH",
        "MB0000100001",
    )
    assert header.payer_id == "SXMB1" and header.payee and header.payee.identifier == "1234567893"
    (trailer,) = [r for r in records if isinstance(r, RemittanceTrailer)]
    assert trailer.balanced and trailer.plb_total == D("8.75") and trailer.claim_count == 3
    assert [(a.reason, a.reference, a.amount) for a in trailer.provider_adjustments] == [
        (p.reason, p.reference, p.amount) for p in k.PLB
    ]


def test_835_reversal_amounts_are_negative_and_round_trip(tmp_path: Path) -> None:
    original = k.payment("PCN0020")
    flip = dataclasses.replace(
        original,
        status="22",
        charge=-original.charge,
        paid=-original.paid,
        patient_responsibility=-D("38.30"),
        services=tuple(
            dataclasses.replace(
                s,
                charge=-s.charge,
                paid=-s.paid,
                amounts=tuple((q, -v) for q, v in s.amounts),
                adjustments=tuple(dataclasses.replace(a, amount=-a.amount) for a in s.adjustments),
            )
            for s in original.services
        ),
    )
    claims = [flip, original, k.payment("PCN0021")]
    path = write_remits(tmp_path, [remittance(claims)])
    read = [r for r in read_file(path) if isinstance(r, ClaimPayment)]
    assert [d for e, a in zip(claims, read) for d in differences(e, a)] == []
    assert "CLP*PCN0020*22*-255*-53.22*-38.3*" in path.read_text()


def test_pyx12_finds_no_error_in_the_835_we_write(tmp_path: Path) -> None:
    claims = [k.payment(), k.denial(), k.crossover()]
    path = write_remits(tmp_path, [remittance(claims, "ACH"), remittance([k.payment("PCN0031")])])
    report = validate_file(path)
    assert report.ok and report.errors == [], report.to_text()
    assert any("no 999" in note for note in report.notes)


def test_unbalanced_835_is_refused(tmp_path: Path) -> None:
    bad = Remittance(k.header(D("100")), [k.payment()])
    with pytest.raises(X12WriteError, match="does not balance"):
        write_835([bad], stream=io.StringIO(), sender="A", receiver="B", interchange_control=1)
    with pytest.raises(X12WriteError):
        write_835_file(tmp_path / "bad.835", [bad], sender="A", receiver="B", interchange_control=1)
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_a_delimiter_inside_a_value_is_refused_with_claim_and_element(tmp_path: Path) -> None:
    claim = k.professional(subscriber=dataclasses.replace(k.SUBSCRIBER, last_or_org_name="O*BRIEN"))
    with pytest.raises(X12WriteError, match=r"NM103 \(claim PCN0001\).*delimiter"):
        write_claims(tmp_path, [claim])
    assert list(tmp_path.iterdir()) == []


def test_accents_fold_to_ascii(tmp_path: Path) -> None:
    claim = k.professional(subscriber=dataclasses.replace(k.SUBSCRIBER, first_name="ZOË"))
    text = write_claims(tmp_path, [claim]).read_text(encoding="ascii")
    assert "*ALDERWICK*ZOE*Q***MI*" in text


def test_missing_required_parts_are_named(tmp_path: Path) -> None:
    no_tax = dataclasses.replace(k.BILLING, refs=())
    with pytest.raises(X12WriteError, match="tax id"):
        write_837([k.professional(billing_provider=no_tax)], stream=io.StringIO(), **ENV)
    with pytest.raises(X12WriteError, match="at least one claim"):
        write_837([], stream=io.StringIO(), **ENV)
    with pytest.raises(X12WriteError, match="no service lines"):
        write_837([k.professional(lines=())], stream=io.StringIO(), **ENV)


def test_control_numbers_and_counts_follow_the_arguments() -> None:
    out = io.StringIO()
    summary = write_837(
        [k.professional(), k.dependent()],
        stream=out,
        sender="S",
        receiver="R",
        interchange_control=123456789,
        group_control=77,
        first_transaction=9,
        created=CREATED,
    )
    assert summary.interchange_control == "123456789"
    assert (summary.group_controls, summary.transaction_controls) == (["77"], ["0009"])
    segments = out.getvalue().split("~\n")
    se = next(s for s in segments if s.startswith("SE*"))
    st_at = next(n for n, s in enumerate(segments) if s.startswith("ST*"))
    se_at = segments.index(se)
    assert se == f"SE*{se_at - st_at + 1}*0009"
    assert summary.segments == len([s for s in segments if s]) and summary.claims == 2
