"""Denials: a whole claim (CLP02 4) or lines paid zero for a reason other than the contract.

Coding and bundling denials are routed to the coding queue and COB denials ("another payer
is primary") to the COB queue, so each denied dollar is counted once; every other denial
category lands here. A lone CO-45 (paid as contracted) or a patient share is not a denial.
CARC 18 after an earlier adjudication on file is set aside (see adjudication.current).
"""

from __future__ import annotations

import datetime as dt

from claimsdesk.domain.findings.adjudication import (
    DeniedItem,
    current,
    denied_items,
    filing_deadline,
)
from claimsdesk.domain.findings.draft import (
    FindingDraft,
    FindingKind,
    claim_subject,
    day,
    money,
)
from claimsdesk.domain.findings.registry import Subject, register
from claimsdesk.domain.views import ClaimView
from payer_rules import DenialCategory, PayerRules, describe_adjustment, describe_rarc

C = DenialCategory
ROUTED_ELSEWHERE = frozenset({C.CODING, C.BUNDLING, C.COORDINATION_OF_BENEFITS})

ACTIONS: dict[DenialCategory, str] = {
    C.ELIGIBILITY: "Check the patient's coverage for the date of service (270/271 or the "
    "payer portal); bill the payer that covered it, or appeal with proof of coverage.",
    C.AUTHORIZATION: "Find the authorization or referral number: send a corrected claim with "
    "it (REF*G1/9F) or appeal with it; if none was obtained, ask for a retro-authorization.",
    C.MEDICAL_NECESSITY: "Review the records and diagnosis codes against the payer's coverage "
    "policy and appeal with the records; bill the patient only if a signed advance notice "
    "(ABN) is on file.",
    C.TIMELY_FILING: "Find proof of timely filing (clearinghouse acceptance report, earlier "
    "submission) and appeal with it; otherwise write the charge off (never bill the patient).",
    C.DUPLICATE: "The payer calls this a duplicate but no earlier adjudication is on file: "
    "check the payer's claim history; post the original if it was paid, or send a corrected "
    "claim (frequency 7) if the services were distinct.",
    C.MISSING_INFORMATION: "Read the remark codes for what is missing, add it and send a "
    "corrected claim (frequency 7).",
    C.FREQUENCY_LIMITS: "Check the payer's frequency or benefit limit; appeal with records if "
    "the service was needed more often, or bill the patient if an advance notice is on file.",
    C.BUNDLING: "Check the correct-coding edits: if the service was separate and distinct, add "
    "the modifier (59 or XE/XS/XP/XU) and send a corrected claim or appeal; else accept it.",
    C.OTHER: "Read the reason and remark codes, call the payer, then appeal or correct the "
    "claim as the reason requires.",
    C.CODING: "Check the procedure, modifier and diagnosis codes against the documentation; "
    "send a corrected claim (frequency 7), or appeal if the coding was right.",
    C.COORDINATION_OF_BENEFITS: "The payer says another payer pays first: bill the primary "
    "payer, then send this payer the claim with the primary's adjudication (loop 2320).",
}

NO_APPEAL_PREFIX = "Do not appeal"


NOT_DENIALS = frozenset({C.CONTRACTUAL, C.PATIENT_RESPONSIBILITY})
CATEGORIES = tuple(c.value for c in C if c not in ROUTED_ELSEWHERE | NOT_DENIALS)


@register("denial", FindingKind.DENIAL, Subject.CLAIM, CATEGORIES, per_payer=True)
def denial(claim: ClaimView, rules: PayerRules, today: dt.date) -> list[FindingDraft]:
    """Denied claims and zero-paid lines of the payer, one finding per line and category."""
    del today
    payment = current(claim, claim.payer_key, claim.payer_name)
    if payment is None:
        return []
    return [
        denial_draft(claim, item, rules, "denial", FindingKind.DENIAL)
        for item in denied_items(payment, rules)
        if item.category not in ROUTED_ELSEWHERE
    ]


