from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from venvlint.config import effective, from_env, load
from venvlint.errors import InputError
from venvlint.findings import Severity

ROOT = Path(__file__).resolve().parents[2]


def _resolve(key: str) -> str | None:
    from venvlint.rules import find_rule

    r = find_rule(key)
    return r.code if r else None


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", repo / "images" / "app")
    (repo / ".git").mkdir()
    return repo


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("venvlint")
    assert exe
    full = {**os.environ, "XDG_CONFIG_HOME": str(cwd / "no-user-config"), **(env or {})}
    return subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd, env=full, timeout=60)


def test_project_file_is_discovered_up_to_the_repo_root(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    df = repo / "images" / "app" / "Dockerfile"
    assert run(str(df), cwd=repo).returncode == 1
    ignored = "dir-reset-by-copy, umask-for-shared-venv, build-install-not-writable, arbitrary-uid-group-write-lost"
    (repo / ".venvlint.yaml").write_text(f"ignore: [{ignored}]\n")
    r = run(str(df), "--format", "json", cwd=repo)
    assert r.returncode == 0 and json.loads(r.stdout)["findings"] == []


def test_ignore_is_merged_with_the_command_line_and_env(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / ".venvlint.yaml").write_text("ignore: [VL009]\n")
    cfg = effective(str(repo / "images/app/Dockerfile"), None, _resolve)
    assert cfg.ignore == {"VL009"}
    env_cfg = from_env(_resolve, {"VENVLINT_IGNORE": "VL001", "VENVLINT_FAILURE_THRESHOLD": "error"})
    merged = cfg.merge(env_cfg)
    assert merged.ignore == {"VL001", "VL009"} and merged.failure_threshold is Severity.ERROR


def test_severity_threshold_and_precedence(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    df = repo / "images" / "app" / "Dockerfile"
    (repo / ".venvlint.yaml").write_text("severity: {VL001: info}\nfailure-threshold: warning\n")
    r = run(str(df), "--format", "json", cwd=repo)
    assert {f["severity"] for f in json.loads(r.stdout)["findings"] if f["code"] == "VL001"} == {"info"}
    assert r.returncode == 0
    # the environment beats the file, the command line beats the environment
    assert run(str(df), cwd=repo, env={"VENVLINT_FAILURE_THRESHOLD": "info"}).returncode == 1
    assert (
        run(str(df), "--failure-threshold", "error", cwd=repo, env={"VENVLINT_FAILURE_THRESHOLD": "info"}).returncode
        == 0
    )


def test_contexts_and_build_args_by_glob(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    df = repo / "images" / "app" / "Dockerfile"
    df.write_text(df.read_text().replace("COPY overlay/ /", "ARG OVERLAY\nCOPY images/app/${OVERLAY}/ /"))
    (repo / ".venvlint.yaml").write_text(
        'contexts: {"images/*/Dockerfile": "."}\nbuild-args: {"images/app/Dockerfile": {OVERLAY: overlay}}\n'
    )
    r = run(str(df), "--format", "json", cwd=repo)
    assert r.returncode == 1, r.stderr
    assert any(f["code"] == "VL001" for f in json.loads(r.stdout)["findings"])


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("ignore: [VL001]\ncolour: red\n", "colour: unknown key", 2),
        ("ignore: VL999\n", "unknown rule 'VL999'", 1),
        ("severity: {VL001: fatal}\n", "unknown severity", 1),
        ("builder: kaniko\n", "builder: must be one of", 1),
        ("runtime-users: {a: b}\n", "must be a list", 1),
        ("- a\n", "must be a mapping", 1),
    ],
)
def test_config_errors_name_file_key_and_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    f = tmp_path / ".venvlint.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as err:
        load(str(f), _resolve)
    assert message in err.value.message and err.value.file == str(f) and err.value.line == line


def test_bad_config_exits_2(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / ".venvlint.yaml").write_text("nope: 1\n")
    r = run(str(repo / "images/app/Dockerfile"), cwd=repo)
    assert r.returncode == 2 and ".venvlint.yaml:1: nope: unknown key" in r.stderr
