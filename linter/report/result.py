"""The result of linting one file, as every output format sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from ..findings import Finding


class Note(NamedTuple):
    """A line of a file's report that is not a finding: an assumption venvlint made, or a warning about the input
    (an unknown rule in a pragma, an undeclared build argument). `line` is 1-based, 0 for the whole file."""

    line: int
    message: str


@dataclass
class FileResult:
    """The result of linting one file. `error` set: the file could not be linted (one line; exit 2)."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    assumptions: list[Note] = field(default_factory=list)
    error: str | None = None  # the file could not be linted (exit 2)
    notes: list[Note] = field(default_factory=list)  # said as `venvlint: warning:` lines, not findings
    source: str = ""
    # --fix / --diff: the text as read, the text after the proven fixes, the findings fixed (as found before their
    # fix) and, for findings left, why they were not fixed (by (code, line, path) of the finding as reported).
    original: str | None = None
    fixed_text: str | None = None
    fixed: list[Finding] = field(default_factory=list)
    not_fixed: dict[tuple[str, int, str], str] = field(default_factory=dict)
    fixes_written: bool = False  # --fix wrote them (--diff only shows them)
