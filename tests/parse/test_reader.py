from __future__ import annotations

import os
from pathlib import Path

import pytest
from venvlint.errors import InputError
from venvlint.parse import parse_file, parse_text


def test_spans_flags_and_heredocs() -> None:
    p = parse_text(
        "FROM scratch\nRUN a \\\n  # c\n\n  b\nCOPY --chown=1:0 --link <<EOF /x\nbody\nEOF\nonbuild run true\n"
    )
    run, copy, onbuild = p.instructions[1:]
    assert (run.line, run.end_line, run.args) == (2, 5, ("a   b",))
    assert (copy.line, copy.end_line) == (6, 8)
    assert copy.flag("chown") == "1:0" and copy.flag("link") == "" and copy.heredocs[0].content == "body\n"
    assert onbuild.cmd == "ONBUILD" and onbuild.onbuild is not None and onbuild.onbuild.cmd == "RUN"
    assert [c.line for c in p.comments] == [3]


def test_escape_directive() -> None:
    p = parse_text("# escape=`\nFROM x\nRUN a `\n  b\n")
    assert p.escape == "`" and p.instructions[1].args == ("a   b",)


def test_quoted_heredoc_is_not_expanded_and_dash_strips_tabs() -> None:
    p = parse_text("FROM x\nRUN <<'EOF' <<-B\n$A\nEOF\n\tb\n\tB\n")
    a, b = p.instructions[1].heredocs
    assert (a.expand, a.content) == (False, "$A\n")
    assert (b.strip_tabs, b.content) == (True, "b\n")


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("FROM x\nRUN <<EOF\nno end\n", "unterminated heredoc", 2),
        ("FROM x\nFOO bar\n", "unknown instruction: FOO", 2),
        ("# only a comment\n", "no instructions", None),
        ("# escape=x\nFROM x\n", "invalid escape directive", 1),
    ],
)
def test_bad_text(text: str, message: str, line: int | None) -> None:
    with pytest.raises(InputError) as err:
        parse_text(text, "Dockerfile")
    assert message in err.value.message and err.value.line == line


def test_bad_files(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    nul = tmp_path / "nul"
    nul.write_bytes(b"FROM x\x00\n")
    latin = tmp_path / "latin"
    latin.write_bytes(b"FROM x\nRUN echo \xe9\n")
    cases = {
        str(tmp_path / "missing"): "no such file",
        str(tmp_path): "is a directory",
        str(fifo): "not a regular file",
        str(nul): "binary content",
        str(latin): "not valid UTF-8",
    }
    for path, message in cases.items():
        with pytest.raises(InputError, match=message) as err:
            parse_file(path)
        assert path in str(err.value)
    with pytest.raises(InputError) as err:
        parse_file(str(latin))
    assert err.value.line == 2


def test_bom_is_accepted(tmp_path: Path) -> None:
    f = tmp_path / "Dockerfile"
    f.write_bytes(b"\xef\xbb\xbfFROM scratch\n")
    assert parse_file(str(f)).instructions[0].cmd == "FROM"
