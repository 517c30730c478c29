"""Human output of `venvlint lint`: findings grouped by file, each with its cause line quoted and a fix.

The report is built once as lines of (text, style) segments. A terminal that wants colour gets it through rich;
anything else (a pipe, a file, a pre-commit log, NO_COLOR) gets the same lines as plain text without importing
rich, which is a third of a cold start. Plain lines are never wrapped, so they stay greppable.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import IO

from ..findings import Finding, Severity
from ..lines import split_lines
from ..model.access import Premise
from .result import FileResult

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold blue"}

Segment = tuple[str, str]  # (text, rich style; "" for none)
Line = list[Segment]


def _snippet(lines: Sequence[str], start: int, end: int) -> list[str]:
    if start <= 0 or start > len(lines):
        return []
    end = max(start, min(end or start, len(lines), start + 3))
    return [f"{n:>5} | {lines[n - 1]}" for n in range(start, end + 1)]


def report_lines(results: Sequence[FileResult], quiet: bool = False) -> list[Line]:
    """The text report, as styled lines. Errors are not in it: they go to stderr (see `render_text`). `quiet`
    leaves out each file's block of assumptions (a finding still says what it assumed)."""
    out: list[Line] = []
    total = fixes = 0
    for res in results:
        if res.error is not None and not res.findings:
            continue
        assumptions = [] if quiet else res.assumptions
        if not res.findings and not assumptions and not res.fixed:
            continue
        out.append([(res.file, "bold underline")])
        src_lines = split_lines(res.source)
        for f in res.findings:
            total += 1
            sev = STYLE[f.severity]
            out.append(
                [
                    (f"{res.file}:{f.line}", "bold"),
                    ("  ", ""),
                    (f.code, sev),
                    (" ", ""),
                    (f.name, "bold"),
                    (" ", ""),
                    (f"[{f.severity.value}]", sev),
                ]
            )
            out.append([("  " + f.message, "")])
            out.extend([("  " + s, "dim")] for s in _snippet(src_lines, f.line, f.end_line))
            if f.fix:
                out.append([("  fix: ", "bold green"), (f.fix, "")])
            out.extend([("  assumes " + a, "italic")] for a in f.assumptions)
            reason = res.not_fixed.get((f.code, f.line, f.path))
            if f in res.fixed and not res.fixes_written:
                out.append(
                    [("  fixable: ", "bold green"), ("--fix applies the fix (proven by replaying the build)", "")]
                )
            elif reason and res.fixed_text is not None:
                out.append([("  not fixed automatically: ", "bold yellow"), (reason, "")])
            out.append([])
        fixes += len(res.fixed)
        if res.fixes_written:
            for f in res.fixed:
                out.append([("  fixed: ", "bold green"), (f"{f.code} {f.name} at line {f.line}", "bold"),
                            (f" (`{f.path}`)" if f.path else "", "")])  # fmt: skip
            if res.fixed:
                out.append([])
        if assumptions:
            out.append([("Assumptions (what venvlint could not know):", "bold")])
            for line, msg in assumptions:
                where = f"line {line}: " if line else ""
                out.append([(f"  {where}{msg}", "")])
            out.append([])
    files = sum(1 for r in results if r.error is None)
    errors = sum(1 for r in results if r.error is not None)
    summary = f"{total} finding{'s' if total != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    if errors:
        summary += f", {errors} file{'s' if errors != 1 else ''} could not be linted"
    if fixes:
        written = any(r.fixes_written for r in results)
        summary += f"; {fixes} {'fixed' if written else 'fixable'} (proven by replaying the edited build)"
    out.append([(summary, "bold")])
    return out


def plain(lines: Sequence[Line]) -> str:
    return "".join("".join(text for text, _ in line) + "\n" for line in lines)


def wants_colour(stream: IO[str]) -> bool:
    """rich's own rule, decided without importing rich: FORCE_COLOR wins, then NO_COLOR, then a terminal."""
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def render_text(results: Sequence[FileResult], stream: IO[str] | None = None, quiet: bool = False) -> None:
    """Write the report to `stream` (stdout), and each file that could not be linted to stderr."""
    for res in results:
        if res.error is not None:
            sys.stderr.write(f"venvlint: error: {res.error}\n")
    stream = stream or sys.stdout
    lines = report_lines(results, quiet)
    if not wants_colour(stream):
        stream.write(plain(lines))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False)
    for line in lines:
        console.print(Text.assemble(*line) if line else "")


def finding_dict(f: Finding, file: str) -> dict[str, object]:
    return {
        "file": file,
        "line": f.line,
        "end_line": f.end_line or f.line,
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        "path": f.path,
        "fix": f.fix,
        "stage": f.stage,
        "related_lines": list(f.related),
        "assumptions": list(f.assumptions),
        "count": f.count,
        "premises": [premise_dict(p) for p in f.premises],
    }


def premise_dict(p: Premise) -> dict[str, object]:
    """A premise as JSON: the fact, where it comes from, and the line that set it."""
    out: dict[str, object] = {"kind": p.kind.value, "subject": p.subject, "knowledge": p.knowledge.value}
    if p.line:
        out["line"] = p.line
    for key, value in (("uid", p.uid), ("gid", p.gid)):
        if value is not None:
            out[key] = value
    if p.mode is not None:
        out["mode"] = f"{p.mode:04o}"
    if p.assumption:
        out["assumption"] = p.assumption
    return out
