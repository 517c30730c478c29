"""Replay every fix venvlint offers on the corpus: each finding's edits applied alone, the build linted again.

    python bench/corpus/edits.py --layout DIR

For each entry of DIR/index.json (laid out by layout.py), lint as run.py does (its context, target and build
args), then for every finding that carries edits: apply them to the Dockerfile's text, lint that text again with
the same options, and report whether the finding is gone and whether any error or warning appeared that was not
there before (a finding at a path below or above one of the same rule and severity counts as the same). Nothing is
written: the edited text is linted in memory. Exit status 1 when an edit fails to apply, leaves its finding, or
adds an error or warning.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from venvlint.edits import EditError, apply_edits
from venvlint.findings import Finding
from venvlint.lint import LintOptions, lint_file
from venvlint.model.fs import below


def _serious(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.code, f.path, f.severity.value) for f in findings if f.severity.value in ("error", "warning")}


def _new(after: list[Finding], before: list[Finding]) -> list[tuple[str, str, str]]:
    old = _serious(before)
    return sorted(
        (c, p, s) for c, p, s in _serious(after)
        if not any(c == c0 and s == s0 and (p == p0 or below(p, p0) or below(p0, p)) for c0, p0, s0 in old)
    )  # fmt: skip


def check_entry(entry: dict[str, Any]) -> list[str]:
    """One line per edited finding: `ok` or what went wrong."""
    options = LintOptions(
        context=str(entry["context"]), target=entry.get("target"), build_args=dict(entry.get("build_args") or {})
    )
    path = str(entry["dockerfile"])
    text = Path(path).read_text(encoding="utf-8", errors="surrogateescape")
    before = lint_file(path, options, text)
    out = []
    for f in before.findings:
        if not f.edits:
            continue
        label = f"{entry['id']}: {f.code} line {f.line} {f.path}"
        try:
            edited = apply_edits(text, f.edits)
        except EditError as exc:
            out.append(f"{label}: edit does not apply ({exc})")
            continue
        after = lint_file(path, options, edited)
        if after.error is not None:
            out.append(f"{label}: the edited file is refused: {after.error}")
            continue
        left = [g for g in after.findings if g.code == f.code and (g.path == f.path or below(g.path, f.path))]
        added = _new(after.findings, before.findings)
        status = "ok" if not left and not added else f"left {len(left)}, added {added}"
        out.append(f"{label}: {status}")
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
    print(f"{len(lines)} edited findings, {len(lines) - len(bad)} fixed, {len(bad)} not")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
