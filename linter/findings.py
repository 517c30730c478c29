"""What a rule reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    """error = the build or the documented use will fail; warning = it fails for some packages, versions or
    identities; info = worth knowing (size, speed, robustness)."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (choose error, warning or info)") from None


@dataclass(frozen=True)
class Finding:
    code: str  # "VL001"
    name: str  # "venv-dir-reset-by-copy"
    severity: Severity
    line: int  # the cause line (1-based)
    path: str  # the affected image path
    message: str  # what happened and why, with the provenance chain
    fix: str  # a fix that keeps the image small
    end_line: int = 0
    stage: str = ""
    file: str = ""
    related: tuple[int, ...] = ()  # other lines involved (the write that needs the path, the USER line, ...)
    assumptions: tuple[str, ...] = field(default=())

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line, self.code, self.path)
