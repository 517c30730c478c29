"""What a Python tool invocation needs to write, per docs/TOOLS.md and docs/MEASUREMENTS.md (measured).

`intents_for(run, ...)` turns a recorded `ToolRun` (a RUN at build time, or CMD/ENTRYPOINT at runtime) into the
places it must be able to write, each with how bad a failure is: FATAL (the command fails), DEGRADED (works with a
warning: pip's cache), CONDITIONAL (fails only for some packages, e.g. wheels with data files, or only for some uv
versions). It reads only the run's `Invocation` (read once by `tools.read`), never the command line.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from enum import Enum
from typing import NamedTuple

from .model.access import Identity, Premise, PremiseKind, Tri, Verdict, can_create, can_write_dir, permits
from .model.fs import Action, FileSystem, Kind, Knowledge, normpath
from .model.imageref import ImageRef
from .model.mount import RunMount, mount_access
from .model.users import UserDB
from .resolve.expand import unknown_tool_variables
from .simulate.identity import home_fact
from .simulate.state import ToolRun
from .tools.context import system_site_packages
from .tools.model import (
    CACHE_ROLES,
    INSTALLS,
    Act,
    CacheSpec,
    EnvTarget,
    Invocation,
    Need,
    Role,
    Scheme,
    SyncMode,
    TempUse,
    Tool,
    Write,
)

# uv <= 0.7.18 fails when the venv root is unwritable; 0.7.19+ only warns (docs/TOOLS.md, "The venv root and uv's
# environment lock").
UV_LOCK_FIXED = "0.7.19"


class Remedy(str, Enum):
    """What the fix of a failed need is, for the edit a rule attaches (the words are in `fix_hint`)."""

    HAND_OVER = "hand-over"  # give the user the one directory (chown, or install -d -o when it is missing)
    NO_SYNC = "no-sync"  # `uv run` must not sync at runtime: ENV UV_NO_SYNC=1
    GROUP_INSTALL = "group-install"  # install with umask 002 into a setgid site-packages (the install at `line`)
    MANUAL = "manual"  # a decision only the user can make (where a file goes, which user runs what)


class WriteNeed(NamedTuple):
    path: str
    create: bool
    need: Need
    role: Role
    why: str
    fix_hint: str
    mount: RunMount | None = None  # a cache or tmpfs mount covering the path (its own owner and mode decide)
    premises: tuple[Premise, ...] = ()  # facts the need itself rests on (e.g. where HOME is)
    subdir: str = ""  # for a cache: the tool's own directory name in it (`uv`, `pip`, `pypoetry`)
    moved_by: str = ""  # for a cache: the tool's variable that moves it (`UV_CACHE_DIR`)
    alternatives: tuple[str, ...] = ()  # where the tool falls back to: the need fails only if none can be written
    remedy: Remedy = Remedy.HAND_OVER
    remedy_line: int = 0  # for GROUP_INSTALL: the line of the install that made the package's directory
    # For HAND_OVER: the directory a fix gives the user instead of `path` ("": `path` itself), where the tool
    # must make `path` itself (Poetry takes a pre-made empty .venv for a broken environment).
    hand_over: str = ""


class Intent(NamedTuple):
    """What one tool run must write: the run, the venv it works in (None: none), and its write needs."""

    run: ToolRun
    venv: str | None
    needs: tuple[WriteNeed, ...]
    notes: tuple[str, ...] = ()

    @property
    def invocation(self) -> Invocation:
        return self.run.invocation


def version_lt(a: str, b: str) -> bool:
    def key(v: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", v)[:3])

    return key(a) < key(b)


def _mount_for(path: str, run: ToolRun) -> RunMount | None:
    for m in run.mounts:
        if m.type in ("cache", "tmpfs") and m.covers(path):
            return m
    return None


def _home(run: ToolRun, users: UserDB) -> tuple[str | None, tuple[Premise, ...]]:
    """HOME as the tool sees it, and what that rests on: ENV HOME, the user's passwd entry, or `/` for a uid with
    no entry (assumed where the image's accounts are not all known)."""
    home = home_fact(run.identity, users, dict(run.env))
    return (home.path, home.premises) if home is not None else (None, ())


def _below_home(path: str, run: ToolRun, users: UserDB) -> tuple[str | None, tuple[Premise, ...]]:
    """A record's path with `~/` made this run's HOME."""
    if not path.startswith("~/"):
        return path, ()
    home, premises = _home(run, users)
    return (posixpath.join(home, path[2:]) if home else None), premises


CACHE_ROLE = {Tool.UV: Role.UV_CACHE, Tool.PIP: Role.PIP_CACHE, Tool.POETRY: Role.POETRY_CACHE}
CACHE_VARIABLE = {Tool.UV: "UV_CACHE_DIR", Tool.PIP: "PIP_CACHE_DIR", Tool.POETRY: "POETRY_CACHE_DIR",
                  Tool.PIPENV: "PIPENV_CACHE_DIR", Tool.PDM: "PDM_CACHE_DIR", Tool.HATCH: "HATCH_CACHE_DIR"}  # fmt: skip


def _cache_need(spec: CacheSpec, run: ToolRun, users: UserDB, in_cache_env: bool) -> WriteNeed | None:
    """The cache every tool picks the same way: explicit setting › $XDG_CACHE_HOME/<tool> › ~/.cache/<tool>."""
    premises: tuple[Premise, ...] = ()
    if spec.explicit:
        path: str | None = spec.explicit
    elif spec.xdg:
        path = posixpath.join(spec.xdg, spec.subdir)
    else:
        home, premises = _home(run, users)
        path = posixpath.join(home, ".cache", spec.subdir) if home else None
    if path is None:
        return None
    source = spec.source or ("XDG_CACHE_HOME" if spec.xdg else "HOME")
    variable = CACHE_VARIABLE.get(spec.tool, "")
    role = CACHE_ROLE.get(spec.tool, Role.CACHE)
    mount = _mount_for(path, run)
    if spec.tool is Tool.UV:
        why = f"uv cannot run without its cache, from {source} (`Failed to initialize cache at {path}`)"
        fix = "ENV UV_CACHE_DIR=/tmp/uv-cache (or a cache mount with uid=), or pass --no-cache"
    elif spec.tool is Tool.PIP:
        why = "pip warns `The directory ... is not writable by the current user. The cache has been disabled.`"
        fix = "ENV PIP_NO_CACHE_DIR=1 (or --no-cache-dir), or PIP_CACHE_DIR=<writable dir>"
    elif spec.tool is Tool.POETRY:
        why = ("poetry creates its virtualenv under the cache dir" if in_cache_env
               else "poetry keeps downloads in its cache")  # fmt: skip
        fix = "ENV POETRY_CACHE_DIR=/tmp/poetry-cache, or POETRY_VIRTUALENVS_IN_PROJECT=true"
    else:
        why = f"{spec.tool.value} keeps downloads in its cache"
        fix = (
            f"ENV {variable}=<a directory the user can write>"
            if variable
            else "point its cache at a writable directory"
        )
    need = Need.FATAL if spec.fatal else Need.DEGRADED
    return WriteNeed(path, True, need, role, why, fix, mount, premises if source == "HOME" else (), spec.subdir,
                     variable)  # fmt: skip


def _tmp_need(run: ToolRun) -> WriteNeed:
    tmpdir = run.getenv("TMPDIR")
    tmp = normpath(tmpdir or "/tmp", run.cwd)
    return WriteNeed(
        tmp, False, Need.FATAL, Role.TMPDIR,
        f"uv writes temporary files to {'$TMPDIR' if tmpdir else '/tmp'} and has no fallback",
        "point TMPDIR at a writable directory (or give uv a writable cache instead of --no-cache)",
        _mount_for(tmp, run),
    )  # fmt: skip


UV_PIN = re.compile(r"uv==(\d+\.\d+\.\d+)")


def uv_pin(run: ToolRun) -> str | None:
    """The uv version a `pip install uv==X` (or `uv pip install uv==X`) pins."""
    if run.invocation.act is not Act.INSTALL:
        return None
    for p in run.invocation.packages:
        m = UV_PIN.fullmatch(p.strip("'\""))
        if m:
            return m.group(1)
    return None


def uv_version_from(fs: FileSystem, runs: Sequence[ToolRun]) -> str | None:
    """A uv version pinned by `pip install uv==X` or by the tag of the image uv was copied from."""
    for r in runs:
        pinned = uv_pin(r)
        if pinned:
            return pinned
    for path in ("/bin/uv", "/usr/local/bin/uv", "/usr/bin/uv", "/uv"):
        node = fs.get(path)
        if node is not None:
            ref = node.tag("image")
            release = ImageRef.parse(ref).release if ref else None
            if release:
                return release
    return None


def _lock_usable(fs: FileSystem, venv: str, who: Identity) -> bool:
    node = fs.get(posixpath.join(venv, ".lock"))
    return node is not None and node.kind is Kind.FILE and permits(node, who, "w") is Tri.YES


def intents_for(
    run: ToolRun,
    fs: FileSystem,
    users: UserDB,
    *,
    uv_version: str | None = None,
    earlier: Sequence[ToolRun] = (),
) -> list[Intent]:
    """What `run` must be able to write, checked against `fs` (the model as the tool found it). `earlier`: the
    tool runs of the build before it (a `uv run` after a `uv sync` that installed what it needs writes nothing).
    In an environment that is not all known (an image without a complete profile), each need also rests on the
    assumption that the image sets none of the variables that steer the tool.

    Returns the Intents of the run: the venv it works in (if any) and its WriteNeeds, one per path it writes (a venv,
    a site-packages, HOME, a cache or temp directory, a lock file), each saying how the write is made and what a
    denial does (fatal, a warning, a fallback); the rules check them for `run.identity`. Pure: reads `fs` and
    `users`, changes nothing."""
    intents = _intents_for(run, fs, users, uv_version, earlier)
    if not run.env_open:
        return intents
    tool = run.invocation.tool.value
    assumed = Premise(
        PremiseKind.COMMAND,
        " ".join(run.argv),
        Knowledge.ASSUMED,
        run.line,
        assumption=f"that the base image sets none of the variables that steer {tool} (its environment is not known)",
    )
    return [i._replace(needs=tuple(n._replace(premises=(*n.premises, assumed)) for n in i.needs)) for i in intents]


def _intents_for(
    run: ToolRun, fs: FileSystem, users: UserDB, uv_version: str | None, earlier: Sequence[ToolRun]
) -> list[Intent]:
    inv = run.invocation
    if unknown_tool_variables(dict(run.env)):
        return []  # where it writes depends on a value venvlint does not know
    sync_reason = ""
    if inv.act is Act.RUN:
        in_sync, sync_reason = (True, "") if inv.sync is SyncMode.NEVER else _uv_sync_state(run, earlier)
        if in_sync:
            # It writes nothing to the environment, but uv opens its cache all the same (measured, uv 0.13.9:
            # `uv run --no-sync` as a user whose HOME is / fails with `failed to create directory /.cache/uv`);
            # `poetry run` creates an environment where it finds none (in its cache, or in virtualenvs.path).
            in_cache = bool(inv.tool is Tool.POETRY and inv.env is not None and inv.env.path is None)
            c = _cache_need(inv.cache, run, users, in_cache) if inv.cache is not None else None
            homes = [n for w in inv.writes if w.role is Role.ENV_HOME and (n := _write_need(w, run, users))
                     and not _poetry_env_made(run, n.path, earlier, users)]  # fmt: skip
            kept = [*homes, *([c] if c is not None else [])]
            return [Intent(run, run.venv, tuple(kept))] if kept else []
    if inv.act is Act.OTHER and inv.cache is None and not inv.writes:
        return []
    needs: list[WriteNeed] = []
    notes: list[str] = []
    cmd = " ".join(run.argv)
    target = inv.env
    venv = run.venv
    in_cache_env = bool(target and target.scheme is Scheme.ENV and target.path is None and inv.tool is Tool.POETRY)
    for w in inv.writes:
        need = _write_need(w, run, users)
        if need is not None:
            needs.append(need)
    if (inv.installs or inv.act is Act.UNINSTALL) and target is not None:
        needs += _env_needs(run, fs, users, target, cmd, uv_version, notes, earlier)
    elif inv.act is Act.CREATE_ENV and target is not None and target.path is not None:
        needs += _create_needs(run, fs, target.path, inv, cmd)
    elif inv.act is Act.UPGRADE_ENV and venv:
        needs.append(WriteNeed(posixpath.join(venv, "pyvenv.cfg"), False, Need.FATAL, Role.PYVENV_CFG,
                               "`python -m venv --upgrade` rewrites pyvenv.cfg", _own_hint(venv, run)))  # fmt: skip
    if inv.project is not None and inv.act in (*INSTALLS, Act.LOCK):
        needs += _project_needs(run, fs, inv, cmd)
    if inv.cache is not None:
        c = _cache_need(inv.cache, run, users, in_cache_env)
        if c is not None:
            needs.append(c)
    if inv.temp is TempUse.STRICT:
        needs.append(_tmp_need(run))
    if sync_reason:
        hint = ("run it with `uv run --no-sync` (or `ENV UV_NO_SYNC=1`): the build already synced the environment; "
                "or select the same groups and extras in the build's `uv sync` and in `uv run`")  # fmt: skip
        needs = [n._replace(why=f"{n.why}; {sync_reason}", fix_hint=hint, remedy=Remedy.NO_SYNC)
                 if n.role not in CACHE_ROLES else n for n in needs]  # fmt: skip
    return [Intent(run, venv, tuple(_unique(needs)), tuple(notes))]


def _poetry_env_made(run: ToolRun, home: str, earlier: Sequence[ToolRun], users: UserDB) -> bool:
    """Whether a Poetry install of the same project in the build made its environment in `home` (virtualenvs.path),
    where `poetry run` finds it by the project's name and path whoever runs it, and writes nothing (measured, poetry
    2.5.1: root's `poetry install` with POETRY_VIRTUALENVS_PATH, then uid 1001 with HOME `/` runs in it, exit 0)."""
    project = run.invocation.project
    if run.invocation.tool is not Tool.POETRY or project is None:
        return False
    for r in earlier:
        inv = r.invocation
        if inv.tool is not Tool.POETRY or inv.act not in (Act.INSTALL, Act.SYNC) or inv.project is None:
            continue
        if inv.project.directory != project.directory:
            continue
        made = [n.path for w in inv.writes if w.role is Role.ENV_HOME and (n := _write_need(w, r, users))]
        if home in made:
            return True
    return False


_SEVERITY = {Need.FATAL: 2, Need.CONDITIONAL: 1, Need.DEGRADED: 0}


def _unique(needs: list[WriteNeed]) -> list[WriteNeed]:
    """One need per path and role: the one whose failure is worst (uv's lock in the venv root over data files)."""
    seen: dict[tuple[str, Role], WriteNeed] = {}
    for n in needs:
        old = seen.get((n.path, n.role))
        if old is None or _SEVERITY[n.need] > _SEVERITY[old.need]:
            seen[(n.path, n.role)] = n
    return list(seen.values())


def _write_need(w: Write, run: ToolRun, users: UserDB) -> WriteNeed | None:
    path, premises = _below_home(w.path, run, users)
    if path is None:
        return None
    alternatives: list[str] = []
    for alt in w.alternatives:
        resolved, more = _below_home(alt, run, users)
        if resolved is None:
            return None  # a fallback below a HOME venvlint does not know: the need cannot be decided
        alternatives.append(resolved)
        premises += more
    hint = {
        Role.BYTECODE: "compile as the user who owns the sources, set PYTHONPYCACHEPREFIX to a writable directory, "
        "or compile at build time as root",
        Role.VCS_CHECKOUT: "pass --src <a directory the user can write> (or PIP_SRC), or install from a wheel",
        Role.REFUSED: "drop --user: the venv is the install target",
        Role.CONDA_ENV: "create the environment where the user can write (`-p <dir>` or CONDA_ENVS_DIRS), give the "
        "user a HOME (`useradd -m`), or run the command as the owner of the conda installation",
        Role.CONDA_PKGS: "set CONDA_PKGS_DIRS to a directory the user can write, or give the user a HOME "
        "(`useradd -m`)",
        Role.PIP_REQUIREMENTS: "COPY the environment file into a directory the user can write (its WORKDIR), not `/`",
    }.get(w.role, _own_hint(path, run))
    remedy = Remedy.MANUAL if w.role in (Role.PIP_REQUIREMENTS, Role.REFUSED) else Remedy.HAND_OVER
    if w.need is Need.CONDITIONAL:
        premises += (condition(run, w.condition or f"{w.why} matters for this run"),)
    return WriteNeed(path, w.create, w.need, w.role, w.why, hint, _mount_for(path, run), premises,
                     alternatives=tuple(alternatives), remedy=remedy)  # fmt: skip


def _env_needs(
    run: ToolRun, fs: FileSystem, users: UserDB, target: EnvTarget, cmd: str, uv_version: str | None,
    notes: list[str], earlier: Sequence[ToolRun] = (),
) -> list[WriteNeed]:  # fmt: skip
    inv = run.invocation
    if target.scheme is Scheme.USER:
        return _user_site_needs(run, fs, users, target, fallback=False)
    if target.scheme is Scheme.SYSTEM:
        if target.user_fallback and _falls_back_to_user(run, fs, target):
            return _user_site_needs(run, fs, users, target.fallback_site(), fallback=True)
        return _system_needs(run, fs, target, cmd, notes)
    if target.path is None:
        return []
    path = target.path
    if target.scheme in (Scheme.TARGET, Scheme.PREFIX, Scheme.ROOT):
        return [WriteNeed(path, True, Need.FATAL, Role.TARGET, f"`{cmd}` installs into {path} ({target.source})",
                          _own_hint(path, run), _mount_for(path, run))]  # fmt: skip
    real = fs.resolve(path)
    # uv sync creates its environment in an empty directory (measured, uv 0.13.9: `Creating virtual environment at:
    # .venv`); a non-empty one that is not an environment is an error.
    if (fs.get(real) is None and fs.is_known_absent(real)) or (target.creates and fs.known_empty(real)):
        if not target.creates:
            return []
        parent = posixpath.dirname(path)
        if fs.get(real) is not None and not target.empty_ok:
            return [WriteNeed(parent, False, Need.FATAL, Role.VENV_PARENT,
                              f"`{cmd}` takes the empty {path} for a broken environment, removes it and creates it "
                              f"again, which needs {parent} writable", _own_hint(parent, run), hand_over=parent)]  # fmt: skip
        # uv sync / uv run / poetry in-project create the environment first: they need to be able to create it.
        return [WriteNeed(path, True, Need.FATAL, Role.VENV_ROOT, f"`{cmd}` creates the environment {path}",
                          _own_hint(parent, run), hand_over="" if target.empty_ok else parent)]  # fmt: skip
    needs: list[WriteNeed] = []
    sites, n = _site_packages(fs, path, target)
    notes += n
    bindir = posixpath.join(path, "bin")
    hint = _venv_hint(path, [path, bindir, *sites], run, earlier)
    for p in sites:
        needs.append(WriteNeed(p, False, Need.FATAL, Role.SITE_PACKAGES, f"`{cmd}` writes packages into {p}", hint))
    if inv.act is not Act.UNINSTALL:
        needs.append(WriteNeed(bindir, False, Need.FATAL, Role.BIN, f"`{cmd}` creates console scripts in {bindir}",
                               hint))  # fmt: skip
        needs.append(WriteNeed(path, False, Need.CONDITIONAL, Role.VENV_ROOT,
                               "packages with data files create share/ or etc/ in the venv root", hint,
                               premises=(condition(run, "a package it installs has data files (share/ or etc/ in the "
                                                  "venv root)"),)))  # fmt: skip
    if inv.tool is Tool.UV:
        needs.append(_uv_lock_need(fs, path, run, uv_version, notes))
    if inv.replaces:
        needs += _replaced_package_needs(run, fs, sites, cmd)
    return needs


def _replaced_package_needs(run: ToolRun, fs: FileSystem, sites: list[str], cmd: str) -> list[WriteNeed]:
    """An upgrade, reinstall or uninstall removes the old version's files, so each named package's directory must
    be writable. Measured (docs/MEASUREMENTS.md, pip 26.3, uv 0.13.9) with a root-installed package in a venv the
    user can write through its group: uv fails (`failed to remove file ...: Permission denied`); pip moves the
    directory aside within site-packages, cannot empty it, warns and leaves `~`-prefixed root-owned directories (a
    warning on every later pip run), and fails outright when the package has files in other directories it
    cannot write (data files, headers)."""
    inv = run.invocation
    needs: list[WriteNeed] = []
    for site in sites:
        for name in inv.replaced_distributions:
            path = posixpath.join(site, name)
            node = fs.get(fs.resolve(path))
            if node is None or node.tag("package") is None:
                continue
            installed = next((ch.cause.line for ch in reversed(node.history) if ch.action is Action.INSTALL), 0)
            premises: tuple[Premise, ...] = ()
            if inv.tool is Tool.UV:
                need, why = (
                    Need.FATAL,
                    f"uv removes the installed files of {name} first and fails on any it cannot delete",
                )
            else:
                need = Need.CONDITIONAL
                why = (f"pip removes the installed files of {name} first: it moves the directories aside, cannot empty "
                       "them and leaves them behind root-owned, named with a leading `~`, with a warning on every "
                       "later pip run; it fails when the package has files in other directories the user cannot "
                       "write")  # fmt: skip
                premises = (condition(run, f"{name} has files in directories the user cannot write (data files, "
                                           "headers)"),)  # fmt: skip
            hint = (f"install {name} so that its files are writable for this user: as that user, or with `umask 002` "
                    f"in an environment whose directories are setgid to a group the user is in (line {installed})")  # fmt: skip
            needs.append(WriteNeed(path, False, need, Role.INSTALLED_PACKAGE, why, hint, premises=premises,
                                   remedy=Remedy.GROUP_INSTALL, remedy_line=installed))  # fmt: skip
    return needs


def _system_needs(run: ToolRun, fs: FileSystem, target: EnvTarget, cmd: str, notes: list[str]) -> list[WriteNeed]:
    sites = system_site_packages(fs, target.python_version)
    if not sites:
        notes.append("the system site-packages directory is not in the model")
        return []
    hint = "install into a virtual environment the user owns (`python -m venv` as that user), or install as root"
    # Never hand the system's Python directories to a user: which of the two ways is the user's decision.
    needs = [WriteNeed(p, False, Need.FATAL, Role.SITE_PACKAGES, f"`{cmd}` writes packages into {p}", hint,
                       remedy=Remedy.MANUAL) for p in sites]  # fmt: skip
    if run.invocation.act is not Act.UNINSTALL:
        for b in ("/usr/local/bin", "/usr/bin"):
            if fs.get(b) is not None:
                needs.append(WriteNeed(b, False, Need.FATAL, Role.BIN, f"`{cmd}` creates console scripts in {b}", hint,
                                       remedy=Remedy.MANUAL))  # fmt: skip
                break
    return needs


def _site_packages(fs: FileSystem, venv: str, target: EnvTarget) -> tuple[list[str], list[str]]:
    lib = posixpath.join(venv, "lib")
    found = [c for c in fs.children(fs.resolve(lib)) if posixpath.basename(c).startswith("python")]
    sp = [posixpath.join(venv, "lib", posixpath.basename(c), "site-packages") for c in found]
    sp = [p for p in sp if fs.get(fs.resolve(p)) is not None]
    if sp:
        return sp, []
    if target.python_version:
        return [posixpath.join(venv, "lib", f"python{target.python_version}", "site-packages")], []
    return [], [f"the site-packages directory of {venv} is not in the model"]


def _create_needs(run: ToolRun, fs: FileSystem, path: str, inv: Invocation, cmd: str) -> list[WriteNeed]:
    """`uv venv [--clear]`, `python -m venv`, virtualenv: each creates the environment with its missing parents, so
    it needs the nearest existing ancestor writable (measured: uv 0.13.9, virtualenv 21.15; `venv` uses
    os.makedirs); `--clear` removes an existing one first, which needs its parent writable."""
    real = fs.resolve(path)
    if fs.get(real) is None and fs.is_known_absent(real):
        return [WriteNeed(path, True, Need.FATAL, Role.VENV_ROOT, f"`{cmd}` creates {path} and its missing parents",
                          "create the venv as the user who owns the directory it goes into")]  # fmt: skip
    if inv.clear:
        return [WriteNeed(posixpath.dirname(path), False, Need.FATAL, Role.VENV_PARENT,
                          f"`{cmd}` removes {path} and creates it again, which needs its parent writable",
                          "create the venv as the user who owns its parent")]  # fmt: skip
    return []


def _project_needs(run: ToolRun, fs: FileSystem, inv: Invocation, cmd: str) -> list[WriteNeed]:
    """The project's lock file is written when it is missing (unless --locked/--frozen), and always by a command
    that changes the dependencies (`uv add`, `pdm add`, `poetry add`, `... remove`: pyproject.toml is rewritten
    through a temporary file beside it, measured with pdm 2.29.4). pdm records the interpreter it picked in
    `<project>/.pdm-python` when that file is not there yet (measured: `Permission denied: '/app/.pdm-python'`)."""
    project = inv.project
    assert project is not None
    lock = fs.resolve(project.lock_file)
    name = posixpath.basename(project.lock_file)
    changes = inv.tool in (Tool.UV, Tool.PDM, Tool.POETRY) and inv.subcommand in ("add", "remove")
    missing = fs.get(lock) is None and fs.is_known_absent(lock)
    pdm_python = posixpath.join(project.directory, ".pdm-python")
    if inv.tool is Tool.PDM and inv.act is not Act.LOCK and not changes and fs.is_known_absent(fs.resolve(pdm_python)):
        return [WriteNeed(project.directory, False, Need.FATAL, Role.PROJECT_DIR,
                          f"`{cmd}` records the interpreter it uses in {pdm_python}",
                          _own_hint(project.directory, run))]  # fmt: skip
    if changes or inv.act is Act.LOCK or (not project.lock_fixed and missing):
        why = (
            f"`{cmd}` writes {name} into {project.directory}"
            if not changes
            else f"`{cmd}` rewrites pyproject.toml and {name}"
        )
        return [WriteNeed(project.directory, False, Need.FATAL, Role.PROJECT_DIR, why,
                          f"COPY {name} into {project.directory} and install with the lock fixed (--locked)")]  # fmt: skip
    return []


def _uv_sync_state(run: ToolRun, earlier: Sequence[ToolRun]) -> tuple[bool, str]:
    """Whether `uv run` finds its environment in sync and writes nothing, and if not, why it syncs: the latest
    `uv sync` of the same environment must have installed everything this run selects (measured with uv 0.13.9: a
    build with `--no-dev` followed by `uv run`, even `uv run --frozen`, re-syncs the dev group)."""
    want = run.invocation.uv_selection
    if want is None:
        return False, ""
    for r in reversed(earlier):
        inv = r.invocation
        if inv.tool is not Tool.UV or inv.act is not Act.SYNC or inv.subcommand != "sync":
            continue
        if r.venv != run.venv:
            continue
        if inv.uv_selection is None:
            return False, ""
        lacks = inv.uv_selection.lacks(want)
        if not lacks:
            return True, ""
        return False, (f"`uv run` syncs the environment first, and `{' '.join(r.argv)}` (line {r.line}) did not "
                       f"install {lacks}")  # fmt: skip
    return (
        False,
        f"`uv run` syncs the environment first, and no `uv sync` of {run.venv or 'it'} in the build precedes it",
    )


def _falls_back_to_user(run: ToolRun, fs: FileSystem, target: EnvTarget) -> bool:
    """pip outside a venv, as a user who cannot write the system site-packages, installs into the user site
    instead ("Defaulting to user installation because normal site-packages is not writeable", measured)."""
    if run.identity.is_root or run.getenv("PYTHONNOUSERSITE"):
        return False
    sites = system_site_packages(fs, target.python_version)
    return bool(sites) and all(can_write_dir(fs, run.identity, p).result is Tri.NO for p in sites)


def _user_site_needs(run: ToolRun, fs: FileSystem, users: UserDB, target: EnvTarget, fallback: bool) -> list[WriteNeed]:
    """A user-site install writes ~/.local/lib/pythonX.Y/site-packages and ~/.local/bin (PYTHONUSERBASE moves
    them): each must be writable where it exists, creatable where it does not (a user base another user filled
    first, root's `pip install --user` into a shared PYTHONUSERBASE, has root's directories in it)."""
    base = target.path
    premises: tuple[Premise, ...] = ()
    if not base:
        home, premises = _home(run, users)
        if home is None:
            return []
        base = posixpath.join(home, ".local")
    why = "pip falls back to a user install (the system site-packages is not writable)" if fallback else "--user"
    hint = "give the user a writable HOME (`useradd -m`), or set PYTHONUSERBASE to a directory it can write"
    if target.path:  # PYTHONUSERBASE names it, for --user and the fallback alike (measured, pip 26.3)
        why += f" into PYTHONUSERBASE={base}"
        who = run.identity.owner_name or "the user"
        hint = f"point PYTHONUSERBASE at a directory {who} can write, or " + (
            _group_0_hint(base)
            if run.identity.arbitrary
            else f"hand {base} to {who} as root before USER "
            f"(`install -d -o {who} {base}`, or `chown {who}` of the directories a root install made in it)"
        )
    real = fs.resolve(base)
    if fs.get(real) is None:
        return [
            WriteNeed(base, True, Need.FATAL, Role.USER_SITE,
                      f"{why}: it writes lib/pythonX.Y/site-packages and bin below {base}", hint, None, premises)
        ]  # fmt: skip
    lib = posixpath.join(base, "lib")
    sites = [posixpath.join(c, "site-packages") for c in fs.children(fs.resolve(lib))
             if posixpath.basename(c).startswith("python")]  # fmt: skip
    places = [s for s in sites if fs.get(fs.resolve(s)) is not None] or [base]
    needs = [WriteNeed(p, fs.get(fs.resolve(p)) is None, Need.FATAL, Role.USER_SITE,
                       f"{why}: it writes packages into {p}", hint, None, premises) for p in places]  # fmt: skip
    bindir = posixpath.join(base, "bin")
    if fs.get(fs.resolve(bindir)) is not None:
        needs.append(WriteNeed(bindir, False, Need.FATAL, Role.USER_SITE,
                               f"{why}: it writes console scripts into {bindir}", hint, None, premises))  # fmt: skip
    elif base not in places:
        # pip makes bin/ only for a package with console scripts (`pip install --user six` makes none, measured).
        needs.append(WriteNeed(base, False, Need.CONDITIONAL, Role.USER_SITE,
                               f"{why}: it creates {bindir} for console scripts", hint, None,
                               (*premises, condition(run, f"a package it installs has console scripts (it creates "
                                                          f"{bindir})"))))  # fmt: skip
    return needs


def _venv_hint(venv: str, dirs: list[str], run: ToolRun, earlier: Sequence[ToolRun]) -> str:
    """How the user gets an environment it can install into, without a recursive chown: create it as that user when
    the build created it (handing over only its top directory would leave bin/ and site-packages root-owned), else
    hand over, without recursion, exactly the directories the install writes. An arbitrary uid writes through
    group 0."""
    written = " ".join(dict.fromkeys(dirs))
    if run.identity.arbitrary:
        return _group_0_hint(written)
    who = run.identity.owner_name or "the user"
    made = next((r for r in reversed(earlier) if r.invocation.act is Act.CREATE_ENV and r.venv == venv
                 and r.invocation.env is not None and r.invocation.env.path == venv), None)  # fmt: skip
    if made is not None:
        return (f"create the venv as {who}: as root `install -d -o {who} {venv}`, then run `{' '.join(made.argv)}` "
                f"(line {made.line}) after `USER {who}`; or hand {who} the directories the install writes, without "
                f"recursion: `chown {who} {written}` as root before USER")  # fmt: skip
    return (f"hand {who} the directories the install writes, without recursion (as root, before USER): "
            f"`chown {who} {written}`; or create the venv as {who}")  # fmt: skip


def _group_0_hint(paths: str) -> str:
    return (
        f"make them writable for group 0, which OpenShift's arbitrary uid is in, without recursion (as root): "
        f"`chgrp 0 {paths} && chmod g=u {paths}`"
    )


def _own_hint(path: str, run: ToolRun) -> str:
    if run.identity.arbitrary:
        return _group_0_hint(path)
    who = run.identity.owner_name or "the user"
    return (
        f"create {path} as {who} (or hand it over non-recursively before USER: `install -d -o {who} {path}` where "
        f"it is missing, `chown {who} {path}` where it exists), or COPY --chown={who} it; avoid chown -R of an "
        "installed venv"
    )


def _uv_lock_need(fs: FileSystem, venv: str, run: ToolRun, uv_version: str | None, notes: list[str]) -> WriteNeed:
    premises: tuple[Premise, ...] = ()
    if uv_version is not None and version_lt(uv_version, UV_LOCK_FIXED):
        need = Need.FATAL
        why = (f"uv {uv_version} (< {UV_LOCK_FIXED}) takes a lock file in the venv root and fails "
               f"(`Permission denied (os error 13) at path \"{venv}/.tmpXXXX\"`)")  # fmt: skip
    elif uv_version is None:
        need = Need.CONDITIONAL
        notes.append(f"uv version unknown: uv before {UV_LOCK_FIXED} fails when the venv root is not writable")
        why = (f"uv takes a lock file in the venv root: uv < {UV_LOCK_FIXED} fails, newer versions skip the lock "
               "with a warning")  # fmt: skip
        premises = (condition(run, f"uv is older than {UV_LOCK_FIXED} (its version is not known here)"),)
    else:
        need = Need.DEGRADED  # measured with uv 0.13.9: the install works
        why = f"uv {uv_version} skips its environment lock with a warning when the venv root is not writable"
    if _lock_usable(fs, venv, run.identity):
        need, premises = Need.DEGRADED, ()
        why = f"the venv root holds a writable .lock, so uv does not need to create one ({why})"
    hint = (f"restore the venv root's owner (non-recursive chown of {venv}), or as a stopgap "
            f"`touch {venv}/.lock && chmod 666 {venv}/.lock` while building")  # fmt: skip
    return WriteNeed(venv, False, need, Role.VENV_ROOT, why, hint, premises=premises)


def condition(run: ToolRun, what: str) -> Premise:
    """The assumed premise of a CONDITIONAL need: what must hold for the write to fail (`what`, in words)."""
    return Premise(PremiseKind.COMMAND, " ".join(run.argv), Knowledge.ASSUMED, run.line, assumption=f"that {what}")


def check(fs: FileSystem, who: Identity, need: WriteNeed) -> Verdict:
    """Whether `who` can do what `need` asks, honouring cache mounts (their own uid/gid/mode decide) and the
    places the tool falls back to (it fails only when none of them can be written)."""
    if not need.alternatives:
        return _check_one(fs, who, need)
    verdicts = [_check_one(fs, who, need._replace(path=p, alternatives=())) for p in (need.path, *need.alternatives)]
    for v in verdicts:
        if v.result is Tri.YES:
            return v
    if all(v.result is Tri.NO for v in verdicts):
        reason = "; ".join(v.reason for v in verdicts)
        return Verdict(Tri.NO, need.path, reason, tuple(p for v in verdicts for p in v.premises))
    return next(v for v in verdicts if v.result is Tri.UNKNOWN)


def _check_one(fs: FileSystem, who: Identity, need: WriteNeed) -> Verdict:
    if need.role is Role.REFUSED:
        return Verdict(Tri.NO, need.path, "the tool refuses this command whatever the permissions")
    if need.mount is not None:  # its owner and mode as the builder made it (model/mount.py)
        return mount_access(need.mount, who, need.path)
    if need.create:
        return can_create(fs, who, need.path)
    return can_write_dir(fs, who, need.path)


__all__ = [
    "CACHE_ROLES",
    "Intent",
    "Need",
    "Remedy",
    "Role",
    "WriteNeed",
    "check",
    "intents_for",
    "uv_pin",
    "uv_version_from",
    "version_lt",
]
