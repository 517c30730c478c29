"""Environment makers and application installers: `python -m venv`, virtualenv, pipx."""

from __future__ import annotations

import posixpath
from dataclasses import replace

from .context import Context, python_version
from .model import Act, EnvTarget, Invocation, Need, Role, Scheme, TempUse, Tool, Write
from .options import OptionSpec

VENV = OptionSpec("--prompt")
VIRTUALENV = OptionSpec(("-p", "--python"), "--prompt", "--activators", "--app-data", "--creator", "--seeder",
                        "--pip", "--setuptools", "--wheel", "--extra-search-dir", "--discovery", "--try-first-with")  # fmt: skip
PIPX = OptionSpec("--python", "--pip-args", "--index-url", "--suffix", "--spec", "--preinstall",
                  aliases=[("-f", "--force"), ("-q", "--quiet"), ("-v", "--verbose")])  # fmt: skip


def read_venv(ctx: Context, interpreter: str, args: list[str]) -> Invocation:
    """`python -m venv DIR...`: creates each DIR (and missing parents); `--upgrade` rewrites pyvenv.cfg and the
    interpreter links of an existing one."""
    p = VENV.parse(args)
    target = ctx.known(p.operands[0], "the venv's path") if p.operands else None
    env = EnvTarget(Scheme.ENV, ctx.path(target) if target else None, "python -m venv", creates=True,
                    python_version=python_version(interpreter, ctx.env))  # fmt: skip
    act = Act.UPGRADE_ENV if "--upgrade" in p.flags else Act.CREATE_ENV
    seeds = () if "--without-pip" in p.flags else ("pip",)
    inv = Invocation(Tool.VENV, act, "venv", env=env, clear="--clear" in p.flags, steering=("PYTHON_VERSION",),
                     seeds=seeds)  # fmt: skip
    return replace(inv, unread=tuple(ctx.unread))


def read_virtualenv(ctx: Context, args: list[str]) -> Invocation:
    """`virtualenv DIR`: creates DIR and its missing parents; its seed wheels and interpreter cache live in the
    app-data directory (`--app-data`, VIRTUALENV_OVERRIDE_APP_DATA, else $XDG_CACHE_HOME/virtualenv or
    ~/.cache/virtualenv), which it replaces by a temporary one when that cannot be written (measured, 21.15)."""
    p = VIRTUALENV.parse(args)
    target = ctx.known(p.operands[0], "the venv's path") if p.operands else None
    python = ctx.known(p.last("--python"), "--python") or ""
    env = EnvTarget(Scheme.ENV, ctx.path(target) if target else None, "virtualenv", creates=True,
                    python_version=python_version(python, ctx.env))  # fmt: skip
    app_data = ctx.known(p.last("--app-data"), "--app-data") or ctx.var("VIRTUALENV_OVERRIDE_APP_DATA")
    xdg = ctx.var("XDG_CACHE_HOME")
    default = posixpath.join(ctx.path(xdg), "virtualenv") if xdg else "~/.cache/virtualenv"
    where = ctx.path(app_data) if app_data else default
    writes = (Write(where, True, Need.DEGRADED, Role.APP_DATA, f"virtualenv caches its seed wheels in {where}"),)
    seeds = () if {"--no-pip", "--without-pip", "--no-seed"} & set(p.flags) else ("pip",)
    inv = Invocation(Tool.VIRTUALENV, Act.CREATE_ENV, "virtualenv", env=env, temp=TempUse.PYTHON, writes=writes,
                     clear="--clear" in p.flags, steering=("VIRTUALENV_", "HOME", "XDG_CACHE_HOME"), seeds=seeds)  # fmt: skip
    return replace(inv, unread=tuple(ctx.unread))


def read_pipx(ctx: Context, args: list[str]) -> Invocation:
    """pipx install/inject/upgrade: each application's venv below PIPX_HOME (default ~/.local/share/pipx; with
    `--global`, PIPX_GLOBAL_HOME, default /opt/pipx), its executables in PIPX_BIN_DIR (default ~/.local/bin;
    `--global`: PIPX_GLOBAL_BIN_DIR, default /usr/local/bin), and its log in `<PIPX_HOME>/logs` when PIPX_HOME is
    set, else $XDG_STATE_HOME/pipx/log or ~/.local/state/pipx/log. All three are fatal (measured, pipx 1.18:
    a read-only HOME stops it at the log directory)."""
    p = PIPX.parse(args)
    sub = p.operands[0] if p.operands else ""
    steering = ("PIPX_", "HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "TMPDIR")
    if sub not in ("install", "inject", "upgrade", "upgrade-all", "reinstall", "reinstall-all", "install-all"):
        return replace(Invocation(Tool.PIPX, Act.OTHER, sub, steering=steering), unread=tuple(ctx.unread))
    if "--global" in p.flags:
        explicit = ctx.var("PIPX_GLOBAL_HOME")
        home = explicit or "/opt/pipx"
        bins = ctx.var("PIPX_GLOBAL_BIN_DIR") or "/usr/local/bin"
    else:
        explicit = ctx.var("PIPX_HOME")
        home = explicit or _data(ctx, "pipx")
        bins = ctx.var("PIPX_BIN_DIR") or "~/.local/bin"
    home, bins = _abs(ctx, home), _abs(ctx, bins)
    if explicit or "--global" in p.flags:
        log = posixpath.join(home, "logs")
    else:
        state = ctx.var("XDG_STATE_HOME")
        log = posixpath.join(ctx.path(state), "pipx", "log") if state else "~/.local/state/pipx/log"
    writes = (
        Write(home, True, Need.FATAL, Role.TOOL_HOME, f"pipx creates the application's environment below {home}"),
        Write(bins, True, Need.FATAL, Role.TOOL_BIN, f"pipx links the application's executables into {bins}"),
        Write(log, True, Need.FATAL, Role.TOOL_STATE, f"pipx writes a log of every command into {log}"),
    )
    inv = Invocation(Tool.PIPX, Act.TOOL_INSTALL, sub, temp=TempUse.PYTHON, writes=writes, steering=steering,
                     packages=tuple(p.operands[1:]))  # fmt: skip
    return replace(inv, unread=tuple(ctx.unread))


def _data(ctx: Context, name: str) -> str:
    xdg = ctx.var("XDG_DATA_HOME")
    return posixpath.join(xdg, name) if xdg else f"~/.local/share/{name}"


def _abs(ctx: Context, path: str) -> str:
    return path if path.startswith("~/") else ctx.path(path)
