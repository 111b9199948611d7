"""Code systems and value helpers for the FHIR EOB reader: raw JSON in, X12 codes out."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

JSON = dict[str, Any]

CARC_SYSTEM = "https://x12.org/codes/claim-adjustment-reason-codes"
RARC_SYSTEM = "https://x12.org/codes/remittance-advice-remark-codes"
_CARC_TAIL = "claim-adjustment-reason-codes"
_RARC_TAIL = "remittance-advice-remark-codes"
_GROUP_TAIL = "claim-adjustment-group-codes"
NCPDP_REJECT_TAIL = "NCPDPRejectCode"

# CAS01 groups valid in an 835 (CR only in 4010, accepted when a payer sends it).
GROUPS = frozenset({"CO", "OA", "PI", "PR", "CR"})
# CARCs that are the patient's share unless the payer says otherwise (domain-notes.md).
_PR_CARCS = frozenset({"1", "2", "3", "66", "187"})
# CARCs that are "other adjustments" by habit: prior payer impact, duplicate.
_OA_CARCS = frozenset({"23", "18"})
_GROUPED_CODE = re.compile(r"^(CO|OA|PI|PR|CR)[-: ]?([A-Z]?\d+[A-Z]?)$")
_RARC_LIKE = re.compile(r"^(M|MA|N)\d+$")


class Role(StrEnum):
    """What an adjudication or total category means for a remittance."""

    SUBMITTED = "submitted"
    ALLOWED = "allowed"
    PAID = "paidtoprovider"
    BENEFIT = "benefit"
    DEDUCTIBLE = "deductible"
    COINSURANCE = "coinsurance"
    COPAY = "copay"
    NONCOVERED = "noncovered"
    DISCOUNT = "discount"
    PRIOR_PAYER = "priorpayerpaid"
    MEMBER_LIABILITY = "memberliability"
    PAID_BY_PATIENT = "paidbypatient"
    PAID_TO_PATIENT = "paidtopatient"
    DENIAL_REASON = "denialreason"
    ADJUSTMENT_REASON = "adjustmentreason"
    REJECT_REASON = "rejectreason"
    ALLOWED_UNITS = "allowedunits"
    OTHER = "other"


# Category codes (HL7 adjudication, CARIN C4BBAdjudication / discriminator, CMS Blue Button
# variables as used by Synthea; Blue Button URLs are reduced to their last path part).
ROLES: dict[str, Role] = {
    "submitted": Role.SUBMITTED,
    "line_sbmtd_chrg_amt": Role.SUBMITTED,
    "eligible": Role.ALLOWED,
    "line_alowd_chrg_amt": Role.ALLOWED,
    "paidtoprovider": Role.PAID,
    "line_prvdr_pmt_amt": Role.PAID,
    "benefit": Role.BENEFIT,
    "line_nch_pmt_amt": Role.BENEFIT,
    "deductible": Role.DEDUCTIBLE,
    "line_bene_ptb_ddctbl_amt": Role.DEDUCTIBLE,
    "coinsurance": Role.COINSURANCE,
    "line_coinsrnc_amt": Role.COINSURANCE,
    "copay": Role.COPAY,
    "noncovered": Role.NONCOVERED,
    "discount": Role.DISCOUNT,
    "contractual": Role.DISCOUNT,
    "priorpayerpaid": Role.PRIOR_PAYER,
    "line_bene_prmry_pyr_pd_amt": Role.PRIOR_PAYER,
    "memberliability": Role.MEMBER_LIABILITY,
    "paidbypatient": Role.PAID_BY_PATIENT,
    "paidbypatientcash": Role.PAID_BY_PATIENT,
    "paidbypatientother": Role.PAID_BY_PATIENT,
    "paidbypatienthealthaccount": Role.PAID_BY_PATIENT,
    "paidtopatient": Role.PAID_TO_PATIENT,
    "line_bene_pmt_amt": Role.PAID_TO_PATIENT,
    "denialreason": Role.DENIAL_REASON,
    "adjustmentreason": Role.ADJUSTMENT_REASON,
    "rejectreason": Role.REJECT_REASON,
    "allowedunits": Role.ALLOWED_UNITS,
}

# Amount roles that are adjustments by themselves: default CAS01 group and CARC.
DEFAULT_ADJUSTMENT: dict[Role, tuple[str, str]] = {
    Role.DEDUCTIBLE: ("PR", "1"),
    Role.COINSURANCE: ("PR", "2"),
    Role.COPAY: ("PR", "3"),
    Role.NONCOVERED: ("CO", "96"),
    Role.DISCOUNT: ("CO", "45"),
    Role.PRIOR_PAYER: ("OA", "23"),
}

# SVC01-1 product/service id qualifiers by coding system; unknown systems get ZZ.
PROCEDURE_QUALIFIERS: dict[str, str] = {
    "http://www.ama-assn.org/go/cpt": "HC",
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": "HC",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": "HC",
    "urn:oid:2.16.840.1.113883.6.285": "HC",
    "http://hl7.org/fhir/sid/ndc": "N4",
    "http://www.ada.org/cdt": "AD",
    "http://ada.org/cdt": "AD",
    "https://www.nubc.org/CodeSystem/RevenueCodes": "NU",
    "http://www.nubc.org/CodeSystem/RevenueCodes": "NU",
}
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"


def codings(concept: object) -> list[JSON]:
    """The coding list of a CodeableConcept, [] when absent or malformed."""
    if not isinstance(concept, dict):
        return []
    found = concept.get("coding")
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def first_code(concept: object) -> str:
    """The first coding's code of a CodeableConcept, '' when none."""
    return next((str(c["code"]) for c in codings(concept) if c.get("code")), "")


