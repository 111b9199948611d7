"""CPU seconds per stage of an import with matching, ledger and findings (the after_file hook).

    python benchmarks/profile_analysis.py                 # 20,000 claims, sqlite + postgresql
    python benchmarks/profile_analysis.py -n 2000 --runs 1 --backend sqlite
    python benchmarks/profile_analysis.py --profile analysis.prof --backend sqlite --runs 1
    python benchmarks/profile_analysis.py --profile analysis.txt ...   # pyinstrument tree

Each run is a child process on a fresh database (a SQLite file, a new PostgreSQL database):
the generated batch's 837s are imported, then its 835, through import_paths with the
after_file hook of claimsdesk.services.analysis. CPU time (time.process_time) is split by
stage: matching (match_payments), ledger (refresh and PLB lookups: derive, diff, write, build
the ClaimViews), views (loading claim parts and payment views), findings (the rest of the hook),
import (the rest). Statements executed per stage are counted too (a COPY into an analysis
table counts as one; the import's own COPYs are not seen). CPU, not wall time: the
figures hold on a loaded machine (the PostgreSQL server's own CPU is not included).
The digest hashes the analysis tables (timestamps left out): equal digests, equal results.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import PG_URL, inputs

STAGES = ("import", "matching", "ledger", "views", "findings")
TARGET = 3_000  # claims/s end to end (import + hook)
WRAPPED = (  # (module, attribute, stage): looked up at call time by their callers
    ("claimsdesk.services.matching", "match_payments", "matching"),
    ("claimsdesk.services.ledger", "claims_named_by_plbs", "ledger"),
    ("claimsdesk.services.ledger", "refresh", "ledger"),
    ("claimsdesk.services.ledger", "load_claim_parts", "views"),
    ("claimsdesk.services.ledger", "payment_views_by_id", "views"),
    ("claimsdesk.services.claim_views", "load_claim_views", "views"),
    ("claimsdesk.services.claim_views", "load_payment_views", "views"),
)
DIGESTED = {  # table: columns compared (no timestamps)
    "claim_matches": "claim_payment_id, submitted_claim_id, status, method, candidates",
    "line_matches": "service_payment_id, claim_payment_id, claim_line_id, method",
    "ledger_entries": "submitted_claim_id, entry_key, kind, party, amount, source,"
    " claim_line_id, claim_payment_id, provider_adjustment_id, detail, posted_on",
    "claim_ledgers": "submitted_claim_id, state, charges, payer_paid, adjustments,"
    " patient_responsibility, balance, patient_balance, responsible_party,"
    " last_claim_payment_id",
    "findings": "*",
}


class Clock:
    """Exclusive CPU time and statements per stage (a stack: inner stages are not counted
    in the outer one)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.statements: dict[str, int] = defaultdict(int)
        self.stack: list[str] = ["import"]
        self.mark = time.process_time()

    def switch(self, stage: str | None) -> None:
        now = time.process_time()
        self.cpu[self.stack[-1]] += now - self.mark
        self.mark = now
        if stage is None:
            self.stack.pop()
        else:
            self.stack.append(stage)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.switch(name)
        try:
            yield
        finally:
            self.switch(None)

    def wrap(self, fn: Callable[..., Any], name: str) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.stage(name):
                return fn(*args, **kwargs)

        return timed

    def count(self, *_args: Any) -> None:
        self.statements[self.stack[-1]] += 1


def one_run(backend: str, n_claims: int, cprofile: str | None) -> dict[str, Any]:
    """Import the batch on a fresh database with the analysis hook; stage figures."""
    import importlib

    from sqlalchemy import event

    from claimsdesk.services.analysis import make_after_file
    from claimsdesk.services.imports import import_paths
    from payer_rules import load_rulebook

    batch = inputs(n_claims)
    rulebook = load_rulebook()
    clock = Clock()
    for module_name, attr, stage in WRAPPED:
        module = importlib.import_module(module_name)
        if hasattr(module, attr):
            setattr(module, attr, clock.wrap(getattr(module, attr), stage))
    hook = clock.wrap(make_after_file(rulebook), "findings")
    with tempfile.TemporaryDirectory() as scratch, database(backend, Path(scratch)) as factory:
        event.listen(factory.kw["bind"], "before_cursor_execute", clock.count)
        _count_copies(clock)
        profiler = _profiler(cprofile)
        clock.cpu.clear()
        clock.statements.clear()
        clock.mark = time.process_time()
        paths = [batch.claims_p, batch.claims_i, batch.remit]
        run = import_paths(factory, paths, after_file=hook)
        clock.switch("import")  # close the books on the outer stage
        clock.stack.pop()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(cprofile)
        claims = sum(f.claims for f in run.files if f.path.endswith(".835"))
        digest = _digest(factory)
    return {
        "claims": claims,
        "cpu": {s: clock.cpu.get(s, 0.0) for s in STAGES},
        "statements": {s: clock.statements.get(s, 0) for s in STAGES},
        "digest": digest,
    }


