"""## What it does
Finds a `poetry run` (the container's command, or a later `RUN`) whose user looks for the project's environment in
another place than the one the build's `poetry install` created it in: Poetry keeps its environments below the
cache directory of the user who runs it (`~/.cache/pypoetry/virtualenvs`), so an environment root installed is
in `/root/.cache/...`, and any other user's `poetry run` does not find it.

## Why is this bad?
`poetry run` creates a new, empty environment in that user's own cache (`Creating virtualenv app-...-py3.11 in
/home/app/.cache/pypoetry/virtualenvs`) and runs the command there, without the project's packages:
`ModuleNotFoundError` for every dependency, `Command not found` for the project's scripts. (Where that user's
cache cannot be created either, `cache-dir-not-writable` reports it.)

## Example
```dockerfile
FROM python:3.12-slim
RUN pip install poetry
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN poetry install --no-root
RUN useradd -m -u 1000 app
USER app
CMD ["poetry", "run", "python", "-m", "app"]
```
Context: `pyproject.toml`, `poetry.lock`

## Use instead
Put the environment in the project, where every user's Poetry finds it: `ENV POETRY_VIRTUALENVS_IN_PROJECT=true`
before `poetry install` (or `virtualenvs.path` / `POETRY_VIRTUALENVS_PATH` shared by both); or run the environment's
own Python instead of `poetry run`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from venvlint.findings import Problem, Severity
from venvlint.query import Act, Build, Identity, Intent, Premise, Role, Tool

from ._common import command, env_before, run_premises

CODE = "VL022"
NAME = "project-env-of-another-user"
SEVERITY = Severity.ERROR
SUMMARY = "`poetry run` as one user looks for the environment in its own cache; the build installed it elsewhere"
SCENARIOS = ("S24",)
REFERENCES = (
    "https://github.com/python-poetry/poetry/issues/1265",
    "https://github.com/python-discord/bot/pull/2276",
)
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def _envs_home(intent: Intent) -> str | None:
    """Where this Poetry run keeps its environments (resolved for its user), when it creates them there."""
    for n in intent.needs:
        if n.role is Role.ENV_HOME:
            return n.path
    for n in intent.needs:
        if n.role is Role.POETRY_CACHE and intent.invocation.env is not None and intent.invocation.env.path is None:
            return posixpath.join(n.path, "virtualenvs")
    return None


def _home_premises(*intents: Intent) -> tuple[Premise, ...]:
    """What the cache places rest on (where each user's HOME is); which uid each user has does not matter."""
    return tuple(p for i in intents for n in i.needs if n.role is Role.POETRY_CACHE for p in n.premises)


def _poetry(intent: Intent, act: Act) -> bool:
    inv = intent.invocation
    return inv.tool is Tool.POETRY and inv.act is act and inv.project is not None


def check(build: Build) -> Iterator[Problem]:
    installs = [i for i in build.build_intents if _poetry(i, Act.INSTALL) or _poetry(i, Act.SYNC)]
    runs: list[tuple[Intent, Identity, str]] = [(i, i.run.identity, "") for i in build.build_intents
                                                if _poetry(i, Act.RUN)]  # fmt: skip
    runs += [(i, ri.identity, f" when the container starts ({ri.source})") for i, ri in build.runtime_intents
             if _poetry(i, Act.RUN)]  # fmt: skip
    for run, who, when in runs:
        project = run.invocation.project
        assert project is not None
        made = [i for i in installs if i.invocation.project is not None and i.invocation.project.directory ==
                project.directory and (when or i.run.line < run.run.line)]  # fmt: skip
        if not made:
            continue
        install = made[-1]
        there, here = _envs_home(install), _envs_home(run)
        if there is None or here is None or there == here:
            continue
        yield Problem(
            run.run.line,
            here,
            f"`{command(run.run.argv)}` runs as {who.label()}{when} and looks for the project's environment in "
            f"`{here}`, but `{command(install.run.argv)}` (line {install.run.line}, as "
            f"{install.run.identity.label()}) created it in `{there}`: Poetry creates a new, empty environment and "
            "runs the command there, without the project's packages (`ModuleNotFoundError`).",
            "put the environment in the project, where every user finds it: `ENV POETRY_VIRTUALENVS_IN_PROJECT=true` "
            f"before line {install.run.line} (or one POETRY_VIRTUALENVS_PATH for both); or run the environment's "
            "Python instead of `poetry run`",
            stage=run.run.stage,
            related=(install.run.line,),
            premises=(*run_premises(run.run), *run_premises(install.run), *_home_premises(install, run)),
            edits=env_before(build, install.run.stage, install.run.line, "POETRY_VIRTUALENVS_IN_PROJECT", "true"),
        )
