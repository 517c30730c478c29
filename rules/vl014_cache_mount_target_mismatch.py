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

from venvlint.edits import Changes
from venvlint.findings import Problem, Severity
from venvlint.query import CACHE_ROLES, Build, RunMount, ToolRun, WriteNeed

from ._common import command, flag_edit

CODE = "VL014"
NAME = "cache-mount-target-mismatch"
SEVERITY = Severity.WARNING
SUMMARY = "A RUN's cache mount is not where the tool keeps its cache for that user"
SCENARIOS = ("S8",)
REFERENCES = ("https://github.com/astral-sh/uv/issues/12710",)
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    for intent in build.build_intents:
        run = intent.run
        mounts = {m.target: m for m in run.mounts if m.type == "cache"}
        targets = list(mounts)
        if not targets:
            continue
        for need in intent.needs:
            if need.role not in CACHE_ROLES or not need.subdir or need.mount is not None:
                continue
            for t in targets:
                if need.subdir in t.split("/")[-1] or t.endswith("/.cache"):
                    moved = _moved(mounts[t], need.path, run)
                    yield Problem(
                        run.line,
                        t,
                        f"the cache mount at `{t}` is not used: `{command(run.argv, 60)}` runs as "
                        f"{run.identity.label()} and keeps its cache in `{need.path}`.",
                        _fix(run, need, t, moved),
                        stage=run.stage,
                        edits=flag_edit(build, run.line, "mount", mounts[t].text, moved, changes=Changes.COMMANDS)
                        if moved
                        else (),
                    )
                    break


def _moved(m: RunMount, path: str, run: ToolRun) -> str:
    """The mount's flag value with its target at `path` and the user's ids ("" when it cannot be written)."""
    if not m.text or run.identity.uid is None or run.identity.gid is None:
        return ""
    fields = m.text.split(",")
    keys = [f.partition("=")[0].strip().lower() for f in fields]
    at = [i for i, k in enumerate(keys) if k in ("target", "dst", "destination")]
    if len(at) != 1:
        return ""
    fields[at[0]] = f"{keys[at[0]]}={path}"
    if not run.identity.is_root:  # the user's own ids, replacing any the mount had
        fields = [f for f, k in zip(fields, keys, strict=True) if k not in ("uid", "gid")]
        fields += [f"uid={run.identity.uid}", f"gid={run.identity.gid}"]
    return ",".join(fields)


def _fix(run: ToolRun, need: WriteNeed, target: str, moved: str) -> str:
    mount = f"`--mount={moved}`" if moved else f"a mount at `{need.path}`, with `uid=`/`gid=` of the user"
    text = f"mount the cache where the tool keeps it: {mount}"
    if run.identity.is_root and need.moved_by:
        text += f"; or point the cache at the mount (`ENV {need.moved_by}={target}`)"
    return text
