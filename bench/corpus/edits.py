"""Run `--fix` on the corpus, in memory: every finding's edits, proven by replaying the build (venvlint.fix).

    python bench/corpus/edits.py --layout DIR

For each entry of DIR/index.json (laid out by layout.py), lint as run.py does (its context, target and build
args) and run the fixer with unsafe fixes allowed (venvlint.fix.fix_text, what `--fix --unsafe-fixes` runs):
one line per finding that carries edits, `ok` when it was fixed, else the fixer's reason; then whether a second
run over the fixed text changes anything. Nothing is written. Exit status 1 when a finding with edits is left or
the fix is not idempotent.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from venvlint.fix import fix_text, safety
from venvlint.lint import LintOptions, lint_file


def check_entry(entry: dict[str, Any]) -> list[str]:
    """One line per finding with edits: `ok` or why it was not fixed; one more if a second run changes the text."""
    options = LintOptions(
        context=str(entry["context"]), target=entry.get("target"), build_args=dict(entry.get("build_args") or {})
    )
    path = str(entry["dockerfile"])
    text = Path(path).read_text(encoding="utf-8", errors="surrogateescape")

    def lint(t: str) -> Any:
        return lint_file(path, options, t)

    before = lint(text)
    outcome = fix_text(text, lint, unsafe=True)
    fixed = {(f.code, f.path) for f in outcome.fixed}
    out = []
    for f in before.findings:
        if not f.edits:
            continue
        label = f"{entry['id']}: {f.code} line {f.line} {f.path} ({safety(f).value})"  # type: ignore[union-attr]
        if (f.code, f.path) in fixed:
            out.append(f"{label}: ok")
        else:
            reason = next((r for (c, _, p), r in outcome.not_fixed.items() if c == f.code and p == f.path), "left")
            out.append(f"{label}: {reason}")
    if outcome.fixed and fix_text(outcome.text, lint, unsafe=True).text != outcome.text:
        out.append(f"{entry['id']}: a second run changes the fixed text")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layout", type=Path, required=True)
    args = ap.parse_args(argv)
    entries = json.loads((args.layout / "index.json").read_text())
    lines = [line for e in entries for line in check_entry(e)]
    for line in lines:
        print(line)
    bad = [ln for ln in lines if not ln.endswith(": ok")]
    print(f"{len(lines)} findings with edits, {len(lines) - len(bad)} fixed, {len(bad)} not")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
