"""Python and its tools: every invocation is read once by `tools.read` into an `Invocation`, recorded as a
`ToolRun` for the write-need analysis, and replayed here from that record: environments created, packages
written (their files are not modelled one by one: afterwards the environment's listing is open), caches, checkouts,
build output and bytecode directories created as the user running the tool. A Python script or `python -c` is not
modelled."""

from __future__ import annotations

import posixpath
from itertools import pairwise

from ...libraries import nltk_search_path
from ...model.access import Premise, PremiseKind, Tri, can_create, can_write_dir, created_dir
from ...model.fs import Action, Kind, Knowledge, Node
from ...resolve.expand import OpenVars, unknown_tool_variables
from ...shown import shorten
from ...tools.context import FileSystemProbe, python_version, system_site_packages
from ...tools.model import Act, EnvTarget, Invocation, Need, PythonChoice, Role, Scheme, SyncMode, Tool, Write
from ...tools.programs import Found, which
from ...tools.read import read, tool_name
from ..identity import home_of
from ..state import ToolRun
from .base import ShellContext, Status, accepts_unknown, command_text, deny, is_unknown, owner_for_new
from .files import create_dir, write_file
from .pyenv import selected as pyenv_selected
from .unmodelled import not_modelled, open_world, writes_only

# Tools that run the project's own code (setup.py, a PEP 517 backend) besides their own writes.
RUNS_PROJECT_CODE = frozenset({Tool.SETUPTOOLS, Tool.PYPA_BUILD})
# Interpreter options that make `python` print and exit.
_VERSION = ("-V", "--version", "-VV", "-h", "--help")


