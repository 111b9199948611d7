"""Golden tests over sample_edi/: every sample file read, compared with its golden JSON.

The scenario files drive the tests of the whole product, so besides the goldens this checks
that scenario files read without errors, that the malformed files are refused or flagged
as sample_edi/README.md says, and that the money in the README table is the money in the files.

Rewrite goldens after a deliberate reader change and review the diff:
    pytest tests/parsers/test_samples_golden.py --update-goldens   (or UPDATE_GOLDENS=1)
"""

from __future__ import annotations

import difflib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from parsers import ReadError, read_file, sniff
from parsers.records import (
    ClaimPayment,
    Issue,
    Record,
    Severity,
    SubmittedClaim,
    to_jsonable,
)

SAMPLES = Path(__file__).resolve().parents[2] / "sample_edi"
GOLDEN = SAMPLES / "golden"
SOURCE_DIRS = ("scenarios", "malformed", "fhir")

# Malformed files that are read with warnings only (policy documented in sample_edi/README.md).
WARN_ONLY = {
    "malformed/se-count-too-low.x12",
    "malformed/empty-segment.x12",
    "malformed/non-ascii-name-utf8.x12",
    "malformed/non-ascii-name-latin1.x12",
}
# Policy once wanted but not implemented; the tokenizer now warns on all of these.
NOT_YET_WARNED: dict[str, str] = {}
# The one scenario whose point is an imbalance, and the issue-code prefix it must raise.
UNBALANCED = {"scenarios/unbalanced-835.835": "balance."}


def sample_files() -> list[Path]:
    """Every sample file under the source folders (docs and hidden files left out)."""
    files: list[Path] = []
    for folder in SOURCE_DIRS:
        root = SAMPLES / folder
        if root.is_dir():
            files.extend(
                p
                for p in root.rglob("*")
                if p.is_file() and not p.name.startswith(".") and p.suffix.lower() != ".md"
            )
    return sorted(files)


def rel(path: Path) -> str:
    """Path relative to sample_edi/, with forward slashes (stable golden keys)."""
    return path.relative_to(SAMPLES).as_posix()


def read_records(path: Path) -> list[Record] | ReadError:
    """All records of a file, or the ReadError that refused it."""
    try:
        return list(read_file(path))
    except ReadError as exc:
        return exc


def as_golden(path: Path) -> dict[str, Any]:
    """What the golden JSON of a sample holds: its format and records, or its read error."""
    out: dict[str, Any] = {"file": rel(path), "format": sniff(path).value}
    result = read_records(path)
    if isinstance(result, ReadError):
        out["read_error"] = {"message": result.message, "segment_index": result.segment_index}
        return out
    out["records"] = [{"record_type": type(r).__name__, **to_jsonable(r)} for r in result]
    return out


