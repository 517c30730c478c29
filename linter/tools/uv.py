"""uv: `uv pip install|sync|uninstall`, `uv sync|run|add|remove|lock`, `uv venv`, `uv tool`, `uvx`, `uv python
install`, `uv cache`, and the variables that steer them (docs/TOOLS.md and docs/MEASUREMENTS.md for what each
writes, measured with uv 0.13.9).

A project command's environment is `UV_PROJECT_ENVIRONMENT` (relative to the project) or `<project>/.venv`, or the
active one with `--active`; uv creates it when missing. `uv run` syncs it first unless `--no-sync` or `UV_NO_SYNC`
(`--frozen` and `--locked` only keep the lock file as it is: the environment is still synced, measured); whether a
sync writes anything is decided against the build's earlier `uv sync` (`intents.py`). uv's cache is fatal when it cannot be created; without a cache (`--no-cache`), and for every sync
and venv, uv needs `$TMPDIR` or `/tmp`, with no fallback.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import replace

from .context import Context, python_version, unknown
from .model import (
    Act,
    CacheSpec,
    EnvTarget,
    Invocation,
    Need,
    ProjectSpec,
    PythonChoice,
    Role,
    Scheme,
    SyncMode,
    TempUse,
    Tool,
    UvSelection,
    Write,
)
from .options import OptionSpec, Parsed

_VALUE_OPTIONS: tuple[str | tuple[str, ...], ...] = (
    ("-p", "--python"), "--project", "--directory", "--cache-dir", "--group", "--only-group", "--no-group", "--extra",
    "--no-extra", ("-i", "--index-url"), "--extra-index-url", "--index", "--default-index", ("-f", "--find-links"),
    ("-w", "--with"), "--with-editable", "--with-requirements", "--env-file", "--package", "--prefix", "--target",
    "--link-mode", "--config-file", ("-c", "--constraint", "--constraints"), ("--overrides", "--override"),
    ("-r", "--requirements", "--requirement"), ("-e", "--editable"),
    "--python-platform", "--python-version", "--resolution", "--prerelease", "--exclude-newer", "--keyring-provider",
    "--refresh-package", "--reinstall-package", ("-P", "--upgrade-package"), "--color", "--prompt",
    "--index-strategy", "--fork-strategy", ("-o", "--output-file"), ("-C", "--config-setting"),
    "--no-binary-package", "--no-build-package", "--no-install-package", "--from", "--allow-insecure-host",
    "--python-preference", ("-b", "--build-constraints", "--build-constraint"), "--format", "--install-dir", "--bin",
    "--upgrade-group", "--only-binary", "--no-binary", "--torch-backend", "--optional", "--tag", "--branch", "--rev",
    "--bounds",
)  # fmt: skip
_FLAGS = [("-n", "--no-cache"), ("-q", "--quiet"), ("-v", "--verbose"), ("-U", "--upgrade")]
# `--script FILE` names a script for add/remove/lock/sync/tree; `uv run --script` (`-s`) is a flag.
OPTIONS = OptionSpec(*_VALUE_OPTIONS, "--script", aliases=_FLAGS)
RUN_OPTIONS = OptionSpec(*_VALUE_OPTIONS, aliases=[*_FLAGS, ("-s", "--script")])
STEERING = (
    "UV_CACHE_DIR", "UV_NO_CACHE", "UV_PROJECT_ENVIRONMENT", "UV_NO_SYNC", "UV_FROZEN", "UV_LOCKED", "UV_NO_DEV",
    "UV_VENV_CLEAR", "UV_SYSTEM_PYTHON", "UV_TOOL_DIR", "UV_TOOL_BIN_DIR", "UV_PYTHON_INSTALL_DIR",
    "UV_PYTHON_BIN_DIR", "UV_PYTHON_PREFERENCE", "UV_MANAGED_PYTHON", "UV_NO_MANAGED_PYTHON", "UV_PYTHON_DOWNLOADS",
    "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_BIN_HOME", "VIRTUAL_ENV", "HOME", "TMPDIR",
)  # fmt: skip
PROJECT_COMMANDS = {"sync": Act.SYNC, "run": Act.RUN, "add": Act.INSTALL, "remove": Act.INSTALL, "lock": Act.LOCK}


def read_uv(ctx: Context, args: list[str], uvx: bool = False) -> Invocation:
    """`args` follow `uv` (or `uvx`, which is `uv tool run`)."""
    if uvx:
        args = ["tool", "run", *args]
    head = OPTIONS.parse(args, stop_after=1)
    sub = head.operands[0] if head.operands else ""
    if unknown(sub):
        ctx.unread.append("uv's subcommand is computed at build time")
        sub = "?"
    if sub in ("pip", "tool", "python", "cache"):
        verb = next((w for w in head.rest if not w.startswith("-")), "")
        # `uv tool run TOOL ...` stops reading its own options at the tool it runs.
        p = _merge(head, OPTIONS.parse(head.rest, stop_after=2 if (sub, verb) == ("tool", "run") else None))
        subcommand = f"{sub} {verb}".strip()
    else:
        # `uv run` stops reading its own options at the command it runs.
        spec = RUN_OPTIONS if sub == "run" else OPTIONS
        p = _merge(head, spec.parse(head.rest, stop_after=1 if sub == "run" else None))
        verb, subcommand = "", sub
    cache = _cache(ctx, p)
    python = _python_choice(ctx, p, p.operands[2:] if subcommand == "python install" else ())
    inv = Invocation(Tool.UV, Act.OTHER, subcommand, cache=cache, python=python, steering=STEERING)
    if sub == "pip" and verb in ("install", "sync", "uninstall"):
        act = {"install": Act.INSTALL, "sync": Act.SYNC, "uninstall": Act.UNINSTALL}[verb]
        temp = TempUse.STRICT if verb == "sync" or cache is None else TempUse.NONE
        # `uv pip sync` takes requirement files as its operands; `uv pip install` packages (and files with -r).
        named = tuple(w for w in p.operands[2:] if not unknown(w))
        packages, files = ((), named) if verb == "sync" else (named, ())
        replaces = verb == "uninstall" or (
            verb == "install" and p.has("--upgrade", "--reinstall", "--upgrade-package", "--reinstall-package")
        )
        # Without --upgrade/--reinstall, -P/--upgrade-package and --reinstall-package replace only what they name.
        only = () if p.has("--upgrade", "--reinstall") else (*p.all("--upgrade-package"), *p.all("--reinstall-package"))
        inv = replace(inv, act=act, env=_pip_env(ctx, p), temp=temp, packages=packages, replaces=replaces,
                      replaced=tuple(w for w in only if not unknown(w)),
                      requirements=(*files, *(w for w in p.all("--requirement") if not unknown(w))))  # fmt: skip
    elif sub in PROJECT_COMMANDS:
        inv = _project(ctx, p, sub, replace(inv, act=PROJECT_COMMANDS[sub], temp=TempUse.STRICT))
    elif sub == "venv":
        target = ctx.known(p.operands[1], "the venv's path") if len(p.operands) > 1 else ".venv"
        # Without --python, `uv venv` uses the first interpreter on PATH: the image's own Python.
        version = _python_version(ctx, p) or python_version("", ctx.env)
        env = EnvTarget(Scheme.ENV, ctx.path(target) if target else None, "uv venv", creates=True,
                        python_version=version)  # fmt: skip
        clear = "--clear" in p.flags or bool(ctx.flag_var("UV_VENV_CLEAR"))
        inv = replace(inv, act=Act.CREATE_ENV, env=env, clear=clear, relocatable="--relocatable" in p.flags,
                      temp=TempUse.STRICT, seeds=("pip",) if "--seed" in p.flags else ())  # fmt: skip
    elif sub == "tool" and verb in ("install", "upgrade"):
        inv = replace(inv, act=Act.TOOL_INSTALL, writes=_tool_dirs(ctx), temp=TempUse.STRICT)
    elif sub == "python" and verb == "install":
        inv = replace(inv, act=Act.PYTHON_INSTALL, writes=_python_dirs(ctx, p), temp=TempUse.STRICT)
    elif sub == "cache" and verb in ("clean", "prune"):
        inv = replace(inv, act=Act.CLEAN)
    elif sub == "tool" and verb == "run":  # uv tool run / uvx: the tool's environment lives in the cache
        inv = replace(inv, temp=TempUse.STRICT if cache is None else TempUse.NONE)
    else:
        inv = replace(inv, cache=None)  # `uv --version`, `uv pip list`, `uv lock --check`: nothing venvlint checks
    return replace(inv, unread=tuple(ctx.unread))


def _merge(a: Parsed, b: Parsed) -> Parsed:
    out = Parsed(set(a.flags) | b.flags, {k: list(v) for k, v in a.values.items()}, [*a.operands, *b.operands], b.rest)
    for k, v in b.values.items():
        out.values.setdefault(k, []).extend(v)
    return out


def _cache(ctx: Context, p: Parsed) -> CacheSpec | None:
    if "--no-cache" in p.flags or ctx.flag_var("UV_NO_CACHE"):
        return None
    flag = ctx.known(p.last("--cache-dir"), "--cache-dir")
    explicit = flag or ctx.var("UV_CACHE_DIR")
    return ctx.cache(Tool.UV, "uv", explicit, "--cache-dir" if flag else "UV_CACHE_DIR", fatal=True)


def _python_version(ctx: Context, p: Parsed) -> str | None:
    value = ctx.known(p.last("--python"), "--python") or ctx.var("UV_PYTHON") or ""
    return python_version(value, {}) if value else None


def _python_choice(ctx: Context, p: Parsed, requests: Sequence[str]) -> PythonChoice:
    """uv's interpreter preference and downloads (flags over the environment; uv's default: managed, automatic),
    where it installs managed Pythons, and the X.Y `uv python install` is asked for."""
    preference = "managed"
    if "--managed-python" in p.flags or ctx.flag_var("UV_MANAGED_PYTHON"):
        preference = "only-managed"
    elif "--no-managed-python" in p.flags or ctx.flag_var("UV_NO_MANAGED_PYTHON"):
        preference = "only-system"
    else:
        written = ctx.known(p.last("--python-preference"), "--python-preference") or ctx.var("UV_PYTHON_PREFERENCE")
        if written in ("only-managed", "managed", "system", "only-system"):
            preference = written
    downloads = "--no-python-downloads" not in p.flags and (ctx.var("UV_PYTHON_DOWNLOADS") or "").lower() not in (
        "never", "manual", "false", "0")  # fmt: skip
    flag = ctx.known(p.last("--install-dir"), "--install-dir")
    where = ctx.path(flag) if flag else _data_dir(ctx, "UV_PYTHON_INSTALL_DIR", "python")
    versions = tuple(v for r in requests if not unknown(r) and (v := python_version(r, {})) is not None)
    return PythonChoice(preference, downloads, where, versions)


def _pip_env(ctx: Context, p: Parsed) -> EnvTarget | None:
    """Where `uv pip` installs: --target, --prefix, --system / UV_SYSTEM_PYTHON, the environment of --python,
    $VIRTUAL_ENV, else a `.venv` in the working directory or above it (uv's discovery)."""
    version = _python_version(ctx, p)
    for option, scheme in (("--target", Scheme.TARGET), ("--prefix", Scheme.PREFIX)):
        if p.last(option) is not None:
            value = ctx.known(p.last(option), option)
            return EnvTarget(scheme, ctx.path(value) if value else None, option, creates=True, python_version=version)
    if "--system" in p.flags or ctx.flag_var("UV_SYSTEM_PYTHON"):
        return EnvTarget(Scheme.SYSTEM, None, "--system", python_version=version)
    python = ctx.known(p.last("--python"), "--python")
    if python and "/" in python:
        path = ctx.path(python)
        if ctx.probe.is_env(path):
            return EnvTarget(Scheme.ENV, path, "--python", python_version=version)
        root = posixpath.dirname(posixpath.dirname(path))
        if ctx.probe.is_env(root):
            return EnvTarget(Scheme.ENV, root, "--python", python_version=version)
        return EnvTarget(Scheme.SYSTEM, None, f"the interpreter {python}", python_version=version)
    venv = ctx.var("VIRTUAL_ENV")
    if venv:
        return EnvTarget(Scheme.ENV, ctx.path(venv), "VIRTUAL_ENV", python_version=version)
    conda = ctx.var("CONDA_PREFIX")
    if conda:
        return EnvTarget(Scheme.ENV, ctx.path(conda), "CONDA_PREFIX", python_version=version)
    d = ctx.cwd
    while True:
        if ctx.probe.is_env(posixpath.join(d, ".venv")):
            return EnvTarget(Scheme.ENV, posixpath.join(d, ".venv"), "the .venv uv finds from the working directory",
                             python_version=version)  # fmt: skip
        if d == "/":
            break
        d = posixpath.dirname(d)
    # Else the first interpreter on PATH that belongs to a virtual environment (uv skips system interpreters for
    # commands that change an environment).
    for d in (ctx.env.get("PATH") or "").split(":"):
        if unknown(d):
            return ctx.unknown_path()
        root = posixpath.dirname(d.rstrip("/"))
        # A virtual environment's bin always holds its python, whether or not the model lists the file.
        if d.rstrip("/").endswith("/bin") and ctx.probe.is_env(root):
            return EnvTarget(Scheme.ENV, root, f"the virtual environment of the first python on PATH ({d})",
                             python_version=version)  # fmt: skip
    return None


def _project(ctx: Context, p: Parsed, sub: str, inv: Invocation) -> Invocation:
    """A project command: its project, environment, lock, selection and sync mode."""
    directory = ctx.known(p.last("--project") or p.last("--directory"), "--project") or ctx.var("UV_PROJECT")
    project = ctx.path(directory) if directory else ctx.cwd
    version = _python_version(ctx, p)
    active = ctx.var("VIRTUAL_ENV")
    if "--active" in p.flags and active:
        env = EnvTarget(Scheme.ENV, ctx.path(active), "--active (VIRTUAL_ENV)", creates=True, python_version=version)
    elif "UV_PROJECT_ENVIRONMENT" in ctx.env:
        value = ctx.var("UV_PROJECT_ENVIRONMENT")
        path = posixpath.normpath(posixpath.join(project, value)) if value else None
        env = EnvTarget(Scheme.ENV, path, "UV_PROJECT_ENVIRONMENT", creates=True, python_version=version)
    else:
        env = EnvTarget(Scheme.ENV, posixpath.join(project, ".venv"), "the project's .venv", creates=True,
                        python_version=version)  # fmt: skip
    frozen = "--frozen" in p.flags or bool(ctx.flag_var("UV_FROZEN"))
    locked = "--locked" in p.flags or bool(ctx.flag_var("UV_LOCKED"))
    inv = replace(inv, env=env, project=ProjectSpec(project, posixpath.join(project, "uv.lock"), frozen or locked))
    if sub == "run":
        no_sync = "--no-sync" in p.flags or ctx.flag_var("UV_NO_SYNC")
        if no_sync is None:
            no_sync = True  # uv refuses a value it cannot read as a boolean: it does not sync either
        without_project = bool({"--no-project", "--script", "--isolated"} & p.flags)
        inv = replace(inv, sync=SyncMode.NEVER if (no_sync or without_project) else SyncMode.CHECK)
    if sub in ("sync", "run"):
        inv = replace(inv, uv_selection=selection(ctx, p))
    return inv


def selection(ctx: Context, p: Parsed) -> UvSelection:
    """The dependency selection of a `uv sync` or `uv run` (uv's flags and UV_NO_DEV)."""
    dev = not ("--no-dev" in p.flags or ctx.flag_var("UV_NO_DEV")) or bool({"--dev", "--only-dev"} & p.flags)
    groups: frozenset[str] | None = None if "--all-groups" in p.flags else frozenset(p.all("--group"))
    if groups is not None:
        groups |= frozenset(p.all("--only-group"))
    extras = None if "--all-extras" in p.flags else frozenset(p.all("--extra"))
    skip = {"--no-install-project", "--only-dev", "--no-install-workspace"}
    project = not (skip & p.flags) and not p.all("--only-group")
    return UvSelection(dev, groups, extras, project)


def _data_dir(ctx: Context, variable: str, subdir: str) -> str:
    """A uv data directory: `variable`, else $XDG_DATA_HOME/uv/<subdir>, else ~/.local/share/uv/<subdir> (`~/`:
    the HOME of whoever runs it)."""
    explicit = ctx.var(variable)
    if explicit:
        return ctx.path(explicit)
    xdg = ctx.var("XDG_DATA_HOME")
    return posixpath.join(ctx.path(xdg), "uv", subdir) if xdg else f"~/.local/share/uv/{subdir}"


def _bin_dir(ctx: Context, variable: str) -> str:
    explicit = ctx.var(variable) or ctx.var("XDG_BIN_HOME")
    if explicit:
        return ctx.path(explicit)
    xdg = ctx.var("XDG_DATA_HOME")
    return posixpath.normpath(posixpath.join(ctx.path(xdg), "..", "bin")) if xdg else "~/.local/bin"


def _tool_dirs(ctx: Context) -> tuple[Write, ...]:
    tools, bins = _data_dir(ctx, "UV_TOOL_DIR", "tools"), _bin_dir(ctx, "UV_TOOL_BIN_DIR")
    return (
        Write(tools, True, Need.FATAL, Role.TOOL_HOME, f"`uv tool install` creates the tool's environment in {tools}"),
        Write(bins, True, Need.FATAL, Role.TOOL_BIN, f"`uv tool install` links the tool's executables into {bins}"),
    )


def _python_dirs(ctx: Context, p: Parsed) -> tuple[Write, ...]:
    flag = ctx.known(p.last("--install-dir"), "--install-dir")
    where = ctx.path(flag) if flag else _data_dir(ctx, "UV_PYTHON_INSTALL_DIR", "python")
    out = [Write(where, True, Need.FATAL, Role.PYTHON_INSTALL, f"`uv python install` unpacks Python into {where}")]
    bins = _bin_dir(ctx, "UV_PYTHON_BIN_DIR")
    out.append(Write(bins, True, Need.CONDITIONAL, Role.PYTHON_BIN,
                     f"`uv python install` links python3.X executables into {bins}",
                     condition=f"uv links the executables into {bins} (it only warns when it cannot)"))  # fmt: skip
    return tuple(out)
