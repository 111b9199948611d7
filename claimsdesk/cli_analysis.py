"""`claimsdesk analyze` and `claimsdesk findings`: re-run the rules, list what they found.

Registered by claimsdesk.cli (objects `analyze` and `findings`).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import click

from claimsdesk.config import Settings
from payer_rules import Rulebook

KINDS = ("denial", "underpayment", "coding", "cob", "no_response", "remittance")
TABLE = ("claim", "kind", "category", "amount", "deadline", "status", "payer", "codes")


def _day(value: str | None) -> dt.date:
    """--today as a date (default: the real today)."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        message = f"--today must be a date like 2026-11-02, not {value!r}"
        raise click.ClickException(message) from None


def _rulebook() -> Rulebook:
    """The payer rules, or a clean error naming every problem in the rule files."""
    from claimsdesk.services.analysis import default_rulebook
    from payer_rules import RuleError

    try:
        return default_rulebook()
    except RuleError as exc:
        raise click.ClickException(f"payer rules cannot be loaded:\n{exc}") from None


@click.command("analyze")
@click.option(
    "--today", metavar="YYYY-MM-DD", help="Judge clocks as of this date (default: today)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_obj
def analyze(settings: Settings, today: str | None, as_json: bool) -> None:
    """Re-run every finding rule over every claim and payment (nightly, or after a rule change).

    \b
    First matches and posts what `import --no-analysis` left. Findings are upserted by
    fingerprint: running it twice changes nothing the second time; findings no longer
    produced are closed with the reason. Clocks (follow-up, filing and appeal deadlines,
    crossovers) are judged as of --today.
    """
    from claimsdesk.cli import open_engine
    from claimsdesk.services.analysis import analyze_all
    from claimsdesk.storage.db import make_session_factory

    when = _day(today)
    rulebook = _rulebook()
    from claimsdesk.services.worklist_sync import sync_work_items

    with open_engine(settings) as engine, make_session_factory(engine)() as session:
        counts = analyze_all(session, rulebook, when)
        sync_work_items(session, today=when, rulebook=rulebook)  # queues follow the findings
        session.commit()
    if as_json:
        click.echo(json.dumps({"today": when.isoformat(), **counts.to_dict()}, indent=2))
        return
    parts = ", ".join(f"{k} {v}" for k, v in counts.to_dict().items())
    click.echo(f"findings as of {when.isoformat()}: {parts}")


@click.command("findings")
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind of finding.")
@click.option("--category", help="Only this category (eligibility, overpayment, ...).")
@click.option("--payer", help="Payer id (SXBLW) or part of its name.")
@click.option(
    "--status",
    type=click.Choice(("open", "closed", "all")),
    default="open",
    show_default=True,
)
@click.option("--claim", "pcn", metavar="PCN", help="Only this patient control number (CLM01).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@click.pass_obj
def findings(
    settings: Settings,
    kind: str | None,
    category: str | None,
    payer: str | None,
    status: str,
    pcn: str | None,
    as_json: bool,
) -> None:
    """List findings: nearest deadline first, then the most money at stake.

    \b
    Examples:
      claimsdesk findings --kind denial --payer SXBLW
      claimsdesk findings --status all --json > findings.json
    """
    from claimsdesk.cli import open_engine
    from claimsdesk.services.findings_query import FilterError, FindingFilter, list_findings
    from claimsdesk.storage.db import make_session_factory

    wanted = FindingFilter(kind=kind, category=category, payer=payer, status=status, claim=pcn)
    try:
        wanted.check()
    except FilterError as exc:
        raise click.ClickException(str(exc)) from None
    with open_engine(settings) as engine, make_session_factory(engine)() as session:
        items = list_findings(session, wanted)
    if as_json:
        click.echo(json.dumps([item.to_dict() for item in items], indent=2))
        return
    _table([_cells(item.to_dict()) for item in items])
    total = sum((item.amount for item in items), Decimal("0.00"))
    click.echo(f"{len(items)} findings, {total:,.2f} at stake")


def _cells(item: dict[str, object]) -> tuple[str, ...]:
    """One table row."""
    codes = item["codes"]
    assert isinstance(codes, list)
    return (
        str(item["claim"]), str(item["kind"]), str(item["category"]),
        f"{Decimal(str(item['amount'])):,.2f}", str(item["deadline"] or ""),
        str(item["status"]), str(item["payer"]), " ".join(codes),
    )  # fmt: skip


def _table(rows: list[tuple[str, ...]]) -> None:
    """Aligned columns, money right-aligned."""
    if not rows:
        return
    table = [TABLE, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(TABLE))]
    for row in table:
        cells = [
            c.rjust(w) if i == 3 else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        click.echo("  ".join(cells).rstrip())


__all__ = ["analyze", "findings"]
