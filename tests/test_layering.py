"""The architecture's one direction of dependency, checked on the source itself.

(`lint-imports` checks the same contracts in `make test`; this test keeps them
when only pytest runs.)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "icmdesk"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def modules_of(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    offenders = {
        f"{p.relative_to(PACKAGE)}: {m}"
        for p in modules_of("domain")
        for m in imported_modules(p)
        if m.split(".")[0] not in sys.stdlib_module_names
        and not m.startswith("icmdesk.domain")
        and m != "__future__"
    }
    assert not offenders


@pytest.mark.parametrize("layer", ["domain", "models", "services", "reports"])
def test_no_qt_below_the_ui(layer: str) -> None:
    offenders = {
        f"{p.relative_to(PACKAGE)}: {m}"
        for p in modules_of(layer)
        for m in imported_modules(p)
        if m.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6")
    }
    assert not offenders


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("domain", ("icmdesk.models", "icmdesk.services", "icmdesk.reports", "icmdesk.ui")),
        ("models", ("icmdesk.services", "icmdesk.reports", "icmdesk.ui", "icmdesk.cli")),
        ("reports", ("icmdesk.models", "icmdesk.services", "icmdesk.ui", "icmdesk.cli")),
        ("services", ("icmdesk.ui", "icmdesk.cli")),
        ("ui", ("icmdesk.models", "icmdesk.services.store", "sqlalchemy")),
    ],
)
def test_nothing_imports_upward(layer: str, forbidden: tuple[str, ...]) -> None:
    offenders = {
        f"{p.relative_to(PACKAGE)}: {m}"
        for p in modules_of(layer)
        for m in imported_modules(p)
        if m.startswith(forbidden)
    }
    assert not offenders


# What would open a session or reach the database through the company handle
# (services.company.CompanyHandle): the ui only passes the handle to services.
SESSION_ATTRIBUTES = frozenset({"session", "sessions", "engine", "raw_connection"})


def session_uses(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        f"line {node.lineno}: .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in SESSION_ATTRIBUTES
    }


def test_the_ui_never_touches_a_session() -> None:
    offenders = {
        f"{p.relative_to(PACKAGE)}: {use}" for p in modules_of("ui") for use in session_uses(p)
    }
    assert not offenders


def test_the_layering_test_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom PySide6.QtCore import Qt\n")
    assert {"sqlalchemy", "PySide6.QtCore"} <= imported_modules(bad)
    bad.write_text("with cf.session() as s:\n    cf.engine.dispose()\n")
    assert {u.split(": ")[1] for u in session_uses(bad)} == {".session", ".engine"}
