"""What a rule reports (`Problem`) and what the user sees (`Finding`, stamped by the core).

A rule yields problems: a line, a path, a message and a fix, and the facts the problem rests on (`premises`). The
core (`lint.py`) stamps the rule's code, name and severity on each, caps the severity of one that rests on an
assumed fact at warning (naming the assumption), drops one that rests on an unknown fact, drops one a superseding
rule already reported with the same cause, and merges the problems one cause gives for many paths of one tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .edits import Edit
from .model.access import Premise


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


# hadolint's failure thresholds that venvlint has no level for, read as hadolint applies them (measured with
# hadolint 2.15.1: docs/MEASUREMENTS.md): it fails at or above the threshold, and style < ignore/none rank below
# info, so each of them fails on every finding, as info does here. Never failing is --no-fail, in both tools.
_THRESHOLD_ALIASES = {"style": Severity.INFO, "ignore": Severity.INFO, "none": Severity.INFO}


def parse_threshold(text: str) -> Severity:
    """A failure threshold: error, warning, info, or hadolint's style, ignore or none (each = info)."""
    key = text.strip().lower()
    if key in _THRESHOLD_ALIASES:
        return _THRESHOLD_ALIASES[key]
    try:
        return Severity(key)
    except ValueError:
        raise ValueError(
            f"unknown failure threshold {text!r} (choose error, warning or info; hadolint's style, ignore and none "
            "are read as info)"
        ) from None


@dataclass(frozen=True)
class BuildStop:
    """The build stops at `line`: a write the replay denied, an instruction the builder refuses."""

    line: int


@dataclass(frozen=True)
class PathSetAt:
    """`path` is what it is because of the instruction at `line` (its last change, or the reset a rule names)."""

    line: int
    path: str


Cause = BuildStop | PathSetAt


@dataclass(frozen=True)
class Problem:
    """One problem as a rule reports it.

    `severity` None means the rule's default. `causes` name what is behind the problem, typed (`PathSetAt`: the
    instruction that made a path what it is; `BuildStop`: the line where the build stops), so that the core can
    drop this problem when a rule that supersedes this one on that kind of cause reported one of them (the
    relations are `venvlint.rules.relations`). `count`: how many entries
    below `path` the same cause affects.
    """

    line: int  # the line the finding points at (1-based)
    path: str  # the affected image path ("" when none)
    message: str  # what happened and why, rendered from the facts
    fix: str  # a fix that keeps the image small
    severity: Severity | None = None
    stage: str = ""
    related: tuple[int, ...] = ()  # other lines involved (the write that needs the path, the USER line, ...)
    premises: tuple[Premise, ...] = ()
    causes: tuple[Cause, ...] = ()
    count: int = 1
    edits: tuple[Edit, ...] = ()  # the fix as an edit of the Dockerfile (`venvlint.edits`), when it can be one


@dataclass(frozen=True)
class Finding:
    """One reported finding, as every output format sees it: a rule's Problem stamped with the rule's code, name and
    severity (`lint.stamp`), its tree of paths merged (`lint.merge_tree`). `line`/`end_line` are 1-based lines of
    the Dockerfile (the cause instruction); `path` an absolute image path ("" for a finding about no one path);
    `premises` the typed facts it rests on (an error needs every one known; an assumed one caps it at warning and
    its text is in `assumptions`); `count` the paths below `path` the same cause affects; `edits` the fix as edits
    of the Dockerfile (`venvlint.edits`), empty when the fix is the user's decision."""

    code: str  # "VL001"
    name: str  # "dir-reset-by-copy"
    severity: Severity
    line: int  # the cause line (1-based)
    path: str  # the affected image path
    message: str  # what happened and why, with the provenance chain
    fix: str  # a fix that keeps the image small
    end_line: int = 0
    stage: str = ""
    file: str = ""
    related: tuple[int, ...] = ()  # other lines involved (the write that needs the path, the USER line, ...)
    # What venvlint assumed for this finding (it is then at most a warning).
    assumptions: tuple[str, ...] = ()
    premises: tuple[Premise, ...] = ()
    count: int = 1
    edits: tuple[Edit, ...] = ()  # the fix as an edit of the Dockerfile, when it can be one

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line, self.code, self.path)
