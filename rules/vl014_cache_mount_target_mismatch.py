"""## What it does
Finds a `RUN --mount=type=cache,target=...` for a tool's cache whose target is not where that tool, run as the
RUN's user, actually keeps its cache — typically the documented `target=/root/.cache/uv` in an image whose
`USER` is not root.

## Why is this bad?
The cache mount does nothing (every build downloads again), and the real cache directory under the user's HOME
may not be writable: `error: failed to create directory /root/.cache/uv: Permission denied` when HOME is
`/root`, or a cold cache elsewhere.

## Example
```dockerfile
FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim
RUN useradd -m -u 1000 app && mkdir /app && chown app /app
WORKDIR /app
USER app
RUN --mount=type=cache,target=/root/.cache/uv uv venv /app/.venv
```

## Use instead
Point the tool and the mount at the same place, and give the mount the user's uid:
```dockerfile
ENV UV_CACHE_DIR=/tmp/uv-cache
RUN --mount=type=cache,target=/tmp/uv-cache,uid=1000 uv sync --locked
```
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.analysis import Analysis
from venvlint.findings import Problem, Severity
from venvlint.tools.model import CACHE_ROLES

from ._common import command

CODE = "VL014"
NAME = "cache-mount-target-mismatch"
SEVERITY = Severity.WARNING
SUMMARY = "A RUN's cache mount is not where the tool keeps its cache for that user"
SCENARIOS = ("S8",)
REFERENCES = ("https://github.com/astral-sh/uv/issues/12710",)
AUTOFIX = False


def check(a: Analysis) -> Iterator[Problem]:
    for intent in a.build_intents:
        run = intent.run
        targets = [m.target for m in run.mounts if m.type == "cache"]
        if not targets:
            continue
        for need in intent.needs:
            if need.role not in CACHE_ROLES or not need.subdir or need.mount is not None:
                continue
            for t in targets:
                if need.subdir in t.split("/")[-1] or t.endswith("/.cache"):
                    yield Problem(
                        run.line,
                        t,
                        f"the cache mount at `{t}` is not used: `{command(run.argv, 60)}` runs as "
                        f"{run.identity.label()} and keeps its cache in `{need.path}`.",
                        f"point the cache at the mount (`ENV {need.moved_by or 'the cache variable'}={t}`) or "
                        f"mount at `{need.path}`, with `uid=`/`gid=` of the user",
                        stage=run.stage,
                    )
                    break
