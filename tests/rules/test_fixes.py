"""The fixes findings give work: each is applied to the Dockerfile and the build replayed, and the finding must be
gone without a new one in its place."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from venvlint.edits import Changes, Edit, EditKind, apply_edits
from venvlint.lint import LintOptions, lint_file
from venvlint.model.fs import below
from venvlint.parse.reader import parse_text
from venvlint.rules import find_rule

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
    m = re.match(r"create the venv as app: as root `(install -d -o app /opt/venv)`, then run `([^`]+)` "
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


# Failing cases whose fix is a decision only the user can make: no edit is offered, the fix stays words.
MANUAL: dict[tuple[str, str], str] = {
    (
        "VL002",
        "micromamba writes the pip section's requirements next to the environment file",
    ): "where the environment file goes is the user's choice: the COPY and the command both change",
    (
        "VL007",
        "a venv built on Python 3.12 copied into a 3.11 image (measured, docs/MEASUREMENTS.md)",
    ): "which Python the image gets (the build stage's or the final stage's) is the user's choice",
    (
        "VL009",
        "the account is made in the RUN that chowns (no automatic edit, the useradd would have to move)",
    ): "the account is created after the COPY: where the useradd goes is the user's choice",
    (
        "VL009",
        "chown -R of a subtree the COPY made with more beside it (no --chown edit, it would chown the whole copy)",
    ): "copying the subtree on its own changes what the build context holds where: the user's choice",
    (
        "VL002",
        "poetry without a venv as non-root writes system site-packages",
    ): "a venv the user owns, or the install as root: the user's choice (the system's directories are never handed "
    "to a user)",
    ("VL011", "copy onto a symlink fails on BuildKit"): "the build context must change (what is copied where)",
    ("VL011", "a path below a known file is known absent"): "what the COPY should copy is the user's choice",
    (
        "VL007",
        "a venv of a python image copied into distroless python3-debian12 (issue 21)",
    ): "the venv must be built on the final image's Python: another build stage's base is the user's choice",
    (
        "VL007",
        "the same into the nonroot debug variant",
    ): "the venv must be built on the final image's Python: another build stage's base is the user's choice",
    (
        "VL011",
        "a shell-form RUN in distroless python3-debian12 (no /bin/sh; issue 21)",
    ): "an image without a shell: an exec-form RUN or the work moved to a build stage is the user's choice",
    (
        "VL011",
        "the debug image has busybox's shell in /busybox only",
    ): 'SHELL ["/busybox/sh", "-c"] or an exec-form RUN: the user\'s choice',
    (
        "VL013",
        "managed Python and venv copied into a stage whose /root is 0700",
    ): "the install directory moves in the stage that installs it and both COPYs change: the user's choice",
    (
        "VL013",
        "a venv made through a link under root's 0700 HOME to the system Python",
    ): "which interpreter the venv is made from is the user's choice",
    (
        "VL013",
        "a venv made through pyenv's shim, the Python under root's 0700 HOME (measured with pyenv 2.6.30)",
    ): "where pyenv lives (PYENV_ROOT) is set before pyenv is installed: the user's choice",
    (
        "VL023",
        "adduser --system --no-create-home gets /nonexistent (no edit)",
    ): "a system account's /nonexistent is meant not to exist: ENV HOME or a real home is the user's choice",
    (
        "VL023",
        "ENV HOME points at a root-owned directory (no edit)",
    ): "the image chose that HOME for every user: another HOME, or handing the directory over, is the user's choice",
    (
        "VL023",
        "a runtime user the image is run as has no home",
    ): "the image does not run as that user: where its home is made (and whether) is the user's choice",
    ("VL012", "buildah replaces the symlink with a directory"): "the build context must change (what is copied where)",
    (
        "VL004",
        "buildah keeps the owner a cache was first made with; a later mount's uid= does not change it",
    ): "an earlier mount made the cache (root's, for a root RUN): its ids, or a cache of its own, is the user's choice",
    (
        "VL018",
        "tools under /root on PATH for another user",
    ): "where the tool goes instead depends on how it is installed (pipx --global, POETRY_HOME, UV_TOOL_DIR)",
    (
        "VL018",
        "a link into /root from /usr/local/bin",
    ): "where the tool goes instead depends on how it is installed (pipx --global, POETRY_HOME, UV_TOOL_DIR)",
    (
        "VL018",
        "the container's command below /root, run as another user",
    ): "where the tool goes instead depends on how it is installed (pipx --global, POETRY_HOME, UV_TOOL_DIR)",
}


def _failing() -> list[tuple[str, dict[str, Any]]]:
    return [(r, c) for r, c in CASES if c["expect"]]


def _serious(findings: list[Any]) -> set[tuple[str, str, str]]:
    return {(f.code, f.path, f.severity.value) for f in findings if f.severity.value in ("error", "warning")}


def _new(after: list[Any], before: list[Any]) -> set[tuple[str, str, str]]:
    """Errors and warnings after a fix that were not there before: a finding whose path lies below (or above) one
    of the same rule and severity before is the same finding, merged at another top path."""
    old = _serious(before)
    return {
        (c, p, s) for c, p, s in _serious(after)
        if not any(c == c0 and s == s0 and (p == p0 or below(p, p0) or below(p0, p)) for c0, p0, s0 in old)
    }  # fmt: skip


# A command that only changes owners and modes (or makes a directory with them), as an inserted RUN may hold them.
_PERMISSION_COMMAND = re.compile(r"(chown|chmod|chgrp|install -d|mkdir)(\s+[^;&|`$()<>]+)?")
_OWNER_FLAG = re.compile(r"--(chown|chmod)=\S+")  # a COPY/ADD flag that sets the owner or the mode


def only_owners_and_modes(edit: Edit) -> bool:
    """Whether an edit's text changes only owners and modes: the check of what rules declare, from outside."""
    if edit.kind in (EditKind.INSERT_BEFORE, EditKind.INSERT_AFTER):
        return all(_permission_line(t) for t in edit.text.split("\n"))
    if edit.kind is EditKind.ADD_FLAG:
        return bool(_OWNER_FLAG.fullmatch(edit.text))
    if edit.kind is EditKind.PREFIX_RUN:
        return bool(re.fullmatch(r"umask 0?0[02] && ", edit.text))
    if edit.kind in (EditKind.REPLACE, EditKind.SET_FLAG):
        if _OWNER_FLAG.fullmatch(edit.old) and _OWNER_FLAG.fullmatch(edit.text):  # another owner or mode
            return True
        # a cache mount's owner: `--mount=type=cache,target=X` → `...,uid=1001,gid=0`
        added = edit.text.replace(edit.old, "", 1) if edit.text.startswith(edit.old) else None
        return added is not None and bool(re.fullmatch(r"(,(uid|gid|mode)=\w+)+", added))
    return False


