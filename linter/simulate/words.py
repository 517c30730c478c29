"""Turn tree-sitter-bash word nodes into strings, the way the shell would expand them (or None when unknowable)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..resolve.expand import MAX_LENGTH, UNKNOWN_MARK, ExpansionError, expand

if TYPE_CHECKING:  # tree-sitter itself is loaded by script.py when a RUN is parsed, not for every Dockerfile
    from tree_sitter import Node as TSNode

HomeOf = Callable[[str], "str | None"]


def text(node: TSNode, src: bytes) -> str:
    return src[node.start_byte : node.end_byte].decode("utf-8", "replace")


def word(node: TSNode, src: bytes, env: Mapping[str, str], home_of: HomeOf | None = None) -> str | None:
    """The expanded value of one argument node; None if it depends on something unknowable ($(...), $RANDOM, a
    variable whose value is not known). An unquoted leading `~` or `~user` expands as the shell expands it: to
    $HOME, or to that user's home (`home_of`)."""
    value = _word(node, src, env, home_of)
    if value is not None and UNKNOWN_MARK in value:
        return None
    return value


def tilde(raw: str, env: Mapping[str, str], home_of: HomeOf | None) -> str | None:
    """`~`, `~/x`, `~user`, `~user/x` (an unquoted word's start); None when that home is not known."""
    name, sep, rest = raw[1:].partition("/")
    home = (home_of(name) if home_of is not None else None) if name else env.get("HOME")
    if home is None or UNKNOWN_MARK in home:
        return None
    return home.rstrip("/") + "/" + rest if sep else home


def _word(node: TSNode, src: bytes, env: Mapping[str, str], home_of: HomeOf | None, start: bool = True) -> str | None:
    t = node.type
    if t == "word" or t == "number":
        raw = text(node, src)
        if raw.startswith("~") and start:
            return tilde(raw, env, home_of)
        if "\\" in raw:
            out = []
            i = 0
            while i < len(raw):
                if raw[i] == "\\" and i + 1 < len(raw):
                    out.append(raw[i + 1])
                    i += 2
                else:
                    out.append(raw[i])
                    i += 1
            return "".join(out)
        return raw
    if t == "raw_string":
        return text(node, src)[1:-1]
    if t == "ansi_c_string":
        return text(node, src)[2:-1].encode().decode("unicode_escape", "replace")
    if t == "string":
        parts: list[str] = []
        for c in node.named_children:
            v = _word(c, src, env, None, start=False) if c.type != "string_content" else text(c, src)
            if v is None:
                return None
            parts.append(v)
        if not node.named_children:
            return ""
        # string_content nodes drop the whitespace between expansions: rebuild from the raw text when simple.
        raw = text(node, src)[1:-1]
        if "$" not in raw and "`" not in raw:
            return raw.replace('\\"', '"').replace("\\\\", "\\").replace("\\$", "$")
        try:
            return expand('"' + raw + '"', env)
        except ExpansionError:
            return None
    if t in ("simple_expansion", "expansion"):
        raw = text(node, src)
        if "$(" in raw or "`" in raw:
            return None
        name = raw.lstrip("${").split("}")[0].split(":")[0].split("-")[0].split("+")[0]
        if name in ("RANDOM", "$", "!", "?", "PPID", "BASHPID", "SECONDS") or (name.isdigit()):
            return None
        try:
            return expand(raw, env)
        except ExpansionError:
            return None
    if t == "concatenation":
        parts = []
        size = 0
        for i, c in enumerate(node.children):
            v = _word(c, src, env, home_of, start=i == 0)
            size += len(v) if v is not None else 0
            if v is None or size > MAX_LENGTH:
                return None  # unknowable, or a word no real script builds (the model stays bounded)
            parts.append(v)
        return "".join(parts)
    if t in ("command_substitution", "process_substitution", "arithmetic_expansion"):
        return None
    return text(node, src)
