"""Output formats as CI systems read them: SARIF against the 2.1.0 schema, GitHub workflow commands, GitLab Code
Quality, JUnit XML, and `-o FILE` paired with the `--format` before it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "Dockerfile"
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def run(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("venvlint")
    assert exe
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd, input=stdin, env=env, timeout=60)


def test_sarif_is_valid_and_carries_rules_and_locations(tmp_path: Path) -> None:
    out = tmp_path / "out.sarif"
    r = run(str(EXAMPLE), "--format", "sarif", "-o", str(out))
    assert r.returncode == 1 and r.stdout == ""
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    run_ = doc["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert all(rule["helpUri"].endswith(f"{rule['id']}-{rule['name']}.md") for rule in rules)
    first = run_["results"][0]
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "examples/Dockerfile" and loc["region"]["startLine"] == 8
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "VL001" and first["level"] == "error"


def test_empty_sarif_run_is_valid(tmp_path: Path) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text("FROM python:3.12-slim\nRUN pip install --no-cache-dir requests\n")
    r = run(str(df), "--format", "sarif")
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["runs"][0]["results"] == []


def test_sarif_to_file_and_github_annotations_to_stdout(tmp_path: Path) -> None:
    out = tmp_path / "venvlint.sarif"
    r = run(str(EXAMPLE), "--format", "sarif", "-o", str(out), "--format", "github")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0].startswith("::error file=examples/Dockerfile,line=8,endLine=8,title=VL001 dir-reset-by-copy::")
    assert all("\n" not in line for line in lines) and "%0AFix:" in lines[0]
    jsonschema.validate(json.loads(out.read_text()), SCHEMA)


def test_gitlab_code_quality_with_stable_fingerprints() -> None:
    a = json.loads(run(str(EXAMPLE), "--format", "gitlab").stdout)
    b = json.loads(run(str(EXAMPLE), "--format", "gitlab").stdout)
    assert [i["fingerprint"] for i in a] == [i["fingerprint"] for i in b]
    assert len({i["fingerprint"] for i in a}) == len(a)
    first = a[0]
    assert first["severity"] == "major" and first["location"] == {
        "path": "examples/Dockerfile",
        "lines": {"begin": 8, "end": 8},
    }
    assert first["check_name"].startswith("VL001")


def test_junit_xml(tmp_path: Path) -> None:
    out = tmp_path / "junit.xml"
    run(str(EXAMPLE), "--format", "junit", "-o", str(out))
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite is not None and int(suite.get("failures", "0")) >= 1
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("type") == "VL001"


def test_stdin_dockerfile() -> None:
    text = EXAMPLE.read_text()
    r = run("-", "--context", str(EXAMPLE.parent), "--format", "json", stdin=text)
    assert r.returncode == 1, r.stderr
    assert json.loads(r.stdout)["findings"][0]["file"] == "-"


def test_two_formats_on_stdout_is_an_error() -> None:
    r = run(str(EXAMPLE), "--format", "json", "--format", "github")
    assert r.returncode == 2 and "only one --format" in r.stderr


def test_an_output_file_without_its_format_is_a_usage_error(tmp_path: Path) -> None:
    """`-o FILE` belongs to the --format before it: none before it, or a second file for one format, is exit 2
    with one line (before, `-o out.json -f json` wrote text into out.json)."""
    out = tmp_path / "out.json"
    r = run(str(EXAMPLE), "-o", str(out), "-f", "json")
    assert r.returncode == 2 and "no --format before it" in r.stderr and not out.exists(), r.stderr
    r = run(str(EXAMPLE), "-f", "json", "-o", str(out), "-o", str(tmp_path / "b.json"))
    assert r.returncode == 2 and "--format json already writes to" in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1