def _permission_line(line: str) -> bool:
    if re.fullmatch(r"USER \S+", line):
        return True
    if not line.startswith("RUN "):
        return False
    return all(_PERMISSION_COMMAND.fullmatch(part.strip()) for part in line[4:].split("&&"))


def test_the_outside_check_of_a_declaration_can_fail() -> None:
    ok = Edit(EditKind.INSERT_AFTER, 3, "USER root\nRUN install -d -o app /venv\nUSER app", changes=Changes.OWNERSHIP)
    assert only_owners_and_modes(ok)
    assert only_owners_and_modes(Edit(EditKind.ADD_FLAG, 3, "--chown=1001:0", changes=Changes.OWNERSHIP))
    for text in ("ENV UV_NO_SYNC=1", "RUN chown app /x; rm -rf /", "RUN chown $(id -u) /x"):
        assert not only_owners_and_modes(Edit(EditKind.INSERT_AFTER, 3, text, changes=Changes.OWNERSHIP))
    assert not only_owners_and_modes(Edit(EditKind.DELETE, 3, "", changes=Changes.OWNERSHIP))


@pytest.mark.parametrize(("rule", "case"), _failing(), ids=[f"{r}-{c['name']}" for r, c in _failing()])
def test_the_fix_edit_removes_the_finding_and_adds_none(rule: str, case: dict[str, Any], tmp_path: Path) -> None:
    """Every failing rule case: apply the edits its findings carry, replay the build; that rule's findings are gone,
    no error or warning is new, and no recursive chown or chmod was added (that copies a tree into a new layer)."""
    df, options = _setup(case, tmp_path)
    code = find_rule(rule).code  # type: ignore[union-attr]
    before = lint_file(str(df), options)
    found = [f for f in before.findings if f.code == code]
    assert found
    edits = [e for f in found for e in f.edits]
    if (code, case["name"]) in MANUAL:
        assert not edits and all(f.fix for f in found)
        return
    assert edits, f"{code}: no edit for {[f.fix for f in found]}"
    # A recursive chown or chmod only at the end of the RUN that creates the tree (the same layer), never as a step
    # of its own (that copies the tree into a new layer).
    assert not any(re.search(r"\bch(own|mod|grp) -R\b", e.text) for e in edits if e.kind is not EditKind.APPEND_RUN)
    # What a rule declares an edit of owners and modes (safe: --fix applies it) is one, read from its text.
    assert all(only_owners_and_modes(e) for e in edits if e.changes is Changes.OWNERSHIP), edits
    df.write_text(apply_edits(df.read_text(), edits))
    after = lint_file(str(df), options)
    assert after.error is None, after.error
    assert [f.message for f in after.findings if f.code == code] == [], df.read_text()
    assert not _new(after.findings, before.findings), df.read_text()
    assert not any(f.code == "VL009" for f in after.findings if f.code != code), df.read_text()
