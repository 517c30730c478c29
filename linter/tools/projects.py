"""Project managers other than uv: poetry, pipenv, pdm, hatch. Each installs a project's dependencies into an
environment it picks (an active venv, one in the project, or one in a directory of its own below HOME), and writes
the project's lock file when it is missing.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace

from ..model.fs import normpath
from .context import Context
from .model import Act, EnvTarget, Invocation, Need, ProjectSpec, Role, Scheme, SyncMode, TempUse, Tool, Write
from .options import OptionSpec, Parsed
from .pip import user_base

POETRY = OptionSpec(
    ("-C", "--directory"), ("-P", "--project"), "--with", "--without", "--only", ("-E", "--extras"), "--source",
    ("-G", "--group"), "--python", "--platform", "--markers", ("-o", "--output"), ("-f", "--format"),
    aliases=[("-n", "--no-interaction"), ("-q", "--quiet"), ("-v", "--verbose")],
)  # fmt: skip
PIPENV = OptionSpec("--python", "--pypi-mirror", "--categories", "--extra-pip-args", ("-r", "--requirements"),
                    aliases=[("-d", "--dev")])  # fmt: skip
PDM = OptionSpec(("-p", "--project"), ("-G", "--group"), ("-L", "--lockfile"), "--venv", "--strategy",
                 ("-S", "--update-strategy"), "--python", aliases=[("-g", "--global"), ("-d", "--dev")])  # fmt: skip
HATCH = OptionSpec(("-e", "--env"), ("-p", "--project"), "--data-dir", "--cache-dir", "--config",
                   ("-t", "--target"), aliases=[("-c", "--clean")])  # fmt: skip

POETRY_INSTALLS = {"install": Act.INSTALL, "add": Act.INSTALL, "remove": Act.INSTALL, "update": Act.INSTALL,
                   "sync": Act.SYNC, "lock": Act.LOCK, "run": Act.RUN}  # fmt: skip
PIPENV_INSTALLS = {"install": Act.INSTALL, "sync": Act.SYNC, "update": Act.INSTALL, "upgrade": Act.INSTALL,
                   "uninstall": Act.UNINSTALL, "lock": Act.LOCK}  # fmt: skip
PDM_INSTALLS = {"install": Act.INSTALL, "sync": Act.SYNC, "add": Act.INSTALL, "remove": Act.INSTALL,
                "update": Act.INSTALL, "lock": Act.LOCK}  # fmt: skip


def _home_dir(ctx: Context, variable: str, xdg: str, default: str) -> str:
    """A directory a tool keeps below HOME: `variable`, else `$<xdg>/<tail>`, else `~/<default>` (`~/`: the HOME of
    whoever runs it, resolved per identity)."""
    explicit = ctx.var(variable)
    if explicit:
        return ctx.path(explicit)
    base = ctx.var(xdg)
    tail = default.split("/", 2)[-1] if default.startswith((".local/share/", ".cache/")) else default
    return posixpath.join(ctx.path(base), tail) if base else "~/" + default


def read_poetry(ctx: Context, args: list[str]) -> Invocation:
    """poetry: the active VIRTUAL_ENV; with virtualenvs.create false the interpreter's own site-packages; a `.venv`
    in the project (virtualenvs.in-project, or one that exists); else a new environment below its cache
    (`<cache>/virtualenvs`, or virtualenvs.path), for which the cache is fatal (docs/TOOLS.md, "Caches and HOME").
    Each setting comes from its POETRY_* variable, else the project's poetry.toml, else the user's config.toml, as
    an earlier `poetry config` left them in the model; `poetry config [--local] KEY VALUE` writes one."""
    p = POETRY.parse(args)
    sub = p.operands[0] if p.operands else ""
    act = POETRY_INSTALLS.get(sub, Act.OTHER)
    directory = ctx.known(p.last("--directory") or p.last("--project"), "--directory")
    project = ctx.path(directory) if directory else ctx.cwd
    inv = Invocation(Tool.POETRY, act, sub, temp=TempUse.PYTHON, steering=_steering("POETRY_"))
    if sub == "config":
        return _done(ctx, _poetry_config(ctx, p, project, inv))
    if sub == "export":
        return _done(ctx, _poetry_export(ctx, p, project, inv))
    if act is Act.OTHER:
        return _done(ctx, inv)
    spec = ProjectSpec(project, posixpath.join(project, "poetry.lock"), False)
    in_cache = False
    writes: tuple[Write, ...] = ()
    if act is Act.LOCK:
        env = None
    elif ctx.var("VIRTUAL_ENV"):
        env = EnvTarget(Scheme.ENV, ctx.path(ctx.var("VIRTUAL_ENV") or ""), "VIRTUAL_ENV")
    elif _poetry_flag(ctx, project, "virtualenvs.create") is False:
        env = EnvTarget(Scheme.SYSTEM, None, "virtualenvs.create false")
    elif _poetry_flag(ctx, project, "virtualenvs.in-project") or ctx.probe.is_env(posixpath.join(project, ".venv")):
        env = EnvTarget(Scheme.ENV, posixpath.join(project, ".venv"), "the project's .venv", creates=True,
                        empty_ok=False)  # fmt: skip
    else:
        where = _poetry_setting(ctx, project, "virtualenvs.path")
        env = EnvTarget(Scheme.ENV, None, "a new environment of poetry's", creates=True)
        if where:
            writes = (Write(ctx.path(where), True, Need.FATAL, Role.ENV_HOME,
                            f"poetry creates the project's environment in {ctx.path(where)}"),)  # fmt: skip
        else:
            in_cache = True
    explicit = ctx.var("POETRY_CACHE_DIR")
    cache = ctx.cache(Tool.POETRY, "pypoetry", explicit, "POETRY_CACHE_DIR", fatal=in_cache)
    # `poetry run` installs nothing: it runs in the environment it finds, creating an empty one where there is none.
    sync = SyncMode.NEVER if act is Act.RUN else SyncMode.CHECK
    return _done(ctx, Invocation(Tool.POETRY, act, sub, env=env, cache=cache, temp=TempUse.PYTHON, project=spec,
                                 writes=writes, steering=inv.steering, sync=sync))  # fmt: skip


def _poetry_config(ctx: Context, p: Parsed, project: str, inv: Invocation) -> Invocation:
    """`poetry config [--local] KEY VALUE`: the setting written to the project's poetry.toml (`--local`) or the
    user's config.toml (POETRY_CONFIG_DIR, else $XDG_CONFIG_HOME/pypoetry, else ~/.config/pypoetry)."""
    words = [w for w in p.operands[1:]]
    if len(words) != 2 or {"--unset", "--list"} & p.flags:
        return inv
    key, value = (ctx.known(w, "poetry's setting") for w in words)
    if key is None or value is None:
        return inv
    if "--local" in p.flags:
        where = posixpath.join(project, "poetry.toml")
    else:
        explicit = ctx.var("POETRY_CONFIG_DIR")
        xdg = ctx.var("XDG_CONFIG_HOME")
        folder = ctx.path(explicit) if explicit else (posixpath.join(ctx.path(xdg), "pypoetry") if xdg
                                                      else "~/.config/pypoetry")  # fmt: skip
        where = posixpath.join(folder, "config.toml")
    return replace(inv, act=Act.CONFIGURE, config_file=where, config_text=f"{key} = {value}\n")


