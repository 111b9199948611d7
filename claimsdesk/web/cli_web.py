"""Desk commands for claimsdesk/cli.py to register: `users ...` and `serve`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from claimsdesk.config import Settings
from claimsdesk.services import users
from claimsdesk.services.users import Account, Role, UserError
from claimsdesk.web.settings import WebConfigError, WebSettings

ROLE_CHOICE = click.Choice([r.value for r in Role], case_sensitive=False)


def _settings() -> Settings:
    """The group's Settings when the main CLI put one on the context, else the environment."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(Settings) if ctx is not None else None
    return found if found is not None else Settings.from_env()


@contextmanager
def _session() -> Iterator[Session]:
    """A session on the schema brought to head (as `import` does); faults as clean errors."""
    from claimsdesk.cli import open_engine

    with open_engine(_settings()) as engine, Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        except UserError as exc:
            raise click.ClickException(str(exc)) from None


def _read_password(from_stdin: bool, prompt: str = "Password") -> str:
    """First line of stdin (for scripts) or a hidden prompt asked twice."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise click.ClickException("--password-stdin given but stdin is empty")
        return line.rstrip("\r\n")
    value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return value


def _find(session: Session, username: str) -> Account:
    account = users.find_account(session, username)
    if account is None:
        raise click.ClickException(f"no user named {username!r}")
    return account


@click.group("users")
def users_group() -> None:
    """Desk accounts: add, list, change role, deactivate, reset password, issue tokens."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", type=ROLE_CHOICE, required=True, help="specialist, manager or admin")
@click.option("--display-name", default="", help="Name shown on the desk (default: username)")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin's first line")
def add_user(username: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Add a desk user (the first admin is made this way)."""
    password = _read_password(password_stdin)
    with _session() as session:
        account = users.create_user(
            session, username, display_name or username, role.lower(), password
        )
    click.echo(f"added {account.username} ({account.role.value}), id {account.id}")


@users_group.command("list")
def list_users() -> None:
    """Every account with role and status."""
    with _session() as session:
        accounts = users.list_accounts(session)
    for a in accounts:
        state = "active" if a.active else "deactivated"
        click.echo(f"{a.id:>5}  {a.username:<24} {a.role.value:<10} {state:<11} {a.display_name}")


@users_group.command("set-role")
@click.argument("username")
@click.argument("role", type=ROLE_CHOICE)
def set_role(username: str, role: str) -> None:
    """Change a user's role (their open sessions end)."""
    with _session() as session:
        account = users.set_role(session, _find(session, username).id, role.lower(), actor=None)
    click.echo(f"{account.username} is now {account.role.value}")


@users_group.command("deactivate")
@click.argument("username")
def deactivate(username: str) -> None:
    """Stop a user signing in; their history stays."""
    with _session() as session:
        account = users.deactivate(session, _find(session, username).id, actor=None)
    click.echo(f"{account.username} is deactivated")


@users_group.command("reactivate")
@click.argument("username")
def reactivate(username: str) -> None:
    """Let a deactivated user sign in again."""
    with _session() as session:
        account = users.reactivate(session, _find(session, username).id, actor=None)
    click.echo(f"{account.username} is active")


@users_group.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin's first line")
def reset_password(username: str, password_stdin: bool) -> None:
    """Set a new password (their open sessions end)."""
    password = _read_password(password_stdin, "New password")
    with _session() as session:
        account = users.change_password(session, _find(session, username).id, password, actor=None)
    click.echo(f"password reset for {account.username}")


@users_group.command("issue-token")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. 'nightly import'")
def issue_token(username: str, name: str) -> None:
    """Print a new API token once; only its hash is kept."""
    with _session() as session:
        secret, info = users.issue_token(session, _find(session, username).id, name, actor=None)
    click.echo(secret)
    click.echo(f"token {info.id} ({info.name}) for {username}: store it now", err=True)


def _web_settings() -> WebSettings:
    try:
        return WebSettings.from_env()
    except WebConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def serve(host: str, port: int) -> None:
    """Serve the web desk (threaded werkzeug server; put TLS in front of it)."""
    from werkzeug.serving import run_simple

    from claimsdesk.cli import open_engine
    from claimsdesk.web import create_app, schema_ready

    settings, web = _settings(), _web_settings()
    with open_engine(settings, migrate=False):  # database faults become clean messages
        ready = schema_ready(settings)
    if not ready:
        raise click.ClickException(
            "the database schema is not current: run `claimsdesk db upgrade` first"
        )
    app = create_app(settings, web)
    mode = " (demo mode)" if web.demo else ""
    click.echo(f"claimsdesk desk on http://{host}:{port}/{mode}; Ctrl+C stops it", err=True)
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


COMMANDS: tuple[click.Command, ...] = (users_group, serve)
"""What claimsdesk/cli.py registers: `for c in COMMANDS: cli.add_command(c)`."""
