"""Hot-path element conversions and code sets for the 835 reader.

Dates, procedures and provider names repeat thousands of times in a large remittance, so they
are cached (bounded, so memory stays flat); amounts go straight to Decimal.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from parsers.records import (
    Adjustment,
    Issue,
    Party,
    Procedure,
    Severity,
)
from parsers.x12.record_makers import fast_constructor
from parsers.x12.values import ValueProblem, date8

ZERO = Decimal(0)
HALF_CENT = Decimal("0.005")
CACHE_LIMIT = 4096

GROUPS_5010 = frozenset({"CO", "OA", "PI", "PR"})  # CAS01 in 005010X221A1
GROUPS_4010 = GROUPS_5010 | {"CR"}  # CR correction and reversal, 4010 only
STATUS_5010 = frozenset({"1", "2", "3", "4", "19", "20", "21", "22", "23", "25"})  # CLP02
STATUS_4010 = STATUS_5010 | {"5", "10", "13", "15", "16", "17", "27"}  # 004010X091A1 CLP02
CLAIM_DATES = {"232": "statement_start", "233": "statement_end"}  # DTM01 at loop 2100
CLAIM_DATES.update({"036": "coverage_expiration", "050": "received_date"})
LINE_DATES = {"472": "service_date", "150": "service_start", "151": "service_end"}  # 2110
PARTY_SLOTS = {  # NM101 at loop 2100 -> ClaimPayment field
    "QC": "patient",
    "IL": "insured",
    "74": "corrected_patient",
    "82": "rendering_provider",
    "TT": "crossover_carrier",
    "PR": "corrected_priority_payer",
    "GB": "other_subscriber",
}
_SHARED_PARTIES = frozenset({"82", "TT", "PR"})  # the same provider/payer repeats across claims

_dates: dict[str, dt.date] = {}
_parties: dict[tuple[str, ...], Party] = {}


def amount(text: str) -> Decimal:
    """An R element as Decimal; ValueProblem when empty or not a finite number."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        if not text.strip():
            raise ValueProblem("a required amount is empty") from None
        raise ValueProblem(f"{text!r} is not a number") from None
    if value.is_finite():
        return value
    raise ValueProblem(f"{text!r} is not a number")


def date(text: str) -> dt.date:
    """A CCYYMMDD element as a date, cached; ValueProblem on an impossible date."""
    value = _dates.get(text)
    if value is None:
        if not text.strip():
            raise ValueProblem("a required date is empty")
        value = date8(text)
        if len(_dates) >= CACHE_LIMIT:
            _dates.clear()
        _dates[text] = value
    return value


def procedure(text: str, component: str) -> Procedure:
    """A composite procedure (HC:99213:25:59:XS:XU:description) as a Procedure."""
    parts = text.split(component)
    parts += [""] * (7 - len(parts))
    return Procedure(parts[0], parts[1], tuple(m for m in parts[2:6] if m), parts[6])


def nm1_party(seg: list[str]) -> Party:
    """An NM1 as a Party; providers and payers that repeat are shared."""
    shared = len(seg) > 1 and seg[1] in _SHARED_PARTIES
    key = tuple(seg) if shared else ()
    if shared:
        cached = _parties.get(key)
        if cached is not None:
            return cached
    e = seg + [""] * (10 - len(seg)) if len(seg) < 10 else seg
    party: Party = make_party(
        entity_code=e[1],  # NM101
        entity_type=e[2],  # NM102
        last_or_org_name=e[3],  # NM103
        first_name=e[4],  # NM104
        middle_name=e[5],  # NM105
        suffix=e[7],  # NM107
        id_qualifier=e[8],  # NM108
        identifier=e[9],  # NM109
    )
    if shared:
        if len(_parties) >= CACHE_LIMIT:
            _parties.clear()
        _parties[key] = party
    return party


def pad(seg: list[str], size: int) -> list[str]:
    """The segment with empty elements appended up to size entries (id included)."""
    return seg + [""] * (size - len(seg)) if len(seg) < size else seg


def issue(
    severity: Severity,
    code: str,
    message: str,
    index: int | None,
    seg_id: str | None,
    element: str | None = None,
    claim: str | None = None,
) -> Issue:
    """Shorthand for an Issue with its place."""
    return Issue(severity, code, message, index, seg_id, element, claim)


make_adjustment = fast_constructor(Adjustment)
make_party = fast_constructor(Party)
