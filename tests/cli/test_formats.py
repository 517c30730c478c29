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


def _several(tmp_path: Path) -> list[str]:
    """Dockerfiles: one with a warning, one clean, one that cannot be linted, one with an info finding."""
    bad = tmp_path / "bad" / "Dockerfile"
    bad.parent.mkdir()
    bad.write_text("FROM python:3.12\nRUN useradd -m app && mkdir /venv && chown -R app /venv\nUSER app\n"
                   "RUN python -m venv /venv\nUSER 0\nRUN /venv/bin/pip install requests\nUSER app\n"
                   "CMD [\"/venv/bin/pip\", \"install\", \"x\"]\n")  # fmt: skip
    clean = tmp_path / "clean" / "Dockerfile"
    clean.parent.mkdir()
    clean.write_text("FROM python:3.12-slim\nRUN pip install --no-cache-dir requests\n")
    broken = tmp_path / "broken" / "Dockerfile"
    broken.parent.mkdir()
    broken.write_text("RUN true\n")
    info = tmp_path / "info" / "Dockerfile"
    info.parent.mkdir()
    info.write_text('FROM python:3.12-slim\nUSER 4321\nCMD ["python"]\n')
    return [str(bad), str(clean), str(broken), str(info)]


def test_junit_counts_failures_and_errors_and_names_each_case_once(tmp_path: Path) -> None:
    files = [str(EXAMPLE), *_several(tmp_path)]
    findings = json.loads(run(*files, "-f", "json").stdout)["findings"]
    assert {f["severity"] for f in findings} == {"error", "warning", "info"}, findings
    out = tmp_path / "junit.xml"
    r = run(*files, "--format", "junit", "-o", str(out), "--failure-threshold", "error")
    assert r.returncode == 2
    root = ET.parse(out).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    names = [c.get("name") for c in cases]
    assert len(names) == len(set(names)) == len(findings) + 2  # each finding, the clean file, the broken one
    assert sum(1 for f in findings if f["code"] == "VL001") == 1  # the example's finding has one case
    failed = [c for c in cases if c.find("failure") is not None]
    errored = [c for c in cases if c.find("error") is not None]
    below = [c for c in cases if c.find("system-out") is not None]
    assert len(failed) == sum(1 for f in findings if f["severity"] == "error")
    assert len(errored) == 1 and "broken" in (errored[0].get("name") or "")
    assert len(below) == sum(1 for f in findings if f["severity"] != "error") >= 1  # warnings and infos appear
    for element in (root, suite):
        assert element.get("tests") == str(len(cases))
        assert element.get("failures") == str(len(failed)) and element.get("errors") == "1"
    first = failed[0].find("failure")
    assert first is not None and first.get("type") == "error"


def test_junit_xml(tmp_path: Path) -> None:
    out = tmp_path / "junit.xml"
    run(str(EXAMPLE), "--format", "junit", "-o", str(out))
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite is not None and int(suite.get("failures", "0")) >= 1
    case = suite.find("testcase")
    assert case is not None and case.get("classname") == "venvlint.VL001" and case.find("failure") is not None


def test_compact_is_one_line_per_finding(tmp_path: Path) -> None:
    several = _several(tmp_path)
    files = [several[i] for i in (0, 1, 3)]
    findings = json.loads(run(*files, "-f", "json").stdout)["findings"]
    r = run(*files, "-f", "compact")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert len(lines) == len(findings)
    for line, f in zip(lines, findings, strict=True):
        assert line.startswith(f"{f['file']}:{f['line']} {f['code']} {f['severity']} ")


def test_checkstyle_for_reviewdog(tmp_path: Path) -> None:
    files = _several(tmp_path)
    findings = json.loads(run(*files, "-f", "json").stdout)["findings"]
    root = ET.fromstring(run(*files, "-f", "checkstyle").stdout)
    assert root.tag == "checkstyle" and [f.get("name") for f in root.findall("file")] == files
    errors = root.findall("file/error")
    assert len(errors) == len(findings) + 1
    by_source = [e for e in errors if e.get("source") != "venvlint"]
    assert [(e.get("line"), e.get("severity"), e.get("source")) for e in by_source] == [
        (str(f["line"]), f["severity"], f"venvlint.{f['code']}") for f in findings
    ]
    broken = root.findall("file")[2].findall("error")  # the order of the files is kept
    assert len(broken) == 1 and broken[0].get("source") == "venvlint"


def test_gitlab_report_of_a_file_that_cannot_be_linted_is_not_empty(tmp_path: Path) -> None:
    broken = _several(tmp_path)[2]
    r = run(broken, "-f", "gitlab")
    assert r.returncode == 2
    (issue,) = json.loads(r.stdout)
    assert issue["severity"] == "blocker" and "FROM" in issue["description"]
    assert issue["location"]["path"].endswith("broken/Dockerfile")


def test_stdin_filename_names_the_file_in_reports_and_finds_its_config(tmp_path: Path) -> None:
    """`-` with --stdin-filename is linted as that file: SARIF names it, its .venvlint.yaml applies, and its folder
    is the context (the overlay the example copies is found there)."""
    shutil.copytree(EXAMPLE.parent, tmp_path / "ex")
    (tmp_path / "ex" / ".git").mkdir()
    (tmp_path / "ex" / ".venvlint.yaml").write_text("severity: {VL001: warning}\n")
    name = str(tmp_path / "ex" / "Dockerfile")
    r = run("-", "--stdin-filename", name, "-f", "sarif", stdin=EXAMPLE.read_text(), cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, SCHEMA)
    result = doc["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "Dockerfile"
    assert result["ruleId"] == "VL001" and result["level"] == "warning"
    r = run(str(EXAMPLE), "--stdin-filename", name)
    assert r.returncode == 2 and "no `-` was given" in r.stderr


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


def test_two_formats_into_one_file_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "same"
    r = run(str(EXAMPLE), "-f", "json", "-o", str(out), "-f", "sarif", "-o", str(out))
    assert r.returncode == 2 and r.stderr == f"venvlint: error: two formats write to {out}: give each its own -o FILE\n"
    assert not out.exists()


def test_usage_errors_from_the_command_parser_are_one_line() -> None:
    for args in (["--bogus", str(EXAMPLE)], ["lint"], ["profile"], ["explain"]):
        r = run(*args)
        assert r.returncode == 2 and r.stderr.startswith("venvlint: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert "No such option: --bogus" in run("--bogus", str(EXAMPLE)).stderr
