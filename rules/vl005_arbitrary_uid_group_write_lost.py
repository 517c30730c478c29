"""## What it does
For images meant to run under OpenShift's arbitrary uid (any uid, group 0: the sclorg/UBI Python images declare
it, or pass `--runtime-user arbitrary`), finds a directory that group 0 could write — the venv, HOME, a cache —
until an instruction took group write away: a `COPY`/`ADD` that re-applied a `0755` directory from the build
context (even with `--chown=1001:0`), a `chmod 755`, a `chown` to another group, a `COPY --chown=app:app`. Also a
directory a tool must write that a `chown` gave to group 0 — `chown -R 1001:0` after a root install, the OpenShift
convention — without the group write it is for: uid 1001 can write it, the arbitrary uid cannot.

## Why is this bad?
OpenShift runs the container as a random uid (e.g. 1000640000) in group 0. It owns nothing, so only the *group*
permissions count. `1001:0 0755` lets uid 1001 write but not the arbitrary uid: `uv pip install` fails on the
venv root's lock, `pip install` fails as soon as a package writes `share/`, Jupyter fails with
`PermissionError: [Errno 1] Operation not permitted: '/opt/app-root/share/jupyter/...'`.

## Example
```dockerfile
FROM registry.access.redhat.com/ubi9/python-311
USER 0
# overlay/opt/app-root/ is 0755 in git
COPY --chown=1001:0 overlay/ /
USER 1001
```
Context: `overlay/opt/app-root/etc/app.conf`

## Use instead
Keep group permissions equal to the owner's on what the user must write (`g=u`), without recursion where one
directory is enough:
```dockerfile
COPY --chown=1001:0 overlay/ /
RUN chmod g=u /opt/app-root
```
or use `fix-permissions <dir> -P` as root after the last change (it is recursive: run it once, at the end).
If the image never runs on OpenShift, ignore this rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.edits import Changes
from venvlint.findings import PathSetAt, Problem, Severity
from venvlint.query import ARBITRARY, Action, Build, Change, Kind, Tri, format_mode, path_premise, permits

from ._common import as_root_after, change_premise, change_text, node_at, where

CODE = "VL005"
NAME = "arbitrary-uid-group-write-lost"
SEVERITY = Severity.WARNING
SUMMARY = "A directory group 0 could write (for OpenShift's arbitrary uid) lost its group write permission"
SCENARIOS = ("S17", "S18")
REFERENCES = (
    "https://github.com/sclorg/s2i-python-container/issues/210",
    "https://github.com/jupyter-on-openshift/jupyter-notebooks/issues/35",
    "https://github.com/atlanhq/application-sdk/pull/2638",
)
FIX = "safe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    if not any(ri.identity.arbitrary for ri in build.runtime_identities):
        return
    source = next(ri.source for ri in build.runtime_identities if ri.identity.arbitrary)
    needed = {n.path for i in build.build_intents for n in i.needs} | {
        n.path for i, _ in build.runtime_intents for n in i.needs
    }
    # What a user other than root must write: a root build step's needs say nothing about the arbitrary uid.
    written = {n.path for i in build.build_intents if not i.run.identity.is_root for n in i.needs} | {
        n.path for i, _ in build.runtime_intents for n in i.needs
    }
    unshared = _unshared(build, written)
    for path, node in build.directories():
        if permits(node, ARBITRARY, "wx") is not Tri.NO:
            continue
        if not (path in needed or _in_venv_or_home(build, path)):
            continue
        history = node.history
        for i in range(len(history) - 1, 0, -1):
            before, cause = history[i - 1], history[i]
            if (
                permits(node_at(node, before), ARBITRARY, "wx") is Tri.YES
                and permits(node_at(node, cause), ARBITRARY, "wx") is Tri.NO
            ):
                group_w = f"chmod g=u {path}" if cause.gid == 0 else f"chgrp 0 {path} && chmod g=u {path}"
                yield Problem(
                    cause.cause.line,
                    path,
                    f"`{path}` became {change_text(cause)} at {where(cause)}; before, it was {change_text(before)}, "
                    f"set at {where(before)}. The image is meant to run as an arbitrary uid in group 0 ({source}), "
                    "which can no longer write it: only the owner can.",
                    f"after line {cause.cause.line}, as root: `RUN {group_w}` (one directory, no recursion)",
                    stage=cause.cause.stage,
                    premises=(
                        change_premise(build.fs, path, before, cause),
                        change_premise(build.fs, path, cause),
                        path_premise(build.fs, path),
                    ),
                    causes=(PathSetAt(cause.cause.line, path),),
                    edits=as_root_after(
                        build, cause.cause.stage, cause.cause.line, f"RUN {group_w}", changes=Changes.OWNERSHIP
                    ),
                )
                break
        else:
            last = history[-1] if history else None
            if last is not None and path in unshared.get(last.cause.line, ()):
                paths = unshared[last.cause.line]
                yield Problem(
                    last.cause.line,
                    path,
                    f"`{path}` was given to {last.uid}:0 at {where(last)}, group 0 as OpenShift's arbitrary uid "
                    f"needs, but its mode {format_mode(last.mode)} gives the group no write: uid {last.uid} can "
                    f"write it, the arbitrary uid ({source}) cannot.",
                    f"after line {last.cause.line}, as root: `RUN chmod g=u {' '.join(paths)}` (these directories, "
                    "no recursion)",
                    stage=last.cause.stage,
                    premises=(change_premise(build.fs, path, last), path_premise(build.fs, path)),
                    causes=(PathSetAt(last.cause.line, path),),
                    edits=as_root_after(
                        build,
                        last.cause.stage,
                        last.cause.line,
                        f"RUN chmod g=u {' '.join(paths)}",
                        changes=Changes.OWNERSHIP,
                    ),
                )


def _unshared(build: Build, written: set[str]) -> dict[int, list[str]]:
    """By line: the directories a non-root user writes that a chown at that line gave to group 0 without g+w."""
    out: dict[int, list[str]] = {}
    for path in sorted(written):
        node = build.fs.get(path)
        if node is None or node.kind is not Kind.DIR or not node.history or not _for_group_0(node.history[-1]):
            continue
        if permits(node, ARBITRARY, "wx") is Tri.NO:
            out.setdefault(node.history[-1].cause.line, []).append(path)
    return out


def _for_group_0(ch: Change) -> bool:
    """A chown to a non-root user in group 0 (the OpenShift convention) that left group 0 without write."""
    return (ch.action is Action.CHOWN and ch.uid not in (0, None) and ch.gid == 0 and ch.mode is not None
            and not ch.mode & 0o020)  # fmt: skip


def _in_venv_or_home(build: Build, path: str) -> bool:
    roots = list(build.final.venvs)
    home = build.final.env.get("HOME")
    if home:
        roots.append(home)
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)