def _poetry_export(ctx: Context, p: Parsed, project: str, inv: Invocation) -> Invocation:
    """`poetry export -o FILE` (poetry-plugin-export) writes FILE, relative to the project directory, not the
    working directory (measured, poetry 2.5.1 with the plugin 1.10.1: `poetry -C /proj export -o req.txt` from a
    writable directory fails with `Permission denied: '/proj/req.txt'`); without -o it prints to its output. The
    need is on the directory the file is created in; a file that is already there is rewritten in place."""
    written = p.last("--output")
    name = ctx.known(written, "--output") if written is not None else None
    if name is None:
        return inv
    out = normpath(name, project)
    if ctx.probe.exists(out) or not ctx.probe.absent(out):
        return inv  # rewritten in place (its own mode decides), or not known to be missing
    folder = posixpath.dirname(out)
    write = Write(folder, False, Need.FATAL, Role.BUILD_OUTPUT, f"`poetry export` creates {out}")
    return replace(inv, act=Act.BUILD, writes=(write,))


def _poetry_setting(ctx: Context, project: str, key: str) -> str | None:
    """A Poetry setting: its POETRY_* variable, else the project's poetry.toml, else the user's config.toml, as
    the model holds them (the last `key = value` line an earlier `poetry config` wrote)."""
    variable = "POETRY_" + key.upper().replace(".", "_").replace("-", "_")
    if variable in ctx.env:
        return ctx.var(variable)
    explicit = ctx.var("POETRY_CONFIG_DIR")
    xdg = ctx.var("XDG_CONFIG_HOME")
    user = (posixpath.join(ctx.path(explicit), "config.toml") if explicit else
            posixpath.join(ctx.path(xdg), "pypoetry", "config.toml") if xdg else "~/.config/pypoetry/config.toml")  # fmt: skip
    for where in (posixpath.join(project, "poetry.toml"), user):
        text = ctx.probe.content(where) or ""
        found = [v.strip() for k, _, v in (ln.partition("=") for ln in text.splitlines()) if k.strip() == key]
        if found:
            return found[-1]
    return None


