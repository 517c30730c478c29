"""The `venvlint` command line.

`venvlint Dockerfile ...` (the lint command, what pre-commit and CI run) is read by a small option reader here and
runs without importing typer or rich: together they are most of a cold start. Everything else (subcommands,
`--help`, `--version`, and any lint command line the reader does not fully understand, which includes every
mistake) goes to the typer application in commands.py, which owns the help texts and the usage errors. A test
checks that both readers turn the same command lines into the same request.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from .errors import InputError
from .options import BY_NAME, USAGE, Kind

SUBCOMMANDS = {"explain", "lint", "rules", "rule", "profile", "lsp"}


def read_lint_args(args: list[str]) -> Any:
    """A LintRequest for a lint command line (after `lint`), or None when typer must read it: help, an unknown
    option, a missing or odd value, no file. None is never wrong, only slower."""
    from .lint_command import LintRequest

    values: dict[str, Any] = {}
    files: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == "--":
            files.extend(args[i:])
            break
        if a == "-" or not a.startswith("-"):
            files.append(a)
            continue
        if a.startswith("--"):
            name, eq, value = a.partition("=")
            attached: str | None = value if eq else None
        else:
            name, attached = a[:2], (a[2:] or None)
        option = BY_NAME.get(name)
        if option is None:
            return None
        if not option.takes_value:
            if attached is not None:
                return None
            values[option.field] = True
            continue
        if attached is None:
            if i >= len(args) or args[i].startswith("-"):
                return None  # let typer word the error (or take a value that looks like an option)
            attached = args[i]
            i += 1
        if option.kind is Kind.COUNT:
            if not attached.strip().lstrip("-").isdigit():
                return None
            values[option.field] = int(attached)
        elif option.kind is Kind.REPEATED:
            values.setdefault(option.field, []).append(attached)
        else:
            values[option.field] = attached
    if not files:
        return None
    return LintRequest(dockerfiles=files, **values)


def _dispatch(argv: list[str]) -> list[str]:
    """`venvlint Dockerfile` means `venvlint lint Dockerfile`: insert the subcommand when none is given. For lint,
    each `-o FILE` belongs to the `--format` before it (`--format sarif -o out.sarif --format github`)."""
    if not argv:
        return argv
    first = argv[0]
    if first in ("--version", "-V", "-h", "--help") or (first in SUBCOMMANDS and first != "lint"):
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
        if a[:2] in ("-f", "-o") and len(a) > 2 and not a.startswith("--"):  # `-fsarif`, `-oout.sarif`
            name, eq, val = a[:2], "=", a[2:]
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
                why = f"--format {pairs[-1][0]} already writes to {pairs[-1][1]}" if pairs else "no --format before it"
                raise InputError(f"`{name} {val}`: {why}; each output file belongs to the --format just before it "
                                 "(`--format json -o out.json`)")  # fmt: skip
        else:
            out.append(a)
        i += 1
    if len(pairs) > 1 or (pairs and pairs[0][1] != "-"):
        out += [f"--emit={f}={d}" for f, d in pairs]
    elif pairs:
        out += ["--format", pairs[0][0]]
    return out


def main(argv: list[str] | None = None) -> None:
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        if not argv:  # a usage error, whatever typer's version thinks (some print the help and exit 0)
            raise InputError(f"no Dockerfile given (usage: {USAGE}, see `venvlint --help`)")
        if argv[0] in ("-h", "--help"):  # how to lint and its options, then the commands (not typer's group help)
            from .commands import top_help

            sys.stdout.write(top_help())
            sys.exit(0)
        args = _dispatch(argv)
        request = read_lint_args(args[1:]) if args[:1] == ["lint"] else None
        if request is not None:
            from .lint_command import run_lint

            sys.exit(run_lint(request))
        _run_typer(args)
    except InputError as exc:
        sys.stderr.write(f"venvlint: error: {exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("venvlint: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:  # the reader of our output went away (`venvlint ... | head`): nothing left to say
        sys.exit(1)
    except Exception as exc:  # click usage errors and anything unexpected: never a traceback
        _handle_unexpected(exc)


def console_main() -> None:
    """The `venvlint` command: `main`, then an exit that skips tearing down the interpreter's objects (a model of
    200,000 paths takes tens of milliseconds to free, for nothing). Output is flushed first; every file venvlint
    writes is closed by then."""
    code: int | str | None = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`venvlint ... | head`): nothing more can be said
        code = code or 1
    os._exit(code or 0)


def _run_typer(args: list[str]) -> None:
    import typer

    from .commands import app

    try:
        rc = app(args=args, prog_name="venvlint", standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("venvlint: aborted\n")
        sys.exit(2)
    sys.exit(rc if isinstance(rc, int) else 0)


def _handle_unexpected(exc: Exception) -> None:
    # typer vendors its own click, so recognise click's usage errors by their shape rather than by class.
    if any(k.__name__ == "ClickException" for k in type(exc).__mro__):
        # One line, as every other usage error: click's own form is a usage block, a hint and the message.
        message = " ".join(str(exc.format_message()).split())  # type: ignore[attr-defined]
        ctx = getattr(exc, "ctx", None)
        command = getattr(ctx, "command_path", "") or "venvlint"
        sys.stderr.write(f"venvlint: error: {message} (see `{command} --help`)\n")
        sys.exit(2)
    if os.environ.get("VENVLINT_DEBUG"):
        raise exc
    detail: Any = exc
    sys.stderr.write(
        f"venvlint: internal error: {type(exc).__name__}: {detail} "
        "(this is a bug in venvlint; set VENVLINT_DEBUG=1 for a traceback)\n"
    )
    sys.exit(2)
