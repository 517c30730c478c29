"""Every rule has its generated documentation page, and the page is up to date with the rule module."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from venvlint.lint import LintOptions, lint_file
from venvlint.report.ruledoc import HEADINGS, page_name, render
from venvlint.rules import all_rules

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"


def test_pages_exist_and_are_current() -> None:
    for rule in all_rules():
        page = DOCS / page_name(rule)
        assert page.is_file(), f"missing {page}: run python -m venvlint.report.ruledoc docs/rules"
        assert page.read_text() == render(rule), f"stale {page}: run python -m venvlint.report.ruledoc docs/rules"


def test_no_orphan_pages() -> None:
    names = {page_name(r) for r in all_rules()}
    assert {p.name for p in DOCS.glob("*.md")} == names


def test_docstrings_have_the_headings_and_examples() -> None:
    for rule in all_rules():
        for h in HEADINGS:
            assert h in rule.doc, (rule.code, h)
        assert "```dockerfile" in rule.doc, rule.code
        assert rule.references, rule.code


def test_codes_and_names_are_unique() -> None:
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules) == len({r.name for r in rules})


def test_rules_command_lists_them() -> None:
    exe = shutil.which("venvlint")
    assert exe
    out = subprocess.run([exe, "rules", "--format", "json"], capture_output=True, text=True, check=True).stdout
    listed = json.loads(out)["rules"]
    assert [r["code"] for r in listed] == [r.code for r in all_rules()]
    assert set(listed[0]) == {"code", "name", "severity", "summary"}
    page = subprocess.run([exe, "rule", "dir-reset-by-copy"], capture_output=True, text=True, check=True).stdout
    assert "What it does" in page


def _example(rule_doc: str) -> tuple[str, list[str], list[str]]:
    """The first Dockerfile of a rule's Example section, the context files its `Context:` line names and the
    command-line options its `Linted with:` line gives."""
    section = rule_doc.split("## Example", 1)[1].split("## Use instead", 1)[0]
    dockerfile = section.split("```dockerfile\n", 1)[1].split("```", 1)[0]
    context = re.findall(r"`([^`]+)`", next((ln for ln in section.splitlines() if ln.startswith("Context:")), ""))
    options = re.findall(r"`([^`]+)`", next((ln for ln in section.splitlines() if ln.startswith("Linted with:")), ""))
    return dockerfile, context, [w for o in options for w in o.split()]


@pytest.mark.parametrize("rule", all_rules(), ids=[r.code for r in all_rules()])
def test_the_documented_example_gives_the_rules_finding(rule: Any, tmp_path: Path) -> None:
    dockerfile, context, options = _example(rule.doc)
    for rel in context:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    (tmp_path / "Dockerfile").write_text(dockerfile)
    builder = options[options.index("--builder") + 1] if "--builder" in options else "buildkit"
    users = tuple(options[i + 1] for i, o in enumerate(options) if o == "--runtime-user")
    result = lint_file(str(tmp_path / "Dockerfile"), LintOptions(builder=builder, runtime_users=users))
    assert result.error is None, result.error
    assert any(f.code == rule.code for f in result.findings), (rule.code, [f.code for f in result.findings])


def test_published_docs_never_point_outside_the_repository() -> None:
    """The rule pages, `venvlint rule` (the same render) and the README are read by users who do not have the
    developers' workspace: no `../shared/spec/...` or other path out of the repository."""
    from venvlint.report.ruledoc import render
    from venvlint.rules import all_rules
    from venvlint.rules._scenarios import SCENARIOS

    root = Path(__file__).resolve().parents[2]
    texts = {r.code: render(r) for r in all_rules()}
    texts["README.md"] = (root / "README.md").read_text()
    texts["CHANGELOG.md"] = (root / "CHANGELOG.md").read_text()
    for name, text in texts.items():
        assert "shared/spec" not in text and "](../" not in text, name
    for r in all_rules():
        assert set(r.scenarios) <= set(SCENARIOS), r.code


@pytest.mark.parametrize("rule", all_rules(), ids=[r.code for r in all_rules()])
def test_the_declared_fix_kind_is_what_fix_does_with_the_example(rule: Any, tmp_path: Path) -> None:
    """A rule's FIX (shown as `auto-fix` on its page) is how `--fix` treats its documented example: `safe` and
    `unsafe` examples are fixed (with --unsafe-fixes for the latter), proven by replay; `manual` ones have no edit."""
    from venvlint.fix import fix_text, safety

    dockerfile, context, options = _example(rule.doc)
    for rel in context:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    df = tmp_path / "Dockerfile"
    df.write_text(dockerfile)
    builder = options[options.index("--builder") + 1] if "--builder" in options else "buildkit"
    users = tuple(options[i + 1] for i, o in enumerate(options) if o == "--runtime-user")
    opts = LintOptions(builder=builder, runtime_users=users)
    mine = [f for f in lint_file(str(df), opts).findings if f.code == rule.code]
    kinds = {(s.value if (s := safety(f)) is not None else "manual") for f in mine}
    assert kinds == {rule.fix}, (rule.code, kinds)
    if rule.fix != "manual":
        outcome = fix_text(dockerfile, lambda t: lint_file(str(df), opts, text=t), unsafe=rule.fix == "unsafe")
        assert outcome.result is not None and not [f for f in outcome.result.findings if f.code == rule.code]


def test_the_readme_lists_every_rule_as_it_is() -> None:
    """The README's rules table has one row per rule, with its page, name, default severity and fix kind."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for r in all_rules():
        row = f"| [{r.code}](docs/rules/{page_name(r)}) | {r.name} | {r.severity.value} | {r.fix} |"
        assert row in readme, f"README.md has no row starting {row!r}"
