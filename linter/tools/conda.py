"""conda, mamba and micromamba: where an environment is created or installed into, the package cache, conda's
notices cache, and the temporary requirements file of an environment file's `pip:` section. Read from their source
code (docs/conda.md cites each file and line); they cannot be installed here. A configuration file the build
writes (`conda config --add pkgs_dirs ...`, a COPY of a .condarc) may move both lists: then where they go is not
known, and said.

conda takes the first writable of its `envs_dirs` (`<root>/envs`, then `~/.conda/envs`; CONDA_ENVS_DIRS first) and
of its `pkgs_dirs` (`<root>/pkgs`, then `~/.conda/pkgs`; CONDA_PKGS_DIRS replaces them), and fails only when none
is writable. micromamba's root prefix is MAMBA_ROOT_PREFIX (or `-r`); its caches are `<root>/pkgs` then
`~/.mamba/pkgs`, its environments `<root>/envs` (CONDA_ENVS_DIRS first), with no fallback below HOME. mamba is
read as conda (mamba 1.x uses conda's lists; mamba 2.x has fewer fallbacks, so a conda reading never reports a
failure mamba would not have).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from .context import Context
from .model import Act, Invocation, Need, Role, TempUse, Tool, Write
from .options import OptionSpec, Parsed
from .programs import Found

OPTIONS = OptionSpec(
    ("-n", "--name"), ("-p", "--prefix"), ("-f", "--file"), ("-c", "--channel"), "--repodata-fn", "--solver",
    "--clone", "--platform", "--subdir", ("-r", "--root-prefix"), "--rc-file", "--category", "--experimental",
    aliases=[("-y", "--yes"), ("-q", "--quiet"), ("-v", "--verbose")],
)  # fmt: skip
# Subcommands that install packages (their first word; `env create`, `env update` for the `env` group).
INSTALLING = frozenset({"create", "install", "update", "upgrade", "env create", "env update", "remove", "uninstall"})
# `conda config` options that change a setting (and so write a configuration file).
CONFIG_CHANGES = frozenset({"--add", "--append", "--prepend", "--set", "--remove", "--remove-key"})
PIP_SECTION = re.compile(r"^\s*-\s*pip\s*:\s*$", re.MULTILINE)
NAME_KEY = re.compile(r"^name\s*:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)


def read_conda(ctx: Context, tool: Tool, args: list[str], exe: str = "") -> Invocation:
    """`exe`: how the tool was started (`/opt/conda/bin/conda` names its root prefix)."""
    p = OPTIONS.parse(args)
    words = p.operands[:2]
    sub = " ".join(words) if words[:1] == ["env"] else (words[0] if words else "")
    steering = ("CONDA_", "MAMBA_", "XDG_CACHE_HOME", "HOME", "TMPDIR")
    if sub == "config" and tool is not Tool.MICROMAMBA and CONFIG_CHANGES & p.flags:
        return _config(ctx, tool, p, steering, exe)
    if sub not in INSTALLING:
        return replace(Invocation(tool, Act.OTHER, sub, steering=steering), unread=tuple(ctx.unread))
    micromamba = tool is Tool.MICROMAMBA
    root = _root(ctx, tool, p.last("--root-prefix"), exe)
    rc = _build_rc(ctx, root, micromamba)
    env_file = ctx.known(p.last("--file"), "the environment file")
    env_file = ctx.path(env_file) if env_file else None
    text = ctx.probe.content(env_file) if env_file else None
    name = ctx.known(p.last("--name"), "the environment's name")
    prefix = ctx.known(p.last("--prefix"), "the environment's prefix")
    if name is None and prefix is None and sub.startswith("env") and text is not None:
        m = NAME_KEY.search(text)
        name = m.group(1) if m else None
    creates = sub in ("create", "env create")
    writes: list[Write] = []
    if rc is not None:
        # A configuration file the build wrote may set pkgs_dirs and envs_dirs (merged with the variables).
        ctx.unread.append(f"{rc} may move the package cache and the environments: where `{tool.value} {sub}` "
                          "writes them is not known here")  # fmt: skip
    named = prefix if prefix is not None and "/" in prefix else None
    explicit = p.has("--name", "--prefix") or sub == "env create"
    target = _target(ctx, root, name, prefix, creates, micromamba, explicit) if rc is None or named else None
    if target is not None:
        writes.append(target)
    elif rc is None and (root is None or (creates and name is None and prefix is None)):
        ctx.unread.append(f"where `{tool.value} {sub}` puts the environment is not known here")
    if rc is None and (root is not None or ctx.var("CONDA_PKGS_DIRS")):
        writes.append(_pkgs(ctx, root, micromamba))
    if tool is Tool.CONDA or (tool is Tool.MAMBA and sub.startswith("env")):
        notices = _notices(ctx, p.flags)
        if notices is not None:
            writes.append(notices)
    if env_file and text is not None and PIP_SECTION.search(text):
        directory = posixpath.dirname(env_file)
        # conda >= 23.9 falls back to TMPDIR; micromamba (1.3.0 and later) does not.
        fallback = () if micromamba else (ctx.var("TMPDIR") or "/tmp",)
        writes.append(Write(directory, False, Need.FATAL, Role.PIP_REQUIREMENTS,
                            f"the environment file's `pip:` section is written to a temporary requirements file next "
                            f"to {env_file}", alternatives=fallback))  # fmt: skip
    elif env_file and text is None and env_file.endswith((".yml", ".yaml")):
        # Only an environment file in YAML has a `pip:` section; `--file x.txt` / an explicit lock lists packages.
        ctx.unread.append(f"the content of {env_file} (whether it has a `pip:` section) is not known here")
    act = Act.CREATE_ENV if creates else (Act.UNINSTALL if sub in ("remove", "uninstall") else Act.INSTALL)
    return Invocation(tool, act, sub, temp=TempUse.PYTHON, writes=tuple(writes), unread=tuple(ctx.unread),
                      steering=steering, requirements=(env_file,) if env_file else ())  # fmt: skip


def _config(ctx: Context, tool: Tool, p: Parsed, steering: tuple[str, ...], exe: str) -> Invocation:
    """`conda config --add|--set|... [--system|--env|--file F]` writes a .condarc: `<root>/.condarc` with
    --system, `$CONDA_PREFIX/.condarc` with --env, F with --file, else $CONDARC or `~/.condarc` (docs/conda.md 1.3)."""
    written = p.last("--file")
    if written is not None:
        path = ctx.known(written, "--file")
        where = ctx.path(path) if path else None
    elif "--system" in p.flags or "--env" in p.flags:
        base = ctx.var("CONDA_PREFIX") if "--env" in p.flags else None
        root = ctx.path(base) if base else _root(ctx, tool, p.last("--root-prefix"), exe)
        where = posixpath.join(root, ".condarc") if root else None
    else:
        condarc = ctx.var("CONDARC")
        where = ctx.path(condarc) if condarc else "~/.condarc"
    if where is None:
        ctx.unread.append("which configuration file `conda config` writes is not known here")
    return Invocation(tool, Act.CONFIGURE, "config", config_file=where, unread=tuple(ctx.unread), steering=steering)


def _build_rc(ctx: Context, root: str | None, micromamba: bool) -> str | None:
    """A conda or mamba configuration file the build wrote or may have copied (the profiles list none: the
    installers' own condarc sets channels, not pkgs_dirs or envs_dirs, docs/conda.md 4), else None."""
    names = (".condarc", "condarc", "condarc.d", ".mambarc")
    dirs = ["/etc/conda", *([root] if root else []), "~/.conda", "~/.config/conda", "~"]
    xdg = ctx.var("XDG_CONFIG_HOME")
    if xdg:
        dirs.append(posixpath.join(ctx.path(xdg), "conda"))
    candidates = [posixpath.join(d, n) if d != "~" else f"~/{n}" for d in dirs for n in names]
    explicit = ctx.var("CONDARC") or (ctx.var("MAMBARC") if micromamba else None)
    if explicit:
        candidates.append(ctx.path(explicit))
    return next((c for c in candidates if ctx.probe.may_exist(c)), None)


def _root(ctx: Context, tool: Tool, flag: str | None, exe: str = "") -> str | None:
    """The root prefix: `-r`, MAMBA_ROOT_PREFIX (micromamba), the prefix of a conda named by path, CONDA_DIR, else
    the prefix of the first `conda` on PATH."""
    value = ctx.known(flag, "--root-prefix")
    if value:
        return ctx.path(value)
    # A conda named by path in an installation's bin (not micromamba, whose binary is anywhere).
    named = posixpath.dirname(posixpath.dirname(exe)) if exe.startswith("/") else ""
    if named and tool is not Tool.MICROMAMBA and ctx.probe.is_env(named):
        return named
    if tool is Tool.MICROMAMBA:
        root = ctx.var("MAMBA_ROOT_PREFIX")
        return ctx.path(root) if root else None
    for variable in ("CONDA_ROOT", "CONDA_DIR"):
        root = ctx.var(variable)
        if root:
            return ctx.path(root)
    for name in dict.fromkeys((tool.value, "conda")):
        found = ctx.which(name)
        if found.found is Found.YES and found.directory and found.directory.endswith("/bin"):
            return posixpath.dirname(found.directory)
    return None


def _envs_dirs(ctx: Context, root: str | None, micromamba: bool) -> list[str]:
    configured = ctx.var("CONDA_ENVS_DIRS") or ctx.var("CONDA_ENVS_PATH") or ""
    dirs = [ctx.path(d) for d in configured.split(":") if d]
    if root is not None:
        dirs.append(posixpath.join(root, "envs"))
    if not micromamba:
        dirs.append("~/.conda/envs")
    return list(dict.fromkeys(dirs))


def _target(
    ctx: Context, root: str | None, name: str | None, prefix: str | None, creates: bool, micromamba: bool,
    explicit: bool,
) -> Write | None:  # fmt: skip
    """The environment the command creates or installs into."""
    if prefix is not None and ("/" in prefix or not micromamba):
        path = ctx.path(prefix)
        return Write(path if creates else posixpath.join(path, "conda-meta"), creates, Need.FATAL, Role.CONDA_ENV,
                     f"the environment {path}")  # fmt: skip
    if prefix is not None:
        name = prefix  # micromamba reads a prefix without a slash as a name
    if name in ("base", "root") or (name is None and not creates and not explicit):
        base = ctx.var("CONDA_PREFIX") or root
        if base is None:
            return None
        return Write(posixpath.join(ctx.path(base), "conda-meta"), False, Need.FATAL, Role.CONDA_ENV,
                     f"the environment {ctx.path(base)} (its conda-meta/history is appended to)")  # fmt: skip
    dirs = _envs_dirs(ctx, root, micromamba)
    if not dirs:
        return None
    if not creates:
        for d in dirs:  # an existing environment of that name, wherever it is
            if name and not d.startswith("~/") and ctx.probe.is_env(posixpath.join(d, name)):
                return Write(posixpath.join(d, name, "conda-meta"), False, Need.FATAL, Role.CONDA_ENV,
                             f"the environment {posixpath.join(d, name)} (its conda-meta/history is appended to)")  # fmt: skip
        ctx.unread.append(f"where the environment {name} is is not known here")
        return None
    what = f"the environment {name}" if name else "the new environment"
    return Write(dirs[0], True, Need.FATAL, Role.CONDA_ENV,
                 f"{what} is created in the first writable envs directory ({', '.join(dirs)})",
                 alternatives=tuple(dirs[1:]), entry=name or "")  # fmt: skip


def _pkgs(ctx: Context, root: str | None, micromamba: bool) -> Write:
    configured = ctx.var("CONDA_PKGS_DIRS")
    if configured:
        dirs = [ctx.path(d) for d in configured.split(",") if d]
    else:
        dirs = [posixpath.join(root, "pkgs")] if root else []
        dirs.append("~/.mamba/pkgs" if micromamba else "~/.conda/pkgs")
    return Write(dirs[0], True, Need.FATAL, Role.CONDA_PKGS,
                 f"the package cache: the first writable of {', '.join(dirs)}", alternatives=tuple(dirs[1:]))  # fmt: skip


def _notices(ctx: Context, flags: set[str]) -> Write | None:
    """conda 22.11 and later cache channel notices before create/install and stop when they cannot."""
    if "--json" in flags or "--offline" in flags or ctx.flag_var("CONDA_OFFLINE"):
        return None
    if (ctx.var("CONDA_NUMBER_CHANNEL_NOTICES") or "").strip() == "0":
        return None
    xdg = ctx.var("XDG_CACHE_HOME")
    where = posixpath.join(ctx.path(xdg), "conda", "notices") if xdg else "~/.cache/conda/notices"
    return Write(where, True, Need.CONDITIONAL, Role.CACHE,
                 f"conda 22.11 and later cache channel notices in {where} and stop when they cannot "
                 "(`Error encountered while attempting to create cache directory`)",
                 condition="conda is 22.11 or later and its channels publish notices")  # fmt: skip
