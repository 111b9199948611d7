"""The import summary the CLI prints: one row per file, totals, then reasons."""

from __future__ import annotations

from decimal import Decimal

import click

from claimsdesk.services.import_types import FileResult, ImportRun

WARNINGS_SHOWN = 5  # per file in the table view; --json has every one
_COLUMNS = ("status", "format", "trans", "claims", "lines", "remits", "paid", "warn", "file")
_STATUS_COLOURS = {"imported": "green", "duplicate": "yellow", "rejected": "red"}


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _cells(r: FileResult) -> tuple[str, ...]:
    return (
        r.status, r.format, str(r.transactions), str(r.claims), str(r.service_lines),
        str(r.remittances), _money(r.payment_total), str(len(r.warnings)), r.path,
    )  # fmt: skip


def summary_lines(run: ImportRun) -> list[str]:
    """The table as plain lines (no colour), header and totals included."""
    t = run.totals
    totals = (
        f"{t.files} files", "", str(t.transactions), str(t.claims), str(t.service_lines),
        str(t.remittances), _money(t.payment_total), str(t.warnings),
        f"imported {t.imported}, duplicate {t.duplicate}, rejected {t.rejected}",
    )  # fmt: skip
    rows = [_COLUMNS, *(_cells(r) for r in run.files), totals]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=False))
        ]
        lines.append("  ".join([*cells, row[-1]]))
        if n == 0 or n == len(rows) - 2:
            lines.append("-" * max(len(lines[-1]), 20))
    return lines


def echo_summary(run: ImportRun) -> None:
    """Print the table, then each rejected file's errors and a few warnings per file."""
    for line in summary_lines(run):
        status = line.split(" ", 1)[0]
        click.secho(line, fg=_STATUS_COLOURS.get(status))
    for r in run.files:
        for error in r.errors:
            click.secho(f"error: {error}", fg="red", err=True)
        for warning in r.warnings[:WARNINGS_SHOWN]:
            click.echo(f"warning: {warning}", err=True)
        if len(r.warnings) > WARNINGS_SHOWN:
            more = len(r.warnings) - WARNINGS_SHOWN
            click.echo(f"warning: {r.path}: {more} more (use --json to see all)", err=True)
