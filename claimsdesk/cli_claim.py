"""`claimsdesk claim PCN [--json]`: a claim's whole story. Registered by claimsdesk.cli as the
object `claim` (module claimsdesk.cli_claim)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import click

from claimsdesk.config import Settings


def _settings() -> Settings:
    """The group's Settings when the main CLI put one on the context, else the environment."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(Settings) if ctx is not None else None
    return found if found is not None else Settings.from_env()


@click.command("claim")
@click.argument("pcn")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (money as text).")
def claim(pcn: str, as_json: bool) -> None:
    """Show everything about one patient control number (CLM01 / CLP01).

    \b
    Submissions (original, replacements, claims to later payers), remittances (check or EFT,
    date, payer, how each was matched), lines as billed beside as paid, adjustments and
    remarks with their meaning, each submission's ledger and balance by party, its state,
    and findings. Exits 1 when nothing has this PCN.
    """
    from claimsdesk.cli import open_engine
    from claimsdesk.services.claim_story import claim_story
    from claimsdesk.storage.db import make_session_factory

    with open_engine(_settings()) as engine, make_session_factory(engine)() as session:
        story = claim_story(session, pcn)
    if story is None:
        raise click.ClickException(f"no claim or remittance has patient control number {pcn!r}")
    if as_json:
        click.echo(json.dumps(story, indent=2))
        return
    for line in render(story):
        click.echo(line)


def render(story: dict[str, Any]) -> Iterator[str]:
    """The story as plain text for a billing specialist."""
    yield f"Claim {story['claim']}: {story['state'].replace('_', ' ')}"
    for sub in story["submissions"]:
        yield from _submission(sub)
    yield ""
    yield "Remittances:" if story["remittances"] else "Remittances: none yet"
    for rem in story["remittances"]:
        yield from _remittance(rem)
    yield ""
    findings = story["findings"]
    if findings is None:
        yield "Findings: not available (no findings table in this database)"
        return
    yield f"Findings: {len(findings)}" if findings else "Findings: none"
    for f in findings:
        due = f" due {f['deadline']}" if f.get("deadline") else ""
        codes = ",".join(f.get("codes") or [])
        yield (f"  [{f['status']}] {f['kind']}/{f['category']} {f['amount']}{due} {codes}: "
               f"{f.get('action', '')}")  # fmt: skip


def _submission(sub: dict[str, Any]) -> Iterator[str]:
    ref = f", replaces {sub['original_reference']}" if sub["original_reference"] else ""
    dates = sub["service_from"] or "?"
    if sub["service_to"] and sub["service_to"] != sub["service_from"]:
        dates += f" to {sub['service_to']}"
    yield ""
    yield (f"Submission #{sub['submitted_claim_id']} {sub['kind']} {sub['frequency_meaning']}"
           f" (CLM05-3 {sub['frequency']}{ref}), billed {sub['billed_on']} to {sub['payer']}"
           f" ({sub['payer_key']}) as {sub['payer_responsibility']}")  # fmt: skip
    yield f"  charge {sub['charge']}, service {dates}, state {sub['state'].replace('_', ' ')}"
    for cov in sub["other_coverages"]:
        where = "on the claim" if cov["on_claim"] else "on file for the patient"
        yield f"  other coverage {cov['payer_key']} as {cov['responsibility']} ({where})"
    yield "  Lines (billed | paid):"
    for line in sub["lines"]:
        yield from _line(line)
    yield from _ledger(sub["ledger"])


def _line(line: dict[str, Any]) -> Iterator[str]:
    mods = ":".join(line.get("modifiers") or [])
    code = line["procedure"] + (f":{mods}" if mods else "")
    yield (f"    {line['line_number']:>3} {code or line.get('revenue_code', '')}"
           f" x{line.get('units') or '?'} {line.get('charge') or ''}"
           f" on {line.get('service_date')}")  # fmt: skip
    for paid in line["paid"]:
        recoded = f" (billed {paid['original_procedure']})" if paid["original_procedure"] else ""
        allowed = f" allowed {paid['allowed']}" if paid["allowed"] else ""
        yield (f"        | {paid['payer_key']} CLP02 {paid['status']}: {paid['procedure']}"
               f"{recoded} paid {paid['paid']}{allowed}")  # fmt: skip
        for adj in paid["adjustments"]:
            yield f"        |   {adj['amount']:>9} {adj['meaning']}"
        for remark in paid["remarks"]:
            yield f"        |   {remark['code']}: {remark['meaning']}"


def _ledger(ledger: dict[str, Any]) -> Iterator[str]:
    yield "  Ledger:"
    for e in ledger["entries"]:
        yield (f"    {e['posted_on'] or '':10} {e['kind']:17} {e['party']:12}"
               f" {e['amount']:>10}  {e['detail']}")  # fmt: skip
    paid = ", ".join(f"{k} {v}" for k, v in ledger["payer_payments"].items()) or "none"
    yield (f"  Totals: charges {ledger['charges']}; paid {paid}; CO {ledger['contractual']},"
           f" PI {ledger['payer_initiated']}, OA {ledger['other_adjustments']}; patient share"
           f" deductible {ledger['deductible']}, coinsurance {ledger['coinsurance']}, copay"
           f" {ledger['copay']}, other {ledger['other_patient']}; patient paid"
           f" {ledger['patient_payments']}; written off {ledger['write_offs']}; PLB"
           f" {ledger['provider_level']}; transferred {ledger['transferred']}")  # fmt: skip
    owed = ", ".join(f"{k} {v}" for k, v in ledger["balance_by_party"].items()) or "nobody"
    yield f"  Balance {ledger['balance']}: {owed}"


def _remittance(rem: dict[str, Any]) -> Iterator[str]:
    target = (f"claim #{rem['submitted_claim_id']} ({rem['match_method']})"
              if rem["submitted_claim_id"] else rem["match"])  # fmt: skip
    if rem["candidates"]:
        target += " between #" + ", #".join(str(c) for c in rem["candidates"])
    yield (f"  {rem['payment_date']} {rem['payment_method']} {rem['trace_number']}"
           f" ({rem['check_amount']}) {rem['payer']} ({rem['payer_key']}): CLP02 {rem['status']}"
           f" {rem['status_meaning']}; charge {rem['charge']}, paid {rem['paid']}, patient"
           f" {rem['patient_responsibility'] or '-'}; CLP07 {rem['payer_claim_number']};"
           f" matched to {target}")  # fmt: skip
    if rem["crossover_carrier"]:
        yield f"    forwarded to {rem['crossover_carrier']}"
    for adj in rem["adjustments"]:
        if adj["level"] == "claim":
            yield f"    {adj['amount']:>9} {adj['meaning']}"
    for remark in rem["remarks"]:
        yield f"    {remark['code']}: {remark['meaning']}"
    for warning in rem["balance_warnings"]:
        yield f"    warning: {warning}"
