"""Lint one Dockerfile: parse → resolve → simulate → analyse → rules. The top of the data flow."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from .analysis import analyse
from .errors import InputError
from .findings import Finding, Problem, Severity
from .model.access import Premise
from .model.fs import Knowledge, below
from .pipeline import build_with_options
from .query import Build
from .relations import Supersedes, drop_superseded
from .report.result import FileResult, Note
from .resolve.buildargs import unused_build_args

if TYPE_CHECKING:
    from .registry.settings import RegistrySettings


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
    cli_build_args: frozenset[str] = frozenset()  # names given on the command line (an undeclared one is said)
    # Read a base image without an image profile from the cache or its registry; None: never (the library default,
    # so that nothing but the command line reaches the network).
    registry: RegistrySettings | None = None


def lint_file(path: str, options: LintOptions, text: str | None = None) -> FileResult:
    """Lint one Dockerfile: parse, resolve, simulate, analyse, run the rules, apply pragmas. `path` names the file
    (read from disk unless `text`, its content, is given: stdin); the default context is its folder.

    Never raises for bad input: a Dockerfile, context, profile or pragma venvlint cannot use is `FileResult.error`
    (one line, exit 2), a rule that fails is reported there too while the others still run. The result's findings
    are sorted by line, its assumptions (line, text) deduplicated, its notes (line, text) said as warnings."""
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
    from venvlint.rules.relations import SUPERSESSIONS

    from .suppress import Suppressions, parse_pragmas

    result = FileResult(path)
    try:
        sim = build_with_options(path, options, text)
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
        result.notes.extend(Note(line, n) for line, n in suppressions.notes)
    result.notes.extend(Note(0, n) for n in unused_build_args(sim.build.parsed, options.cli_build_args))
    analysis = analyse(sim, path, options.runtime_users)
    result.notes.extend(Note(0, n) for n in analysis.notes)
    enabled = [r for r in all_rules() if r.code not in options.ignore]
    findings, failures = apply_rules(Build(analysis), enabled, options, SUPERSESSIONS)
    findings = [f for f in findings if not suppressions.suppressed(f)]
    result.findings = [replace(f, file=path) for f in sorted(findings, key=lambda f: f.sort_key)]
    if failures:
        result.error = "; ".join(f"{path}: {failure}" for failure in failures)
    assumptions: list[Note] = []
    for i in sim.build.needed:
        for a in sim.states[i].record.assumptions:
            item = Note(a.line, a.message)
            if item not in assumptions:
                assumptions.append(item)
    result.assumptions = sorted(assumptions)
    return result


class RuleLike(Protocol):
    """What the core needs of a rule (see `venvlint.rules.Rule`)."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def check(self) -> Callable[[Build], Iterable[Problem]]: ...


def apply_rules(
    build: Build, rules: Sequence[RuleLike], options: LintOptions, relations: Iterable[Supersedes] = ()
) -> tuple[list[Finding], list[str]]:
    """Run the enabled `rules` and turn their problems into findings: drop one resting on an unknown fact, cap one
    resting on an assumed fact at warning; drop a problem that a superseding enabled rule reported with one of its
    causes (`relations`, applied by `venvlint.relations.drop_superseded`); then merge one rule's findings at one
    line for many paths of one tree into one finding at the top path. A rule that raises is reported (the second
    list) and the others still run."""
    stamped: dict[str, list[tuple[Problem, Finding, int]]] = {}
    failures: list[str] = []
    for rule in rules:
        try:
            problems = [_at_a_line(build, p) for p in rule.check(build)]
        except Exception as exc:  # a bug in one rule must not hide what the others find
            failures.append(f"rule {rule.code} ({rule.name}) failed: {type(exc).__name__}: {exc}")
            continue
        override = options.severity.get(rule.code)
        # the rank as the rule or the user rates it, before an assumption caps it: an assumption about the cause
        # is an assumption about its consequences too
        stamped[rule.code] = [
            (p, f, (override or p.severity or rule.severity).rank)
            for p in problems
            if (f := stamp(rule, p, override)) is not None
        ]
    keep = drop_superseded({code: [(p, rank) for p, _, rank in t] for code, t in stamped.items()}, relations)
    findings: list[Finding] = []
    seen: set[tuple[str, int, str]] = set()
    for rule in rules:
        triples = stamped.get(rule.code, [])
        for f in merge_tree([triples[i][1] for i in keep.get(rule.code, [])]):
            if (f.code, f.line, f.path) not in seen:
                seen.add((f.code, f.line, f.path))
                findings.append(f)
    return findings, failures


def _at_a_line(build: Build, p: Problem) -> Problem:
    """A problem about what the base image brought (line 0) points at the FROM line of its stage."""
    return p if p.line > 0 else replace(p, line=build.from_line(p.stage))


def stamp(rule: RuleLike, p: Problem, override: Severity | None = None) -> Finding | None:
    """The finding a rule's problem makes: the rule's code and name, its severity (or the configured one), at most
    a warning when a premise is assumed; None when a premise is unknown."""
    if any(pr.knowledge is Knowledge.UNKNOWN for pr in p.premises):
        return None
    severity = override or p.severity or rule.severity
    assumed = tuple(dict.fromkeys(_assumption(pr) for pr in p.premises if not pr.known))
    if assumed and severity is Severity.ERROR:
        severity = Severity.WARNING
    return Finding(
        rule.code,
        rule.name,
        severity,
        p.line,
        p.path,
        p.message,
        p.fix,
        stage=p.stage,
        related=p.related,
        assumptions=assumed,
        premises=p.premises,
        count=p.count,
        edits=p.edits,
    )


def _assumption(p: Premise) -> str:
    return p.assumption or f"what venvlint assumed about {p.subject}"


def merge_tree(findings: Sequence[Finding]) -> list[Finding]:
    """One cause, one finding: one rule's findings at one line whose paths lie below another's path fold into that
    top path's finding, which counts them and takes the highest severity among them (with the message, the
    assumptions and the premises that severity rests on)."""
    out: list[Finding] = []
    tops: dict[tuple[int, str], list[int]] = {}  # (line, stage) → indexes into `out`
    for f in sorted(findings, key=lambda f: (f.line, f.stage, f.path.count("/"), f.path)):
        group = tops.setdefault((f.line, f.stage), [])
        for i in group:
            top = out[i]
            if f.path and top.path and below(f.path, top.path) and f.path != top.path:
                worse = f.severity.rank > top.severity.rank
                out[i] = replace(
                    top,
                    count=top.count + f.count,
                    severity=f.severity if worse else top.severity,
                    # The finding says what makes it as severe as it is: a fatal need below a conditional top.
                    message=f.message if worse else top.message,
                    assumptions=f.assumptions if worse else top.assumptions,
                    premises=f.premises if worse else top.premises,  # what that severity rests on, not the union
                    edits=tuple(dict.fromkeys((*top.edits, *f.edits))),
                )
                break
        else:
            group.append(len(out))
            out.append(f)
    return [_counted(f) for f in out]


def _counted(f: Finding) -> Finding:
    if f.count <= 1:
        return f
    more = f.count - 1
    return replace(
        f, message=f"{f.message} The same cause affects {more} more path{'s' if more != 1 else ''} below `{f.path}`."
    )
