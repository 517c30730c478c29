"""The core around the rules (venvlint.lint): stamping, premises, superseding, one cause one finding, rule crashes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import venvlint.rules
from venvlint.findings import BuildStop, PathSetAt, Problem, Severity
from venvlint.lint import LintOptions, apply_rules, lint_file, merge_tree, stamp
from venvlint.lint_command import LintRequest, run_lint
from venvlint.model.access import Premise, PremiseKind
from venvlint.model.fs import Knowledge
from venvlint.relations import Supersedes
from venvlint.rules.relations import SUPERSESSIONS


@dataclass(frozen=True)
class FakeRule:
    code: str
    name: str
    severity: Severity
    check: Callable[[Any], Iterable[Problem]]


def premise(knowledge: Knowledge) -> Premise:
    return Premise(PremiseKind.PATH, "/opt/x", knowledge, 3, 0, 0, 0o755, "that /opt/x did not exist before line 3")


def test_the_core_stamps_code_name_and_severity() -> None:
    rule = FakeRule("VL900", "fake", Severity.ERROR, lambda a: ())
    f = stamp(rule, Problem(4, "/x", "m", "fix"))
    assert f is not None and (f.code, f.name, f.severity, f.line) == ("VL900", "fake", Severity.ERROR, 4)
    configured = stamp(rule, Problem(4, "/x", "m", "fix"), Severity.INFO)
    assert configured is not None and configured.severity is Severity.INFO


def test_an_assumed_premise_caps_an_error_at_warning_and_is_named() -> None:
    rule = FakeRule("VL900", "fake", Severity.ERROR, lambda a: ())
    f = stamp(rule, Problem(4, "/x", "m", "fix", premises=(premise(Knowledge.BUILT), premise(Knowledge.ASSUMED))))
    assert f is not None and f.severity is Severity.WARNING
    assert f.assumptions == ("that /opt/x did not exist before line 3",)
    assert stamp(rule, Problem(4, "/x", "m", "fix", premises=(premise(Knowledge.PROFILE),))).severity is Severity.ERROR  # type: ignore[union-attr]
    assert stamp(rule, Problem(4, "/x", "m", "fix", premises=(premise(Knowledge.UNKNOWN),))) is None


def test_a_superseded_problem_is_dropped_only_while_the_superseding_rule_runs() -> None:
    main = FakeRule(
        "VL901", "main", Severity.ERROR, lambda a: [Problem(8, "/v", "main", "f", causes=(PathSetAt(8, "/v"),))]
    )
    other = FakeRule(
        "VL902",
        "other",
        Severity.ERROR,
        lambda a: [
            Problem(13, "/v", "other", "f", causes=(PathSetAt(8, "/v"),)),
            Problem(14, "/w", "w", "f", causes=(PathSetAt(9, "/w"),)),
        ],
    )
    relations = [Supersedes("VL902", by="VL901", on=PathSetAt, why="test")]
    found, failures = apply_rules(None, [main, other], LintOptions(), relations)  # type: ignore[arg-type]
    assert failures == [] and [(f.code, f.line) for f in found] == [("VL901", 8), ("VL902", 14)]
    alone, _ = apply_rules(None, [other], LintOptions(), relations)  # type: ignore[arg-type]
    assert [(f.code, f.line) for f in alone] == [("VL902", 13), ("VL902", 14)]


def test_a_relation_applies_only_to_its_kind_of_cause_and_severity() -> None:
    stop = FakeRule("VL901", "stop", Severity.ERROR, lambda a: [Problem(8, "/v", "m", "f", causes=(BuildStop(8),))])
    other = FakeRule(
        "VL902",
        "other",
        Severity.ERROR,
        lambda a: [
            Problem(8, "", "a", "f", causes=(BuildStop(8),)),
            Problem(9, "/v", "b", "f", causes=(PathSetAt(8, "/v"),)),
        ],
    )
    on_paths = [Supersedes("VL902", by="VL901", on=PathSetAt, why="test")]
    found, _ = apply_rules(None, [stop, other], LintOptions(), on_paths)  # type: ignore[arg-type]
    assert [(f.code, f.line) for f in found] == [("VL901", 8), ("VL902", 8), ("VL902", 9)]
    on_stops = [Supersedes("VL902", by="VL901", on=BuildStop, why="test")]
    found, _ = apply_rules(None, [stop, other], LintOptions(), on_stops)  # type: ignore[arg-type]
    assert [(f.code, f.line) for f in found] == [("VL901", 8), ("VL902", 9)]
    milder = LintOptions(severity={"VL901": Severity.INFO})
    found, _ = apply_rules(None, [stop, other], milder, on_stops)  # type: ignore[arg-type]
    assert [(f.code, f.line) for f in found] == [("VL901", 8), ("VL902", 8), ("VL902", 9)]


def test_every_relation_names_rules_that_exist_and_differ() -> None:
    codes = {r.code for r in venvlint.rules.all_rules()}
    assert SUPERSESSIONS
    for r in SUPERSESSIONS:
        assert r.rule in codes and r.by in codes and r.rule != r.by, r
        assert r.on in (BuildStop, PathSetAt) and r.why, r


def test_one_cause_one_finding_at_the_top_path() -> None:
    rule = FakeRule("VL900", "fake", Severity.ERROR, lambda a: ())
    problems = [Problem(5, f"/app/{n}", "m", "f") for n in ("a", "a/b", "a/b/c")] + [Problem(5, "/srv", "m", "f")]
    merged = merge_tree([f for p in problems if (f := stamp(rule, p)) is not None])
    assert sorted((p.path, p.count) for p in merged) == [("/app/a", 3), ("/srv", 1)]
    assert any("2 more paths below `/app/a`" in p.message for p in merged)


def test_a_merged_finding_keeps_a_childs_known_error_over_an_assumed_top() -> None:
    rule = FakeRule("VL900", "fake", Severity.ERROR, lambda a: ())
    top = stamp(rule, Problem(5, "/app", "top", "f", premises=(premise(Knowledge.ASSUMED),)))
    child = stamp(rule, Problem(5, "/app/bin", "child", "f", premises=(premise(Knowledge.BUILT),)))
    assert top is not None and child is not None and top.severity is Severity.WARNING
    (merged,) = merge_tree([top, child])
    assert merged.severity is Severity.ERROR and merged.assumptions == () and merged.count == 2


def test_a_rule_that_raises_is_an_error_naming_it_and_the_others_still_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(a: Any) -> Iterable[Problem]:
        raise RuntimeError("boom")

    real = venvlint.rules.all_rules()
    rules = (*real, venvlint.rules.Rule("VL999", "broken", Severity.ERROR, "", "", (), (), False, broken, "x"))
    monkeypatch.setattr(venvlint.rules, "all_rules", lambda: rules)
    good = tmp_path / "a" / "Dockerfile"
    bad = tmp_path / "b" / "Dockerfile"
    for df in (good, bad):
        df.parent.mkdir()
    good.write_text("FROM python:3.12-slim\nRUN python -m venv /opt/v\nUSER nobody\nRUN /opt/v/bin/pip install x\n")
    bad.write_text("FROM python:3.12-slim\n")
    result = lint_file(str(good), LintOptions())
    assert result.error is not None and "rule VL999 (broken) failed: RuntimeError: boom" in result.error
    assert str(good) in result.error
    assert any(f.code == "VL002" for f in result.findings)  # the other rules still ran
    assert run_lint(LintRequest(dockerfiles=[str(good), str(bad)], jobs=1, fmt="json", output=str(tmp_path / "o"))) == 2
    out = (tmp_path / "o").read_text()
    assert out.count("VL999") == 2 and "VL002" in out


def test_a_problem_about_the_base_image_points_at_its_from_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def base(a: Any) -> Iterable[Problem]:
        yield Problem(0, "/opt/app-root", "from the base image", "f", stage="final")

    rules = (venvlint.rules.Rule("VL998", "base", Severity.WARNING, "", "", (), (), False, base, "x"),)
    monkeypatch.setattr(venvlint.rules, "all_rules", lambda: rules)
    df = tmp_path / "Dockerfile"
    df.write_text("FROM python:3.12-slim AS build\nRUN true\n\n# the image\nFROM python:3.12-slim AS final\nUSER 0\n")
    found = lint_file(str(df), LintOptions()).findings
    assert [(f.code, f.line) for f in found] == [("VL998", 5)]
