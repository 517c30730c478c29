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
    # (VL001 made info no longer hides the consequences it supersedes: VL002, VL005 are made info too; VL019's
    # warning about the uv install's umask is another cause, made info here)
    (repo / ".venvlint.yaml").write_text(
        "severity: {VL001: info, VL002: info, VL005: info, VL019: info}\nfailure-threshold: warning\n"
    )
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
        ("ignore: [VL001]\nbuilder: buildah\nignore: [VL009]\n", "duplicate key 'ignore' (first at line 1)", 3),
        ("severity:\n  VL001: info\n  VL001: error\n", "duplicate key 'VL001' (first at line 2)", 3),
        ('runtime-users: ["1001:0:x"]\n', "'1001:0:x' is not an identity", 1),
        ('runtime-users: [":0"]\n', "':0' is not an identity", 1),
        ('runtime-users: ["-5"]\n', "'-5' is not an identity", 1),
        ('runtime-users: ["99999999999"]\n', "'99999999999' is not an identity", 1),
        ("{ignore: [VL015], ignore: [VL004]}\n", "duplicate key 'ignore' (first at line 1)", 1),
        ("severity: {VL004: error, cache-dir-not-writable: info}\n", "'cache-dir-not-writable' is VL004, given", 1),
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


def test_runtime_user_is_checked_on_the_command_line_and_in_the_environment(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    df = str(repo / "images" / "app" / "Dockerfile")
    r = run(df, "--runtime-user", "1001:0:x", cwd=repo)
    assert r.returncode == 2 and r.stderr == (
        "venvlint: error: --runtime-user: '1001:0:x' is not an identity: give USER or USER:GROUP (names or numbers),"
        " or `arbitrary`\n"
    )
    r = run(df, cwd=repo, env={"VENVLINT_RUNTIME_USERS": "1001,app:"})
    assert r.returncode == 2 and "VENVLINT_RUNTIME_USERS: 'app:' is not an identity" in r.stderr


def test_a_runtime_user_the_image_has_no_account_for_is_said(tmp_path: Path) -> None:
    """python:3.12-slim's accounts are all known: `nosuch` cannot run it (docker run --user refuses it too)."""
    df = tmp_path / "Dockerfile"
    df.write_text("FROM python:3.12-slim\nRUN useradd -m app\nUSER app\n")
    r = run(str(df), "--runtime-user", "nosuch", "--runtime-user", "app", "-f", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == (
        f"venvlint: warning: {df}: --runtime-user nosuch: unable to find user nosuch in the final image; not checked\n"
    )
    assert json.loads(r.stdout)["notes"] == [
        {"file": str(df), "line": 0, "message": "--runtime-user nosuch: unable to find user nosuch in the final "
         "image; not checked"}
    ]  # fmt: skip


def test_a_build_arg_no_arg_declares_is_said(tmp_path: Path) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text("ARG BASE=python:3.12-slim\nFROM $BASE\nARG PIP_VERSION\nRUN pip install pip==$PIP_VERSION\n")
    r = run(str(df), "--build-arg", "PIP_VERISON=24.0", "--build-arg", "PIP_VERSION=24.0", "--build-arg",
            "BASE=python:3.12", "--build-arg", "HTTP_PROXY=http://proxy:3128", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0
    assert r.stderr == (
        f"venvlint: warning: {df}: build argument PIP_VERISON is not declared by any ARG of the Dockerfile: it changes"
        " nothing\n"
    )


def test_severity_overrides_on_the_command_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    df = str(repo / "images" / "app" / "Dockerfile")
    (repo / ".venvlint.yaml").write_text("severity: {VL001: warning}\n")
    r = run(df, "--info", "dir-reset-by-copy", "--info", "VL002", "--info", "VL005", "--info", "VL019", "-f", "json",
            cwd=repo)  # fmt: skip
    assert r.returncode == 0 and {f["severity"] for f in json.loads(r.stdout)["findings"] if f["code"] == "VL001"} == {
        "info"
    }
    r = run(df, "--error", "VL001", "--failure-threshold", "error", "-f", "json", cwd=repo)
    assert r.returncode == 1 and "error" in {f["severity"] for f in json.loads(r.stdout)["findings"]}
    r = run(df, "--error", "VL001", "--info", "VL001", cwd=repo)
    assert r.returncode == 2 and r.stderr == "venvlint: error: VL001 is given both --error and --info: give one\n"
    r = run(df, "--warning", "VL999", cwd=repo)
    assert r.returncode == 2 and "unknown rule 'VL999'" in r.stderr


def test_show_config_names_the_files_and_the_merged_settings(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    df = str(repo / "images" / "app" / "Dockerfile")
    (repo / ".venvlint.yaml").write_text("ignore: [VL009]\nbuilder: buildah\nseverity: {VL005: error}\n")
    r = run(df, "--show-config", "--ignore", "VL015", "--info", "VL005", "--build-arg", "A=1", cwd=repo,
            env={"VENVLINT_FAILURE_THRESHOLD": "error"})  # fmt: skip
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"{df}:"
    settings = dict(line.strip().split(": ", 1) for line in lines[1:])
    assert settings["config files"] == str(repo / ".venvlint.yaml")
    # The suite runs offline with a cache of its own (tests/conftest.py): those variables are listed too.
    assert settings["environment"].startswith("VENVLINT_FAILURE_THRESHOLD=error, VENVLINT_OFFLINE=1")
    assert settings["base images"].startswith("profiles and the cache only (offline); cache ")
    assert settings["builder"] == "buildah" and settings["ignore"] == "VL009, VL015"
    assert settings["severity"] == "VL005=info" and settings["failure threshold"] == "error"
    assert settings["build args"] == "A=1"


def test_quiet_leaves_out_the_assumptions(tmp_path: Path) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text("FROM example.com/unknown:1\nRUN pip install requests\n")
    loud = run(str(df), cwd=tmp_path)
    assert "Assumptions (what venvlint could not know):" in loud.stdout
    quiet = run(str(df), "-q", cwd=tmp_path)
    assert quiet.returncode == loud.returncode == 0
    assert "Assumptions" not in quiet.stdout and quiet.stdout == "0 findings in 1 file\n"


def test_show_config_for_stdin_and_only_as_text(tmp_path: Path) -> None:
    r = run("-", "--show-config", cwd=tmp_path)
    assert r.returncode == 0 and "  context: the current directory" in r.stdout.splitlines()
    r = run("-", "--show-config", "-f", "json", cwd=tmp_path)
    assert r.returncode == 2 and "--show-config prints text" in r.stderr


def test_a_copy_source_missing_under_strict_context_gets_a_fix_about_the_source(tmp_path: Path) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text("FROM python:3.12-slim\nCOPY \\\n    missing.txt /app/\n")
    r = run(str(df), "--strict-context", "-f", "json", cwd=tmp_path)
    (f,) = json.loads(r.stdout)["findings"]
    assert f["code"] == "VL011" and "make `missing.txt` exist where the COPY reads it" in f["fix"]
    assert "user or group" not in f["fix"]


def test_a_continued_instruction_is_quoted_whole() -> None:
    """Messages quote the cause instruction: `COPY overlay/ /`, not `COPY \\` (its first line)."""
    from venvlint.parse.reader import parse_text

    text = "FROM x\nCOPY \\\n    # the overlay\n    overlay/ /\nRUN <<EOT\necho hi\nEOT\n"
    copy, heredoc = parse_text(text).instructions[1:]
    assert copy.summary == "COPY overlay/ /" and heredoc.summary == "RUN <<EOT"


def test_a_milder_finding_does_not_hide_a_worse_consequence_of_its_cause(tmp_path: Path) -> None:
    """VL002 (an install that fails) is superseded by VL001 (the COPY that caused it) at the same severity; made
    info by the user, VL001 no longer hides the error (as --ignore VL001 never did)."""
    repo = _repo(tmp_path)
    df = str(repo / "images" / "app" / "Dockerfile")
    codes = [f["code"] for f in json.loads(run(df, "-f", "json", cwd=repo).stdout)["findings"]]
    assert "VL001" in codes and "VL002" not in codes
    r = run(df, "--info", "VL001", "-f", "json", cwd=repo)
    found = {(f["code"], f["severity"]) for f in json.loads(r.stdout)["findings"]}
    assert {("VL001", "info"), ("VL002", "error")} <= found and r.returncode == 1
