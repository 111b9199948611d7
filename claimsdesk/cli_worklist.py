"""`claimsdesk queues ...`: check the queue file, sync work items, list queues, hand out work.

Registered by claimsdesk.cli as the lazy command "queues" -> claimsdesk.cli_worklist:queues.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.orm import Session

from claimsdesk.config import Settings


def _settings() -> Settings:
    """The main CLI's Settings when it made some, else the environment."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(Settings) if ctx is not None else None
    return found if found is not None else Settings.from_env()


def _day(value: str | None) -> dt.date:
    """--today as a date (default: the real today)."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(
            f"--today must be a date like 2026-11-02, not {value!r}"
        ) from None


@contextmanager
def _session() -> Iterator[Session]:
    """A session on the schema brought to head; refusals and rule problems as clean errors."""
    from claimsdesk.cli import open_engine
    from claimsdesk.services.worklist_types import WorklistError
    from claimsdesk.storage.db import make_session_factory
    from payer_rules import RuleError

    with open_engine(_settings()) as engine, make_session_factory(engine)() as session:
        try:
            yield session
        except WorklistError as exc:
            raise click.ClickException(str(exc)) from None
        except RuleError as exc:
            raise click.ClickException(f"rules cannot be loaded:\n{exc}") from None


def _echo(data: Any, as_json: bool, lines: list[str]) -> None:
    """JSON document or plain lines."""
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for line in lines:
        click.echo(line)


@click.group("queues")
def queues() -> None:
    """Work queues: check queues.toml, sync work items, list queues, hand out the next item."""


@queues.command("check")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), help="Queue file.")
def check(path: str | None) -> None:
    """Check the queue file; exit status 1 when there are problems."""
    from pathlib import Path

    from claimsdesk.domain.findings import FindingKind
    from claimsdesk.services.findings_query import known_categories
    from payer_rules.queues import check_queues

    kinds = [k.value for k in FindingKind]
    problems = check_queues(
        Path(path) if path else None, kinds=kinds, categories=known_categories()
    )
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in the queue file")
    click.echo("queues OK")


@queues.command("sync")
@click.option("--today", metavar="YYYY-MM-DD", help="Score deadlines as of this date.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def sync(today: str | None, as_json: bool) -> None:
    """Create, re-score, move, close and reopen work items from every finding (nightly)."""
    from claimsdesk.services import audit
    from claimsdesk.services.worklist_sync import sync_work_items

    when = _day(today)
    with _session() as session:
        counts = sync_work_items(session, today=when)
        audit.add_event(session, None, "worklist.sync", details={"today": when, **counts.to_dict()})
        session.commit()
    parts = ", ".join(f"{k} {v}" for k, v in counts.to_dict().items())
    _echo({"today": when.isoformat(), **counts.to_dict()}, as_json, [f"work items: {parts}"])


@queues.command("list")
@click.option("--today", metavar="YYYY-MM-DD", help="Age items as of this date.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_command(today: str | None, as_json: bool) -> None:
    """Every queue with its active items, unassigned items, dollars and past-deadline items."""
    from claimsdesk.services.worklist_summary import list_queues

    with _session() as session:
        found = list_queues(session, today=_day(today))
    width = max((len(q.name) for q in found), default=5)
    lines = [f"{'queue'.ljust(width)}  active  unassigned  past due       dollars"]
    lines += [
        f"{q.name.ljust(width)}  {q.active:6}  {q.unassigned:10}  {q.past_deadline:8}  "
        f"{q.dollars:12,.2f}"
        for q in found
    ]
    _echo([q.to_dict() for q in found], as_json, lines)


@queues.command("next")
@click.option("--user", "username", required=True, help="Who takes the item.")
@click.option("--queue", "names", multiple=True, help="Only these queues (default: the user's).")
@click.option("--json", "as_json", is_flag=True, help="Print the item as JSON.")
def next_command(username: str, names: tuple[str, ...], as_json: bool) -> None:
    """Hand the user the highest-priority open item of their queues."""
    from claimsdesk.services import users
    from claimsdesk.services.worklist_next import next_item

    with _session() as session:
        account = users.find_account(session, username)
        if account is None or not account.active:
            raise click.ClickException(f"no active user named {username!r}")
        item = next_item(session, account, queues=names or None)
    if item is None:
        _echo(None, as_json, ["nothing is waiting in your queues"])
        return
    line = (
        f"item {item.id} ({item.queue}, score {item.score}): claim {item.claim}, "
        f"{item.payer_name}, {item.amount:,.2f} {item.category}; {item.description}"
    )
    _echo(item.to_dict(), as_json, [line])


@queues.command("items")
@click.argument("queue")
@click.option("--status", default="active", show_default=True, help="active, all or a status.")
@click.option(
    "--sort",
    default="priority",
    show_default=True,
    help="priority, amount, deadline, age, updated, claim.",
)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON.")
def items(queue: str, status: str, sort: str, page: int, as_json: bool) -> None:
    """One page (50 items) of a queue."""
    from claimsdesk.services.worklist_read import queue_items
    from claimsdesk.services.worklist_types import ItemFilter

    with _session() as session:
        found = queue_items(session, queue, page=page, filters=ItemFilter(status=status), sort=sort)
    lines = [
        f"{r.id:>7}  {r.score:>6}  {r.status:<16} {r.claim:<20} {r.amount:>10,.2f}  "
        f"{r.deadline or ''!s:<10}  {r.assignee or '-'}"
        for r in found.items
    ]
    lines.append(f"page {found.page} of {found.pages}, {found.total} items")
    data = {
        "page": found.page,
        "pages": found.pages,
        "total": found.total,
        "items": [r.to_dict() for r in found.items],
    }
    _echo(data, as_json, lines)


@queues.command("backlog")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def backlog(as_json: bool) -> None:
    """Active items per queue and person (unassigned first), for managers."""
    from claimsdesk.services.worklist_summary import backlog_by_queue_and_user

    with _session() as session:
        rows = backlog_by_queue_and_user(session)
    lines = [
        f"{r.queue:<22} {r.assignee or '(unassigned)':<16} {r.count:6}  {r.dollars:12,.2f}  "
        f"past due {r.past_deadline}"
        for r in rows
    ]
    _echo([r.to_dict() for r in rows], as_json, lines)


@queues.command("teams")
@click.option("--user", "username", required=True, help="Whose teams.")
@click.option("--set", "teams", help="Comma-separated teams to put the user in ('' = none).")
@click.option("--by", "manager", help="Manager making the change (required with --set).")
def teams_command(username: str, teams: str | None, manager: str | None) -> None:
    """Show or set which teams (and so which queues) a user works."""
    from claimsdesk.services import users
    from claimsdesk.services.worklist_teams import set_teams, user_queues, user_teams

    with _session() as session:
        account = users.find_account(session, username)
        if account is None:
            raise click.ClickException(f"no user named {username!r}")
        if teams is not None:
            actor = users.find_account(session, manager or "")
            if actor is None:
                raise click.ClickException("--by must name a manager when --set is given")
            set_teams(session, account.id, teams.split(","), by=actor)
        mine, names = user_teams(session, account.id), user_queues(session, account.id)
    click.echo(
        f"{account.username}: teams {', '.join(mine) or '(none)'}; "
        f"queues {', '.join(names) if names is not None else '(all)'}"
    )


__all__ = ["queues"]
