"""## What it does
Finds a virtual environment whose `bin/python` points to an interpreter that is not in the image — typically a
venv built by uv with a uv-managed Python (downloaded into `/root/.local/share/uv/python/...`) and copied into a
final stage that does not have that directory, or a venv of a `python:*` image (`bin/python ->
/usr/local/bin/python`) copied into `gcr.io/distroless/python3-debian12`, whose only Python is `/usr/bin/python3` —
or to an interpreter of another Python version than the one the
venv was built with (a venv built on `python:3.12-slim` copied into `python:3.11-slim`).

## Why is this bad?
Everything in the venv fails to start: `exec /app/.venv/bin/fastapi: no such file or directory`, because
`bin/python -> /root/.local/share/uv/python/cpython-3.12.../bin/python3.12` dangles. With another version the
interpreter starts but looks for packages in `lib/python3.11/site-packages`, while they are in
`lib/python3.12/site-packages`: `ModuleNotFoundError` for every installed package.

## Example
```dockerfile
FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim AS builder
RUN uv venv --python 3.13 /venv
FROM python:3.12-slim
COPY --from=builder /venv /venv
```

## Use instead
Use the same Python in both stages and stop uv from downloading one (`ENV UV_PYTHON_DOWNLOADS=never`), or install
the managed Python somewhere you also copy (`ENV UV_PYTHON_INSTALL_DIR=/opt/python`, then
`COPY --from=builder /opt/python /opt/python`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from venvlint.edits import Changes, Edit, insert_after
from venvlint.findings import Problem, Severity
from venvlint.query import Build, Cause, Kind, absent_premise, normpath, path_premise

from ._common import env_dir_edit, used_premise

CODE = "VL007"
NAME = "venv-interpreter-missing"
SEVERITY = Severity.ERROR
SUMMARY = "A virtual environment's bin/python points to an interpreter that is not in the image"
SCENARIOS = ("S5",)
REFERENCES = (
    "https://github.com/astral-sh/uv/issues/6782",
    "https://github.com/astral-sh/uv-docker-example/pull/33",
)
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    fs = build.fs
    for env in build.environments():
        venv = env.root
        link = fs.get(posixpath.join(venv, "bin", "python"))
        if link is None or link.kind is not Kind.SYMLINK or not link.target:
            continue
        target = normpath(link.target, posixpath.join(venv, "bin"))
        real = fs.resolve(target)
        if fs.get(real) is not None:
            mismatch = _other_version(build, venv, link.target, real)
            if mismatch is not None:
                yield mismatch
            continue
        if not fs.is_known_absent(real):
            continue
        cause = link.history[-1].cause if link.history else env.config.history[-1].cause
        users = build.commands_from(posixpath.join(venv, "bin"))
        yield Problem(
            cause.line,
            venv,
            f"`{venv}/bin/python` points to `{link.target}`, which is not in this image (the venv was placed by "
            f"line {cause.line}: `{cause.instruction}`): every program of the venv fails with "
            "`no such file or directory`.",
            "build the venv with the Python the final image has (`ENV UV_PYTHON_DOWNLOADS=never`), or install "
            "the managed Python outside /root (`UV_PYTHON_INSTALL_DIR=/opt/python`) and copy it too"
            if _managed(build, cause, real)
            else f"build the venv on the Python the final image has, at the same path and version (`{link.target}` "
            "is not in it): in a build stage of the same distribution (for a distroless python3 image, `debian` of "
            "its release with `python3-venv`, then `/usr/bin/python3 -m venv`)",
            stage=cause.stage,
            related=users,
            premises=(
                path_premise(fs, posixpath.join(venv, "bin", "python")),
                absent_premise(fs, real),
                *used_premise(users, f"the programs of {venv}", cause.line),
            ),
            edits=_copy_the_interpreter(build, cause, real),
        )


def _managed(build: Build, placed: Cause, interpreter: str) -> bool:
    """The missing interpreter is a uv-managed Python of the stage the venv was copied from."""
    source = build.stage(placed.copy_from) if placed.copy_from else None
    node = source.fs.get(interpreter) if source is not None else None
    return node is None or node.tag("managed-python") == "uv"  # not known: the advice names both ways


def _copy_the_interpreter(build: Build, placed: Cause, interpreter: str) -> tuple[Edit, ...]:
    """A managed Python the build stage downloaded: install it under /opt/python there (before the command that
    downloaded it) and copy it next to the venv."""
    if placed.copy_from is None:
        return ()
    source = build.stage(placed.copy_from)
    if source is None:
        return ()  # copied from an image, not a stage of this build
    node = source.fs.get(interpreter)
    if node is None or not node.history or node.history[0].cause.keyword != "RUN":
        return ()
    made = node.history[0].cause.line
    install_dir = env_dir_edit(build, source.name, made, "UV_PYTHON_INSTALL_DIR", "/opt/python")
    if not install_dir:
        return ()  # both edits or neither: the COPY needs the directory the ENV makes
    return (
        *install_dir,
        insert_after(placed.line, f"COPY --from={placed.copy_from} /opt/python /opt/python", changes=Changes.COMMANDS),
    )


def _other_version(build: Build, venv: str, written: str, real: str) -> Problem | None:
    """The venv's packages are in lib/pythonX.Y; an interpreter of another X.Y looks elsewhere."""
    fs = build.fs
    built = [m.group(1) for c in fs.children(posixpath.join(venv, "lib"))
             if (m := re.fullmatch(r"python(\d+\.\d+)", posixpath.basename(c)))]  # fmt: skip
    runs = re.fullmatch(r"python(\d+\.\d+)", posixpath.basename(real))
    if len(built) != 1 or runs is None or runs.group(1) == built[0]:
        return None
    lib = posixpath.join(venv, "lib", f"python{built[0]}")
    node = fs.get(lib)
    exe = fs.get(real)
    if node is None or exe is None or exe.kind is not Kind.FILE:
        return None
    placed = node.history[-1].cause if node.history else None
    line = placed.line if placed is not None else 0
    return Problem(
        line,
        venv,
        f"`{venv}` was built with Python {built[0]} (its packages are in `{lib}/site-packages`), but "
        f"`{venv}/bin/python` points to `{written}`, which is Python {runs.group(1)} in this image (`{real}`): that "
        f"interpreter looks in `lib/python{runs.group(1)}/site-packages`, so no installed package can be imported.",
        f"build the venv on the same Python as the final image (both stages `python:{runs.group(1)}-...`, or both "
        f"{built[0]}), or recreate it in the final stage",
        stage=placed.stage if placed is not None else build.final.name,
        premises=(path_premise(fs, lib, node), path_premise(fs, real, exe),
                  path_premise(fs, posixpath.join(venv, "bin", "python"))),
    )  # fmt: skip
