"""What Python packaging tools need to write, per shared/spec/TOOLS.md (measured), for one tool invocation.

`intents_for(run, ...)` turns a recorded `ToolRun` (a RUN at build time, or CMD/ENTRYPOINT at runtime) into the
directories it must be able to write, each with how bad a failure is:
FATAL (the command fails), DEGRADED (works with a warning: pip's cache), CONDITIONAL (fails only for some packages,
e.g. wheels with data files, or only for some uv versions).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from .model.access import Identity, Premise, PremiseKind, Tri, Verdict, can_create, can_write_dir, permits
from .model.fs import FileSystem, Kind, Knowledge, Node, ancestors, normpath
from .model.users import UserDB
from .resolve.expand import unknown_tool_variables
from .simulate.identity import home_of
from .simulate.state import ToolRun

UV_LOCK_FIXED = "0.7.19"  # TOOLS.md: uv <= 0.7.18 fails when the venv root is unwritable; 0.7.19+ only warns


class Need(str, Enum):
    FATAL = "fatal"
    DEGRADED = "degraded"
    CONDITIONAL = "conditional"


@dataclass(frozen=True)
class WriteNeed:
    path: str
    create: bool
    need: Need
    role: str
    why: str
    fix_hint: str
    mount: tuple[int, int, int] | None = None  # (uid, gid, mode) of a cache/tmpfs mount covering the path
    premises: tuple[Premise, ...] = ()  # facts the need itself rests on (e.g. where HOME is)


@dataclass(frozen=True)
class Intent:
    run: ToolRun
    action: str
    venv: str | None
    needs: tuple[WriteNeed, ...]
    notes: tuple[str, ...] = ()


def version_lt(a: str, b: str) -> bool:
    def key(v: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", v)[:3])

    return key(a) < key(b)


def _truthy(v: str | None) -> bool:
    return v is not None and v.strip().lower() not in ("", "0", "false", "no", "off")


def _split(argv: Sequence[str]) -> tuple[str, list[str]]:
    """(tool, args): `python -m pip install` → ("pip", ["install"]), `/opt/venv/bin/pip3 x` → ("pip", ["x"])."""
    if not argv:
        return "", []
    name = posixpath.basename(argv[0])
    args = list(argv[1:])
    if re.fullmatch(r"python[0-9.]*", name) and len(args) >= 2 and args[0] == "-m":
        return _split([args[1], *args[2:]])
    if re.fullmatch(r"pip[0-9.]*", name) or name.endswith(" -m pip"):
        return "pip", args
    if name in ("uv", "uvx", "poetry", "pipx", "venv", "virtualenv"):
        return name, args
    return name, args


def _words(args: Sequence[str]) -> list[str]:
    return [a for a in args if not a.startswith("-")]


def classify(argv: Sequence[str], env: Mapping[str, str]) -> str | None:
    """The action of a command, or None when it writes nothing that matters here."""
    tool, args = _split(argv)
    words = _words(args)
    if tool == "pip":
        if not words:
            return None
        if words[0] == "install":
            return "pip-user" if "--user" in args else "pip-install"
        if words[0] == "uninstall":
            return "pip-uninstall"
        return None
    if tool == "uv":
        if not words:
            return None
        if words[0] == "pip" and len(words) > 1 and words[1] in ("install", "sync", "uninstall"):
            return f"uv-pip-{words[1]}"
        if words[0] == "run":
            if "--no-sync" in args or _truthy(env.get("UV_NO_SYNC")):
                return None
            return "uv-run"
        if words[0] in ("sync", "add", "remove"):
            return f"uv-{words[0]}"
        if words[0] == "venv":
            return "uv-venv-clear" if ("--clear" in args or _truthy(env.get("UV_VENV_CLEAR"))) else "uv-venv"
        return None
    if tool == "poetry":
        if words and words[0] in ("install", "add", "update", "sync"):
            return "poetry-install"
        return None
    if tool == "venv" and "--upgrade" in args:
        return "venv-upgrade"
    return None


def _opt(args: Sequence[str], *names: str) -> str | None:
    for i, a in enumerate(args):
        for n in names:
            if a == n and i + 1 < len(args):
                return args[i + 1]
            if a.startswith(n + "="):
                return a.split("=", 1)[1]
    return None


def _venv_from_python(p: str) -> str | None:
    return p.rsplit("/bin/", 1)[0] if "/bin/" in p else None


def _site_packages(fs: FileSystem, venv: str | None, env: Mapping[str, str]) -> tuple[list[str], list[str]]:
    notes: list[str] = []
    if venv is not None:
        lib = posixpath.join(venv, "lib")
        found = [c for c in fs.children(fs.resolve(lib)) if posixpath.basename(c).startswith("python")]
        sp = [posixpath.join(venv, "lib", posixpath.basename(c), "site-packages") for c in found]
        sp = [p for p in sp if fs.get(fs.resolve(p)) is not None]
        if sp:
            return sp, notes
        ver = re.match(r"\d\.\d+", env.get("PYTHON_VERSION", ""))
        if ver:
            return [posixpath.join(venv, "lib", f"python{ver.group(0)}", "site-packages")], notes
        notes.append(f"the site-packages directory of {venv} is not in the model")
        return [], notes
    for base in ("/usr/local/lib", "/usr/lib"):
        for c in fs.children(base):
            for name in ("site-packages", "dist-packages"):
                p = posixpath.join(c, name)
                if posixpath.basename(c).startswith("python") and fs.get(p) is not None:
                    return [p], notes
    notes.append("the system site-packages directory is not in the model")
    return [], notes


def _kv(part: str) -> tuple[str, str]:
    key, _, value = part.partition("=")
    return key.strip(), value.strip()


def _mount_for(path: str, run: ToolRun) -> tuple[int, int, int] | None:
    for m in run.mounts:
        opts = dict(_kv(p) for p in m.split(","))
        if opts.get("type") not in ("cache", "tmpfs"):
            continue
        target = opts.get("target") or opts.get("dst") or opts.get("destination")
        if not target:
            continue
        target = normpath(target, run.cwd)
        if path == target or path.startswith(target.rstrip("/") + "/"):
            uid = int(opts.get("uid", "0") or 0)
            gid = int(opts.get("gid", "0") or 0)
            mode = int(opts.get("mode", "0755"), 8) if opts.get("type") == "cache" else 0o1777
            return uid, gid, mode
    return None


def _home(run: ToolRun, users: UserDB) -> tuple[str | None, tuple[Premise, ...]]:
    """HOME as the tool sees it, and what that rests on: ENV HOME, the user's passwd entry, or `/` for a uid with
    no entry (assumed where the image's accounts are not all known)."""
    env = dict(run.env)
    who = run.identity
    if "HOME" in env or who.arbitrary:
        return home_of(who, users, env), ()
    entry = users.by_name(who.name) if who.name else None
    if entry is None and who.uid is not None:
        entry = users.by_uid(who.uid)
    if entry is not None:
        return entry.home, (() if entry.knowledge.known else (who.premise(),))
    if who.uid is None:
        return None, ()
    if users.complete:
        return "/", ()
    assumed = Premise(
        PremiseKind.USER,
        f"uid {who.uid}",
        Knowledge.ASSUMED,
        assumption=f"that the image has no account with uid {who.uid}, so that HOME is /",
    )
    return "/", (assumed,)


def _cache_dir(explicit: str | None, subdir: str, env: Mapping[str, str], home: str | None, cwd: str) -> str | None:
    """The cache directory every tool picks the same way: explicit setting › $XDG_CACHE_HOME/<tool> › ~/.cache/<tool>."""
    if explicit:
        return normpath(explicit, cwd)
    if env.get("XDG_CACHE_HOME"):
        return posixpath.join(normpath(env["XDG_CACHE_HOME"], cwd), subdir)
    if home:
        return posixpath.join(home, ".cache", subdir)
    return None


def _cache_need(
    run: ToolRun, users: UserDB, tool: str, args: Sequence[str], env: Mapping[str, str]
) -> WriteNeed | None:
    home, premises = _home(run, users)
    if tool == "uv":
        if "--no-cache" in args or "-n" in args or _truthy(env.get("UV_NO_CACHE")):
            return None
        explicit = _opt(args, "--cache-dir") or env.get("UV_CACHE_DIR")
        path = _cache_dir(explicit, "uv", env, home, run.cwd)
        if path is None:
            return None
        src = "UV_CACHE_DIR" if explicit else "XDG_CACHE_HOME" if env.get("XDG_CACHE_HOME") else "HOME"
        return WriteNeed(
            path, True, Need.FATAL, "uv-cache",
            f"uv cannot run without its cache ({src}): `Failed to initialize cache at {path}`",
            "ENV UV_CACHE_DIR=/tmp/uv-cache (or a cache mount with uid=), or pass --no-cache",
            _mount_for(path, run), premises if src == "HOME" else (),
        )  # fmt: skip
    if tool == "pip":
        if "--no-cache-dir" in args or env.get("PIP_NO_CACHE_DIR") is not None:
            return None  # pip disables the cache for any PIP_NO_CACHE_DIR value (its documented compat quirk)
        path = _cache_dir(_opt(args, "--cache-dir") or env.get("PIP_CACHE_DIR"), "pip", env, home, run.cwd)
        if path is None:
            return None
        return WriteNeed(
            path, True, Need.DEGRADED, "pip-cache",
            "pip warns `The directory ... is not writable by the current user. The cache has been disabled.`",
            "ENV PIP_NO_CACHE_DIR=1 (or --no-cache-dir), or PIP_CACHE_DIR=<writable dir>",
            _mount_for(path, run), premises,
        )  # fmt: skip
    if tool == "poetry":
        path = _cache_dir(env.get("POETRY_CACHE_DIR"), "pypoetry", env, home, run.cwd)
        if path is None:
            return None
        active = env.get("VIRTUAL_ENV") or env.get("POETRY_VIRTUALENVS_CREATE", "true").lower() in ("false", "0")
        in_project = env.get("POETRY_VIRTUALENVS_IN_PROJECT", "").lower() in ("true", "1")
        fatal = not active and not in_project
        return WriteNeed(
            path, True, Need.FATAL if fatal else Need.DEGRADED, "poetry-cache",
            "poetry creates its virtualenv under the cache dir" if fatal else "poetry keeps downloads in its cache",
            "ENV POETRY_CACHE_DIR=/tmp/poetry-cache, or POETRY_VIRTUALENVS_IN_PROJECT=true",
            _mount_for(path, run), premises,
        )  # fmt: skip
    return None


def _tmp_need(run: ToolRun, env: Mapping[str, str]) -> WriteNeed:
    tmp = normpath(env.get("TMPDIR") or "/tmp", run.cwd)
    return WriteNeed(
        tmp, False, Need.FATAL, "tmpdir",
        f"uv writes temporary files to {'$TMPDIR' if env.get('TMPDIR') else '/tmp'} and has no fallback",
        "point TMPDIR at a writable directory (or give uv a writable cache instead of --no-cache)",
        _mount_for(tmp, run),
    )  # fmt: skip


def uv_version_from(fs: FileSystem, runs: Sequence[ToolRun]) -> str | None:
    """A uv version pinned by `pip install uv==X` or by the tag of the image uv was copied from."""
    for r in runs:
        for a in r.argv:
            m = re.fullmatch(r"uv==(\d+\.\d+\.\d+)", a.strip("'\""))
            if m:
                return m.group(1)
    for path in ("/bin/uv", "/usr/local/bin/uv", "/usr/bin/uv", "/uv"):
        node = fs.get(path)
        if node is not None:
            ref = node.tag("image")
            if ref:
                m = re.search(r":(\d+\.\d+\.\d+)", ref)
                if m:
                    return m.group(1)
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
    assumption that the image sets none of the variables that steer the tool."""
    intents = _intents_for(run, fs, users, uv_version, earlier)
    if not run.env_open:
        return intents
    tool = _split(run.argv)[0]
    assumed = Premise(
        PremiseKind.COMMAND,
        " ".join(run.argv),
        Knowledge.ASSUMED,
        run.line,
        assumption=f"that the base image sets none of the variables that steer {tool} (its environment is not known)",
    )
    return [replace(i, needs=tuple(replace(n, premises=(*n.premises, assumed)) for n in i.needs)) for i in intents]


def _intents_for(
    run: ToolRun, fs: FileSystem, users: UserDB, uv_version: str | None, earlier: Sequence[ToolRun]
) -> list[Intent]:
    env = dict(run.env)
    if unknown_tool_variables(env):
        return []  # where it writes depends on a value venvlint does not know
    action = classify(run.argv, env)
    if action is None:
        return []
    tool, args = _split(run.argv)
    needs: list[WriteNeed] = []
    notes: list[str] = []
    venv = _target_venv(run, fs, action, tool, args, env)
    cmd = " ".join(run.argv)

    if action == "uv-run" and _uv_in_sync(run, fs, args, env, venv, earlier):
        return []
    if action == "pip-user" or (action == "pip-install" and venv is None and _falls_back_to_user(run, fs, env)):
        if venv is not None:
            needs.append(WriteNeed(venv, False, Need.FATAL, "pip-user-in-venv",
                                   "`pip install --user` is always refused inside a virtualenv",
                                   "drop --user: the venv is the install target"))  # fmt: skip
        else:
            needs += _user_site_needs(run, fs, users, env, cmd, action == "pip-install")
            c = _cache_need(run, users, tool, args, env)
            if c is not None:
                needs.append(c)
        return [Intent(run, action, venv, tuple(needs), tuple(notes))]

    if action in ("pip-install", "pip-uninstall", "uv-pip-install", "uv-pip-sync", "uv-pip-uninstall", "uv-sync",
                  "uv-run", "uv-add", "uv-remove", "poetry-install"):  # fmt: skip
        if venv is not None and fs.get(fs.resolve(venv)) is None and fs.is_known_absent(fs.resolve(venv)):
            # uv sync / uv run / poetry create the environment first: what they need is to be able to create it.
            needs.append(WriteNeed(venv, True, Need.FATAL, "venv-root", f"`{cmd}` creates the environment {venv}",
                                   _own_hint(posixpath.dirname(venv), run)))  # fmt: skip
            c = _cache_need(run, users, tool, args, env) if tool in ("uv", "pip", "poetry") else None
            if c is not None:
                needs.append(c)
            if tool == "uv":
                needs.append(_tmp_need(run, env))
            return [Intent(run, action, venv, tuple(needs), tuple(notes))]
        sp, n = _site_packages(fs, venv, env)
        notes += n
        install = "uninstall" not in action
        for p in sp:
            needs.append(WriteNeed(p, False, Need.FATAL, "site-packages",
                                   f"`{cmd}` writes packages into {p}", _own_hint(venv or p, run)))  # fmt: skip
        if install:
            bindir = posixpath.join(venv, "bin") if venv else _system_bin(fs)
            if bindir:
                needs.append(WriteNeed(bindir, False, Need.FATAL, "bin",
                                       f"`{cmd}` creates console scripts in {bindir}", _own_hint(venv or bindir, run)))  # fmt: skip
            if venv:
                needs.append(WriteNeed(venv, False, Need.CONDITIONAL, "venv-root",
                                       "packages with data files create share/ or etc/ in the venv root",
                                       _own_hint(venv, run)))  # fmt: skip
        if tool == "uv" and venv:
            needs.append(_uv_lock_need(fs, venv, run, uv_version, notes))
        if tool in ("uv", "pip", "poetry"):
            c = _cache_need(run, users, tool, args, env)
            if c is not None:
                needs.append(c)
        if tool == "uv" and (action in ("uv-pip-sync", "uv-sync", "uv-run") or "--no-cache" in args
                             or _truthy(env.get("UV_NO_CACHE"))):  # fmt: skip
            needs.append(_tmp_need(run, env))
        if action in ("uv-sync", "uv-run", "uv-add", "uv-remove"):
            project = normpath(_opt(args, "--project", "--directory") or run.cwd, run.cwd)
            locked = (
                "--locked" in args
                or "--frozen" in args
                or _truthy(env.get("UV_FROZEN"))
                or _truthy(env.get("UV_LOCKED"))
            )
            lock = fs.resolve(posixpath.join(project, "uv.lock"))
            if action in ("uv-add", "uv-remove") or (not locked and fs.get(lock) is None and fs.is_known_absent(lock)):
                needs.append(WriteNeed(project, False, Need.FATAL, "project-dir",
                                       f"without uv.lock, `{cmd}` writes one into {project}",
                                       f"COPY uv.lock into {project} and use --locked"))  # fmt: skip
    elif action in ("uv-venv", "uv-venv-clear"):
        target = venv or normpath(".venv", run.cwd)
        if action == "uv-venv-clear" or (fs.get(target) is None and fs.is_known_absent(fs.resolve(target))):
            needs.append(WriteNeed(posixpath.dirname(target), False, Need.FATAL, "venv-parent",
                                   f"`{cmd}` (re)creates {target}, which needs its parent writable",
                                   "create the venv as the user who owns its parent"))  # fmt: skip
        needs.append(_tmp_need(run, env))
        c = _cache_need(run, users, "uv", args, env)
        if c is not None:
            needs.append(c)
    elif action == "venv-upgrade" and venv:
        needs.append(WriteNeed(posixpath.join(venv, "pyvenv.cfg"), False, Need.FATAL, "pyvenv.cfg",
                               "`python -m venv --upgrade` rewrites pyvenv.cfg", _own_hint(venv, run)))  # fmt: skip
    return [Intent(run, action, venv, tuple(needs), tuple(notes))]


@dataclass(frozen=True)
class UvSelection:
    """What a `uv sync` installs, or a `uv run` wants installed: the dev group, other groups and extras (None:
    all of them), and the project itself."""

    dev: bool
    groups: frozenset[str] | None
    extras: frozenset[str] | None
    project: bool

    def covers(self, other: UvSelection) -> bool:
        return (
            (self.dev or not other.dev)
            and (self.groups is None or (other.groups is not None and other.groups <= self.groups))
            and (self.extras is None or (other.extras is not None and other.extras <= self.extras))
            and (self.project or not other.project)
        )


def _all_opts(args: Sequence[str], name: str) -> frozenset[str]:
    out = set()
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            out.add(args[i + 1])
        elif a.startswith(name + "="):
            out.add(a.split("=", 1)[1])
    return frozenset(out)


def uv_selection(args: Sequence[str], env: Mapping[str, str]) -> UvSelection:
    """The dependency selection of a `uv sync` or `uv run` command line (uv's flags and UV_NO_DEV)."""
    dev = not ("--no-dev" in args or _truthy(env.get("UV_NO_DEV"))) or "--dev" in args or "--only-dev" in args
    groups: frozenset[str] | None = None if "--all-groups" in args else _all_opts(args, "--group")
    groups = groups if groups is None else groups | _all_opts(args, "--only-group")
    extras: frozenset[str] | None = None if "--all-extras" in args else _all_opts(args, "--extra")
    project = not ({"--no-install-project", "--only-dev", "--no-install-workspace"} & set(args)) and not _all_opts(
        args, "--only-group"
    )
    return UvSelection(dev, groups, extras, project)


def _uv_in_sync(
    run: ToolRun, fs: FileSystem, args: Sequence[str], env: Mapping[str, str], venv: str | None,
    earlier: Sequence[ToolRun],
) -> bool:  # fmt: skip
    """Whether `uv run` finds its environment in sync and writes nothing: it never syncs with `--frozen`; else the
    latest `uv sync` of the same environment must have installed everything this run selects (TOOLS.md; a build
    with `--no-dev` followed by a plain `uv run` re-syncs the dev group)."""
    if "--frozen" in args or _truthy(env.get("UV_FROZEN")):
        return True
    want = uv_selection(args, env)
    for r in reversed(earlier):
        tool, r_args = _split(r.argv)
        r_env = dict(r.env)
        if tool != "uv" or classify(r.argv, r_env) != "uv-sync":
            continue
        r_venv = _target_venv(r, r.fs or fs, "uv-sync", tool, r_args, r_env)
        if r_venv != venv:
            continue
        return uv_selection(r_args, r_env).covers(want)
    return False


def _falls_back_to_user(run: ToolRun, fs: FileSystem, env: Mapping[str, str]) -> bool:
    """pip outside a venv, as a user who cannot write the system site-packages, installs into the user site
    instead ("Defaulting to user installation because normal site-packages is not writeable", measured)."""
    if run.identity.is_root or _truthy(env.get("PYTHONNOUSERSITE")) or run.venv is not None:
        return False
    sp, _ = _site_packages(fs, None, env)
    return bool(sp) and all(can_write_dir(fs, run.identity, p).result is Tri.NO for p in sp)


def _user_site_needs(
    run: ToolRun, fs: FileSystem, users: UserDB, env: Mapping[str, str], cmd: str, fallback: bool
) -> list[WriteNeed]:
    """A user-site install writes ~/.local/lib/pythonX.Y/site-packages and ~/.local/bin (PYTHONUSERBASE moves
    them); it fails only when they cannot be created."""
    base = env.get("PYTHONUSERBASE")
    premises: tuple[Premise, ...] = ()
    if not base:
        home, premises = _home(run, users)
        if home is None:
            return []
        base = posixpath.join(home, ".local")
    base = normpath(base, run.cwd)
    why = "pip falls back to a user install (the system site-packages is not writable)" if fallback else "--user"
    hint = "give the user a writable HOME (`useradd -m`), or set PYTHONUSERBASE to a directory it can write"
    return [
        WriteNeed(base, True, Need.FATAL, "user-site",
                  f"{why}: it writes lib/pythonX.Y/site-packages and bin below {base}", hint, None, premises)
    ]  # fmt: skip


def _own_hint(path: str, run: ToolRun) -> str:
    who = run.identity.name or (str(run.identity.uid) if run.identity.uid is not None else "the user")
    return (
        f"create {path} as {who} (or hand it over non-recursively before USER: "
        f"`install -d -o {who} {path}`), or COPY --chown={who} it; avoid chown -R of an installed venv"
    )


def _system_bin(fs: FileSystem) -> str | None:
    for p in ("/usr/local/bin", "/usr/bin"):
        if fs.get(p) is not None:
            return p
    return None


def _uv_lock_need(fs: FileSystem, venv: str, run: ToolRun, uv_version: str | None, notes: list[str]) -> WriteNeed:
    if uv_version is not None and version_lt(uv_version, UV_LOCK_FIXED):
        need = Need.FATAL
        why = (f"uv {uv_version} (< {UV_LOCK_FIXED}) takes a lock file in the venv root and fails "
               f"(`Permission denied (os error 13) at path \"{venv}/.tmpXXXX\"`)")  # fmt: skip
    else:
        need = Need.CONDITIONAL
        if uv_version is None:
            notes.append(f"uv version unknown: uv before {UV_LOCK_FIXED} fails when the venv root is not writable")
            why = (f"uv takes a lock file in the venv root: uv < {UV_LOCK_FIXED} fails, newer versions skip the lock "
                   "with a warning")  # fmt: skip
        else:
            why = f"uv {uv_version} skips its environment lock with a warning when the venv root is not writable"
    if _lock_usable(fs, venv, run.identity):
        need = Need.CONDITIONAL
        why = f"the venv root holds a writable .lock, so uv does not need to create one ({why})"
    return WriteNeed(venv, False, need, "venv-root", why,
                     f"restore the venv root's owner (non-recursive chown of {venv}), or as a stopgap "
                     f"`touch {venv}/.lock && chmod 666 {venv}/.lock` while building")  # fmt: skip


def _target_venv(
    run: ToolRun, fs: FileSystem, action: str, tool: str, args: Sequence[str], env: Mapping[str, str]
) -> str | None:
    if run.venv:
        return normpath(run.venv, run.cwd)
    if "--system" in args:
        return None
    py = _opt(args, "--python", "-p")
    if py and "/" in py:
        return _venv_from_python(normpath(py, run.cwd))
    exe = run.argv[0] if run.argv else ""
    if "/bin/" in exe:
        root = _venv_from_python(exe)
        if root and fs.get(posixpath.join(root, "pyvenv.cfg")) is not None:
            return root
    if action in ("uv-sync", "uv-run", "uv-add", "uv-remove"):
        pe = env.get("UV_PROJECT_ENVIRONMENT")
        if pe:
            return normpath(pe, run.cwd)
        project = normpath(_opt(args, "--project", "--directory") or run.cwd, run.cwd)
        return posixpath.join(project, ".venv")
    if action.startswith("uv-venv"):
        ws = _words(args)
        return normpath(ws[1] if len(ws) > 1 else ".venv", run.cwd)
    if env.get("VIRTUAL_ENV"):
        return normpath(env["VIRTUAL_ENV"], run.cwd)
    for d in env.get("PATH", "").split(":"):
        if d.endswith("/bin"):
            root = d[: -len("/bin")]
            if fs.get(posixpath.join(root, "pyvenv.cfg")) is not None:
                return root
    if action == "poetry-install" and env.get("POETRY_VIRTUALENVS_IN_PROJECT", "").lower() in ("true", "1"):
        return posixpath.join(run.cwd, ".venv")
    return None


def check(fs: FileSystem, who: Identity, need: WriteNeed) -> Verdict:
    """Whether `who` can do what `need` asks, honouring cache mounts (their own uid/gid/mode decide)."""
    if need.mount is not None:
        uid, gid, mode = need.mount
        node = Node(Kind.DIR, uid, gid, mode)
        r = permits(node, who, "wx")
        reason = f"the cache mount at {need.path} is {uid}:{gid} {mode:04o}"
        if r is Tri.NO:
            reason += f" and not writable by {who.label()} (add uid=/gid= to the mount)"
        return Verdict(r, need.path, reason)
    if need.create:
        return can_create(fs, who, need.path)
    return can_write_dir(fs, who, need.path)


__all__ = [
    "Intent",
    "Need",
    "WriteNeed",
    "ancestors",
    "check",
    "classify",
    "intents_for",
    "uv_version_from",
    "version_lt",
]
