"""## What it does
Finds a container command (`CMD`/`ENTRYPOINT`) that installs or syncs packages at runtime — `uv run` without
`--no-sync`, `uv sync`, `pip install`, `poetry install` — while a user the image runs as cannot write the
environment it changes: the venv's `site-packages` and `bin`, the venv root (uv's lock), or system site-packages.

## Why is this bad?
The container fails at start. `uv run` re-syncs the project environment on every start unless told not to, so a
venv built by root in the image and run as `USER app` fails with `failed to remove file ... Permission denied` or
`failed to canonicalize path .venv/bin/python3: Permission denied`. A `pip install` as a non-root or arbitrary uid
into `/usr/local` fails with `[Errno 13] Permission denied: '/usr/local/lib/python3.x/site-packages/...'`.

## Example
```dockerfile
FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim
WORKDIR /app
COPY . .
RUN uv sync --locked --no-dev
USER nobody
CMD ["uv", "run", "app.py"]
```
Context: `pyproject.toml`, `uv.lock`, `app.py`

## Use instead
Do not sync at runtime: `ENV UV_NO_SYNC=1` or `CMD ["uv", "run", "--no-sync", "app.py"]` (or call
`/app/.venv/bin/python` directly). If the container really must install at runtime, build the venv as that user
(`COPY --chown=`, `USER` before `uv sync`).
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.findings import Problem, Severity
from venvlint.query import CACHE_ROLES, Build, Need

from ._common import also_text, command, describe_path, last_change, need_edits, one_per_environment

CODE = "VL003"
NAME = "runtime-install-not-writable"
SEVERITY = Severity.ERROR
SUMMARY = "The container command installs or syncs packages into an environment the runtime user cannot write"
SCENARIOS = ("S2", "S13")
REFERENCES = (
    "https://github.com/astral-sh/uv-docker-example/issues/82",
    "https://github.com/astral-sh/uv/issues/17617",
    "https://github.com/docker-library/python/issues/414",
)
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    reported: set[tuple[int, str]] = set()
    for intent, who in build.runtime_intents:
        denied = []
        for need in intent.needs:
            if need.role in CACHE_ROLES or need.need is Need.DEGRADED:
                continue
            verdict = build.check(need, who.identity)
            if verdict.no and (intent.run.line, need.path) not in reported:
                denied.append((need, verdict))
        for need, verdict, also in one_per_environment(denied, intent.venv):
            reported.update((intent.run.line, p) for p in (need.path, *also))
            fatal = need.need is Need.FATAL
            yield Problem(
                intent.run.line,
                intent.venv if intent.venv in also else need.path,
                f"`{command(intent.run.argv)}` runs when the container starts, as {who.identity.label()} "
                f"({who.source}), and needs to write `{need.path}` ({need.why}), but {verdict.reason}"
                f"{describe_path(build.fs, verdict.path)}.{also_text(also)}",
                need.fix_hint,
                severity=Severity.ERROR if fatal else Severity.WARNING,
                stage=intent.run.stage,
                related=(who.line,) if who.line else (),
                premises=(*verdict.premises, *need.premises),
                causes=last_change(build.fs, verdict.path),
                edits=need_edits(build, intent.run.stage, intent.run.line, who.identity,
                                 [n for n, _ in denied if n.path in (need.path, *also)], build.fs),
            )  # fmt: skip
