"""## What it does
For images meant to run as OpenShift's arbitrary uid (group 0), finds a `RUN` that installs into a group-0 venv as
its owner with the default umask `022`: the new files and directories are not group-writable.

## Why is this bad?
The arbitrary uid shares only the group with the files, so it cannot upgrade or remove what this step installed:
`Permission denied on __editable__*.pth`, `uv` wheel files extracted without `g+w`. Fixing it afterwards takes a
recursive `chmod -R g+w` or `fix-permissions`, which is slow and duplicates layers.

## Example
```dockerfile
FROM registry.access.redhat.com/ubi9/python-311
RUN pip install -r requirements.txt
```

## Use instead
Install with a group-friendly umask, so files are created `g=u` from the start:
```dockerfile
RUN umask 002 && pip install -r requirements.txt
```
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.edits import Changes
from venvlint.findings import Problem, Severity
from venvlint.query import Act, Build, path_premise

from ._common import command, prefix_run, run_premises

CODE = "VL019"
NAME = "umask-for-shared-venv"
SEVERITY = Severity.INFO
SUMMARY = "An install into a group-0 venv of an arbitrary-uid image runs with umask 022"
SCENARIOS = ("S20",)
REFERENCES = ("https://github.com/opendatahub-io/notebooks/issues/3928", "https://github.com/linagora/openrag/pull/844")
FIX = "safe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    if not any(ri.identity.arbitrary for ri in build.runtime_identities):
        return
    seen: set[int] = set()
    for intent in build.build_intents:
        run = intent.run
        if run.identity.is_root or run.umask & 0o020 == 0 or intent.venv is None or run.line in seen:
            continue
        if intent.invocation.act not in (Act.INSTALL, Act.SYNC):
            continue
        root = (run.fs or build.fs).get(intent.venv)
        if root is None or root.gid != 0:
            continue
        seen.add(run.line)
        yield Problem(
            run.line,
            intent.venv,
            f"`{command(run.argv)}` installs into `{intent.venv}` (group 0) with umask "
            f"{run.umask:03o}: the new files are not group-writable, so the arbitrary uid the image is meant for "
            "cannot upgrade or remove them later.",
            "start the RUN with `umask 002 &&` so installed files get g=u",
            stage=run.stage,
            premises=(path_premise(run.fs or build.fs, intent.venv, root), *run_premises(run)),
            edits=prefix_run(build, run.line, "umask 002 && ", changes=Changes.OWNERSHIP),
        )
