"""The typer application: every subcommand, `--help` and usage errors. `cli.main` reaches it only when the fast
reader of plain `venvlint lint` arguments (cli.py) cannot take the command line, so typer is not paid for on the
lint path. Heavy imports (rich, the engine) happen inside the commands that need them."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated

import typer

from . import __version__
from .errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Find Python virtual environments, HOME and cache directories that a container build leaves unwritable.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

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
    no_context: Annotated[
        bool,
        typer.Option(
            "--no-context",
            help="Lint without a build context (partial checkouts, stdin): what COPY copies from it is unknown.",
        ),
    ] = False,
    strict_context: Annotated[
        bool,
        typer.Option(
            "--strict-context",
            help="A COPY source missing from the build context fails the build (default: an assumption).",
        ),
    ] = False,
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
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", help="Lint this many files at once (default: the CPU count). Output order is kept."
        ),
    ] = None,
) -> None:
    """Lint DOCKERFILES (the default command: `venvlint Dockerfile` is `venvlint lint Dockerfile`)."""
    from .lint_command import LintRequest, run_lint

    request = LintRequest(
        dockerfiles=list(dockerfiles),
        context=context,
        no_context=no_context,
        strict_context=strict_context,
        build_arg=list(build_arg or []),
        build_arg_file=list(build_arg_file or []),
        target=target,
        builder=builder,
        runtime_user=list(runtime_user or []),
        profiles=list(profiles or []),
        fmt=fmt,
        output=output,
        emit=list(emit or []),
        failure_threshold=failure_threshold,
        ignore=list(ignore or []),
        no_pragmas=no_pragmas,
        config=config,
        no_fail=no_fail,
        color=color,
        jobs=jobs,
    )
    raise typer.Exit(run_lint(request))


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

    from .profiles.from_image import profile_yaml, read_image

    image = read_image(archive)
    label = name or (image.tags[0] if image.tags else os.path.basename(archive))
    text = profile_yaml(image, label, f"venvlint profile {os.path.basename(archive)}")
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
