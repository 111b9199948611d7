"""Plain, frozen snapshots of a claim and its money that the analysis rules judge.

Rules never touch the database: services load these views in bulk (no query per claim),
rules turn them into findings. All money is Decimal, all codes str.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

ZERO = Decimal("0.00")
T = TypeVar("T")


class MatchStatus(StrEnum):
    """Outcome of matching one claim payment (CLP loop or EOB) to a submitted claim."""

    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    UNMATCHED = "unmatched"


class ClaimState(StrEnum):
    """Where a claim stands; follows the money."""

    BILLED = "billed"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    ZERO_PAID = "zero_paid"
    FORWARDED = "forwarded"  # CLP02 19-21 or NM1*TT: the next payer has it
    AWAITING_SECONDARY = "awaiting_secondary"  # a next payer exists, nothing from it yet
    PATIENT_RESPONSIBILITY = "patient_responsibility"
    CREDIT_BALANCE = "credit_balance"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class AdjustmentView:
    """One CAS triplet as posted: group, CARC, amount, and the line it belongs to."""

    group: str  # CAS01
    reason: str  # CARC
    amount: Decimal
    quantity: Decimal | None = None
    service_payment_id: int | None = None  # None = claim level
    claim_line_id: int | None = None  # the billed line, when matched


@dataclass(frozen=True, slots=True)
class PaidLineView:
    """A service line as the payer paid it (835 loop 2110 / EOB item)."""

    service_payment_id: int
    claim_line_id: int | None  # matched billed line
    procedure: str  # SVC01-2
    modifiers: tuple[str, ...]
    original_procedure: str  # SVC06-2 ('' when not recoded)
    original_modifiers: tuple[str, ...]
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    allowed: Decimal | None  # AMT*B6
    units_paid: Decimal | None  # SVC05
    original_units: Decimal | None  # SVC07
    service_date: dt.date | None
    adjustments: tuple[AdjustmentView, ...] = ()
    remark_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PaymentView:
    """One adjudication of a claim by one payer (a CLP loop or an EOB), with its check."""

    claim_payment_id: int
    remittance_id: int
    import_file_id: int
    payer_key: str  # payer identifier as the remittance gives it
    payer_name: str
    status: str  # CLP02
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal | None  # CLP05
    payer_claim_number: str  # CLP07
    frequency: str  # CLP09
    payment_date: dt.date | None  # BPR16
    trace_number: str  # TRN02
    match_status: MatchStatus
    submitted_claim_id: int | None
    candidate_claim_ids: tuple[int, ...] = ()  # when ambiguous
    crossover_carrier: str = ""  # NM1*TT
    corrected_payer: str = ""  # NM1*PR
    remark_codes: tuple[str, ...] = ()  # MIA/MOA and line LQ
    adjustments: tuple[AdjustmentView, ...] = ()  # claim and line level together
    lines: tuple[PaidLineView, ...] = ()
    statement_start: dt.date | None = None
    statement_end: dt.date | None = None
    patient_control_number: str = ""  # CLP01
    drg_code: str = ""
    balance_warnings: tuple[str, ...] = ()  # balance.* issue codes seen on import


@dataclass(frozen=True, slots=True)
class BilledLineView:
    """A billed service line (837 loop 2400)."""

    claim_line_id: int
    line_number: str
    procedure: str
    modifiers: tuple[str, ...]
    revenue_code: str
    charge: Decimal
    units: Decimal | None
    service_date: dt.date | None
    service_date_end: dt.date | None
    diagnosis_pointers: tuple[str, ...]
    line_control_number: str
    place_of_service: str = ""  # SV105 (837P); '' = the claim's CLM05-1


@dataclass(frozen=True, slots=True)
class OtherCoverageView:
    """Another payer on the claim (2320/2330) or on file for the patient."""

    payer_key: str
    payer_name: str
    payer_responsibility: str  # SBR01 P/S/T
    paid_amount: Decimal | None = None  # AMT*D
    adjudication_date: dt.date | None = None
    on_claim: bool = True  # False = known from another claim/coverage of the patient


@dataclass(frozen=True, slots=True)
class LedgerView:
    """The claim's money to the cent, by kind and by who owes the balance."""

    charges: Decimal = ZERO
    payer_payments: dict[str, Decimal] = field(default_factory=dict)  # payer_key -> paid
    contractual: Decimal = ZERO  # CO
    payer_initiated: Decimal = ZERO  # PI
    other_adjustments: Decimal = ZERO  # OA
    deductible: Decimal = ZERO  # PR-1
    coinsurance: Decimal = ZERO  # PR-2
    copay: Decimal = ZERO  # PR-3
    other_patient: Decimal = ZERO  # other PR
    patient_payments: Decimal = ZERO
    write_offs: Decimal = ZERO
    provider_level: Decimal = ZERO  # PLB naming this claim (interest negative = paid to us)
    balance_by_party: dict[str, Decimal] = field(default_factory=dict)  # payer_key|"patient"
    recouped: Decimal = ZERO  # the non-interest part of provider_level (WO/FB: taken back)
    transferred: Decimal = ZERO  # balance moved to a replacement or next-payer submission

    @property
    def patient_responsibility(self) -> Decimal:
        """PR total from the last payer that adjudicated."""
        return self.deductible + self.coinsurance + self.copay + self.other_patient

    @property
    def balance(self) -> Decimal:
        """What is still owed on the claim by anyone."""
        return sum(self.balance_by_party.values(), ZERO)


