"""`claimsdesk demo`: one command from a fresh clone to a desk full of realistic work."""

from __future__ import annotations

from pathlib import Path

import click

from claimsdesk.config import Settings

DEMO_PASSWORD = "demo-desk-2026"
DEMO_ACCOUNTS = (
    ("demo", "Demo Specialist", "specialist"),
    ("demo-manager", "Demo Manager", "manager"),
    ("demo-admin", "Demo Admin", "admin"),
)


def _accounts(settings: Settings, password: str) -> list[str]:
    """Create the demo accounts that are missing; existing ones keep their password."""
    from claimsdesk.cli import open_engine
    from claimsdesk.services import users
    from claimsdesk.storage.db import make_session_factory

    made: list[str] = []
    with open_engine(settings) as engine:
        factory = make_session_factory(engine)
        for username, display, role in DEMO_ACCOUNTS:
            with factory() as session:
                if users.find_account(session, username) is None:
                    users.create_user(session, username, display, role, password)
                    made.append(username)
    return made


def _fill_queues(settings: Settings) -> int:
    """Route every open finding to its work queue (the import already analysed each file)."""
    from claimsdesk.cli import open_engine
    from claimsdesk.services.worklist_sync import sync_work_items
    from claimsdesk.storage.db import make_session_factory

    with open_engine(settings) as engine, make_session_factory(engine)() as session:
        counts = sync_work_items(session)
        session.commit()
    return counts.created + counts.reopened


@click.command("demo")
@click.option(
    "--samples",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("sample_edi"),
    show_default=True,
    help="The sample_edi folder; its scenarios/ are imported.",
)
@click.option("--password", default=DEMO_PASSWORD, show_default=True, help="For the demo accounts.")
@click.pass_context
def demo(ctx: click.Context, samples: Path, password: str) -> None:
    """Import the sample scenarios, analyse them, fill the work queues and add demo accounts.

    \b
    Then start the desk with:  CLAIMSDESK_DEMO=1 claimsdesk serve
    """
    from claimsdesk.cli import import_command
    from claimsdesk.services.users import UserError

    settings: Settings = ctx.obj
    paths = tuple(p for p in (samples / "scenarios",) if p.is_dir())
    if not paths:
        raise click.ClickException(f"{samples} has no scenarios/ folder")
    try:
        ctx.invoke(import_command, paths=paths, move_to=None, as_json=False, no_analysis=False)
    except SystemExit as exc:  # import exits 1 when a file was rejected: report and go on
        if exc.code not in (0, None):
            click.echo("some sample files were rejected (see above)", err=True)
    touched = _fill_queues(settings)
    try:
        made = _accounts(settings, password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"\nwork queues filled: {touched} new work items")
    for username, _display, role in DEMO_ACCOUNTS:
        state = "created" if username in made else "already there"
        click.echo(f"account {username:<13} {role:<10} {state}")
    click.echo(
        f"\nStart the desk:  CLAIMSDESK_DEMO=1 claimsdesk serve   then open "
        f"http://127.0.0.1:8000 and sign in as demo / {password}"
    )