def _poetry_flag(ctx: Context, project: str, key: str) -> bool | None:
    """A boolean Poetry setting (None: not set)."""
    value = _poetry_setting(ctx, project, key)
    if value is None:
        return None
    word = value.strip().lower()
    return True if word in ("true", "1", "yes") else False if word in ("false", "0", "no") else None


def read_pipenv(ctx: Context, args: list[str]) -> Invocation:
    """pipenv: `--system` installs into the interpreter's site-packages; PIPENV_VENV_IN_PROJECT (or an existing
    `.venv`) uses `<project>/.venv`; an active VIRTUAL_ENV is used; else a new environment in WORKON_HOME
    (default ~/.local/share/virtualenvs). Pipfile.lock is written unless `--deploy`, `--ignore-pipfile` or sync."""
    p = PIPENV.parse(args)
    sub = p.operands[0] if p.operands else ""
    act = PIPENV_INSTALLS.get(sub, Act.OTHER)
    inv = Invocation(Tool.PIPENV, act, sub, temp=TempUse.PYTHON, steering=_steering("PIPENV_", "WORKON_HOME"))
    if act is Act.OTHER:
        return _done(ctx, inv)
    pipfile = ctx.var("PIPENV_PIPFILE")
    project = posixpath.dirname(ctx.path(pipfile)) if pipfile else ctx.cwd
    fixed = act is Act.SYNC or bool({"--deploy", "--ignore-pipfile", "--frozen"} & p.flags)
    spec = ProjectSpec(project, posixpath.join(project, "Pipfile.lock"), fixed)
    writes: tuple[Write, ...] = ()
    if act is Act.LOCK:
        env = None
    elif "--system" in p.flags:
        # pip's fallback (measured), into PYTHONUSERBASE where it is set
        env = EnvTarget(Scheme.SYSTEM, None, "--system", user_fallback=True, user_base=user_base(ctx))
    elif ctx.flag_var("PIPENV_VENV_IN_PROJECT") or ctx.probe.is_env(posixpath.join(project, ".venv")):
        env = EnvTarget(Scheme.ENV, posixpath.join(project, ".venv"), "the project's .venv", creates=True)
    elif ctx.var("VIRTUAL_ENV") and not ctx.flag_var("PIPENV_IGNORE_VIRTUALENVS"):
        env = EnvTarget(Scheme.ENV, ctx.path(ctx.var("VIRTUAL_ENV") or ""), "VIRTUAL_ENV")
    else:
        home = _home_dir(ctx, "WORKON_HOME", "XDG_DATA_HOME", ".local/share/virtualenvs")
        env = EnvTarget(Scheme.ENV, None, "a new environment in WORKON_HOME", creates=True)
        writes = (Write(home, True, Need.FATAL, Role.ENV_HOME, f"pipenv creates the project's environment in {home}"),)
    cache = ctx.cache(Tool.PIPENV, "pipenv", ctx.var("PIPENV_CACHE_DIR"), "PIPENV_CACHE_DIR", fatal=False)
    return _done(ctx, Invocation(Tool.PIPENV, act, sub, env=env, cache=cache, temp=TempUse.PYTHON, project=spec,
                                 writes=writes, steering=inv.steering))  # fmt: skip


