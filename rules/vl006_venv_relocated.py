"""## What it does
Finds a virtual environment that a `COPY --from` moved to a different path than the one it was created at.

## Why is this bad?
A venv is not relocatable: its console scripts start with `#!/build/.venv/bin/python` and `pyvenv.cfg` names the
original location. After `COPY --from=builder /build/.venv /app/.venv`, running `/app/.venv/bin/uvicorn` fails with
`No such file or directory` (the shebang's interpreter does not exist) or silently uses another Python.

## Example
```dockerfile
FROM python:3.12-slim AS builder
WORKDIR /build
RUN python -m venv .venv && .venv/bin/pip install uvicorn
FROM python:3.12-slim
COPY --from=builder /build/.venv /app/.venv
```

## Use instead
Create the venv at the path it will have in the final image, in both stages:
```dockerfile
ENV UV_PROJECT_ENVIRONMENT=/opt/venv      # or: python -m venv /opt/venv
COPY --from=builder /opt/venv /opt/venv
```
or create it with `uv venv --relocatable` (its scripts find the interpreter relative to themselves), or start
programs with `python -m uvicorn` instead of the console script.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from venvlint.edits import Changes
from venvlint.findings import Problem, Severity
from venvlint.query import Build, absent_premise

from ._common import as_root_after, used_premise

CODE = "VL006"
NAME = "venv-relocated"
SEVERITY = Severity.ERROR
SUMMARY = "A COPY --from moved a virtual environment to another path: its scripts' shebangs point to the old one"
SCENARIOS = ("S6",)
REFERENCES = (
    "https://github.com/astral-sh/uv/issues/13350",
    "https://github.com/GeiserX/CashPilot/pull/68",
)
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    for env in build.environments():
        node, here = env.config, env.root
        origin = node.tag("venv")
        if origin is None or origin == here or not node.history:
            continue
        if node.tag("relocatable"):
            continue  # `uv venv --relocatable`: its scripts start with #!/bin/sh and exec a relative path
        if build.fs.get(build.fs.resolve(posixpath.join(origin, "pyvenv.cfg"))) is not None:
            continue  # the original path exists in this image too (or links to it): the shebangs still resolve
        cause = node.history[-1].cause
        users = build.commands_from(posixpath.join(here, "bin"), scripts_only=True)
        # The scripts' `#!<origin>/bin/python` then finds the venv through the link (measured: docs/MEASUREMENTS.md).
        link = f"RUN mkdir -p {posixpath.dirname(origin)} && ln -s {here} {origin}"
        yield Problem(
            cause.line,
            here,
            f"the virtual environment at `{here}` was created at `{origin}` and moved by line {cause.line} "
            f"(`{cause.instruction}`): its console scripts start with `#!{origin}/bin/python`, which does not exist "
            "in this image, so they fail with `No such file or directory` when run"
            + ("." if users else " (the container's command runs none of them: its python still works)."),
            f"create the venv at `{here}` in the build stage too (e.g. `ENV UV_PROJECT_ENVIRONMENT={here}` or "
            f"`python -m venv {here}`), or copy it to `{origin}`; or, keeping this COPY, link the old path to the "
            f"new one: `{link}`",
            stage=cause.stage,
            related=users,
            premises=(
                absent_premise(build.fs, posixpath.join(origin, "pyvenv.cfg")),
                *used_premise(users, f"the console scripts of {here}", cause.line),
            ),
            edits=as_root_after(build, cause.stage, cause.line, link, changes=Changes.COMMANDS),
        )
