"""Denial desk page times on a database holding N claims' worth of findings and work items.

    python benchmarks/bench_desk.py                 # 1,000,000 claims, SQLite and PostgreSQL
    python benchmarks/bench_desk.py --quick         # 10,000 claims
    python benchmarks/bench_desk.py --claims 200000 --db sqlite --requests 200
    python benchmarks/bench_desk.py --real 1000000   # every one of the 1,000,000 claims imported

How the database is filled: a generated batch of --real claims (default 10,000;
claimsdesk.generator, cached in benchmarks/out/) is imported through the real import service
with the work-queue hook, so those claims have everything the item page reads (claims,
remittances, ledgers, findings, items). With --real equal to --claims that is all. Otherwise
the rest is bulk-inserted: copies of those findings and work items under
new claim numbers (no claim rows behind them), with ages, deadlines, owners and statuses
spread out, until the findings and items match N claims at the batch's rate. Then ANALYZE.

What is timed: whole requests through the Flask test client, signed in (sessions, CSRF, role
gates, services, templates, the audit row each item view writes), N requests per page.
Queue pages are the largest queue at random pages 1-20; item pages are random open items
of the imported claims. Median and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import OUT, fresh_database, inputs, postgres_problem

REAL_MAX = 10_000  # claims imported for real; the rest are copies of their findings
CHUNK = 5_000
PASSWORD = "bench passphrase long enough"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
TEAM = 20  # specialists who hold part of the work
SEED = 7


# --------------------------------------------------------------------------- filling


def import_real(sessions: Any, n_claims: int) -> float:
    """Import a generated batch with analysis and work items; seconds taken."""
    from claimsdesk.services.imports import import_paths
    from claimsdesk.services.worklist_sync import make_after_file
    from payer_rules import load_rulebook

    batch = inputs(n_claims)
    started = time.perf_counter()
    hook = make_after_file(load_rulebook(), dt.date.today())
    run = import_paths(sessions, [batch.claims_p, batch.claims_i, batch.remit], after_file=hook)
    bad = [(r.path, r.status) for r in run.files if r.status != "imported"]
    if bad:
        raise SystemExit(f"import failed: {bad}")
    return time.perf_counter() - started


def make_people(sessions: Any) -> list[int]:
    """The bench specialists (cheap password hashing); their user ids."""
    from claimsdesk.services import users

    users.PASSWORD_METHOD = "scrypt:4096:8:1"
    with sessions() as session:
        return [
            users.create_user(session, f"bench{i:02d}", f"Bench {i}", "specialist", PASSWORD).id
            for i in range(TEAM)
        ] + [users.create_user(session, "benchboss", "Bench Boss", "manager", PASSWORD).id]


def _copies(rows: list[dict[str, Any]], k: int, next_id: int, rng: random.Random) -> Any:
    """Replica k of the real findings: new ids, fingerprints and claim numbers."""
    now = dt.datetime.now(dt.UTC)
    for offset, row in enumerate(rows):
        digest = hashlib.sha1(f"{row['fingerprint']}|{k}".encode()).hexdigest()
        shift = dt.timedelta(days=rng.randint(-60, 60))
        yield {
            **row,
            "id": next_id + offset,
            "fingerprint": digest,
            "patient_control_number": f"S{k:03d}{row['patient_control_number']}"[:38],
            "submitted_claim_id": None,
            "claim_line_id": None,
            "claim_payment_id": None,
            "deadline": row["deadline"] + shift if row["deadline"] else None,
            "created_at": now - dt.timedelta(days=rng.randint(0, 240)),
        }


def _item_of(finding: dict[str, Any], real: dict[str, Any], owners: list[int], rng: Any) -> Any:
    """A work item for a copied finding, like the real one but with its own age and owner."""
    status, owner = real["status"], None
    if status == "open" and rng.random() < 0.12:
        status, owner = rng.choice(["assigned", "in_progress", "pending"]), rng.choice(owners)
    return {
        **real,
        "id": finding["id"],
        "finding_id": finding["id"],
        "status": status,
        "assignee_id": owner,
        "patient_control_number": finding["patient_control_number"],
        "submitted_claim_id": None,
        "deadline": finding["deadline"],
        "opened_at": finding["created_at"],
        "created_at": finding["created_at"],
        "follow_up_on": dt.date.today() + dt.timedelta(days=5) if status == "pending" else None,
        "past_deadline": bool(finding["deadline"] and finding["deadline"] < dt.date.today()),
    }


def fill_copies(sessions: Any, replicas: int, owners: list[int]) -> int:
    """Bulk-insert `replicas` copies of the real findings and items; rows added."""
    from sqlalchemy import func, select

    from claimsdesk.services.analysis_sql import insert_dicts
    from claimsdesk.services.findings_store import FINDINGS
    from claimsdesk.storage.models.base import table_of
    from claimsdesk.storage.models.worklist import WorkItem

    items = table_of(WorkItem)
    rng = random.Random(SEED)
    with sessions() as session:
        real = [dict(r._mapping) for r in session.execute(select(FINDINGS).order_by(FINDINGS.c.id))]
        by_finding = {r.finding_id: dict(r._mapping) for r in session.execute(select(items))}
        top = [session.scalar(select(func.max(t.c.id))) or 0 for t in (items, FINDINGS)]
    next_id = max(top) + 1
    added = 0
    for k in range(1, replicas + 1):
        found = list(_copies(real, k, next_id, rng))
        work = [
            _item_of(f, by_finding[r["id"]], owners, rng) for f, r in zip(found, real, strict=True)
        ]
        with sessions() as session, session.begin():
            conn = session.connection()
            for start in range(0, len(found), CHUNK):
                insert_dicts(conn, FINDINGS, found[start : start + CHUNK])
                insert_dicts(conn, items, work[start : start + CHUNK])
        next_id += len(real)
        added += len(found)
        if k % 10 == 0:
            print(f"    {k}/{replicas} copies, {added:,} findings and items", flush=True)
    return added


def finish(sessions: Any) -> None:
    """Sequences past the inserted ids and fresh planner statistics (PostgreSQL: VACUUM
    ANALYZE, so index-only scans work as on a server autovacuum keeps up with)."""
    from sqlalchemy import text

    with sessions() as session, session.begin():
        conn = session.connection()
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            for table in ("findings", "work_items"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        else:
            conn.execute(text("ANALYZE"))
    if postgres:  # VACUUM cannot run inside a transaction
        engine = sessions.kw["bind"]
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


# --------------------------------------------------------------------------- timing


class Client:
    """The desk app's test client, signed in through the form."""

    def __init__(self, url: str, username: str) -> None:
        import re

        from claimsdesk.config import Settings
        from claimsdesk.web import create_app
        from claimsdesk.web.settings import WebSettings

        self.app = create_app(
            Settings(database_url=url), WebSettings(secret_key=SECRET, cookie_secure=False)
        )
        self.client = self.app.test_client()
        page = self.client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        form = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
        assert self.client.post("/login", data=form).status_code == 303
        page = self.client.get("/my").get_data(as_text=True)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert found is not None
        self.token = found.group(1)

    def get(self, path: str) -> float:
        """Seconds for one GET; anything but 200 stops the benchmark."""
        started = time.perf_counter()
        response = self.client.get(path)
        took = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
        return took

    def post(self, path: str, data: dict[str, str] | None = None) -> float:
        """Seconds for one form post answered with a redirect (not followed)."""
        started = time.perf_counter()
        response = self.client.post(path, data={**(data or {}), "csrf_token": self.token})
        took = time.perf_counter() - started
        if response.status_code != 303:
            raise SystemExit(f"POST {path} answered {response.status_code}")
        return took

    def close(self) -> None:
        self.app.extensions["claimsdesk"].dispose()


