"""Load default.toml and payers/*.toml, check every key, and build the Rulebook.

A payer file overrides default.toml key by key (tables merge key by key too). Fee-schedule
paths are relative to the rules directory. Every problem is collected, so `claimsdesk rules
check` can show them all at once; load_rulebook() raises RuleError listing them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .categories import RECOVERABILITY
from .fee_schedule import read_fee_schedule
from .model import (
    AppealMethod,
    AppealRoute,
    Contract,
    ContractMethod,
    FeeSchedule,
    PayerRules,
    Problem,
    Rulebook,
    RuleError,
    SecondaryRules,
    Tolerance,
)
from .schema import FILE, convert_table

DEFAULT_DIRECTORY = Path(__file__).resolve().parent
DEFAULT_FILE = "default.toml"
PAYER_DIRECTORY = "payers"

REQUIRED = ("appeal_days", "appeal_receipt_days", "follow_up_days", "crossover_wait_days")
METHOD_NEEDS: Mapping[ContractMethod, tuple[str, ...]] = {
    ContractMethod.FEE_SCHEDULE: ("fee_schedule",),
    ContractMethod.PERCENT_OF_BILLED: ("percent",),
    ContractMethod.PERCENT_OF_BASE: ("percent", "base_schedule"),
    ContractMethod.PER_DIEM: ("per_diem_rate",),
    ContractMethod.CASE_RATE: ("case_rates",),
}
APPEAL_NEEDS: Mapping[AppealMethod, tuple[str, ...]] = {
    AppealMethod.MAIL: ("name", "lines", "city", "state", "postal_code"),
    AppealMethod.FAX: ("fax",),
    AppealMethod.PORTAL: ("portal",),
    AppealMethod.ELECTRONIC: (),
}


@dataclass
class _Session:
    """One load: the directory, problems found so far and schedules already read."""

    directory: Path
    problems: list[Problem] = field(default_factory=list)
    schedules: dict[Path, FeeSchedule | None] = field(default_factory=dict)
    reported: int = 0  # counts repeats too, so a build knows it met a problem

    def add(self, file: str, key: str, message: str) -> None:
        """Record a problem once, however many payers inherit it."""
        self.reported += 1
        problem = Problem(file, key, message)
        if problem not in self.problems:
            self.problems.append(problem)


def load_rulebook(directory: Path | None = None) -> Rulebook:
    """Load and check every rule file; raise RuleError naming each problem."""
    rulebook, problems = _load(directory or DEFAULT_DIRECTORY)
    if problems or rulebook is None:
        raise RuleError(problems)
    return rulebook


def check_rules(directory: Path | None = None) -> list[str]:
    """Every problem in the rule files as 'file: key: message' lines (empty = all good)."""
    return [str(p) for p in _load(directory or DEFAULT_DIRECTORY)[1]]


def _load(directory: Path) -> tuple[Rulebook | None, list[Problem]]:
    """Read, convert, merge and build; problems are collected, never raised."""
    session = _Session(directory)
    default_path = directory / DEFAULT_FILE
    default_raw = _read(default_path, session, is_default=True)
    payer_paths = sorted((directory / PAYER_DIRECTORY).glob("*.toml"))
    payer_raws = [(path, _read(path, session, is_default=False)) for path in payer_paths]
    if default_raw is None:
        return None, session.problems
    default = _build("default", default_raw, (default_path,), session)
    payers: list[PayerRules] = []
    for path, raw in payer_raws:
        if raw is not None:
            built = _build(path.stem, _merge(default_raw, raw), (default_path, path), session)
            if built is not None:
                payers.append(built)
    by_id = _index(payers, session)
    if default is None or session.problems:
        return None, session.problems
    book = Rulebook(directory, default, tuple(payers), MappingProxyType(by_id))
    return book, []


def _read(path: Path, session: _Session, *, is_default: bool) -> dict[str, Any] | None:
    """Parse one TOML file and convert its keys; None when unreadable."""
    label = str(path)
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        session.add(label, "file", "rule file not found")
        return None
    except tomllib.TOMLDecodeError as exc:
        session.add(label, "file", f"not valid TOML: {exc}")
        return None
    except OSError as exc:
        session.add(label, "file", f"cannot read: {exc}")
        return None
    converted = convert_table(raw, FILE, "", lambda key, msg: session.add(label, key, msg))
    _check_file_shape(raw, label, session, is_default=is_default)
    return converted


def _check_file_shape(
    raw: Mapping[str, Any], label: str, session: _Session, *, is_default: bool
) -> None:
    """default.toml matches every payer; a payer file must say which payers it is for."""
    if is_default:
        if "match" in raw:
            session.add(
                label, "match", "default.toml applies to every payer; move match to a payer file"
            )
        return
    if "name" not in raw:
        session.add(label, "name", "required: the payer's display name")
    match = raw.get("match")
    if not isinstance(match, dict) or not (match.get("payer_ids") or match.get("names")):
        session.add(label, "match", "required: match.payer_ids and/or match.names")


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Payer file over defaults, key by key, tables recursively."""
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            out[key] = _merge(old, value)
        else:
            out[key] = value
    return out


