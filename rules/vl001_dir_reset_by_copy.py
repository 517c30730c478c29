"""## What it does
Finds a directory that already existed in the image, writable for the user who needs it (a venv, HOME, a cache or
a temp directory), whose owner and mode were replaced by a `COPY` or `ADD` whose source tree also contains that
directory, so that the user can no longer write it.

## Why is this bad?
`COPY tree/ /` does not only add files. Every directory *inside* the source tree is applied to the image with the
source's metadata: owner `0:0` (or `--chown`) and the mode from the build context, usually `0755`. If the tree holds
`opt/app-root/` just to carry a config file, the image's `/opt/app-root` (the UBI/sclorg venv, `1001:0 0775`)
becomes `0:0 0755`. Nothing fails at build time. Later, as uid 1001, `pip install` still works (site-packages kept
its owner) but `uv pip install` fails with `Permission denied (os error 13) at path "/opt/app-root/.tmpXXXX"`
because uv takes a lock file in the venv root, and any package shipping data files (`share/`, `etc/`) fails with
pip too. All builders do this (BuildKit, buildah, the classic builder).

## Example
```dockerfile
FROM registry.access.redhat.com/ubi9/python-311
USER 0
# the context holds nginx/root/opt/app-root/etc/nginx.conf
COPY nginx/root/ /
USER 1001
RUN pip install uv==0.6.6 && uv pip install requests
```
Context: `nginx/root/opt/app-root/etc/nginx.conf`

## Use instead
Restore the directory right after the copy, without recursion (a non-recursive `chown` of one directory adds
almost nothing to the image), and with it every directory below it that the copy reset too (the finding names
them):
```dockerfile
COPY nginx/root/ /
RUN chown 1001:0 /opt/app-root /opt/app-root/etc && chmod 0775 /opt/app-root /opt/app-root/etc
```
or copy the files below it with a narrower source, so the directory itself is the destination and keeps its
owner: `COPY nginx/root/opt/app-root/ /opt/app-root/`. `COPY --chown=1001:0 nginx/root/ /` also works but gives
every directory of the tree (`/opt`, `/etc`, ...) to uid 1001; never `chown -R` the whole venv (it duplicates
the layer).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import NamedTuple

from venvlint.edits import Changes
from venvlint.findings import PathSetAt, Problem, Severity
from venvlint.query import (
    Action,
    Build,
    Change,
    Identity,
    Knowledge,
    Need,
    Premise,
    PremiseKind,
    Tri,
    below,
    format_mode,
    path_premise,
    permits,
    who_premise,
)

from ._common import as_root_after, change_premise, change_text, node_at, run_premises, where

CODE = "VL001"
NAME = "dir-reset-by-copy"
SEVERITY = Severity.ERROR
SUMMARY = "A COPY/ADD source tree replaced the owner and mode of an existing directory the user must write"
SCENARIOS = ("S1",)
REFERENCES = (
    "https://github.com/astral-sh/uv/issues/12200",
    "https://github.com/opendatahub-io/notebooks/pull/986",
)
FIX = "safe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def _needs_at(build: Build, path: str, who: Identity, after: int) -> list[tuple[str, bool, int, tuple[Premise, ...]]]:
    """(why, fatal, line, premises) for every tool that needs `path` writable as `who` (directly, or to create
    below it) and fails without it, always or under a condition (the need's premises name it): the container's,
    and the build's after line `after` (the reset cannot hurt what ran before it)."""
    out: list[tuple[str, bool, int, tuple[Premise, ...]]] = []
    pairs = [(i, i.run.identity) for i in build.build_intents if i.run.line > after]
    pairs += [(i, ri.identity) for i, ri in build.runtime_intents]
    for intent, ident in pairs:
        if ident != who:
            continue
        for n in intent.needs:
            if n.need is Need.DEGRADED:
                continue  # the tool goes on without it
            if n.path == path or (n.create and _deepest_existing(build, n.path) == path):
                out.append((n.why, n.need is Need.FATAL, intent.run.line, (*n.premises, *run_premises(intent.run))))
    return out


def _deepest_existing(build: Build, path: str) -> str:
    p = path
    while p != "/" and build.fs.get(p) is None:
        p = posixpath.dirname(p)
    return p


def _who_matters(build: Build, after_line: int) -> list[tuple[Identity, str]]:
    # OpenShift's arbitrary uid is left to arbitrary-uid-group-write-lost, which explains the group-0 model.
    people: list[tuple[Identity, str]] = []
    for ri in build.runtime_identities:
        if not ri.identity.is_root and not ri.identity.arbitrary:
            people.append((ri.identity, ri.source))
    for intent in build.build_intents:
        ident = intent.run.identity
        if intent.run.line > after_line and not ident.is_root and all(ident != p for p, _ in people):
            people.append((ident, f"the USER of the RUN at line {intent.run.line}"))
    return people


class _Reset(NamedTuple):
    """A directory a COPY/ADD reset that `who` could write before and cannot now."""

    path: str
    before: Change
    reset: Change
    who: Identity
    source: str


def check(build: Build) -> Iterator[Problem]:
    hits: list[_Reset] = []
    for path, node in build.directories():
        if len(node.history) < 2:
            continue
        for i in range(1, len(node.history)):
            reset = node.history[i]
            if reset.action is not Action.COPY_RESET:
                continue
            before = node.history[i - 1]
            for who, source in _who_matters(build, reset.cause.line):
                if permits(node_at(node, before), who, "wx") is not Tri.YES:
                    continue
                if permits(node_at(node, reset), who, "wx") is not Tri.NO:
                    continue
                if permits(node, who, "wx") is not Tri.NO:
                    continue  # repaired later
                hits.append(_Reset(path, before, reset, who, source))
                break
    # One COPY resets a whole tree at once: one finding per line, user and top directory, whose fix restores every
    # directory of it (a fix for the top alone would leave the others shut).
    tops: list[list[_Reset]] = []
    for hit in sorted(hits, key=lambda h: (h.reset.cause.line, h.path.count("/"), h.path)):
        for group in tops:
            top = group[0]
            if (top.reset.cause.line, top.who) == (hit.reset.cause.line, hit.who) and below(hit.path, top.path):
                group.append(hit)
                break
        else:
            tops.append([hit])
    for group in tops:
        yield _finding(build, group)


def _finding(build: Build, group: list[_Reset]) -> Problem:
    top = group[0]
    path, before, reset, who = top.path, top.before, top.reset, top.who
    needs = [(h, n) for h in group for n in _needs_at(build, h.path, who, reset.cause.line)]
    fatal = [hn for hn in needs if hn[1][1] and not hn[1][3]] or [hn for hn in needs if hn[1][1]]
    severity = Severity.ERROR if fatal else Severity.WARNING
    msg = (
        f"`{path}` became {change_text(reset)} at {where(reset)}; before, it was {change_text(before)}, "
        f"set at {where(before)}. {who.label()}, {top.source}, can no longer write it"
    )
    # The finding rests on the directory the failing need is about, as the COPY left it and as it stays, and on
    # who writes it; not on the other directories of the tree, nor on what the directory was before the COPY
    # (that only says which line to blame: an assumption there is said, but lowers nothing).
    hit = (fatal or needs)[0][0] if needs else top
    node = build.fs.get(hit.path)
    premises: tuple[Premise, ...] = (
        who_premise(who, node, "wx") if node is not None else who.premise(),
        change_premise(build.fs, hit.path, hit.reset),
        path_premise(build.fs, hit.path),
    )
    earlier = change_premise(build.fs, path, before, reset)
    if needs:
        _, (why, _, line, run) = (fatal or needs)[0]
        at = "" if hit.path == path else f" (below it, `{hit.path}`)"
        msg += f"{at}: {why} (line {line})."
        premises += run
    else:
        msg += " although the image had made it writable for that user."
        premises += (
            Premise(
                PremiseKind.COMMAND,
                path,
                Knowledge.ASSUMED,
                reset.cause.line,
                assumption=f"that {who.label()} writes `{path}` when the container runs (nothing in the build does)",
            ),
        )
    if not earlier.known:
        msg += f" (venvlint assumed {earlier.assumption.removeprefix('that ')} before the COPY.)"
    them = "it" if len(group) == 1 else "them"
    fix = f"restore {them} right after line {reset.cause.line}, without recursion: `{_restore(group)}` (as root)"
    src_rel = _source_hint(reset, path)
    if src_rel and len(group) == 1:  # a narrower source still resets the directories below the destination
        fix += f"; or copy with a narrower source so `{path}` is the destination and keeps its owner: `{src_rel}`"
    fix += (
        f". `COPY --chown={before.uid}:{before.gid}` also works for that user but chowns every directory of the "
        "source tree and keeps the tree's mode (a 0755 directory still shuts out other users of the group)."
    )
    return Problem(
        reset.cause.line,
        path,
        msg,
        fix,
        severity=severity,
        stage=reset.cause.stage,
        related=tuple(sorted({n[2] for _, n in needs})),
        premises=premises,
        causes=tuple(PathSetAt(reset.cause.line, h.path) for h in group),
        count=len(group),
        edits=as_root_after(build, reset.cause.stage, reset.cause.line, _restore(group), changes=Changes.OWNERSHIP),
    )


def _restore(group: list[_Reset]) -> str:
    """`RUN chown 1001:0 /a /a/etc && chmod 775 /a /a/etc`: each directory back to what it was, named one by one."""
    owners: dict[str, list[str]] = {}
    modes: dict[str, list[str]] = {}
    for h in group:
        owners.setdefault(f"{h.before.uid}:{h.before.gid}", []).append(h.path)
        modes.setdefault(format_mode(h.before.mode).lstrip("0") or "0", []).append(h.path)
    steps = [f"chown {o} {' '.join(ps)}" for o, ps in owners.items()]
    steps += [f"chmod {m} {' '.join(ps)}" for m, ps in modes.items()]
    return "RUN " + " && ".join(steps)


def _source_hint(reset: Change, path: str) -> str | None:
    """For `COPY overlay/ /` and `/opt/app-root`: `COPY overlay/opt/app-root/ /opt/app-root/` (the reset records
    which source directory it came from)."""
    if not reset.source or reset.source.startswith("/"):
        return None
    verb = reset.cause.keyword or "COPY"
    return f"{verb} {reset.source.rstrip('/')}/ {path}/"