def has_code(concept: object, code: str) -> bool:
    """Whether any coding of the concept carries this code (system ignored)."""
    return any(str(c.get("code", "")) == code for c in codings(concept))


def short_code(code: str) -> str:
    """A category code, Blue Button variable URLs cut to their last path part."""
    return code.rstrip("/").rsplit("/", 1)[-1] if code.startswith("http") else code


def role_of(category: object) -> tuple[Role, str]:
    """Role of an adjudication category, with the short code it was read from."""
    first = ""
    for coding in codings(category):
        code = short_code(str(coding.get("code", "")))
        first = first or code
        if code in ROLES:
            return ROLES[code], code
    return Role.OTHER, first


def is_carc_system(system: str) -> bool:
    """X12 CARC system URL (any scheme or trailing variant)."""
    return system.rstrip("/").endswith(_CARC_TAIL)


def is_rarc_system(system: str) -> bool:
    """X12 (CMS) RARC system URL."""
    return system.rstrip("/").endswith(_RARC_TAIL)


def reason_codes(concept: object) -> tuple[str, list[str], list[str], list[str]]:
    """(explicit group, CARCs, RARCs, NCPDP reject codes) from an adjudication.reason."""
    group, carcs, rarcs, ncpdp = "", [], [], []
    for coding in codings(concept):
        system, code = str(coding.get("system", "")), str(coding.get("code", "")).strip()
        if not code:
            continue
        if system.rstrip("/").endswith(_GROUP_TAIL) and code.upper() in GROUPS:
            group = code.upper()
        elif is_rarc_system(system) or (is_carc_system(system) and _RARC_LIKE.match(code)):
            rarcs.append(code)
        elif is_carc_system(system):
            carcs.append(code)
        elif system.endswith(NCPDP_REJECT_TAIL):
            ncpdp.append(code)
    return group, carcs, rarcs, ncpdp


def split_carc(code: str, default_group: str = "") -> tuple[str, str]:
    """(group, CARC) from '197', 'CO-197' or 'CO197'; group inferred when not given."""
    match = _GROUPED_CODE.match(code.upper())
    if match:
        return match.group(1), match.group(2)
    if default_group:
        return default_group, code
    if code in _PR_CARCS:
        return "PR", code
    return ("OA" if code in _OA_CARCS else "CO"), code


def decimal_of(value: object) -> Decimal | None:
    """A JSON number (parsed as Decimal or int) or numeric string as Decimal; never via float."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


def money_of(money: object) -> Decimal | None:
    """Money.value as Decimal."""
    return decimal_of(money.get("value")) if isinstance(money, dict) else None


def currency_of(money: object) -> str:
    """Money.currency, '' when absent."""
    return str(money.get("currency", "")) if isinstance(money, dict) else ""


def date_of(text: object) -> dt.date | None:
    """The calendar date of a FHIR date/dateTime; None for partial dates (YYYY, YYYY-MM)."""
    if not isinstance(text, str) or len(text) < 10:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def ref_id(reference: str) -> str:
    """Logical id from 'Claim/123', 'http://x/fhir/Claim/123/_history/2', 'urn:uuid:x', '#x'."""
    ref = reference.split("/_history/", 1)[0]
    if ref.startswith("urn:uuid:") or ref.startswith("urn:oid:"):
        return ref[9:] if ref.startswith("urn:uuid:") else ref[8:]
    return ref.lstrip("#").rstrip("/").rsplit("/", 1)[-1]


def as_list(value: object) -> list[JSON]:
    """A JSON array of objects, [] when absent or of another shape."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def as_dict(value: object) -> JSON:
    """A JSON object, {} when absent or of another shape."""
    return value if isinstance(value, dict) else {}


def strings(value: object) -> list[str]:
    """A JSON array of strings, [] when absent or of another shape."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
