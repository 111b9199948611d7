"""An appeal letter's facts, gathered once, then rendered as HTML (Jinja) and PDF (fpdf2).

The facts come from the claim as sent (parties, lines), the payer's answer (amounts, CAS,
remarks, check and date), the finding (the codes appealed, the deadline), payer_rules (the
appeal route, our plain-words meaning of every code) and the specialist (why to pay).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import jinja2

from claimsdesk.services.outbound_source import Adjudication, SourceClaim
from parsers.records import Address, Party, ServiceLine
from payer_rules import AppealMethod, AppealRoute, describe_adjustment, describe_rarc

ZERO = Decimal("0.00")
TEMPLATE = "appeal.html"
LEVELS = {1: "first-level appeal", 2: "second-level appeal", 3: "third-level appeal"}


@dataclass(frozen=True, slots=True)
class CodeText:
    """A code and what it means in plain words."""

    code: str
    meaning: str


@dataclass(frozen=True, slots=True)
class LetterLine:
    """One billed line beside what the payer paid and why."""

    number: str
    service_date: str
    service: str  # procedure:modifiers, or revenue code
    units: str
    billed: Decimal
    paid: Decimal
    codes: tuple[str, ...]  # "CO-197 1,250.00", "N115"


@dataclass(frozen=True, slots=True)
class AppealLetter:
    """Everything an appeal letter says."""

    letter_date: dt.date
    level: int
    provider_name: str
    provider_lines: tuple[str, ...]
    provider_ids: str
    payer_name: str
    recipient_lines: tuple[str, ...]
    delivery: str  # how it is sent
    patient_name: str
    patient_birth_date: dt.date | None
    member_id: str
    pcn: str
    payer_claim_number: str
    service_dates: str
    billed: Decimal
    paid: Decimal
    amount: Decimal  # in dispute
    notice_date: dt.date | None
    trace_number: str
    deadline: dt.date | None
    late: bool
    codes: tuple[CodeText, ...]
    reason_paragraphs: tuple[str, ...]
    lines: tuple[LetterLine, ...]
    signer_name: str
    signer_title: str

    @property
    def subject(self) -> str:
        """The RE: line."""
        kind = LEVELS.get(self.level, f"level {self.level} appeal")
        claim = self.payer_claim_number or self.pcn
        return f"Request for reconsideration ({kind}) of claim {claim}"


# --------------------------------------------------------------------------- facts


def money(value: Decimal | None) -> str:
    """1,250.00 (blank when unknown)."""
    return "" if value is None else f"{value:,.2f}"


def longdate(value: dt.date | None) -> str:
    """June 30, 2026."""
    return "" if value is None else f"{value:%B} {value.day}, {value.year}"


def route_text(route: AppealRoute, payer_name: str) -> tuple[tuple[str, ...], str, str, str]:
    """Recipient lines, how it is sent, the method and where to, from the payer's route."""
    name = route.name or f"{payer_name} Appeals"
    method = route.method.value if route.method is not None else ""
    if route.method is AppealMethod.MAIL:
        label = tuple(route.mailing_label().splitlines()) or (name,)
        extra = f"; or by fax to {route.fax}" if route.fax else ""
        return label, f"By mail{extra}", method, "\n".join(label)
    if route.method is AppealMethod.FAX and route.fax:
        return (name, f"Fax {route.fax}"), f"By fax to {route.fax}", method, f"fax {route.fax}"
    if route.method is AppealMethod.PORTAL and route.portal:
        return (name,), f"Through the payer's portal: {route.portal}", method, route.portal
    if route.method is AppealMethod.ELECTRONIC:
        return (name,), "Electronically, as the payer directs", method, name
    return (name,), "No appeal address on file: check the payer's provider manual", method, name


def _address_lines(address: Address | None) -> tuple[str, ...]:
    if address is None:
        return ()
    last = " ".join(p for p in (f"{address.city},", address.state, _zip(address.postal_code)) if p)
    return tuple(p for p in (address.line1, address.line2, last.strip(", ")) if p)


def _zip(code: str) -> str:
    return f"{code[:5]}-{code[5:]}" if len(code) == 9 and code.isdigit() else code


def provider_heading(billing: Party | None) -> tuple[str, tuple[str, ...], str]:
    """Letterhead: name, address lines, NPI and tax id."""
    if billing is None:
        return "", (), ""
    ids = []
    if billing.identifier:
        ids.append(f"NPI {billing.identifier}")
    tax = billing.ref("EI") or billing.ref("SY")
    if tax:
        ids.append(f"Tax ID {tax}")
    return billing.display_name, _address_lines(billing.address), " | ".join(ids)


