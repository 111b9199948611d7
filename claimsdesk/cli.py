"""claimsdesk command line: a thin click shell over the services.

Expected problems (bad database URL, unreadable files, a failed import) end as one clear
message and a non-zero exit, never a traceback. Commands from other packages (validate,
generate, rules, users, serve) are imported only when run.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from claimsdesk import __version__
from claimsdesk.cli_output import echo_summary
from claimsdesk.config import Settings

# commands living in other modules: name -> "module:attribute", imported on first use
LAZY_COMMANDS = {
    "users": "claimsdesk.web.cli_web:users_group",
    "serve": "claimsdesk.web.cli_web:serve",
    "analyze": "claimsdesk.cli_analysis:analyze",
    "findings": "claimsdesk.cli_analysis:findings",
    "claim": "claimsdesk.cli_claim:claim",
    "queues": "claimsdesk.cli_worklist:queues",
    "appeal": "claimsdesk.cli_outbound:appeal",
    "appeals": "claimsdesk.cli_outbound:appeals",
    "appeal-answer": "claimsdesk.cli_outbound:appeal_answer",
    "correct": "claimsdesk.cli_outbound:correct",
    "bill-secondary": "claimsdesk.cli_outbound:bill_secondary",
    "export-837": "claimsdesk.cli_outbound:export_837",
    "outbound": "claimsdesk.cli_outbound:outbound",
    "demo": "claimsdesk.cli_demo:demo",
}


class LazyGroup(click.Group):
    """A group that imports some commands only when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Own commands and lazy ones, sorted."""
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import a lazy command on first use; a broken module becomes a clean error."""
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in LAZY_COMMANDS:
            return found
        module, _, attr = LAZY_COMMANDS[cmd_name].partition(":")
        try:
            command = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise click.ClickException(f"`{cmd_name}` is not available: {exc}") from None
        assert isinstance(command, click.Command)
        return command


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


@click.group(cls=LazyGroup)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database URL (default: $CLAIMSDESK_DATABASE_URL or sqlite:///claimsdesk.db).",
)
@click.version_option(version=__version__, prog_name="claimsdesk")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None) -> None:
    """claimsdesk: claims-denial and self-pay collections."""
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if db_url:
        settings = dataclasses.replace(settings, database_url=db_url)
    ctx.obj = settings


@contextmanager
def open_engine(settings: Settings, *, migrate: bool = True) -> Iterator[Engine]:
    """An engine for the command, schema brought to head; database faults as clean errors."""
    from claimsdesk.storage import db

    where = safe_url(settings.database_url)
    try:
        engine = db.engine_from_settings(settings)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise click.ClickException(f"cannot use database URL {where}: {exc}") from None
    try:
        if migrate and not db.schema_is_current(engine):
            db.upgrade(engine)
        yield engine
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        raise click.ClickException(f"database {where}: {cause}") from None
    finally:
        engine.dispose()


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--move-to",
    type=click.Path(file_okay=False, path_type=Path),
    help="After each commit move the file to DIR/processed, DIR/duplicate or DIR/rejected.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of a table.")
@click.option(
    "--no-analysis",
    is_flag=True,
    help="Only store the files; skip matching, ledger and findings (run `analyze` later).",
)
@click.pass_obj
def import_command(
    settings: Settings,
    paths: tuple[Path, ...],
    move_to: Path | None,
    as_json: bool,
    no_analysis: bool,
) -> None:
    """Import 835, 837P/837I and FHIR EOB files or folders (recursive), one transaction per file.

    \b
    Examples:
      claimsdesk import /srv/edi/inbox --move-to /srv/edi
      claimsdesk --db postgresql+psycopg://billing@db/claims import inbox/ --json > run.json

    Exit status 1 when any file was rejected.
    """
    from claimsdesk.services import import_files
    from claimsdesk.services.imports import ImportFailed, ImportRun, import_paths
    from claimsdesk.storage.db import make_session_factory

    files = import_files.discover(paths, exclude=move_to)
    after_file = None if no_analysis else _analysis_hook()
    with open_engine(settings) as engine, _progress(len(files), as_json) as tick:
        try:
            run: ImportRun = import_paths(
                make_session_factory(engine),
                files,
                move_to=move_to,
                progress=tick,
                after_file=after_file,
                batch_claims=settings.batch_claims,
            )
        except ImportFailed as exc:
            if not as_json:
                echo_summary(exc.run)
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(run.to_dict(), indent=2))
    else:
        echo_summary(run)
    if run.any_rejected:
        sys.exit(1)


