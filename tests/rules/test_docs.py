"""Every rule has its generated documentation page, and the page is up to date with the rule module."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

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
