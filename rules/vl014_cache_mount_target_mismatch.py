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
FROM python-app-base          # ends with USER 1000
RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked
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
from venvlint.model.fs import normpath

CODE = "VL014"
NAME = "cache-mount-target-mismatch"
SEVERITY = Severity.WARNING
SUMMARY = "A RUN's cache mount is not where the tool keeps its cache for that user"
SCENARIOS = ("S8",)
REFERENCES = ("https://github.com/astral-sh/uv/issues/12710",)
AUTOFIX = False

MARKERS = {"uv-cache": "uv", "pip-cache": "pip", "poetry-cache": "pypoetry"}


def _cache_targets(mounts: tuple[str, ...], cwd: str) -> list[str]:
    out = []
    for m in mounts:
        opts = dict(part.partition("=")[::2] for part in m.split(","))
        target = opts.get("target") or opts.get("dst") or opts.get("destination")
        if opts.get("type") == "cache" and target:
            out.append(normpath(target, cwd))
    return out


def check(a: Analysis) -> Iterator[Problem]:
    for intent in a.build_intents:
        run = intent.run
        targets = _cache_targets(run.mounts, run.cwd)
        if not targets:
            continue
        for need in intent.needs:
            marker = MARKERS.get(need.role)
            if marker is None or need.mount is not None:
                continue
            for t in targets:
                if marker in t.split("/")[-1] or t.endswith("/.cache"):
                    yield Problem(
                        run.line,
                        t,
                        f"the cache mount at `{t}` is not used: `{' '.join(run.argv[:3])}` runs as "
                        f"{run.identity.label()} and keeps its cache in `{need.path}`.",
                        f"set the tool's cache directory to the mount (`ENV UV_CACHE_DIR={t}` / `PIP_CACHE_DIR`) or "
                        f"mount at `{need.path}`, with `uid=`/`gid=` of the user",
                        stage=run.stage,
                    )
                    break
