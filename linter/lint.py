"""Lint one Dockerfile: parse → resolve → simulate → analyse → rules. The top of the data flow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from .analysis import analyse
from .errors import InputError
from .findings import Finding, Severity
from .pipeline import build_from_file
from .report.result import FileResult


@dataclass
class LintOptions:
    context: str | None = None
    no_context: bool = False  # lint without any build context (its files are unknown)
    strict_context: bool = False  # a COPY source missing from the context fails the build
    build_args: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None
    builder: str = "buildkit"
    runtime_users: Sequence[str] = ()
    profile_files: Sequence[str] = ()
    ignore: frozenset[str] = frozenset()  # rule codes (upper-case) to drop
    severity: Mapping[str, Severity] = field(default_factory=dict)  # code → overriding severity
    pragmas: bool = True  # honour `# venvlint ignore=` comments (--no-pragmas turns them off)


def lint_file(path: str, options: LintOptions, text: str | None = None) -> FileResult:
    # The model is a tree of immutable objects without reference cycles: the cyclic collector only slows down a
    # large COPY (it rescans the hundreds of thousands of new nodes); it runs again after the file.
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _lint_file(path, options, text)
    finally:
        if was_enabled:
            gc.enable()


def _lint_file(path: str, options: LintOptions, text: str | None) -> FileResult:
    from venvlint.rules import all_rules, find_rule

    from .suppress import Suppressions, parse_pragmas

    result = FileResult(path)
    try:
        sim = build_from_file(
            path,
            context=options.context,
            build_args=options.build_args,
            target=options.target,
            builder=options.builder,
            profile_files=options.profile_files,
            text=text,
            use_context=not options.no_context,
            strict_context=options.strict_context,
        )
    except InputError as exc:
        result.error = str(exc)
        return result
    parsed = sim.build.parsed
    result.source = parsed.source if parsed is not None else (text or "")
    suppressions = Suppressions()
    if options.pragmas and sim.build.parsed is not None:
        try:
            suppressions = parse_pragmas(sim.build.parsed, lambda k: r.code if (r := find_rule(k)) else None)
        except InputError as exc:
            result.error = str(exc)
            return result
    analysis = analyse(sim, path, options.runtime_users)
    findings: list[Finding] = []
    seen: set[tuple[str, int, str]] = set()
    for rule in all_rules():
        if rule.code in options.ignore:
            continue
        for f in rule.check(analysis):
            key = (f.code, f.line, f.path)
            if key in seen or suppressions.suppressed(f):
                continue
            seen.add(key)
            sev = options.severity.get(f.code)
            findings.append(replace(f, file=path, severity=sev or f.severity))
    findings.sort(key=lambda f: f.sort_key)
    result.findings = findings
    assumptions: list[tuple[int, str]] = []
    for i in sim.build.needed:
        for a in sim.states[i].assumptions:
            item = (a.line, a.message)
            if item not in assumptions:
                assumptions.append(item)
    result.assumptions = sorted(assumptions)
    return result