def timed(request: Callable[[], float], n: int) -> tuple[float, float]:
    """Median and p95 in milliseconds over n requests (after 3 warm-up requests)."""
    for _ in range(3):
        request()
    times = sorted(request() * 1000 for _ in range(n))
    p95 = times[max(0, math.ceil(0.95 * len(times)) - 1)]  # nearest rank
    return statistics.median(times), p95


def targets(sessions: Any) -> dict[str, Any]:
    """What to request: the largest queue and its pages, real open items, a payer, a PCN."""
    from sqlalchemy import func, select

    from claimsdesk.services import worklist
    from claimsdesk.storage.models.base import table_of
    from claimsdesk.storage.models.worklist import WorkItem

    items = table_of(WorkItem)
    with sessions() as session:
        big = max(worklist.list_queues(session), key=lambda q: q.active)
        real = list(
            session.scalars(
                select(items.c.id)
                .where(items.c.status == "open", items.c.submitted_claim_id.is_not(None))
                .limit(5000)
            )
        )
        payer = session.scalar(
            select(items.c.payer_key)
            .where(items.c.queue == big.name)
            .group_by(items.c.payer_key)
            .order_by(func.count().desc())
        )
        pcn = session.scalar(select(items.c.patient_control_number).where(items.c.id == real[0]))
        total = session.scalar(select(func.count()).select_from(items)) or 0
    return {"queue": big, "items": real, "payer": payer, "pcn": pcn, "total": total}


