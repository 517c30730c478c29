"""Dockerfile names as Docker names them, one declaration (discover.NAMES) for directory discovery, the pre-commit
hook's `files`/`exclude` and the Action (which lints `.` by default); checked through the real console script."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from venvlint.discover import find_dockerfiles, is_dockerfile

ROOT = Path(__file__).resolve().parents[2]

LINTED = ["Dockerfile", "dockerfile", "DOCKERFILE", "Containerfile", "containerfile", "Dockerfile.dev",
          "Containerfile.web", "dockerfile.prod", "dev.Dockerfile", "api.dockerfile", "x.DockerFile",
          "app.Containerfile", "app.containerfile"]  # fmt: skip
NOT_LINTED = ["Dockerfile.dockerignore", "dev.Dockerfile.dockerignore", "Containerfile.containerignore",
              "Dockerfile.swp", "Dockerfile.orig", "Dockerfile.rej", "Dockerfile.bak", "Dockerfile~", "Makefile",
              "dockerfiles", "Dockerfile-dev", "README.md", "docker-compose.yml", "mydockerfile"]  # fmt: skip


def hook() -> dict[str, str]:
    (entry,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return {"files": entry["files"], "exclude": entry["exclude"]}


def precommit_selects(path: str) -> bool:
    """pre-commit's own test of a path: `files` searched, `exclude` not (pre-commit uses re.search)."""
    h = hook()
    return bool(re.search(h["files"], path)) and not re.search(h["exclude"], path)


@pytest.mark.parametrize("name", LINTED + NOT_LINTED)
def test_precommit_regexes_agree_with_the_declaration(name: str) -> None:
    expected = name in LINTED
    assert is_dockerfile(name) is expected
    assert precommit_selects(name) is expected
    assert precommit_selects(f"images/sub/{name}") is expected


def test_the_action_lints_a_directory_by_default() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["inputs"]["dockerfiles"]["default"] == "."


def test_directory_discovery_finds_every_name(tmp_path: Path) -> None:
    for i, name in enumerate(LINTED + NOT_LINTED):
        d = tmp_path / str(i)  # one folder each: a case-insensitive file system would merge Dockerfile/dockerfile
        d.mkdir()
        (d / name).write_text("FROM scratch\n")
    found = sorted(os.path.basename(p) for p in find_dockerfiles(str(tmp_path)))
    assert found == sorted(LINTED)


def test_dev_dockerfile_is_linted_through_the_console_script(tmp_path: Path) -> None:
    (tmp_path / "dev.Dockerfile").write_text("FROM python:3.12-slim\nUSER nobody\nRUN python -m venv /opt/venv\n")
    exe = shutil.which("venvlint")
    assert exe
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "no-user-config")}
    r = subprocess.run([exe, "-f", "json", "."], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert "dev.Dockerfile" in r.stdout, r.stderr
    assert r.returncode == 1  # the venv under / is unwritable for nobody: a finding, so the file was linted
