"""Ingestion benchmark: parse, import into SQLite and PostgreSQL, peak memory, pyx12 as a peer.

    python benchmarks/bench_ingest.py            # 100,000 claims, medians of 3 runs
    python benchmarks/bench_ingest.py --quick    # small smoke run
    python benchmarks/bench_ingest.py --million  # also peak RSS parsing a 1,000,000-claim 835

Inputs come from claimsdesk.generator (single-file mode) and are cached in benchmarks/out/.
Wall-clock rates decide the verdicts; parse rows also show the CPU-time rate, which is what
one core does when the machine is shared. Targets: parse >= 20,000 claims/s; import >= 5,000
claims/s on both databases; import with the analysis hook (matching, ledger, findings, work
queues) >= 3,000 claims/s on both; peak RSS <= 200 MB parsing, and importing, a 1,000,000-claim
835. An import rate is the claims read from a file over the seconds its import took (the
837+835 row: both files' claims over both files' time). pyx12 runs in the
same process as our code, on the same files, so the ratios hold on whatever machine runs this.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    Row,
    Table,
    check,
    child,
    fresh_database,
    inputs,
    median_time,
    median_times,
    postgres_problem,
    print_table,
    rate,
)

PARSE_TARGET = 20_000  # claims/s
IMPORT_TARGET = 5_000  # claims/s
ANALYSIS_TARGET = 3_000  # claims/s, import with matching, ledger, findings and queues
RSS_TARGET_MB = 200


def parse_claims(path: Path) -> int:
    """Read a file with parsers.read_file; the number of claims (CLP or CLM) seen."""
    from parsers import read_file
    from parsers.records import ClaimPayment, SubmittedClaim

    return sum(1 for r in read_file(path) if isinstance(r, ClaimPayment | SubmittedClaim))


def our_segments(path: Path) -> int:
    """Segments through our tokenizer."""
    from parsers.x12.tokenizer import Tokenizer

    return sum(1 for _ in Tokenizer(path))


def pyx12_segments(path: Path) -> int:
    """Segments through pyx12's X12Reader (its tokenizer and envelope bookkeeping)."""
    import pyx12.x12file

    reader = pyx12.x12file.X12Reader(str(path))
    try:
        return sum(1 for _ in reader)
    finally:
        reader.close()


def pyx12_validate(path: Path) -> bool:
    """pyx12's full HIPAA validation of one file (no acknowledgment written)."""
    import pyx12.params
    import pyx12.x12n_document

    params = pyx12.params.params()
    params.set("exclude_external_codes", "remark_code")
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    return bool(pyx12.x12n_document.x12n_document(params, str(path), None, None, None))


def peak_rss_mb() -> float:
    """This process's peak resident set size.

    Linux keeps ru_maxrss across execve (the parent's peak at fork is carried into the
    child), so the kernel's VmHWM for our own address space is read first; ru_maxrss is the
    fallback elsewhere.
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child_parse(path: str) -> None:
    """Child mode: parse one file, print claims, seconds and peak RSS as JSON."""
    started = time.perf_counter()
    claims = parse_claims(Path(path))
    seconds = time.perf_counter() - started
    print(json.dumps({"claims": claims, "seconds": seconds, "peak_mb": peak_rss_mb()}))


def bench_parse(rows: list[Row], remit: Path, claims: list[Path], runs: int) -> None:
    for label, paths in (("835", [remit]), ("837P+837I", claims)):
        wall, cpu, count = median_times(lambda ps=paths: sum(parse_claims(p) for p in ps), runs)
        speed = rate(count, wall)
        rows.append(
            Row(
                f"parse {label} ({count:,} claims)",
                f"{speed:,.0f} claims/s (CPU {rate(count, cpu):,.0f})",
                f">= {PARSE_TARGET:,}",
                check(speed, PARSE_TARGET),
            )
        )


def bench_tokenizer(rows: list[Row], remit: Path, runs: int, pyx12_runs: int) -> None:
    ours_s, _cpu, segments = median_times(lambda: our_segments(remit), runs)
    theirs_s, _cpu, theirs = median_times(lambda: pyx12_segments(remit), pyx12_runs)
    ours, peer = rate(segments, ours_s), rate(theirs, theirs_s)
    rows.append(Row(f"tokenize 835, ours ({segments:,} segments)", f"{ours:,.0f} seg/s"))
    rows.append(Row(f"tokenize 835, pyx12 X12Reader ({theirs:,} seg)", f"{peer:,.0f} seg/s"))
    rows.append(Row("tokenizer ratio ours:pyx12", f"{ours / peer:,.1f} : 1" if peer else "n/a"))


def bench_import(
    rows: list[Row], kind: str, claims: list[Path], remit: Path, runs: int, *, analysis: bool
) -> None:
    """837s then the 835 into a fresh database per run; with analysis, the after_file hook
    (matching, ledger, findings, work queues) runs inside each file's transaction."""
    from claimsdesk.services.analysis import after_file
    from claimsdesk.services.imports import import_paths

    hook = after_file if analysis else None
    target = ANALYSIS_TARGET if analysis else IMPORT_TARGET
    t837: list[float] = []
    t835: list[float] = []
    n837 = n835 = 0
    with tempfile.TemporaryDirectory(prefix="claimsdesk-bench-") as scratch:
        for _ in range(runs):
            with fresh_database(kind, Path(scratch)) as session_factory:
                started = time.perf_counter()
                first = import_paths(session_factory, claims, after_file=hook)
                middle = time.perf_counter()
                second = import_paths(session_factory, [remit], after_file=hook)
                t837.append(middle - started)
                t835.append(time.perf_counter() - middle)
                bad = [f for f in first.files + second.files if f.status != "imported"]
                if bad:
                    raise RuntimeError(f"{kind}: not imported: {[(f.path, f.status) for f in bad]}")
                n837, n835 = first.totals.claims, second.totals.claims
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
    how = "import + analysis" if analysis else "import"
    both = (n837 + n835, [a + b for a, b in zip(t837, t835, strict=True)])
    for what, count, times in (("837", n837, t837), ("835", n835, t835), ("837+835", *both)):
        speed = rate(count, statistics.median(times))
        rows.append(
            Row(
                f"{how} {what} into {label} ({count:,} claims)",
                f"{speed:,.0f} claims/s",
                f">= {target:,}",
                check(speed, target),
            )
        )


