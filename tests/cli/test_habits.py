"""What hadolint and ruff users expect of the command line, through the real console script (issue 23)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "Dockerfile"


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("VENVLINT_")}
    full.update({"COLUMNS": "200", "NO_COLOR": "1", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "venvlint", *args], capture_output=True, text=True, cwd=cwd, timeout=120, env=full
    )


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_top_help_shows_how_to_lint_then_the_commands(flag: str) -> None:
    r = run(flag)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("Usage: venvlint [OPTIONS] DOCKERFILE|DIR|- ...")
    assert "a directory (the Dockerfiles below it) or `-` (standard input)" in out
    # The lint options with their help, before the subcommands.
    assert "--failure-threshold SEVERITY" in out and "--diff " in out and "--jobs N, -j N" in out
    assert "--emit" not in out  # hidden plumbing stays hidden
    assert out.index("Lint options:") < out.index("--jobs") < out.index("Commands")
    for command in ("explain", "profile", "rule", "rules"):
        assert f"\n  {command} " in out[out.index("Commands") :]


def test_lint_help_says_a_directory_and_stdin_are_accepted() -> None:
    r = run("lint", "--help", env={"TERM": "dumb"})
    assert r.returncode == 0 and "DOCKERFILE|DIR|-" in r.stdout
    assert "directory" in r.stdout and "standard input" in " ".join(r.stdout.split())


def test_short_version() -> None:
    short, long_ = run("-V"), run("--version")
    assert short.returncode == 0 and short.stdout.startswith("venvlint ") and short.stdout == long_.stdout


def _codes() -> str:
    """The example's rules, enough of them that `--info` with them leaves only info findings (a rule made info
    can stop superseding another, which then shows: repeat until nothing new appears)."""
    codes: set[str] = set()
    for _ in range(6):
        r = run("-f", "json", *(["--info", ",".join(sorted(codes))] if codes else []), str(EXAMPLE))
        found = {f["code"] for f in json.loads(r.stdout)["findings"]}
        if found <= codes:
            return ",".join(sorted(codes))
        codes |= found
    raise AssertionError(f"no fixed point: {sorted(codes)}")


@pytest.mark.parametrize("value", ["none", "ignore", "style", "NONE", "Style"])
def test_hadolints_lowest_thresholds_fail_on_every_finding_as_info_does(value: str) -> None:
    """hadolint 2.15.1 fails at or above its threshold and ranks style, ignore and none below info (measured: an
    info-only Dockerfile exits 1 under each, 0 under warning). The same example, every finding made info:"""
    as_info = ["--info", _codes(), "-q", str(EXAMPLE)]
    assert run("--failure-threshold", "warning", *as_info).returncode == 0
    assert run("--failure-threshold", "info", *as_info).returncode == 1
    r = run("--failure-threshold", value, *as_info)
    assert r.returncode == 1, r.stderr


def test_unknown_threshold_is_refused() -> None:
    r = run("--failure-threshold", "never", str(EXAMPLE))
    assert r.returncode == 2 and "unknown failure threshold 'never'" in r.stderr


def test_hadolint_thresholds_in_config_and_environment(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "ex")
    df = str(tmp_path / "ex" / "Dockerfile")
    as_info = ["--info", _codes(), "-q", df]
    assert run(*as_info).returncode == 0  # default threshold: warning
    assert run(*as_info, env={"VENVLINT_FAILURE_THRESHOLD": "none"}).returncode == 1
    (tmp_path / "ex" / ".venvlint.yaml").write_text("failure-threshold: style\n")
    assert run(*as_info).returncode == 1
    r = run("--show-config", df)
    assert "failure threshold: info" in " ".join(r.stdout.split()), r.stdout
    (tmp_path / "ex" / ".venvlint.yaml").write_text("failure-threshold:\n")
    r = run("-q", df)
    assert r.returncode == 2 and "failure-threshold" in r.stderr and "empty" in r.stderr


@pytest.mark.parametrize("args", [["--format", "JSON"], ["-f", "Json"], ["--format=JSON"], ["-fJSON"]])
def test_format_names_in_any_case(args: list[str]) -> None:
    r = run(*args, str(EXAMPLE))
    assert r.returncode == 1, r.stderr
    assert json.loads(r.stdout)["findings"]


def test_format_any_case_with_output_file(tmp_path: Path) -> None:
    out = tmp_path / "out.sarif"
    r = run("-f", "Sarif", "-o", str(out), "-f", "TEXT", str(EXAMPLE))
    assert r.returncode == 1, r.stderr
    assert json.loads(out.read_text())["runs"] and "VL001" in r.stdout


def test_diff_and_report_each_go_to_their_own_place(tmp_path: Path) -> None:
    """The diff is standard output alone (it pipes into `patch`); the report goes to its -o file, or to standard
    error when it has none."""
    shutil.copytree(ROOT / "examples", tmp_path / "ex")
    ex = tmp_path / "ex"
    before = run("-f", "json", "Dockerfile", cwd=ex)
    r = run("--diff", "-f", "json", "-o", "report.json", "Dockerfile", cwd=ex)
    assert r.returncode == 1 and r.stdout.startswith("--- Dockerfile\n+++ Dockerfile\n"), r.stderr
    assert r.stderr == ""
    assert json.loads((ex / "report.json").read_text()) == json.loads(before.stdout)
    # Without -o the report is on standard error, whole, and the diff still alone on standard output.
    r2 = run("--diff", "-f", "JSON", "Dockerfile", cwd=ex)
    assert r2.stdout == r.stdout and json.loads(r2.stderr) == json.loads(before.stdout)
    # The diff applies as printed.
    subprocess.run(["patch", "-p0"], input=r.stdout, text=True, cwd=ex, check=True, capture_output=True)
    after = json.loads(run("-f", "json", "Dockerfile", cwd=ex).stdout)["findings"]
    assert len(after) < len(json.loads(before.stdout)["findings"])


def test_explain_and_rules_formats_in_any_case() -> None:
    r = run("explain", str(EXAMPLE), "/opt/app-root", "-f", "JSON")
    assert r.returncode == 0 and json.loads(r.stdout)["paths"], r.stderr
    r = run("rules", "--format", "Json")
    assert r.returncode == 0 and json.loads(r.stdout)["rules"], r.stderr
