"""## What it does
For an environment shared through its group — the UBI/sclorg and Open Data Hub layout, `/opt/app-root` owned
`1001:0` with group write, for OpenShift's arbitrary uid in group 0 — finds a `RUN` that installs into it with the
default umask `022`: the directories the install creates are `0755`, so a user who writes the environment only
through the group cannot write them. That holds whoever installs: uid 1001, or root followed by the usual
`chown -R 1001:0` (a `chown` keeps the modes: it gives the directories to group 0 without group write).

The finding is at the install, the line that made the directories so. It is an error when the container itself
installs as such a user and must replace what this install put there (a `CMD uv pip install --upgrade` of one of
its packages); a warning otherwise, assuming that a sharing user upgrades, reinstalls or removes those packages.

## Why is this bad?
The arbitrary uid shares only the group with the files, so it cannot upgrade or remove what this step installed.
Measured (pip 23.0.1 to 26.3, uv 0.13.9): new directories are `0777 & ~umask`, `0755` under umask 022 and `0775`
under `002`; `chown -R 1001:0` keeps those modes. As uid 12345 in group 0, `pip install <new package>` works, but
`pip install --force-reinstall six` fails (`Permission denied: 'six.cpython-311.pyc'`), and uv fails to remove the
old files. Fixing it afterwards takes a recursive `chmod -R g+w` or `fix-permissions`, which is slow and
duplicates layers.

## Example
```dockerfile
FROM registry.access.redhat.com/ubi9/python-311
USER 0
RUN pip install --no-cache-dir flask
RUN chown -R 1001:0 /opt/app-root
USER 1001
```

## Use instead
Install with a group-friendly umask, so that directories are created `g=u` from the start (or install as
`USER 1001` with `umask 002`, as the s2i images do):
```dockerfile
RUN umask 002 && pip install --no-cache-dir flask
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from venvlint.edits import Changes
from venvlint.findings import PathSetAt, Problem, Severity
from venvlint.query import (
    Act,
    Action,
    Build,
    Found,
    Identity,
    Intent,
    Knowledge,
    Need,
    Node,
    Premise,
    PremiseKind,
    RuntimeIdentity,
    Tri,
    format_mode,
    path_premise,
    permits,
)

from ._common import change_text, command, prefix_run, run_premises, where

CODE = "VL019"
NAME = "umask-for-shared-venv"
SEVERITY = Severity.WARNING
SUMMARY = "An install into a group-shared venv runs with umask 022: a user sharing the group cannot replace it"
SCENARIOS = ("S17", "S20")
REFERENCES = (
    "https://github.com/opendatahub-io/notebooks/issues/3928",
    "https://github.com/linagora/openrag/pull/844",
    "https://github.com/sclorg/s2i-python-container/issues/210",
)
FIX = "safe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    installed = _installed_dirs(build)
    reported: set[int] = set()
    for intent in build.build_intents:
        run = intent.run
        if run.line in reported or run.umask & 0o020 == 0 or intent.venv is None:
            continue
        if intent.invocation.act not in (Act.INSTALL, Act.SYNC):
            continue
        # The packages it names (another command of the same RUN, `python -m venv`, makes `pip`).
        named = set(intent.invocation.distributions)
        dirs = [(p, n) for p, n in installed.get((run.stage, run.line), []) if n.tag("package") in named]
        problem = _closed_for_sharer(build, intent, dirs)
        if problem is not None:
            reported.add(run.line)
            yield problem
    yield from _umask_only(build, reported)


def _installed_dirs(build: Build) -> dict[tuple[str, int], list[tuple[str, Node]]]:
    """The package directories of the image, by the (stage, line) of the install that created them."""
    out: dict[tuple[str, int], list[tuple[str, Node]]] = {}
    for path, node in build.directories():
        for ch in node.history:
            if ch.action is Action.INSTALL and node.tag("package") is not None:
                out.setdefault((ch.cause.stage, ch.cause.line), []).append((path, node))
    return out


def _in_group(who: Identity, gid: int | None) -> bool:
    return gid is not None and (who.gid == gid or gid in who.groups or (who.arbitrary and gid == 0))


def _sharers(build: Build, site: Node) -> list[RuntimeIdentity]:
    """The runtime identities that write `site` only through its group: not root, not its owner (an arbitrary uid
    never is), in its group. These are who the environment is shared with."""
    return [
        ri
        for ri in build.runtime_identities
        if not ri.identity.is_root
        and (ri.identity.arbitrary or ri.identity.uid != site.uid)
        and _in_group(ri.identity, site.gid)
        and permits(site, ri.identity, "wx") is Tri.YES
    ]


def _closed_for_sharer(build: Build, intent: Intent, dirs: list[tuple[str, Node]]) -> Problem | None:
    """The directories this install created that a sharing user cannot write in the final image, although it can
    write the site-packages they are in and is in their group (so `umask 002` alone makes them writable)."""
    run = intent.run
    for ri in _runtime_sharers(build, dirs):
        who = ri.identity
        closed = [
            (p, n) for p, n in dirs
            if _in_group(who, n.gid) and permits(n, who, "wx") is Tri.NO
            and (site := build.fs.get(posixpath.dirname(p))) is not None and ri in _sharers(build, site)
        ]  # fmt: skip
        if not closed:
            continue
        path, node = closed[0]
        needed = _runtime_need(build, who, {p for p, _ in closed})
        last = node.history[-1]
        made = next(ch for ch in node.history if ch.action is Action.INSTALL and ch.cause.line == run.line)
        kept = (
            f"; {where(last)} gave it to {change_text(last)} and kept the mode"
            if last.seq != made.seq and last.mode == made.mode
            else f"; it is {change_text(last)} now"
            if last.seq != made.seq
            else ""
        )
        others = f" (and {len(closed) - 1} more)" if len(closed) > 1 else ""
        as_whom = "root" if run.identity.is_root else run.identity.label()
        related: tuple[int, ...] = ()
        if needed is not None:
            line, text, premises = needed
            fails = "it fails" if not premises else "it fails where " + premises[0].assumption.removeprefix("that ")
            consequence = (
                f"The container's `{text}` (line {line}) runs as {who.label()} and must replace them: {fails}."
            )
            severity, related, assumed = Severity.ERROR, (line,), premises
        else:
            consequence = f"{_cap(who.label())} cannot upgrade, reinstall or remove what this step installed."
            severity, assumed = Severity.WARNING, (_upgrade_assumption(run.line, path, who),)
        return Problem(
            run.line,
            path,
            f"`{command(run.argv)}` runs as {as_whom} with umask {run.umask:03o}, so the directories it creates are "
            f"{format_mode(made.mode)}: `{path}`{others} was made {change_text(made)}{kept}. {_cap(who.label())} "
            f"({ri.source}) writes `{intent.venv}` only through group {node.gid}, which has no write on them. "
            f"{consequence}",
            "start the RUN with `umask 002 &&` so that what it installs is created group-writable (no recursion), "
            f"or install as the environment's owner with that umask{_fix_permissions(build, intent.venv)}",
            severity=severity,
            stage=run.stage,
            related=related,
            premises=(path_premise(build.fs, path, node), who.premise(), *run_premises(run), *assumed),
            causes=tuple(PathSetAt(n.history[-1].cause.line, p) for p, n in closed),
            count=len(closed),
            edits=prefix_run(build, run.line, "umask 002 && ", changes=Changes.OWNERSHIP),
        )
    return None


def _runtime_sharers(build: Build, dirs: list[tuple[str, Node]]) -> list[RuntimeIdentity]:
    seen: list[RuntimeIdentity] = []
    for p, _ in dirs:
        site = build.fs.get(posixpath.dirname(p))
        for ri in _sharers(build, site) if site is not None else []:
            if ri not in seen:
                seen.append(ri)
    return seen


def _runtime_need(build: Build, who: Identity, paths: set[str]) -> tuple[int, str, tuple[Premise, ...]] | None:
    """The container command that must write one of `paths` as `who` and cannot: its line, its command and what
    that rests on that is not known (nothing for a FATAL need on known facts, the first found)."""
    found: list[tuple[int, int, str, tuple[Premise, ...]]] = []
    for intent, ri in build.runtime_intents:
        if ri.identity != who:
            continue
        for need in intent.needs:
            if need.path not in paths or need.need is Need.DEGRADED:
                continue
            verdict = build.check(need, who)
            if not verdict.no:
                continue
            unknown = tuple(p for p in (*verdict.premises, *need.premises) if not p.known)
            if any(p.knowledge is Knowledge.UNKNOWN for p in unknown):
                continue  # a fact nobody knows: this command says nothing either way
            if need.need is not Need.FATAL and not unknown:
                unknown = (_upgrade_assumption(intent.run.line, need.path, who),)
            found.append((len(unknown), intent.run.line, command(intent.run.argv), unknown))
    if not found:
        return None
    _, line, text, unknown = min(found, key=lambda f: (f[0], f[1]))
    return line, text, unknown


def _fix_permissions(build: Build, venv: str | None) -> str:
    """The sclorg images' own repair, where the image may have it: recursive, so once, after the last install."""
    if build.resolve("fix-permissions").found is Found.NO:
        return ""
    return (
        f"; where the image has `fix-permissions` (the sclorg images do), `fix-permissions {venv} -P` as root once, "
        "after the last install (it is recursive)"
    )


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _upgrade_assumption(line: int, path: str, who: Identity) -> Premise:
    return Premise(
        PremiseKind.COMMAND,
        path,
        Knowledge.ASSUMED,
        line,
        assumption=f"that {who.label()} upgrades, reinstalls or removes what line {line} installed (nothing the "
        "image runs does)",
    )


