"""## What it does
Finds a `COPY --chown=NAME` (or `ADD --chown`) whose user or group the image does not have, built with BuildKit.

## Why is this bad?
BuildKit looks the name up in the image's `/etc/passwd` and `/etc/group` and, when it is not there (or there is no
`/etc/passwd`), silently leaves the files owned `0:0` (moby/buildkit `solver/llbsolver/ops/user_linux.go`,
`readUser`). The build succeeds, so the mistake shows only later, when the user the files were meant for cannot
write them. buildah and Docker's classic builder stop the build instead (`build-fails`). Typical causes: the user is
created in a later instruction, in another stage, or with another name.

## Example
```dockerfile
FROM python:3.12-alpine
COPY --chown=app:app app.py /app/app.py   # no user app yet: the file is 0:0
RUN adduser -D app
```

## Use instead
Create the user before the `COPY` (in the same stage), or use numeric ids, which need no lookup:
```dockerfile
FROM python:3.12-alpine
RUN adduser -D -u 1000 app
COPY --chown=app:app app.py /app/app.py
```
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.edits import Changes
from venvlint.findings import Problem, Severity
from venvlint.query import Build, Premise, PremiseKind

from ._common import flag_edit

CODE = "VL020"
NAME = "copy-chown-ignored"
SEVERITY = Severity.WARNING
SUMMARY = "COPY/ADD --chown names a user or group the image does not have: BuildKit silently uses 0:0"
SCENARIOS = ()
REFERENCES = (
    "https://github.com/moby/buildkit/blob/master/solver/llbsolver/ops/user_linux.go",
    "https://github.com/ocurrent/docker-base-images/pull/352",
)
FIX = "safe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    for st in build.stages:
        for ignored in st.ignored_chowns:
            users = st.users
            name, _, group = ignored.spec.partition(":")
            later = users.by_name(name)
            gid = later.gid if later is not None and not group else users.gid_of(group) if group else None
            numeric = f"{later.uid}:{gid}" if later is not None and later.uid is not None and gid is not None else ""
            yield Problem(
                ignored.line,
                "",
                f"`--chown={ignored.spec}`: {ignored.reason}, so BuildKit gives the copied "
                "files to 0:0 without a word (buildah and the classic builder would fail the build here).",
                f"use numeric ids, which need no lookup (`--chown={numeric or '1000:1000'}`), or create the account "
                f"before line {ignored.line} in this stage",
                edits=flag_edit(build, ignored.line, "chown", ignored.spec, numeric, changes=Changes.OWNERSHIP)
                if numeric
                else (),
                stage=ignored.stage,
                premises=(
                    Premise(
                        PremiseKind.ABSENT,
                        ignored.spec,
                        users.knowledge,
                        assumption="" if users.knowledge.known else f"that the image has no {ignored.spec!r}",
                    ),
                ),
            )
