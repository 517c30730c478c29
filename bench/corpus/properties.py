"""Check the open-world properties over the laid-out real-world corpus (tests/rules/test_open_world_properties.py
checks them over the rule cases):

- replacing a profiled base image by an unknown one never adds an error;
- inserting `RUN some-unknown-tool --flag /some/path` before any instruction never adds an error;
- linting without the build context never adds an error;
- no message contains `None`, an empty user name or an empty path.

    python bench/corpus/properties.py --layout /work/corpus/layout [--every N]

Prints each violation (file, property, the added error) and exits 1 when there is one. Dockerfiles are edited in a
temporary copy next to the original (the build context stays the same); nothing in the layout is changed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from venvlint.lint import LintOptions, lint_file
from venvlint.parse.reader import parse_text
from venvlint.profiles.catalog import load_profiles

UNKNOWN_IMAGE = "registry.example/unknown/base:1"
UNKNOWN_TOOL = "RUN some-unknown-tool --flag /some/path"
BAD_TEXT = re.compile(r"\bNone\b|``|\buser \(uid|\buser ''|\bruns as \(")

Errors = set[tuple[str, int, str]]


def _options(entry: dict[str, Any], **extra: Any) -> LintOptions:
    return LintOptions(
        context=entry["context"], target=entry.get("target"), build_args=entry.get("build_args") or {}, **extra
    )


def _lint(path: str, entry: dict[str, Any], bad: list[str], **extra: Any) -> Errors | None:
    result = lint_file(path, _options(entry, **extra))
    if result.error is not None:
        return None
    for f in result.findings:
        if BAD_TEXT.search(f.message) or BAD_TEXT.search(f.fix):
            bad.append(f"{f.code} at line {f.line}: {f.message[:160]}")
    return {(f.code, f.line, f.path) for f in result.findings if f.severity.value == "error"}


def _instruction_starts(text: str) -> list[int]:
    """Indexes of lines that start an instruction after the first FROM (a RUN can go before them), and the end."""
    instructions = parse_text(text).instructions
    first = next((k for k, ins in enumerate(instructions) if ins.cmd == "FROM"), len(instructions))
    return [ins.line - 1 for ins in instructions[first + 1 :]] + [len(text.splitlines())]


def _profiled_from_lines(text: str, build_args: dict[str, str]) -> list[int]:
    """Indexes of FROM lines naming an image a profile describes (not scratch, not an earlier stage)."""
    profiles = load_profiles()
    stages: set[str] = set()
    out = []
    for ins in parse_text(text).instructions:
        if ins.cmd != "FROM" or not ins.args:
            continue
        ref = ins.args[0]
        for k, v in build_args.items():
            ref = ref.replace("${" + k + "}", v).replace("$" + k, v)
        if ref.lower() not in stages and ref.lower() != "scratch" and profiles.find(ref) is not None:
            out.append(ins.line - 1)
        if len(ins.args) >= 3 and ins.args[1].lower() == "as":
            stages.add(ins.args[2].lower())
    return out


def check(entry: dict[str, Any], every: int) -> list[str]:
    df = Path(entry["dockerfile"])
    original = df.read_text(encoding="utf-8")
    lines = original.splitlines()
    problems: list[str] = []
    bad: list[str] = []
    base = _lint(str(df), entry, bad)
    if base is None:
        return problems
    with tempfile.NamedTemporaryFile("w", suffix=".Dockerfile", dir=df.parent, delete=False) as tmp:
        variant = Path(tmp.name)
    try:

        def run(text: str, **extra: Any) -> Errors | None:
            variant.write_text(text, encoding="utf-8")
            return _lint(str(variant), entry, bad, **extra)

        def compare(what: str, found: Errors | None, shift: Callable[[int], int | None] = lambda n: n) -> None:
            if found is None:
                problems.append(f"{what}: the variant could not be linted")
                return
            added = {(c, m, p) for c, n, p in found if (m := shift(n)) is not None} - base
            problems.extend(f"{what}: adds {c} at line {n} ({p})" for c, n, p in sorted(added))

        for i in _profiled_from_lines(original, entry.get("build_args") or {}):
            changed = list(lines)
            words = changed[i].split()
            at = next(k for k, w in enumerate(words) if k > 0 and not w.startswith("--"))
            words[at] = UNKNOWN_IMAGE
            changed[i] = " ".join(words)
            compare(f"unknown base at line {i + 1}", run("\n".join(changed) + "\n"))
        for at in _instruction_starts(original)[::every]:
            changed = list(lines)
            changed.insert(at, UNKNOWN_TOOL)

            def back(n: int, at: int = at) -> int | None:
                return None if n == at + 1 else (n - 1 if n > at + 1 else n)

            compare(f"unknown tool before line {at + 1}", run("\n".join(changed) + "\n"), back)
        compare("no build context", _lint(str(df), entry, bad, no_context=True))
    finally:
        variant.unlink(missing_ok=True)
    problems.extend(f"message: {b}" for b in dict.fromkeys(bad))
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", required=True, help="the folder bench/corpus/layout.py wrote")
    parser.add_argument("--every", type=int, default=1, help="insert the unknown tool before every Nth instruction")
    args = parser.parse_args(argv)
    entries = json.loads((Path(args.layout) / "index.json").read_text())
    failed = 0
    for n, entry in enumerate(entries, 1):
        problems = check(entry, max(1, args.every))
        failed += bool(problems)
        for p in problems:
            print(f"{entry['id']}: {p}")
        print(f"[{n}/{len(entries)}] {entry['id']}: {'ok' if not problems else f'{len(problems)} violation(s)'}",
              file=sys.stderr)  # fmt: skip
    print(f"{len(entries)} files, {failed} with violations")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
