"""Import rules that keep layers honest: readers and rules stand alone, the web uses services."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def offending(package: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    out = []
    for path in modules(package):
        for line, name in imports_of(path):
            bad = any(name == f or name.startswith(f + ".") for f in forbidden)
            if bad and not any(name == a or name.startswith(a + ".") for a in allowed):
                out.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return out


def test_parsers_import_nothing_of_ours_nor_db_or_web() -> None:
    forbidden = ("claimsdesk", "payer_rules", "sqlalchemy", "flask", "alembic", "psycopg")
    assert offending("parsers", forbidden) == []


def test_payer_rules_never_import_claimsdesk_db_or_web() -> None:
    forbidden = ("claimsdesk", "sqlalchemy", "flask", "alembic", "psycopg")
    assert offending("payer_rules", forbidden) == []


def test_web_layer_goes_through_services() -> None:
    if not (ROOT / "claimsdesk" / "web").exists():
        pytest.skip("no web layer yet")
    forbidden = ("sqlalchemy", "claimsdesk.storage")
    allowed = ("sqlalchemy.orm.Session", "sqlalchemy.orm", "claimsdesk.storage.db")
    problems = offending("claimsdesk/web", forbidden, allowed)
    db_users = [
        p
        for p in offending("claimsdesk/web", ("claimsdesk.storage.db",))
        if not p.startswith("claimsdesk/web/__init__.py")
    ]
    assert problems + db_users == []


def module_level_calls(path: Path) -> Iterator[ast.Call]:
    """Calls that run when the module is imported (outside function and class bodies)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        yield from (sub for sub in ast.walk(node) if isinstance(sub, ast.Call))


def test_no_engine_is_created_at_import_time() -> None:
    """Engines are made by functions in storage/db.py when asked, never on import."""
    makers = ("create_engine", "make_engine")
    for path in modules("claimsdesk") + modules("parsers") + modules("payer_rules"):
        for call in module_level_calls(path):
            name = getattr(call.func, "attr", getattr(call.func, "id", ""))
            assert name not in makers, f"{path.relative_to(ROOT)}:{call.lineno} makes an engine"


def test_test_modules_have_unique_basenames() -> None:
    """Test folders have no __init__.py, so two test_x.py files would collide on collection."""
    seen: dict[str, Path] = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        assert path.name not in seen, f"{path} and {seen[path.name]} share a module name"
        seen[path.name] = path