def _analysis_hook() -> Any:
    """Matching, ledger and findings for each imported file, inside its transaction."""
    try:
        from claimsdesk.services.analysis import after_file
    except ImportError as exc:
        raise click.ClickException(
            f"the analysis step is not available ({exc}); use --no-analysis"
        ) from None
    return after_file


def stderr_is_terminal() -> bool:
    """The progress bar is for people watching, never for logs or pipes."""
    return sys.stderr.isatty()


@contextmanager
def _progress(total: int, quiet: bool) -> Iterator[Callable[[Any], None] | None]:
    """A progress bar on stderr when it is a terminal (and not --json); else nothing."""
    if quiet or total < 2 or not stderr_is_terminal():
        yield None
        return
    with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
        yield lambda _result: bar.update(1)


@cli.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@click.pass_obj
def db_upgrade(settings: Settings) -> None:
    """Bring the database schema to the newest revision (safe to run again)."""
    from claimsdesk.storage import db

    with open_engine(settings, migrate=False) as engine:
        before = db.current_revision(engine)
        db.upgrade(engine)
        after = db.current_revision(engine)
    where = safe_url(settings.database_url)
    if before == after:
        click.echo(f"{where}: already at {after}")
    else:
        click.echo(f"{where}: upgraded from {before or 'empty'} to {after}")


@cli.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out-999",
    "out_999",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the 999 acknowledgment pyx12 produced to this file.",
)
def validate_command(file: Path, out_999: Path | None) -> None:
    """Validate an X12 file against the HIPAA implementation guide (pyx12).

    Exit status 1 when the file is not valid.
    """
    from claimsdesk.edi.validate import validate_file

    report = validate_file(file)
    click.echo(report.to_text())
    if out_999 is not None:
        if report.ack_999:
            out_999.write_text(report.ack_999)
            click.echo(f"999 written to {out_999}", err=True)
        else:
            click.echo("no 999 was produced for this file (none exists for a 5010 835)", err=True)
    if not report.ok:
        sys.exit(1)


@cli.command("generate")
@click.option(
    "--claims", "n_claims", type=click.IntRange(min=1), required=True, help="Claims to make."
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same files.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
def generate_command(n_claims: int, seed: int, out_dir: Path) -> None:
    """Write a synthetic, deterministic batch of 837 claims and their 835 remittances."""
    try:
        from claimsdesk.generator import generate_batch
    except ImportError as exc:
        raise click.ClickException(f"the generator is not available: {exc}") from None
    try:
        written = generate_batch(n_claims, seed, out_dir)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    for path in written:
        click.echo(str(path))


@cli.group("rules")
def rules_group() -> None:
    """Payer rule files."""


@rules_group.command("check")
@click.option(
    "--dir",
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Rule folder (default: the payer_rules shipped with claimsdesk).",
)
def rules_check(directory: Path | None) -> None:
    """Load every rule file and report problems; exit status 1 when there are any."""
    from payer_rules import check_rules

    problems = check_rules(directory)
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem(s) in the rule files", err=True)
        sys.exit(1)
    click.echo("rules OK")


def main() -> None:
    """Entry point for `python -m claimsdesk.cli`."""
    cli()


if __name__ == "__main__":
    main()
