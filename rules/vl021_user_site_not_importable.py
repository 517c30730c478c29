"""## What it does
Finds packages in a user site (`pip install --user`, pip's fallback to it, or a `~/.local` copied from a build
stage) that the container runs Python with but cannot import: the runtime user's Python looks only in *its own* user
site (`$HOME/.local/lib/pythonX.Y/site-packages`, or `$PYTHONUSERBASE`), and the site's directories must be
reachable.

An error when the site holds what the container uses: copied from a build stage, installed from requirement
files or a project, run by the container's command (`python -m gunicorn`), or named on the install's command line
and not a build tool the build runs itself (a package is installed to be imported or run; measured on a real
build, `ModuleNotFoundError`). A warning when it holds only installers (`pip`, `pipenv`, `poetry`, ...) or tools a
later `RUN` runs: that the container needs them too is not known.

## Why is this bad?
A user site belongs to one HOME. Packages installed by root live in `/root/.local`; a container running as another
user (`USER app`, `--user 1002`, OpenShift's arbitrary uid with HOME `/`) starts with a `sys.path` without them, and
`/root` is `0700` anyway: `ModuleNotFoundError: No module named 'requests'` at start-up, although the image holds
the package.

## Example
```dockerfile
FROM python:3.11-alpine AS deps
COPY requirements.txt .
RUN pip install --user -r requirements.txt
FROM python:3.11-alpine
COPY --from=deps /root/.local /root/.local
COPY src/ /app/
USER 1002
ENTRYPOINT ["python3", "/app/main.py"]
```

## Use instead
Install into a virtual environment every user can read, and copy that:
```dockerfile
FROM python:3.11-alpine AS deps
COPY requirements.txt .
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt
FROM python:3.11-alpine
COPY --from=deps /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY src/ /app/
USER 1002
ENTRYPOINT ["python3", "/app/main.py"]
```
or set `ENV PYTHONUSERBASE=/opt/pyuser` (a directory every user can read) for both the install and the runtime.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from venvlint.edits import Changes, Edit, insert_after
from venvlint.findings import Problem, Severity
from venvlint.query import (
    PYTHON,
    Build,
    Cause,
    FileSystem,
    Found,
    Intent,
    Kind,
    Knowledge,
    Premise,
    PremiseKind,
    RuntimeIdentity,
    Scheme,
    Tri,
    can_traverse,
    path_premise,
)

from ._common import command, env_dir_edit, replace_edit, where

CODE = "VL021"
NAME = "user-site-not-importable"
SEVERITY = Severity.ERROR
SUMMARY = "Packages in a user site (~/.local) that the runtime user's Python does not see or cannot reach"
SCENARIOS = ()
REFERENCES = (
    "https://docs.python.org/3/library/site.html#site.USER_BASE",
    "https://pip.pypa.io/en/stable/user_guide/#user-installs",
)
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    if not build.commands:
        return
    sites = _user_sites(build)
    if not sites:
        return
    fs = build.fs
    env = dict(build.final.env)
    argv, line = build.commands[0]
    for site, base in sites:
        if not _runs_python(build, fs, argv, base, env):
            continue
        for ri in build.runtime_identities:
            problem = _unseen(build, ri, site, base, env, argv, line)
            if problem is not None:
                yield problem
                break


def _user_sites(build: Build) -> list[tuple[str, str]]:
    """(site-packages, user base) for each user site the image holds: below a known HOME, or PYTHONUSERBASE."""
    fs = build.fs
    bases = {posixpath.join(u.home, ".local") for u in build.final.users.users.values() if u.home and u.home != "/"}
    bases.add("/root/.local")
    if build.final.env.get("PYTHONUSERBASE"):
        bases.add(build.final.env["PYTHONUSERBASE"])
    out = []
    for base in sorted(bases):
        if fs.get(base) is None:
            continue
        lib = posixpath.join(base, "lib")
        for p in fs.children(lib):
            site = posixpath.join(p, "site-packages")
            node = fs.get(site)
            if posixpath.basename(p).startswith("python") and node is not None and node.kind is Kind.DIR:
                out.append((site, base))
    return out


def _runs_python(build: Build, fs: FileSystem, argv: tuple[str, ...], base: str, env: dict[str, str]) -> bool:
    """The container's command is a Python interpreter, or a console script of that user site."""
    exe = argv[0] if argv else ""
    if PYTHON.fullmatch(posixpath.basename(exe)):
        return True
    if "/" not in exe:
        found = build.resolve(exe, env=env, fs=fs)
        if found.found is Found.YES and found.path:
            exe = found.path
    return exe.startswith(posixpath.join(base, "bin") + "/")


