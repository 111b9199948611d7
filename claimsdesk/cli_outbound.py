"""Outbound commands: appeal letters, corrected claims, claims to the next payer, 837 export.

Registered by claimsdesk.cli as lazy commands (module claimsdesk.cli_outbound):
  appeal -> appeal, appeals -> appeals, appeal-answer -> appeal_answer, correct -> correct,
  bill-secondary -> bill_secondary, export-837 -> export_837, outbound -> outbound.
Refusals (not appealable, no next payer, bad correction) end as one message and exit 1.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session

from claimsdesk.config import Settings
from claimsdesk.services.outbound_types import (
    Corrections,
    LineCorrection,
    OutboundError,
    OutboundResult,
)


def _settings() -> Settings:
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(Settings) if ctx is not None else None
    return found if found is not None else Settings.from_env()


@contextmanager
def _session() -> Iterator[Session]:
    """A session on the configured database; refusals become clean errors."""
    from claimsdesk.cli import open_engine
    from claimsdesk.storage.db import make_session_factory

    with open_engine(_settings()) as engine, make_session_factory(engine)() as session:
        try:
            yield session
        except OutboundError as exc:
            raise click.ClickException(str(exc)) from None


def _actor(session: Session, username: str | None) -> Any:
    """The active desk user named, or None (the system) when no name is given."""
    if not username:
        return None
    from claimsdesk.services import users

    account = users.find_account(session, username)
    if account is None or not account.active:
        raise click.ClickException(f"no active user named {username!r}")
    return account


def _echo(data: Any, as_json: bool, lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        for line in lines:
            click.echo(line)


def _target(pcn: str | None, finding: int | None, item: int | None, claim: int | None) -> Any:
    given = {k: v for k, v in (("pcn", pcn), ("finding_id", finding), ("item_id", item),
                               ("submitted_claim_id", claim)) if v is not None}  # fmt: skip
    if len(given) != 1:
        raise click.UsageError("Name the claim once: a PCN, --finding, --item or --claim-id.")
    return given


_TARGET_OPTIONS = (
    click.argument("pcn", required=False),
    click.option("--finding", type=int, help="Finding id."),
    click.option("--item", type=int, help="Work item id."),
    click.option("--claim-id", "claim", type=int, help="Submitted claim id (one submission)."),
    click.option("--user", "username", required=True, help="Desk user who acts (audit)."),
    click.option("--json", "as_json", is_flag=True, help="Print JSON."),
)


def _with_target(func: Any) -> Any:
    for option in reversed(_TARGET_OPTIONS):
        func = option(func)
    return func


# --------------------------------------------------------------------------- appeals


@click.command("appeal")
@_with_target
@click.option("--reason", help="Why the claim should be paid (the letter's argument).")
@click.option("--reason-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Letter date (default today).")
@click.option("--late", is_flag=True, help="File even though the deadline has passed.")
def appeal(pcn: str | None, finding: int | None, item: int | None, claim: int | None,
           username: str, as_json: bool, reason: str | None, reason_file: Path | None,
           pdf_path: Path | None, html_path: Path | None, today: dt.datetime | None,
           late: bool) -> None:  # fmt: skip
    """File an appeal: write the letter (HTML and PDF) and track its deadline."""
    from claimsdesk.services.appeals import file_appeal

    text = reason_file.read_text(encoding="utf-8") if reason_file else (reason or "")
    with _session() as session:
        result = file_appeal(session, user=_actor(session, username), reason_text=text,
                             today=today.date() if today else None, allow_late=late,
                             **_target(pcn, finding, item, claim))  # fmt: skip
    if pdf_path is not None:
        pdf_path.write_bytes(result.pdf_bytes)
    if html_path is not None:
        html_path.write_text(result.html, encoding="utf-8")
    data = {k: v for k, v in result.to_dict().items() if k not in ("html", "pdf_bytes")}
    send = result.send_to.replace("\n", ", ")
    _echo(data, as_json, [
        f"appeal {result.id} filed: {result.patient_control_number} to {result.payer_name} "
        f"(level {result.level}, {result.amount:,.2f} in dispute)",
        f"  deadline {result.deadline or 'not known'}; send by {result.method or '?'}: {send}",
        f"  follow up on {result.follow_up_on}",
        *(f"  note: {n}" for n in result.notes),
        *(f"  letter written to {p}" for p in (pdf_path, html_path) if p is not None),
    ])  # fmt: skip


@click.command("appeals")
@click.option("--due", "within", type=int, help="Only those due within DAYS.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def appeals(within: int | None, today: dt.datetime | None, as_json: bool) -> None:
    """Open appeals by deadline: what is due and what to chase."""
    from claimsdesk.services.appeals import appeals_due

    with _session() as session:
        rows = appeals_due(session, today=today.date() if today else None, within_days=within)
    _echo([r.to_dict() for r in rows], as_json, [
        f"{r.id:5}  {r.status.value:9}  {r.patient_control_number:12}  {r.payer_name[:28]:28}  "
        f"{r.amount:10,.2f}  deadline {r.deadline or '-'}  follow-up {r.follow_up_on or '-'}"
        for r in rows
    ] or ["no open appeals"])  # fmt: skip


@click.command("appeal-answer")
@click.argument("appeal_id", type=int)
@click.argument("status", type=click.Choice(["responded", "won", "lost"]))
@click.option("--user", "username", required=True)
@click.option("--note", default="")
@click.option("--recovered", help="What the payer paid on a won appeal.")
def appeal_answer(appeal_id: int, status: str, username: str, note: str,
                  recovered: str | None) -> None:  # fmt: skip
    """Record the payer's answer to an appeal."""
    from claimsdesk.services.appeals import record_response

    amount = _money(recovered) if recovered else None
    with _session() as session:
        actor = _actor(session, username)
        row = record_response(session, appeal_id, status, user=actor, note=note, recovered=amount)
    click.echo(f"appeal {row.id} is now {row.status.value}")


