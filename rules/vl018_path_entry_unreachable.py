"""## What it does
Finds a program the runtime user is meant to run — the container's own command, or one from `PATH` (a `PATH`
directory, or a symlink in one) — that lives somewhere the user cannot reach: typically a tool installed under
`/root` (`/root/.local/bin`, `/root/.poetry`) while the image runs as another user.

## Why is this bad?
The command is not found or fails with `Permission denied`: `ENV PATH=/root/.local/bin:$PATH` with
`USER app`, `/usr/local/bin/poetry -> /root/.poetry/bin/poetry` ("can't install packages via poetry as a non root
user"), or `CMD ["/root/.local/bin/app"]`, which does not start at all (an error).

## Example
```dockerfile
FROM python:3.12-slim
RUN pip install --user poetry
ENV PATH=/root/.local/bin:$PATH
RUN useradd -m app
USER app
```

## Use instead
Install tools outside `/root`: `pipx install --global`, `uv tool install` with `UV_TOOL_DIR=/opt/uv-tools` and
`UV_TOOL_BIN_DIR=/usr/local/bin`, or `POETRY_HOME=/opt/poetry`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from venvlint.findings import PathSetAt, Problem, Severity
from venvlint.query import (
    Build,
    Found,
    Identity,
    Kind,
    RuntimeIdentity,
    Tri,
    Verdict,
    can_traverse,
    normpath,
    path_premise,
    permits,
)

from ._common import closed_by, command

CODE = "VL018"
NAME = "path-entry-unreachable"
SEVERITY = Severity.WARNING
SUMMARY = "A PATH directory, or a tool linked into one, is unreachable for the runtime user"
SCENARIOS = ("S15",)
REFERENCES = (
    "https://github.com/nikolaik/docker-python-nodejs/issues/19",
    "https://github.com/python-poetry/poetry/issues/8408",
)
FIX = "manual"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    fs = build.fs
    path_env = build.final.env.get("PATH", "")
    users = [ri for ri in build.runtime_identities if not ri.identity.is_root or ri.identity.arbitrary]
    if not users:
        return
    yield from _commands_unreachable(build, users)
    if not path_env:
        return
    env_line = _env_line(build)
    reach: dict[tuple[str, Identity], Verdict] = {}
    for d in dict.fromkeys(p for p in path_env.split(":") if p.startswith("/")):
        node = fs.get(fs.resolve(d))
        # A directory the model may not hold (a `pip install --user` made it, or not: scripts only) is still out
        # of reach when a directory above it is; one known absent is only skipped by the lookup.
        maybe = node is None and not fs.is_known_absent(fs.resolve(d))
        for ri in users:
            if not maybe and (node is None or node.kind is not Kind.DIR):
                break
            v = can_traverse(fs, ri.identity, fs.resolve(d))
            ok = v.result is Tri.YES and (node is None or permits(node, ri.identity, "x") is not Tri.NO)
            if v.result is Tri.UNKNOWN or ok:
                continue
            yield Problem(
                env_line,
                d,
                f"`{d}` is on PATH (line {env_line}) but {ri.identity.label()} ({ri.source}) cannot reach it: "
                f"{v.reason if v.result is Tri.NO else d + ' is not searchable'}.",
                _fix(v.path if v.result is Tri.NO else d),
                premises=v.premises or (path_premise(fs, fs.resolve(d), node), ri.identity.premise()),
            )
            break
        if node is None:
            continue
        for link in fs.children(fs.resolve(d)):
            ln = fs.get(link)
            if ln is None or ln.kind is not Kind.SYMLINK or not ln.target:
                continue
            target = fs.resolve(normpath(ln.target, fs.resolve(d)))
            if fs.get(target) is None:
                continue
            for ri in users:
                # can_traverse depends only on the directories above the target: once per directory and user.
                key = (posixpath.dirname(target), ri.identity)
                v = reach.get(key) or reach.setdefault(key, can_traverse(fs, ri.identity, target))
                if v.result is not Tri.NO:
                    continue
                line = ln.history[-1].cause.line if ln.history else env_line
                made = fs.get(target)
                yield Problem(
                    line,
                    link,
                    f"`{link}` (on PATH) points to `{target}`, which {ri.identity.label()} ({ri.source}) cannot "
                    f"reach: {v.reason}.",
                    _fix(v.path, linked=True),
                    premises=v.premises,
                    # A venv's interpreter out of reach is interpreter-unreachable's, which names the same cause.
                    causes=(PathSetAt(made.history[0].cause.line, target),) if made and made.history else (),
                )
                break


def _commands_unreachable(build: Build, users: list[RuntimeIdentity]) -> Iterator[Problem]:
    """The container's command when its program (named by path, or found on PATH) sits below a directory the
    runtime user cannot enter: it does not start (`permission denied`)."""
    fs = build.fs
    for argv, line in build.commands:
        if not argv:
            continue
        if "/" in argv[0]:  # named by path: that place, whether or not the model knows the file
            program: str | None = normpath(argv[0], build.final.workdir)
        else:
            found = build.resolve(argv[0], env=build.final.env, fs=fs)
            program = found.path if found.found is Found.YES else None
        if program is None:
            continue
        for ri in users:
            v = can_traverse(fs, ri.identity, program)
            if v.result is not Tri.NO:
                continue
            yield Problem(
                line,
                program,
                f"the container runs `{command(argv)}` as {ri.identity.label()} ({ri.source}), who cannot reach "
                f"`{program}`: {v.reason}. It does not start (`permission denied`).",
                _fix(v.path),
                severity=Severity.ERROR,
                premises=v.premises,  # the traversal verdict names who it refuses, as far as that matters
                causes=closed_by(fs, v.path),
            )
            break


def _fix(closed: str, linked: bool = False) -> str:
    """Move what lives in a home that is private by design; open up, without recursion, any other directory."""
    if closed == "/root" or closed.startswith("/root/"):
        if linked:
            return "install the tool outside /root and link it from there"
        return "install the tool outside /root (pipx --global, UV_TOOL_DIR=/opt/..., POETRY_HOME=/opt/poetry)"
    return f"give `{closed}` search permission for that user, without recursion (`chmod o+x {closed}`, as root)"


def _env_line(build: Build) -> int:
    return build.env_line("PATH") or build.final.user_line
