"""Does venvlint agree with what really happened? The judge of the reality suite and of the generator.

What happened is a build outcome (it passed, or failed at line N) and one outcome per probe. venvlint's verdicts
are its findings on the Dockerfile (for the build and the image's own command) and on each probe's *variant* (the
Dockerfile with `USER`/`CMD` appended, as `docker run --user U IMAGE COMMAND` makes of it). A finding is *about*
a line when it points at it or names it among its related lines.

Each unit (the build, each probe) is judged:
- it failed: venvlint must say so: an error about the failing line (build) or a finding, error or warning, about
  the probe's command;
- it passed: no error about it; a warning only where the finding names an assumption;
- an error about a line the build got past in reality (before the line it failed at, or anywhere when it passed)
  that is not about a failing probe's command is a false error of the build; when the build failed, an error
  about the container's command (reported at its cause line, a USER or ENV) is not about the build at all.

And every automatic fix (`--fix`, and `--fix --unsafe-fixes`) of each lint must have been built and probed for real
(recorded under its text's digest), and the fixed Dockerfile is judged the same way: it builds and its probes pass,
except where venvlint still reports why not (a finding the fix left, whose fix is the user's decision).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from venvlint.findings import Finding, Severity
from venvlint.fix import fix_text
from venvlint.lint import LintOptions, lint_file
from venvlint.parse import parse_text
from venvlint.report.result import FileResult

from . import images
from .cases import DEFAULT, Probe, digest, variant

REAL_OK = "ok"


@dataclass(frozen=True)
class Subject:
    """What is judged: a Dockerfile (text), its prepared build context, its probes (the image's command first) and
    extra venvlint options (`--runtime-user X` only)."""

    name: str
    dockerfile: str
    context: Path
    probes: tuple[Probe, ...]
    options: tuple[str, ...] = ()


@dataclass
class Unit:
    """One judged outcome: `real` True when it worked; `said` "error", "warning" (with or without an assumption)
    or "" for what venvlint said about it; `agrees` the verdict."""

    label: str
    real: bool
    said: str
    agrees: bool
    detail: str = ""

    @property
    def cell(self) -> str:
        """The confusion-matrix cell: true error, missed failure, false error, false warning, right quiet."""
        if not self.real:
            return "true error" if self.agrees else "missed failure"
        if self.agrees:
            return "right quiet"
        return "false error" if self.said == "error" else "false warning"


@dataclass
class Judgement:
    units: list[Unit] = field(default_factory=list)
    fixes: dict[str, str] = field(default_factory=dict)  # digest of a fixed text -> that text
    fix_probes: dict[str, tuple[Probe, ...]] = field(default_factory=dict)  # digest -> the probes it must pass
    fix_problems: list[str] = field(default_factory=list)

    @property
    def disagreements(self) -> list[str]:
        return [f"{u.label}: {u.cell}: {u.detail}" for u in self.units if not u.agrees] + self.fix_problems


def options_for(subject: Subject) -> LintOptions:
    runtime_users: list[str] = []
    opts = list(subject.options)
    while opts:
        o = opts.pop(0)
        if o == "--runtime-user" and opts:
            runtime_users.append(opts.pop(0))
        else:
            raise ValueError(f"{subject.name}: option {o!r} is not one the reality suite passes")
    # The real builds are buildah's: venvlint is asked about the same builder (`--builder buildah`).
    return LintOptions(context=str(subject.context), profile_files=(str(images.PROFILES),), builder="buildah",
                       runtime_users=tuple(runtime_users))  # fmt: skip


def lint(subject: Subject, text: str) -> FileResult:
    path = str(subject.context.parent / "Dockerfile")
    result = lint_file(path, options_for(subject), text=text)
    if result.error:
        raise AssertionError(f"{subject.name}: venvlint could not lint it: {result.error}")
    return result


@lru_cache(maxsize=512)
def command_line(text: str) -> int:
    """The line of the image's own command: the last CMD or ENTRYPOINT of the final stage (0: none)."""
    line = 0
    for ins in parse_text(text, "Dockerfile").instructions:
        if ins.cmd == "FROM":
            line = 0
        elif ins.cmd in ("CMD", "ENTRYPOINT"):
            line = ins.line
    return line


def about(f: Finding, lines: set[int]) -> bool:
    return f.line in lines or any(r in lines for r in f.related)


def _said(findings: list[Finding]) -> tuple[str, str]:
    """The strongest thing venvlint said among `findings`, and the findings' short forms."""
    if not findings:
        return "", ""
    worst = max(findings, key=lambda f: f.severity.rank)
    said = worst.severity.value
    shown = "; ".join(f"{f.code} line {f.line} {f.severity.value}" + (" (assumed)" if f.assumptions else "")
                      for f in findings)  # fmt: skip
    return said, shown


def judge(subject: Subject, recorded: dict[str, Any], fix_lint: bool = True) -> Judgement:
    """Compare venvlint with `recorded` (`build`, `probes`, `fixes`) for `subject`."""
    j = Judgement()
    base = lint(subject, subject.dockerfile)
    build = recorded["build"]
    n_lines = subject.dockerfile.count("\n") + (0 if subject.dockerfile.endswith("\n") else 1)
    cmd_line = command_line(subject.dockerfile)
    probe_results = recorded.get("probes") or []
    failing_probe_lines = {cmd_line} if probe_results and probe_results[0] != REAL_OK else set()

    # The build.
    errors = [f for f in base.findings if f.severity is Severity.ERROR]
    if build != REAL_OK:
        n = int(build["fails_line"])
        tied = [f for f in errors if about(f, {n})]
        said, shown = _said(tied)
        j.units.append(Unit("build", False, said, bool(tied),
                            f"fails at line {n} ({build.get('error', '')}); venvlint: {shown or 'no error about it'}"))  # fmt: skip
        # A finding about the container's command (a runtime failure reported at the line that caused it, the USER
        # or ENV that chose a place) is no claim about the build.
        false = [f for f in errors if not about(f, {n}) and f.line < n and not about(f, {cmd_line} - {0})]
    else:
        false = [f for f in errors if not about(f, failing_probe_lines)]
        unexplained = [f for f in base.findings if f.severity is Severity.WARNING and not f.assumptions
                       and not about(f, failing_probe_lines)]  # fmt: skip
        if unexplained and not false:
            said, shown = _said(unexplained)
            j.units.append(
                Unit("build", True, "warning", False, f"it works; venvlint warns without an assumption: {shown}")
            )
    if false:
        _, shown = _said(false)
        j.units.append(Unit("build", True, "error", False, f"the build got past these lines: {shown}"))
    elif build == REAL_OK and not any(u.label == "build" for u in j.units):
        j.units.append(Unit("build", True, "", True))

    # The probes (only when the build passed).
    for probe, outcome in zip(subject.probes, probe_results, strict=False):
        text, line = variant(subject.dockerfile, probe)
        result = base if text == subject.dockerfile else lint(subject, text)
        lines = {line or cmd_line}
        if probe.user is not None:
            lines.add(n_lines + 1)  # the USER line appended
        tied = [f for f in result.findings if about(f, lines)]
        label = f"probe `{probe.label}`"
        if outcome != REAL_OK:
            said, shown = _said(tied)
            j.units.append(Unit(label, False, said, bool(tied),
                                f"fails ({outcome.get('error', '')}); venvlint: {shown or 'nothing about it'}"))  # fmt: skip
            continue
        bad = [
            f for f in tied if f.severity is Severity.ERROR or (f.severity is Severity.WARNING and not f.assumptions)
        ]
        said, shown = _said(bad)
        j.units.append(Unit(label, True, said, not bad, f"works; venvlint: {shown}" if bad else ""))

    if fix_lint:
        _judge_fixes(subject, plan_fixes(subject, build == REAL_OK, base), recorded.get("fixes") or {}, j)
    return j


def fixed_texts(subject: Subject, text: str, result: FileResult) -> list[str]:
    """The Dockerfiles `venvlint --fix` and `--fix --unsafe-fixes` make of `text` (those that differ from it)."""
    if not any(f.edits for f in result.findings):
        return []
    out: list[str] = []

    def again(t: str) -> FileResult:
        return result if t == text else lint(subject, t)

    for unsafe in (False, True):
        fixed = fix_text(text, again, unsafe=unsafe).text
        if fixed != text and fixed not in out:
            out.append(fixed)
    return out


def plan_fixes(
    subject: Subject, build_ok: bool, base: FileResult | None = None
) -> dict[str, tuple[str, tuple[Probe, ...]]]:
    """Every automatic fix venvlint offers for the subject, by the digest of the fixed Dockerfile, with the probes
    the fixed image must pass: all of them for the Dockerfile's own fixes; for a probe's variant (linted only when
    the build passed), the variant's own command as its user."""
    lints = [(subject.dockerfile, base or lint(subject, subject.dockerfile), subject.probes)]
    if build_ok:
        for probe in subject.probes:
            text, _ = variant(subject.dockerfile, probe)
            if text != subject.dockerfile:
                lints.append((text, lint(subject, text), (DEFAULT,)))
    plan: dict[str, tuple[str, tuple[Probe, ...]]] = {}
    for text, result, probes in lints:
        for fixed in fixed_texts(subject, text, result):
            plan.setdefault(digest(fixed), (fixed, probes))
    return plan


def _judge_fixes(
    subject: Subject, plan: dict[str, tuple[str, tuple[Probe, ...]]], recorded: dict[str, Any], j: Judgement
) -> None:
    """A fixed Dockerfile is judged like any other, on its own real build and probes: it must build where
    venvlint now sees no reason for it not to, and every probe venvlint no longer reports must pass (a fix that
    removes a finding without removing the failure is caught here, as a missed failure of the fixed file)."""
    for d, (fixed, probes) in plan.items():
        j.fixes[d] = fixed
        j.fix_probes[d] = probes
        rec = recorded.get(d)
        if rec is None:
            j.fix_problems.append(f"fix {d} is not confirmed by a real build (record it)")
            continue
        fixed_subject = Subject(f"{subject.name} fixed {d}", fixed, subject.context, probes, subject.options)
        for problem in judge(fixed_subject, rec, fix_lint=False).disagreements:
            j.fix_problems.append(f"fix {d}: {problem}")
