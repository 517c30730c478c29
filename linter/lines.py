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


def changed_runs(old: list[str], new: list[str]) -> list[tuple[int, int, str]]:
    """Each run of lines of `old` that `new` puts something else in place of: (first, end) 0-based line indexes of
    `old` (end exclusive; equal for an insertion) and the text of `new` that goes there. Lines with their endings
    (`split_lines_keepends`), so the runs applied to `old` give `new` exactly. What a fix changed, for SARIF's
    replacements and the language server's edits."""
    import difflib

    return [
        (i1, i2, "".join(new[j1:j2]))
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
        if tag != "equal"
    ]


def split_lines_keepends(text: str) -> list[str]:
    """The lines of `text` with their endings, so that "".join() gives `text` back ("a\\nb" -> ["a\\n", "b"])."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines
