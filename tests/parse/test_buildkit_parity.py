"""Our parse must match BuildKit's own parser (the `dockerfile` package wraps it) on every Dockerfile in the tests
and the examples: instruction sequence, keyword, line span, flags, JSON form, arguments and heredocs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from venvlint.parse import Instruction, parse_file

dockerfile = pytest.importorskip(
    "dockerfile", reason="the `dockerfile` package (BuildKit's parser) is a test dependency"
)

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    {
        *ROOT.glob("tests/**/Dockerfile*"),
        *ROOT.glob("tests/**/*.Dockerfile"),
        *ROOT.glob("tests/**/*.dockerfile"),
        *ROOT.glob("examples/**/Dockerfile*"),
    }
)


def _ours(ins: Instruction) -> tuple[Any, ...]:
    cmd = ins.cmd
    target = ins.onbuild if ins.onbuild is not None else ins
    args: tuple[str, ...] = target.args
    if target.cmd in ("ENV", "LABEL") and args and "=" in args[0]:
        pairs: list[str] = []
        for a in args:
            k, _, v = a.partition("=")
            pairs += [k, v]
        args = tuple(pairs)
    elif target.cmd == "ENV" and args:
        args = (args[0], target.raw.strip()[len(args[0]) :].strip())
    flags = tuple(f"--{f.name}" + (f"={f.value}" if f.value is not None else "") for f in target.flags)
    docs = tuple((h.name, h.content) for h in target.heredocs)
    sub = ins.onbuild.cmd if ins.onbuild is not None else None
    return (cmd, sub, ins.line, ins.end_line, target.json_form, flags, args, docs)


def _theirs(c: Any) -> tuple[Any, ...]:
    docs = tuple((h.name, h.content) for h in c.heredocs)
    return (c.cmd.upper(), c.sub_cmd.upper() if c.sub_cmd else None, c.start_line, c.end_line, c.json, tuple(c.flags),
            tuple(c.value), docs)  # fmt: skip


def _strip_tabs(ins: Instruction, theirs: tuple[Any, ...]) -> tuple[Any, ...]:
    """BuildKit's parser keeps the tabs of `<<-` bodies (the builder strips them later); we strip while parsing."""
    target = ins.onbuild or ins
    if not any(h.strip_tabs for h in target.heredocs):
        return theirs
    docs = tuple(
        (name, "".join(line.lstrip("\t") for line in content.splitlines(keepends=True))) for name, content in theirs[7]
    )
    return (*theirs[:7], docs)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_parse_matches_buildkit(path: Path) -> None:
    try:
        theirs = dockerfile.parse_file(str(path))
    except dockerfile.GoParseError as exc:
        pytest.skip(f"BuildKit itself rejects this file: {exc}")
    ours = parse_file(str(path)).instructions
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs, strict=True):
        mine = _ours(o)
        expected = _strip_tabs(o, _theirs(t))
        if o.cmd == "HEALTHCHECK":
            mine, expected = mine[:6], expected[:6]  # HEALTHCHECK's value is split differently and unused here
        assert mine == expected, f"line {o.line}"


def test_corpus_is_not_empty() -> None:
    assert len(FILES) >= 40
