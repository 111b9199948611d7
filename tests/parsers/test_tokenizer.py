"""The streaming tokenizer: delimiters from the ISA, encodings, whitespace, flat memory."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from parsers.x12 import tokenizer
from parsers.x12.tokenizer import Tokenizer, X12ReadError, parse_isa

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*260105*1200*^*00501*000000101*0*P*:~"
)
BODY = "GS*HP*SENDER*RECEIVER*20260105*1200*101*X*005010X221A1~ST*835*0001~SE*2*0001~GE*1*101~IEA*1*000000101~"


def write(tmp_path: Path, data: bytes | str, name: str = "f.x12") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def ids(path: Path) -> list[str]:
    return [seg[0] for _, seg in Tokenizer(path)]


def test_fixed_width_isa_gives_all_four_delimiters() -> None:
    info = parse_isa(ISA)
    assert (info.delimiters.element, info.delimiters.component) == ("*", ":")
    assert (info.delimiters.repetition, info.delimiters.segment) == ("^", "~")
    assert info.fixed_width and info.length == 106


def test_4010_isa11_is_not_a_repetition_separator() -> None:
    isa_4010 = ISA.replace("*^*00501*", "*U*00401*")
    assert parse_isa(isa_4010).delimiters.repetition is None


def test_non_fixed_width_isa_is_read_by_counting_elements() -> None:
    info = parse_isa("ISA*00* *00* *ZZ*A *ZZ*B *260105*1200*U*00401*000000002*0*P*:~GS*HC")
    assert not info.fixed_width
    assert info.delimiters.segment == "~" and info.delimiters.component == ":"


@pytest.mark.parametrize(
    ("element", "component", "terminator"),
    [("|", "^", "\n"), ("~", "^", "_"), ("*", ":", "\x85"), ("!", ">", "'")],
)
def test_any_delimiters_including_newline(
    tmp_path: Path, element: str, component: str, terminator: str
) -> None:
    text = (ISA + BODY).replace("*", "\x01").replace(":", "\x02").replace("~", "\x03")
    text = text.replace("\x01", element).replace("\x02", component).replace("\x03", terminator)
    assert ids(write(tmp_path, text)) == ["ISA", "GS", "ST", "SE", "GE", "IEA"]


@pytest.mark.parametrize("bom", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_boms_and_utf16(tmp_path: Path, bom: str) -> None:
    data = (ISA + BODY).encode(bom)
    if bom == "utf-16-le":
        data = codecs.BOM_UTF16_LE + data
    assert ids(write(tmp_path, data)) == ["ISA", "GS", "ST", "SE", "GE", "IEA"]


def test_crlf_newlines_and_indentation_between_segments(tmp_path: Path) -> None:
    text = "\r\n  " + (ISA + BODY).replace("~", "~\r\n    ")
    path = write(tmp_path, text)
    segs = list(Tokenizer(path))
    assert [s[0] for _, s in segs] == ["ISA", "GS", "ST", "SE", "GE", "IEA"]
    assert segs[-1] == (6, ["IEA", "1", "000000101"])


def test_segments_split_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokenizer, "CHUNK_CHARS", 7)
    body = "".join(f"REF*EV*{n:05d}~" for n in range(500))
    path = write(tmp_path, ISA + body + "IEA*0*000000101~")
    segs = [seg for _, seg in Tokenizer(path)]
    assert len(segs) == 502
    assert segs[1:501] == [["REF", "EV", f"{n:05d}"] for n in range(500)]


def test_second_interchange_with_other_delimiters(tmp_path: Path) -> None:
    second = (ISA + BODY).replace("*", "|").replace("~", "\n")
    t = Tokenizer(write(tmp_path, ISA + BODY + second))
    assert [s[0] for _, s in t].count("ISA") == 2
    assert t.delimiters is not None and t.delimiters.element == "|"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \r\n ", "empty"),
        (b"GS*HP*X~", "does not start with an ISA"),
        (b"ISA*00*short~", "fewer than 16 elements"),
        (b"ISAA00", "not a usable delimiter"),
    ],
)
def test_unreadable_files_raise_with_reason(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(X12ReadError, match=message):
        list(Tokenizer(write(tmp_path, data)))


def test_non_ascii_bytes_do_not_crash(tmp_path: Path) -> None:
    data = (ISA + "GS*HP*S*R*20260105*1200*1*X*005010X221A1~NM1*QC*1*M\xfcLLER~").encode("latin-1")
    segs = [seg for _, seg in Tokenizer(write(tmp_path, data))]
    assert segs[2][3].startswith("M") and segs[2][3].endswith("LLER")


def test_empty_segment_is_a_warning_with_its_place(tmp_path: Path) -> None:
    t = Tokenizer(write(tmp_path, ISA + BODY.replace("ST*835*0001~", "ST*835*0001~~")))
    assert [s[0] for _, s in t] == ["ISA", "GS", "ST", "SE", "GE", "IEA"]
    (issue,) = t.take_issues()
    assert issue.code == "syntax.empty-segment" and issue.segment_index == 3


def test_non_ascii_and_undecodable_bytes_are_warned(tmp_path: Path) -> None:
    utf8 = (ISA + "NM1*QC*1*M\u00dcLLER~").encode()
    latin1 = (ISA + "NM1*QC*1*M\u00dcLLER~").encode("latin-1")
    t1, t2 = Tokenizer(write(tmp_path, utf8, "a")), Tokenizer(write(tmp_path, latin1, "b"))
    list(t1), list(t2)
    assert "\u00dc" in t1.take_issues()[0].message
    assert "not valid UTF-8" in t2.take_issues()[0].message


def test_newline_separated_segments_under_another_terminator_are_an_error(tmp_path: Path) -> None:
    t = Tokenizer(write(tmp_path, ISA + "GS*HP*S*R\nST*835*0001\nSE*2*0001\n"))
    list(t)
    (issue,) = t.take_issues()
    assert issue.code == "syntax.terminator" and issue.severity.value == "error"
