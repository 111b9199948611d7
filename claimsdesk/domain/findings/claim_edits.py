"""Checks of our own 837 claim before it goes out: code syntax, pointers, totals, dates.

check_claim_before_submit() needs no remittance and no payer rules; the registered rule
runs it on claims the billed payer has not processed yet (or has denied), so a fixed or
paid claim closes the finding.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from claimsdesk.domain.findings.adjudication import PROCESSED, current, filing_deadline
from claimsdesk.domain.findings.draft import (
    FindingDraft,
    FindingKind,
    claim_subject,
    day,
    money,
    total,
)
from claimsdesk.domain.findings.registry import Subject, register
from claimsdesk.domain.views import BilledLineView, ClaimView
from payer_rules import PayerRules

ICD10_CM = re.compile(r"^[A-Z][0-9][0-9A-Z]{1,5}$")
"""ICD-10-CM as X12 carries it: a letter, a digit, then 1-5 letters or digits, no dot."""
PROCEDURE = re.compile(r"^(?:[0-9]{5}|[0-9]{4}[FTU]|[A-V][0-9]{4})$")
"""CPT (5 digits), CPT Category II (####F), III (####T), PLA (####U), HCPCS II (A-V + 4)."""
MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
MAX_POINTERS = 12  # SV107 points into HI (up to 12 diagnoses on an 837P)


class Check:
    """Check ids: the category of the finding and the first of its codes."""

    DIAGNOSIS = "diagnosis_code"
    PROCEDURE = "procedure_code"
    MODIFIER = "modifier"
    POINTER = "diagnosis_pointer"
    TOTAL = "charge_total"
    DATE = "service_date"


CATEGORIES = (
    Check.DIAGNOSIS,
    Check.PROCEDURE,
    Check.MODIFIER,
    Check.POINTER,
    Check.TOTAL,
    Check.DATE,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a claim we send."""

    check: str
    value: str  # the offending code or value
    message: str
    line: BilledLineView | None = None


def check_claim_before_submit(
    claim: ClaimView, rules: PayerRules | None = None, today: dt.date | None = None
) -> list[FindingDraft]:
    """Every syntax and consistency problem of an 837 claim, as findings (no remittance needed)."""
    del today
    deadline = filing_deadline(claim, rules) if rules is not None else None
    return [_draft(claim, problem, deadline) for problem in problems(claim)]


def problems(claim: ClaimView) -> list[Problem]:
    """The problems only: diagnoses, then each line, then the totals."""
    found = [p for code in claim.diagnoses if (p := _diagnosis(code)) is not None]
    for line in claim.lines:
        found.extend(_line_problems(claim, line))
    lines_total = total(line.charge for line in claim.lines)
    if claim.lines and lines_total != claim.charge:
        found.append(
            Problem(
                Check.TOTAL,
                money(lines_total) or "",
                f"line charges add up to {money(lines_total)} but CLM02 is {money(claim.charge)}",
            )
        )
    return found


@lru_cache(maxsize=16_384)
def _diagnosis(code: str) -> Problem | None:
    """ICD-10-CM syntax of one HI code (codes repeat: cached)."""
    value = code.strip().upper()
    if ICD10_CM.match(value):
        return None
    if "." in value and ICD10_CM.match(value.replace(".", "")):
        why = "has a dot: X12 carries ICD-10-CM codes without the decimal point"
    elif value[:1].isdigit():
        why = "is not ICD-10-CM (it starts with a digit: an ICD-9 code?)"
    else:
        why = "is not ICD-10-CM syntax (a letter, a digit, then 1-5 letters or digits)"
    return Problem(Check.DIAGNOSIS, value, f"diagnosis {code!r} {why}")


@lru_cache(maxsize=16_384)
def _codes_ok(procedure: str, modifiers: tuple[str, ...]) -> bool:
    """Procedure and modifier syntax of a line (cached: the same codes recur)."""
    return (not procedure or bool(PROCEDURE.match(procedure))) and all(
        MODIFIER.match(m) for m in modifiers
    )


def _line_ok(claim: ClaimView, line: BilledLineView) -> bool:
    """The common case, checked fast: codes, pointers and dates all fine."""
    count = min(len(claim.diagnoses), MAX_POINTERS)
    if not _codes_ok(line.procedure, line.modifiers):
        return False
    if not all(p.isdigit() and 1 <= int(p) <= count for p in line.diagnosis_pointers):
        return False
    start, end = claim.service_from, claim.service_to
    if start is None or end is None:
        return True
    return all(w is None or start <= w <= end for w in (line.service_date, line.service_date_end))


def _line_problems(claim: ClaimView, line: BilledLineView) -> list[Problem]:
    """Procedure, modifiers, pointers and dates of one billed line."""
    if _line_ok(claim, line):
        return []
    out: list[Problem] = []
    label = f"line {line.line_number}"
    if line.procedure and not PROCEDURE.match(line.procedure):
        out.append(
            Problem(
                Check.PROCEDURE,
                line.procedure,
                f"{label}: procedure {line.procedure!r} is not CPT or HCPCS syntax "
                "(5 digits, 4 digits + F/T/U, or a letter + 4 digits)",
                line,
            )
        )
    out.extend(
        Problem(Check.MODIFIER, m, f"{label}: modifier {m!r} is not 2 letters or digits", line)
        for m in line.modifiers
        if not MODIFIER.match(m)
    )
    out.extend(_pointer_problems(claim, line, label))
    out.extend(_date_problems(claim, line, label))
    return out


def _pointer_problems(claim: ClaimView, line: BilledLineView, label: str) -> list[Problem]:
    """SV107 pointers must name a diagnosis present in HI."""
    out: list[Problem] = []
    count = len(claim.diagnoses)
    for pointer in line.diagnosis_pointers:
        ok = pointer.isdigit() and 1 <= int(pointer) <= min(count, MAX_POINTERS)
        if not ok:
            out.append(
                Problem(
                    Check.POINTER,
                    pointer,
                    f"{label}: diagnosis pointer {pointer!r} points to no diagnosis "
                    f"(the claim has {count})",
                    line,
                )
            )
    return out


def _date_problems(claim: ClaimView, line: BilledLineView, label: str) -> list[Problem]:
    """Line dates must sit inside the claim's statement period."""
    start, end = claim.service_from, claim.service_to
    if start is None or end is None:
        return []
    out: list[Problem] = []
    for when in (line.service_date, line.service_date_end):
        if when is not None and not start <= when <= end:
            out.append(
                Problem(
                    Check.DATE,
                    when.isoformat(),
                    f"{label}: service date {when.isoformat()} is outside the "
                    f"statement period {start.isoformat()} to {end.isoformat()}",
                    line,
                )
            )
    return out


ACTIONS = {
    Check.DIAGNOSIS: "Correct the diagnosis code (ICD-10-CM, no dot) before sending the claim.",
    Check.PROCEDURE: "Correct the procedure code (CPT or HCPCS) before sending the claim.",
    Check.MODIFIER: "Correct the modifier (two letters or digits) before sending the claim.",
    Check.POINTER: "Point the line at a diagnosis listed on the claim (SV107) before sending.",
    Check.TOTAL: "Make CLM02 equal the sum of the line charges before sending the claim.",
    Check.DATE: "Fix the line's date of service or the claim's statement period before sending.",
}


def _draft(claim: ClaimView, problem: Problem, deadline: dt.date | None) -> FindingDraft:
    """One 837 problem as a coding finding."""
    line = problem.line
    return FindingDraft(
        rule="coding.claim_edit",
        kind=FindingKind.CODING,
        category=problem.check,
        subject=claim_subject(
            claim.submitted_claim_id, "", None if line is None else line.claim_line_id
        ),
        amount=claim.charge if line is None else line.charge,
        description=problem.message,
        action=ACTIONS[problem.check],
        submitted_claim_id=claim.submitted_claim_id,
        claim_line_id=None if line is None else line.claim_line_id,
        patient_control_number=claim.patient_control_number,
        payer_key=claim.payer_key,
        payer_name=claim.payer_name,
        codes=(problem.check, problem.value),
        evidence=_evidence(claim, problem),
        deadline=deadline,
    )


def _evidence(claim: ClaimView, problem: Problem) -> dict[str, object]:
    """The 837 values behind a problem."""
    evidence: dict[str, object] = {
        "CLM01": claim.patient_control_number,
        "CLM02": money(claim.charge),
        "HI": list(claim.diagnoses),
        "value": problem.value,
    }
    line = problem.line
    if line is not None:
        code = ":".join((line.procedure, *line.modifiers))
        evidence["LX"] = line.line_number
        evidence["SV1"] = f"{code}*{money(line.charge)}*{':'.join(line.diagnosis_pointers)}"
        evidence["DTP*472"] = day(line.service_date)
    return evidence


@register("coding.claim_edit", FindingKind.CODING, Subject.CLAIM, CATEGORIES)
def claim_edit(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """837 problems on claims the billed payer has not processed (paid or adjusted) yet."""
    payment = current(claim, claim.payer_key, claim.payer_name)
    if payment is not None and payment.status in PROCESSED:
        return []
    return check_claim_before_submit(claim, rules, today)


__all__ = ["CATEGORIES", "Check", "Problem", "check_claim_before_submit", "claim_edit", "problems"]
