"""## What it does
Finds a virtual environment copied with `COPY --from` into a directory the COPY itself created: that directory is
`0:0 0755` whatever it was in the source stage (COPY copies the *contents* of a directory, not the directory), so
the venv's contents belong to the user but its root does not.

## Why is this bad?
`COPY --from=builder /opt/app-root /opt/app-root` into a fresh stage leaves `/opt/app-root` root-owned `0755`
even though the builder had it `1001:0 0775`. uv then cannot take its lock in the venv root (uv < 0.7.19 fails),
and packages with data files (`share/`, `etc/`) cannot be installed.

## Example
```dockerfile
FROM registry.access.redhat.com/ubi9/python-311 AS builder
RUN pip install -r requirements.txt
FROM registry.access.redhat.com/ubi9-minimal
COPY --from=builder /opt/app-root /opt/app-root
USER 1001
```

## Use instead
`COPY --from=builder --chown=1001:0 /opt/app-root /opt/app-root`, or create the directory with the right owner
before the copy (`RUN install -d -o 1001 -g 0 -m 775 /opt/app-root`).
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.edits import Changes
from venvlint.findings import Problem, Severity
from venvlint.query import Action, Build, Identity, Knowledge, Premise, PremiseKind, Tri, path_premise, permits

from ._common import as_root_before, state_text

CODE = "VL010"
NAME = "venv-root-created-by-copy-from"
SEVERITY = Severity.WARNING
SUMMARY = "COPY --from created a venv's root directory as 0:0 0755 while its contents belong to the user"
SCENARIOS = ("S1",)
REFERENCES = ("https://github.com/moby/buildkit/issues/1941",)
FIX = "safe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    fs = build.fs
    for env in build.environments():
        venv = env.root
        root = fs.get(venv)
        if root is None or not root.history:
            continue
        first = root.history[0]
        if first.cause.copy_from is None or first.action is not Action.CREATED:
            continue
        if len(root.history) > 1:
            continue  # something changed it afterwards (a chown, a chmod): judged by the other rules
        for ri in build.runtime_identities:
            who = ri.identity
            if who.is_root and not who.arbitrary:
                continue
            if permits(root, who, "wx") is not Tri.NO:
                continue
            owns_contents = any(
                (n := fs.get(p)) is not None and permits(n, who, "wx") is Tri.YES
                for p in fs.children(venv)
                if fs.get(p) is not None and fs.nodes[p].kind.value == "dir"
            )
            if not owns_contents:
                continue
            owner = _owner(build, venv)
            uid, _, gid = owner.partition(":")
            make = f"RUN install -d -o {uid} -g {gid} -m 775 {venv}" if uid else f"RUN install -d -m 775 {venv}"
            yield Problem(
                first.cause.line,
                venv,
                f"`{venv}` was created by line {first.cause.line} (`{first.cause.instruction}`) as "
                f"{state_text(root.uid, root.gid, root.mode)}: COPY --from copies the contents of a directory, not "
                f"the directory itself. Its contents are writable by {who.label()} ({ri.source}) but the venv root "
                "is not: uv's lock file and packages with data files (share/, etc/) need it.",
                f"create `{venv}` with that owner before the COPY: `{make}` (as root); `COPY --from=... "
                f"--chown={owner}` gives the root to that user too but keeps its 0755",
                stage=first.cause.stage,
                premises=(path_premise(fs, venv, root), who.premise(), _root_needed(venv, who, first.cause.line)),
                edits=as_root_before(build, first.cause.stage, first.cause.line, make, changes=Changes.OWNERSHIP)
                if uid
                else (),
            )
            break


def _root_needed(venv: str, who: Identity, line: int) -> Premise:
    """What makes a closed venv root fail, which the build does not show: measured (pip 26.3, uv 0.13.9), plain
    packages install into a user-writable site-packages whatever the root; a package with data files and uv
    before 0.7.19 (its lock) need the root."""
    return Premise(
        PremiseKind.COMMAND,
        venv,
        Knowledge.ASSUMED,
        line,
        assumption=f"that {who.label()} installs packages with data files (share/, etc/), or uses uv older than "
        f"0.7.19, in {venv}",
    )


def _owner(build: Build, venv: str) -> str:
    for p in build.fs.children(venv):
        n = build.fs.get(p)
        if n is not None and n.uid not in (None, 0):
            return f"{n.uid}:{n.gid}"
    return ""
