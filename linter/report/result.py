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