def _unseen(
    build: Build, ri: RuntimeIdentity, site: str, base: str, env: dict[str, str], argv: tuple[str, ...], line: int
) -> Problem | None:
    who = ri.identity
    if who.is_root and not who.arbitrary:
        return None
    fs = build.fs
    home = build.home_of(who, env)
    if home is None:
        return None  # where its user site is, is not known
    own = env.get("PYTHONUSERBASE") or posixpath.join(home, ".local")
    on_path = site in [posixpath.normpath(p) for p in env.get("PYTHONPATH", "").split(":") if p]
    reach = can_traverse(fs, who, posixpath.join(site, "x"))
    if (own == base or on_path) and reach.result is not Tri.NO:
        return None
    if reach.result is Tri.UNKNOWN and own == base:
        return None
    node = fs.get(site)
    assert node is not None
    made = node.history[0] if node.history else None
    origin = f" (put there at {where(made, nested=True)})" if made is not None else ""
    if "PYTHONUSERBASE" in env:
        home_fact = "ENV PYTHONUSERBASE"
    elif "HOME" in env:
        home_fact = f"ENV HOME={home}"
    elif who.uid is not None and build.final.users.by_uid(who.uid) is None and not who.name:
        home_fact = f"HOME is {home}: the uid has no passwd entry"
    else:
        home_fact = f"HOME is {home}"
    if own != base and not on_path:
        why = (f"that user's Python puts only its own user site, `{own}/lib/pythonX.Y/site-packages`, on sys.path "
               f"({home_fact}), so these packages cannot be imported: `ModuleNotFoundError`")  # fmt: skip
        if reach.result is Tri.NO:
            why += f"; besides, {reach.reason}"
    else:
        why = f"it cannot reach them: {reach.reason}"
    # What the finding rests on is that the build put the site there (not its owner or mode), who runs the
    # container, where its HOME is, and the directories on the way.
    put = (Premise(PremiseKind.COMMAND, made.cause.instruction, Knowledge.BUILT, made.cause.line)
           if made is not None and made.cause.line > 0 else path_premise(fs, site, node))  # fmt: skip
    # Who runs matters as far as the refusing directory says (its verdict names them), else as the account says.
    premises: tuple[Premise, ...] = (put,) if reach.result is Tri.NO else (put, who.premise())
    if "HOME" not in env and not build.final.users.knowledge.known:
        premises += (Premise(PremiseKind.USER, f"HOME of {who.label()}", Knowledge.ASSUMED,
                             assumption=f"that HOME of {who.label()} is {home}"),)  # fmt: skip
    premises += reach.premises
    shipped = made is not None and (_ships_the_app(build, made.cause) or _for_runtime(build, made.cause, argv))
    if not shipped:
        why += "; if the application imports them, it fails"
    # The finding names the user base: the site's own name depends on a Python version the model may not know.
    return Problem(
        line,
        base,
        f"`{base}` is a user site, with its packages in `{site}`{origin}; the container runs "
        f"`{command(argv)}` as {who.label()} ({ri.source}), and {why}.",
        f"use one user base every user can read, for the install and the runtime: `ENV PYTHONUSERBASE={SHARED_BASE}` "
        f"before the install into the user site (and copy `{SHARED_BASE}` instead of `{base}`); or install into a "
        "virtual environment (`python -m venv /opt/venv`, copy it, put /opt/venv/bin first on PATH)",
        stage=build.final.name,
        related=(made.cause.line,) if made is not None and made.cause.line > 0 else (),
        premises=premises,
        severity=None if shipped else Severity.WARNING,
        edits=_shared_user_base(build, made.cause) if made is not None else (),
    )


