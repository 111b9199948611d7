"""Work queues declared in queues.toml: loader with located problems, and pure routing.

Queues are tried in file order; the first whose match fits a finding takes it and the last
queue is a catch-all, so every finding lands in exactly one queue. Never imports claimsdesk:
the caller may pass the finding kinds and categories it knows, to catch misspellings.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from .categories import DenialCategory
from .model import Problem, RuleError
from .schema import (
    Bad,
    Report,
    Table,
    bounded,
    convert_table,
    did_you_mean,
    flag,
    money,
    text,
    text_list,
)

DEFAULT_QUEUES_FILE = Path(__file__).resolve().parent / "queues.toml"
DEFAULT_RECOVERABILITY = Decimal("0.30")
_NAME = re.compile(r"[a-z][a-z0-9_]{1,47}")


def _ident(value: Any) -> str:
    """A snake_case id: queue names, teams, kinds, categories."""
    name = text(value)
    if not _NAME.fullmatch(name):
        raise Bad(
            f"{name!r} must be 2-48 lower-case letters, digits or '_', starting with a letter"
        )
    return name


def _idents(value: Any) -> tuple[str, ...]:
    """A non-empty list of snake_case ids."""
    items = text_list(value)
    if not items:
        raise Bad('must list at least one value, e.g. ["denial"]')
    return tuple(_ident(item) for item in items)


def _globs(value: Any) -> tuple[str, ...]:
    """Payer id or name globs, folded for case- and spacing-blind matching."""
    items = text_list(value)
    if not items:
        raise Bad('must list at least one payer id or name pattern, e.g. ["SXMB*"]')
    return tuple(" ".join(item.split()).casefold() for item in items)


MATCH = Table(
    {
        "kinds": _idents,
        "categories": _idents,
        "payers": _globs,
        "min_amount": money,
        "max_amount": money,
    }
)
QUEUE = Table(
    {
        "name": _ident,
        "title": text,
        "team": _ident,
        "recoverability": bounded("0", "1", "0.5"),
        "description": text,
        "catch_all": flag,
        "match": MATCH,
    }
)


@dataclass(frozen=True, slots=True)
class QueueMatch:
    """Which findings a queue takes; empty criteria match anything."""

    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    payers: tuple[str, ...] = ()  # folded globs over payer id and payer name
    min_amount: Decimal | None = None  # inclusive
    max_amount: Decimal | None = None  # exclusive

    def fits(
        self, kind: str, category: str, payer_id: str, payer_name: str, amount: Decimal
    ) -> bool:
        """True when every criterion given fits the finding."""
        if self.kinds and kind not in self.kinds:
            return False
        if self.categories and category not in self.categories:
            return False
        if self.payers and not _payer_fits(self.payers, payer_id, payer_name):
            return False
        if self.min_amount is not None and amount < self.min_amount:
            return False
        return self.max_amount is None or amount < self.max_amount


def _payer_fits(patterns: tuple[str, ...], payer_id: str, payer_name: str) -> bool:
    """Any pattern matches the payer id or the payer name (case- and spacing-blind)."""
    names = [" ".join(v.split()).casefold() for v in (payer_id, payer_name) if v.strip()]
    return any(fnmatch.fnmatchcase(n, p) for p in patterns for n in names)


@dataclass(frozen=True, slots=True)
class Queue:
    """One work queue."""

    name: str
    title: str
    team: str
    recoverability: Decimal  # weight for findings whose category is not a DenialCategory
    description: str = ""
    catch_all: bool = False
    match: QueueMatch = QueueMatch()
    position: int = 0  # evaluation order, from 0


@dataclass(frozen=True, slots=True, eq=False)
class QueueBook:
    """Every queue in evaluation order; route() picks one for a finding."""

    file: Path
    queues: tuple[Queue, ...]

    def route(
        self, kind: str, category: str, payer_id: str, payer_name: str, amount: Decimal
    ) -> Queue:
        """The first queue whose match fits; the catch-all when none does."""
        for queue in self.queues:
            if queue.catch_all or queue.match.fits(kind, category, payer_id, payer_name, amount):
                return queue
        raise AssertionError("a loaded QueueBook always ends with a catch-all")

    def named(self, name: str) -> Queue | None:
        """A queue by name."""
        return next((q for q in self.queues if q.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        """Queue names in evaluation order."""
        return tuple(q.name for q in self.queues)

    def weight_for(self, queue: Queue, category: str) -> Decimal | None:
        """None when the category is a DenialCategory (the payer rules weigh it), else the
        queue's own recoverability."""
        return None if category in _DENIAL_CATEGORIES else queue.recoverability


_DENIAL_CATEGORIES = frozenset(c.value for c in DenialCategory)


def load_queues(
    path: Path | None = None,
    *,
    kinds: Collection[str] | None = None,
    categories: Collection[str] | None = None,
) -> QueueBook:
    """Load and check queues.toml; raise RuleError naming file, key and cause of each problem."""
    book, problems = _load(path or DEFAULT_QUEUES_FILE, kinds, categories)
    if problems or book is None:
        raise RuleError(problems)
    return book


def check_queues(
    path: Path | None = None,
    *,
    kinds: Collection[str] | None = None,
    categories: Collection[str] | None = None,
) -> list[str]:
    """Every problem as 'file: key: message' lines (empty = all good)."""
    return [str(p) for p in _load(path or DEFAULT_QUEUES_FILE, kinds, categories)[1]]