@dataclass(frozen=True, slots=True)
class ClaimView:
    """A submitted claim with every adjudication matched to it, its ledger and state."""

    submitted_claim_id: int
    patient_control_number: str  # CLM01
    kind: str  # 837P / 837I
    payer_key: str  # the payer we billed
    payer_name: str
    payer_responsibility: str  # SBR01 P/S/T
    filing_indicator: str  # SBR09
    frequency: str  # CLM05-3
    original_reference: str  # REF*F8
    charge: Decimal  # CLM02
    billed_date: dt.date | None  # BHT04 / file date: when it went out
    service_from: dt.date | None
    service_to: dt.date | None
    diagnoses: tuple[str, ...]  # principal first
    lines: tuple[BilledLineView, ...]
    other_coverages: tuple[OtherCoverageView, ...]  # on the claim (2320) and known for the patient
    payments: tuple[PaymentView, ...]  # chronological (payment date, then import order)
    ledger: LedgerView
    state: ClaimState
    patient_member_id: str = ""
    drg_code: str = ""
    days: int | None = None  # inpatient days (837I), for per-diem contracts
    facility_code: str = ""  # CLM05-1: place of service (837P) or facility type (837I)

    @property
    def last_payment(self) -> PaymentView | None:
        """The latest adjudication, reversals included."""
        return self.payments[-1] if self.payments else None


_UNSET: Any = object()  # a default_factory field left out of a fast maker's call


def fast_maker(cls: type[T]) -> Callable[..., T]:
    """The frozen view's own signature, several times faster to call (bulk loads build
    hundreds of thousands): a frozen __init__ stores each field through object.__setattr__;
    here a plain twin with the same slots is filled, then given the view's class."""
    slots = vars(cls)["__slots__"]
    twin = type(f"_{cls.__name__}Draft", (), {"__slots__": slots})
    env: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls, "_unset": _UNSET}
    params: list[str] = []
    body = ["    _o = _new(_twin)"]
    for n, f in enumerate(dataclasses.fields(cast_any(cls))):
        if f.default_factory is not dataclasses.MISSING:
            env[f"_f{n}"] = f.default_factory
            params.append(f"{f.name}=_unset")
            body.append(f"    _o.{f.name} = _f{n}() if {f.name} is _unset else {f.name}")
            continue
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            env[f"_d{n}"] = f.default
            params.append(f"{f.name}=_d{n}")
        body.append(f"    _o.{f.name} = {f.name}")
    body += ["    _o.__class__ = _cls", "    return _o"]
    exec(f"def make({', '.join(params)}):\n" + "\n".join(body), env)  # as dataclasses do
    made: Callable[..., T] = env["make"]
    return made


def cast_any(value: object) -> Any:
    """dataclasses.fields() wants an instance or a dataclass type; mypy cannot tell."""
    return value


make_adjustment_view = fast_maker(AdjustmentView)
make_paid_line_view = fast_maker(PaidLineView)
make_payment_view = fast_maker(PaymentView)
make_billed_line_view = fast_maker(BilledLineView)
make_other_coverage_view = fast_maker(OtherCoverageView)
make_ledger_view = fast_maker(LedgerView)
make_claim_view = fast_maker(ClaimView)
