"""`pre-commit try-repo` with this checkout: the hook fails on a bad Dockerfile and passes on a good one.

pre-commit installs the hook into a fresh virtualenv; the packages come from `.ci/wheelhouse` (filled by .ci/run
while it has the network), so the test itself needs none.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = ROOT / ".ci" / "wheelhouse"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_try_repo(tmp_path: Path) -> None:
    if not WHEELHOUSE.is_dir() or shutil.which("pre-commit") is None:
        reason = "pre-commit or .ci/wheelhouse missing (bash .ci/run prepares them)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", repo)
    good = repo / "good" / "Dockerfile"
    good.parent.mkdir()
    good.write_text("FROM python:3.12-slim\nRUN pip install --no-cache-dir requests\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PIP_NO_INDEX": "1",
           "PIP_FIND_LINKS": str(WHEELHOUSE), "VIRTUALENV_NO_DOWNLOAD": "1"}  # fmt: skip

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pre-commit", "try-repo", str(ROOT), "venvlint", "--files", *files],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=900)  # fmt: skip

    bad = try_repo("Dockerfile")
    assert bad.returncode != 0, bad.stdout + bad.stderr
    assert "VL001" in bad.stdout
    ok = try_repo("good/Dockerfile")
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_the_readme_snippet_pins_a_revision_that_exists() -> None:
    """`rev: v0.1.0` named a tag nobody made: a release tag in the snippet must exist; until one does, the snippet
    says how to pin a commit."""
    import re

    readme = (ROOT / "README.md").read_text()
    snippet = readme[readme.index("# .pre-commit-config.yaml") :].split("```", 1)[0]
    rev = re.search(r"^\s*rev:\s*(\S+)(.*)$", snippet, re.MULTILINE)
    assert rev is not None
    tags = subprocess.run(["git", "tag"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert rev.group(1) in tags or (rev.group(1) == "<commit>" and "git ls-remote" in rev.group(2))