def _requests(client: Client, t: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Name -> one timed request, for every page and action measured."""
    queue, get, post = t["queue"], client.get, client.post
    pages = max(1, min(20, -(-queue.active // 50)))
    note = {"text": "called the payer"}
    return {
        f"queue page ({queue.title}, {queue.active:,} active, pages 1-{pages})":
            lambda: get(f"/queues/{queue.name}?page={rng.randint(1, pages)}"),
        f"queue page filtered (payer {t['payer']})":
            lambda: get(f"/queues/{queue.name}?payer={t['payer']}"),
        "item page (random open item)": lambda: get(f"/items/{rng.choice(t['items'])}"),
        "next item (POST /next, hands one out)": lambda: post("/next"),
        "add a note (POST: history + audit)":
            lambda: post(f"/items/{rng.choice(t['items'])}/note", note),
        "my queue": lambda: get("/my"),
        "queue list (all queues, counts and ages)": lambda: get("/queues/"),
        "search by claim number": lambda: get(f"/search?q={t['pcn']}&stay=1"),
    }  # fmt: skip


def measure(url: str, sessions: Any, n: int, rng: random.Random) -> list[tuple[str, float, float]]:
    """Each page's median and p95."""
    t = targets(sessions)
    client, boss = Client(url, "bench00"), Client(url, "benchboss")
    rows = []
    try:
        for name, request in _requests(client, t, rng).items():
            median, p95 = timed(request, n)
            print(f"    {name}: median {median:.1f} ms, p95 {p95:.1f} ms", flush=True)
            rows.append((name, median, p95))
        for name, path in (
            ("manager view (backlog, approvals, appeals due)", "/manager/"),
            ("near deadlines, every queue (manager)", "/manager/due"),
        ):
            median, p95 = timed(partial(boss.get, path), n)
            print(f"    {name}: median {median:.1f} ms, p95 {p95:.1f} ms", flush=True)
            rows.append((name, median, p95))
    finally:
        client.close()
        boss.close()
    return rows


# --------------------------------------------------------------------------- main


@contextmanager
def filled(kind: str, claims: int, real_max: int) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """A fresh database filled for `claims` claims; its URL, sessions and fill facts."""
    with fresh_database(kind, OUT) as sessions:
        url = sessions.kw["bind"].url.render_as_string(hide_password=False)
        real = min(claims, real_max)
        took = import_real(sessions, real)
        print(f"    imported {real:,} claims in {took:.0f} s", flush=True)
        owners = make_people(sessions)
        replicas = max(0, round(claims / real) - 1)
        started = time.perf_counter()
        added = fill_copies(sessions, replicas, owners[:TEAM])
        finish(sessions)
        print(f"    added {added:,} findings and items in {time.perf_counter() - started:.0f} s")
        yield url, sessions, {"real": real, "added": added}


def run(kind: str, claims: int, n: int, real_max: int) -> list[tuple[str, float, float]]:
    print(f"{kind}: filling for {claims:,} claims ({min(claims, real_max):,} imported)", flush=True)
    with filled(kind, claims, real_max) as (url, sessions, _facts):
        return measure(url, sessions, n, random.Random(SEED))


def table(results: dict[str, list[tuple[str, float, float]]], claims: int, n: int) -> None:
    """The result table: one line per page and database."""
    print(f"\nDesk page times, {claims:,} claims' worth of work, {n} requests per page")
    width = max(len(name) for rows in results.values() for name, *_ in rows)
    print(f"{'page'.ljust(width)}  {'database':10}  {'median ms':>9}  {'p95 ms':>8}")
    print("-" * (width + 35))
    for kind, rows in results.items():
        for name, median, p95 in rows:
            print(f"{name.ljust(width)}  {kind:10}  {median:9.1f}  {p95:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="10,000 claims")
    parser.add_argument("--requests", type=int, default=100, help="requests per page")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--real", type=int, default=REAL_MAX, help="claims imported for real (the rest copied)"
    )
    args = parser.parse_args()
    claims = 10_000 if args.quick else args.claims
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = {}
    for kind in kinds:
        if kind == "postgresql" and (problem := postgres_problem()):
            print(f"postgresql skipped: {problem}")
            continue
        results[kind] = run(kind, claims, args.requests, args.real)
    table(results, claims, args.requests)


if __name__ == "__main__":
    main()
