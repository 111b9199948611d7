"""validate_file: pyx12 on demand, with the traps it cannot handle caught before it runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import edikit as k
import pytest

from claimsdesk.edi.validate import ValidationReport, validate_file
from claimsdesk.edi.writer import Remittance, balanced_amount, write_835_file, write_837_file

CREATED = dt.datetime(2024, 3, 21, 9, 15)


@pytest.fixture
def good_837(tmp_path: Path) -> Path:
    path = tmp_path / "good.837"
    write_837_file(
        path,
        [k.professional(), k.dependent(), k.secondary()],
        sender="SXSUBMIT01",
        receiver="SXCLEAR01",
        interchange_control=5,
        created=CREATED,
    )
    return path


@pytest.fixture
def good_835(tmp_path: Path) -> Path:
    path = tmp_path / "good.835"
    claims = [k.payment(), k.denial()]
    remittance = Remittance(k.header(balanced_amount(claims)), claims)
    write_835_file(
        path,
        [remittance],
        sender="SXMB1",
        receiver="SXSUBMIT01",
        interchange_control=6,
        created=CREATED,
    )
    return path


def segments(path: Path) -> list[str]:
    return [s.strip() for s in path.read_text().split("~") if s.strip()]


def rewrite(path: Path, segs: list[str], target: Path) -> Path:
    target.write_text("~\n".join(segs) + "~\n")
    return target


def test_a_good_837_is_accepted_with_a_999(good_837: Path) -> None:
    report = validate_file(good_837)
    assert report.ok and report.errors == [] and report.kind == "837P"
    assert "ST*999*" in report.ack_999 and "AK9*A*1*1*1" in report.ack_999
    assert "valid (837P), 0 error(s)" in report.to_text()


def test_a_good_835_has_no_errors_and_says_why_there_is_no_999(good_835: Path) -> None:
    report = validate_file(good_835)
    assert report.ok and report.errors == [] and report.ack_999 == ""
    assert any("no 999 for a 5010 835" in n for n in report.notes)


def test_a_missing_required_element_is_reported_with_its_place(
    good_837: Path, tmp_path: Path
) -> None:
    segs = segments(good_837)
    at = next(n for n, s in enumerate(segs) if s.startswith("NM1*PR*"))
    segs[at] = "NM1*PR*2*MEDICARE PART B SYNTHETIC MAC*****PI"  # NM109 payer id dropped
    report = validate_file(rewrite(good_837, segs, tmp_path / "missing.837"))
    assert not report.ok
    assert "AK9*R" in report.ack_999
    hits = [e for e in report.errors if e.segment_id == "NM1"]
    assert hits and hits[0].segment_index == at + 1
    assert "NM109" in report.to_text() or "NM108" in report.to_text()


def test_an_empty_segment_is_found_although_pyx12_would_stop_there(
    good_837: Path, tmp_path: Path
) -> None:
    segs = segments(good_837)
    segs.insert(20, "")  # '~~': pyx12's reader stops here without a word
    assert segs[-4].startswith("DTP*573*D8*")
    segs[-4] = "DTP*573*D8*20241399"  # an impossible date after the empty segment
    report = validate_file(rewrite(good_837, segs, tmp_path / "empty.837"))
    assert not report.ok
    empty = [e for e in report.errors if "empty segment" in e.problem]
    assert len(empty) == 1 and empty[0].segment_index == 20
    assert any(e.segment_id == "DTP" for e in report.errors), report.to_text()
    assert any("cleaned copy" in n for n in report.notes)


def test_non_ascii_bytes_are_reported_not_raised(good_835: Path, tmp_path: Path) -> None:
    raw = good_835.read_bytes().replace(b"ALDERWICK", "ALDÉRWICK".encode())
    target = tmp_path / "accent.835"
    target.write_bytes(raw)
    report = validate_file(target)
    assert not report.ok
    (bad,) = [e for e in report.errors if "non-ASCII" in e.problem]
    assert bad.segment_id == "NM1" and bad.segment_index is not None and "0xC3" in bad.problem


def test_binary_junk_is_not_given_to_pyx12(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 8)
    report = validate_file(junk)
    assert not report.ok and report.errors
    assert any("not run" in n for n in report.notes)


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"hello, this is not X12 at all\n" * 10, "does not start with an ISA")],
)
def test_files_that_are_not_x12_say_so(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "not.x12"
    path.write_bytes(content)
    report = validate_file(path)
    assert not report.ok and words in report.errors[0].problem


def test_a_missing_file_is_a_report_not_a_traceback(tmp_path: Path) -> None:
    report = validate_file(tmp_path / "nowhere.837")
    assert not report.ok and "cannot be read" in report.errors[0].problem


def test_pyx12_failures_are_caught_and_named(good_837: Path, tmp_path: Path) -> None:
    text = good_837.read_text().replace("005010X222A1", "005010X222A2")  # pyx12 has no such map
    path = tmp_path / "unknown-map.837"
    path.write_text(text)
    report = validate_file(path)
    assert not report.ok
    assert any(n.startswith("pyx12 failed:") and "Map not found" in n for n in report.notes)


def test_leading_blank_lines_are_reported_and_the_rest_still_validated(
    good_837: Path, tmp_path: Path
) -> None:
    path = tmp_path / "lead.837"
    path.write_bytes(b"\xef\xbb\xbf\r\n" + good_837.read_bytes())
    report = validate_file(path)
    assert not report.ok
    assert "before the ISA" in report.errors[0].problem
    assert "AK9*A" in report.ack_999


def test_a_loose_isa_is_reported_and_pyx12_reads_a_re_padded_copy(
    good_837: Path, tmp_path: Path
) -> None:
    text = good_837.read_text().replace("*ZZ*SXSUBMIT01     *", "*ZZ*SXSUBMIT01*", 1)
    path = tmp_path / "loose.837"
    path.write_text(text)
    report = validate_file(path)
    assert not report.ok
    assert report.errors[0].segment_id == "ISA" and "fixed 106" in report.errors[0].problem
    assert "AK9*A" in report.ack_999  # everything after the ISA was still validated


def test_report_text_lists_every_error(tmp_path: Path) -> None:
    report = ValidationReport("x.835", kind="835")
    assert report.to_text().startswith("x.835: NOT valid (835), 0 error(s)")