def _money(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise click.BadParameter(f"{text!r} is not an amount") from None


# --------------------------------------------------------------------------- 837s


def _show(result: OutboundResult, as_json: bool) -> None:
    data = {k: v for k, v in result.to_dict().items() if k != "x12_text" or as_json}
    _echo(data, as_json, [
        f"outbound claim {result.id} ({result.kind.value}) for {result.patient_control_number} "
        f"to {result.payer_name}: {result.status.value.upper()}",
        *(f"  change: {c}" for c in result.changes),
        *(f"  note: {n}" for n in result.notes),
        *(f"  error: {e}" for e in result.errors),
        "  export it with: claimsdesk export-837 --out DIR " + str(result.id)
        if result.exportable else "  not exportable until it validates",
    ])  # fmt: skip
    if not result.exportable:
        raise SystemExit(1)


def _pairs(values: tuple[str, ...], what: str) -> list[tuple[int, str]]:
    """LINE:VALUE options."""
    out = []
    for v in values:
        line, sep, rest = v.partition(":")
        if not sep or not line.strip().isdigit():
            raise click.BadParameter(f"{v!r}: write LINE:VALUE, e.g. 1:{what}")
        out.append((int(line), rest.strip()))
    return out


def corrections_from(opts: dict[str, tuple[str, ...]], diagnoses: str | None,
                     add_dx: tuple[str, ...], prior_auth: str | None,
                     referral: str | None) -> Corrections:  # fmt: skip
    """The CLI's LINE:VALUE options as a Corrections value."""
    lines: dict[int, dict[str, Any]] = {}
    split = {"modifiers": True, "pointers": True, "add_modifier": False, "remove_modifier": False}
    for name, values in opts.items():
        for line, value in _pairs(values, "25"):
            fields = lines.setdefault(line, {})
            if name == "procedure":
                fields["procedure"] = value
            elif name in ("units", "charge"):
                fields[name] = _money(value)
            elif name == "remove_line":
                fields["remove"] = True
            elif split.get(name):
                key = "modifiers" if name == "modifiers" else "diagnosis_pointers"
                fields[key] = tuple(p for p in value.split(",") if p)
            else:
                key = f"{name.split('_')[0]}_modifiers"
                fields[key] = (*fields.get(key, ()), value)
    return Corrections(
        lines=tuple(LineCorrection(n, **f) for n, f in sorted(lines.items())),
        diagnoses=tuple(d for d in diagnoses.split(",") if d) if diagnoses is not None else None,
        add_diagnoses=add_dx, prior_authorization=prior_auth, referral_number=referral,
    )  # fmt: skip


@click.command("correct")
@_with_target
@click.option("--procedure", multiple=True, help="LINE:CODE new procedure code.")
@click.option("--modifiers", multiple=True, help="LINE:M1,M2 replace the modifiers.")
@click.option("--add-modifier", multiple=True, help="LINE:MOD add a modifier.")
@click.option("--remove-modifier", multiple=True, help="LINE:MOD remove a modifier.")
@click.option("--units", multiple=True, help="LINE:UNITS.")
@click.option("--charge", multiple=True, help="LINE:AMOUNT (CLM02 is recomputed).")
@click.option("--pointers", multiple=True, help="LINE:1,2 diagnosis pointers (837P).")
@click.option("--remove-line", multiple=True, help="LINE: drop the line.")
@click.option("--diagnoses", help="ICD-10 codes replacing the claim's, principal first: A,B.")
@click.option("--add-diagnosis", multiple=True, help="Another ICD-10 code.")
@click.option("--prior-auth", help="REF*G1 prior authorization ('' removes it).")
@click.option("--referral", help="REF*9F referral number ('' removes it).")
def correct(pcn: str | None, finding: int | None, item: int | None, claim: int | None,
            username: str, as_json: bool, procedure: tuple[str, ...],
            modifiers: tuple[str, ...], add_modifier: tuple[str, ...],
            remove_modifier: tuple[str, ...], units: tuple[str, ...], charge: tuple[str, ...],
            pointers: tuple[str, ...], remove_line: tuple[str, ...], diagnoses: str | None,
            add_diagnosis: tuple[str, ...], prior_auth: str | None,
            referral: str | None) -> None:  # fmt: skip
    """Build a corrected claim (CLM05-3 7, REF*F8 = payer claim number) and validate it."""
    from claimsdesk.services.resubmission import correct_claim

    fixes = corrections_from(
        {"procedure": procedure, "modifiers": modifiers, "add_modifier": add_modifier,
         "remove_modifier": remove_modifier, "units": units, "charge": charge,
         "pointers": pointers, "remove_line": tuple(f"{n}:x" for n in remove_line)},
        diagnoses, add_diagnosis, prior_auth, referral,
    )  # fmt: skip
    with _session() as session:
        result = correct_claim(session, corrections=fixes, user=_actor(session, username),
                               **_target(pcn, finding, item, claim))  # fmt: skip
    _show(result, as_json)


@click.command("bill-secondary")
@_with_target
def bill_secondary(pcn: str | None, finding: int | None, item: int | None, claim: int | None,
                   username: str, as_json: bool) -> None:  # fmt: skip
    """Build the claim to the next payer with this payer's adjudication and validate it."""
    from claimsdesk.services import resubmission

    with _session() as session:
        result = resubmission.bill_secondary(session, user=_actor(session, username),
                                             **_target(pcn, finding, item, claim))  # fmt: skip
    _show(result, as_json)


@click.command("export-837")
@click.argument("ids", nargs=-1, type=int)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--all-validated", is_flag=True, help="Every validated outbound claim.")
@click.option("--again", is_flag=True, help="Write exported ones again too.")
@click.option("--user", "username", help="Desk user who exports (default: the system).")
@click.option("--json", "as_json", is_flag=True)
def export_837(ids: tuple[int, ...], out_dir: Path, all_validated: bool, again: bool,
               username: str | None, as_json: bool) -> None:  # fmt: skip
    """Write validated outbound 837s to DIR (one file each); refuse the rest with the reason."""
    from claimsdesk.services.resubmission import export, list_outbound

    with _session() as session:
        chosen = list(ids)
        if all_validated:
            chosen += [o.id for o in list_outbound(session, status="validated", limit=100_000)]
        if not chosen:
            raise click.UsageError("Give outbound claim ids or --all-validated.")
        result = export(session, chosen, out_dir, user=_actor(session, username), again=again)
    _echo(result.to_dict(), as_json, [
        *(f"written {f.path}" for f in result.written),
        *(f"refused {i}: {why}" for i, why in result.refused),
    ] or ["nothing to export"])  # fmt: skip
    if result.refused:
        raise SystemExit(1)


@click.command("outbound")
@click.option("--status", type=click.Choice(["draft", "validated", "rejected", "exported"]))
@click.option("--pcn")
@click.option("--json", "as_json", is_flag=True)
def outbound(status: str | None, pcn: str | None, as_json: bool) -> None:
    """List outbound claims, newest first."""
    from claimsdesk.services.resubmission import list_outbound

    with _session() as session:
        rows = list_outbound(session, status=status, pcn=pcn)
    _echo([{k: v for k, v in r.to_dict().items() if k != "x12_text"} for r in rows], as_json, [
        f"{r.id:5}  {r.kind.value:9}  {r.status.value:9}  {r.patient_control_number:12}  "
        f"{r.payer_name[:28]:28}  {r.total_charge:10,.2f}  {len(r.errors)} error(s)"
        for r in rows
    ] or ["no outbound claims"])  # fmt: skip


COMMANDS = {
    "appeal": "claimsdesk.cli_outbound:appeal",
    "appeals": "claimsdesk.cli_outbound:appeals",
    "appeal-answer": "claimsdesk.cli_outbound:appeal_answer",
    "correct": "claimsdesk.cli_outbound:correct",
    "bill-secondary": "claimsdesk.cli_outbound:bill_secondary",
    "export-837": "claimsdesk.cli_outbound:export_837",
    "outbound": "claimsdesk.cli_outbound:outbound",
}
"""Entries for claimsdesk.cli.LAZY_COMMANDS."""