def dump(data: dict[str, Any]) -> str:
    """Stable, reviewable JSON text."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def golden_path(path: Path) -> Path:
    """sample_edi/golden/<relative path>.json."""
    return GOLDEN / f"{rel(path)}.json"


FILES = sample_files()


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_sample_matches_golden(path: Path, update_goldens: bool) -> None:
    actual = dump(as_golden(path))
    target = golden_path(path)
    if update_goldens:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != actual:
            target.write_text(actual, encoding="utf-8")
        return
    if not target.exists():
        pytest.fail(f"no golden {target.relative_to(SAMPLES)}: run with --update-goldens")
    expected = target.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "golden", "actual", lineterm="", n=2
        )
        shown = "\n".join(list(diff)[:120])
        pytest.fail(f"{rel(path)} differs from its golden (--update-goldens to accept):\n{shown}")


def test_every_golden_has_a_sample() -> None:
    sources = {f"{rel(p)}.json" for p in FILES}
    stale = sorted(
        g.relative_to(GOLDEN).as_posix()
        for g in GOLDEN.rglob("*.json")
        if g.relative_to(GOLDEN).as_posix() not in sources
    )
    assert not stale, f"goldens without a sample file (delete them): {stale}"


# --------------------------------------------------------------------------- issues


def issues_of(records: list[Record]) -> list[Issue]:
    """Bare issues and the issues attached to claims, trailers and transaction ends."""
    out: list[Issue] = []
    for r in records:
        if isinstance(r, Issue):
            out.append(r)
        else:
            out.extend(getattr(r, "issues", ()))
    return list(dict.fromkeys(out))


SCENARIOS = [p for p in FILES if rel(p).startswith("scenarios/")]
MALFORMED = [p for p in FILES if rel(p).startswith("malformed/")]


@pytest.mark.parametrize("path", SCENARIOS, ids=[rel(p) for p in SCENARIOS])
def test_scenario_reads_clean(path: Path) -> None:
    result = read_records(path)
    assert not isinstance(result, ReadError), str(result)
    issues = issues_of(result)
    prefix = UNBALANCED.get(rel(path))
    if prefix is None:
        assert not issues, [f"{i.code} {i.where()}: {i.message}" for i in issues]
    else:
        assert any(i.code.startswith(prefix) for i in issues), issues


MALFORMED_CASES = [
    pytest.param(
        p,
        id=rel(p),
        marks=[pytest.mark.xfail(strict=True, reason=NOT_YET_WARNED[rel(p)])]
        if rel(p) in NOT_YET_WARNED
        else [],
    )
    for p in MALFORMED
]


@pytest.mark.parametrize("path", MALFORMED_CASES)
def test_malformed_is_refused_or_flagged(path: Path) -> None:
    result = read_records(path)
    if isinstance(result, ReadError):
        assert rel(path) not in WARN_ONLY, f"refused but the policy is to read it: {result}"
        assert result.message
        return
    issues = issues_of(result)
    errors = [i for i in issues if i.severity is Severity.ERROR]
    if rel(path) in WARN_ONLY:
        assert issues and not errors, [f"{i.severity} {i.code}: {i.message}" for i in issues]
    else:
        assert errors, f"{rel(path)} read without any error"
        assert all(i.message for i in errors)


# --------------------------------------------------------------------------- README money

_ROW = re.compile(r"^\|\s*`(?P<scenario>[a-z0-9-]+)`\s*\|(?P<rest>.*)\|\s*$")
_MONEY = re.compile(r"-?\d[\d,]*\.\d\d")


def readme_rows() -> list[dict[str, str]]:
    """Rows of the scenario table: scenario, files, PCN, payer, charge, allowed, paid, PR ..."""
    text = (SAMPLES / "README.md").read_text(encoding="utf-8")
    rows: list[dict[str, str]] = []
    names = ["files", "pcn", "payer", "charge", "allowed", "paid", "patient", "finding"]
    for line in text.splitlines():
        m = _ROW.match(line)
        if m:
            cells = [c.strip() for c in m.group("rest").split("|")]
            rows.append({"scenario": m.group("scenario"), **dict(zip(names, cells, strict=False))})
    return rows


def first_money(cell: str) -> Decimal:
    """The first amount written in a table cell ('96.00 (PR-1 50.00 ...)' gives 96.00)."""
    m = _MONEY.search(cell)
    assert m, f"no amount in {cell!r}"
    return Decimal(m.group(0).replace(",", ""))


def scenario_records(scenario: str) -> list[Record]:
    """Records of every file of a scenario, files in name order (the order of arrival)."""
    out: list[Record] = []
    for p in sorted((SAMPLES / "scenarios").glob(f"{scenario}.*")):
        result = read_records(p)
        assert not isinstance(result, ReadError), str(result)
        out.extend(result)
    return out


def final_adjudication(payments: list[ClaimPayment]) -> ClaimPayment:
    """Last adjudication that sets patient responsibility: not a reversal, not a duplicate."""
    kept = [c for c in payments if c.status != "22" and not is_duplicate_denial(c)]
    return (kept or payments)[-1]


def is_duplicate_denial(claim: ClaimPayment) -> bool:
    """A claim denied only as a duplicate (CARC 18): it says nothing new about the money."""
    reasons = {a.reason for a in claim.all_adjustments if a.amount}
    return reasons == {"18"}


README_ROWS = readme_rows() if (SAMPLES / "README.md").exists() else []


@pytest.mark.parametrize(
    "row", README_ROWS, ids=[f"{r['scenario']}:{r['pcn']}" for r in README_ROWS]
)
def test_readme_money_matches_files(row: dict[str, str]) -> None:
    records = scenario_records(row["scenario"])
    pcn = row["pcn"].strip("`")
    claims = [
        r for r in records if isinstance(r, SubmittedClaim) and r.patient_control_number == pcn
    ]
    payments = [
        r for r in records if isinstance(r, ClaimPayment) and r.patient_control_number == pcn
    ]
    assert payments, f"no 835 claim {pcn} in {row['scenario']}"
    charge = claims[0].total_charge if claims else final_adjudication(payments).charge
    assert charge == first_money(row["charge"]), "charge"
    assert sum((c.paid for c in payments), Decimal(0)) == first_money(row["paid"]), "net paid"
    final = final_adjudication(payments)
    pr = final.patient_responsibility or Decimal(0)
    assert pr == first_money(row["patient"]), "patient responsibility of the last adjudication"
