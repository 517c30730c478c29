"""The result of linting one file, as every output format sees it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import Finding


@dataclass
class FileResult:
    file: str
    findings: list[Finding] = field(default_factory=list)
    assumptions: list[tuple[int, str]] = field(default_factory=list)
    error: str | None = None  # the file could not be linted (exit 2)
    notes: list[tuple[int, str]] = field(default_factory=list)  # (line or 0, message): said as warnings, not findings
    source: str = ""