def _ships_the_app(build: Build, put: Cause) -> bool:
    """The user site holds what the application needs: copied in from a build stage on purpose, or installed
    from requirement files or a project (`pip install --user -r requirements.txt`, `pip install --user .`), not
    only tools named on the command line."""
    if put.keyword == "COPY" and put.copy_from is not None:
        return True
    for i in build.build_intents:
        inv = i.invocation
        if i.run.line != put.line or not _user_install(i):
            continue
        if inv.requirements or any(p.startswith((".", "/")) for p in inv.packages):
            return True
    return False


# Installers and build back-ends: installed into a user site to build the image, not for the application.
BUILD_TOOLS = frozenset({"pip", "setuptools", "wheel", "pipenv", "poetry", "pdm", "hatch", "uv", "virtualenv", "pipx",
                         "build", "twine", "cython", "pip_tools", "flit", "maturin", "scikit_build_core"})  # fmt: skip


def _for_runtime(build: Build, put: Cause, argv: tuple[str, ...]) -> bool:
    """The packages a `--user` install names are for the container, not for the build: the container's command
    runs one of them (`python -m gunicorn`), or one of them is neither a build tool nor run by a later RUN of its
    stage. A package is installed to be imported or run; where the build installs a tool and runs it itself, that
    it is needed at run time is not known, and the finding stays a warning."""
    if put.keyword != "RUN":
        return False
    module = argv[2] if len(argv) > 2 and argv[1] == "-m" and PYTHON.fullmatch(posixpath.basename(argv[0])) else ""
    for i in build.build_intents:
        if i.run.line != put.line or not _user_install(i):
            continue
        env = i.invocation.env
        if env is not None and env.scheme is not Scheme.USER and i.run.identity.is_root:
            continue  # root writes the interpreter's own site-packages: pip does not fall back to the user site
        names = i.invocation.distributions
        if module and module.replace("-", "_").lower() in names:
            return True
        if any(n not in BUILD_TOOLS and not _run_by_build(build, put, n) for n in names):
            return True
    return False


def _run_by_build(build: Build, put: Cause, name: str) -> bool:
    """A later RUN of the install's stage names `name` as a word (its console script, `python -m name`): the build
    uses the package itself. Only lowers the severity, so a word that is not the command errs on the safe side."""
    stage = build.stage(put.stage)
    words = {name, name.replace("_", "-")}
    for line in stage.lines if stage is not None else ():
        ins = build.instruction(line)
        if line > put.line and ins is not None and ins.cmd == "RUN":
            text = " ".join(ins.args).replace(";", " ").replace("&&", " ").replace("|", " ")
            if words & set(text.split()):
                return True
    return False


def _user_install(i: Intent, below_home: bool = False) -> bool:
    """`i` installs into a user site: `--user`, or pip's fallback to it (`below_home`: into ~/.local, not a
    PYTHONUSERBASE)."""
    env = i.invocation.env
    if env is None:
        return False
    if env.scheme is Scheme.USER:
        return not below_home or env.path is None
    return env.user_fallback and (not below_home or env.user_base is None)


SHARED_BASE = "/opt/pyuser"  # root-owned 0755 when pip creates it: every user can read it


def _shared_user_base(build: Build, put: Cause) -> tuple[Edit, ...]:
    """One user base every user reads, for the install and the runtime: `ENV PYTHONUSERBASE` before the
    `pip install --user` (in the build stage it ran in), and the COPY of that base instead of ~/.local."""
    if put.keyword == "RUN":
        return env_dir_edit(build, put.stage, put.line, "PYTHONUSERBASE", SHARED_BASE)
    if put.keyword != "COPY" or put.copy_from is None:
        return ()
    installs = [i.run.line for i in build.build_intents if i.run.stage == put.copy_from
                and _user_install(i, below_home=True)]  # fmt: skip
    copy = build.instruction(put.line)
    if not installs or copy is None or copy.json_form or len(copy.args) != 2:
        return ()
    install = env_dir_edit(build, put.copy_from, min(installs), "PYTHONUSERBASE", SHARED_BASE)
    copy_it = replace_edit(
        build, put.line, " ".join(copy.args), f"{SHARED_BASE} {SHARED_BASE}", changes=Changes.COMMANDS
    )
    if not install or not copy_it:
        return ()  # all three edits or none: each alone breaks the build
    return (
        *install,
        *copy_it,
        insert_after(put.line, f"ENV PYTHONUSERBASE={SHARED_BASE}", changes=Changes.ENVIRONMENT),
    )