def code_texts(codes: Iterable[str], answer: Adjudication) -> tuple[CodeText, ...]:
    """The finding's codes, else every non-patient code on the answer, with meanings."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        wanted = [f"{a.group}-{a.reason}" for a in answer.all_adjustments if a.group != "PR"]
        wanted += list(answer.remarks) + [r for ln in answer.lines for r in ln.remarks]
        wanted = list(dict.fromkeys(wanted))
    out = []
    for code in wanted:
        if "-" in code:
            group, _, reason = code.partition("-")
            meaning = describe_adjustment(group, reason).partition(": ")[2]
        else:
            meaning = describe_rarc(code)
        out.append(CodeText(code, meaning))
    return tuple(out)


def letter_lines(source: SourceClaim, answer: Adjudication) -> tuple[LetterLine, ...]:
    """Billed lines with the payer's paid amount, CAS and remarks on each."""
    paid: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    codes: dict[int | None, list[str]] = defaultdict(list)
    control = {ln.line_control_number: i for ln, i in zip(source.record.lines, source.line_ids,
                                                            strict=True)}  # fmt: skip
    for p in answer.lines:
        key = p.claim_line_id or control.get(p.line_control_number)
        paid[key] += p.paid
        codes[key] += [f"{a.group}-{a.reason} {money(a.amount)}" for a in p.adjustments]
        codes[key] += list(p.remarks)
    out = []
    for n, (line, line_id) in enumerate(zip(source.record.lines, source.line_ids, strict=True), 1):
        out.append(LetterLine(
            line.line_number or str(n), _line_date(line), _service(line),
            format((line.units or Decimal(1)).normalize(), "f"), line.charge,
            paid[line_id] if answer.lines else ZERO, tuple(codes.get(line_id, ())),
        ))  # fmt: skip
    return tuple(out)


def _service(line: ServiceLine) -> str:
    proc = line.procedure
    text = ":".join((proc.code, *proc.modifiers)) if proc is not None else ""
    if line.revenue_code:
        text = f"rev {line.revenue_code} {text}".strip()
    return text


def _line_date(line: ServiceLine) -> str:
    start, end = line.service_date, line.service_date_end
    if start is None:
        return ""
    return start.isoformat() if end in (None, start) else f"{start.isoformat()} to {end}"


def service_dates(source: SourceClaim, answer: Adjudication) -> str:
    """First to last date of service on the claim."""
    days = [d for ln in source.record.lines for d in (ln.service_date, ln.service_date_end) if d]
    days += [ln.service_date for ln in answer.lines if ln.service_date]
    if not days:
        return "see the claim"
    first, last = min(days), max(days)
    return longdate(first) if first == last else f"{longdate(first)} to {longdate(last)}"


def paragraphs(text: str) -> tuple[str, ...]:
    """The specialist's text split on blank lines, each paragraph on one line."""
    blocks = [" ".join(b.split()) for b in text.replace("\r\n", "\n").split("\n\n")]
    return tuple(b for b in blocks if b)


def build_letter(
    source: SourceClaim,
    answer: Adjudication,
    route: AppealRoute,
    *,
    codes: tuple[str, ...],
    amount: Decimal,
    reason: str,
    day: dt.date,
    deadline: dt.date | None,
    late: bool,
    level: int,
    signer: tuple[str, str],  # name, title
) -> AppealLetter:
    """The letter's facts from the claim as sent, the payer's answer and the appeal route."""
    claim = source.record
    name, lines, ids = provider_heading(claim.billing_provider)
    recipient, how, _method, _to = route_text(route, answer.payer_name)
    patient = claim.patient or claim.subscriber
    return AppealLetter(
        day, level, name, lines, ids, answer.payer_name, recipient, how,
        patient.display_name if patient else "", patient.birth_date if patient else None,
        claim.subscriber.identifier if claim.subscriber else "", claim.patient_control_number,
        answer.payer_claim_number, service_dates(source, answer), claim.total_charge,
        answer.paid, amount, answer.payment_date, answer.trace_number, deadline, late,
        code_texts(codes, answer), paragraphs(reason), letter_lines(source, answer), *signer,
    )  # fmt: skip


# --------------------------------------------------------------------------- HTML


@cache
def environment() -> jinja2.Environment:
    """Letter templates, autoescaped, strict about missing values."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("claimsdesk.templates", "letters"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = money
    env.filters["longdate"] = longdate
    return env


def render_html(letter: AppealLetter) -> str:
    """The letter as a standalone HTML page."""
    return environment().get_template(TEMPLATE).render(letter=letter)


__all__ = [
    "AppealLetter",
    "CodeText",
    "LetterLine",
    "build_letter",
    "code_texts",
    "letter_lines",
    "longdate",
    "money",
    "paragraphs",
    "provider_heading",
    "render_html",
    "route_text",
    "service_dates",
]
