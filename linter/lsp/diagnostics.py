"""A lint result as LSP diagnostics: one per finding, with the command line's code, severity and words.

The message is what the text report prints for the finding (its message, `fix:` and what it assumes); `code` is
the rule code with a link to the rule's page; `data` carries the finding's identity (code, line, path) and the
safety of its fix, so that code actions find the same finding again in a fresh lint of the buffer instead of
reading the message. A file the command line cannot lint (its one-line error) and its notes (what it prints as
`venvlint: warning:`) are diagnostics too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ..lines import split_lines

if TYPE_CHECKING:
    from ..findings import Finding
    from ..report.result import FileResult

SOURCE = "venvlint"


def _severity(value: str) -> types.DiagnosticSeverity:
    return {
        "error": types.DiagnosticSeverity.Error,
        "warning": types.DiagnosticSeverity.Warning,
        "info": types.DiagnosticSeverity.Information,
    }[value]


def line_range(lines: Sequence[str], line: int, units: Callable[[str], int], end_line: int = 0) -> types.Range:
    """The whole of 1-based `line` up to the end of `end_line` (when later: a multi-line instruction), the first
    line when `line` is 0 or past the end, in the client's units."""
    index = line - 1 if 0 < line <= len(lines) else 0
    last = min(end_line, len(lines)) - 1 if end_line > line else index
    text = lines[last] if lines else ""
    return types.Range(types.Position(index, 0), types.Position(last, units(text)))


def message(f: Finding) -> str:
    """The finding as the text report words it: the message, the fix, what it assumes."""
    parts = [f.message]
    if f.fix:
        parts.append(f"fix: {f.fix}")
    parts.extend(f"assumes {a}" for a in f.assumptions)
    return "\n".join(parts)


def finding_data(f: Finding) -> dict[str, Any]:
    from ..fix import safety

    fix = safety(f)
    return {"code": f.code, "line": f.line, "path": f.path, "fix": None if fix is None else fix.value}


def to_diagnostics(uri: str, text: str, result: FileResult, units: Callable[[str], int]) -> list[types.Diagnostic]:
    from ..report.formats import DOCS_URL

    lines = split_lines(text)
    out: list[types.Diagnostic] = []
    if result.error is not None:
        out.append(_plain(lines, 0, result.error, types.DiagnosticSeverity.Error, units))
    for line, note in result.notes:
        out.append(_plain(lines, line, note, types.DiagnosticSeverity.Warning, units))
    # What venvlint could not know (the text report's "Assumptions": an unknown base image and why, an unmodelled
    # command) as hints: shown where they apply, kept out of the problem lists editors build from the severities.
    for line, said in result.assumptions:
        out.append(_plain(lines, line, f"assumed: {said}", types.DiagnosticSeverity.Hint, units))
    for f in result.findings:
        related = [
            types.DiagnosticRelatedInformation(
                types.Location(uri, line_range(lines, n, units)), f"{f.code}: line {n} is involved"
            )
            for n in f.related
            if n != f.line
        ]
        out.append(
            types.Diagnostic(
                range=line_range(lines, f.line, units, f.end_line),
                message=message(f),
                severity=_severity(f.severity.value),
                code=f.code,
                code_description=types.CodeDescription(href=f"{DOCS_URL}{f.code}-{f.name}.md"),
                source=SOURCE,
                related_information=related or None,
                data=finding_data(f),
            )
        )
    return out


def _plain(
    lines: Sequence[str], line: int, text: str, severity: types.DiagnosticSeverity, units: Callable[[str], int]
) -> types.Diagnostic:
    return types.Diagnostic(range=line_range(lines, line, units), message=text, severity=severity, source=SOURCE)


def failure(lines: Sequence[str], text: str, units: Callable[[str], int]) -> types.Diagnostic:
    """The one diagnostic of a document venvlint failed on (a bug) or whose config it refuses."""
    return _plain(lines, 0, text, types.DiagnosticSeverity.Error, units)
