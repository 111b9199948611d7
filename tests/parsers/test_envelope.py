"""Envelope checks: counts and control numbers, truncation, strays; policy on counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from parsers.records import Issue, Record, Severity, TransactionEnd, TransactionSet
from parsers.x12.envelope import EnvelopeReader, Segments

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*260105*1200*^*00501*000000101*0*P*:~"
)


def skip_body(ts: TransactionSet, segments: Segments) -> Iterator[Record]:
    for _ in segments:
        pass
    return iter(())


def read(tmp_path: Path, text: str) -> list[Record]:
    path = tmp_path / "f.x12"
    path.write_text(text)
    return list(EnvelopeReader(path, lambda ts: skip_body if ts.set_id == "835" else None))


def issues(records: list[Record]) -> list[tuple[str, str]]:
    return [(r.severity.value, r.code) for r in records if isinstance(r, Issue)]


def body(se_count: str = "4", st02: str = "0001", se02: str = "0001") -> str:
    return f"ST*835*{st02}~BPR*I~TRN*1*X~SE*{se_count}*{se02}~"


def envelope(inner: str, ge: str = "1", iea: str = "1", gs06: str = "7", ge02: str = "7") -> str:
    return (
        ISA
        + f"GS*HP*S*R*20260105*1200*{gs06}*X*005010X221A1~"
        + inner
        + f"GE*{ge}*{ge02}~IEA*{iea}*000000101~"
    )


def test_well_formed_interchange_has_no_issues(tmp_path: Path) -> None:
    recs = read(tmp_path, envelope(body()))
    assert issues(recs) == []
    end = recs[-1]
    assert isinstance(end, TransactionEnd) and end.segment_count == 4
    assert end.transaction.implementation == "005010X221A1"


def test_declaring_more_segments_than_present_is_an_error(tmp_path: Path) -> None:
    assert ("error", "envelope.se-count") in issues(read(tmp_path, envelope(body(se_count="5"))))


def test_declaring_fewer_segments_than_present_is_only_a_warning(tmp_path: Path) -> None:
    assert issues(read(tmp_path, envelope(body(se_count="3")))) == [
        ("warning", "envelope.se-count")
    ]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"ge": "2"}, "envelope.ge-count"),
        ({"iea": "3"}, "envelope.iea-count"),
        ({"ge02": "8"}, "envelope.ge-control"),
    ],
)
def test_group_and_interchange_trailers(tmp_path: Path, kwargs: dict[str, str], code: str) -> None:
    assert ("error", code) in issues(read(tmp_path, envelope(body(), **kwargs)))


def test_se02_must_match_st02(tmp_path: Path) -> None:
    assert ("error", "envelope.se-control") in issues(read(tmp_path, envelope(body(se02="0002"))))


def test_truncated_file_reports_missing_trailers(tmp_path: Path) -> None:
    text = ISA + "GS*HP*S*R*20260105*1200*7*X*005010X221A1~ST*835*0001~BPR*I~"
    codes = issues(read(tmp_path, text))
    assert ("error", "envelope.se-missing") in codes
    assert ("error", "envelope.ge-missing") in codes
    assert ("error", "envelope.iea-missing") in codes


def test_unsupported_transaction_set_is_refused_by_name(tmp_path: Path) -> None:
    recs = read(tmp_path, envelope("ST*277*0001~BHT*0010~SE*3*0001~"))
    errs = [r for r in recs if isinstance(r, Issue) and r.severity is Severity.ERROR]
    assert errs and "277" in errs[0].message and errs[0].segment_id == "ST"


def test_invalid_segment_id_inside_a_transaction(tmp_path: Path) -> None:
    recs = read(tmp_path, envelope("ST*835*0001~BPR*I~N M1*X~SE*4*0001~"))
    err = next(r for r in recs if isinstance(r, Issue))
    assert err.code == "syntax.segment-id" and err.segment_index == 5


def test_strays_are_reported_and_capped(tmp_path: Path) -> None:
    recs = read(tmp_path, envelope(body()) + "REF*X~" * 12)
    strays = [r for r in recs if isinstance(r, Issue) and r.code == "envelope.stray"]
    assert len(strays) == 6 and "7 more" in strays[-1].message


def test_several_groups_and_transactions(tmp_path: Path) -> None:
    inner = body() + body(st02="0002", se02="0002")
    text = (
        envelope(inner, ge="2")
        .replace("IEA*1", "IEA*2")
        .replace("IEA", "GS*HP*S*R*20260105*1200*9*X*005010X221A1~" + body() + "GE*1*9~IEA", 1)
    )
    recs = read(tmp_path, text)
    assert issues(recs) == []
    assert sum(isinstance(r, TransactionEnd) for r in recs) == 3
