"""Corrected claims and claims to the next payer on the imported scenarios: built, validated by
pyx12, read back with parsers.read_file, exported; refusals and the gate."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from outboundkit import SCENARIOS, Desk
from sqlalchemy import func, select

from claimsdesk.edi.validate import validate_file
from claimsdesk.services import audit, resubmission
from claimsdesk.services.outbound_source import load_claim, resolve_target
from claimsdesk.services.outbound_types import (
    BadCorrection,
    Corrections,
    LineCorrection,
    OutboundKind,
    OutboundStatus,
    Refused,
)
from claimsdesk.services.outbound_x12 import Draft, store
from claimsdesk.storage.models.desk import AuditEvent
from claimsdesk.storage.models.outbound import OutboundClaim
from parsers import read_file
from parsers.records import SubmittedClaim

CODING_FIX = Corrections(
    lines=(
        LineCorrection(1, add_modifiers=("25",)),  # CO-4: E/M with a procedure needs 25
        LineCorrection(3, diagnosis_pointers=("1",)),  # CO-11: J1885 for M17.11, not I10
    )
)


def claims_in(path: Path) -> list[SubmittedClaim]:
    return [r for r in read_file(path) if isinstance(r, SubmittedClaim)]


def exported(desk: Desk, outbound_id: int, out: Path) -> Path:
    """Export one outbound claim and return the file."""
    with desk.sessions() as s:
        result = resubmission.export(s, [outbound_id], out, user=desk.user())
    assert not result.refused, result.refused
    (written,) = result.written
    return Path(written.path)


def test_corrected_coding_claim(desk: Desk, tmp_path: Path) -> None:
    finding = desk.finding("COD26001", "coding", "CO-4")
    with desk.sessions() as s:
        result = resubmission.correct_claim(
            s, finding_id=finding, corrections=CODING_FIX, user=desk.user()
        )
    assert result.status is OutboundStatus.VALIDATED and result.errors == ()
    assert result.kind is OutboundKind.CORRECTED and result.source == "file"
    assert result.original_reference == "SCI2606110010"
    assert "line 1 procedure 99214 -> 99214:25" in result.changes
    path = exported(desk, result.id, tmp_path)
    assert path.read_text(encoding="ascii") == result.x12_text  # exactly what was validated
    (claim,) = claims_in(path)
    assert (claim.patient_control_number, claim.frequency) == ("COD26001", "7")
    assert claim.ref("F8") == "SCI2606110010"
    assert claim.lines[0].procedure is not None and claim.lines[0].procedure.modifiers == ("25",)
    assert claim.lines[2].diagnosis_pointers == ("1",)
    assert claim.total_charge == Decimal("455.00") == sum(ln.charge for ln in claim.lines)
    report = validate_file(path)
    assert report.ok, report.to_text()
    with desk.sessions() as s:
        actions = set(
            s.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.object_type == "outbound_claim",
                    AuditEvent.object_id == str(result.id),
                )
            )
        )
    assert actions == {"outbound.corrected", "outbound.exported"}


def test_corrected_claim_recomputes_the_total(desk: Desk, tmp_path: Path) -> None:
    """Charge and units changed, a line removed, REF*G1 added: CLM02 = sum of the lines."""
    fix = Corrections(
        lines=(
            LineCorrection(2, remove=True),
            LineCorrection(
                3, units=Decimal("1"), charge=Decimal("17.50"), diagnosis_pointers=("1",)
            ),
        ),
        prior_authorization="SCI-AUTH-2026-0610",
        add_diagnoses=("Z79.899",),
    )
    with desk.sessions() as s:
        result = resubmission.correct_claim(s, pcn="COD26001", corrections=fix, user=desk.user())
    assert result.status is OutboundStatus.VALIDATED, result.errors
    assert result.total_charge == Decimal("247.50")  # 230.00 + 17.50
    path = exported(desk, result.id, tmp_path)
    (claim,) = claims_in(path)
    assert claim.total_charge == Decimal("247.50") and len(claim.lines) == 2
    assert claim.ref("G1") == "SCI-AUTH-2026-0610" and claim.ref("F8") == "SCI2606110010"
    assert [d.code for d in claim.diagnoses] == ["M1711", "I10", "Z79899"]


@pytest.mark.parametrize(
    ("fix", "message"),
    [
        (Corrections(), "Nothing to correct"),
        (Corrections(lines=(LineCorrection(9, units=Decimal(1)),)), "there is no line 9"),
        (Corrections(lines=(LineCorrection(1, add_modifiers=("2",)),)), "modifier '2'"),
        (Corrections(lines=(LineCorrection(1, remove_modifiers=("59",)),)), "no modifier"),
        (Corrections(lines=(LineCorrection(3, diagnosis_pointers=("5",)),)), "pointer 5"),
        (Corrections(diagnoses=("NOTACODE",)), "not a valid code"),
        (Corrections(lines=(LineCorrection(1, charge=Decimal("1.005")),)), "in cents"),
        (Corrections(prior_authorization="A*B"), "letters, digits"),
        (Corrections(lines=tuple(LineCorrection(n, remove=True) for n in (1, 2, 3))), "void"),
    ],
)
def test_bad_corrections_change_nothing(desk: Desk, fix: Corrections, message: str) -> None:
    with desk.sessions() as s:
        before = s.scalar(select(func.count()).select_from(OutboundClaim))
        with pytest.raises(BadCorrection, match=message):
            resubmission.correct_claim(s, pcn="COD26001", corrections=fix, user=desk.user())
        assert s.scalar(select(func.count()).select_from(OutboundClaim)) == before


def test_secondary_claim_after_summit_crest(desk: Desk, tmp_path: Path) -> None:
    """SEC26001: our claim to Bluewater carries Summit Crest's 835 as the office's own
    secondary 837 (sample_edi secondary-payment.2.837) does."""
    primary = desk.claim_id("SEC26001", "P")
    with desk.sessions() as s:
        result = resubmission.bill_secondary(s, submitted_claim_id=primary, user=desk.user())
    assert result.status is OutboundStatus.VALIDATED, result.errors
    assert (result.payer_name, result.payer_responsibility) == ("BLUEWATER HEALTH PLAN", "S")
    assert any("already sent" in n for n in result.notes)  # the office sent one (#18)
    path = exported(desk, result.id, tmp_path)
    (ours,) = claims_in(path)
    (theirs,) = claims_in(SCENARIOS / "secondary-payment.2.837")
    assert validate_file(path).ok
    assert ours.payer is not None and ours.payer.identifier == "SXBLW"
    assert (ours.payer_responsibility, ours.relationship) == ("S", "01")
    assert ours.subscriber is not None and ours.subscriber.first_name == "ROMEO"
    assert ours.patient is not None and ours.patient.first_name == "SIERRA"
    (other,) = ours.other_payers
    assert (other.payer_responsibility, other.paid_amount, other.remaining_liability) == (
        "P",
        Decimal("104.67"),  # CLP04 of Summit Crest's 835
        Decimal("105.10"),  # CLP05
    )
    (expected,) = theirs.other_payers
    for name in ("adjustments", "paid_amount", "remaining_liability", "adjudication_date",
                 "relationship", "group_number", "filing_indicator"):  # fmt: skip
        assert getattr(other, name) == getattr(expected, name), name
    assert other.payer is not None and other.payer.identifier == "SXSCI"
    for mine, hand in zip(ours.lines, theirs.lines, strict=True):
        assert mine.other_payer_adjudications == hand.other_payer_adjudications
    assert [ln.other_payer_adjudications[0].paid for ln in ours.lines] == [
        Decimal("104.67"),
        Decimal("0.00"),
    ]


def test_secondary_claim_after_a_crossover(desk: Desk, tmp_path: Path) -> None:
    """XOV26001: Medicare crossed over to Medicaid; our claim to Medicaid carries Medicare's
    adjudication (AMT*D = CLP04 116.52, line CAS as paid) and warns it was forwarded."""
    with desk.sessions() as s:
        result = resubmission.bill_secondary(s, pcn="XOV26001", user=desk.user())
    assert result.status is OutboundStatus.VALIDATED, result.errors
    assert result.payer_name == "LAKESHORE STATE MEDICAID"
    assert any("forwarded this claim" in n for n in result.notes)
    assert any("already answered" in n for n in result.notes)
    path = exported(desk, result.id, tmp_path)
    (claim,) = claims_in(path)
    (medicare,) = claim.other_payers
    assert medicare.payer is not None and medicare.payer.identifier == "SXMB1"
    assert (medicare.paid_amount, medicare.remaining_liability) == (
        Decimal("116.52"),
        Decimal("29.13"),
    )
    assert medicare.outpatient_adjudication[2] == "MA18"
    assert medicare.adjudication_date is not None and medicare.adjudication_date.isoformat() == (
        "2026-07-31"
    )
    line_cas = [
        (a.group, a.reason, a.amount)
        for ln in claim.lines
        for adj in ln.other_payer_adjudications
        for a in adj.adjustments
    ]
    assert line_cas == [
        ("CO", "45", Decimal("70.83")),
        ("PR", "2", Decimal("25.83")),
        ("CO", "45", Decimal("33.52")),
        ("PR", "2", Decimal("3.30")),
    ]
    total_cas = sum(a[2] for a in line_cas) + sum(a.amount for a in medicare.adjustments)
    assert claim.total_charge - total_cas == medicare.paid_amount  # the COB balance
    assert validate_file(path).ok


def test_no_next_payer_is_refused(desk: Desk) -> None:
    with desk.sessions() as s:
        before = s.scalar(select(func.count()).select_from(OutboundClaim))
        with pytest.raises(Refused, match="No next payer is known for claim AUT26001"):
            resubmission.bill_secondary(s, pcn="AUT26001", user=desk.user())
        assert s.scalar(select(func.count()).select_from(OutboundClaim)) == before


def test_a_claim_that_fails_validation_is_not_exportable(desk: Desk, tmp_path: Path) -> None:
    """The gate: pyx12 refuses an 837 without the subscriber's member id (2010BA NM109)."""
    user = desk.user()
    with desk.sessions() as s:
        target = resolve_target(s, pcn="PIF26001")
        source = load_claim(s, target.submitted_claim_id)
        claim = source.record
        assert claim.subscriber is not None
        broken = dataclasses.replace(
            claim, subscriber=dataclasses.replace(claim.subscriber, identifier="")
        )
        draft = Draft(OutboundKind.CORRECTED, broken, source, target, None, source.payer_key,
                      source.payer_name, source.receiver_id, original_reference="X")  # fmt: skip
        audit.begin_write(s)
        row = store(s, draft, user)
        s.commit()
        bad = row.id
        assert row.status == "rejected" and row.errors
        assert any("NM1" in e for e in row.errors), row.errors
    with desk.sessions() as s:
        result = resubmission.export(s, [bad, 999_999], tmp_path / "out", user=user)
    assert result.written == ()
    reasons = dict(result.refused)
    assert "not validated (rejected" in reasons[bad] and "no outbound claim" in reasons[999_999]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_export_only_once_unless_again(desk: Desk, tmp_path: Path) -> None:
    with desk.sessions() as s:
        made = resubmission.correct_claim(
            s, pcn="COD26001", corrections=CODING_FIX, user=desk.user()
        )
    first = exported(desk, made.id, tmp_path / "a")
    with desk.sessions() as s:
        refused = resubmission.export(s, [made.id], tmp_path / "b", user=desk.user())
        assert refused.written == () and "already exported" in refused.refused[0][1]
        again = resubmission.export(s, [made.id], tmp_path / "b", user=None, again=True)
        (written,) = again.written
        assert Path(written.path).read_bytes() == first.read_bytes()
        row = resubmission.get_outbound(s, made.id)
        assert row.status is OutboundStatus.EXPORTED and row.exported_path == written.path
        listed = resubmission.list_outbound(s, pcn="COD26001", status="exported")
        assert made.id in [o.id for o in listed]


def test_import_file_gone_rebuilds_from_rows(desk: Desk, tmp_path: Path) -> None:
    """With the 837 moved away the claim is rebuilt from stored rows (and says so); whatever
    the rows lack makes the gate reject it rather than guess."""
    moved = desk.folder / "denied-authorization.837"
    parked = tmp_path / "parked.837"
    moved.rename(parked)
    try:
        with desk.sessions() as s:
            result = resubmission.correct_claim(
                s, pcn="AUT26001", user=desk.user(),
                corrections=Corrections(prior_authorization="SCI-AUTH-0077"),
            )  # fmt: skip
    finally:
        parked.rename(moved)
    assert result.source == "database"
    assert any("rebuilt from the stored rows" in n for n in result.notes)
    if result.status is OutboundStatus.VALIDATED:
        (claim,) = claims_in(Path(exported(desk, result.id, tmp_path)))
        assert claim.ref("G1") == "SCI-AUTH-0077" and claim.frequency == "7"
    else:
        assert result.errors and not result.exportable
