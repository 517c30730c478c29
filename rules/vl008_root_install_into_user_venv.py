"""## What it does
Finds a `RUN` that installs packages as root into a virtual environment prepared for another user (owned by, or
group-writable for, the user the image runs as), with no later step giving the new files back.

## Why is this bad?
Files an install creates belong to the user who ran it, with umask 022: root-owned `0644` files and `0755`
directories inside the user's venv. The venv still imports fine, but the user can no longer upgrade or uninstall
those packages: `Could not install packages due to an EnvironmentError: [Errno 13] Permission denied:
'/opt/conda/.../pandas-0.23.2.dist-info/INSTALLER'`. An earlier `fix-permissions` does not help: it only fixes
what existed when it ran.

## Example
```dockerfile
FROM registry.access.redhat.com/ubi9/python-311
USER 0
RUN pip install pandas
USER 1001
```

## Use instead
Install as the venv's user, with a group-friendly umask for images that run under arbitrary uids:
```dockerfile
USER 1001
RUN umask 002 && pip install pandas
```
or run `fix-permissions /opt/app-root -P` once, after the last root install.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from venvlint.edits import Changes, Edit
from venvlint.findings import PathSetAt, Problem, Severity
from venvlint.query import (
    Action,
    Build,
    FileSystem,
    Identity,
    Intent,
    Knowledge,
    Node,
    Premise,
    PremiseKind,
    Role,
    ToolRun,
    Tri,
    created_dir,
    path_premise,
    permits,
)

from ._common import append_run, command, group_install_edits, run_premises, state_text

CODE = "VL008"
NAME = "root-install-into-user-venv"
SEVERITY = Severity.WARNING
SUMMARY = "Packages installed as root into a venv prepared for another user stay root-owned"
SCENARIOS = ("S19",)
REFERENCES = (
    "https://github.com/kubeflow/kubeflow/issues/1722",
    "https://github.com/jupyter/docker-stacks/blob/main/images/docker-stacks-foundation/fix-permissions",
)
FIX = "safe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual

FIXES = frozenset({Action.CHOWN, Action.CHMOD, Action.FIX_PERMISSIONS})


def check(build: Build) -> Iterator[Problem]:
    users = [ri for ri in build.runtime_identities if not ri.identity.is_root or ri.identity.arbitrary]
    if not users:
        return
    seen: set[tuple[int, str]] = set()
    for intent in build.build_intents:
        run = intent.run
        venv = intent.venv or _conda_prefix(intent)
        if not run.identity.is_root or run.identity.arbitrary or venv is None or run.stage != build.final.name:
            continue
        if not intent.invocation.installs:
            continue
        root = build.fs.get(venv)
        if root is None:
            continue
        meant_for = [ri for ri in users if permits(root, ri.identity, "wx") is Tri.YES]
        if not meant_for:
            continue
        site = [n.path for n in intent.needs if n.role is Role.SITE_PACKAGES]
        if any(_fixed_after(build, p, run.line) for p in site or [venv]):
            continue
        made = _as_created(run, site[0] if site else venv, build.fs)
        meant_for = [ri for ri in meant_for if permits(made, ri.identity, "wx") is not Tri.YES]
        if not meant_for or (run.line, venv) in seen:
            continue  # the install's umask and a setgid group keep what it creates writable for them
        seen.add((run.line, venv))
        who = meant_for[0]
        yield Problem(
            run.line,
            venv,
            f"`{command(run.argv)}` runs as root and installs into `{venv}`, which is prepared for "
            f"{who.identity.label()} ({who.source}; it is {state_text(root.uid, root.gid, root.mode)}): "
            f"{_created_text(build, run.line, site, made)}, so that user cannot upgrade or uninstall these packages "
            "later.",
            _fix(venv, root, made, who.identity, site, run),
            stage=run.stage,
            premises=(path_premise(build.fs, venv, root), *run_premises(run), _later(run, who.identity)),
            causes=tuple(PathSetAt(run.line, p) for p in _packages_made(build, run.line, site)),
            edits=_edits(build, run, venv, site, who.identity),
        )


def _later(run: ToolRun, who: Identity) -> Premise:
    """What the finding rests on but cannot see: a later upgrade or uninstall by that user. Measured (pip 26.3, uv
    0.13.9, docs/MEASUREMENTS.md): uv fails on the first file it cannot delete; pip fails for some packages (on a
    file of cowsay 6.1's .dist-info, on a single module's bytecode in site-packages/__pycache__) and only moves
    others aside with a warning."""
    return Premise(
        PremiseKind.COMMAND,
        " ".join(run.argv),
        Knowledge.ASSUMED,
        run.line,
        assumption=f"that {who.label()} later upgrades or uninstalls these packages (uv fails on the first file it "
        "cannot delete; pip fails on some packages and leaves others behind with a warning)",
    )


def _conda_prefix(intent: Intent) -> str | None:
    """The prefix a conda/mamba install writes into (the environment whose conda-meta it updates)."""
    for n in intent.needs:
        if n.role is Role.CONDA_ENV and posixpath.basename(n.path) == "conda-meta":
            return posixpath.dirname(n.path)
    return None


def _fix_permissions(run: ToolRun, venv: str) -> str | None:
    """The Jupyter Docker Stacks way (their images have `fix-permissions` and NB_GID): after every root install,
    in the same RUN, fix the group of what it created."""
    if run.getenv("NB_GID") is None:
        return None
    return 'fix-permissions "${CONDA_DIR}"' if run.getenv("CONDA_DIR") == venv else f"fix-permissions {venv}"


def _edits(build: Build, run: ToolRun, venv: str, site: list[str], who: Identity) -> tuple[Edit, ...]:
    fixer = _fix_permissions(run, venv)
    if fixer is not None:
        return append_run(build, run.line, f" && {fixer}", changes=Changes.COMMANDS)
    return tuple(group_install_edits(build, run.line, site[0] if site else venv, run.stage, who))


def _as_created(run: ToolRun, site: str, final: FileSystem) -> Node:
    """A directory the install creates in `site` (as the install found it, else as the final image has it)."""
    return created_dir((run.fs or final).get(site), run.identity, run.umask)


def _packages_made(build: Build, line: int, site: list[str]) -> list[str]:
    """The package directories the install at `line` made in `site`, as they still are."""
    return [p for s in site for p in build.fs.children(s) if (n := build.fs.get(p)) is not None and n.tag("package")
            and n.history and n.history[-1].cause.line == line]  # fmt: skip


def _created_text(build: Build, line: int, site: list[str], made: Node) -> str:
    named = _packages_made(build, line, site)
    what = ", ".join(f"`{p}`" for p in named[:3]) + (" and others" if len(named) > 3 else "") if named else (
        "the directories it creates in site-packages")  # fmt: skip
    return f"{what} {'are' if len(named) != 1 else 'is'} created {state_text(made.uid, made.gid, made.mode)}"


def _fix(venv: str, root: Node, made: Node, who: Identity, site: list[str], run: ToolRun) -> str:
    fixer = _fix_permissions(run, venv)
    if fixer is not None:
        return (f"end this RUN with `&& {fixer}` (in the same layer, it gives what the install created to group "
                f"{root.gid}), as the Jupyter Docker Stacks do after every root install; or install as "
                f"`USER {who.uid if who.uid is not None else 'NB_UID'}`")  # fmt: skip
    group = root.gid if root.gid is not None else "its group"
    where = site[0] if site else venv
    setgid = made.mode is not None and bool(made.mode & 0o2000)
    text = f"keep what this RUN installs writable for group {group}: start it with `umask 002 &&`"
    if root.gid not in (None, 0) and not setgid:
        text += f" and make `{where}` setgid first (`chmod g+s {where}`, as root), so new directories get group {group}"
    if root.uid is not None and root.uid == who.uid and root.uid != 0:
        text += f"; or install as the venv's owner (`USER {root.uid}` before this RUN)"
    return text + f"; or run `fix-permissions {venv} -P` once after the last root install"


def _fixed_after(build: Build, path: str, line: int) -> bool:
    node = build.fs.get(path)
    if node is None:
        return False
    return any(ch.cause.line >= line and ch.action in FIXES for ch in node.history)
