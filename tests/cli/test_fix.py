"""`--fix` and `--diff`: every failing rule case with an automatic fix is fixed (proven by replaying the build), the
edits are surgical and idempotent, the diff applies with `patch -p0`, the write is atomic and refuses what it must,
SARIF carries the fixes."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from venvlint.edits import EditKind, apply_edits
from venvlint.fix import Safety, fix_text, read_exact, safety
from venvlint.lint import LintOptions, lint_file
from venvlint.parse.reader import parse_text
from venvlint.rules import find_rule

from tests.rules.test_fixes import MANUAL
from tests.rules.test_rule_cases import CASES, _setup

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples"
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("venvlint")
    assert exe
    env = {**os.environ, "NO_COLOR": "1", "XDG_CONFIG_HOME": str(cwd / "no-user-config")}
    return subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd, input=stdin, env=env, timeout=120)


def _failing() -> list[tuple[str, dict[str, Any]]]:
    return [(r, c) for r, c in CASES if c["expect"]]


@pytest.mark.parametrize(("rule", "case"), _failing(), ids=[f"{r}-{c['name']}" for r, c in _failing()])
def test_fix_makes_every_case_with_an_automatic_fix_pass(rule: str, case: dict[str, Any], tmp_path: Path) -> None:
    """--unsafe-fixes: the rule's findings are gone unless its fix is the user's decision (MANUAL); safe fixes only:
    exactly the findings whose edits are all safe are fixed. A second run changes nothing."""
    df, options = _setup(case, tmp_path)
    code = find_rule(rule).code  # type: ignore[union-attr]
    text = read_exact(str(df))

    def lint(t: str) -> Any:
        return lint_file(str(df), options, text=t)

    before = lint(text)
    mine = [f for f in before.findings if f.code == code]
    unsafe = fix_text(text, lint, unsafe=True)
    assert unsafe.result is not None and unsafe.result.error is None
    left = [f for f in unsafe.result.findings if f.code == code]
    if (code, case["name"]) in MANUAL:
        assert left and all("user's decision" in unsafe.not_fixed[(f.code, f.line, f.path)] for f in left)
    else:
        assert not left, (unsafe.not_fixed, unsafe.text)
    again = fix_text(unsafe.text, lint, unsafe=True)
    assert again.text == unsafe.text and again.fixed == []
    safe_only = fix_text(text, lint)
    assert all(safety(f) is Safety.SAFE for f in safe_only.fixed)
    if all(safety(f) is not Safety.SAFE for f in mine):
        assert not any(f.code == code for f in safe_only.fixed)


def _all_test_dockerfiles() -> list[tuple[str, str]]:
    out = [(f"{r}-{c['name']}", c["dockerfile"]) for r, c in CASES]
    out += [(p.parent.name, p.read_text()) for p in sorted((ROOT / "tests" / "oracle" / "cases").glob("*/Dockerfile"))]
    out.append(("example", (EXAMPLE / "Dockerfile").read_text()))
    return out


def test_fixes_touch_only_the_instructions_they_edit(tmp_path: Path) -> None:
    """Every Dockerfile of the tests: with nothing to fix the text is byte for byte the same; with fixes, every line
    outside the instructions an edit changes (or deletes) is still there, byte for byte and in its order."""
    (tmp_path / "ctx").mkdir()
    df = tmp_path / "ctx" / "Dockerfile"

    def lint(t: str) -> Any:
        return lint_file(str(df), LintOptions(), text=t)

    for name, text in _all_test_dockerfiles():
        df.write_text(text)

        assert fix_text(text, lint, fixable=lambda code: False).text == text, name
        outcome = fix_text(text, lint, unsafe=True)
        if outcome.text == text:
            continue
        edited_lines: set[int] = set()
        spans = {i.line: (i.line, i.end_line) for i in parse_text(text).instructions}
        # The edits of the fixed findings name lines of the text they applied to; follow them through the fixes.
        current = text
        for f in outcome.fixed:
            spans = {i.line: (i.line, i.end_line) for i in parse_text(current).instructions}
            nxt = apply_edits(current, f.edits)
            for e in f.edits:
                if e.kind is not EditKind.INSERT_BEFORE and e.kind is not EditKind.INSERT_AFTER:
                    lo, hi = spans[e.line]
                    edited_lines.update(_original_lines(text, current, range(lo, hi + 1)))
            current = nxt
        assert current == outcome.text, name
        # Every line outside the edited instructions is still there, byte for byte and in its order.
        kept = [line for n, line in enumerate(text.splitlines(keepends=True), 1) if n not in edited_lines]
        out = iter(outcome.text.splitlines(keepends=True))
        assert all(any(line == o for o in out) for line in kept), (name, outcome.text)


def _original_lines(original: str, current: str, lines: range) -> set[int]:
    """The line numbers in `original` of `lines` of `current` (an edited version of it); new lines map to none."""
    matcher = difflib.SequenceMatcher(a=original.splitlines(), b=current.splitlines(), autojunk=False)
    out = set()
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            if block.b + k + 1 in lines:
                out.add(block.a + k + 1)
    return out


def test_an_edits_safety_is_what_its_maker_declared() -> None:
    from venvlint.edits import Changes, Edit

    assert Edit(EditKind.ADD_FLAG, 3, "--chown=1001:0", changes=Changes.OWNERSHIP).safety is Safety.SAFE
    assert Edit(EditKind.INSERT_AFTER, 3, "ENV UV_NO_SYNC=1", changes=Changes.ENVIRONMENT).safety is Safety.UNSAFE
    assert Edit(EditKind.DELETE, 3, "", changes=Changes.COMMANDS).safety is Safety.UNSAFE
    with pytest.raises(TypeError):
        Edit(EditKind.DELETE, 3, "")  # type: ignore[call-arg]  # what it changes must be declared


def _example(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "ex")
    (tmp_path / "ex" / ".git").mkdir()
    return tmp_path / "ex"


def test_without_fix_nothing_is_written_and_diff_applies_with_patch(tmp_path: Path) -> None:
    ex = _example(tmp_path)
    df = ex / "Dockerfile"
    original = df.read_bytes()
    assert run("Dockerfile", cwd=ex).returncode == 1 and df.read_bytes() == original
    diff = run("Dockerfile", "--diff", cwd=ex)
    assert diff.returncode == 1, diff.stderr  # nothing is fixed yet: the report is of the file as it is
    assert df.read_bytes() == original and diff.stdout.startswith("--- Dockerfile\n+++ Dockerfile\n")
    assert "Dockerfile:8  VL001" in diff.stderr and "Dockerfile:13  VL019" in diff.stderr  # lines of the file on disk
    assert diff.stderr.count("fixable: --fix applies the fix") == 2
    patched = subprocess.run(["patch", "-p0"], input=diff.stdout, text=True, cwd=ex, capture_output=True, timeout=60)
    assert patched.returncode == 0, patched.stdout + patched.stderr
    assert run("Dockerfile", cwd=ex).returncode == 0  # the patched file is clean
    assert run("Dockerfile", "--diff", cwd=ex).stdout == ""


def test_fix_writes_atomically_keeps_the_mode_and_is_idempotent(tmp_path: Path) -> None:
    ex = _example(tmp_path)
    df = ex / "Dockerfile"
    df.write_bytes(df.read_bytes().replace(b"\n", b"\r\n"))  # line endings are kept
    os.chmod(df, 0o640)
    r = run("Dockerfile", "--fix", cwd=ex)
    assert r.returncode == 0, r.stderr
    assert "fixed: VL001 dir-reset-by-copy at line 8" in r.stdout and "2 fixed" in r.stdout
    fixed = df.read_bytes()
    assert b"RUN chown 1001:0 /opt/app-root /opt/app-root/etc && chmod 775 /opt/app-root /opt/app-root/etc\r\n" in fixed
    assert fixed.count(b"\n") == fixed.count(b"\r\n")
    assert stat.S_IMODE(df.stat().st_mode) == 0o640
    assert sorted(p.name for p in ex.iterdir() if p.name.startswith(".venvlint")) == []
    r = run("Dockerfile", "--fix", cwd=ex)
    assert r.returncode == 0 and df.read_bytes() == fixed and "fixed" not in r.stdout


def test_fix_refuses_a_symlink_and_an_unwritable_file(tmp_path: Path) -> None:
    ex = _example(tmp_path)
    (ex / "Dockerfile").rename(ex / "real.Dockerfile")
    (ex / "Dockerfile").symlink_to("real.Dockerfile")
    before = (ex / "real.Dockerfile").read_bytes()
    r = run("Dockerfile", "--fix", cwd=ex)
    assert r.returncode == 2 and r.stderr.endswith("Dockerfile: is a symlink: --fix writes only the regular files it"
                                                   " is given (fix its target)\n")  # fmt: skip
    assert (ex / "real.Dockerfile").read_bytes() == before and (ex / "Dockerfile").is_symlink()
    if os.geteuid() == 0:
        return  # root can write anything: the permission case cannot be made here
    os.chmod(ex / "real.Dockerfile", 0o444)
    r = run("real.Dockerfile", "--fix", cwd=ex)
    assert r.returncode == 2 and "permission denied" in r.stderr


def test_fix_from_stdin_prints_the_fixed_dockerfile(tmp_path: Path) -> None:
    ex = _example(tmp_path)
    text = (ex / "Dockerfile").read_text()
    r = run("-", "--fix", "--context", str(ex), cwd=ex, stdin=text)
    assert r.returncode == 0, r.stderr
    assert r.stdout != text and "RUN chown 1001:0 /opt/app-root" in r.stdout
    assert "fixed: VL001" in r.stderr  # the report goes to stderr: stdout is the Dockerfile
    assert (ex / "Dockerfile").read_text() == text


def test_unsafe_fixes_and_unfixable(tmp_path: Path) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text('FROM python:3.12-slim\nRUN pip install uv && uv venv /app/.venv && useradd -m app\n'
                  'WORKDIR /app\nUSER app\nCMD ["uv", "run", "python", "-m", "app"]\n')  # fmt: skip
    lint = run("Dockerfile", "-f", "json", cwd=tmp_path)
    codes = {f["code"] for f in json.loads(lint.stdout)["findings"]}
    assert codes, lint.stderr
    safe = run("Dockerfile", "--diff", cwd=tmp_path)
    unsafe = run("Dockerfile", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert len(unsafe.stdout) >= len(safe.stdout)
    none = run("Dockerfile", "--diff", "--unsafe-fixes", *[a for c in codes for a in ("--unfixable", c)], cwd=tmp_path)
    assert none.stdout == "" and "kept out of fixing (--unfixable or `unfixable:`)" in none.stderr
    (tmp_path / ".git").mkdir()
    (tmp_path / ".venvlint.yaml").write_text(f"unfixable: [{', '.join(sorted(codes))}]\n")
    assert run("Dockerfile", "--diff", "--unsafe-fixes", cwd=tmp_path).stdout == ""


def test_fix_option_mistakes(tmp_path: Path) -> None:
    ex = _example(tmp_path)
    r = run("Dockerfile", "--fix", "--diff", cwd=ex)
    assert (
        r.returncode == 2
        and r.stderr == "venvlint: error: --fix writes the fixes and --diff only shows them: give one\n"
    )
    r = run("Dockerfile", "--unsafe-fixes", cwd=ex)
    assert r.returncode == 2 and "--unsafe-fixes goes with --fix or --diff" in r.stderr


def test_sarif_carries_the_fixes(tmp_path: Path) -> None:
    ex = _example(tmp_path)
    r = run("Dockerfile", "-f", "sarif", cwd=ex)
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, SCHEMA)
    result = doc["runs"][0]["results"][0]
    (change,) = result["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "Dockerfile"
    text = (ex / "Dockerfile").read_text()
    # Applying the replacements (from the end) gives the text the finding's edits give.
    for rep in sorted(change["replacements"], key=lambda x: -x["deletedRegion"]["charOffset"]):
        at, length = rep["deletedRegion"]["charOffset"], rep["deletedRegion"]["charLength"]
        text = text[:at] + rep["insertedContent"]["text"] + text[at + length :]
    assert "RUN chown 1001:0 /opt/app-root /opt/app-root/etc && chmod 775" in text
    assert run("-", "--context", str(ex), cwd=ex, stdin=text).stdout.count("VL001") == 0


def test_a_file_named_twice_is_fixed_once(tmp_path: Path) -> None:
    ex = _example(tmp_path)
    r = run("Dockerfile", ".", "./Dockerfile", "--fix", cwd=ex)
    assert r.returncode == 0 and "2 fixed" in r.stdout, r.stdout + r.stderr


def test_a_fix_before_a_comment_inside_a_continuation_lands_on_the_command(tmp_path: Path) -> None:
    """`RUN --mount=... \\` / `# install deps` / `pip install`: the comment line is dropped by the parser, so
    `umask 002 &&` goes before `pip`, not before the comment (where it would comment out the continuation)."""
    df = tmp_path / "Dockerfile"
    df.write_text("FROM registry.access.redhat.com/ubi9/python-311\nRUN --mount=type=cache,target=/tmp/c \\\n"
                  "    # install deps\n    pip install requests\n")  # fmt: skip
    sarif = json.loads(run("Dockerfile", "-f", "sarif", cwd=tmp_path).stdout)
    (replacement,) = sarif["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement["insertedContent"]["text"] == "    umask 002 && pip install requests\n"
    r = run("Dockerfile", "--fix", cwd=tmp_path)
    assert r.returncode == 0 and "fixed: VL019" in r.stdout, r.stdout + r.stderr
    assert df.read_text().endswith("    # install deps\n    umask 002 && pip install requests\n")
