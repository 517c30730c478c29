"""Machine formats: json, sarif (2.1.0), github (workflow commands), gitlab (Code Quality), junit."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..findings import Finding, Severity
from .result import FileResult
from .text import finding_dict

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")
DOCS_URL = os.environ.get("VENVLINT_DOCS_URL", "https://github.com/venvlint/venvlint/blob/main/docs/rules/")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def repo_relative(path: str) -> str:
    """The file's path relative to the enclosing git repository (or the current directory), with `/`."""
    full = os.path.abspath(path)
    d = os.path.dirname(full)
    root = os.getcwd()
    probe = d
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            root = probe
            break
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    rel = os.path.relpath(full, root)
    return rel.replace(os.sep, "/") if not rel.startswith("..") else full.replace(os.sep, "/")


def render_json(results: Sequence[FileResult]) -> str:
    doc = {
        "findings": [finding_dict(f, r.file) for r in results for f in r.findings],
        "errors": [{"file": r.file, "message": r.error} for r in results if r.error is not None],
        "assumptions": [{"file": r.file, "line": line, "message": msg} for r in results for line, msg in r.assumptions],
    }
    return json.dumps(doc, indent=2) + "\n"


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(results: Sequence[FileResult], rules: Sequence[Any]) -> str:
    index = {r.code: i for i, r in enumerate(rules)}
    driver = {
        "name": "venvlint",
        "version": __version__,
        "informationUri": DOCS_URL.rsplit("/docs/", 1)[0],
        "rules": [
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "helpUri": f"{DOCS_URL}{r.code}-{r.name}.md",
                "help": {"text": r.summary, "markdown": r.doc},
                "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
                "properties": {"tags": list(r.scenarios)},
            }
            for r in rules
        ],
    }
    out: list[dict[str, Any]] = []
    for res in results:
        uri = repo_relative(res.file)
        for f in res.findings:
            item: dict[str, Any] = {
                "ruleId": f.code,
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f"{f.message} Fix: {f.fix}" if f.fix else f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": max(f.line, 1), "endLine": max(f.end_line or f.line, 1)},
                        }
                    }
                ],
                "partialFingerprints": {"venvlint/v1": _fingerprint(uri, f)},
                "properties": {"imagePath": f.path, "stage": f.stage},
            }
            if f.code in index:
                item["ruleIndex"] = index[f.code]
            out.append(item)
    run: dict[str, Any] = {"tool": {"driver": driver}, "results": out}
    notifications = [
        {"level": "error", "message": {"text": r.error}, "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": repo_relative(r.file)}}}]}
        for r in results if r.error is not None
    ]  # fmt: skip
    run["invocations"] = [{"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}]
    return json.dumps({"version": "2.1.0", "$schema": SARIF_SCHEMA, "runs": [run]}, indent=2) + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


_GH_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_github(results: Sequence[FileResult]) -> str:
    lines = []
    for res in results:
        uri = repo_relative(res.file)
        if res.error is not None:
            lines.append(f"::error file={_gh_prop(uri)},title=venvlint::{_gh_data(res.error)}")
        for f in res.findings:
            props = f"file={_gh_prop(uri)},line={max(f.line, 1)},endLine={max(f.end_line or f.line, 1)}"
            props += f",title={_gh_prop(f'{f.code} {f.name}')}"
            msg = f"{f.message}\nFix: {f.fix}" if f.fix else f.message
            lines.append(f"::{_GH_LEVEL[f.severity]} {props}::{_gh_data(msg)}")
    return "\n".join(lines) + ("\n" if lines else "")


_GL_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _fingerprint(uri: str, f: Finding, occurrence: int = 0) -> str:
    # Stable across runs and unrelated edits: the file, the rule, the image path, the instruction's first words.
    key = f"{uri}\0{f.code}\0{f.path}\0{occurrence}"
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()


def render_gitlab(results: Sequence[FileResult]) -> str:
    issues = []
    for res in results:
        uri = repo_relative(res.file)
        seen: dict[tuple[str, str], int] = {}
        for f in res.findings:
            n = seen.get((f.code, f.path), 0)
            seen[(f.code, f.path)] = n + 1
            issues.append(
                {
                    "type": "issue",
                    "check_name": f"{f.code} {f.name}",
                    "description": f.message,
                    "content": {"body": f"Fix: {f.fix}"},
                    "categories": ["Bug Risk"],
                    "severity": _GL_SEVERITY[f.severity],
                    "fingerprint": _fingerprint(uri, f, n),
                    "location": {"path": uri, "lines": {"begin": max(f.line, 1), "end": max(f.end_line or f.line, 1)}},
                }
            )
    return json.dumps(issues, indent=2) + "\n"


def render_junit(results: Sequence[FileResult], threshold: Severity) -> str:
    from xml.sax.saxutils import escape, quoteattr

    cases: list[str] = []
    failures = 0
    for res in results:
        name = repo_relative(res.file)
        if res.error is not None:
            failures += 1
            cases.append(f'  <testcase classname="venvlint" name={quoteattr(name)}>'
                         f"<error message={quoteattr(res.error)}/></testcase>")  # fmt: skip
            continue
        failing = [f for f in res.findings if f.severity.rank >= threshold.rank]
        if not failing:
            cases.append(f'  <testcase classname="venvlint" name={quoteattr(name)}/>')
        for f in failing:
            failures += 1
            text = escape(f"{f.message}\nFix: {f.fix}")
            cases.append(
                f'  <testcase classname="venvlint.{f.code}" name={quoteattr(f"{name}:{f.line} {f.code} {f.name}")}>'
                f"<failure message={quoteattr(f.message)} type={quoteattr(f.code)}>{text}</failure></testcase>"
            )
    tests = len(cases)
    body = "\n".join(cases)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="venvlint" tests="{tests}" failures="{failures}">\n'
        f' <testsuite name="venvlint" tests="{tests}" failures="{failures}">\n{body}\n </testsuite>\n</testsuites>\n'
    )
