"""Rules are written against the query API: they import from `venvlint.query`, `venvlint.findings` and
`venvlint.edits` only (and the standard library, and each other's shared helpers), and reach no private part."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[2] / "rules"
ALLOWED = {"venvlint.query", "venvlint.findings", "venvlint.edits"}
NAMEDTUPLE = {"_replace", "_asdict", "_fields"}  # public methods of a NamedTuple (Node, Change)
RULE_FILES = sorted([*RULES.glob("vl*.py"), RULES / "_common.py"])


def imported(tree: ast.Module) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append(node.module)
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names]
    return out


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_a_rule_imports_only_the_api(path: Path) -> None:
    tree = ast.parse(path.read_text())
    outside = [
        m
        for m in imported(tree)
        if m not in ALLOWED and m != "__future__" and m.split(".")[0] not in sys.stdlib_module_names
    ]
    assert outside == [], f"{path.name} imports {outside}: ask venvlint.query instead"
    private = [
        f"line {n.lineno}: .{n.attr}"
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and n.attr.startswith("_") and not n.attr.startswith("__")
        and n.attr not in NAMEDTUPLE and not (isinstance(n.value, ast.Name) and n.value.id == "self")
    ]  # fmt: skip
    assert private == [], f"{path.name} reaches private parts: {private}"


def test_the_check_catches_an_import_of_the_simulator() -> None:
    tree = ast.parse("from venvlint.simulate.engine import runtime_env\nimport posixpath\n")
    assert [m for m in imported(tree) if m not in ALLOWED and m.split(".")[0] not in sys.stdlib_module_names] == [
        "venvlint.simulate.engine"
    ]
