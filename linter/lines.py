"""A Dockerfile's lines as BuildKit reads them: split at `\n` only, a `\r` before it dropped.

BuildKit's parser reads lines with Go's bufio.ScanLines (moby/buildkit frontend/dockerfile/parser/parser.go), which
ends a line at `\n` and drops one `\r` before it; the Language Server Protocol (3.17, "Text Documents") also ends
lines at `\n` and `\r\n`. Python's `str.splitlines` ends lines at eight more characters (`\x0b`, `\x0c`, `\x1c`-`\x1e`,
`\x85`, U+2028, U+2029): a form feed or a pasted line separator in a comment would shift every line number after it
away from the builder's and the editor's. A lone `\r` is not a line break here (as in BuildKit; the LSP counts it).
"""

from __future__ import annotations


def split_lines(text: str) -> list[str]:
    """The lines of `text` without their endings ("a\\r\\nb\\n" -> ["a", "b"]; "" -> [])."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def split_lines_keepends(text: str) -> list[str]:
    """The lines of `text` with their endings, so that "".join() gives `text` back ("a\\nb" -> ["a\\n", "b"])."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines
