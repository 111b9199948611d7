"""Shape services.claim_story's dict for the item and claim pages: one submission's lines as
billed beside as paid, the lines the finding is about, the ledger totals worth showing."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

LEDGER_TOTALS = (
    ("charges", "Charges"),
    ("contractual", "Contractual (CO)"),
    ("payer_initiated", "Payer-initiated (PI)"),
    ("other_adjustments", "Other adjustments (OA)"),
    ("deductible", "Deductible"),
    ("coinsurance", "Coinsurance"),
    ("copay", "Copay"),
    ("other_patient", "Other patient responsibility"),
    ("patient_payments", "Patient payments"),
    ("write_offs", "Write-offs"),
    ("transferred", "Moved to the patient"),
    ("provider_level", "Provider-level (PLB)"),
)
"""Ledger totals in the order the page lists them; zero totals are left out."""


def claim_view(
    story: dict[str, Any] | None, submitted_claim_id: int | None, codes: Sequence[str] = ()
) -> dict[str, Any] | None:
    """The story with one submission picked (the item's, else the latest) and its lines
    marked where an adjustment carries one of the finding's codes."""
    if story is None:
        return None
    subs = story.get("submissions") or []
    chosen = next((s for s in subs if s["submitted_claim_id"] == submitted_claim_id), None)
    if chosen is None and subs:
        chosen = subs[-1]
    wanted = set(codes)
    parties = (chosen or {}).get("ledger", {}).get("balance_by_party", {})
    return {
        "story": story,
        "submission": chosen,
        "others": [s for s in subs if s is not chosen],
        "lines": [_line(ln, wanted) for ln in (chosen or {}).get("lines", [])],
        "totals": _totals(chosen["ledger"]) if chosen else [],
        "payers_paid": (chosen or {}).get("ledger", {}).get("payer_payments", {}),
        "paid_total": _sum((chosen or {}).get("ledger", {}).get("payer_payments", {}).values()),
        "balance": (chosen or {}).get("ledger", {}).get("balance"),
        "by_party": parties,
        "payers_owe": _sum(v for k, v in parties.items() if k != "patient"),
        "patient_owes": _sum(v for k, v in parties.items() if k == "patient"),
        "remittances": story.get("remittances") or [],
        "findings": story.get("findings") or [],
    }


def _line(line: dict[str, Any], wanted: set[str]) -> dict[str, Any]:
    """A billed line with its payments, flagged when the finding's codes hit it."""
    paid = line.get("paid") or []
    hit = any(f"{a['group']}-{a['reason']}" in wanted for p in paid for a in p["adjustments"])
    total = sum((Decimal(p["paid"]) for p in paid if p.get("paid")), Decimal("0.00"))
    recoded = any(p.get("original_procedure") for p in paid) or any(
        p.get("procedure") and p["procedure"] != line.get("procedure") for p in paid
    )
    return {
        **line,
        "paid": paid,
        "hit": hit,
        "paid_total": total,
        "unpaid": not paid,
        "recoded": recoded,
    }


def _totals(ledger: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, amount) of the ledger totals that are not zero, charges always."""
    out = []
    for key, label in LEDGER_TOTALS:
        value = ledger.get(key)
        if key == "charges" or (value not in (None, "0.00", "-0.00")):
            out.append((label, value or "0.00"))
    return out


def _sum(values: Any) -> Decimal:
    """Sum of money strings."""
    return sum((Decimal(v) for v in values if v), Decimal("0.00"))
