"""## What it does
Finds a virtual environment whose interpreter (the target of `bin/python`) the runtime user cannot reach: some
directory on the way lacks search (`x`) permission for that user — typically a uv-managed Python downloaded into
`/root/.local/share/uv/python` (`/root` is `0700`) by a build that ran as root, used by a venv the image runs as
another user.

## Why is this bad?
Nothing in the venv starts: `bad interpreter: Permission denied`, `failed to canonicalize path
/app/.venv/bin/python3: Permission denied`.

## Example
```dockerfile
FROM ghcr.io/astral-sh/uv:bookworm-slim
WORKDIR /app
RUN uv venv --python 3.12 && uv pip install requests
USER nobody
CMD [".venv/bin/python", "main.py"]
```

## Use instead
Install the managed Python where everyone can read it, or use the image's system Python:
```dockerfile
ENV UV_PYTHON_INSTALL_DIR=/opt/python
# or: ENV UV_PYTHON_DOWNLOADS=never with a python base image
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from venvlint.analysis import Analysis
from venvlint.findings import Problem, Severity
from venvlint.model.access import Tri, can_traverse, path_premise, permits
from venvlint.model.fs import Kind, normpath

from ._common import describe_path

CODE = "VL013"
NAME = "interpreter-unreachable"
SEVERITY = Severity.ERROR
SUMMARY = "The runtime user cannot reach a venv's interpreter (a directory on the way is not searchable)"
SCENARIOS = ("S4",)
REFERENCES = ("https://github.com/astral-sh/uv/issues/7758", "https://github.com/astral-sh/uv/issues/13309")
AUTOFIX = False


def check(a: Analysis) -> Iterator[Problem]:
    fs = a.fs
    for path, _node in a.venv_configs:
        venv = posixpath.dirname(path)
        link = fs.get(posixpath.join(venv, "bin", "python"))
        if link is None or link.kind is not Kind.SYMLINK or not link.target:
            continue
        target = fs.resolve(normpath(link.target, posixpath.join(venv, "bin")))
        exe = fs.get(target)
        if exe is None:
            continue  # venv-interpreter-missing
        for ri in a.runtime_identities:
            who = ri.identity
            if who.is_root and not who.arbitrary:
                continue
            verdict = can_traverse(fs, who, target)
            if verdict.result is Tri.YES and permits(exe, who, "x") is not Tri.NO:
                continue
            if verdict.result is Tri.UNKNOWN:
                continue
            reason = verdict.reason if verdict.result is Tri.NO else f"{target} is not executable for {who.label()}"
            cause = exe.history[0].cause if exe.history else link.history[-1].cause
            yield Problem(
                cause.line,
                venv,
                f"`{venv}/bin/python` points to `{target}`, created at line {cause.line} (`{cause.instruction}`); "
                f"{who.label()} ({ri.source}) cannot reach it: {reason}{describe_path(fs, verdict.path)}.",
                "install the interpreter where every user can read it (`ENV UV_PYTHON_INSTALL_DIR=/opt/python`) "
                "or use the image's Python (`ENV UV_PYTHON_DOWNLOADS=never`)",
                stage=cause.stage,
                premises=verdict.premises or (path_premise(fs, target, exe), who.premise()),
            )
            break
