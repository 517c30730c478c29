"""pip (`pip`, `pip3`, `pip3.12`, `python -m pip`, `/venv/bin/pip`): where an install or uninstall writes.

The install scheme follows pip's own order: `--user` (or PIP_USER), `--target`, `--prefix`, `--root` (each also as
PIP_<OPTION>), else the environment pip runs in, else the interpreter's site-packages, from which a non-root user
falls back to the user site when it is not writable ("Defaulting to user installation because normal site-packages
is not writeable", measured), which PYTHONUSERBASE moves as it moves `--user`'s. A VCS editable (`-e git+URL`) is checked out into `--src` / PIP_SRC, else
`<venv>/src` in an environment, else `<cwd>/src`.
"""

from __future__ import annotations

import posixpath
import re

from .context import Context, unknown
from .model import Act, EnvTarget, Invocation, Need, Role, Scheme, TempUse, Tool, Write
from .options import OptionSpec, Parsed

OPTIONS = OptionSpec(
    ("-r", "--requirement"), ("-c", "--constraint"), ("-e", "--editable"), ("-t", "--target"), "--prefix", "--root",
    "--src", ("-i", "--index-url"), "--extra-index-url", "--index", ("-f", "--find-links"), "--cache-dir",
    "--python-version", "--platform", "--implementation", "--abi", "--upgrade-strategy", "--progress-bar", "--log",
    "--log-file", "--proxy", "--retries", "--timeout", "--exists-action", "--trusted-host", "--cert", "--client-cert",
    "--no-binary", "--only-binary", ("-C", "--config-settings"), "--global-option", "--build-option",
    "--install-option", "--report", "--root-user-action", "--python", "--keyring-provider", "--use-feature",
    "--use-deprecated", "--group", ("-d", "--dest"), ("-w", "--wheel-dir"), "--format", "--path", "--resume-retries",
    aliases=[("-U", "--upgrade"), ("-y", "--yes"), ("-q", "--quiet"), ("-v", "--verbose"), ("-I", "--ignore-installed")],
)  # fmt: skip
STEERING = ("PIP_USER", "PIP_TARGET", "PIP_PREFIX", "PIP_ROOT", "PIP_SRC", "PIP_CACHE_DIR", "PIP_NO_CACHE_DIR",
            "VIRTUAL_ENV", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "XDG_CACHE_HOME", "HOME", "TMPDIR")  # fmt: skip
VCS = re.compile(r"(git|hg|svn|bzr)\+")
REFUSED_USER = (
    "`pip install --user` is always refused inside a virtualenv (`Can not perform a '--user' install. User "
    "site-packages are not visible in this virtualenv.`)"
)


