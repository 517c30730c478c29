"""The README's set-up commands and snippets stay true."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, re.S)


def test_first_commands_are_the_two_setup_commands() -> None:
    first = _blocks("sh")[0].splitlines()
    assert first[0].startswith("pip install . && venvlint examples/Dockerfile")
    assert first[1].startswith("bash .ci/run")
    assert "python3 -m pytest" in (ROOT / ".ci" / "run").read_text()


def test_action_snippet_uses_real_inputs() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    (workflow,) = [yaml.safe_load(b) for b in _blocks("yaml") if "venvlint/venvlint@" in b]
    step = workflow["jobs"]["venvlint"]["steps"][-1]
    assert set(step["with"]) <= set(action["inputs"])


def test_precommit_snippet_names_the_real_hook() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (cfg,) = [yaml.safe_load(b) for b in _blocks("yaml") if "pre-commit-config" in b]
    assert cfg["repos"][0]["hooks"][0]["id"] in {h["id"] for h in hooks}


def test_config_snippet_is_a_valid_config(tmp_path: Path) -> None:
    from venvlint.config import load
    from venvlint.rules import find_rule

    (snippet,) = [b for b in _blocks("yaml") if b.startswith("ignore:")]
    f = tmp_path / ".venvlint.yaml"
    f.write_text(snippet)
    (tmp_path / "profiles").mkdir()
    cfg = load(str(f), lambda k: r.code if (r := find_rule(k)) else None)
    assert cfg.ignore == {"VL009", "VL015"} and cfg.builder == "buildah"


def test_ci_snippets_run(tmp_path: Path) -> None:
    import shlex
    import shutil
    import subprocess

    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (snippet,) = [b for b in _blocks("sh") if "--format gitlab" in b]
    for line in snippet.splitlines():
        cmd = line.split("#")[0].strip()
        if not cmd.startswith("venvlint ."):
            continue
        p = subprocess.run(shlex.split(cmd), cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert p.returncode == 1, (cmd, p.stderr)  # the example has findings
    assert (tmp_path / "venvlint.sarif").is_file() and (tmp_path / "gl-code-quality-report.json").is_file()
    assert (tmp_path / "venvlint-junit.xml").is_file()
