"""## What it does
Finds a virtual environment whose interpreter (the target of `bin/python`) the runtime user cannot reach: some
directory on the way lacks search (`x`) permission for that user — typically a uv-managed Python downloaded into
`/root/.local/share/uv/python` (`/root` is `0700`) by a build that ran as root (`uv python install`, or a
`uv venv --python X.Y` that found no such Python) or a pyenv version in `/root/.pyenv/versions`, used by a venv
the image runs as another user. Every link on the way counts, as the kernel reads each: a venv made from a link
under `/root` is closed even when the link points at `/usr/bin/python3`. Also a venv the container's command runs
from (its `bin/` named or first on `PATH`) that the runtime user cannot enter at all: `chmod 700` on the venv, or a
`0700` directory above it.

## Why is this bad?
Nothing in the venv starts: `bad interpreter: Permission denied`, `failed to canonicalize path
/app/.venv/bin/python3: Permission denied`.

## Example
```dockerfile
FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim
WORKDIR /app
RUN uv venv --python 3.13 && uv pip install requests
USER nobody
CMD [".venv/bin/python", "main.py"]
```

## Use instead
Install the managed Python where everyone can read it, or use the image's system Python:
```dockerfile
ENV UV_PYTHON_INSTALL_DIR=/opt/python
# or: ENV UV_PYTHON_DOWNLOADS=never with a python base image
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from venvlint.edits import Changes
from venvlint.findings import PathSetAt, Problem, Severity
from venvlint.query import PYTHON, Build, Found, Kind, Tri, can_traverse, normpath, path_premise, permits

from ._common import as_root_before, closed_by, command, describe_path, env_dir_edit

CODE = "VL013"
NAME = "interpreter-unreachable"
SEVERITY = Severity.ERROR
SUMMARY = "The runtime user cannot reach a venv's interpreter (a directory on the way is not searchable)"
SCENARIOS = ("S4",)
REFERENCES = ("https://github.com/astral-sh/uv/issues/7758", "https://github.com/astral-sh/uv/issues/13309")
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    fs = build.fs
    for env in build.environments():
        venv = env.root
        closed = _venv_closed(build, venv)
        if closed is not None:
            yield closed
            continue
        link = fs.get(posixpath.join(venv, "bin", "python"))
        if link is None or link.kind is not Kind.SYMLINK or not link.target:
            continue
        hops = _hops(build, normpath(link.target, posixpath.join(venv, "bin")))
        target = fs.resolve(hops[0])
        exe = fs.get(target)
        if exe is None:
            continue  # venv-interpreter-missing
        for ri in build.runtime_identities:
            who = ri.identity
            if who.is_root and not who.arbitrary:
                continue
            # The kernel reads every link on the way: each hop's directories must be searchable, not only the
            # interpreter's (a link under /root to /usr/bin/python3 is as closed as the interpreter there).
            verdict, hop = next(((v, h) for h in hops if (v := can_traverse(fs, who, h)).result is not Tri.YES),
                                (can_traverse(fs, who, target), target))  # fmt: skip
            if verdict.result is Tri.YES and permits(exe, who, "x") is not Tri.NO:
                continue
            if verdict.result is Tri.UNKNOWN:
                continue
            reason = verdict.reason if verdict.result is Tri.NO else f"{target} is not executable for {who.label()}"
            at = fs.get(fs.resolve(hop, follow_last=False)) or exe
            cause = at.history[0].cause if at.history else link.history[-1].cause
            shown = hops[-1] if hop == target else hop
            uv = at.tag("managed-python") == "uv"
            yield Problem(
                cause.line,
                venv,
                f"`{venv}/bin/python` points to `{shown}`, created at line {cause.line} (`{cause.instruction}`); "
                f"{who.label()} ({ri.source}) cannot reach it: {reason}{describe_path(fs, verdict.path)}.",
                "install the interpreter where every user can read it (`ENV UV_PYTHON_INSTALL_DIR=/opt/python` "
                "before that line) or use the image's Python (`ENV UV_PYTHON_PREFERENCE=only-system`)"
                if uv and cause.keyword == "RUN"
                else "install the managed Python where every user can read it in the stage that installs it "
                "(`ENV UV_PYTHON_INSTALL_DIR=/opt/python`) and copy that directory instead"
                if uv
                else f"create the venv from an interpreter outside `{verdict.path}` (`/usr/bin/python3 -m venv ...`)",
                stage=cause.stage,
                related=build.commands_from(posixpath.join(venv, "bin")),
                premises=verdict.premises or (path_premise(fs, target, exe), who.premise()),
                causes=(PathSetAt(cause.line, fs.resolve(hop, follow_last=False)),),
                edits=env_dir_edit(build, cause.stage, cause.line, "UV_PYTHON_INSTALL_DIR", "/opt/python")
                if cause.keyword == "RUN" and uv
                else (),
            )
            break


def _hops(build: Build, first: str) -> list[str]:
    """The paths the kernel reads from `first` on: each symlink's location, then its target, up to the file (the
    last item is where the chain ends, unresolved)."""
    fs = build.fs
    out = [first]
    for _ in range(40):
        real = fs.resolve(out[-1], follow_last=False)
        node = fs.get(real)
        if node is None or node.kind is not Kind.SYMLINK or not node.target:
            break
        out.append(normpath(node.target, posixpath.dirname(real)))
    return out


def _runs_from(build: Build, venv: str) -> tuple[tuple[str, ...], int, bool] | None:
    """The container command when it runs a program of `venv/bin`: named by path, or a Python found there first
    on PATH (the last item: found through PATH)."""
    commands = build.commands
    if not commands:
        return None
    argv, line = commands[0]
    exe = argv[0] if argv else ""
    bindir = posixpath.join(venv, "bin")
    if exe.startswith(bindir + "/"):
        return argv, line, False
    if "/" in exe or not PYTHON.fullmatch(exe):
        return None
    found = build.resolve(exe, env=build.final.env)
    if found.found is Found.YES and found.directory == bindir:
        return argv, line, True
    return None  # another Python, or one venvlint cannot name


def _venv_closed(build: Build, venv: str) -> Problem | None:
    found = _runs_from(build, venv)
    if found is None:
        return None
    argv, line, via_path = found
    fs = build.fs
    for ri in build.runtime_identities:
        who = ri.identity
        if who.is_root and not who.arbitrary:
            continue
        verdict = can_traverse(fs, who, posixpath.join(venv, "bin", "python"))
        if verdict.result is not Tri.NO:
            continue
        return Problem(
            line,
            venv,
            f"the container runs `{command(argv)}` from `{venv}` as {who.label()} ({ri.source}), who cannot enter "
            f"it: {verdict.reason}{describe_path(fs, verdict.path)}. "
            + (
                "The PATH lookup skips the venv and runs another Python, without the venv's packages."
                if via_path
                else "Nothing in the venv starts (`Permission denied`)."
            ),
            f"give the venv's directories search permission for that user, without recursion: `RUN chmod o+rx "
            f"{verdict.path}` (as root), or create the venv as that user",
            stage=build.final.name,
            premises=verdict.premises,  # the traversal verdict names who it refuses, as far as that matters
            causes=closed_by(fs, verdict.path),
            edits=as_root_before(
                build, build.final.name, line, f"RUN chmod o+rx {verdict.path}", changes=Changes.OWNERSHIP
            ),
        )
    return None
