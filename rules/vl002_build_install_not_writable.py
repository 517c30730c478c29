"""## What it does
Finds a `RUN` that installs Python packages or creates an environment (pip, uv, poetry, pipenv, pdm, hatch, pipx,
venv, virtualenv, conda, mamba, micromamba, py_compile, PyInstaller), builds a package (`python setup.py`,
`python -m build`) or writes an export (`poetry export -o`, `pip wheel`, `pip download`) as a user who cannot
write what that tool must write at that point of the build: the venv's `site-packages` and `bin`, the venv root
for old uv versions, the user site of a `--user` install, a `--target`, conda's envs and package directories, the
tool's own directories below HOME, the project directory of `uv sync`, a temp directory, the working directory a
build writes its `.egg-info`, `build/` and `dist/` into.

## Why is this bad?
The build stops there with `Permission denied`. The usual causes: `USER app` followed by `COPY` (always `0:0`
without `--chown`) of the project or the venv, a `WORKDIR` created by the classic builder as root, a venv created
by root in an earlier step, or a base image whose venv belongs to another user.

## Example
```dockerfile
FROM python:3.12-slim
RUN python -m venv /opt/venv
RUN useradd -m app
USER app
RUN /opt/venv/bin/pip install requests     # /opt/venv is root:root 0755
```

## Use instead
Create the venv as the user who installs into it, or hand over just the directory it needs before `USER`:
```dockerfile
RUN useradd -m app && install -d -o app -g app /opt/venv
USER app
RUN python -m venv /opt/venv && /opt/venv/bin/pip install requests
```
For a venv that comes from elsewhere (a base image, a `COPY --from`), hand over, without recursion, exactly the
directories the install writes: `chown app /opt/venv /opt/venv/bin /opt/venv/lib/python3.12/site-packages` (the
finding lists them). `COPY --chown=app:app` for copied sources. Avoid `chown -R` over an installed venv: it
duplicates every file in a new layer.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from venvlint.findings import BuildStop, Problem, Severity
from venvlint.query import CACHE_ROLES, Build, FileSystem, Identity, Kind, Need, Role, WriteNeed

from ._common import (
    also_text,
    command,
    describe_path,
    last_change,
    need_edits,
    one_per_environment,
    run_premises,
)

CODE = "VL002"
NAME = "build-install-not-writable"
SEVERITY = Severity.ERROR
SUMMARY = "A build-time install or venv creation runs as a user who cannot write what the tool writes"
SCENARIOS = ("S11", "S12", "S13", "S14", "S19")
REFERENCES = (
    "https://github.com/pypa/pip/issues/8196",
    "https://github.com/python-poetry/poetry/issues/5928",
    "https://github.com/kubeflow/kubeflow/issues/1722",
)
FIX = "safe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    reported: set[tuple[int, str]] = set()
    for intent in build.build_intents:
        run = intent.run
        fs = build.fs_of(run)
        denied = []
        for need in intent.needs:
            if need.need is not Need.FATAL or need.role in CACHE_ROLES:
                continue  # cache-dir-not-writable reports the caches, HOME and the temp directory
            verdict = build.check(need, run.identity, fs)
            if verdict.no and (run.line, need.path) not in reported:
                denied.append((need, verdict))
        # A place to be created below another denied place is that place's cause (build/ and dist/ in a root-owned
        # working directory): one finding, and one directory handed over, which lets the user create the rest.
        named = {n.path for n, _ in denied}
        denied = [(n, v) for n, v in denied if not (n.create and v.path != n.path and v.path in named)]
        for need, verdict, also in one_per_environment(denied, intent.venv):
            reported.update((run.line, p) for p in (need.path, *also))
            yield Problem(
                run.line,
                intent.venv if intent.venv in also else need.path,
                f"`{command(run.argv)}` runs as {run.identity.label()} and needs to write `{need.path}` "
                f"({need.why}), but {verdict.reason}{describe_path(fs, verdict.path)}.{also_text(also)} "
                "The build fails here.",
                need.fix_hint,
                stage=run.stage,
                premises=(*verdict.premises, *need.premises, *run_premises(run)),
                # What made the path unwritable, and that the build stops at this line.
                causes=(*last_change(fs, verdict.path), BuildStop(run.line)),
                related=_made_at(fs, verdict.path, run.line),
                edits=need_edits(build, run.stage, run.line, run.identity,
                                 [n for n, _ in denied if n.path in (need.path, *also)], fs),
            )  # fmt: skip
    # Writes the RUN interpreter found denied (mkdir, touch, chmod ... as a user who may not).
    for st in build.stages:
        for d in st.denied:
            if (d.line, d.path) in reported:
                continue
            reported.add((d.line, d.path))
            yield Problem(
                d.line,
                d.path,
                f"`{d.command}` runs as {d.identity.label()}: {d.reason}{describe_path(st.fs, _target(d.path, st.fs))}. The build "
                "fails here.",
                _handover(d.identity, d.path, st.fs),
                edits=need_edits(build, st.name, d.line, d.identity, [_handed(_target(d.path, st.fs))], st.fs),
                stage=st.name,
                premises=d.premises,
                causes=(BuildStop(d.line),),
                related=_made_at(st.fs, _target(d.path, st.fs), d.line),
                count=d.count,
            )


def _made_at(fs: FileSystem, path: str, line: int) -> tuple[int, ...]:
    """The line that made the closed place what it is (the `WORKDIR` that created a working directory as root,
    the `COPY` that reset it), as the finding's related line."""
    return tuple(c.line for c in last_change(fs, path) if c.line and c.line != line)


def _handed(path: str) -> WriteNeed:
    """A denied write as the need its fix hands over."""
    return WriteNeed(path, False, Need.FATAL, Role.TARGET, "", "")


def _target(path: str, fs: FileSystem) -> str:
    """What the user must be able to write: the path, or the directory it was to be created in."""
    return path if fs.get(path) is not None else posixpath.dirname(path)


def _handover(who: Identity, path: str, fs: FileSystem) -> str:
    """Give the user the one directory (or file) it must write, as root before `USER`, without recursion."""
    name = who.owner_name
    if not name:
        return "create or hand over what the user must write as root before `USER`, without recursion"
    path = _target(path, fs)
    node = fs.get(path)
    if node is not None and node.kind is Kind.DIR:
        how = f"`RUN install -d -o {name} {path}` (or `chown {name} {path}`)"
    else:
        how = f"`RUN chown {name} {path}`"
    return (
        f"hand it to {name} as root before `USER`, without recursion: {how}; or `COPY --chown={name}` what "
        "the user must write"
    )
