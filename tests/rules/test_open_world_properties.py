"""Properties of the open world, checked over every rule case (bench/corpus/properties.py checks them over the
real-world corpus):

- replacing a profiled base image by an unknown one never adds an error;
- inserting `RUN some-unknown-tool --flag /some/path` anywhere never adds an error;
- linting without the build context never adds an error;
- a package install from the distribution's archive, a download, an extraction or a clone into a named place,
  right after a Debian-based FROM, never lowers an error;
- no message contains `None`, an empty user name or an empty path.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from venvlint.lint import lint_file
from venvlint.parse.reader import parse_text

from .test_rule_cases import CASES, _setup, case_options

UNKNOWN_IMAGE = "registry.example/unknown/base:1"
UNKNOWN_TOOL = "RUN some-unknown-tool --flag /some/path"
# `None`, an empty code span (an empty path or command), a user label without a name, an empty quoted name.
BAD_TEXT = re.compile(r"\bNone\b|``|\buser \(uid|\buser ''|\bruns as \(|\bto :? |\b(?:at|of|write|create) `?\s*\.")


def _errors(df: Path, text: str, case: dict[str, Any], **extra: Any) -> set[tuple[str, int, str]]:
    df.write_text(text)
    result = lint_file(str(df), replace(case_options(case), **extra))
    assert result.error is None, result.error
    for f in result.findings:
        assert not BAD_TEXT.search(f.message) and not BAD_TEXT.search(f.fix), (f.code, f.message, f.fix)
    return {(f.code, f.line, f.path) for f in result.findings if f.severity.value == "error"}


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _from_lines(text: str) -> list[int]:
    """0-based indexes of FROM lines naming an image (not scratch, not an earlier stage)."""
    stages: set[str] = set()
    out = []
    for ins in parse_text(text).instructions:
        if ins.cmd != "FROM" or not ins.args:
            continue
        if ins.args[0].lower() not in ("scratch", *stages):
            out.append(ins.line - 1)
        if len(ins.args) >= 3 and ins.args[1].lower() == "as":
            stages.add(ins.args[2].lower())
    return out


def _instruction_starts(text: str) -> list[int]:
    """0-based indexes of lines that start an instruction (where a new RUN can go before), after the first FROM,
    and the end."""
    instructions = parse_text(text).instructions
    first = next((k for k, ins in enumerate(instructions) if ins.cmd == "FROM"), len(instructions))
    return [ins.line - 1 for ins in instructions[first + 1 :]] + [len(_lines(text))]


IDS = [f"{r}-{c['name']}" for r, c in CASES]


@pytest.mark.parametrize(("rule", "case"), CASES, ids=IDS)
def test_an_unknown_base_never_adds_an_error(rule: str, case: dict[str, Any], tmp_path: Path) -> None:
    df, _ = _setup(case, tmp_path)
    text = case["dockerfile"]
    base = _errors(df, text, case)
    for i in _from_lines(text):
        lines = _lines(text)
        words = lines[i].split()
        ref_at = next(k for k, w in enumerate(words) if k > 0 and not w.startswith("--"))
        words[ref_at] = UNKNOWN_IMAGE
        lines[i] = " ".join(words)
        assert _errors(df, "\n".join(lines) + "\n", case) <= base, lines[i]


@pytest.mark.parametrize(("rule", "case"), CASES, ids=IDS)
def test_an_unknown_tool_never_adds_an_error(rule: str, case: dict[str, Any], tmp_path: Path) -> None:
    df, _ = _setup(case, tmp_path)
    text = case["dockerfile"]
    base = _errors(df, text, case)
    for at in _instruction_starts(text):
        lines = _lines(text)
        lines.insert(at, UNKNOWN_TOOL)
        found = _errors(df, "\n".join(lines) + "\n", case)
        # An error at the inserted line is about what came before it (the build stops at its first RUN).
        shifted = {(c, line - 1 if line > at + 1 else line, p) for c, line, p in found if line != at + 1}
        assert shifted <= base, f"inserted at line {at + 1}"


@pytest.mark.parametrize(("rule", "case"), CASES, ids=IDS)
def test_no_build_context_never_adds_an_error(rule: str, case: dict[str, Any], tmp_path: Path) -> None:
    df, _ = _setup(case, tmp_path)
    text = case["dockerfile"]
    assert _errors(df, text, case, no_context=True) <= _errors(df, text, case)


# Commands venvlint does not model, run as root right after a Debian-based FROM, that write only where the
# distribution's archive or their arguments say: an error about anything else must stay an error (issue 21: a
# finding's severity follows only the premises it rests on). Each with the cases whose error does rest on it.
ELSEWHERE = {
    "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*": {
        # a maintainer script may add system accounts, under names venvlint cannot list
        ("build-fails", "unknown user name"),
    },
    "RUN curl -fsSL -o /usr/local/bin/tini https://example.com/tini && chmod +x /usr/local/bin/tini": set(),
    "RUN curl -fsSLO https://example.com/tool.tgz && tar -xzf tool.tgz -C /opt/tool && rm tool.tgz": set(),
    "RUN git clone --depth 1 https://github.com/example/tool.git /usr/src/tool": set(),
}
DEBIAN_BASES = re.compile(r"^FROM\s+(?:--platform=\S+\s+)?(?:docker\.io/)?(?:library/)?python:3[.\d]*-(?:slim)", re.I)


@pytest.mark.parametrize("command", list(ELSEWHERE), ids=["apt-get", "curl -o", "curl -O + tar -C", "git clone"])
@pytest.mark.parametrize(("rule", "case"), CASES, ids=IDS)
def test_a_command_writing_elsewhere_never_lowers_an_error(
    rule: str, case: dict[str, Any], command: str, tmp_path: Path
) -> None:
    df, _ = _setup(case, tmp_path)
    text = case["dockerfile"]
    lines = _lines(text)
    at = next((i for i, line in enumerate(lines) if DEBIAN_BASES.match(line)), None)
    if at is None or (rule, case["name"]) in ELSEWHERE[command]:
        return
    base = _errors(df, text, case)
    if not base:
        return
    lines.insert(at + 1, command)
    found = _errors(df, "\n".join(lines) + "\n", case)
    shifted = {(c, line - 1 if line > at + 1 else line, p) for c, line, p in found}
    assert base <= shifted, f"inserted at line {at + 2}: lost {sorted(base - shifted)}"
