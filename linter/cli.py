"""The `venvlint` command line. Heavy imports (rich, the engine) happen inside the commands that need them."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Any

import typer

from . import __version__
from .errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Find Python virtual environments, HOME and cache directories that a container build leaves unwritable.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

SUBCOMMANDS = {"explain", "lint", "rules", "rule", "profile"}

ContextOpt = Annotated[
    str | None,
    typer.Option("--context", "-c", help="Build context directory (default: the Dockerfile's folder)."),
]
BuildArgOpt = Annotated[
    list[str] | None, typer.Option("--build-arg", help="NAME=VALUE, as for `docker build` (repeatable).")
]
BuildArgFileOpt = Annotated[
    list[str] | None, typer.Option("--build-arg-file", help="File of KEY=VALUE lines, as for `podman build`.")
]
TargetOpt = Annotated[str | None, typer.Option("--target", help="Stage to build (default: the last one).")]
BuilderOpt = Annotated[
    str,
    typer.Option(
        "--builder",
        help="Whose semantics to replay where builders disagree: buildkit (default), buildah or classic.",
    ),
]
ProfileOpt = Annotated[
    list[str] | None, typer.Option("--profiles", help="YAML file of extra or overriding base-image profiles.")
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"venvlint {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """venvlint replays a Dockerfile on a model filesystem and explains who can write what."""


@app.command()
def explain(
    dockerfile: Annotated[str, typer.Argument(help="The Dockerfile.")],
    paths: Annotated[list[str], typer.Argument(help="Image paths to explain, e.g. /opt/app-root.")],
    context: ContextOpt = None,
    build_arg: BuildArgOpt = None,
    build_arg_file: BuildArgFileOpt = None,
    target: TargetOpt = None,
    builder: BuilderOpt = "buildkit",
    profiles: ProfileOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Show each PATH's final owner, group and mode, and every instruction that changed it."""
    from .explain import explain as run_explain
    from .resolve.buildargs import collect_build_args

    if fmt not in ("text", "json"):
        raise InputError(f"unknown format {fmt!r} for explain (choose text or json)")
    args = collect_build_args(build_arg or [], build_arg_file or [])
    doc = run_explain(
        dockerfile,
        paths,
        context=context,
        build_args=args,
        target=target,
        builder=builder,
        profile_files=profiles or [],
    )
    if fmt == "json":
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    from .report.explain_text import render_explain

    render_explain(doc)


