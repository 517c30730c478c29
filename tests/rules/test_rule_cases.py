"""Rule tests as data (sqlfluff style): each YAML file under cases/ holds passing and failing Dockerfiles for one
rule, with the expected line, path and severity of every finding of that rule."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from venvlint.lint import LintOptions, lint_file
from venvlint.rules import all_rules, find_rule

CASES_DIR = Path(__file__).parent / "cases"


def _load() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for f in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(f.read_text())
        for case in data["cases"]:
            out.append((data["rule"], case))
    return out


CASES = _load()


def _setup(case: dict[str, Any], tmp_path: Path) -> tuple[Path, LintOptions]:
    """Lay a case out in `tmp_path` (its context files and modes, its Dockerfile); the options it is linted with."""
    for rel, content in (case.get("context") or {}).items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(str(content))
    for rel, mode in sorted((case.get("modes") or {}).items(), key=lambda kv: -kv[0].count("/")):
        os.chmod(tmp_path / rel, int(str(mode), 8))
    df = tmp_path / "Dockerfile"
    df.write_text(case["dockerfile"])
    return df, case_options(case)


def case_options(case: dict[str, Any]) -> LintOptions:
    return LintOptions(
        runtime_users=tuple(case.get("runtime_users") or ()),
        builder=case.get("builder", "buildkit"),
        build_args=case.get("build_args") or {},
    )


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r}-{c['name']}" for r, c in CASES])
def test_rule_case(rule: str, case: dict[str, Any], tmp_path: Path) -> None:
    df, options = _setup(case, tmp_path)
    result = lint_file(str(df), options)
    assert result.error is None, result.error
    code = find_rule(rule).code  # type: ignore[union-attr]
    got = sorted((f.line, f.path, f.severity.value) for f in result.findings if f.code == code)
    expected = sorted((e["line"], e["path"], e.get("severity", find_rule(rule).severity.value)) for e in case["expect"])  # type: ignore[union-attr]
    assert got == expected, [f.message for f in result.findings if f.code == code]
    # The other lines a finding names (the USER, the account, the WORKDIR that made a place), where a case says.
    for e in case["expect"]:
        if "related" in e:
            found = next(f for f in result.findings if f.code == code and (f.line, f.path) == (e["line"], e["path"]))
            assert sorted(found.related) == sorted(e["related"]), found.message


def test_every_rule_has_passing_and_failing_cases() -> None:
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for rule, case in CASES:
        by_rule.setdefault(find_rule(rule).code, []).append(case)  # type: ignore[union-attr]
    for r in all_rules():
        cases = by_rule.get(r.code, [])
        assert any(c["expect"] for c in cases), f"{r.code} has no failing case"
        assert any(not c["expect"] for c in cases), f"{r.code} has no passing case"


def test_every_claimed_scenario_has_a_case() -> None:
    # A scenario counts as covered only by a case where the rule fires.
    covered = {(find_rule(r).code, s) for r, c in CASES if c["expect"] for s in c.get("scenarios", [])}  # type: ignore[union-attr]
    for r in all_rules():
        for s in r.scenarios:
            assert (r.code, s) in covered, f"{r.code} claims {s} but no case exercises it"