def denial_draft(
    claim: ClaimView,
    item: DeniedItem,
    rules: PayerRules,
    rule: str,
    kind: FindingKind,
    action: str = "",
) -> FindingDraft:
    """A finding for one denied item: plain words, appeal guardrails and the deadline."""
    payment = item.payment
    notice = payment.payment_date
    if item.block_reason is None and notice is not None:
        deadline: dt.date | None = rules.appeal_deadline(notice)
    else:
        deadline = filing_deadline(claim, rules)
    line = item.line
    subject = claim_subject(
        claim.submitted_claim_id,
        payment.payer_key,
        None if line is None else (line.claim_line_id or f"svc{line.service_payment_id}"),
    )
    return FindingDraft(
        rule=rule,
        kind=kind,
        category=item.category.value,
        subject=subject,
        amount=item.amount,
        description=describe_denial(claim, item),
        action=suggest(item, action or ACTIONS[item.category], rules),
        submitted_claim_id=claim.submitted_claim_id,
        claim_line_id=None if line is None else line.claim_line_id,
        claim_payment_id=payment.claim_payment_id,
        patient_control_number=claim.patient_control_number,
        payer_key=payment.payer_key,
        payer_name=payment.payer_name,
        codes=item.codes,
        evidence={**denial_evidence(item, deadline), **billed_line(claim, item)},
        deadline=deadline,
    )


def billed_line(claim: ClaimView, item: DeniedItem) -> dict[str, object]:
    """The 837 line the denied line paid (when matched), as evidence."""
    wanted = None if item.line is None else item.line.claim_line_id
    line = next((ln for ln in claim.lines if ln.claim_line_id == wanted), None)
    if line is None:
        return {}
    code = ":".join((line.procedure or line.revenue_code, *line.modifiers))
    units = "" if line.units is None else format(line.units.normalize(), "f")
    return {"837": f"LX*{line.line_number} {code} {money(line.charge)} x{units}",
            "DTP*472": day(line.service_date)}  # fmt: skip


def describe_denial(claim: ClaimView, item: DeniedItem) -> str:
    """'BLUEWATER denied line 2 (99213) ...: CO-197: ...; N54: ...'."""
    what = "the whole claim" if item.line is None else f"line {_line_label(item)}"
    reasons = [describe_adjustment(a.group, a.reason) for a in item.adjustments]
    reasons += [f"{r}: {describe_rarc(r)}" for r in item.remarks]
    label = item.category.value.replace("_", " ")
    unique = list(dict.fromkeys(reasons))
    return f"{item.payment.payer_name or claim.payer_name} denied {what} ({label}): " + "; ".join(
        unique
    )


def _line_label(item: DeniedItem) -> str:
    """Procedure and charge of a denied line."""
    line = item.line
    assert line is not None
    mods = ":".join(line.modifiers)
    code = f"{line.procedure}:{mods}" if mods else line.procedure
    return f"{code} charged {money(line.charge)}"


def suggest(item: DeniedItem, action: str, rules: PayerRules) -> str:
    """The category's next step, turned into correct-and-resubmit when appeals are blocked."""
    if item.block_reason is not None:
        return f"{NO_APPEAL_PREFIX}: {item.block_reason}. {action}"
    route = rules.appeal.method
    if route is None:
        return action
    where = rules.appeal.fax or rules.appeal.portal or rules.appeal.name
    return f"{action} Appeal by {route.value}{f' ({where})' if where else ''}."


def denial_evidence(item: DeniedItem, deadline: dt.date | None) -> dict[str, object]:
    """The segments and values that justify a denial finding."""
    payment = item.payment
    evidence: dict[str, object] = {
        "CLP01": payment.patient_control_number,
        "CLP02": payment.status,
        "CLP03": money(payment.charge),
        "CLP04": money(payment.paid),
        "CLP07": payment.payer_claim_number,
        "TRN02": payment.trace_number,
        "BPR16": day(payment.payment_date),
        "CAS": [f"CAS*{a.group}*{a.reason}*{money(a.amount)}" for a in item.adjustments],
        "remarks": list(item.remarks),
        "appealable": item.block_reason is None,
        "deadline": day(deadline),
    }
    if item.line is not None:
        line = item.line
        evidence["SVC"] = f"SVC*HC:{line.procedure}*{money(line.charge)}*{money(line.paid)}"
    return evidence


__all__ = ["ACTIONS", "denial", "denial_draft", "describe_denial", "suggest"]