@app.command()
def lint(
    dockerfiles: Annotated[list[str], typer.Argument(help="Dockerfiles to lint.")],
    context: ContextOpt = None,
    build_arg: BuildArgOpt = None,
    build_arg_file: BuildArgFileOpt = None,
    target: TargetOpt = None,
    builder: Annotated[
        str | None,
        typer.Option("--builder", help="Whose semantics to use where builders disagree: buildkit, buildah, classic."),
    ] = None,
    runtime_user: Annotated[
        list[str] | None,
        typer.Option(
            "--runtime-user",
            help="An identity the image is meant to run as: 1001:0, a name, or `arbitrary` (OpenShift). Repeatable.",
        ),
    ] = None,
    profiles: ProfileOpt = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="text, json, sarif, github, gitlab or junit (repeatable with -o).")
    ] = "text",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write the preceding --format to this file.")
    ] = None,
    emit: Annotated[list[str] | None, typer.Option("--emit", hidden=True)] = None,
    failure_threshold: Annotated[
        str | None,
        typer.Option(
            "--failure-threshold", help="Exit 1 when a finding is at or above: error, warning (default), info."
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Rule code or name to skip (repeatable).")
    ] = None,
    no_pragmas: Annotated[
        bool, typer.Option("--no-pragmas", help="Ignore `# venvlint ignore=` comments in Dockerfiles.")
    ] = False,
    config: Annotated[
        str | None, typer.Option("--config", help="Use this config file instead of discovering .venvlint.yaml.")
    ] = None,
    no_fail: Annotated[bool, typer.Option("--no-fail", help="Exit 0 even when there are findings.")] = False,
    color: Annotated[
        str, typer.Option("--color", help="auto (default; NO_COLOR is honoured), always or never.")
    ] = "auto",
) -> None:
    """Lint DOCKERFILES (the default command: `venvlint Dockerfile` is `venvlint lint Dockerfile`)."""
    from . import config as configuration
    from .findings import Severity
    from .lint import LintOptions, lint_file
    from .report.formats import FORMATS
    from .resolve.buildargs import collect_build_args

    outputs = [tuple(e.split("=", 1)) for e in emit] if emit else [(fmt, output or "-")]
    for f_, _ in outputs:
        if f_ not in FORMATS:
            raise InputError(f"unknown format {f_!r} (choose {', '.join(FORMATS)})")
    if sum(1 for _, o in outputs if o == "-") > 1:
        raise InputError("only one --format can go to standard output: give the others -o FILE")
    if builder is not None and builder not in ("buildkit", "buildah", "classic"):
        raise InputError(f"unknown builder {builder!r} (choose buildkit, buildah or classic)")
    try:
        cli_threshold = Severity.parse(failure_threshold) if failure_threshold else None
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if color not in ("auto", "always", "never"):
        raise InputError(f"--color must be auto, always or never, not {color!r}")
    if color == "never":
        os.environ["NO_COLOR"] = "1"
    elif color == "always":
        os.environ.pop("NO_COLOR", None)
        os.environ["FORCE_COLOR"] = "1"
    dockerfiles = _expand_inputs(dockerfiles)
    cli_args = collect_build_args(build_arg or [], build_arg_file or [])
    cli_ignore = _rule_codes(ignore or [])
    results = []
    thresholds = []
    progress = _progress(len(dockerfiles), any(d == "-" for _, d in outputs))
    for path in dockerfiles:
        if progress is not None:
            progress.advance(progress.task_ids[0])
        cfg = configuration.effective(path, config, _resolve_rule)
        options = LintOptions(
            context=context or cfg.context_for(path),
            build_args={**cfg.build_args_for(path), **cli_args},
            target=target,
            builder=builder or cfg.builder or "buildkit",
            runtime_users=tuple(cfg.runtime_users + [u for u in runtime_user or () if u not in cfg.runtime_users]),
            profile_files=tuple(cfg.profile_files + list(profiles or ())),
            ignore=frozenset(cfg.ignore | cli_ignore),
            severity=cfg.severity,
            pragmas=not no_pragmas,
        )
        text = sys.stdin.read() if path == "-" else None
        results.append(lint_file(path, options, text=text))
        thresholds.append(cli_threshold or cfg.failure_threshold or Severity.WARNING)
    if progress is not None:
        progress.stop()
    threshold_all = min(thresholds, key=lambda t: t.rank) if thresholds else Severity.WARNING
    for f_, dest in outputs:
        _write_output(f_, dest, results, threshold_all)
    if any(r.error is not None for r in results):
        if not any(f_ == "text" and d == "-" for f_, d in outputs):
            for r in results:
                if r.error is not None:
                    sys.stderr.write(f"venvlint: error: {r.error}\n")
        raise typer.Exit(2)
    if not no_fail and any(
        f.severity.rank >= t.rank for r, t in zip(results, thresholds, strict=True) for f in r.findings
    ):
        raise typer.Exit(1)


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


def _expand_inputs(paths: list[str]) -> list[str]:
    """Directories stand for the Dockerfiles below them (respecting .gitignore)."""
    from .discover import find_dockerfiles

    out: list[str] = []
    for p in paths:
        if p != "-" and os.path.isdir(p):
            found = find_dockerfiles(p)
            if not found:
                raise InputError(
                    "no Dockerfile, Containerfile, *.dockerfile or *.containerfile below this directory", p
                )
            out.extend(found)
        else:
            out.append(p)
    return out


def _write_output(fmt: str, dest: str, results: list[Any], threshold: Any) -> None:
    from .report import formats

    if fmt == "text":
        if dest == "-":
            from .report.text import render_text

            render_text(results)
            return
        import io

        from rich.console import Console

        from .report.text import render_text

        buf = io.StringIO()
        render_text(results, Console(file=buf, width=120, no_color=True, highlight=False))
        content = buf.getvalue()
    elif fmt == "json":
        content = formats.render_json(results)
    elif fmt == "sarif":
        from venvlint.rules import all_rules

        content = formats.render_sarif(results, all_rules())
    elif fmt == "github":
        content = formats.render_github(results)
    elif fmt == "gitlab":
        content = formats.render_gitlab(results)
    else:
        content = formats.render_junit(results, threshold)
    if dest == "-":
        sys.stdout.write(content)
        return
    try:
        with open(dest, "w", encoding="utf-8") as fh:
            fh.write(content)
    except OSError as exc:
        raise InputError(f"cannot write {fmt} output: {exc.strerror}", dest) from None


def _resolve_rule(key: str) -> str | None:
    from venvlint.rules import find_rule

    rule = find_rule(key)
    return rule.code if rule else None


