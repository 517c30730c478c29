"""Read a Dockerfile into instructions with exact 1-based line spans, the way BuildKit's parser does.

`dockerfile-parse` is used for what it does well — quote-aware splitting of `ENV`/`ARG`/`LABEL` words
(`WordSplitter`) — but its line handling is not used, because it does not know heredocs (`RUN <<EOF` bodies become
bogus instructions), ends an instruction at an empty or comment line inside a continuation (BuildKit skips those),
and loses the line numbers of continued instructions. The line layer here follows
moby/buildkit frontend/dockerfile/parser: parser directives only at the very top, comment and blank lines skipped
inside continuations, heredocs for RUN/COPY/ADD read after the instruction's line, ONBUILD wrapping one instruction,
JSON (exec) form only when the text is a JSON array of strings.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import replace
from functools import lru_cache
from typing import Any

from ..errors import InputError
from ..fastimport import load_module
from ..inputfile import decode_text
from ..lines import split_lines
from .model import Comment, Flag, Heredoc, Instruction, ParsedDockerfile

INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
JSON_INSTRUCTIONS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"})
KEY_VALUE_INSTRUCTIONS = frozenset({"ENV", "LABEL", "ARG"})
SINGLE_STRING = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL"})


@lru_cache(maxsize=1)
def _word_splitter() -> Any:
    """dockerfile-parse's WordSplitter, loaded without the rest of that package (see fastimport)."""
    return load_module("dockerfile_parse", "util").WordSplitter


# The value is stripped in Python: `(.+?)[ \t]*$` backtracks quadratically over a long run of blanks.
_DIRECTIVE = re.compile(r"^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=(.*)$")
# `<<EOF`, `<<-EOF`, `<<'EOF'`, `<<"EOF"`, `3<<EOF`; the delimiter is a word (BuildKit: shell-word characters).
_HEREDOC = re.compile(r"(?<![<\w])(\d?)<<(-?)(['\"]?)([A-Za-z0-9_.\-]+)\3")
_MAX_BYTES = 50 * 1024 * 1024