@cache
def default_queues() -> QueueBook:
    """The shipped queues.toml, loaded once per process (unchecked against a registry)."""
    return load_queues()


def _load(
    path: Path, kinds: Collection[str] | None, categories: Collection[str] | None
) -> tuple[QueueBook | None, list[Problem]]:
    """Read, convert and check; problems are collected, never raised."""
    label = str(path)
    problems: list[Problem] = []

    def report(key: str, message: str) -> None:
        problem = Problem(label, key, message)
        if problem not in problems:
            problems.append(problem)

    raw = _read(path, report)
    if raw is None:
        return None, problems
    entries = raw.get("queue")
    for key in raw:
        if key != "queue":
            report(key, f"unknown key{did_you_mean(key, ['queue'])}; queues are [[queue]] tables")
    if not isinstance(entries, list) or not entries:
        report("queue", "required: at least one [[queue]] table")
        return None, problems
    queues = [_queue(entry, i, report, kinds, categories) for i, entry in enumerate(entries)]
    built = [q for q in queues if q is not None]
    _check_book(built, len(entries), report)
    if problems:
        return None, problems
    return QueueBook(path, tuple(built)), []


def _read(path: Path, report: Report) -> dict[str, Any] | None:
    """Parse the TOML file; None (with the problem reported) when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        report("file", "queue file not found")
    except tomllib.TOMLDecodeError as exc:
        report("file", f"not valid TOML: {exc}")
    except OSError as exc:
        report("file", f"cannot read: {exc}")
    return None


def _queue(
    entry: Any,
    index: int,
    report: Report,
    kinds: Collection[str] | None,
    categories: Collection[str] | None,
) -> Queue | None:
    """One [[queue]] table as a Queue; None after reporting what is missing or wrong."""
    where = f"queue[{index + 1}]"
    if not isinstance(entry, dict):
        report(where, "must be a table: write [[queue]] followed by its keys")
        return None
    if isinstance(entry.get("name"), str):
        where = f"queue[{index + 1}] ({entry['name'].strip()})"
    before: list[str] = []

    def local(key: str, message: str) -> None:
        before.append(key)
        report(key, message)

    values = convert_table(entry, QUEUE, where + ".", local)
    for required in ("name", "title", "team"):
        if required not in entry:
            local(f"{where}.{required}", "required")
    match_raw = values.get("match", {})
    _check_known(match_raw, where, local, kinds, categories)
    _check_match(values, entry, where, local)
    if before:
        return None
    return Queue(
        name=values["name"],
        title=values["title"],
        team=values["team"],
        recoverability=values.get("recoverability", DEFAULT_RECOVERABILITY),
        description=values.get("description", ""),
        catch_all=values.get("catch_all", False),
        match=QueueMatch(**match_raw),
        position=index,
    )


def _check_known(
    match: Mapping[str, Any],
    where: str,
    report: Report,
    kinds: Collection[str] | None,
    categories: Collection[str] | None,
) -> None:
    """Kinds and categories the caller knows; a misspelling would route nothing."""
    for key, known in (("kinds", kinds), ("categories", categories)):
        if known is None:
            continue
        for value in match.get(key, ()):
            if value not in known:
                report(
                    f"{where}.match.{key}",
                    f"unknown {key[:-1]} {value!r}{did_you_mean(value, known)}",
                )


def _check_match(
    values: Mapping[str, Any], entry: Mapping[str, Any], where: str, report: Report
) -> None:
    """A catch-all has no match; any other queue needs one; amount ranges must make sense."""
    match = values.get("match", {})
    if values.get("catch_all"):
        if "match" in entry:
            report(f"{where}.match", "a catch_all queue takes everything; remove its match table")
        return
    if "match" not in entry:
        report(f"{where}.match", "required (or catch_all = true on the last queue)")
    elif not match and isinstance(entry.get("match"), dict) and not entry["match"]:
        report(f"{where}.match", "empty: give kinds, categories, payers or an amount range")
    low, high = match.get("min_amount"), match.get("max_amount")
    if low is not None and high is not None and low >= high:
        report(f"{where}.match.max_amount", f"must be above min_amount ({low}), not {high}")


def _check_book(queues: list[Queue], count: int, report: Report) -> None:
    """Unique names; exactly one catch-all, and it comes last."""
    seen: set[str] = set()
    for queue in queues:
        if queue.name in seen:
            report(f"queue[{queue.position + 1}] ({queue.name}).name", "duplicate queue name")
        seen.add(queue.name)
    catch_alls = [q for q in queues if q.catch_all]
    if len(queues) < count:
        return  # a broken queue is already reported; its catch_all flag is unknown
    if not catch_alls:
        report(
            "queue",
            "the last queue must be a catch-all (catch_all = true) so no finding "
            "is left without a queue",
        )
    for queue in catch_alls:
        if queue.position != count - 1:
            report(
                f"queue[{queue.position + 1}] ({queue.name}).catch_all",
                "only the last queue may be a catch-all: the queues after it get nothing",
            )


__all__ = [
    "DEFAULT_QUEUES_FILE",
    "Queue",
    "QueueBook",
    "QueueMatch",
    "check_queues",
    "default_queues",
    "load_queues",
]