@accepts_unknown
def python_tool(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """Any Python interpreter or tool command (`python3`, `pip3.12`, `uv`, `poetry`, `conda`, ...)."""
    if tool_name(argv) is None:
        return _python(sh, argv, stdin)
    if unknown_environment(sh, argv, env):
        return 0
    inv = read(argv, env, sh.cwd, FileSystemProbe(sh.fs, _home(sh, env)))
    if inv is None:
        return _python(sh, argv, stdin)
    if inv.act is Act.OTHER and inv.unread:
        return not_modelled(sh, argv, "; ".join(inv.unread))
    for reason in inv.unread:
        sh.assume(f"`{_shown(argv)}`: {reason}")
    if inv.act is not Act.OTHER or inv.cache is not None:
        record_tool(sh, inv, argv, env)
    status = apply(sh, inv, argv, env)
    if status == 0 and inv.tool in RUNS_PROJECT_CODE:
        # What the tool itself writes is checked and replayed; the project's setup.py or build backend may write
        # anything else, so the rest stays as open as for any Python code venvlint cannot see.
        return not_modelled(sh, argv, "it runs the project's own build code (only what the build tool itself "
                            "writes is checked)")  # fmt: skip
    return status


def _python(sh: ShellContext, argv: list[str], stdin: str | None) -> Status:
    rest = [a for a in argv[1:] if a not in ("-u", "-B", "-O", "-OO", "-E", "-s", "-I", "-P", "-q")]
    if rest and rest[0] in _VERSION:
        return 0
    if not rest and stdin is None:
        return not_modelled(sh, argv, "it runs a Python script from its input")
    if rest[:2] == ["-m", "nltk.downloader"]:
        return writes_only(sh, argv, _nltk_dirs(sh, rest[2:]), "it downloads nltk data into one of nltk's data "
                           "directories (the first that exists, else ~/nltk_data), or where -d says")  # fmt: skip
    if rest and rest[0] == "-m" and len(rest) > 1:
        return not_modelled(sh, argv, f"what `python -m {rest[1]}` writes is not modelled")
    return not_modelled(sh, argv, "it runs Python code venvlint cannot see")


def _nltk_dirs(sh: ShellContext, args: list[str]) -> list[str]:
    """Where `python -m nltk.downloader ARGS` may write: the -d directory, else each directory of nltk's search
    path (NLTK_DATA's entries, ~/nltk_data, the system ones; an environment's own ones are below its prefix)."""
    for opt, value in pairwise(args):
        if opt in ("-d", "--dir") and not is_unknown(value):
            return [posixpath.normpath(posixpath.join(sh.cwd, value))]
    home = sh.vars.get("HOME", "")
    return nltk_search_path(sh.vars, home if home.startswith("/") else None, None)


def _shown(argv: list[str]) -> str:
    return shorten(command_text(argv))


def unknown_environment(sh: ShellContext, argv: list[str], env: dict[str, str]) -> bool:
    """A tool run whose steering variables venvlint cannot know is not modelled (said), never guessed."""
    names = unknown_tool_variables(env)
    if not names:
        return False
    not_modelled(sh, argv, f"it runs with {', '.join('$' + n for n in names)} not known")
    return True


def record_tool(sh: ShellContext, inv: Invocation, argv: list[str], env: dict[str, str]) -> None:
    sh.record.tool_runs.append(
        ToolRun(
            line=sh.cause.line,
            invocation=inv,
            argv=tuple(argv),
            identity=sh.identity,
            env=tuple(sorted(env.items())),
            cwd=sh.cwd,
            stage=sh.stage,
            mounts=sh.mounts,
            umask=sh.umask,
            tentative=sh.tentative,
            env_open=isinstance(env, OpenVars),
            fs=sh.fs.copy(),
        )
    )


def apply(sh: ShellContext, inv: Invocation, argv: list[str], env: dict[str, str]) -> Status:
    """Replay what the invocation does to the image."""
    if inv.act is Act.CONFIGURE:
        return _configure(sh, inv, argv, env)
    _apply_cache(sh, inv, env)
    if inv.act is Act.CREATE_ENV and inv.env is not None:
        status = _create_env(sh, inv, argv, env)
        return status or _apply_writes(sh, inv.writes, argv, env)
    if inv.installs or inv.act is Act.UNINSTALL:
        if inv.act is Act.RUN and inv.sync is SyncMode.NEVER:
            return 0
        status = _apply_writes(sh, inv.writes, argv, env)
        if status or inv.env is None:
            return status
        status = _install(sh, inv, inv.env, argv, env)
        if status == 0 and inv.tool is Tool.PDM and inv.project is not None:
            # pdm records the interpreter it picked beside pyproject.toml (the write-need analysis checks it).
            pdm_python = posixpath.join(inv.project.directory, ".pdm-python")
            if sh.fs.get(sh.fs.resolve(pdm_python)) is None:
                status = write_file(sh, pdm_python, None, append=False, argv=argv)
        return status
    if inv.act is Act.PYTHON_INSTALL:
        return _python_install(sh, inv, argv, env)
    return _apply_writes(sh, inv.writes, argv, env)


def _configure(sh: ShellContext, inv: Invocation, argv: list[str], env: dict[str, str]) -> Status:
    """`conda config --set ...`, `poetry config KEY VALUE`: the configuration file exists afterwards, holding what
    the command set where the reader says it (Poetry's settings are read back by the next Poetry command; conda's
    are not: the next conda command treats its package cache and environments as not known)."""
    path = _resolve(sh, inv.config_file, env) if inv.config_file else None
    if path is None:
        return not_modelled(sh, argv, "which configuration file it writes is not known here")
    status = _ensure_dir(sh, posixpath.dirname(path), argv)  # the tool makes its configuration directory
    return status or write_file(sh, path, inv.config_text, append=True, argv=argv)


def _home(sh: ShellContext, env: dict[str, str]) -> str | None:
    home = env.get("HOME")
    if home is not None:
        return None if is_unknown(home) else home
    return home_of(sh.identity, sh.users, env)


def _resolve(sh: ShellContext, path: str, env: dict[str, str]) -> str | None:
    """A record's path with `~/` made the running user's HOME (None when that is not known)."""
    if not path.startswith("~/"):
        return path
    home = _home(sh, env)
    return posixpath.join(home, path[2:]) if home else None


def _apply_cache(sh: ShellContext, inv: Invocation, env: dict[str, str]) -> None:
    """The tool creates its cache directory (as the user running it) where it can; where it cannot, the
    write-need analysis reports it."""
    spec = inv.cache
    if spec is None:
        return
    if spec.explicit:
        path: str | None = spec.explicit
    elif spec.xdg:
        path = posixpath.join(spec.xdg, spec.subdir)
    else:
        home = _home(sh, env)
        path = posixpath.join(home, ".cache", spec.subdir) if home else None
    fs = sh.fs
    if path is None or fs.get(fs.resolve(path)) is not None:
        return
    if sh.identity.is_root or can_create(fs, sh.identity, path).result is Tri.YES:
        create_dir(sh, path, None, [inv.tool.value], True)


def _ensure_dir(sh: ShellContext, path: str, argv: list[str]) -> Status:
    """The tool writes into `path`, creating it (and its parents) when missing. A denial names `path` itself, as
    the write-need analysis does, so that the two speak of one place."""
    fs = sh.fs
    real = fs.resolve(path)
    if sh.identity.is_root:
        return create_dir(sh, real, None, argv, True) if fs.get(real) is None else 0
    missing = fs.get(real) is None
    v = can_create(fs, sh.identity, real) if missing else can_write_dir(fs, sh.identity, real)
    if v.result is Tri.NO:
        return deny(sh, path, v.reason, argv, (*v.premises, *_open_env_premises(sh, argv)))
    return create_dir(sh, real, None, argv, True) if missing else 0


def _choose(sh: ShellContext, w: Write, env: dict[str, str], argv: list[str]) -> str | None:
    """The place a write goes: its path, or the first of its fallbacks the user can write (the path, when none can:
    the denial then names it). None when a place below HOME cannot be named."""
    candidates = [_resolve(sh, p, env) for p in (w.path, *w.alternatives)]
    if any(c is None for c in candidates):
        sh.assume(f"`{_shown(argv)}` writes below HOME, which is not known here")
        return None
    places = [c for c in candidates if c is not None]
    if len(places) == 1 or sh.identity.is_root:
        return places[0]
    fs = sh.fs
    for p in places:
        real = fs.resolve(p)
        v = can_create(fs, sh.identity, real) if fs.get(real) is None else can_write_dir(fs, sh.identity, real)
        if v.result is not Tri.NO:
            return p
    return places[0]


def _apply_writes(sh: ShellContext, writes: tuple[Write, ...], argv: list[str], env: dict[str, str]) -> Status:
    fs = sh.fs
    for w in writes:
        path = _choose(sh, w, env, argv)
        if path is None:
            continue
        if w.role is Role.REFUSED:
            return deny(sh, path, w.why, argv)
        real = fs.resolve(path)
        if w.need is Need.FATAL and (w.create or fs.get(real) is not None):
            status = _ensure_dir(sh, path, argv)
            if status:
                return status
        elif w.create and fs.get(real) is None and (sh.identity.is_root or can_create(fs, sh.identity, real).yes):
            create_dir(sh, real, None, argv, True)  # a cache or app data: the tool goes on without it
        if fs.get(real) is not None and w.entry:
            real = posixpath.join(real, w.entry)
            if fs.get(real) is None and create_dir(sh, real, None, argv, True):
                return 1
        if fs.get(real) is not None:
            if w.role is Role.CONDA_ENV and w.create and fs.get(posixpath.join(real, "conda-meta")) is None:
                create_dir(sh, posixpath.join(real, "conda-meta"), None, argv, False)  # what makes it an environment
            fs.mark_open(real, with_parent=False)  # what it wrote there is not listed file by file
    return 0


def _create_env(sh: ShellContext, inv: Invocation, argv: list[str], env: dict[str, str]) -> Status:
    target = inv.env
    assert target is not None
    if target.path is None:
        return not_modelled(sh, argv, "the environment's path is not known here")
    fs = sh.fs
    if inv.clear and fs.get(target.path) is not None:
        if not sh.identity.is_root:
            v = can_write_dir(fs, sh.identity, posixpath.dirname(target.path))
            if v.result is Tri.NO:
                return deny(sh, target.path, f"it removes {target.path} first: {v.reason}", argv, v.premises)
        fs.remove(target.path, cause=sh.cause, detail=f"removed by {inv.subcommand} --clear")
    interpreter = _interpreter_for(sh, inv, argv, env)
    # The version of the interpreter it runs on, where the model names it (a pyenv shim's `python` is not the
    # image's PYTHON_VERSION); else what the command line or the image says.
    version = (_version_of(sh, interpreter) if interpreter else None) or target.python_version
    return make_venv(sh, target.path, version, argv, interpreter, relocatable=inv.relocatable, seeds=inv.seeds)


def _interpreter_for(sh: ShellContext, inv: Invocation, argv: list[str], env: dict[str, str]) -> str | None:
    """The interpreter a new environment is made from: the one that runs `python -m venv`, the one uv picks, else
    (virtualenv, poetry, pipenv, pdm) the `python3` on PATH."""
    if inv.tool is Tool.VENV:
        return _interpreter(sh, argv[0], env)
    if inv.tool is Tool.UV and inv.env is not None:
        return uv_interpreter(sh, inv.env.python_version, env, argv, inv.python)
    return _interpreter(sh, "python3", env)


def _version_of(sh: ShellContext, interpreter: str | None) -> str | None:
    """X.Y of `interpreter` from the name its links end at in the model (`python3` → `python3.11`)."""
    return python_version(posixpath.basename(sh.fs.resolve(interpreter)), {}) if interpreter else None


def _install(sh: ShellContext, inv: Invocation, target: EnvTarget, argv: list[str], env: dict[str, str]) -> Status:
    fs = sh.fs
    if target.scheme is Scheme.ENV:
        if target.path is None:
            if not inv.writes:  # an environment venvlint cannot name: what it wrote is not known
                open_world(sh, argv)
            return 0
        if fs.get(target.path) is None or (target.creates and fs.known_empty(fs.resolve(target.path))):
            if not target.creates:
                return 0
            if fs.get(target.path) is not None and not target.empty_ok:
                status = _recreate(sh, target.path, argv)
                if status:
                    return status
            interp = _interpreter_for(sh, inv, argv, env)
            status = make_venv(sh, target.path, target.python_version, argv, interp)
            if status:
                return status
        return _install_effects(sh, inv, target.path, argv)
    if target.scheme in (Scheme.TARGET, Scheme.PREFIX, Scheme.ROOT):
        if target.path is None:
            open_world(sh, argv)
            return 0
        status = _ensure_dir(sh, target.path, argv)
        if status:
            return status
        fs.mark_open(fs.resolve(target.path), with_parent=False)
        return 0
    if target.scheme is Scheme.USER:
        return _user_install(sh, target, argv, env)
    return _system_install(sh, inv, target, argv, env)


def _recreate(sh: ShellContext, path: str, argv: list[str]) -> Status:
    """Poetry's answer to an empty environment directory: remove it (which needs its parent writable) and create
    the environment again."""
    fs = sh.fs
    parent = posixpath.dirname(path)
    if not sh.identity.is_root:
        v = can_write_dir(fs, sh.identity, parent)
        if v.result is Tri.NO:
            return deny(sh, parent, f"it removes the empty {path} to create it again: {v.reason}", argv, v.premises)
    fs.remove(path, cause=sh.cause, detail=f"removed by `{_shown(argv)}` (an empty environment is a broken one)")
    return 0


def _system_install(
    sh: ShellContext, inv: Invocation, target: EnvTarget, argv: list[str], env: dict[str, str]
) -> Status:
    """Into the interpreter's own site-packages: root writes it; pip as another user falls back to the user site
    when it cannot (measured); uv --system and poetry fail."""
    fs = sh.fs
    sites = system_site_packages(fs, target.python_version)
    if not sites:
        open_world(sh, argv)  # where the interpreter keeps its packages is not in the model
        return 0
    if not sh.identity.is_root:
        verdicts = [can_write_dir(fs, sh.identity, s) for s in sites]
        if any(v.result is Tri.NO for v in verdicts):
            if target.user_fallback:
                return _user_install(sh, target.fallback_site(), argv, env)
            v = next(v for v in verdicts if v.result is Tri.NO)
            return deny(sh, v.path, v.reason, argv, (*v.premises, *_open_env_premises(sh, argv)))
    for s in sites:
        fs.mark_open(s, with_parent=False)
    for b in ("/usr/local/bin", "/usr/bin"):
        if fs.get(b) is not None:
            fs.mark_open(b, with_parent=False)
            break
    return 0


def _user_install(sh: ShellContext, target: EnvTarget, argv: list[str], env: dict[str, str]) -> Status:
    base = target.path
    if base is None:
        home = _home(sh, env)
        if home is None:
            sh.assume(f"`{_shown(argv)}` installs below HOME, which is not known here")
            return 0
        base = posixpath.join(home, ".local")
    status = _ensure_dir(sh, base, argv)
    if status:
        return status
    version = target.python_version or _version_of(sh, _interpreter(sh, "python3", env)) or python_version("", env)
    # Where the version is not known, no lib/pythonX.Y is named: a fix must never name a made-up path. bin/ is
    # made only for packages with console scripts (measured: `pip install --user six` makes none): not known here.
    status = _ensure_dir(sh, posixpath.join(base, f"lib/python{version}/site-packages" if version else "lib"), argv)
    if status:
        return status
    sh.fs.mark_open(base, with_parent=False)
    return 0


def make_venv(
    sh: ShellContext, root: str, version: str | None, argv: list[str], interpreter: str | None,
    *, relocatable: bool = False, seeds: tuple[str, ...] = (),
) -> Status:  # fmt: skip
    """Create the venv `root` (and its missing parents) as `sh`'s user. `relocatable`: `uv venv --relocatable`,
    whose scripts find their interpreter relative to themselves (`#!/bin/sh` and a relative exec, measured), so
    the venv may be moved (pyvenv.cfg is tagged `relocatable`). `seeds`: what it installs besides the interpreter
    (`pip`: bin/pip, pip3, pipX.Y and its package in site-packages, as `python -m venv` makes them). The Python
    version, where the command does not say it, is the one the interpreter's links end at (`python3` →
    `python3.11`)."""
    fs = sh.fs
    root = sh.path(root)
    if not sh.identity.is_root:
        v = can_create(fs, sh.identity, root) if fs.get(root) is None else can_write_dir(fs, sh.identity, root)
        if v.result is Tri.NO:
            return deny(sh, root, v.reason, argv, v.premises)
    version = version or _version_of(sh, interpreter)
    if version is None:
        sh.assume(f"the Python version of the venv {root} is not known: its lib/pythonX.Y is not in the model")
    pyver = f"python{version}" if version else ""
    status = create_dir(sh, root, None, argv, True)
    if status:
        return status
    subs = ["bin", "include", "lib"] + ([f"lib/{pyver}", f"lib/{pyver}/site-packages"] if pyver else [])
    for sub in subs:
        p = posixpath.join(root, sub)
        if fs.get(p) is None:
            create_dir(sh, p, None, argv, True)
    if not pyver:
        fs.open_listing(posixpath.join(root, "lib"))
    uid, gid, _ = owner_for_new(sh, root)
    if fs.get(posixpath.join(root, "lib64")) is None:
        fs.put(
            posixpath.join(root, "lib64"),
            Node(Kind.SYMLINK, uid, gid, 0o777, target="lib"),
            sh.cause,
            Action.CREATED,
            "created by venv",
        )
    cfg = posixpath.join(root, "pyvenv.cfg")
    knowledge = Knowledge.BUILT if fs.get(cfg) is None and fs.is_known_absent(cfg) else Knowledge.ASSUMED
    cfg_node = Node(Kind.FILE, uid, gid, 0o666 & ~sh.umask, knowledge).with_tag("venv", root)
    if relocatable:
        cfg_node = cfg_node.with_tag("relocatable", "true")
    fs.put(cfg, cfg_node, sh.cause, Action.CREATED, "created by venv")
    if interpreter:
        py = posixpath.join(root, "bin", "python")
        if fs.get(py) is None:
            fs.put(py, Node(Kind.SYMLINK, uid, gid, 0o777, target=interpreter), sh.cause, Action.CREATED,
                   "created by venv")  # fmt: skip
        for name in ("python3", f"python{version}" if version else ""):
            link = posixpath.join(root, "bin", name)
            if name and fs.get(link) is None:
                fs.put(link, Node(Kind.SYMLINK, uid, gid, 0o777, target="python"), sh.cause, Action.CREATED,
                       "created by venv")  # fmt: skip
    if "pip" in seeds:
        for name in ("pip", "pip3", f"pip{version}" if version else ""):
            script = posixpath.join(root, "bin", name)
            if name and fs.get(script) is None:
                fs.put(script, Node(Kind.FILE, uid, gid, 0o777 & ~sh.umask), sh.cause, Action.CREATED,
                       "pip's console script, installed by venv")  # fmt: skip
        if pyver:
            site = posixpath.join(root, "lib", pyver, "site-packages")
            _package_dir(sh, posixpath.join(site, "pip"), "pip", replace=False, argv=argv)
    # venv also writes activate scripts and interpreter links into bin, and (unless --without-pip) pip into
    # site-packages: files the model does not list one by one.
    for sub in ("bin", f"lib/{pyver}/site-packages" if pyver else "lib"):
        fs.open_listing(posixpath.join(root, sub))
    sh.record.venvs[root] = sh.cause.line
    return 0


def _interpreter(sh: ShellContext, name: str, env: dict[str, str]) -> str | None:
    """The interpreter a command named `name` runs (None when the model cannot tell which): a pyenv shim runs the
    version pyenv selects."""
    if name.startswith("/"):
        path: str | None = name
    else:
        found = which(name, env.get("PATH"), sh.fs, sh.cwd)
        path = found.path if found.found is Found.YES else None
    if path is None:
        return None
    node = sh.fs.get(sh.fs.resolve(path))
    if node is not None and node.tag("pyenv-shim") is not None:
        return pyenv_selected(sh, path, env)
    return path


def _open_env_premises(sh: ShellContext, argv: list[str]) -> tuple[Premise, ...]:
    """Where the image's environment is not all known, that it sets none of the variables steering the tool."""
    if not isinstance(sh.vars, OpenVars):
        return ()
    tool = posixpath.basename(argv[0]).split()[0]
    return (
        Premise(
            PremiseKind.COMMAND,
            " ".join(argv),
            Knowledge.ASSUMED,
            sh.cause.line,
            assumption=f"that the base image sets none of the variables that steer {tool} (its environment is not known)",
        ),
    )


def _install_effects(sh: ShellContext, inv: Invocation, venv: str, argv: list[str]) -> Status:
    """Installed files belong to the runner (umask applies); the tool must be able to write site-packages and bin.
    Each package named on the command line gets its directory in site-packages (named as its `.dist-info` spells
    it), owned as the install creates it, so that a later upgrade or uninstall by another user is checked against
    it; the rest of what it installed is not modelled one by one."""
    fs = sh.fs
    dirs = [p for p in fs.walk(venv) if p.endswith("/site-packages")] if fs.get(venv) else []
    targets = [*dirs, posixpath.join(venv, "bin")]
    if not sh.identity.is_root:
        for d in targets:
            if fs.get(d) is None:
                continue
            v = can_write_dir(fs, sh.identity, d)
            if v.result is Tri.NO:
                return deny(sh, d, v.reason, argv, (*v.premises, *_open_env_premises(sh, argv)))
    for d in targets:
        fs.tag(d, "written-by", f"{sh.identity.uid}:{sh.identity.gid}@{sh.cause.line}")
    for site in dirs:
        for name in inv.distributions:
            path = posixpath.join(site, name)
            if inv.act is not Act.UNINSTALL:
                _package_dir(sh, path, name, replace=inv.replaces, argv=argv)
            elif (node := fs.get(path)) is not None and node.tag("package") is not None:
                fs.remove(path, cause=sh.cause, detail=f"uninstalled by `{_shown(argv)}`")
    if inv.tool is Tool.UV:
        _uv_lock_file(sh, venv)
    # What it installed is not modelled file by file: the listings it may have added to are open (bin, the
    # site-packages trees, the root and the data directories packages write), the rest of the venv's are not (an
    # s2i image keeps its HOME, src/, below the venv root).
    fs.open_listing(venv)
    for d in (*targets, *(posixpath.join(venv, x) for x in ("share", "etc", "include"))):
        if fs.get(d) is not None:
            fs.mark_open(d, with_parent=False)
    return 0


def _uv_lock_file(sh: ShellContext, venv: str) -> None:
    """uv leaves its environment lock as `<venv>/.lock`, writable by everyone (measured: 0777 with uv 0.6.6, 0666
    with 0.13.9, whatever the umask), where it can create it: a later uv run by any user opens it and needs no
    writable venv root."""
    fs = sh.fs
    lock = posixpath.join(venv, ".lock")
    if fs.get(lock) is not None or fs.get(venv) is None:
        return
    if sh.identity.is_root or can_write_dir(fs, sh.identity, venv).result is Tri.YES:
        uid, gid, _ = owner_for_new(sh, venv)
        fs.put(lock, Node(Kind.FILE, uid, gid, 0o666), sh.cause, Action.CREATED, "uv's environment lock")


def _package_dir(sh: ShellContext, path: str, name: str, *, replace: bool, argv: list[str]) -> None:
    """An installed package's directory: created by this install unless it is already there (pip: "Requirement
    already satisfied") and the command does not replace it."""
    fs = sh.fs
    old = fs.get(path)
    if old is not None and not replace:
        return
    node = created_dir(fs.get(posixpath.dirname(path)), sh.identity, sh.umask).with_tag("package", name)
    fs.put(path, node, sh.cause, Action.INSTALL, f"package directory installed by `{_shown(argv)}`")


def uv_interpreter(
    sh: ShellContext, version: str | None, env: dict[str, str], argv: list[str], choice: PythonChoice | None = None
) -> str | None:
    """The interpreter uv uses for a new venv, as its preference orders them (uv's discovery.rs; docs/MEASUREMENTS.md
    "Interpreters out of reach"): under the default `managed`, a managed Python already installed (`uv python
    install`) first, then a system Python of the wanted version, then (unless downloads are off) a managed CPython
    it downloads into its install directory, owned by the user running uv (scenarios S4 and S5 of
    rules/_scenarios.py); `system` swaps the first two; `only-system` never uses a managed one, `only-managed`
    never a system one. None when the model cannot tell which."""
    choice = choice or PythonChoice()
    fs = sh.fs
    base = _resolve(sh, choice.install_dir, env)
    managed = _installed_managed(sh, base, version) if base else None
    if managed is not None and choice.preference in ("managed", "only-managed"):
        return managed
    if choice.preference != "only-managed":
        names = [f"python{version}"] if version else ["python3"]
        for d in ("/usr/local/bin", "/usr/bin", "/opt/app-root/bin"):
            for n in names:
                if fs.get(f"{d}/{n}") is not None:
                    return f"{d}/{n}"
        if managed is not None:
            return managed  # `system`: no system Python of that version, an installed managed one
        image_version = env.get("PYTHON_VERSION", "")
        other_version = bool(version and image_version and sh.profile and not image_version.startswith(version))
        if not other_version and not all(
            fs.is_known_absent(f"{d}/{n}") for d in ("/usr/local/bin", "/usr/bin") for n in names
        ):
            return None  # the image may well have it: do not invent a download
    if choice.preference == "only-system" or not choice.downloads or base is None:
        return None  # no download, or where uv would put it is not known
    return _place_managed(sh, base, version, argv, "managed Python downloaded by uv")


def _managed_dir(base: str, version: str | None) -> str:
    """A managed CPython's directory as a venv names it: uv links the venv to the minor-version directory
    `cpython-X.Y-linux-x86_64-gnu` (a link to `cpython-X.Y.Z-...` since uv 0.8; the full name before), whose
    `bin/pythonX.Y` is the interpreter (uv's managed.rs)."""
    return posixpath.join(base, f"cpython-{version or '3'}-linux-x86_64-gnu")


def _installed_managed(sh: ShellContext, base: str, version: str | None) -> str | None:
    """A managed Python of `version` the model holds under the install directory `base`."""
    exe = posixpath.join(_managed_dir(sh.path(base), version), "bin", f"python{version or '3'}")
    return exe if sh.fs.get(sh.fs.resolve(exe)) is not None else None


def _place_managed(sh: ShellContext, base: str, version: str | None, argv: list[str], why: str) -> str | None:
    """Unpack a managed CPython under `base` as the running user (umask applies to the directories uv makes)."""
    fs = sh.fs
    tree = _managed_dir(sh.path(base), version)
    if fs.get(fs.resolve(posixpath.join(tree, "bin"))) is None and create_dir(
        sh, posixpath.join(tree, "bin"), None, argv, True
    ):
        return None
    exe = posixpath.join(tree, "bin", f"python{version or '3'}")
    if fs.get(fs.resolve(exe)) is None:
        uid, gid, _ = owner_for_new(sh, posixpath.join(tree, "bin"))
        # Tagged: the rules move a uv-managed Python with UV_PYTHON_INSTALL_DIR, and nothing else that way.
        fs.put(exe, Node(Kind.FILE, uid, gid, 0o755).with_tag("managed-python", "uv"), sh.cause, Action.CREATED, why)
    fs.mark_open(tree, with_parent=False)  # the rest of the distribution (lib/, include/) is not listed
    return exe


def _python_install(sh: ShellContext, inv: Invocation, argv: list[str], env: dict[str, str]) -> Status:
    """`uv python install X.Y`: the install directory must be writable (the write needs), and each version named
    is then in the model, where the next `uv venv` finds it."""
    status = _apply_writes(sh, inv.writes, argv, env)
    if status or inv.python is None:
        return status
    base = _resolve(sh, inv.python.install_dir, env)
    if base is None:
        return 0
    for version in inv.python.versions:
        if _installed_managed(sh, base, version) is None:
            _place_managed(sh, base, version, argv, f"managed Python {version} installed by `{_shown(argv)}`")
    return 0
