"""EOB adjudication lists and items as 835 amounts, CAS adjustments, remarks and SVC lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from parsers.fhir_codes import (
    DATA_ABSENT,
    DEFAULT_ADJUSTMENT,
    JSON,
    PROCEDURE_QUALIFIERS,
    Role,
    as_dict,
    as_list,
    codings,
    currency_of,
    date_of,
    decimal_of,
    first_code,
    has_code,
    money_of,
    reason_codes,
    role_of,
    split_carc,
)
from parsers.records import Adjustment, Procedure, ServicePayment

ZERO = Decimal(0)
CENT = Decimal("0.01")
_REASON_ROLES = (Role.DENIAL_REASON, Role.ADJUSTMENT_REASON, Role.REJECT_REASON)
# Amount roles kept beside the 835 fields under a "fhir:" qualifier (not X12 AMT codes).
_KEPT = (Role.MEMBER_LIABILITY, Role.PAID_TO_PATIENT, Role.BENEFIT)


@dataclass
class Tally:
    """One adjudication (or total) list read: sums by role, adjustments, reasons, remarks."""

    level: str
    sums: dict[Role, Decimal] = field(default_factory=dict)
    extra: list[tuple[str, Decimal]] = field(default_factory=list)
    adjustments: list[Adjustment] = field(default_factory=list)
    pending: list[tuple[str, str]] = field(default_factory=list)  # (group, CARC) with no amount
    remarks: list[str] = field(default_factory=list)  # RARCs
    ncpdp: list[str] = field(default_factory=list)  # NCPDP reject codes
    denied: bool = False  # a denial reason or a "denied" payment status was seen
    allowed_units: Decimal | None = None
    sub_cent: bool = False  # an amount finer than a cent (Synthea writes float noise)
    currencies: set[str] = field(default_factory=set)

    def get(self, role: Role) -> Decimal | None:
        """The summed amount of a role, None when the list has none."""
        return self.sums.get(role)

    def add(self, role: Role, amount: Decimal) -> None:
        """Sum an amount into its role."""
        self.sums[role] = self.sums.get(role, ZERO) + amount

    def kept_amounts(self, used: set[Role]) -> list[tuple[str, Decimal]]:
        """Amounts with no 835 field, as ('fhir:<category>', value), then unmapped categories."""
        out = [(f"fhir:{r.value}", self.sums[r]) for r in _KEPT if r in self.sums and r not in used]
        return out + self.extra


def tally(adjudications: list[JSON], level: str) -> Tally:
    """Read an adjudication or total list into a Tally."""
    out = Tally(level)
    for adj in adjudications:
        _read_one(out, adj)
    return out


def _read_one(out: Tally, adj: JSON) -> None:
    """Fold one adjudication entry into the tally."""
    role, code = role_of(adj.get("category"))
    group, carcs, rarcs, ncpdp = reason_codes(adj.get("reason"))
    out.remarks.extend(r for r in rarcs if r not in out.remarks)
    out.ncpdp.extend(ncpdp)
    if role in (Role.DENIAL_REASON, Role.REJECT_REASON) or has_code(adj.get("reason"), "denied"):
        out.denied = True
    if role is Role.ALLOWED_UNITS:
        out.allowed_units = decimal_of(adj.get("value"))
        return
    amount = money_of(adj.get("amount"))
    if amount is None:
        default = DEFAULT_ADJUSTMENT.get(role, ("", ""))[0]
        out.pending.extend(split_carc(c, group or default) for c in carcs)
        return
    _note_money(out, adj.get("amount"), amount)
    if role in DEFAULT_ADJUSTMENT:
        default_group, default_carc = DEFAULT_ADJUSTMENT[role]
        reason = split_carc(carcs[0], group or default_group) if carcs else None
        grp, carc = reason or (group or default_group, default_carc)
        if amount or reason:  # a zero deductible is no adjustment; a zero with a CARC is kept
            out.adjustments.append(Adjustment(grp, carc, amount, level=out.level))
        out.add(role, amount)
        out.pending.extend(split_carc(c, group or default_group) for c in carcs[1:])
    elif (role in _REASON_ROLES or role is Role.OTHER) and carcs:
        grp, carc = split_carc(carcs[0], group)
        out.adjustments.append(Adjustment(grp, carc, amount, level=out.level))
        out.pending.extend(split_carc(c, group) for c in carcs[1:])
    elif role in _REASON_ROLES or role is Role.OTHER:
        out.extra.append((f"fhir:{code or 'uncoded'}", amount))
    else:
        out.add(role, amount)
        out.pending.extend(split_carc(c, group) for c in carcs)


def _note_money(out: Tally, money: object, amount: Decimal) -> None:
    """Remember currencies and sub-cent amounts for warnings."""
    currency = currency_of(money)
    if currency:
        out.currencies.add(currency)
    if amount != amount.quantize(CENT):
        out.sub_cent = True


def settle_pending(t: Tally, remainder: Decimal) -> list[Adjustment]:
    """Adjustments for reasons sent without an amount: the first takes the unexplained rest."""
    out: list[Adjustment] = []
    known = {(a.group, a.reason) for a in t.adjustments}
    for group, carc in t.pending:
        if remainder:
            out.append(Adjustment(group, carc, remainder, level=t.level))
            remainder = ZERO
        elif (group, carc) not in known:
            out.append(Adjustment(group, carc, ZERO, level=t.level))
        known.add((group, carc))
    return out


def paid_of(t: Tally) -> Decimal | None:
    """Paid to the provider: paidtoprovider, else benefit."""
    paid = t.get(Role.PAID)
    return paid if paid is not None else t.get(Role.BENEFIT)


def procedure_of(item: JSON) -> Procedure:
    """SVC01 from productOrService (with modifiers), else the revenue code as NU."""
    concept = as_dict(item.get("productOrService"))
    modifiers = tuple(m for m in (first_code(c) for c in as_list(item.get("modifier"))) if m)
    for coding in codings(concept):
        system, code = str(coding.get("system", "")), str(coding.get("code", ""))
        if code and system != DATA_ABSENT:
            qualifier = PROCEDURE_QUALIFIERS.get(system, "ZZ")
            description = str(coding.get("display") or concept.get("text") or "")
            return Procedure(qualifier, code, modifiers[:4], description)
    revenue = first_code(item.get("revenue"))
    return Procedure("NU" if revenue else "", revenue, modifiers[:4])


def _charge_of(item: JSON, t: Tally) -> Decimal:
    """SVC02: submitted, else item.net, else unitPrice x quantity (noted as submitted), else 0."""
    submitted = t.get(Role.SUBMITTED)
    if submitted is not None:
        return submitted
    found = money_of(item.get("net"))
    unit = money_of(item.get("unitPrice"))
    quantity = decimal_of(as_dict(item.get("quantity")).get("value"))
    if found is None and unit is not None and quantity is not None:
        found = unit * quantity
    if found is None:
        return ZERO
    t.add(Role.SUBMITTED, found)
    return found


def service_payment(item: JSON, index: int) -> tuple[ServicePayment, Tally]:
    """One EOB item (or addItem) as an 835 service line, with its tally for claim checks."""
    t = tally(as_list(item.get("adjudication")), "line")
    charge = _charge_of(item, t)
    paid = paid_of(t)
    paid = ZERO if paid is None else paid
    adjustments = t.adjustments + settle_pending(
        t, charge - paid - sum((a.amount for a in t.adjustments), ZERO)
    )
    quantity = decimal_of(as_dict(item.get("quantity")).get("value"))
    period = as_dict(item.get("servicedPeriod"))
    allowed = t.get(Role.ALLOWED)
    used = {Role.BENEFIT} if t.get(Role.PAID) is None else set()
    sequence = item.get("sequence")
    units = t.allowed_units if t.allowed_units is not None else quantity
    line = ServicePayment(
        procedure=procedure_of(item),  # SVC01
        charge=charge,  # SVC02
        paid=paid,  # SVC03
        revenue_code=first_code(item.get("revenue")),  # SVC04
        units_paid=units,  # SVC05
        original_units=quantity if t.allowed_units is not None else None,  # SVC07
        service_date=date_of(item.get("servicedDate")),  # DTM*472
        service_start=date_of(period.get("start")),  # DTM*150
        service_end=date_of(period.get("end")),  # DTM*151
        adjustments=tuple(adjustments),  # CAS
        refs=(("fhir:sequence", str(sequence)),) if sequence is not None else (),
        amounts=((("B6", allowed),) if allowed is not None else ()) + tuple(t.kept_amounts(used)),
        remarks=tuple([("HE", r) for r in t.remarks] + [("RX", c) for c in t.ncpdp]),  # LQ
        segment_index=index,
    )
    return line, t
