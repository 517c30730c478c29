"""The release workflow (.github/workflows/release.yml): on a version tag it builds the sdist and the wheel,
checks them with twine, checks that the tag names the version, and publishes with trusted publishing. Its own
steps are run here on the checkout (build and twine offline, no upload)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def _workflow() -> dict[str, Any]:
    doc = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(doc, dict)
    return doc


def _step(job: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in job["steps"] if s.get("name") == name)


def test_it_runs_on_version_tags_and_publishes_with_trusted_publishing() -> None:
    wf = _workflow()
    on = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key `on` as a boolean
    assert on == {"push": {"tags": ["v*"]}}
    assert wf["permissions"] == {"contents": "read"}
    publish = wf["jobs"]["publish"]
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"}
    uses = [s.get("uses", "") for s in publish["steps"]]
    assert uses[-1] == "pypa/gh-action-pypi-publish@release/v1"
    assert "with" not in publish["steps"][-1] or "password" not in publish["steps"][-1]["with"]  # no stored token
    assert "secrets." not in WORKFLOW.read_text()


def test_the_version_check_accepts_the_tag_of_the_version_only() -> None:
    script = _step(_workflow()["jobs"]["build"], "The tag names the version being released")["run"]
    from venvlint import __version__

    for tag, ok in ((f"v{__version__}", True), ("v9.9.9", False)):
        p = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=ROOT, capture_output=True, text=True,
                           env={**os.environ, "GITHUB_REF_NAME": tag}, timeout=60, check=False)  # fmt: skip
        assert (p.returncode == 0) is ok, (tag, p.stderr)


def test_the_built_distributions_pass_twine_check(tmp_path: Path) -> None:
    """The build step's output, checked as the workflow checks it (`twine check --strict`: metadata, and the README
    as PyPI renders it)."""
    dist = tmp_path / "dist"
    p = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                       capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert p.returncode == 0, p.stdout + p.stderr
    files = sorted(str(f) for f in dist.iterdir())
    assert len(files) == 2
    check = _step(_workflow()["jobs"]["build"], "Check them (metadata, README rendering)")["run"]
    assert check == "python -m twine check --strict dist/*"
    p = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *files], capture_output=True, text=True,
                       timeout=120, check=False)  # fmt: skip
    assert p.returncode == 0, p.stdout + p.stderr