def read_pip(ctx: Context, exe: str, args: list[str], no_user_site: bool = False) -> Invocation:
    """`exe` is how pip was started (`pip3`, `/opt/venv/bin/pip`, or the interpreter of `python -m pip`);
    `no_user_site`: the interpreter runs with `-s` or `-I` (no user site, so no fallback to it)."""
    p = OPTIONS.parse(args)
    sub = (ctx.known(p.operands[0], "pip's subcommand") or "?") if p.operands else ""
    packages = tuple(w for w in p.operands[1:] if not unknown(w))
    python = ctx.known(p.last("--python"), "--python")
    if python and "/" in python:  # `pip --python /opt/venv[/bin/python] install`: that environment
        path = ctx.path(python)
        exe = posixpath.join(path, "bin", "python") if ctx.probe.is_env(path) else path
    active = ctx.active_env(exe)
    env: EnvTarget | None = None
    writes: tuple[Write, ...] = ()
    if sub == "install":
        act = Act.INSTALL
        env = _scheme(ctx, p, active)
        # The user-site fallback is off with --no-user, a false PIP_USER, and `python -s` / `-I` (measured).
        if env.user_fallback and (no_user_site or "--no-user" in p.flags or
                                  ("PIP_USER" in ctx.env and ctx.flag_var("PIP_USER") is False)):  # fmt: skip
            env = env._replace(user_fallback=False)
        if env.user_fallback:
            env = env._replace(user_base=user_base(ctx))
        writes = _checkouts(ctx, p, env)
        if env.scheme is Scheme.USER and active is not None and active.path:
            writes += (Write(active.path, False, Need.FATAL, Role.REFUSED, REFUSED_USER),)
    elif sub == "uninstall":
        act, env = Act.UNINSTALL, active or _system()
    else:
        act, writes = Act.OTHER, _downloads(ctx, sub, p)
    cache = None
    # Any value of PIP_NO_CACHE_DIR disables the cache, "0" and "off" too; an empty one is unset (measured, pip 26.3).
    if "--no-cache-dir" not in p.flags and not ctx.env.get("PIP_NO_CACHE_DIR"):
        flag = ctx.known(p.last("--cache-dir"), "--cache-dir")
        explicit = flag or ctx.var("PIP_CACHE_DIR")
        cache = ctx.cache(Tool.PIP, "pip", explicit, "--cache-dir" if flag else "PIP_CACHE_DIR", fatal=False)
    replaces = act is Act.UNINSTALL or (act is Act.INSTALL and p.has("--upgrade", "--force-reinstall"))
    return Invocation(
        Tool.PIP, act, sub, env=env, cache=cache, temp=TempUse.PYTHON, writes=writes, packages=packages,
        requirements=tuple(p.all("--requirement")), replaces=replaces, unread=tuple(ctx.unread), steering=STEERING,
    )  # fmt: skip


def _system() -> EnvTarget:
    return EnvTarget(Scheme.SYSTEM, None, "the interpreter's own site-packages", user_fallback=True)


def _scheme(ctx: Context, p: Parsed, active: EnvTarget | None) -> EnvTarget:
    version = active.python_version if active else None
    if "--user" in p.flags or ctx.flag_var("PIP_USER"):
        source = "--user" if "--user" in p.flags else "PIP_USER"
        return EnvTarget(Scheme.USER, user_base(ctx), source, python_version=version)
    for option, scheme in (("--target", Scheme.TARGET), ("--prefix", Scheme.PREFIX), ("--root", Scheme.ROOT)):
        variable = "PIP_" + option[2:].upper()
        written, source = p.last(option), option
        if written is None:
            written, source = ctx.env.get(variable) or None, variable
        if written is not None:
            value = ctx.known(written, source)  # None: computed, so where it writes is not known
            return EnvTarget(scheme, ctx.path(value) if value else None, source, creates=True, python_version=version)
    return active or _system()


def user_base(ctx: Context) -> str | None:
    """The user base PYTHONUSERBASE names (None: ~/.local), for `--user` and the fallback alike (measured, pip 26.3:
    the fallback installs there too, and creates it)."""
    base = ctx.var("PYTHONUSERBASE")
    return ctx.path(base) if base else None


def _checkouts(ctx: Context, p: Parsed, env: EnvTarget) -> tuple[Write, ...]:
    out: list[Write] = []
    for e in p.all("--editable"):
        if not VCS.match(e):
            continue
        where = ctx.known(p.last("--src"), "--src") or ctx.var("PIP_SRC")
        if where:
            where = ctx.path(where)
        elif env.scheme is Scheme.ENV and env.path:
            where = posixpath.join(env.path, "src")
        else:
            where = ctx.path("src")
        out.append(Write(where, True, Need.FATAL, Role.VCS_CHECKOUT, f"pip checks `{e}` out into {where}"))
    return tuple(out)


def _downloads(ctx: Context, sub: str, p: Parsed) -> tuple[Write, ...]:
    option = {"download": "--dest", "wheel": "--wheel-dir"}.get(sub)
    if option is None:
        return ()
    written = p.last(option)
    value = ctx.known(written, option) if written is not None else "."
    if value is None:
        return ()
    dest = ctx.path(value)
    return (Write(dest, True, Need.FATAL, Role.DOWNLOAD_DIR, f"`pip {sub}` saves into {dest}"),)
