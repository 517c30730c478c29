"""Run venvlint over a laid-out corpus (see layout.py) and summarise what it says.

    python bench/corpus/run.py --layout DIR [--out results.json] [--venvlint venvlint] [--no-context]

Runs `venvlint --format json --context CTX [--target T] [--build-arg K=V ...] DOCKERFILE` once per entry of
DIR/index.json; with --no-context the context is an empty temporary folder instead, to compare linting without the
build context. Writes the results (default DIR/results.json, or DIR/results-no-context.json) as JSON with sorted
keys and entries, the layout folder written as `<layout>`, and the wall times kept apart under `timings`, so two runs
diff cleanly; then prints a summary: files, projects, exit codes, findings by severity and by rule, the files
refused with exit 2 and their error line, and the mean and median time per file.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FINDING_FIELDS = ("code", "name", "severity", "line", "path", "message", "fix")
SEVERITIES = ("error", "warning", "info")


@dataclass
class Outcome:
    """One venvlint run over one corpus entry."""

    id: str
    repo: str
    kind: str
    dockerfile: str
    target: str | None
    build_args: dict[str, str]
    exit_code: int | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    assumptions: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def error_line(self) -> str | None:
        """The line that says why venvlint refused the file (or failed to run)."""
        for line in self.stderr:
            if line.startswith("venvlint: error:"):
                return line
        if self.errors:
            return self.errors[0]
        return self.stderr[-1] if self.stderr else None

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "repo": self.repo,
            "kind": self.kind,
            "dockerfile": self.dockerfile,
            "target": self.target,
            "build_args": self.build_args,
            "exit_code": self.exit_code,
            "findings": self.findings,
            "assumptions": self.assumptions,
            "errors": self.errors,
            "error_line": None if self.exit_code in (0, 1) else self.error_line,
            "stderr": self.stderr,
        }


class Scrubber:
    """Writes the layout folder (and the empty stand-in context) as placeholders, so results compare across runs."""

    def __init__(self, layout: Path, empty: Path | None) -> None:
        self.pairs = [(str(layout), "<layout>")]
        if empty is not None:
            self.pairs.insert(0, (str(empty), "<empty-context>"))

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            for old, new in self.pairs:
                value = value.replace(old, new)
            return value
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        return value


def _finding(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: raw.get(k) for k in FINDING_FIELDS}


def _sort_key(f: dict[str, Any]) -> tuple[int, str, str, str]:
    return (f.get("line") or 0, str(f.get("code")), str(f.get("path")), str(f.get("message")))


def lint_one(
    entry: dict[str, Any],
    venvlint: list[str],
    context: str,
    layout: Path,
    scrub: Scrubber,
    timeout: float,
    online: bool = False,
) -> Outcome:
    dockerfile = str(entry["dockerfile"])
    target = entry.get("target")
    build_args: dict[str, str] = dict(entry.get("build_args") or {})
    cmd = [*venvlint, "--format", "json", "--context", context]
    if target:
        cmd += ["--target", str(target)]
    for k, v in sorted(build_args.items()):
        cmd += ["--build-arg", f"{k}={v}"]
    cmd.append(dockerfile)
    try:
        rel = str(Path(dockerfile).relative_to(layout / str(entry["id"])))
    except ValueError:
        rel = dockerfile
    out = Outcome(str(entry["id"]), str(entry["repo"]), str(entry["kind"]), rel, target, build_args)
    # Offline unless asked (--online): the judgements in docs/CORPUS.md are of what venvlint knows without a
    # registry, and a run must not depend on which registries answer today.
    env = {**os.environ, "NO_COLOR": "1", "VENVLINT_OFFLINE": "0" if online else "1"}
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        out.seconds = time.perf_counter() - start
        out.stderr = [f"run.py: timed out after {timeout:g} s"]
        return out
    except OSError as exc:
        out.stderr = [f"run.py: cannot run {cmd[0]}: {exc}"]
        return out
    out.seconds = time.perf_counter() - start
    out.exit_code = proc.returncode
    out.stderr = [scrub(line) for line in proc.stderr.splitlines() if line.strip()]
    try:
        doc = json.loads(proc.stdout) if proc.stdout.strip() else {}
    except json.JSONDecodeError as exc:
        out.stderr.append(f"run.py: venvlint's output is not JSON ({exc})")
        doc = {}
    if not isinstance(doc, dict):
        doc = {}
    out.findings = sorted((scrub(_finding(f)) for f in doc.get("findings") or [] if isinstance(f, dict)), key=_sort_key)
    out.assumptions = sorted(
        ({"line": a.get("line"), "message": scrub(a.get("message"))} for a in doc.get("assumptions") or []),
        key=lambda a: (a["line"] or 0, str(a["message"])),
    )
    out.errors = [scrub(str(e.get("message"))) for e in doc.get("errors") or [] if isinstance(e, dict)]
    return out


def venvlint_version(venvlint: list[str]) -> str | None:
    try:
        proc = subprocess.run([*venvlint, "--version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (proc.stdout.strip() or None) if proc.returncode == 0 else None


def summarise(outcomes: list[Outcome], no_context: bool) -> str:
    lines: list[str] = []
    projects = {o.repo for o in outcomes}
    lines.append(
        f"corpus: {len(outcomes)} files from {len(projects)} projects"
        + (" (linted without their build context)" if no_context else "")
    )
    codes = Counter("none" if o.exit_code is None else str(o.exit_code) for o in outcomes)
    lines.append("exit codes: " + ", ".join(f"{c}: {n}" for c, n in sorted(codes.items())))
    with_findings = sum(1 for o in outcomes if o.findings)
    lines.append(
        f"files with findings: {with_findings}; assumptions stated: {sum(len(o.assumptions) for o in outcomes)}"
    )
    sev = Counter(f["severity"] for o in outcomes for f in o.findings)
    total = sum(sev.values())
    order = [s for s in SEVERITIES if s in sev] + sorted(s for s in sev if s not in SEVERITIES)
    lines.append(f"findings: {total}" + (" (" + ", ".join(f"{s}: {sev[s]}" for s in order) + ")" if total else ""))
    by_rule: Counter[tuple[str, str]] = Counter((str(f["code"]), str(f["name"])) for o in outcomes for f in o.findings)
    files_by_rule: dict[tuple[str, str], set[str]] = {}
    for o in outcomes:
        for f in o.findings:
            files_by_rule.setdefault((str(f["code"]), str(f["name"])), set()).add(o.id)
    if by_rule:
        lines.append("findings by rule:")
        for (code, name), n in sorted(by_rule.items()):
            sevs = Counter(f["severity"] for o in outcomes for f in o.findings if f["code"] == code)
            detail = ", ".join(f"{s} {sevs[s]}" for s in SEVERITIES if s in sevs)
            lines.append(f"  {code} {name}: {n} in {len(files_by_rule[(code, name)])} files ({detail})")
    refused = [o for o in outcomes if o.exit_code not in (0, 1)]
    if refused:
        lines.append(f"refused or failed ({len(refused)}):")
        for o in sorted(refused, key=lambda o: o.id):
            lines.append(f"  [{o.exit_code}] {o.id}: {o.error_line or '(no error line)'}")
    times = [o.seconds for o in outcomes if o.exit_code is not None]
    if times:
        lines.append(
            f"time per file: mean {statistics.mean(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f}"
            f" ms, max {max(times) * 1000:.0f} ms ({max(outcomes, key=lambda o: o.seconds).id}); total {sum(times):.1f} s"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--layout", required=True, type=Path, help="folder written by layout.py (holds index.json)")
    ap.add_argument("--out", type=Path, help="results file (default: LAYOUT/results.json or results-no-context.json)")
    ap.add_argument("--venvlint", default="venvlint", help="venvlint command (split like a shell would)")
    ap.add_argument("--no-context", action="store_true", help="lint with an empty folder as the build context")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds allowed per file (default 300)")
    ap.add_argument("--online", action="store_true", help="let venvlint read base images from their registries")
    args = ap.parse_args(argv)
    layout: Path = args.layout.resolve()
    try:
        index = json.loads((layout / "index.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        print(f"run.py: cannot read {layout / 'index.json'} (run layout.py first): {exc}", file=sys.stderr)
        return 2
    if not isinstance(index, list) or not index:
        print(f"run.py: {layout / 'index.json'} lists no entries", file=sys.stderr)
        return 2
    venvlint = shlex.split(args.venvlint)
    out_path: Path = args.out or layout / ("results-no-context.json" if args.no_context else "results.json")
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="venvlint-empty-context-") as empty_dir:
        empty = Path(empty_dir).resolve() if args.no_context else None
        scrub = Scrubber(layout, empty)
        for n, entry in enumerate(sorted(index, key=lambda e: str(e["id"])), 1):
            context = str(empty) if empty is not None else str(entry["context"])
            outcome = lint_one(entry, venvlint, context, layout, scrub, args.timeout, args.online)
            outcomes.append(outcome)
            print(f"[{n}/{len(index)}] exit {outcome.exit_code} {outcome.id}", file=sys.stderr)
    doc = {
        "meta": {
            "venvlint": args.venvlint,
            "venvlint_version": venvlint_version(venvlint),
            "no_context": args.no_context,
        },
        "entries": [o.record() for o in outcomes],
        "timings": {o.id: round(o.seconds, 3) for o in outcomes},
    }
    out_path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(summarise(outcomes, args.no_context))
    print(f"results: {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
