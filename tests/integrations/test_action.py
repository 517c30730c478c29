"""Run the composite action's steps the way a runner does: each `run:` script in a file under `bash --noprofile --norc
-eo pipefail`, with INPUT_* variables, GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_ENV and GITHUB_WORKSPACE set; `uses:`
steps (SARIF upload) are GitHub's own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = ROOT / ".ci" / "wheelhouse"
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "workspace"
    shutil.copytree(ROOT / "examples", ws / "docker" / "app")
    return ws


def _run_action(
    tmp_path: Path, inputs: dict[str, str], files: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    """Run the action's `run:` steps as a GitHub runner does: each script in a file, run with `bash --noprofile
    --norc -eo pipefail`, INPUT_* from the inputs (defaults where not given), GITHUB_OUTPUT and GITHUB_ENV files
    (what a step adds to GITHUB_ENV is in the environment of the steps after it). pip installs offline from the
    wheelhouse `.ci/run` prepares. `files`: more files for the workspace."""
    if not WHEELHOUSE.is_dir():
        reason = ".ci/wheelhouse missing (bash .ci/run prepares it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    ws = _workspace(tmp_path)
    for rel, text in (files or {}).items():
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws / rel).write_text(text)
    out, github_env = tmp_path / "github_output", tmp_path / "github_env"
    out.write_text("")
    env = {
        **os.environ,
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_OUTPUT": str(out),
        "GITHUB_ENV": str(github_env),
        "GITHUB_WORKSPACE": str(ws),
        "RUNNER_TEMP": str(tmp_path),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
    }
    for key, spec in action["inputs"].items():
        env["INPUT_" + key.upper().replace("-", "_")] = inputs.get(key, str(spec.get("default", "")))
    code = 0
    stdout = ""
    for i, step in enumerate(action["runs"]["steps"]):
        if "run" not in step:
            # GitHub's own actions (setup-python when asked for, the SARIF upload) are not ours to run here.
            assert step["uses"].startswith(
                ("github/codeql-action/upload-sarif", "actions/setup-python", "actions/cache")
            )
            continue
        assert step["shell"] == "bash"
        script = tmp_path / f"step{i}.sh"
        script.write_text(step["run"])
        github_env.write_text("")
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                           cwd=ws, env=env, capture_output=True, text=True, timeout=900)  # fmt: skip
        stdout += p.stdout
        code = p.returncode
        env.update(line.split("=", 1) for line in github_env.read_text().splitlines() if "=" in line)
        if code != 0:
            break
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
    return code, stdout, outputs


def test_action_annotates_fails_and_writes_valid_sarif(tmp_path: Path) -> None:
    code, stdout, outputs = _run_action(tmp_path, {"dockerfiles": "docker", "runtime-users": "1001:0"})
    assert code == 1
    assert outputs["exit-code"] == "1" and int(outputs["findings"]) >= 1 and outputs["errors"] == "0"
    assert any(line.startswith("::error file=docker/app/Dockerfile,line=8") for line in stdout.splitlines()), stdout
    sarif = tmp_path / "workspace" / outputs["sarif-file"]
    jsonschema.validate(json.loads(sarif.read_text()), SCHEMA)


def test_action_inputs_lists_and_the_projects_threshold(tmp_path: Path) -> None:
    """Two Dockerfiles on two lines both linted; build args and runtime users on lines and with spaces; an empty
    failure-threshold leaves the project's .venvlint.yaml in force (error: the warning-only file passes)."""
    warn_only = "FROM registry.access.redhat.com/ubi9/python-311\nUSER 0\nRUN pip install pandas\nUSER 1001\n"
    code, stdout, outputs = _run_action(
        tmp_path,
        {"dockerfiles": "w1/Dockerfile\nw2/Dockerfile", "build-args": "A=1\nB=2 C=3", "runtime-users": "1001:0\n1002"},
        files={"w1/Dockerfile": warn_only, "w2/Dockerfile": warn_only, ".venvlint.yaml": "failure-threshold: error\n"},
    )  # fmt: skip
    assert code == 0 and outputs["exit-code"] == "0", stdout
    assert stdout.count("::warning file=w1/Dockerfile") == 1 and stdout.count("::warning file=w2/Dockerfile") == 1
    code, _, outputs = _run_action(tmp_path / "again", {"dockerfiles": "w1/Dockerfile", "failure-threshold": "warning"},
                                   files={"w1/Dockerfile": warn_only, ".venvlint.yaml": "failure-threshold: error\n"})  # fmt: skip
    assert code == 1 and outputs["exit-code"] == "1" and outputs["findings"] == "1"


def test_action_declares_its_interface() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["outputs"]) == {"findings", "errors", "sarif-file", "exit-code"}
    assert {"dockerfiles", "context", "config", "format", "failure-threshold", "build-args", "runtime-users",
            "sarif-file", "upload-sarif", "offline", "cache"} <= set(action["inputs"])  # fmt: skip
    # The profile cache the lint step uses is the folder actions/cache keeps between runs.
    cache = next(s for s in action["runs"]["steps"] if str(s.get("uses", "")).startswith("actions/cache"))
    lint = next(s for s in action["runs"]["steps"] if s.get("id") == "lint")
    assert cache["with"]["path"] == "${{ runner.temp }}/venvlint-cache"
    assert "VENVLINT_CACHE_DIR:-${RUNNER_TEMP" in lint["run"] and "}/venvlint-cache}" in lint["run"]
