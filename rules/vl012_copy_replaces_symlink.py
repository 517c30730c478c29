"""## What it does
Finds a `COPY`/`ADD` whose source tree has a directory where the image has a symlink (for instance
`/opt/app-root -> /opt/real` and a tree containing `opt/app-root/`).

## Why is this bad?
Builders disagree: buildah and the classic builder silently replace the symlink with a new root-owned directory
(the files no longer land where the link pointed, and the new directory has the context's mode), BuildKit fails
with `cannot copy to non-directory`. Either way the result is not what the Dockerfile meant.

## Example
```dockerfile
FROM python:3.12-slim
RUN mkdir -p /opt/real && ln -s /opt/real /opt/app-root
COPY overlay/ /
```
Context: `overlay/opt/app-root/etc/app.conf`
Linted with: `--builder buildah`

## Use instead
Copy into the link's target explicitly: `COPY overlay/opt/app-root/ /opt/real/`, and keep `opt/app-root/` out of
the tree that is copied to `/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.findings import Problem, Severity
from venvlint.query import Action, Build

from ._common import change_premise

CODE = "VL012"
NAME = "copy-replaces-symlink"
SEVERITY = Severity.WARNING
SUMMARY = "A COPY/ADD source tree puts a directory where the image has a symlink (replaced, or BuildKit fails)"
SCENARIOS = ()
REFERENCES = ("https://github.com/moby/buildkit/issues/2626", "https://github.com/moby/moby/issues/41035")
FIX = "manual"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    for st in build.stages:
        for path, node in build.directories(st):  # only a directory can have replaced a symlink
            for ch in node.history:
                if ch.action is Action.REPLACED_SYMLINK:
                    target = ch.source
                    yield Problem(
                        ch.cause.line,
                        path,
                        f"`{path}` was a symlink to `{target}`; line {ch.cause.line} (`{ch.cause.instruction}`) "
                        f"replaced it with a {ch.uid}:{ch.gid} directory on {build.builder} (BuildKit fails here "
                        "with `cannot copy to non-directory`), so the files do not land in the link's target.",
                        f"copy into the target explicitly (`COPY <tree>/{path.lstrip('/')}/ {target}/`) and keep "
                        f"`{path.lstrip('/')}/` out of the tree",
                        stage=st.name,
                        premises=(change_premise(st.fs, path, ch, ch),),
                    )
