"""## What it does
Finds a pinned uv version with a known permission regression: uv 0.5.29 takes a lock file in `/tmp`
(`/tmp/uv-<hash>.lock`) that the first user creates with private permissions, so a second user fails.

## Why is this bad?
A typical image installs with uv as root and runs `uv run` as another user: with 0.5.29 that user gets
`error: failed to create file /tmp/uv-f348faaccf85129c.lock: Permission denied (os error 13)`. 0.5.28 and later
fixed releases do not.

## Example
```dockerfile
FROM python:3.13
COPY --from=ghcr.io/astral-sh/uv:0.5.29 /uv /bin/uv
RUN uv add pytest
USER team
RUN uv run pytest -h
```

## Use instead
Pin a fixed release (`ghcr.io/astral-sh/uv:0.5.31` or later), or run every uv command as the same user.
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.edits import Changes
from venvlint.findings import Problem, Severity
from venvlint.query import Build, uv_pin

from ._common import command, replace_edit

CODE = "VL017"
NAME = "uv-version-known-bad"
SEVERITY = Severity.INFO
SUMMARY = "A pinned uv version has a known permission regression (0.5.29: a per-user lock in /tmp)"
SCENARIOS = ("S3",)
REFERENCES = ("https://github.com/astral-sh/uv/issues/11324", "https://github.com/astral-sh/uv/issues/11408")
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual

KNOWN_BAD = {"0.5.29": "takes /tmp/uv-<hash>.lock with the first user's permissions; another user then fails"}


def check(build: Build) -> Iterator[Problem]:
    version = build.uv_version
    if version not in KNOWN_BAD:
        return
    line, where = _pinned_at(build, version)
    yield Problem(
        line,
        "/tmp",
        f"uv {version} is pinned at line {line} ({where}): this release {KNOWN_BAD[version]} "
        "(`failed to create file /tmp/uv-….lock: Permission denied`).",
        "pin a release without the regression (0.5.28, or 0.5.31 and later), or run all uv commands as one user",
        edits=replace_edit(build, line, version, "0.5.31", changes=Changes.COMMANDS),
    )


def _pinned_at(build: Build, version: str) -> tuple[int, str]:
    for st in build.stages:
        for run in st.tool_runs:
            if uv_pin(run) == version:
                return run.line, f"`{command(run.argv, 60)}`"
        for path in ("/bin/uv", "/usr/local/bin/uv", "/usr/bin/uv", "/uv"):
            node = st.fs.get(path)
            if node is not None and node.history and version in (node.tag("image") or ""):
                ch = node.history[-1]
                return ch.cause.line, f"`{ch.cause.instruction}`"
    return 0, "a tool version found in the image"
