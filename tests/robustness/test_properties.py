"""Property tests: Dockerfiles generated from the grammar (instructions, flags, heredocs, continuations, odd bytes)
never make venvlint raise, and linting is deterministic; through the command line, the exit code is 0, 1 or 2, the
output is the same on every run and each run is bounded in time."""

from __future__ import annotations

import io
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from venvlint.lint import LintOptions, lint_file

WORDS = st.sampled_from(
    ["/opt/app-root", "/app", ".", "./", "src/", "$HOME", "${APP:-/x}", "1001:0", "app", "root", "-", "'q'", '"d"',
     "*", "a b", "\\", "$(id -u)", "--chown=1001", "--from=0", "--link", "--chmod=g+w", "--mount=type=cache,target=/c",
     "&&", "||", ";", "|", ">", ">>", "<<EOF", "python -m venv /v", "pip install x", "uv sync", "chown -R 1:0 /a",
     "chmod 775 /a", "useradd -m u", "mkdir -p /a/b", "cd /tmp", "é", "\t", "#", "\x1b[31m", "\ufeff", "\r",
     "\x7f", "${A:-${B:-x}}", "${A#*/}", "$$", "`id`", "--exclude=*.pyc", "--parents", "--network=none",
     "--mount=type=bind,from=build,source=/a,target=/b", "--chown=$UID:$GID", "AS build", "--platform=$BUILDPLATFORM",
     "[\"/bin/sh\", \"-c\"]", "\\", "'", '"']
)  # fmt: skip
KEYWORDS = st.sampled_from(
    ["FROM", "RUN", "COPY", "ADD", "USER", "WORKDIR", "ENV", "ARG", "VOLUME", "CMD", "ENTRYPOINT", "SHELL",
     "ONBUILD RUN", "LABEL", "EXPOSE", "HEALTHCHECK CMD", "STOPSIGNAL", "from", "run", "BOGUS"]
)  # fmt: skip


@st.composite
def dockerfiles(draw: st.DrawFn) -> str:
    lines = [
        draw(
            st.sampled_from(
                [
                    "FROM scratch",
                    "FROM python:3.12-slim",
                    "FROM registry.access.redhat.com/ubi9/python-311",
                    "FROM unknown/img",
                ]
            )
        )
    ]
    for _ in range(draw(st.integers(0, 12))):
        kw = draw(KEYWORDS)
        args = " ".join(draw(st.lists(WORDS, max_size=6)))
        line = f"{kw} {args}"
        if draw(st.booleans()) and kw.upper().startswith(("RUN", "COPY")):
            line = f"{kw} <<EOF {args}\n{draw(st.text(max_size=30))}\nEOF"
        if draw(st.integers(0, 5)) == 0:
            line += " \\\n\n  # c\n " + draw(WORDS)
        if draw(st.integers(0, 9)) == 0:
            line = '["' + line.replace('"', "") + '"'
        lines.append(line)
    head = draw(st.sampled_from(["", "# escape=`\n", "# syntax=docker/dockerfile:1\n", "# check=skip=all\n", "\ufeff"]))
    if draw(st.booleans()):
        lines.insert(0, "ARG BASE=python:3.12-slim")
        lines.append("FROM ${BASE} AS final")
        lines.append("COPY --from=0 /opt /opt")
    return head + "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\r\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=dockerfiles())
def test_never_raises_and_is_deterministic(tmp_path: Path, text: str) -> None:
    (tmp_path / "src").mkdir(exist_ok=True)
    df = tmp_path / "Dockerfile"
    options = LintOptions(context=str(tmp_path))
    first = lint_file(str(df), options, text=text)
    second = lint_file(str(df), options, text=text)
    assert [(f.code, f.line, f.path, f.message) for f in first.findings] == [
        (f.code, f.line, f.path, f.message) for f in second.findings
    ]
    assert first.error == second.error


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_are_input_errors_or_lint(tmp_path: Path, data: bytes) -> None:
    df = tmp_path / "Dockerfile"
    df.write_bytes(data)
    result = lint_file(str(df), LintOptions(context=str(tmp_path)))
    assert result.error is None or isinstance(result.error, str)


def test_twenty_thousand_continuation_lines(tmp_path: Path) -> None:
    """A RUN chaining 20,000 commands over continuation lines: tree-sitter nests the list 20,000 deep."""
    lines = ["FROM scratch", "RUN mkdir /a \\"] + ["  && echo x \\"] * 20_000 + ["  && mkdir /a/b"]
    df = tmp_path / "Dockerfile"
    df.write_text("\n".join(lines) + "\n")
    result = lint_file(str(df), LintOptions(context=str(tmp_path)))
    assert result.error is None


def test_long_cmd_script_is_scanned_without_recursion() -> None:
    from venvlint.simulate.script import scan_commands

    cmds = scan_commands(" && ".join(["echo x"] * 5000) + " && uv run app.py", {})
    assert cmds[-1].argv == ["uv", "run", "app.py"] and len(cmds) == 5001


def run_cli(args: list[str]) -> tuple[int, str, str]:
    """The console entry point in this process (subprocesses would make a hundred examples take minutes)."""
    from venvlint.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code
    return (code if isinstance(code, int) else 2), out.getvalue(), err.getvalue()


@pytest.fixture(autouse=False)
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=dockerfiles(), fmt=st.sampled_from(["text", "json", "sarif", "github", "gitlab", "junit"]))
def test_command_line_exit_codes_are_bounded_and_output_is_deterministic(
    tmp_path: Path, no_color: None, text: str, fmt: str
) -> None:
    (tmp_path / "src").mkdir(exist_ok=True)
    df = tmp_path / "Dockerfile"
    df.write_text(text, encoding="utf-8", newline="")
    args = ["--format", fmt, "--jobs", "1", "--context", str(tmp_path), str(df)]
    start = time.perf_counter()
    first = run_cli(args)
    elapsed = time.perf_counter() - start
    second = run_cli(args)
    assert first[0] in (0, 1, 2), first
    assert "Traceback" not in first[2] and "internal error" not in first[2], first[2]
    assert first == second
    assert elapsed < 10, f"{elapsed:.1f} s for {len(text)} characters"
    if first[0] == 2:
        assert first[2].startswith("venvlint: error:"), first[2]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_command_line_on_arbitrary_bytes(tmp_path: Path, no_color: None, data: bytes) -> None:
    df = tmp_path / "Dockerfile"
    df.write_bytes(data)
    code, _out, err = run_cli(["--jobs", "1", str(df)])
    assert code in (0, 1, 2) and "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert err.startswith("venvlint: error:"), err