@app.command("rules")
def rules_cmd(fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text") -> None:
    """List the rules."""
    from venvlint.rules import all_rules

    if fmt not in ("text", "json"):
        raise InputError(f"unknown format {fmt!r} (choose text or json)")
    rules = all_rules()
    if fmt == "json":
        doc = {
            "rules": [
                {"code": r.code, "name": r.name, "severity": r.severity.value, "summary": r.summary} for r in rules
            ]
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    table.add_column("code", no_wrap=True)
    table.add_column("name", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("summary", overflow="fold")
    for r in rules:
        table.add_row(r.code, r.name, r.severity.value, r.summary)
    Console().print(table)


@app.command("rule")
def rule_cmd(key: Annotated[str, typer.Argument(help="A rule code (VL001) or name.")]) -> None:
    """Show one rule's documentation."""
    from venvlint.rules import find_rule

    from .report.ruledoc import render

    rule = find_rule(key)
    if rule is None:
        raise InputError(f"unknown rule {key!r} (see `venvlint rules`)")
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(render(rule)))


@app.command("profile")
def profile_cmd(
    archive: Annotated[str, typer.Argument(help="An image saved with docker/podman save, or an OCI layout tarball.")],
    name: Annotated[str | None, typer.Option("--name", help="Profile name (default: the image's tag).")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write the YAML here (default: stdout).")] = None,
) -> None:
    """Build a base-image profile from a saved image, for `--profiles` or `base-images:` in .venvlint.yaml."""
    import os

    from .profiles.from_image import profile_yaml, read_image

    image = read_image(archive)
    label = name or (image.tags[0] if image.tags else os.path.basename(archive))
    text = profile_yaml(image, label, f"venvlint profile {os.path.basename(archive)}")
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


def _rule_codes(keys: list[str]) -> frozenset[str]:
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


def _dispatch(argv: list[str]) -> list[str]:
    """`venvlint Dockerfile` means `venvlint lint Dockerfile`: insert the subcommand when none is given. For lint,
    each `-o FILE` belongs to the `--format` before it (`--format sarif -o out.sarif --format github`)."""
    if not argv:
        return argv
    first = argv[0]
    if first in ("--version", "-h", "--help") or (first in SUBCOMMANDS and first != "lint"):
        return argv
    rest = argv[1:] if first == "lint" else argv
    return ["lint", *_pair_outputs(rest)]


def _pair_outputs(args: list[str]) -> list[str]:
    out: list[str] = []
    pairs: list[list[str]] = []  # [format, destination]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            out.extend(args[i:])
            break
        name, eq, val = a.partition("=")
        if name in ("--format", "-f", "--output", "-o"):
            if not eq:
                if i + 1 >= len(args):
                    out.append(a)
                    break
                val = args[i + 1]
                i += 1
            if name in ("--format", "-f"):
                pairs.append([val, "-"])
            elif pairs and pairs[-1][1] == "-":
                pairs[-1][1] = val
            else:
                pairs.append(["text", val])
        else:
            out.append(a)
        i += 1
    if len(pairs) > 1 or (pairs and pairs[0][1] != "-"):
        out += [f"--emit={f}={d}" for f, d in pairs]
    elif pairs:
        out += ["--format", pairs[0][0]]
    return out


def main(argv: list[str] | None = None) -> None:
    args = _dispatch(list(sys.argv[1:] if argv is None else argv))
    try:
        rc = app(args=args, prog_name="venvlint", standalone_mode=False)
    except InputError as exc:
        sys.stderr.write(f"venvlint: error: {exc}\n")
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("venvlint: aborted\n")
        sys.exit(2)
    except Exception as exc:  # click usage errors and anything unexpected: never a traceback
        _handle_unexpected(exc)
    sys.exit(rc if isinstance(rc, int) else 0)


def _handle_unexpected(exc: Exception) -> None:
    # typer vendors its own click, so recognise click's usage errors by their shape rather than by class.
    if any(k.__name__ == "ClickException" for k in type(exc).__mro__):
        exc.show(file=sys.stderr)  # type: ignore[attr-defined]
        sys.exit(2)
    if os.environ.get("VENVLINT_DEBUG"):
        raise exc
    detail: Any = exc
    sys.stderr.write(
        f"venvlint: internal error: {type(exc).__name__}: {detail} "
        "(this is a bug in venvlint; set VENVLINT_DEBUG=1 for a traceback)\n"
    )
    sys.exit(2)