def _build(
    key: str, rules: Mapping[str, Any], files: tuple[Path, ...], session: _Session
) -> PayerRules | None:
    """Typed PayerRules from a merged, converted table; None after reporting gaps."""
    label = str(files[-1])
    before = session.reported
    _check_required(rules, label, session, is_default=key == "default")
    contract_table = rules.get("contract", {})
    contract = _contract(contract_table, "contract", label, session)
    institutional = None
    if "institutional_contract" in rules:
        table = _merge(contract_table, rules["institutional_contract"])
        institutional = _contract(table, "institutional_contract", label, session)
    appeal = _appeal(rules.get("appeal", {}), label, session)
    if session.reported > before:
        return None
    match = rules.get("match", {})
    return PayerRules(
        key=key,
        name=rules.get("name", key),
        timely_filing_days=rules.get("timely_filing_days", 0),
        timely_filing_months=rules.get("timely_filing_months"),
        appeal_days=rules["appeal_days"],
        appeal_receipt_days=rules["appeal_receipt_days"],
        follow_up_days=rules["follow_up_days"],
        crossover_wait_days=rules["crossover_wait_days"],
        payer_ids=match.get("payer_ids", ()) if key != "default" else (),
        name_patterns=match.get("names", ()) if key != "default" else (),
        files=files,
        contract=contract,
        institutional_contract=institutional,
        tolerance=_tolerance(contract_table),
        carc_category=MappingProxyType(dict(rules.get("carc_category", {}))),
        recoverability=MappingProxyType({**RECOVERABILITY, **rules.get("recoverability", {})}),
        appeal=appeal,
        secondary=SecondaryRules(**rules.get("secondary", {})),
        sources=rules.get("sources", ()),
    )


def _check_required(
    rules: Mapping[str, Any], label: str, session: _Session, *, is_default: bool
) -> None:
    """Every payer needs every clock, from its own file or from default.toml."""
    where = "" if is_default else " (set it here or in default.toml)"
    for name in REQUIRED:
        if name not in rules:
            session.add(label, name, f"required{where}")
    if "timely_filing_days" not in rules and "timely_filing_months" not in rules:
        session.add(label, "timely_filing_days", f"required, or timely_filing_months{where}")


def _tolerance(table: Mapping[str, Any]) -> Tolerance:
    """Tolerance keys of a contract table, zero when absent."""
    return Tolerance(
        amount=table.get("tolerance_amount", Decimal("0.00")),
        percent=table.get("tolerance_percent", Decimal("0")),
    )


def _contract(
    table: Mapping[str, Any], prefix: str, label: str, session: _Session
) -> Contract | None:
    """A Contract when the table names a method with everything that method needs."""
    method = table.get("method")
    if method is None:
        priced = [
            k
            for k in ("fee_schedule", "base_schedule", "percent", "per_diem_rate", "case_rates")
            if k in table
        ]
        if priced:
            session.add(
                label, f"{prefix}.method", f"required when {prefix} sets {', '.join(priced)}"
            )
        return None
    for need in METHOD_NEEDS[method]:
        if not table.get(need):
            session.add(label, f"{prefix}.{need}", f"required when method = {str(method)!r}")
    schedules = {
        name: _schedule(table[name], f"{prefix}.{name}", label, session)
        for name in ("fee_schedule", "base_schedule")
        if name in table and name in METHOD_NEEDS[method]
    }
    return Contract(
        method=method,
        tolerance=_tolerance(table),
        percent=table.get("percent"),
        fee_schedule=schedules.get("fee_schedule"),
        base_schedule=schedules.get("base_schedule"),
        per_diem_rate=table.get("per_diem_rate"),
        case_rates=MappingProxyType(dict(table.get("case_rates", {}))),
    )


def _schedule(relative: str, key: str, label: str, session: _Session) -> FeeSchedule | None:
    """Read a fee schedule once per load; a missing file is reported against the TOML key."""
    path = session.directory / relative
    if not path.is_file():
        session.add(label, key, f"fee schedule {relative!r} not found (looked for {path})")
        return None
    if path not in session.schedules:
        schedule, problems = read_fee_schedule(path, str(path))
        session.schedules[path] = schedule
        for problem in problems:
            session.add(problem.file, problem.key, problem.message)
    return session.schedules[path]


def _appeal(table: Mapping[str, Any], label: str, session: _Session) -> AppealRoute:
    """The appeal route, with what its method needs (a mail appeal needs an address)."""
    method = table.get("method")
    if method is not None:
        for need in APPEAL_NEEDS[method]:
            if not table.get(need):
                session.add(
                    label, f"appeal.{need}", f"required when appeal.method = {str(method)!r}"
                )
    return AppealRoute(**table)


def _index(payers: list[PayerRules], session: _Session) -> dict[str, PayerRules]:
    """Payer id -> rules; an id claimed by two files is a problem."""
    by_id: dict[str, PayerRules] = {}
    for rules in payers:
        for payer_id in rules.payer_ids:
            folded = payer_id.casefold()
            other = by_id.get(folded)
            if other is not None:
                session.add(
                    str(rules.files[-1]),
                    "match.payer_ids",
                    f"payer id {payer_id!r} is already used by {other.files[-1]}",
                )
            else:
                by_id[folded] = rules
    return by_id


__all__ = ["DEFAULT_DIRECTORY", "check_rules", "load_rulebook"]
