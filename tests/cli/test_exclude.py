"""Exclusion through the real console script: `exclude` / `extend-exclude` in `.venvlint.yaml` (relative to its
folder), `--exclude` (relative to the working directory), gitignore-style; files named explicitly are linted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BAD = "FROM python:3.12-slim\nUSER nobody\nRUN python -m venv /opt/venv\n"  # a finding: the file was linted


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("venvlint")
    assert exe
    env = {**os.environ, "XDG_CONFIG_HOME": str(cwd / "no-user-config")}
    return subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def linted(r: subprocess.CompletedProcess[str], root: Path, cwd: Path | None = None) -> list[str]:
    """The files with findings, relative to root (reports name them relative to the working directory)."""
    assert r.returncode in (0, 1), r.stderr
    files = {f["file"] for f in json.loads(r.stdout)["findings"]}
    return sorted(os.path.relpath(os.path.join(cwd or root, f), root) for f in files)


def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the repository root: config discovery stops here
    for rel in ["Dockerfile", "tests/fixtures/Dockerfile", "tests/fixtures/deep/x.dockerfile", "app/Dockerfile.dev",
                "app/Dockerfile"]:  # fmt: skip
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(BAD)
    return tmp_path


def test_config_exclude_and_extend_exclude(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / ".venvlint.yaml").write_text('exclude: ["tests/"]\nextend-exclude: ["*.dev"]\n')
    assert linted(run("-f", "json", ".", cwd=root), root) == ["Dockerfile", "app/Dockerfile"]
    # relative to the config's folder, not the working directory: run from app/ on the parent
    assert linted(run("-f", "json", "..", cwd=root / "app"), root, root / "app") == ["Dockerfile", "app/Dockerfile"]


def test_named_files_are_linted_even_when_excluded(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / ".venvlint.yaml").write_text('exclude: ["tests/"]\n')
    r = run("-f", "json", "--exclude", "app/", "tests/fixtures/Dockerfile", "app", cwd=root)
    assert linted(r, root) == ["tests/fixtures/Dockerfile"]  # named: linted; found below app/: excluded
    r = run("--exclude", "app/", "--exclude", "/Dockerfile", ".", cwd=root)
    assert "0 findings in 0 files" in r.stdout and r.returncode == 0


def test_cli_exclude_is_gitignore_style(tmp_path: Path) -> None:
    root = project(tmp_path)
    r = run("-f", "json", "--exclude", "deep/", "--exclude", "!app/Dockerfile.dev", "--exclude", "app/*", ".",
            cwd=root)  # fmt: skip
    assert linted(r, root) == ["Dockerfile", "tests/fixtures/Dockerfile"]


def test_this_repository_is_clean() -> None:
    r = run(".", cwd=ROOT)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr


def test_show_config_says_what_left_each_file_out(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / ".venvlint.yaml").write_text('exclude: ["tests/", "app/*", "!app/Dockerfile"]\n')
    r = run("--show-config", "--exclude", "/Dockerfile", ".", cwd=root)
    assert r.returncode == 0, r.stderr
    listed = r.stdout.split("excluded (not linted):\n")[1].splitlines()
    config = root / ".venvlint.yaml"
    assert sorted(listed) == [
        "  ./Dockerfile: `/Dockerfile` (--exclude)",
        f"  ./app/Dockerfile.dev: `app/*` ({config} exclude)",
        f"  ./tests/fixtures/Dockerfile: `tests/` ({config} exclude)",
        f"  ./tests/fixtures/deep/x.dockerfile: `tests/` ({config} exclude)",
    ]
    assert r.stdout.startswith("./app/Dockerfile:\n")  # taken back by `!app/Dockerfile`: linted, with its settings


def test_a_run_that_excludes_everything_says_so(tmp_path: Path) -> None:
    root = project(tmp_path)
    r = run("--exclude", "*", ".", cwd=root)
    assert r.returncode == 0 and "0 findings in 0 files" in r.stdout
    assert r.stderr == "venvlint: warning: every Dockerfile found (5) is excluded; --show-config says by what\n"
    r = run("--exclude", "tests/", ".", cwd=root)  # some left: nothing to say
    assert r.returncode == 1 and r.stderr == ""
