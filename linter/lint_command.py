"""`venvlint lint`: what the command does once its arguments are read (by cli.py's fast reader or by typer).

Nothing here imports typer or rich unless it is needed (a progress bar on a terminal, colour): a pre-commit hook
pays for Python's start-up and the engine, not for the command-line frameworks.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .errors import InputError

# A worker is worth forking for at least this many files (a typical Dockerfile lints in 1-2 ms; a fork and the
# pickled results cost a few): fewer files are linted in this process.
FILES_PER_WORKER = 12


@dataclass
class LintRequest:
    """The lint command's arguments as the user gave them (before config files and defaults are applied). Each
    field but `dockerfiles` is filled by the option of options.LINT_OPTIONS that names it."""

    dockerfiles: list[str]
    context: str | None = None
    no_context: bool = False
    strict_context: bool = False
    build_arg: list[str] = field(default_factory=list)
    build_arg_file: list[str] = field(default_factory=list)
    target: str | None = None
    builder: str | None = None
    runtime_user: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    fmt: str = "text"
    output: str | None = None
    emit: list[str] = field(default_factory=list)
    failure_threshold: str | None = None
    error: list[str] = field(default_factory=list)
    warning: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    no_pragmas: bool = False
    config: str | None = None
    show_config: bool = False
    stdin_filename: str | None = None
    quiet: bool = False
    fix: bool = False
    diff: bool = False
    unsafe_fixes: bool = False
    unfixable: list[str] = field(default_factory=list)
    no_fail: bool = False
    color: str = "auto"
    jobs: int | None = None
    offline: bool = False
    platform: str | None = None


def run_lint(req: LintRequest) -> int:
    """Lint every file of the request and write the outputs; the exit code: 0 clean, 1 a finding at or above its
    file's threshold, 2 a file that could not be linted. Raises InputError for a request venvlint cannot carry out
    (an unknown format, rule or builder, contradictory options); `cli.main` makes it one line and exit 2."""
    import gc

    from .findings import Severity

    # Planning imports the engine and the rules: ~90 modules whose classes, functions and tables live as long as
    # the process. The cyclic collector would scan them dozens of times while they are made, to find no garbage
    # (a tenth of a cold start, docs/MEASUREMENTS.md "Start-up (issue 23)"); `lint_file` pauses it per file too.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        outputs = _outputs(req)
        plan, excluded = _plan(req, _checked_threshold(req))
    finally:
        if was_enabled:
            gc.enable()
    if req.show_config:
        from .report.showconfig import render_config

        if outputs != [("text", "-")]:
            raise InputError("--show-config prints text to standard output: drop --format and -o")
        sys.stdout.write(render_config([(p.item.path, p.config, p.item.options, p.threshold) for p in plan], excluded))
        return 0
    if excluded and not plan:
        # As ruff says when nothing is left to check: "0 findings in 0 files" alone would read as a clean lint.
        sys.stderr.write(
            f"venvlint: warning: every Dockerfile found ({len(excluded)}) is excluded; --show-config says by what\n"
        )
    _set_colour(req.color)
    # Standard input is read only now: --show-config (and a usage error) must not wait for it.
    work = [p.item._replace(text=_read_stdin()) if p.item.stdin else p.item for p in plan]
    thresholds = [p.threshold for p in plan]
    _load_profiles_once({(tuple(w.options.profile_files), w.options.registry) for w in work})
    _read_base_images(work)
    results = _lint_all(work, req.jobs or os.cpu_count() or 1, any(d == "-" for _, d in outputs))
    threshold_all = min(thresholds, key=lambda t: t.rank) if thresholds else Severity.WARNING
    # The fixed Dockerfile read from stdin, or --diff, is what goes to standard output; the report goes to stderr.
    stdout_taken = req.diff or (req.fix and any(w.stdin for w in work))
    if req.fix or req.diff:
        _emit_fixes(work, results, req.fix)
    for f_, dest in outputs:
        _write_output(f_, dest, results, threshold_all, req.quiet, sys.stderr if stdout_taken else sys.stdout)
    for r in results:
        for line, note in r.notes:
            sys.stderr.write(f"venvlint: warning: {r.file}{f':{line}' if line else ''}: {note}\n")
    if any(r.error is not None for r in results):
        if not any(f_ == "text" and d == "-" for f_, d in outputs):
            for r in results:
                if r.error is not None:
                    sys.stderr.write(f"venvlint: error: {r.error}\n")
        return 2
    if not req.no_fail and any(
        f.severity.rank >= t.rank for r, t in zip(results, thresholds, strict=True) for f in r.findings
    ):
        return 1
    return 0


def _outputs(req: LintRequest) -> list[tuple[str, str]]:
    """(format, destination) pairs: `--emit FORMAT=FILE` (what -f/-o pairs become), else `--format` to `--output`
    or standard output (`-`). Raises InputError for an unknown format, or two outputs to one place."""
    from .options import FORMATS

    emitted = (e.partition("=") for e in req.emit)
    outputs = [(f_, d or "-") for f_, _, d in emitted] if req.emit else [(req.fmt, req.output or "-")]
    outputs = [(f_.strip().lower(), d) for f_, d in outputs]  # `--format JSON`, `-f Sarif`
    for f_, _ in outputs:
        if f_ not in FORMATS:
            raise InputError(f"unknown format {f_!r} (choose {', '.join(FORMATS)})")
    if sum(1 for _, o in outputs if o == "-") > 1:
        raise InputError("only one --format can go to standard output: give the others -o FILE")
    files = [o for _, o in outputs if o != "-"]
    if len(files) != len(set(files)):
        same = next(o for o in files if files.count(o) > 1)
        raise InputError(f"two formats write to {same}: give each its own -o FILE")
    return outputs


def _checked_threshold(req: LintRequest) -> Any:
    """Check the options that do not depend on a file; the --failure-threshold Severity (None: not given)."""
    from . import config as configuration
    from .findings import parse_threshold

    if req.builder is not None and req.builder not in configuration.BUILDERS:
        raise InputError(f"unknown builder {req.builder!r} (choose buildkit, buildah or classic)")
    if req.color not in ("auto", "always", "never"):
        raise InputError(f"--color must be auto, always or never, not {req.color!r}")
    if req.no_context and req.context is not None:
        raise InputError("--context and --no-context contradict each other: give one")
    if req.jobs is not None and req.jobs < 1:
        raise InputError(f"--jobs must be at least 1, not {req.jobs}")
    for spec in req.runtime_user:
        if (problem := configuration.runtime_user_problem(spec)) is not None:
            raise InputError(f"--runtime-user: {problem}")
    if req.stdin_filename is not None and "-" not in req.dockerfiles:
        raise InputError("--stdin-filename names the Dockerfile read from `-`, and no `-` was given")
    if req.dockerfiles.count("-") > 1:
        raise InputError("`-` (standard input) can be given only once")
    if req.fix and req.diff:
        raise InputError("--fix writes the fixes and --diff only shows them: give one")
    if req.unsafe_fixes and not (req.fix or req.diff):
        raise InputError("--unsafe-fixes goes with --fix or --diff")
    try:
        return parse_threshold(req.failure_threshold) if req.failure_threshold else None
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _set_colour(when: str) -> None:
    """--color never/always, as rich and the plain renderer read it (NO_COLOR, FORCE_COLOR)."""
    if when == "never":
        os.environ["NO_COLOR"] = "1"
        os.environ.pop("FORCE_COLOR", None)
    elif when == "always":
        os.environ.pop("NO_COLOR", None)
        os.environ["FORCE_COLOR"] = "1"


class Planned(NamedTuple):
    """One file of the run: what to lint (the stdin text not read yet), the merged config it was planned with, and
    its failure threshold (a Severity)."""

    item: WorkItem
    config: Any
    threshold: Any


def _plan(req: LintRequest, cli_threshold: Any) -> tuple[list[Planned], list[tuple[str, Any]]]:
    """Each Dockerfile of the request (directories expanded) with its options: its config files, the environment
    and the command line merged, in that order of precedence; and each Dockerfile found that an exclusion leaves
    out, with its exclude.Exclusion."""
    from . import config as configuration
    from .findings import Severity
    from .lint import LintOptions
    from .resolve.buildargs import collect_build_args

    overrides = _severity_overrides(req)
    cli_args = collect_build_args(req.build_arg, req.build_arg_file)
    cli_ignore = _rule_codes(req.ignore)
    cli_unfixable = _rule_codes(req.unfixable)
    cli_exclude = _cli_exclude(req.exclude)
    plan = []
    excluded = []
    for path, found in _expand_inputs(req.dockerfiles, once=req.fix or req.diff):
        # `-` with --stdin-filename is linted as that file would be: its name in reports, its config, its folder.
        name = req.stdin_filename if path == "-" and req.stdin_filename else path
        cfg = configuration.effective(name, req.config, _resolve_rule)
        # Exclusion is for what discovery finds: a file named on the command line is linted (as ruff does).
        why = _excluded(path, cfg, cli_exclude) if found else None
        if why is not None:
            excluded.append((path, why))
            continue
        context = None if req.no_context else (req.context or cfg.context_for(name))
        if context is None and name != path and not req.no_context:
            folder = os.path.dirname(os.path.abspath(name))
            context = folder if os.path.isdir(folder) else None
        options = LintOptions(
            context=context,
            no_context=req.no_context,
            strict_context=req.strict_context,
            build_args={**cfg.build_args_for(name), **cli_args},
            target=req.target,
            builder=req.builder or cfg.builder or "buildkit",
            runtime_users=tuple(cfg.runtime_users + [u for u in req.runtime_user if u not in cfg.runtime_users]),
            profile_files=tuple(cfg.profile_files + list(req.profiles)),
            ignore=frozenset(cfg.ignore | cli_ignore),
            severity={**cfg.severity, **overrides},
            pragmas=not req.no_pragmas,
            cli_build_args=frozenset(cli_args),
            registry=_registry_settings(req, cfg),
        )
        fixing = None
        if req.fix or req.diff:
            fixing = FixSettings(req.unsafe_fixes, frozenset(cfg.unfixable | cli_unfixable), apply=req.fix)
        item = WorkItem(name, options, None, fixing, path == "-")
        plan.append(Planned(item, cfg, cli_threshold or cfg.failure_threshold or Severity.WARNING))
    return plan, excluded


def plan_one(req: LintRequest) -> Planned:
    """What the command line would lint for a request naming one Dockerfile (or `-` with --stdin-filename): its
    merged config, options and threshold, as `run_lint` plans them. The language server's one way to the config.
    Raises InputError for a config or option the command line would refuse (its one line)."""
    plan, _ = _plan(req, _checked_threshold(req))
    (planned,) = plan
    return planned


def _registry_settings(req: LintRequest, cfg: Any) -> Any:
    return registry_settings(cfg, req.offline, req.platform)


def registry_settings(cfg: Any, offline_flag: bool, platform_flag: str | None) -> Any:
    """Where base images without a profile come from (a RegistrySettings): the command line over VENVLINT_OFFLINE
    over the config. Raises InputError for a platform that is not os/arch[/variant]."""
    from .registry import settings as defaults
    from .registry.settings import RegistrySettings, env_offline, valid_platform

    offline = offline_flag or bool(env_offline() if env_offline() is not None else cfg.offline)
    platform = platform_flag or cfg.platform or None
    if platform is not None and not valid_platform(platform):
        raise InputError(f"--platform: expected os/arch or os/arch/variant (linux/arm64), got {platform!r}")
    reg = cfg.registries
    return RegistrySettings(
        offline=offline,
        platform=(platform or defaults.DEFAULT_PLATFORM).lower(),
        insecure=tuple(reg.get("insecure", ())),
        mirrors=tuple((k, tuple(v)) for k, v in reg.get("mirrors", {}).items()),
        max_image_mb=float(reg.get("max-image-mb", defaults.DEFAULT_MAX_IMAGE_MB)),
        tag_ttl_hours=float(reg.get("tag-ttl-hours", defaults.DEFAULT_TAG_TTL_HOURS)),
        timeout=float(reg.get("timeout", defaults.DEFAULT_TIMEOUT)),
    )


def _severity_overrides(req: LintRequest) -> dict[str, Any]:
    """--error/--warning/--info RULE: code → Severity, over the config's `severity:`. A rule in two of them is a
    usage error (which one was meant?)."""
    from .findings import Severity

    out: dict[str, Severity] = {}
    for severity, keys in ((Severity.ERROR, req.error), (Severity.WARNING, req.warning), (Severity.INFO, req.info)):
        for code in sorted(_rule_codes(keys)):
            if out.get(code, severity) is not severity:
                raise InputError(f"{code} is given both --{out[code].value} and --{severity.value}: give one")
            out[code] = severity
    return out


def _load_profiles_once(sets: set[tuple[tuple[str, ...], Any]]) -> None:
    """Parse the profile files before linting: a file in error is one error for the run, not one per Dockerfile,
    and forked workers inherit the parsed profiles instead of each parsing them again."""
    from .profiles.catalog import load_profiles

    for files, registry in sets:
        if files:
            load_profiles(files, registry).names()


def _read_base_images(work: list[Any]) -> None:
    """Read the base images that have no profile from their registries now, in this process and one at a time:
    each image is read once (forked workers inherit what was read, and the cache serves the next run), and its
    progress bar is the only one on the terminal. Offline, the cache is read by whichever process needs it."""
    if not any(w.options.registry is not None and not w.options.registry.offline for w in work):
        return
    from .pipeline import base_references

    for w in work:
        if w.options.registry is not None and not w.options.registry.offline:
            text = w.text if isinstance(w.text, str) else None
            if text is not None or not w.stdin:
                base_references(w.path, w.options, text)


def _read_stdin() -> str | InputError:
    """`-`: the Dockerfile on standard input, held to the same rules as a file (UTF-8, no NUL, a size limit)."""
    from .parse.reader import _MAX_BYTES, decode

    data = sys.stdin.buffer.read(_MAX_BYTES + 1)
    if len(data) > _MAX_BYTES:
        return InputError(f"more than {_MAX_BYTES // (1024 * 1024)} MiB: too large for a Dockerfile", "-")
    try:
        return decode(data, "-")
    except InputError as exc:
        return exc


class FixSettings(NamedTuple):
    """--fix / --diff for one file: whether unsafe fixes may be applied, and the rules that must not be fixed."""

    unsafe: bool
    unfixable: frozenset[str]
    apply: bool = True  # --fix (False: --diff, the report is of the file as it is)


class WorkItem(NamedTuple):
    """One file to lint: its name, its options, its text when read from stdin (or why it could not be read), the
    fix settings under --fix/--diff, and whether it is standard input."""

    path: str
    options: Any  # LintOptions (not imported at module level: the lint path imports it lazily)
    text: str | InputError | None
    fixing: FixSettings | None = None
    stdin: bool = False


def _lint_one(item: WorkItem) -> Any:
    from .lint import lint_file
    from .report.result import FileResult

    if isinstance(item.text, InputError):
        result = FileResult(item.path)
        result.error = str(item.text)
        return result
    if item.fixing is None:
        return lint_file(item.path, item.options, text=item.text)
    from .fix import fix_file

    fixing = item.fixing
    return fix_file(item.path, item.options, item.text, fixing.unsafe, fixing.unfixable, fixing.apply)


def _emit_fixes(work: Sequence[WorkItem], results: list[Any], write: bool) -> None:
    """--fix: write each changed file (atomically), or print the fixed text of stdin; --diff: print the diffs."""
    from .fix import unified_diff, write_fixed

    for item, r in zip(work, results, strict=True):
        if r.error is not None or r.fixed_text is None or r.original is None:
            continue
        if not write:
            if r.fixed_text != r.original:
                sys.stdout.write(unified_diff(r.original, r.fixed_text, r.file))
        elif item.stdin:
            sys.stdout.write(r.fixed_text)
            r.fixes_written = bool(r.fixed)
        elif r.fixed_text != r.original:
            write_fixed(r.file, r.fixed_text, r.original)
            r.fixes_written = True


def _lint_all(work: Sequence[WorkItem], jobs: int, stdout_used: bool) -> list[Any]:
    """Results in the order of `work`, whatever order the workers finish in."""
    from .parallel import can_fork, map_forked

    workers = min(jobs, len(work) // FILES_PER_WORKER)
    if workers > 1 and can_fork():
        # (No progress bar: its refresh thread must not exist when forking, and the wait is short.)
        return map_forked(_lint_one, work, workers)
    progress = _progress(len(work), stdout_used)
    results: list[Any] = []
    for item in work:
        results.append(_lint_one(item))
        if progress is not None:
            progress.advance(progress.task_ids[0])
    if progress is not None:
        progress.stop()
    return results


def _progress(total: int, stdout_used: bool) -> Any:
    """A transient progress bar on stderr when a terminal waits for many files."""
    if total < 10 or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress

    progress = Progress(console=Console(stderr=True), transient=True)
    progress.add_task("linting", total=total)
    progress.start()
    return progress


def _cli_exclude(patterns: list[str]) -> list[Any]:
    """`--exclude` patterns as one exclude.Group, relative to the working directory."""
    if not patterns:
        return []
    from .exclude import Group

    return [Group(os.getcwd(), tuple(patterns), "--exclude")]


def _excluded(path: str, cfg: Any, cli_exclude: list[Any]) -> Any:
    """The exclude.Exclusion that leaves `path` out (the config's first, then --exclude), or None."""
    why = cfg.excluded_by(path)
    if why is not None or not cli_exclude:
        return why
    from .exclude import excluded_by

    return excluded_by(path, cli_exclude)


def _expand_inputs(paths: list[str], once: bool = False) -> list[tuple[str, bool]]:
    """Directories stand for the Dockerfiles below them (respecting .gitignore); each path comes with whether
    discovery found it (True) or it was named (False). With `once`, a file reached twice (named, and found in a
    folder also named) is kept where it first appears: --fix must not fix a file twice."""
    from .discover import find_dockerfiles

    out: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for p in paths:
        discovered = p != "-" and os.path.isdir(p)
        if discovered:
            found = find_dockerfiles(p)
            if not found:
                raise InputError(
                    "no Dockerfile, Containerfile, Dockerfile.*, *.Dockerfile (any case) below this directory", p
                )
        else:
            found = [p]
        for f in found:
            if once:
                key = _identity(f)
                if key in seen:
                    continue
                seen.add(key)
            out.append((f, discovered))
    return out


def _identity(path: str) -> str:
    try:
        return os.path.realpath(path) if path != "-" else path
    except ValueError:  # a NUL byte in the name: reading it says so
        return path


def _write_output(
    fmt: str, dest: str, results: list[Any], threshold: Any, quiet: bool = False, stream: Any = None
) -> None:
    """Write one format to `dest` (a file name, or `-` for `stream`: standard output unless it carries fixes)."""
    from .report import formats

    stream = stream or sys.stdout
    if fmt == "text":
        from .report.text import plain, render_text, report_lines

        if dest == "-":
            render_text(results, stream=stream, quiet=quiet)
            return
        content = plain(report_lines(results, quiet=quiet))
    elif fmt == "json":
        content = formats.render_json(results)
    elif fmt == "sarif":
        from venvlint.rules import all_rules

        content = formats.render_sarif(results, all_rules())
    elif fmt == "github":
        content = formats.render_github(results)
    elif fmt == "gitlab":
        content = formats.render_gitlab(results)
    elif fmt == "compact":
        content = formats.render_compact(results)
    elif fmt == "checkstyle":
        content = formats.render_checkstyle(results)
    else:
        content = formats.render_junit(results, threshold)
    if dest == "-":
        stream.write(content)
        return
    try:
        with open(dest, "w", encoding="utf-8") as fh:
            fh.write(content)
    except OSError as exc:
        raise InputError(f"cannot write {fmt} output: {exc.strerror}", dest) from None
    except ValueError:  # a NUL byte in the name
        raise InputError(f"cannot write {fmt} output: the file name contains a NUL byte", repr(dest)) from None


def _resolve_rule(key: str) -> str | None:
    from venvlint.rules import find_rule

    rule = find_rule(key)
    return rule.code if rule else None


def _rule_codes(keys: Sequence[str]) -> frozenset[str]:
    from venvlint.rules import find_rule

    codes = set()
    for key in keys:
        for part in key.split(","):
            if not part.strip():
                continue
            rule = find_rule(part)
            if rule is None:
                raise InputError(f"unknown rule {part.strip()!r} (see `venvlint rules`)")
            codes.add(rule.code)
    return frozenset(codes)
