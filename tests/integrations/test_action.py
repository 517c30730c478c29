"""Run the composite action's steps the way a runner does: each `run:` script with its shell, INPUT_* variables,
GITHUB_ACTION_PATH, GITHUB_OUTPUT and GITHUB_WORKSPACE set; `uses:` steps (SARIF upload) are GitHub's own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "workspace"
    shutil.copytree(ROOT / "examples", ws / "docker" / "app")
    return ws


def _run_action(tmp_path: Path, inputs: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    ws = _workspace(tmp_path)
    out = tmp_path / "github_output"
    out.write_text("")
    # A venv that sees this environment's packages, so installing the action needs no network.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    env = {
        **os.environ,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_OUTPUT": str(out),
        "GITHUB_WORKSPACE": str(ws),
        "RUNNER_TEMP": str(tmp_path),
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's inverted spelling: build without isolation (no download)
    }
    for key, spec in action["inputs"].items():
        env["INPUT_" + key.upper().replace("-", "_")] = inputs.get(key, str(spec.get("default", "")))
    code = 0
    stdout = ""
    for step in action["runs"]["steps"]:
        if "run" not in step:
            # GitHub's own actions (setup-python when asked for, the SARIF upload) are not ours to run here.
            assert step["uses"].startswith(("github/codeql-action/upload-sarif", "actions/setup-python"))
            continue
        assert step["shell"] == "bash"
        p = subprocess.run(["bash", "-e", "-c", step["run"]] if step.get("id") != "lint" else ["bash", "-c", step["run"]],
                           cwd=ws, env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
        stdout += p.stdout
        code = p.returncode
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


def test_action_threshold_input(tmp_path: Path) -> None:
    code, _, outputs = _run_action(tmp_path, {"dockerfiles": "docker/app/Dockerfile", "failure-threshold": "error",
                                              "build-args": "A=1\nB=2"})  # fmt: skip
    assert code == 1 and outputs["exit-code"] == "1"  # the reset is an error


def test_action_declares_its_interface() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["outputs"]) == {"findings", "errors", "sarif-file", "exit-code"}
    assert {"dockerfiles", "context", "config", "format", "failure-threshold", "build-args", "runtime-users",
            "sarif-file", "upload-sarif"} <= set(action["inputs"])  # fmt: skip