def read_pdm(ctx: Context, args: list[str]) -> Invocation:
    """pdm: the active VIRTUAL_ENV (unless PDM_IGNORE_ACTIVE_VENV), else `<project>/.venv`, created when missing
    (pdm's default `venv.in_project`); pdm.lock is written unless `--frozen-lockfile` or sync."""
    p = PDM.parse(args)
    sub = p.operands[0] if p.operands else ""
    act = PDM_INSTALLS.get(sub, Act.OTHER)
    inv = Invocation(Tool.PDM, act, sub, temp=TempUse.PYTHON, steering=_steering("PDM_"))
    if act is Act.OTHER:
        return _done(ctx, inv)
    directory = ctx.known(p.last("--project"), "--project")
    project = ctx.path(directory) if directory else ctx.cwd
    fixed = act is Act.SYNC or bool({"--frozen-lockfile", "--no-lock", "--check"} & p.flags)
    spec = ProjectSpec(project, posixpath.join(project, "pdm.lock"), fixed)
    if act is Act.LOCK:
        env = None
    elif ctx.var("VIRTUAL_ENV") and not ctx.flag_var("PDM_IGNORE_ACTIVE_VENV"):
        env = EnvTarget(Scheme.ENV, ctx.path(ctx.var("VIRTUAL_ENV") or ""), "VIRTUAL_ENV")
    else:
        env = EnvTarget(Scheme.ENV, posixpath.join(project, ".venv"), "the project's .venv", creates=True)
    cache = ctx.cache(Tool.PDM, "pdm", ctx.var("PDM_CACHE_DIR"), "PDM_CACHE_DIR", fatal=False)
    log = ctx.var("PDM_LOG_DIR")
    state = ctx.var("XDG_STATE_HOME")
    where = ctx.path(log) if log else (posixpath.join(ctx.path(state), "pdm", "log") if state else
                                       "~/.local/state/pdm/log")  # fmt: skip
    writes = (Write(where, True, Need.FATAL, Role.TOOL_STATE, f"pdm writes its log into {where}"),)
    return _done(ctx, Invocation(Tool.PDM, act, sub, env=env, cache=cache, temp=TempUse.PYTHON, project=spec,
                                 writes=writes, steering=inv.steering))  # fmt: skip


def read_hatch(ctx: Context, args: list[str]) -> Invocation:
    """hatch: `hatch env create` / `hatch run` make the environment below its data directory (HATCH_DATA_DIR,
    default ~/.local/share/hatch, `env/virtual/...`); `hatch build` writes `dist/` in the project."""
    p = HATCH.parse(args, stop_after=2)
    sub = " ".join(p.operands[:2]) if p.operands[:1] == ["env"] else (p.operands[0] if p.operands else "")
    steering = _steering("HATCH_")
    if sub in ("env create", "run", "shell"):
        data = ctx.known(p.last("--data-dir"), "--data-dir")
        home = ctx.path(data) if data else _home_dir(ctx, "HATCH_DATA_DIR", "XDG_DATA_HOME", ".local/share/hatch")
        where = posixpath.join(home, "env", "virtual")
        env = EnvTarget(Scheme.ENV, None, "hatch's environment", creates=True)
        cache = ctx.cache(Tool.HATCH, "hatch", ctx.known(p.last("--cache-dir"), "--cache-dir")
                          or ctx.var("HATCH_CACHE_DIR"), "HATCH_CACHE_DIR", fatal=False)  # fmt: skip
        writes = (Write(where, True, Need.FATAL, Role.ENV_HOME, f"hatch creates the environment in {where}"),
                  *_hatch_config(ctx, p))  # fmt: skip
        return _done(ctx, Invocation(Tool.HATCH, Act.CREATE_ENV, sub, env=env, cache=cache, temp=TempUse.PYTHON,
                                     writes=writes, steering=steering))  # fmt: skip
    if sub == "build":
        location = ctx.known(p.operands[1], "hatch build's location") if len(p.operands) > 1 else "dist"
        if location is None:
            return _done(ctx, Invocation(Tool.HATCH, Act.OTHER, sub, steering=steering))
        dist = ctx.path(location)
        writes = (Write(dist, True, Need.FATAL, Role.BUILD_OUTPUT, f"`hatch build` writes {dist}"),)
        return _done(ctx, Invocation(Tool.HATCH, Act.BUILD, sub, writes=writes, temp=TempUse.PYTHON,
                                     steering=steering))  # fmt: skip
    return _done(ctx, Invocation(Tool.HATCH, Act.OTHER, sub, steering=steering))


def _hatch_config(ctx: Context, p: Parsed) -> tuple[Write, ...]:
    """hatch creates its configuration file on first use and stops when it cannot (measured, hatch 1.18)."""
    if p.last("--config") is not None or ctx.var("HATCH_CONFIG"):
        return ()  # a file the user names: it exists, or hatch creates it where the user can write
    xdg = ctx.var("XDG_CONFIG_HOME")
    where = posixpath.join(ctx.path(xdg), "hatch") if xdg else "~/.config/hatch"
    return (Write(where, True, Need.FATAL, Role.TOOL_STATE, f"hatch creates its configuration file config.toml "
                  f"in {where}"),)  # fmt: skip


def _steering(*prefixes: str) -> tuple[str, ...]:
    return (*prefixes, "VIRTUAL_ENV", "XDG_CACHE_HOME", "XDG_DATA_HOME", "HOME", "TMPDIR")


def _done(ctx: Context, inv: Invocation) -> Invocation:
    return replace(inv, unread=tuple(ctx.unread)) if ctx.unread else inv
