"""Appeal letters on the imported scenarios: the letter's facts, PDF, storage, tracking, refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from outboundkit import Desk, pdf_pages, pdf_text
from sqlalchemy import func, select

from claimsdesk.services import appeals
from claimsdesk.services.outbound_types import AppealStatus, BadInput, Refused
from claimsdesk.storage.models.desk import AuditEvent
from claimsdesk.storage.models.outbound import Appeal

AUTH_REASON = (
    "The lumbar MRI was ordered after six weeks of failed conservative therapy.\n\n"
    "Authorization SCI-AUTH-0077 was given by phone on April 10, 2026 <see call log & notes>."
)


def test_authorization_denial_letter(desk: Desk, tmp_path: Path) -> None:
    finding = desk.finding("AUT26001", "denial")
    item = desk.item(finding)
    user = desk.user()
    with desk.sessions() as s:
        result = appeals.file_appeal(
            s, item_id=item, user=user, reason_text=AUTH_REASON, today=dt.date(2026, 5, 12)
        )
    assert result.deadline == dt.date(2026, 6, 30)  # README: 60 days from the 2026-05-01 notice
    assert result.status is AppealStatus.FILED and result.level == 1
    assert (result.method, result.amount) == ("mail", Decimal("1250.00"))
    html = result.html
    for expected in (
        "AUT26001",
        "SCI2604220004",  # CLP07
        "CO-197",
        "Required authorization, precertification or notification is missing",
        "Summit Crest Insurance Appeals",
        "PO Box 00204",
        "Summit Falls, CO 00204",
        "June 30, 2026",
        "DEMOPATIENT, DELTA",
        "SCI300000004",
        "April 13, 2026",
        "1,250.00",
        "CLAIMSDESK DEMO CLINIC",
        "Casey Example",
    ):
        assert expected in html, expected
    assert "&lt;see call log &amp; notes&gt;" in html and "<see call" not in html  # autoescaped
    assert result.pdf_bytes.startswith(b"%PDF")
    text = pdf_text(result.pdf_bytes, tmp_path)
    assert "AUT26001" in text and "SCI2604220004" in text
    assert pdf_pages(result.pdf_bytes) in (1, 2)
    with desk.sessions() as s:
        row = s.get(Appeal, result.id)
        assert row is not None
        assert (row.finding_id, row.work_item_id, row.status) == (finding, item, "filed")
        assert row.created_by == user.username and bytes(row.letter_pdf) == result.pdf_bytes
        html_back, pdf_back = appeals.appeal_documents(s, result.id)
        assert html_back == html and pdf_back == result.pdf_bytes
        event = s.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "appeal.filed", AuditEvent.object_id == str(result.id)
            )
        ).one()
        assert event.username == user.username and event.details["pcn"] == "AUT26001"


def test_medical_necessity_letter(desk: Desk, tmp_path: Path) -> None:
    finding = desk.finding("MNC26001", "denial")
    with desk.sessions() as s:
        result = appeals.file_appeal(
            s,
            finding_id=finding,
            user=desk.user(),
            reason_text="Both tests were ordered for documented symptoms covered by the LCD.",
            today=dt.date(2026, 6, 1),
        )
    html = result.html
    for expected in (
        "CO-50",
        "Payer judged the service not medically necessary",
        "N115",
        "Decision based on a local coverage determination",
        "Synthetic MAC Part B Redeterminations",
        "Attn: Redetermination Unit",
        "Lakeshore City, IL 00101",
        "September 22, 2026",
        "2226126000005",
        "82306",
        "84443",
    ):
        assert expected in html, expected
    assert result.deadline == dt.date(2026, 9, 22)
    text = pdf_text(result.pdf_bytes, tmp_path)
    assert "MNC26001" in text and "N115" in text
    assert pdf_pages(result.pdf_bytes) == 1


def test_due_list_and_answers(desk: Desk) -> None:
    """Filed appeals are on the due list by deadline; a lost appeal opens the next level."""
    finding = desk.finding("TMF26001", "denial")
    user = desk.user()
    with desk.sessions() as s:
        first = appeals.file_appeal(
            s, finding_id=finding, user=user, reason_text="Filed on time: see the clearinghouse "
            "acceptance report of 2026-01-20.", today=dt.date(2026, 6, 1)
        )  # fmt: skip
        due = appeals.appeals_due(s, today=dt.date(2026, 6, 1))
        assert first.id in [a.id for a in due]
        mine = next(a for a in due if a.id == first.id)
        assert first.deadline is not None and mine.deadline == first.deadline
        assert mine.days_left == (first.deadline - dt.date(2026, 6, 1)).days
        deadlines = [a.deadline for a in due if a.deadline is not None]
        assert deadlines == sorted(deadlines)
        with pytest.raises(Refused, match="still filed"):
            appeals.file_appeal(s, finding_id=finding, user=user, reason_text="again",
                                today=dt.date(2026, 6, 2))  # fmt: skip
        appeals.record_response(s, first.id, "responded", user=user, note="asked for records")
        with pytest.raises(BadInput):
            appeals.record_response(s, first.id, "filed", user=user)
        lost = appeals.record_response(s, first.id, "lost", user=user, note="upheld")
        assert lost.status is AppealStatus.LOST and first.id not in [
            a.id for a in appeals.appeals_due(s)
        ]
        second = appeals.file_appeal(s, finding_id=finding, user=user, allow_late=True,
                                     reason_text="Second level: the acceptance report proves "
                                     "timely filing.")  # fmt: skip
        assert second.level == 2 and "second-level appeal" in second.html
        won = appeals.record_response(s, second.id, "won", user=user, recovered=Decimal("180.00"))
        assert won.recovered == Decimal("180.00")
        actions = set(
            s.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.object_type == "appeal",
                    AuditEvent.object_id.in_([str(first.id), str(second.id)]),
                )
            )
        )
        assert actions == {"appeal.filed", "appeal.responded", "appeal.lost", "appeal.won"}


def test_refusals_store_nothing(desk: Desk) -> None:
    user = desk.user()
    missing_info = desk.finding("MIS26001", "denial")  # CO-16 + MA130: no appeal rights
    eligibility = desk.finding("ELG26001", "denial")  # deadline 2026-06-21
    with desk.sessions() as s:
        before = s.scalar(select(func.count()).select_from(Appeal))
        with pytest.raises(Refused, match="MA130"):
            appeals.file_appeal(s, finding_id=missing_info, user=user, reason_text="x")
        with pytest.raises(Refused, match="deadline was 2026-06-21"):
            appeals.file_appeal(s, finding_id=eligibility, user=user, reason_text="x",
                                today=dt.date(2026, 7, 1))  # fmt: skip
        with pytest.raises(BadInput):
            appeals.file_appeal(s, finding_id=eligibility, user=user, reason_text="   ")
        with pytest.raises(Refused, match="no claim"):
            appeals.file_appeal(
                s, finding_id=desk.finding("UNM26001", "remittance.unmatched"), user=user,
                reason_text="x",
            )  # fmt: skip
        assert s.scalar(select(func.count()).select_from(Appeal)) == before


def test_late_appeal_when_allowed(desk: Desk, tmp_path: Path) -> None:
    finding = desk.finding("ELG26001", "denial")
    with desk.sessions() as s:
        result = appeals.file_appeal(
            s, finding_id=finding, user=desk.user(), allow_late=True, today=dt.date(2026, 7, 1),
            reason_text="Coverage was reinstated retroactively to 2026-03-01 (letter enclosed).",
        )  # fmt: skip
    assert result.late and "after the appeal period ended on June 21, 2026" in result.html
    assert "ELG26001" in pdf_text(result.pdf_bytes, tmp_path)
