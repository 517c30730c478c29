"""docs/PREMISES.md says, rule by rule, which premises a finding rests on. This test keeps it from going stale: every
rule has a section, and every premise kind a finding of the rule's cases carries is named in that section's
`Premise kinds:` line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from venvlint.lint import lint_file
from venvlint.model.access import PremiseKind
from venvlint.rules import all_rules, find_rule

from .test_rule_cases import CASES, _setup

DOC = Path(__file__).resolve().parents[2] / "docs" / "PREMISES.md"
KINDS_LINE = re.compile(r"^Premise kinds: (.+)$", re.MULTILINE)
RULES = all_rules()


def sections(text: str) -> dict[str, tuple[str, str]]:
    """Code → (heading name, body) for every `## VLNNN name` section."""
    out: dict[str, tuple[str, str]] = {}
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    for part in parts[1:]:
        heading, _, body = part.partition("\n")
        m = re.fullmatch(r"(VL\d{3}) (\S+)", heading.strip())
        if m:
            out[m.group(1)] = (m.group(2), body)
    return out


def declared_kinds(body: str) -> set[str]:
    """The kinds a section's one `Premise kinds:` line names (`none` for a rule whose findings carry none)."""
    lines = KINDS_LINE.findall(body)
    assert len(lines) == 1, f"expected one `Premise kinds:` line, found {len(lines)}"
    words = {w.strip() for w in lines[0].split(",")}
    if words == {"none"}:
        return set()
    unknown = words - {k.value for k in PremiseKind}
    assert not unknown, f"not premise kinds: {sorted(unknown)}"
    return words


def observed_kinds(code: str, cases: list[dict[str, Any]], tmp_path: Path) -> dict[str, list[str]]:
    """Kind → the names of the cases whose findings of rule `code` carry a premise of that kind."""
    seen: dict[str, list[str]] = {}
    for i, case in enumerate(cases):
        where = tmp_path / str(i)
        where.mkdir()
        df, options = _setup(case, where)
        result = lint_file(str(df), options)
        assert result.error is None, result.error
        for f in result.findings:
            if f.code == code:
                for p in f.premises:
                    seen.setdefault(p.kind.value, []).append(case["name"])
    return seen


DOC_SECTIONS = sections(DOC.read_text(encoding="utf-8"))


def test_every_rule_has_a_section() -> None:
    for r in RULES:
        assert r.code in DOC_SECTIONS, f"docs/PREMISES.md has no section `## {r.code} {r.name}`"
        assert DOC_SECTIONS[r.code][0] == r.name, f"{r.code}'s section names {DOC_SECTIONS[r.code][0]}, not {r.name}"
    assert set(DOC_SECTIONS) <= {r.code for r in RULES}, "docs/PREMISES.md has a section for a rule that is gone"


@pytest.mark.parametrize("code", [r.code for r in RULES])
def test_section_names_every_premise_kind_of_its_findings(code: str, tmp_path: Path) -> None:
    declared = declared_kinds(DOC_SECTIONS[code][1])
    cases = [c for rule, c in CASES if find_rule(rule).code == code]  # type: ignore[union-attr]
    seen = observed_kinds(code, cases, tmp_path)
    missing = {k: names for k, names in seen.items() if k not in declared}
    assert not missing, f"docs/PREMISES.md, {code}: findings carry premise kinds its section does not name: {missing}"