def parse_file(path: str) -> ParsedDockerfile:
    """Read and parse a Dockerfile from disk; every problem is an InputError naming the file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path) from None
    except ValueError:  # a NUL byte in the name
        raise InputError("the file name contains a NUL byte", repr(path)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory, not a Dockerfile", path)
    if not stat.S_ISREG(st.st_mode):
        # Never open a FIFO, socket or device: reading one may block forever.
        raise InputError("is not a regular file (a FIFO, socket or device?)", path)
    if st.st_size > _MAX_BYTES:
        raise InputError(f"is {st.st_size // (1024 * 1024)} MiB: too large for a Dockerfile", path)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path) from None
    return parse_text(decode(data, path), path)


def decode(data: bytes, path: str) -> str:
    return decode_text(data, path, "binary content (NUL bytes): not a Dockerfile", "is not valid UTF-8 text")


def parse_text(text: str, path: str = "Dockerfile") -> ParsedDockerfile:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise InputError("binary content (NUL bytes): not a Dockerfile", path)
    lines = split_lines(text)
    result = ParsedDockerfile(path, [], source=text)
    i = _read_directives(lines, result)
    escape = result.escape
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if stripped.startswith("#"):
            result.comments.append(Comment(i + 1, stripped[1:].strip()))
            i += 1
            continue
        ins, i = _read_instruction(lines, i, escape, path, result)
        result.instructions.append(ins)
    if not result.instructions:
        raise InputError("no instructions: the file is empty or only comments", path)
    return result


def _read_directives(lines: list[str], result: ParsedDockerfile) -> int:
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i].strip())
        value = m.group(2).strip(" \t") if m else ""
        if not m or not value:
            break
        key = m.group(1).lower()
        if key in result.directives:
            break  # a repeated directive is an ordinary comment (BuildKit)
        result.directives[key] = value
        i += 1
    esc = result.directives.get("escape")
    if esc is not None:
        if esc not in ("\\", "`"):
            raise InputError(f"invalid escape directive {esc!r}: must be ` or \\", result.path, 1)
        result.escape = esc
    return i


def _continues(line: str, escape: str) -> tuple[bool, str]:
    body = line.rstrip()
    if body.endswith(escape):
        # An escaped escape at the end (`\\`) is still a continuation in BuildKit: it only looks at the last char.
        return True, body[: -len(escape)]
    return False, line


def _read_instruction(
    lines: list[str], start: int, escape: str, path: str, result: ParsedDockerfile
) -> tuple[Instruction, int]:
    parts: list[str] = []
    where: list[int] = []  # the line (index into `lines`) each part comes from: a part is a prefix of its line
    i = start
    cont, body = _continues(lines[i], escape)
    parts.append(body)
    where.append(i)
    i += 1
    while cont and i < len(lines):
        line = lines[i]
        s = line.strip()
        if not s:
            i += 1
            continue
        if s.startswith("#"):
            result.comments.append(Comment(i + 1, s[1:].strip()))
            i += 1
            continue
        cont, body = _continues(line, escape)
        parts.append(body)
        where.append(i)
        i += 1
    logical = "".join(parts).strip()
    keyword, _, rest = logical.partition(" ")
    if "\t" in keyword:
        keyword, _, more = keyword.partition("\t")
        rest = more + " " + rest if rest else more
    cmd = keyword.upper()
    if cmd not in INSTRUCTIONS:
        raise InputError(f"unknown instruction: {keyword}", path, start + 1)
    heredocs: list[Heredoc] = []
    end = i
    inner_cmd = cmd
    rest = rest.strip()
    if cmd == "ONBUILD":
        inner_cmd = rest.split(None, 1)[0].upper() if rest else ""
    if inner_cmd in HEREDOC_INSTRUCTIONS:
        heredocs, end = _read_heredocs(lines, i, rest, path, start)
    original = "\n".join(lines[start:end])
    ins = _build(cmd, rest, start + 1, end, original, tuple(heredocs), path)
    if cmd != "RUN" or ins.json_form:  # only a shell-form RUN's script is mapped back (edits of its commands)
        return ins, end
    return replace(ins, raw_offsets=_raw_offsets(lines, start, parts, where, ins.raw)), end


def _raw_offsets(lines: list[str], start: int, parts: list[str], where: list[int], raw: str) -> tuple[int, ...] | None:
    """Where each character of `raw` stands in the instruction's original text (its lines from `start`, joined by
    newlines): `raw` is the end of the logical line the parts make, stripped; each part is a prefix of its line."""
    line_at, at = {}, 0
    for k in range(start, max(where) + 1):
        line_at[k] = at
        at += len(lines[k]) + 1
    logical = [line_at[k] + j for part, k in zip(parts, where, strict=True) for j in range(len(part))]
    text = "".join(parts)
    first = len(text.rstrip()) - len(raw)
    if first < 0 or text[first : first + len(raw)] != raw:
        return None  # the text was rebuilt (a keyword followed by a tab)
    return tuple(logical[first : first + len(raw)])


def _read_heredocs(lines: list[str], i: int, args: str, path: str, start: int) -> tuple[list[Heredoc], int]:
    docs: list[Heredoc] = []
    if "<<" not in args or args.lstrip().startswith("["):
        return docs, i
    for m in _HEREDOC.finditer(args):
        fd = int(m.group(1)) if m.group(1) else None
        strip = m.group(2) == "-"
        quoted = bool(m.group(3))
        name = m.group(4)
        body: list[str] = []
        while True:
            if i >= len(lines):
                raise InputError(f"unterminated heredoc <<{name}", path, start + 1)
            line = lines[i]
            i += 1
            check = line.lstrip("\t") if strip else line
            if check == name:
                break
            body.append(line.lstrip("\t") if strip else line)
        content = "".join(b + "\n" for b in body)
        docs.append(Heredoc(name, content, strip, not quoted, fd))
    return docs, i


def _split_flags(rest: str) -> tuple[list[Flag], str]:
    flags: list[Flag] = []
    text = rest
    while text.startswith("--"):
        word, _, remainder = text.partition(" ")
        if word == "--":
            break
        name, sep, value = word[2:].partition("=")
        flags.append(Flag(name.lower(), value if sep else None, word))
        text = remainder.lstrip()
    return flags, text


def _flag_spans(flags: list[Flag], original: str) -> list[Flag]:
    """The flags with where each stands in the instruction's original text, found in order after the keyword."""
    out: list[Flag] = []
    at = len(original) - len(original.lstrip())
    at = original.find(" ", at)  # past the keyword (ONBUILD's inner flags come after its own keyword too)
    for f in flags:
        start = original.find(f.written, at) if at >= 0 else -1
        if start < 0:
            out.append(f)
            continue
        at = start + len(f.written)
        out.append(replace(f, span=(start, at)))
    return out


def _json_list(text: str) -> list[str] | None:
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to be a list of strings: shell form
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _build(
    cmd: str, rest: str, line: int, end: int, original: str, heredocs: tuple[Heredoc, ...], path: str
) -> Instruction:
    if cmd == "ONBUILD":
        if not rest:
            raise InputError("ONBUILD requires an instruction", path, line)
        word, _, inner_rest = rest.partition(" ")
        inner_cmd = word.upper()
        if inner_cmd not in INSTRUCTIONS or inner_cmd in ("ONBUILD", "FROM", "MAINTAINER"):
            raise InputError(f"{word} isn't allowed as an ONBUILD trigger", path, line)
        inner = _build(inner_cmd, inner_rest.strip(), line, end, original, heredocs, path)
        return Instruction("ONBUILD", line, end, original, rest, (rest,), (), False, heredocs, inner)
    flags: list[Flag] = []
    text = rest
    if cmd in ("COPY", "ADD", "RUN", "FROM", "HEALTHCHECK"):
        flags, text = _split_flags(rest)
        flags = _flag_spans(flags, original)
    json_args = _json_list(text) if cmd in JSON_INSTRUCTIONS else None
    if json_args is not None:
        return Instruction(cmd, line, end, original, text, tuple(json_args), tuple(flags), True, heredocs)
    if cmd in SINGLE_STRING:
        args: tuple[str, ...] = (text,) if text else ()
    elif cmd in KEY_VALUE_INSTRUCTIONS:
        args = tuple(_word_splitter()(text).split(dequote=False))  # no args/envs: no substitution
    else:
        args = tuple(text.split())
    return Instruction(cmd, line, end, original, text, args, tuple(flags), False, heredocs)