def child_import(path: str) -> None:
    """Child mode: import one file into a fresh SQLite database, print claims and peak RSS."""
    from benchlib import fresh_database

    from claimsdesk.services.imports import import_paths

    with (
        tempfile.TemporaryDirectory(prefix="claimsdesk-bench-") as scratch,
        fresh_database("sqlite", Path(scratch)) as session_factory,
    ):
        started = time.perf_counter()
        run = import_paths(session_factory, [path])
        seconds = time.perf_counter() - started
    claims = run.totals.claims
    print(json.dumps({"claims": claims, "seconds": seconds, "peak_mb": peak_rss_mb()}))


def bench_import_rss(rows: list[Row], remit: Path, label: str) -> None:
    """Peak RSS of a whole import (parse, bulk writes, commit) of one 835 into SQLite."""
    result = child(["--child-import", str(remit)])
    rows.append(
        Row(
            f"peak RSS importing {label} into SQLite ({result['claims']:,} claims)",
            f"{result['peak_mb']:,.0f} MB",
            f"<= {RSS_TARGET_MB} MB",
            check(result["peak_mb"], RSS_TARGET_MB, at_most=True),
        )
    )


def bench_rss(rows: list[Row], remit: Path, label: str, *, target: bool) -> None:
    result = child(["--child-parse", str(remit)])
    rows.append(
        Row(
            f"peak RSS parsing {label} ({result['claims']:,} claims)",
            f"{result['peak_mb']:,.0f} MB",
            f"<= {RSS_TARGET_MB} MB" if target else "",
            check(result["peak_mb"], RSS_TARGET_MB, at_most=True) if target else "",
        )
    )


def bench_pyx12_validation(rows: list[Row], n_claims: int, runs: int) -> None:
    small = inputs(n_claims)
    count = parse_claims(small.remit)
    theirs_s, _ok = median_time(lambda: pyx12_validate(small.remit), 1)
    ours_s, _n = median_time(lambda: parse_claims(small.remit), runs)
    peer, ours = rate(count, theirs_s), rate(count, ours_s)
    rows.append(Row(f"pyx12 full validation, 835 ({count:,} claims)", f"{peer:,.0f} claims/s"))
    rows.append(Row(f"our parse of the same file ({count:,} claims)", f"{ours:,.0f} claims/s"))
    rows.append(Row("validation ratio ours:pyx12", f"{ours / peer:,.0f} : 1" if peer else "n/a"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000, help="claims in the main batch")
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--pyx12-runs", type=int, default=1, help="runs of the pyx12 tokenizer")
    parser.add_argument("--pyx12-claims", type=int, default=1_000, help="claims pyx12 validates")
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--million", action="store_true", help="peak RSS at 1,000,000 claims")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL import")
    parser.add_argument(
        "--only",
        choices=("parse", "import", "analysis", "rss"),
        action="append",
        help="run only these measures (repeatable); default all",
    )
    parser.add_argument("--child-parse", help=argparse.SUPPRESS)
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_parse:
        child_parse(args.child_parse)
        return 0
    if args.child_import:
        child_import(args.child_import)
        return 0
    if args.quick:
        args.claims, args.runs, args.pyx12_claims = 2_000, 1, 200
    print(f"claimsdesk ingestion benchmark: {args.claims:,} claims, median of {args.runs} run(s)")
    batch = inputs(args.claims)
    claims = [batch.claims_p, batch.claims_i]
    rows = Table()
    only = set(args.only or ("parse", "import", "analysis", "rss"))
    if "parse" in only:
        bench_parse(rows, batch.remit, claims, args.runs)
        bench_tokenizer(rows, batch.remit, args.runs, args.pyx12_runs)
    problem = "skipped (--no-postgres)" if args.no_postgres else postgres_problem()
    for analysis in (False, True):
        if ("analysis" if analysis else "import") not in only:
            continue
        bench_import(rows, "sqlite", claims, batch.remit, args.runs, analysis=analysis)
        if problem is None:
            bench_import(rows, "postgresql", claims, batch.remit, args.runs, analysis=analysis)
        else:
            rows.append(Row("import into PostgreSQL", "not run", "", problem))
    if "rss" in only:
        bench_rss(rows, batch.remit, f"{args.claims:,}-claim 835", target=False)
    if args.million:
        big = inputs(1_000_000)
        bench_rss(rows, big.remit, "1,000,000-claim 835", target=True)
        bench_import_rss(rows, big.remit, "1,000,000-claim 835")
    if "parse" in only:
        bench_pyx12_validation(rows, args.pyx12_claims, args.runs)
    print()
    print_table(list(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
