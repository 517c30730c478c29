"""Machine formats: json, sarif (2.1.0), github (workflow commands), gitlab (Code Quality), junit, compact (one line
per finding) and checkstyle (the XML reviewdog, Jenkins and many CI tools read)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..findings import Finding, Severity
from ..lines import changed_runs, split_lines_keepends
from .result import FileResult
from .text import finding_dict

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
        "notes": [{"file": r.file, "line": line, "message": msg} for r in results for line, msg in r.notes],
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
                "message": {"text": _with_fix(f, " ")},
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
            fix = _sarif_fix(res.source, f, uri)
            if fix is not None:
                item["fixes"] = [fix]
            out.append(item)
    run: dict[str, Any] = {"tool": {"driver": driver}, "results": out}
    notifications = [
        {"level": "error", "message": {"text": r.error}, "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": repo_relative(r.file)}}}]}
        for r in results if r.error is not None
    ] + [
        {"level": "warning", "message": {"text": note}, "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": repo_relative(r.file)},
                                  **({"region": {"startLine": line}} if line else {})}}]}
        for r in results for line, note in r.notes
    ]  # fmt: skip
    failed = any(r.error is not None for r in results)
    run["invocations"] = [{"executionSuccessful": not failed, "toolExecutionNotifications": notifications}]
    return json.dumps({"version": "2.1.0", "$schema": SARIF_SCHEMA, "runs": [run]}, indent=2) + "\n"


def _with_fix(f: Finding, separator: str) -> str:
    """The finding's message, then `Fix: ...` after `separator` when it has a fix."""
    return f"{f.message}{separator}Fix: {f.fix}" if f.fix else f.message


def _sarif_fix(source: str, f: Finding, uri: str) -> dict[str, Any] | None:
    """The finding's edits as a SARIF fix: the replacements that turn the linted text into the edited one, each a
    region of characters (offset, length) and what goes there. None without edits, or when they do not fit."""
    if not f.edits or not source:
        return None
    from ..edits import EditError, apply_edits
    from ..errors import InputError
    from ..parse.reader import parse_text

    try:
        edited = apply_edits(source, f.edits)
        parse_text(edited)  # an edit that breaks the Dockerfile is no fix to offer (--fix would refuse it too)
    except (EditError, InputError):
        return None
    old = split_lines_keepends(source)
    starts = [0]
    for line in old:
        starts.append(starts[-1] + len(line))
    replacements = [
        {
            "deletedRegion": {"charOffset": starts[i1], "charLength": starts[i2] - starts[i1]},
            "insertedContent": {"text": text},
        }
        for i1, i2, text in changed_runs(old, split_lines_keepends(edited))
    ]
    return {
        "description": {"text": f.fix or f"{f.code} {f.name}"},
        "artifactChanges": [{"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}, "replacements": replacements}],
    }


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
            msg = _with_fix(f, "\n")
            lines.append(f"::{_GH_LEVEL[f.severity]} {props}::{_gh_data(msg)}")
    return "\n".join(lines) + ("\n" if lines else "")


_GL_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _fingerprint(uri: str, f: Finding, occurrence: int = 0) -> str:
    # Stable across runs and unrelated edits: the file, the rule, the image path and which of its findings it is.
    key = f"{uri}\0{f.code}\0{f.path}\0{occurrence}"
    return _sha256(key)


def _sha256(text: str) -> str:
    import hashlib  # not at the top: the lint path imports this module, and hashlib costs a cold start

    return hashlib.sha256(text.encode()).hexdigest()


def render_gitlab(results: Sequence[FileResult]) -> str:
    issues = []
    for res in results:
        uri = repo_relative(res.file)
        if res.error is not None:
            # A report of [] would read as "clean" in the merge request: the file that could not be linted is an
            # issue of its own.
            issues.append(
                {
                    "type": "issue",
                    "check_name": "venvlint could not lint this file",
                    "description": res.error,
                    "categories": ["Bug Risk"],
                    "severity": "blocker",
                    "fingerprint": _sha256(f"{uri}\0error"),
                    "location": {"path": uri, "lines": {"begin": 1}},
                }
            )
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
    """One test case per finding (named by file, line, rule and image path, unique within the report) and one per
    file without findings. A finding at or above `threshold` is a <failure>, one below it a passing case that says
    the finding in <system-out>; a file that could not be linted is an <error>. The counts follow JUnit: `tests`
    cases, `failures` failed cases, `errors` cases in error."""
    from xml.sax.saxutils import escape, quoteattr

    cases: list[str] = []
    failures = errors = 0
    names: dict[str, int] = {}

    def unique(name: str) -> str:
        n = names.get(name, 0)
        names[name] = n + 1
        return name if n == 0 else f"{name} #{n + 1}"

    for res in results:
        name = repo_relative(res.file)
        if res.error is not None:
            errors += 1
            cases.append(f'  <testcase classname="venvlint" name={quoteattr(unique(name))}>'
                         f"<error message={quoteattr(res.error)}/></testcase>")  # fmt: skip
            continue
        if not res.findings:
            cases.append(f'  <testcase classname="venvlint" name={quoteattr(unique(name))}/>')
        for f in res.findings:
            case = unique(f"{name}:{f.line} {f.code} {f.name}" + (f" {f.path}" if f.path else ""))
            text = escape(f"[{f.severity.value}] " + _with_fix(f, "\n"))
            head = f'  <testcase classname="venvlint.{f.code}" name={quoteattr(case)}>'
            if f.severity.rank >= threshold.rank:
                failures += 1
                cases.append(f"{head}<failure message={quoteattr(f.message)} type={quoteattr(f.severity.value)}>"
                             f"{text}</failure></testcase>")  # fmt: skip
            else:
                cases.append(f"{head}<system-out>{text}</system-out></testcase>")
    counts = f'tests="{len(cases)}" failures="{failures}" errors="{errors}"'
    body = "\n".join(cases)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="venvlint" {counts}>\n'
        f' <testsuite name="venvlint" {counts}>\n{body}\n </testsuite>\n</testsuites>\n'
    )


def render_compact(results: Sequence[FileResult]) -> str:
    """One line per finding, `file:line code severity message`, for grep and editors' error formats (the fix and
    the assumptions are left out; the other formats have them)."""
    return "".join(
        f"{r.file}:{max(f.line, 1)} {f.code} {f.severity.value} {' '.join(f.message.split())}\n"
        for r in results
        for f in r.findings
    )


_CHECKSTYLE_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def render_checkstyle(results: Sequence[FileResult]) -> str:
    """Checkstyle XML (version 4.3, as hadolint and reviewdog's `-f=checkstyle` use it): a <file> per Dockerfile, an
    <error> per finding with line, severity, message and `source` venvlint.CODE; a file that could not be linted
    has one <error> with source `venvlint`."""
    from xml.sax.saxutils import quoteattr

    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">']
    for r in results:
        out.append(f"  <file name={quoteattr(r.file)}>")
        if r.error is not None:
            out.append(f'    <error line="1" severity="error" message={quoteattr(r.error)} source="venvlint"/>')
        for f in r.findings:
            message = _with_fix(f, " ")
            out.append(f'    <error line="{max(f.line, 1)}" column="1" severity="{_CHECKSTYLE_SEVERITY[f.severity]}" '
                       f"message={quoteattr(message)} source={quoteattr(f'venvlint.{f.code}')}/>")  # fmt: skip
        out.append("  </file>")
    out.append("</checkstyle>")
    return "\n".join(out) + "\n"
