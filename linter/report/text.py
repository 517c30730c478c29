"""Human output of `venvlint lint`: findings grouped by file, each with its cause line quoted and a fix."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from ..findings import Finding, Severity
from .result import FileResult

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold blue"}


def _snippet(lines: Sequence[str], start: int, end: int) -> list[str]:
    if start <= 0 or start > len(lines):
        return []
    end = max(start, min(end or start, len(lines), start + 3))
    return [f"{n:>5} | {lines[n - 1]}" for n in range(start, end + 1)]


def render_text(results: Sequence[FileResult], console: Console | None = None, verbose: bool = False) -> None:
    console = console or Console(highlight=False)
    total = 0
    for res in results:
        if res.error is not None:
            import sys

            sys.stderr.write(f"venvlint: error: {res.error}\n")
            continue
        if not res.findings and not res.assumptions and not verbose:
            continue
        console.print(Text(res.file, style="bold underline"))
        src_lines = res.source.splitlines()
        for f in res.findings:
            total += 1
            head = Text.assemble(
                (f"{res.file}:{f.line}", "bold"),
                "  ",
                (f"{f.code}", STYLE[f.severity]),
                " ",
                (f.name, "bold"),
                " ",
                (f"[{f.severity.value}]", STYLE[f.severity]),
            )
            console.print(head)
            console.print(Text("  " + f.message))
            for s in _snippet(src_lines, f.line, f.end_line):
                console.print(Text("  " + s, style="dim"))
            if f.fix:
                console.print(Text.assemble(("  fix: ", "bold green"), f.fix))
            if f.assumptions:
                for a in f.assumptions:
                    console.print(Text("  assumed: " + a, style="italic"))
            console.print()
        if res.assumptions:
            console.print(Text("Assumptions (what venvlint could not know):", style="bold"))
            for line, msg in res.assumptions:
                where = f"line {line}: " if line else ""
                console.print(Text(f"  {where}{msg}"))
            console.print()
    files = sum(1 for r in results if r.error is None)
    errors = sum(1 for r in results if r.error is not None)
    summary = f"{total} finding{'s' if total != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    if errors:
        summary += f", {errors} file{'s' if errors != 1 else ''} could not be linted"
    console.print(Text(summary, style="bold"))


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
    }
