"""## What it does
Finds a virtual environment whose `bin/python` points to an interpreter that is not in the image — typically a
venv built by uv with a uv-managed Python (downloaded into `/root/.local/share/uv/python/...`) and copied into a
final stage that does not have that directory.

## Why is this bad?
Everything in the venv fails to start: `exec /app/.venv/bin/fastapi: no such file or directory`, because
`bin/python -> /root/.local/share/uv/python/cpython-3.12.../bin/python3.12` dangles.

## Example
```dockerfile
FROM ghcr.io/astral-sh/uv:bookworm-slim AS builder
RUN uv venv --python 3.12 /venv
FROM debian:bookworm-slim
COPY --from=builder /venv /venv
```

## Use instead
Use the same Python in both stages and stop uv from downloading one (`ENV UV_PYTHON_DOWNLOADS=never`), or install
the managed Python somewhere you also copy (`ENV UV_PYTHON_INSTALL_DIR=/opt/python`, then
`COPY --from=builder /opt/python /opt/python`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from venvlint.analysis import Analysis
from venvlint.findings import Problem, Severity
from venvlint.model.access import absent_premise, path_premise
from venvlint.model.fs import Kind, normpath

CODE = "VL007"
NAME = "venv-interpreter-missing"
SEVERITY = Severity.ERROR
SUMMARY = "A virtual environment's bin/python points to an interpreter that is not in the image"
SCENARIOS = ("S5",)
REFERENCES = (
    "https://github.com/astral-sh/uv/issues/6782",
    "https://github.com/astral-sh/uv-docker-example/pull/33",
)
AUTOFIX = False


def check(a: Analysis) -> Iterator[Problem]:
    fs = a.fs
    for path, node in a.venv_configs:
        venv = posixpath.dirname(path)
        link = fs.get(posixpath.join(venv, "bin", "python"))
        if link is None or link.kind is not Kind.SYMLINK or not link.target:
            continue
        target = normpath(link.target, posixpath.join(venv, "bin"))
        real = fs.resolve(target)
        if fs.get(real) is not None or not fs.is_known_absent(real):
            continue
        cause = link.history[-1].cause if link.history else node.history[-1].cause
        yield Problem(
            cause.line,
            venv,
            f"`{venv}/bin/python` points to `{link.target}`, which is not in this image (the venv was placed by "
            f"line {cause.line}: `{cause.instruction}`): every program of the venv fails with "
            "`no such file or directory`.",
            "build the venv with the Python the final image has (`ENV UV_PYTHON_DOWNLOADS=never`), or install "
            "the managed Python outside /root (`UV_PYTHON_INSTALL_DIR=/opt/python`) and copy it too",
            stage=cause.stage,
            premises=(path_premise(fs, posixpath.join(venv, "bin", "python")), absent_premise(fs, real)),
        )
