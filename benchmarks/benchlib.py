"""Helpers for bench_ingest.py: cached inputs, fresh databases, timing, child processes, table.

Inputs are generated once per (claims, seed) into benchmarks/out/ (gitignored) and reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
PG_URL = os.environ.get("CLAIMSDESK_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SEED = 20240


@dataclass(frozen=True)
class Inputs:
    """One generated batch: the 837P, 837I and 835 files (single-file mode)."""

    folder: Path
    claims_p: Path
    claims_i: Path
    remit: Path


def inputs(n_claims: int, seed: int = SEED) -> Inputs:
    """The cached batch for n_claims, generated when missing or incomplete."""
    from claimsdesk.generator import generate_batch

    folder = OUT / f"batch-{n_claims}-seed{seed}"
    marker = folder / "COMPLETE"
    names = ("claims-837p.837", "claims-837i.837", "remit.835")
    version = generator_version()
    if not marker.is_file() or version not in marker.read_text():
        started = time.perf_counter()
        print(f"  generating {n_claims:,} claims into {folder.relative_to(ROOT)} ...", flush=True)
        generate_batch(n_claims, seed, folder, single_835=True)
        took = time.perf_counter() - started
        marker.write_text(f"generator {version}\ngenerated in {took:.1f} s\n")
    return Inputs(folder, *(folder / n for n in names))


def generator_version() -> str:
    """Hash of the generator and writer sources: cached inputs are remade when they change."""
    digest = hashlib.sha256()
    edi = ROOT / "claimsdesk" / "edi"
    sources = sorted((ROOT / "claimsdesk").glob("generator*.py"))
    sources += [edi / n for n in ("x12out.py", "claim_2300.py", "writer_835.py", "writer_837.py")]
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time over runs, and the last result."""
    wall, _cpu, result = median_times(fn, runs)
    return wall, result


def median_times(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median wall and CPU (this process) times over runs, and the last result.

    On a shared machine wall time suffers from other loads; the CPU time shows what one
    core does for us.
    """
    walls, cpus, result = [], [], None
    for _ in range(runs):
        cpu, started = time.process_time(), time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def child(args: list[str]) -> dict[str, Any]:
    """Run this benchmark script in a child process (fresh memory), return its JSON line."""
    script = ROOT / "benchmarks" / "bench_ingest.py"
    done = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed: {done.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None."""
    from sqlalchemy import text

    from claimsdesk.storage.db import make_engine

    try:
        engine = make_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


@contextmanager
def fresh_database(kind: str, scratch: Path) -> Iterator[Any]:
    """A migrated, empty database (SQLite file or a new PostgreSQL schema); its session factory."""
    from sqlalchemy import text

    from claimsdesk.storage.db import make_engine, make_session_factory, upgrade

    if kind == "sqlite":
        path = scratch / f"bench-{uuid.uuid4().hex[:8]}.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            upgrade(engine)
            yield make_session_factory(engine)
        finally:
            engine.dispose()
            for leftover in scratch.glob(path.name + "*"):
                leftover.unlink()
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(f"{PG_URL}?options={quote(f'-csearch_path={schema}')}")
    try:
        upgrade(engine)
        yield make_session_factory(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Row:
    """One line of the result table."""

    name: str
    value: str
    target: str = ""
    verdict: str = ""


class Table(list[Row]):
    """Rows of the result table, each printed as soon as it is measured."""

    def append(self, row: Row) -> None:
        """Keep the row and show progress."""
        super().append(row)
        print(f"  {row.name}: {row.value} {row.verdict}".rstrip(), flush=True)


def rate(count: float, seconds: float) -> float:
    """Items per second (0 when nothing was timed)."""
    return count / seconds if seconds > 0 else 0.0


def check(value: float, target: float, *, at_most: bool = False) -> str:
    """'ok' when the target is met, 'BELOW TARGET' (or 'ABOVE TARGET') otherwise."""
    if at_most:
        return "ok" if value <= target else "ABOVE TARGET"
    return "ok" if value >= target else "BELOW TARGET"


def print_table(rows: list[Row]) -> None:
    """A plain fixed-width table."""
    widths = [max(len(getattr(r, f)) for r in rows) for f in ("name", "value", "target")]
    head = ("measure", "result", "target", "")
    widths = [max(w, len(h)) for w, h in zip(widths, head, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=False))
    print(line)
    print("-" * len(line))
    for r in rows:
        cells = (r.name.ljust(widths[0]), r.value.rjust(widths[1]), r.target.ljust(widths[2]))
        print("  ".join(cells) + "  " + r.verdict)