def _umask_only(build: Build, reported: set[int]) -> Iterator[Problem]:
    """Where the install's own directories are not in the model (a requirements file): an install by a user other
    than root into a group-0 environment of an arbitrary-uid image, with umask 022. Whether a later step restores
    group write is not followed, so this says only what to prefer (info)."""
    if not any(ri.identity.arbitrary for ri in build.runtime_identities):
        return
    for intent in build.build_intents:
        run = intent.run
        if run.identity.is_root or run.umask & 0o020 == 0 or intent.venv is None or run.line in reported:
            continue
        if intent.invocation.act not in (Act.INSTALL, Act.SYNC):
            continue
        root = (run.fs or build.fs).get(intent.venv)
        if root is None or root.gid != 0:
            continue
        reported.add(run.line)
        yield Problem(
            run.line,
            intent.venv,
            f"`{command(run.argv)}` installs into `{intent.venv}` (group 0) with umask "
            f"{run.umask:03o}: the new files are not group-writable, so the arbitrary uid the image is meant for "
            "cannot upgrade or remove them later.",
            "start the RUN with `umask 002 &&` so installed files get g=u",
            severity=Severity.INFO,
            stage=run.stage,
            premises=(path_premise(run.fs or build.fs, intent.venv, root), *run_premises(run)),
            edits=prefix_run(build, run.line, "umask 002 && ", changes=Changes.OWNERSHIP),
        )
