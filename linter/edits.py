"""A finding's fix as an edit of the Dockerfile: what `fix` says in words, as a change a program can apply.

Rules attach `Edit`s to their problems; `apply_edits` applies them to the source text. Tests apply every rule's
edits to each failing case and replay the build: the finding must be gone and no new error or warning appear
(tests/rules/test_fixes.py). Edits touch only the lines they name: new lines take the indentation and line ending
of the instruction they are placed next to; everything else stays byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from .lines import split_lines_keepends
from .parse.reader import parse_text


class EditKind(str, Enum):
    INSERT_BEFORE = "insert-before"  # new instructions (`text`, one per line) before the instruction at `line`
    INSERT_AFTER = "insert-after"  # ... after it (after its last line, heredoc bodies included)
    ADD_FLAG = "add-flag"  # a flag (`--chown=app:app`) right after the instruction's keyword
    PREFIX_RUN = "prefix-run"  # text (`umask 002 && `) at the start of a shell-form RUN's script
    REPLACE = "replace"  # the first `old` in the instruction's text becomes `text`
    CUT = "cut"  # the characters `span` of the instruction's text go (a command of a RUN, with its `&&`)
    SET_FLAG = "set-flag"  # the flag written `old` (`--chown=app`) becomes `text` (`--chown=1001`; "" removes it)
    APPEND_RUN = "append-run"  # text (` && chown -R app /app`) at the end of a shell-form RUN's script
    DELETE = "delete"  # the instruction goes (all its lines)


class Changes(str, Enum):
    """What an edit changes in the image or the build, as the rule that makes it declares."""

    OWNERSHIP = "owners and modes"  # chown/chmod/chgrp/install -d as root, --chown/--chmod, umask, a mount's ids
    ENVIRONMENT = "the environment"  # an ENV that changes where a tool writes or what it does
    COMMANDS = "what the build runs"  # a command, copy or mount added, moved, changed or removed


class Safety(str, Enum):
    """As ruff has it: a safe edit is applied by `--fix`, an unsafe one only with `--unsafe-fixes`."""

    SAFE = "safe"  # changes only owners and modes
    UNSAFE = "unsafe"  # changes what the build or the container does


@dataclass(frozen=True)
class Edit:
    """One change of the Dockerfile. `line`: the first line (1-based) of the instruction it applies to. `changes`:
    what it changes, declared by the rule that makes it (required); its safety follows from that: only an edit of
    owners and modes is safe."""

    kind: EditKind
    line: int
    text: str
    old: str = ""
    span: tuple[int, int] | None = None  # for CUT: [start, end) in the instruction's original text
    changes: Changes = field(kw_only=True)

    @property
    def safety(self) -> Safety:
        return Safety.SAFE if self.changes is Changes.OWNERSHIP else Safety.UNSAFE


def insert_before(line: int, *instructions: str, changes: Changes) -> Edit:
    return Edit(EditKind.INSERT_BEFORE, line, "\n".join(instructions), changes=changes)


def insert_after(line: int, *instructions: str, changes: Changes) -> Edit:
    return Edit(EditKind.INSERT_AFTER, line, "\n".join(instructions), changes=changes)


def runs_as_root(user_spec: str) -> bool:
    """Whether a USER spec as written (`""`: the base image's, known to be root) is root."""
    return user_spec in ("", "0", "root", "0:0", "root:root")


def as_root(user_spec: str, *instructions: str) -> tuple[str, ...]:
    """`instructions` wrapped in `USER root` ... `USER <spec>` when the build runs as another user there."""
    if runs_as_root(user_spec):
        return instructions
    return ("USER root", *instructions, f"USER {user_spec}")


class EditError(ValueError):
    """An edit that does not fit the source (no instruction at its line, a REPLACE whose text is not there)."""


_ORDER = {EditKind.INSERT_AFTER: 0, EditKind.DELETE: 1, EditKind.REPLACE: 2, EditKind.SET_FLAG: 2, EditKind.CUT: 2,
          EditKind.APPEND_RUN: 3, EditKind.ADD_FLAG: 4, EditKind.PREFIX_RUN: 5, EditKind.INSERT_BEFORE: 6}  # fmt: skip


def apply_edits(source: str, edits: Sequence[Edit]) -> str:
    """`source` with `edits` applied (each at most once; equal edits are one). Raises EditError."""
    parsed = parse_text(source)
    spans = {ins.line: (ins.line, ins.end_line, ins.cmd, ins.json_form) for ins in parsed.instructions}
    lines = split_lines_keepends(source)
    unique = list(dict.fromkeys(edits))
    for e in unique:
        if e.kind is EditKind.DELETE and any(o.line == e.line and o.kind in _WITHIN for o in unique):
            raise EditError(f"line {e.line}: an instruction cannot be both deleted and changed")
    # From the bottom, so that earlier line numbers stay valid; at one instruction, the insertion after it first.
    for e in sorted(unique, key=lambda e: (-e.line, _ORDER[e.kind])):
        if e.line not in spans:
            raise EditError(f"no instruction starts at line {e.line}")
        start, end, cmd, json_form = spans[e.line]
        first = lines[start - 1]
        eol = "\r\n" if first.endswith("\r\n") else "\n"
        indent = first[: len(first) - len(first.lstrip())]
        new = [f"{indent}{t}{eol}" for t in e.text.split("\n")]
        if e.kind is EditKind.INSERT_AFTER:
            if not lines[end - 1].endswith(("\n", "\r")):
                lines[end - 1] += eol
            lines[end:end] = new
        elif e.kind is EditKind.INSERT_BEFORE:
            lines[start - 1 : start - 1] = new
        elif e.kind is EditKind.DELETE:
            del lines[start - 1 : end]
        else:
            block = "".join(lines[start - 1 : end])
            block = _in_instruction(e, block, cmd, json_form, parsed.escape)
            changed = split_lines_keepends(block)
            lines[start - 1 : end] = changed
            spans[e.line] = (start, start + len(changed) - 1, cmd, json_form)  # the next edit here sees this one
    return "".join(lines)


_WITHIN = frozenset(
    {EditKind.REPLACE, EditKind.SET_FLAG, EditKind.CUT, EditKind.APPEND_RUN, EditKind.ADD_FLAG, EditKind.PREFIX_RUN}
)


def appendable(original: str) -> bool:
    """Whether a shell-form RUN's script can take `&& more` at its end: no heredoc, no comment or continuation (the
    Dockerfile's escape character, `\\` or `` ` ``) on its last line, not ending in a separator (`;`, `&`, `|`)."""
    if "<<" in original:
        return False
    last = original.rstrip("\r\n").rsplit("\n", 1)[-1].rstrip()
    return not (" #" in last or "\t#" in last or last.endswith(("\\", "`", ";", "&", "|")))


def _skip_blanks(text: str, at: int, escape: str = "\\") -> int:
    """Past blanks, line continuations (`\\` then a newline) and the comment lines a continuation may hold (the
    parser drops them: `RUN --mount=... \\` / `# install` / `pip install ...` runs `pip install`) from `at`."""
    after_newline = False
    while at < len(text):
        if text[at] in " \t":
            at += 1
        elif text.startswith(escape + "\n", at) or text.startswith(escape + "\r\n", at):
            at += 2 if text[at + 1] == "\n" else 3
            after_newline = True
            continue
        elif after_newline and text[at] == "#":
            end = text.find("\n", at)
            at = len(text) if end < 0 else end + 1
            continue
        else:
            break
    return at


def _word_end(text: str, at: int) -> int:
    while at < len(text) and text[at] not in " \t\r\n":
        at += 1
    return at


def _in_instruction(e: Edit, block: str, cmd: str, json_form: bool, escape: str = "\\") -> str:
    if e.kind is EditKind.SET_FLAG:
        return _set_flag(e, block, escape)
    if e.kind is EditKind.CUT:
        if e.span is None or not 0 <= e.span[0] < e.span[1] <= len(block.rstrip("\r\n")):
            raise EditError(f"line {e.line}: nothing to cut at {e.span}")
        return block[: e.span[0]] + block[e.span[1] :]
    if e.kind is EditKind.REPLACE:
        if e.old not in block:
            raise EditError(f"line {e.line}: {e.old!r} is not in the instruction")
        return block.replace(e.old, e.text, 1)
    if e.kind is EditKind.APPEND_RUN:
        if cmd != "RUN" or json_form or not appendable(block):
            raise EditError(f"line {e.line}: appending needs a shell-form RUN ending in a plain command")
        body = block.rstrip("\r\n")
        return body + e.text + block[len(body) :]
    at = _skip_blanks(block, 0, escape)
    keyword_end = at
    while keyword_end < len(block) and block[keyword_end].isalpha():
        keyword_end += 1
    if keyword_end == at:
        raise EditError(f"line {e.line}: no keyword")
    at = keyword_end
    if e.kind is EditKind.ADD_FLAG:
        return f"{block[:at]} {e.text}{block[at:]}"
    if cmd != "RUN" or json_form or "<<" in block:
        raise EditError(f"line {e.line}: a prefix needs a shell-form RUN without a heredoc")
    while True:  # past the RUN's own flags (--mount=..., --network=...) to the script's first word
        word = _skip_blanks(block, at, escape)
        if not block.startswith("--", word):
            break
        at = _word_end(block, word)
    at = _skip_blanks(block, at, escape)
    return f"{block[:at]}{e.text}{block[at:]}"


def _set_flag(e: Edit, block: str, escape: str) -> str:
    """The instruction `block` with the flag written `e.old` replaced by `e.text` (removed, with the blanks after
    it, when that is empty), found where the parser puts the instruction's flags."""
    directive = "" if escape == "\\" else f"# escape={escape}\n"
    parsed = parse_text(directive + block).instructions
    flags = parsed[0].flags if parsed else ()
    span = next((f.span for f in flags if f.written == e.old and f.span is not None), None)
    if span is None:
        raise EditError(f"line {e.line}: no flag {e.old!r}")
    start, end = span
    if not e.text:
        while end < len(block) and block[end] in " \t":
            end += 1
    return block[:start] + e.text + block[end:]


__all__ = [
    "Changes", "Edit", "EditError", "EditKind", "Safety", "appendable", "apply_edits", "as_root", "insert_after", "insert_before",
    "runs_as_root",
]  # fmt: skip
