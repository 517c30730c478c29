"""Pragmas: whole-line comments that silence rules, applied outside the rules (as hadolint does).

    # venvlint ignore=VL001,cache-dir-not-writable     the next instruction
    # venvlint stage ignore=VL009                      the stage whose FROM follows
    # venvlint global ignore=VL015                     the whole file
    # venvlint ignore=VL005 # we never run on OpenShift   (a reason may follow a second `#`)
    # venvlint: ignore=VL001                            (the colon some linters use is accepted too)

A trailing comment on an instruction line is part of the instruction's arguments in Docker, so only whole-line
comments count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import InputError
from .findings import Finding
from .parse.model import ParsedDockerfile

# The codes are stripped in Python: a lazy `([^#]*?)\s*` backtracks quadratically over a long run of blanks.
_PRAGMA = re.compile(r"^venvlint:?\s+(?:(stage|global)\s+)?ignore\s*=([^#]*)(?:#.*)?$", re.IGNORECASE)
# What is meant as a pragma (`venvlint` then a word with `=`, or `ignore`): if it is not one, it is a mistake to say.
_ATTEMPT = re.compile(r"^venvlint(:|\s)\s*(\S*=|(stage\s+|global\s+)?ignore\b)", re.IGNORECASE)
_TRAILING = re.compile(r"\s#\s*venvlint:?\s+(stage\s+|global\s+)?ignore", re.IGNORECASE)


@dataclass
class Suppressions:
    lines: dict[int, set[str]] = field(default_factory=dict)  # instruction line → codes
    stages: list[tuple[int, int, set[str]]] = field(default_factory=list)  # (first line, last line, codes)
    file: set[str] = field(default_factory=set)
    notes: list[tuple[int, str]] = field(default_factory=list)  # (comment line, what was wrong): said, not fatal

    def suppressed(self, f: Finding) -> bool:
        if f.code in self.file or f.code in self.lines.get(f.line, set()):
            return True
        return any(lo <= f.line <= hi and f.code in codes for lo, hi, codes in self.stages)


def parse_pragmas(parsed: ParsedDockerfile, resolve_rule: Callable[[str], str | None]) -> Suppressions:
    """Read the pragmas of a Dockerfile; `resolve_rule` maps a code or name to a code (None: unknown rule).

    An unknown rule in a pragma is a note (the file is still linted, as hadolint does): a pragma written for a newer
    venvlint, or a typo, must not stop the lint. A pragma that is not one (`# venvlint ignore VL001`) or a `stage`
    pragma away from a FROM is an InputError: what it was meant to do cannot be guessed."""
    out = Suppressions()
    instructions = parsed.instructions
    froms = [i.line for i in instructions if i.cmd == "FROM"]
    last_line = max((i.end_line for i in instructions), default=0)
    for ins in instructions:
        # A trailing comment is part of the instruction in Docker: `COPY a /b # venvlint ignore=VL001` copies `#`,
        # `venvlint`, ... and silences nothing. Said, because it looks like it works.
        first = ins.original.split("\n", 1)[0]
        if _TRAILING.search(first) and ins.cmd != "RUN":
            out.notes.append((ins.line, "`# venvlint ...` after an instruction is part of its arguments in Docker, "
                                        "not a pragma: put the pragma on a line of its own above it"))  # fmt: skip
    for c in parsed.comments:
        m = _PRAGMA.match(c.text)
        names = m.group(2) if m else ""
        parts = [n.strip() for n in names.split(",")]
        if not m or not any(parts) or any(len(p.split()) > 1 for p in parts):
            if _ATTEMPT.match(c.text):
                shown = c.text if len(c.text) <= 80 else c.text[:77] + "..."
                raise InputError(f"malformed pragma {shown!r} (expected `# venvlint [stage|global] ignore=CODE,...`)",
                                 parsed.path, c.line)  # fmt: skip
            continue
        scope = m.group(1)
        codes: set[str] = set()
        for name in parts:
            if not name:
                continue
            code = resolve_rule(name)
            if code is None:
                out.notes.append((c.line, f"unknown rule {name!r} in pragma, not applied (see `venvlint rules`)"))
                continue
            codes.add(code)
        nxt = next((i for i in instructions if i.line > c.line), None)
        if scope is None:
            if nxt is not None:
                out.lines.setdefault(nxt.line, set()).update(codes)
        elif scope.lower() == "global":
            out.file.update(codes)
        else:
            if nxt is None or nxt.cmd != "FROM":
                raise InputError("a `stage ignore` pragma must stand right above a FROM", parsed.path, c.line)
            later = [f for f in froms if f > nxt.line]
            out.stages.append((nxt.line, (later[0] - 1) if later else last_line, codes))
    return out
