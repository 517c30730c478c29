"""The fixes findings give work: each is applied to the Dockerfile and the build replayed, and the finding must be
gone without a new one in its place."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from venvlint.lint import LintOptions, lint_file
from venvlint.parse.reader import parse_text

from .test_rule_cases import CASES, _setup

EXAMPLE = Path(__file__).parents[2] / "examples"


def _apply_run_fix(text: str, line: int, fix: str) -> str:
    """Insert the first `RUN ...` the fix gives right after the instruction at `line`."""
    m = re.search(r"`(RUN [^`]+)`", fix)
    assert m, fix
    end = next(ins.end_line for ins in parse_text(text).instructions if ins.line == line)
    lines = text.splitlines()
    lines.insert(end, m.group(1))
    return "\n".join(lines) + "\n"


def _restore_cases() -> list[tuple[str, dict[str, Any]]]:
    return [(r, c) for r, c in CASES if r == "dir-reset-by-copy" and c["expect"]]


@pytest.mark.parametrize(("rule", "case"), _restore_cases(), ids=[c["name"] for _, c in _restore_cases()])
def test_dir_reset_by_copy_fix_restores_every_directory(rule: str, case: dict[str, Any], tmp_path: Path) -> None:
    df, options = _setup(case, tmp_path)
    _check_fix(df, options)


def test_the_examples_fix_works(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "ex")
    _check_fix(tmp_path / "ex" / "Dockerfile", LintOptions())


def _check_fix(df: Path, options: LintOptions) -> None:
    found = [f for f in lint_file(str(df), options).findings if f.code == "VL001"]
    assert found
    text = df.read_text()
    for f in sorted(found, key=lambda f: -f.line):  # from the bottom, so that earlier lines keep their numbers
        text = _apply_run_fix(text, f.line, f.fix)
    df.write_text(text)
    after = lint_file(str(df), options)
    assert after.error is None, after.error
    left = [(f.code, f.line, f.path, f.message) for f in after.findings if f.severity.value in ("error", "warning")]
    assert not [x for x in left if x[0] in ("VL001", "VL002", "VL003", "VL005")], left


ROOT_VENV = """FROM python:3.12-slim
RUN python -m venv /opt/venv && useradd -m app
USER app
RUN /opt/venv/bin/pip install --no-cache-dir requests
"""
COPIED_VENV = """FROM python:3.12-slim AS b
RUN python -m venv /opt/venv
FROM python:3.12-slim
COPY --from=b /opt/venv /opt/venv
RUN useradd -m app
USER app
RUN /opt/venv/bin/pip install --no-cache-dir requests
"""


def _lint(tmp_path: Path, text: str) -> list[Any]:
    df = tmp_path / "Dockerfile"
    df.write_text(text)
    result = lint_file(str(df), LintOptions())
    assert result.error is None, result.error
    return [f for f in result.findings if f.severity.value in ("error", "warning")]


def test_a_venv_root_made_is_created_as_the_user_and_the_fix_does_not_loop(tmp_path: Path) -> None:
    """Handing over only /opt/venv would leave bin/ and site-packages root-owned: the same error again."""
    (f, *_) = _lint(tmp_path, ROOT_VENV)
    m = re.fullmatch(r"create the venv as app: as root `(install -d -o app /opt/venv)`, then run `([^`]+)` "
                     r"\(line 2\) after `USER app`", f.fix)  # fmt: skip
    assert m, f.fix
    fixed = f"FROM python:3.12-slim\nRUN useradd -m app && {m.group(1)}\nUSER app\nRUN {m.group(2)}\n"
    fixed += "RUN /opt/venv/bin/pip install --no-cache-dir requests\n"
    assert _lint(tmp_path, fixed) == []


def test_a_venv_from_elsewhere_gets_exactly_its_written_directories(tmp_path: Path) -> None:
    (f, *_) = _lint(tmp_path, COPIED_VENV)
    m = re.search(r"`(chown app [^`]+)`", f.fix)
    assert m and "-R" not in m.group(1), f.fix
    fixed = COPIED_VENV.replace("USER app\n", f"RUN {m.group(1)}\nUSER app\n")
    assert _lint(tmp_path, fixed) == []
