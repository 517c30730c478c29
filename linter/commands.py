"""The typer application: every subcommand, `--help` and usage errors. `cli.main` reaches it only when the fast
reader of plain `venvlint lint` arguments (cli.py) cannot take the command line, so typer is not paid for on the
lint path. Heavy imports (rich, the engine) happen inside the commands that need them."""

from __future__ import annotations

import inspect
import json
import os
import sys
from typing import Annotated

import typer

from . import __version__
from .errors import InputError
from .options import ARGUMENT_HELP, LINT_OPTIONS, USAGE, Kind, option_lines

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
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit.")
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
    offline: Annotated[bool, typer.Option("--offline", help="Never ask a registry for a base image.")] = False,
    platform: Annotated[
        str | None, typer.Option("--platform", help="os/arch of multi-platform base images (default linux/amd64).")
    ] = None,
) -> None:
    """Show each PATH's final owner, group and mode, and every instruction that changed it."""
    from . import config as configuration
    from .explain import explain as run_explain
    from .lint_command import registry_settings
    from .resolve.buildargs import collect_build_args
    from .rules import find_rule

    fmt = fmt.lower()  # as the lint's formats: `-f JSON`
    if fmt not in ("text", "json"):
        raise InputError(f"unknown format {fmt!r} for explain (choose text or json)")
    args = collect_build_args(build_arg or [], build_arg_file or [])
    # The Dockerfile's config, as the lint reads it: its profile files and how base images are read.
    cfg = configuration.effective(dockerfile, None, lambda k: r.code if (r := find_rule(k)) else None)
    doc = run_explain(
        dockerfile,
        paths,
        context=context,
        build_args=args,
        target=target,
        builder=builder,
        profile_files=[*cfg.profile_files, *(profiles or [])],
        registry=registry_settings(cfg, offline, platform),
    )
    if fmt == "json":
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    from .report.explain_text import render_explain

    render_explain(doc)


def _lint(dockerfiles: list[str], **options: object) -> None:
    """Lint DOCKERFILES (the default command: `venvlint Dockerfile` is `venvlint lint Dockerfile`)."""
    from .lint_command import LintRequest, run_lint

    values = {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in options.items() if v is not None}
    raise typer.Exit(run_lint(LintRequest(dockerfiles=list(dockerfiles), **values)))  # type: ignore[arg-type]


def _lint_signature() -> tuple[inspect.Signature, dict[str, object]]:
    """The typer signature of `lint`, built from options.LINT_OPTIONS (the one declaration of the options)."""
    types: dict[Kind, tuple[object, object]] = {
        Kind.FLAG: (bool, False),
        Kind.VALUE: (str | None, None),
        Kind.REPEATED: (list[str] | None, None),
        Kind.COUNT: (int | None, None),
    }
    params = [
        inspect.Parameter(
            "dockerfiles",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[list[str], typer.Argument(help=f"{ARGUMENT_HELP}.", metavar="DOCKERFILE|DIR|-...")],
        )
    ]
    for o in LINT_OPTIONS:
        base, default = types[o.kind]
        info = typer.Option(
            *o.names, help=o.help, metavar=o.metavar or None, hidden=o.hidden,
            show_default=False,
        )  # fmt: skip
        params.append(
            inspect.Parameter(
                o.field, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[base, info]
            )
        )
    annotations = {p.name: p.annotation for p in params}
    return inspect.Signature(params, return_annotation=None), {**annotations, "return": None}


_lint.__signature__, _lint.__annotations__ = _lint_signature()  # type: ignore[attr-defined]
app.command("lint")(_lint)


def top_help() -> str:
    """`venvlint --help`: how to lint (the default command) and its options, then the other commands."""
    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {})
    width = max(len(n) for n in commands) + 2
    lines = [
        f"Usage: {USAGE}",
        "       venvlint COMMAND [ARGS]...",
        "",
        str(app.info.help),
        "",
        f"DOCKERFILE|DIR|-: {ARGUMENT_HELP}.",
        "",
        "Lint options:",
        *option_lines(),
        "",
        "Commands (`venvlint COMMAND --help` for a command's options):",
        *(f"  {n:<{width}}{commands[n].get_short_help_str(100)}" for n in sorted(commands)),
        "",
        "  -V, --version  print the version and exit",
        "  -h, --help     show this help and exit",
    ]
    return "\n".join(lines) + "\n"


@app.command("rules")
def rules_cmd(fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text") -> None:
    """List the rules."""
    from venvlint.rules import all_rules

    fmt = fmt.lower()
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

    Console().print(Markdown(render(rule, page=False)))


def _is_reference(arg: str) -> bool:
    """An image reference, not a file: nothing of that name exists here and it is not named like an archive."""
    if arg == "-" or "\0" in arg or os.path.exists(arg):
        return False
    if not all(c.isascii() and (c.isalnum() or c in "._-/:@") for c in arg):
        return False  # not a reference's characters (distribution's reference grammar)
    return not arg.endswith((".tar", ".tar.gz", ".tgz", ".tar.zst", "/")) and not arg.startswith((".", "/"))


def _profile_from_registry(ref: str, name: str | None, platform: str | None, offline: bool) -> str:
    """The profile YAML of `ref`, read from the cache or its registry; InputError (exit 2) saying why not."""
    import yaml

    from . import config as configuration
    from .lint_command import registry_settings
    from .registry.errors import RegistryError
    from .registry.lookup import RegistryProfiles
    from .rules import find_rule

    cfg = configuration.effective(
        os.path.join(os.getcwd(), "Dockerfile"), None, lambda k: r.code if (r := find_rule(k)) else None
    )
    settings = registry_settings(cfg, offline, platform)
    try:
        doc = RegistryProfiles(settings).document(ref, platform)
    except RegistryError as exc:
        raise InputError(f"{ref}: {exc.reason}") from None
    prof = dict(doc["profiles"][0])
    prof["name"] = name or ref
    prof["match"] = [ref]
    return str(yaml.safe_dump({"profiles": [prof]}, sort_keys=False, width=200))


@app.command("profile")
def profile_cmd(
    archive: Annotated[
        str,
        typer.Argument(
            help="An image reference read from its registry (ghcr.io/org/app:1.2), an image saved with docker/podman "
            "save, an OCI layout (tar or directory); `-` reads a saved image from standard input."
        ),
    ],
    name: Annotated[str | None, typer.Option("--name", help="Profile name (default: the image's tag).")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write the YAML here (default: stdout).")] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="os/arch of a multi-platform image (default linux/amd64).")
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Use only the cache, never the registry.")] = False,
) -> None:
    """Build a base-image profile from an image (its registry, or a saved copy), for `--profiles` or `base-images:`
    in .venvlint.yaml."""

    from .profiles.from_image import profile_yaml, read_image

    if _is_reference(archive):
        text = _profile_from_registry(archive, name, platform, offline)
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            sys.stdout.write(text)
        return
    image = read_image(archive)
    shown = "standard input" if archive == "-" else os.path.basename(archive)
    label = name or (image.tags[0] if image.tags else shown)
    text = profile_yaml(image, label, f"venvlint profile {shown}")
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


@app.command("lsp")
def lsp_cmd(
    unsafe_fixes: Annotated[
        bool,
        typer.Option("--unsafe-fixes", help="Also offer fixes that change more than owners and modes as code actions."),
    ] = False,
) -> None:
    """Run the language server on standard input and output (for editors: docs/EDITORS.md)."""
    from .lsp.server import serve

    serve(unsafe_fixes=unsafe_fixes)
