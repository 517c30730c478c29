"""The parsed form of a Dockerfile: instructions with exact 1-based line spans."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from ..shown import shorten


class Heredoc(NamedTuple):
    """One here-document attached to an instruction (`RUN <<EOF`, `COPY <<EOF /path`)."""

    name: str  # the delimiter word, without quotes or `<<-`
    content: str  # the body, ending with a newline; tabs already stripped for `<<-`
    strip_tabs: bool = False  # `<<-EOF`
    expand: bool = True  # False when the delimiter was quoted (`<<'EOF'`, `<<"EOF"`): no variable expansion
    fd: int | None = None  # `3<<EOF` → 3


@dataclass(frozen=True)
class Flag:
    """A `--name=value` (or bare `--name`) flag of COPY/ADD/RUN/FROM, as written (not yet variable-expanded)."""

    name: str  # without the leading dashes, lower-case: "chown", "from", "mount"
    value: str | None  # None for a bare boolean flag (`--link`)
    # The flag's word as written (`--chown=app:app`) and where it stands in the instruction's original text
    # (None when it cannot be told: a word broken by a line continuation), for edits of this flag.
    written: str = field(default="", compare=False)
    span: tuple[int, int] | None = field(default=None, compare=False)


def last_flag(flags: tuple[Flag, ...], name: str) -> str | None:
    """The value of the last `--name=...` flag (None if absent; "" for a bare flag)."""
    found: str | None = None
    for f in flags:
        if f.name == name:
            found = f.value if f.value is not None else ""
    return found


def all_flags(flags: tuple[Flag, ...], name: str) -> list[str]:
    """All values of a repeatable flag (`--mount`, `--exclude`), in order."""
    return [f.value if f.value is not None else "" for f in flags if f.name == name]


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction.

    `line`/`end_line` are 1-based and inclusive, covering continuation lines and heredoc bodies.
    `args` are the words of the instruction after its flags: for JSON (exec) form the JSON list, for shell form the
    whitespace-separated words (quotes kept, as BuildKit keeps them for COPY/ADD), and for RUN/CMD/ENTRYPOINT/SHELL
    shell form the single command string. `raw` is the argument text after the flags with continuations joined
    (the escape character and newline removed), and comment lines inside continuations dropped. `raw_offsets[i]`
    is where `raw[i]` stands in `original`, for a shell-form RUN (None elsewhere, and when it cannot be told), so
    that a span of the script the RUN runs can be found in the source.
    """

    cmd: str  # upper-case keyword: FROM, RUN, COPY, ...; "ONBUILD" with `onbuild` set to the wrapped instruction
    line: int
    end_line: int
    original: str  # the exact source lines of the instruction (including heredoc bodies)
    raw: str
    args: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = ()
    json_form: bool = False
    heredocs: tuple[Heredoc, ...] = ()
    onbuild: Instruction | None = None
    raw_offsets: tuple[int, ...] | None = field(default=None, compare=False, repr=False)

    def flag(self, name: str) -> str | None:
        return last_flag(self.flags, name)

    def flag_all(self, name: str) -> list[str]:
        return all_flags(self.flags, name)

    def has_flag(self, name: str) -> bool:
        return any(f.name == name for f in self.flags)

    @property
    def summary(self) -> str:
        """A one-line form of the instruction for messages: `COPY overlay/ /`, its continuation lines joined (comment
        lines inside them dropped, as the parser drops them); a heredoc's first line only."""
        lines = self.original.strip().split("\n")
        if "<<" in lines[0]:
            lines = lines[:1]
        kept = [ln.rstrip() for ln in lines if not ln.strip().startswith("#")]
        joined = " ".join(
            ln[:-1] if ln.endswith(("\\", "`")) and i < len(kept) - 1 else ln for i, ln in enumerate(kept)
        )
        return shorten(" ".join(joined.split()), 100)


class Comment(NamedTuple):
    """A whole-line comment (pragmas are read from these); `line` is 1-based."""

    line: int
    text: str  # without the leading `#` and surrounding blanks


@dataclass
class ParsedDockerfile:
    path: str  # as given by the user, for messages
    instructions: list[Instruction]
    escape: str = "\\"
    directives: dict[str, str] = field(default_factory=dict)  # `# syntax=`, `# escape=`, `# check=`
    comments: list[Comment] = field(default_factory=list)
    source: str = ""
