"""venvlint rules: one module per rule, like yamllint.

A rule module defines `CODE` ("VL001"), `NAME` (a readable, stable name), `SEVERITY` (its default), `SUMMARY` (one
line), `SCENARIOS` (the ids of rules/_scenarios.py it covers: what users reported), `REFERENCES` (issue links), `FIX` (how `--fix` treats the documented example's fix: safe, unsafe or manual),
a module
docstring that *is* its documentation (headings: What it does / Why is this bad? / Example / Use instead), and
`check(build)` (a `venvlint.query.Build`) yielding `findings.Problem`s. The core (`venvlint.lint`) stamps code, name and severity and decides
overlaps by the relations of `relations.py` (which rule gives way to which, on what kind of cause): no rule knows
whether another is enabled. Rules are found by their module names (`vlNNN_*.py`); nothing lists
them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

from venvlint.findings import Problem, Severity
from venvlint.query import Build


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    scenarios: tuple[str, ...]
    references: tuple[str, ...]
    fix: str  # safe | unsafe | manual
    check: Callable[[Build], Iterable[Problem]]
    module: str


def _fix_kind(mod: ModuleType) -> str:
    kind = getattr(mod, "FIX", "manual")
    if kind not in ("safe", "unsafe", "manual"):
        raise ValueError(f"{mod.__name__}: FIX must be safe, unsafe or manual, not {kind!r}")
    return str(kind)


def _rule_from(mod: ModuleType) -> Rule:
    return Rule(
        code=mod.CODE,
        name=mod.NAME,
        severity=mod.SEVERITY,
        summary=mod.SUMMARY,
        doc=(mod.__doc__ or "").strip(),
        scenarios=tuple(getattr(mod, "SCENARIOS", ())),
        references=tuple(getattr(mod, "REFERENCES", ())),
        fix=_fix_kind(mod),
        check=mod.check,
        module=mod.__name__,
    )


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    """Every rule module of this package (modules named `vlNNN_*`), in code order."""
    rules = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("vl") and info.name[2:5].isdigit():
            rules.append(_rule_from(importlib.import_module(f"{__name__}.{info.name}")))
    rules.sort(key=lambda r: r.code)
    return tuple(rules)


def find_rule(key: str) -> Rule | None:
    """A rule by code (`VL001`, case-insensitive) or by name (`venv-dir-reset-by-copy`)."""
    k = key.strip().lower()
    for r in all_rules():
        if r.code.lower() == k or r.name == k:
            return r
    return None