class _Sampler:
    """pyinstrument (sampling, low overhead) behind cProfile's enable/disable/dump_stats."""

    def __init__(self) -> None:
        from pyinstrument import Profiler

        self.profiler = Profiler(interval=0.0005)
        self.profiler.start()

    def disable(self) -> None:
        self.profiler.stop()

    def dump_stats(self, path: str) -> None:
        text = self.profiler.output_text(unicode=False, color=False, show_all=False)
        Path(path).write_text(text)


def _count_copies(clock: Clock) -> None:
    """COPY streams (PostgreSQL) bypass the execute events: count the analysis tables' ones."""
    try:
        from claimsdesk.services import analysis_sql
    except ImportError:  # an older revision: no COPY into analysis tables
        return
    copy = analysis_sql._copy

    def counted(*args: Any, **kwargs: Any) -> Any:
        clock.count()
        return copy(*args, **kwargs)

    analysis_sql._copy = counted


def _profiler(path: str | None) -> Any:
    """cProfile for a .prof path, else pyinstrument's text tree (pip install -e .[bench])."""
    if path is None:
        return None
    if not path.endswith(".prof"):
        return _Sampler()
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


@contextmanager
def database(backend: str, scratch: Path) -> Iterator[Any]:
    """A migrated, empty SQLite file or PostgreSQL database; its session factory."""
    from sqlalchemy import text

    from claimsdesk.storage.db import make_engine, make_session_factory, upgrade

    if backend == "sqlite":
        url = f"sqlite:///{scratch / 'profile.db'}"
        engine = make_engine(url)
        upgrade(engine)
        try:
            yield make_session_factory(engine)
        finally:
            engine.dispose()
        return
    name = f"profile_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(PG_URL.rsplit("/", 1)[0] + "/" + name)
    try:
        upgrade(engine)
        yield make_session_factory(engine)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _digest(factory: Any) -> dict[str, str]:
    """Per analysis table: SHA-256 of its rows (as text, sorted)."""
    from sqlalchemy import text

    out = {}
    with factory() as session:
        for table, listed in DIGESTED.items():
            cols = _finding_columns(session) if listed == "*" else listed
            rows = session.execute(text(f"SELECT {cols} FROM {table}")).all()
            digest = hashlib.sha256()
            for line in sorted(_canon(r) for r in rows):
                digest.update(line.encode())
            out[table] = f"{len(rows)}:{digest.hexdigest()[:12]}"
    return out


def _finding_columns(session: Any) -> str:
    from claimsdesk.storage.models.findings import Finding

    skip = {"id", "created_at", "updated_at", "closed_at"}
    return ", ".join(c.name for c in Finding.__table__.columns if c.name not in skip)


def _canon(row: Any) -> str:
    """A row as text the same on both backends (numbers as normalised Decimal text)."""
    from decimal import Decimal

    out = []
    for value in row:
        if isinstance(value, float | Decimal):
            out.append(f"{Decimal(str(value)).normalize()}")
        elif isinstance(value, str) and value[:1] in "[{":
            out.append(_json_text(value))
        elif isinstance(value, list | dict):
            out.append(json.dumps(value, sort_keys=True))
        else:
            out.append(str(value))
    return "|".join(out)


def _json_text(value: str) -> str:
    try:
        return json.dumps(json.loads(value), sort_keys=True)
    except ValueError:
        return value


def child(backend: str, n_claims: int, cprofile: str | None) -> dict[str, Any]:
    """one_run in a fresh process; its JSON line."""
    args = [sys.executable, __file__, "--child", backend, "-n", str(n_claims)]
    if cprofile:
        args += ["--profile", cprofile]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{backend} run failed: {done.stderr.strip()[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(backend: str, runs: list[dict[str, Any]]) -> None:
    """Median CPU seconds and statements per stage."""
    claims = runs[0]["claims"]
    print(f"\n{backend}: {claims:,} claims, median of {len(runs)} run(s), CPU seconds")
    print(f"  {'stage':<10} {'cpu s':>8} {'claims/s':>10} {'statements':>11}")
    total = 0.0
    for stage in STAGES:
        cpu = statistics.median(r["cpu"][stage] for r in runs)
        total += cpu
        stmts = statistics.median(r["statements"][stage] for r in runs)
        per_s = f"{claims / cpu:,.0f}" if cpu else "-"
        print(f"  {stage:<10} {cpu:>8.2f} {per_s:>10} {stmts:>11,.0f}")
    hook = total - statistics.median(r["cpu"]["import"] for r in runs)
    print(f"  {'hook':<10} {hook:>8.2f} {claims / hook if hook else 0:>10,.0f}")
    verdict = "ok" if claims / total >= TARGET else "BELOW TARGET"
    print(f"  {'total':<10} {total:>8.2f} {claims / total:>10,.0f}  (target {TARGET:,}) {verdict}")
    for table in DIGESTED:
        seen = sorted({r["digest"][table] for r in runs})
        print(f"  {table:<15} rows:digest {', '.join(seen)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--claims", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--profile", help="cProfile stats (.prof) or a pyinstrument tree (other) of each run"
    )
    parser.add_argument("--child", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.child, args.claims, args.profile)))
        return 0
    inputs(args.claims)  # generate once, outside the timed children
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        runs = [child(backend, args.claims, args.profile) for _ in range(args.runs)]
        report(backend, runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
