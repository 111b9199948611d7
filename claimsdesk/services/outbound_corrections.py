"""Apply a specialist's corrections to a claim record: the replacement claim (CLM05-3 7).

Pure: records in, record out, with a list of what changed in plain words. Every value is
checked before anything is applied, so a bad correction names the line and the value and
changes nothing. CLM02 is recomputed as the sum of the remaining lines (837 TR3 rule).
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

from claimsdesk.services.outbound_types import BadCorrection, Corrections, LineCorrection
from parsers.records import Diagnosis, Procedure, ServiceLine, SubmittedClaim

REPLACEMENT = "7"  # CLM05-3 replacement of prior claim
PRINCIPAL = ("ABK", "BK")
OTHER = ("ABF", "BF")
MAX_MODIFIERS = 4
MAX_DIAGNOSES = 12
MAX_POINTERS = 4
_PROCEDURE = re.compile(r"^[A-Z0-9]{5}$")  # CPT / HCPCS level II
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
_REVENUE = re.compile(r"^[0-9]{4}$")
_REFERENCE = re.compile(r"^[A-Za-z0-9 \-./]{1,50}$")
_MAX_UNITS = Decimal("99999")


def money(value: Decimal) -> str:
    """Two decimals for messages."""
    return f"{value:.2f}"


def apply_corrections(
    claim: SubmittedClaim, fixes: Corrections, original_reference: str
) -> tuple[SubmittedClaim, list[str]]:
    """The replacement claim and what changed; BadCorrection when a fix cannot apply."""
    if fixes.empty:
        raise BadCorrection(
            "Nothing to correct: a replacement identical to the claim the payer already "
            "adjudicated would be denied as a duplicate."
        )
    changes: list[str] = []
    diagnoses = _diagnoses(claim, fixes, changes)
    lines = _lines(claim, fixes.lines, len([d for d in diagnoses if _is_icd(d)]), changes)
    refs = _refs(claim, fixes, original_reference, changes)
    if not changes:
        raise BadCorrection(
            "The corrections change nothing on the claim: a replacement identical to what the "
            "payer adjudicated would be denied as a duplicate."
        )
    if claim.ref("F8") != original_reference:
        changes.append(f"REF*F8 original payer claim number {original_reference}")
    total = sum((ln.charge for ln in lines), Decimal("0"))
    if total != claim.total_charge:
        changes.append(f"CLM02 total charge {money(claim.total_charge)} -> {money(total)}")
    if claim.frequency != REPLACEMENT:
        changes.append(f"CLM05-3 frequency {claim.frequency or '(none)'} -> 7 (replacement)")
    fixed = dataclasses.replace(
        claim,
        frequency=REPLACEMENT,
        total_charge=total,
        diagnoses=diagnoses,
        lines=lines,
        refs=refs,
    )
    return fixed, changes


def _is_icd(dx: Diagnosis) -> bool:
    return dx.qualifier in PRINCIPAL + OTHER


def _code(text: str, pattern: re.Pattern[str], what: str) -> str:
    code = text.strip().upper().replace(".", "") if what == "diagnosis" else text.strip().upper()
    if not pattern.match(code):
        raise BadCorrection(f"{what} {text!r} is not a valid code.")
    return code


def _diagnoses(
    claim: SubmittedClaim, fixes: Corrections, changes: list[str]
) -> tuple[Diagnosis, ...]:
    """ICD-10 codes replaced or added; other HI qualifiers (DRG, condition ...) kept."""
    icd = [d for d in claim.diagnoses if _is_icd(d)]
    rest = [d for d in claim.diagnoses if not _is_icd(d)]
    codes = [d.code for d in icd]
    if fixes.diagnoses is not None:
        codes = [_code(c, _ICD10, "diagnosis") for c in fixes.diagnoses]
    codes += [_code(c, _ICD10, "diagnosis") for c in fixes.add_diagnoses]
    if not codes:
        raise BadCorrection("A claim needs at least one diagnosis (the principal one).")
    if len(set(codes)) != len(codes):
        raise BadCorrection("A diagnosis code is listed twice.")
    if len(codes) > MAX_DIAGNOSES:
        raise BadCorrection(f"At most {MAX_DIAGNOSES} diagnosis codes fit on the claim.")
    if codes == [d.code for d in icd]:
        return claim.diagnoses
    principal = icd[0].qualifier if icd else "ABK"
    other = "BF" if principal == "BK" else "ABF"
    poa = {d.code: d.present_on_admission for d in icd}
    new = [
        Diagnosis(principal if n == 0 else other, code, poa.get(code, ""))
        for n, code in enumerate(codes)
    ]
    changes.append(f"diagnoses {', '.join(d.code for d in icd)} -> {', '.join(codes)}")
    return (*new, *rest)


def _lines(
    claim: SubmittedClaim, fixes: tuple[LineCorrection, ...], n_dx: int, changes: list[str]
) -> tuple[ServiceLine, ...]:
    by_number: dict[int, LineCorrection] = {}
    for fix in fixes:
        if not 1 <= fix.line <= len(claim.lines):
            raise BadCorrection(
                f"Claim {claim.patient_control_number} has lines 1 to {len(claim.lines)}; "
                f"there is no line {fix.line}."
            )
        if fix.line in by_number:
            raise BadCorrection(f"Line {fix.line} is corrected twice; give one correction.")
        by_number[fix.line] = fix
    out: list[ServiceLine] = []
    for n, line in enumerate(claim.lines, start=1):
        found = by_number.get(n)
        if found is not None and found.remove:
            changes.append(f"line {n} {_label(line)} removed")
            continue
        fixed = _line(line, found, n, claim.kind, changes) if found is not None else line
        _check_pointers(fixed, n, n_dx, claim.kind)
        out.append(fixed)
    if not out:
        raise BadCorrection("Every line would be removed: void the claim instead.")
    return tuple(out)


def _label(line: ServiceLine) -> str:
    proc = line.procedure
    return proc.code if proc is not None else line.revenue_code


def _line(
    line: ServiceLine, fix: LineCorrection, n: int, kind: str, changes: list[str]
) -> ServiceLine:
    """One line with its fixes applied (checked first)."""
    proc = line.procedure
    new_proc = _procedure(proc, fix, n)
    units = line.units
    if fix.units is not None:
        if not Decimal("0") < fix.units <= _MAX_UNITS:
            raise BadCorrection(f"Line {n}: units {fix.units} must be above 0.")
        units = fix.units
    charge = line.charge
    if fix.charge is not None:
        if fix.charge < 0 or fix.charge != fix.charge.quantize(Decimal("0.01")):
            raise BadCorrection(f"Line {n}: charge {fix.charge} must be zero or more, in cents.")
        charge = fix.charge
    pointers = line.diagnosis_pointers
    if fix.diagnosis_pointers is not None:
        if kind != "837P":
            raise BadCorrection(f"Line {n}: diagnosis pointers exist on professional claims only.")
        pointers = tuple(p.strip() for p in fix.diagnosis_pointers)
    revenue = line.revenue_code
    if fix.revenue_code is not None:
        if kind != "837I":
            raise BadCorrection(f"Line {n}: revenue codes exist on institutional claims only.")
        revenue = _code(fix.revenue_code, _REVENUE, "revenue code")
    fixed = dataclasses.replace(
        line, procedure=new_proc, units=units, charge=charge,
        diagnosis_pointers=pointers, revenue_code=revenue,
    )  # fmt: skip
    _describe(line, fixed, n, changes)
    return fixed


def _procedure(proc: Procedure | None, fix: LineCorrection, n: int) -> Procedure | None:
    wants = fix.procedure is not None or fix.modifiers is not None
    if proc is None:
        if wants or fix.add_modifiers or fix.remove_modifiers:
            raise BadCorrection(f"Line {n} has no procedure code to change.")
        return None
    code = _code(fix.procedure, _PROCEDURE, f"line {n} procedure") if fix.procedure else proc.code
    mods = list(proc.modifiers)
    if fix.modifiers is not None:
        mods = [_code(m, _MODIFIER, f"line {n} modifier") for m in fix.modifiers]
    for m in fix.remove_modifiers:
        wanted = m.strip().upper()
        if wanted not in mods:
            raise BadCorrection(f"Line {n} has no modifier {m!r} to remove.")
        mods.remove(wanted)
    for m in fix.add_modifiers:
        mod = _code(m, _MODIFIER, f"line {n} modifier")
        if mod in mods:
            raise BadCorrection(f"Line {n} already has modifier {mod}.")
        mods.append(mod)
    if len(mods) > MAX_MODIFIERS:
        raise BadCorrection(f"Line {n}: at most {MAX_MODIFIERS} modifiers fit on a line.")
    return dataclasses.replace(proc, code=code, modifiers=tuple(mods))


def _check_pointers(line: ServiceLine, n: int, n_dx: int, kind: str) -> None:
    """SV107: 1 to 4 pointers, each to a diagnosis on the claim."""
    if kind != "837P":
        return
    pointers = line.diagnosis_pointers
    if not pointers or len(pointers) > MAX_POINTERS or len(set(pointers)) != len(pointers):
        raise BadCorrection(f"Line {n} needs one to four different diagnosis pointers.")
    for p in pointers:
        if not p.isdigit() or not 1 <= int(p) <= n_dx:
            raise BadCorrection(
                f"Line {n}: diagnosis pointer {p} points to no diagnosis (the claim has {n_dx})."
            )


def _describe(old: ServiceLine, new: ServiceLine, n: int, changes: list[str]) -> None:
    """Plain words for what changed on a line."""

    def proc_text(p: Procedure | None) -> str:
        return "" if p is None else ":".join((p.code, *p.modifiers))

    pairs = (
        ("procedure", proc_text(old.procedure), proc_text(new.procedure)),
        ("units", str(old.units), str(new.units)),
        ("charge", money(old.charge), money(new.charge)),
        ("diagnosis pointers", ",".join(old.diagnosis_pointers),
         ",".join(new.diagnosis_pointers)),
        ("revenue code", old.revenue_code, new.revenue_code),
    )  # fmt: skip
    for what, before, after in pairs:
        if before != after:
            changes.append(f"line {n} {what} {before or '(none)'} -> {after or '(none)'}")


def _refs(
    claim: SubmittedClaim, fixes: Corrections, original_reference: str, changes: list[str]
) -> tuple[tuple[str, str], ...]:
    """REF*F8 set to the payer's claim number; REF*G1 / REF*9F set or removed."""
    refs = [r for r in claim.refs if r[0] != "F8"]
    for qualifier, value, what in (
        ("G1", fixes.prior_authorization, "prior authorization"),
        ("9F", fixes.referral_number, "referral number"),
    ):
        if value is None:
            continue
        before = next((v for q, v in refs if q == qualifier), "")
        refs = [r for r in refs if r[0] != qualifier]
        text = value.strip()
        if text:
            if not _REFERENCE.match(text):
                raise BadCorrection(f"{what} {value!r}: letters, digits, spaces and - . / only.")
            refs.append((qualifier, text))
        if text != before:
            changes.append(f"REF*{qualifier} {what} {before or '(none)'} -> {text or '(removed)'}")
    refs.append(("F8", original_reference))
    return tuple(refs)


__all__ = ["REPLACEMENT", "apply_corrections"]
