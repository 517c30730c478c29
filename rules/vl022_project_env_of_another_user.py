"""## What it does
Finds a `poetry run` (the container's command, or a later `RUN`) whose user looks for the project's environment in
another place than the one the build's `poetry install` created it in: Poetry keeps its environments below the
cache directory of the user who runs it (`~/.cache/pypoetry/virtualenvs`), so an environment root installed is
in `/root/.cache/...`, and any other user's `poetry run` does not find it. The other user may come from a later
`USER` (in the same stage or one built FROM it), `docker run --user` (`--runtime-user`), or OpenShift's arbitrary
uid, whose HOME is `/` (no passwd entry); Debian's `adduser --system` gives HOME `/nonexistent`. The same user
looks elsewhere too when an `ENV` (POETRY_CACHE_DIR, POETRY_VIRTUALENVS_PATH, XDG_CACHE_HOME, HOME) after the
install moves the place. The finding is reported at that `USER` or `ENV` line, naming the command, the install and
the account as related lines; one `POETRY_VIRTUALENVS_PATH` (or the project's `.venv`) for both is found by every
user (measured, poetry 2.5.1).

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
    if any(w.role is Role.ENV_HOME for w in intent.invocation.writes):
        return None  # virtualenvs.path with no need: it finds the environment an install of the build made there
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


# The variables that move Poetry's environments (docs/TOOLS.md, "Caches and HOME").
STEERING = ("POETRY_VIRTUALENVS_IN_PROJECT", "POETRY_VIRTUALENVS_PATH", "POETRY_CACHE_DIR", "XDG_CACHE_HOME", "HOME")


def _cause(build: Build, run: Intent, install: Intent, identity_line: int) -> tuple[int, str]:
    """Where the run's place was decided: the `ENV` that moved it away from the install's (a steering variable the
    two see differently), else the `USER` that made another user run it; (0, "") when neither is a line of the
    Dockerfile (a `--runtime-user`, a profile's user)."""
    mine, theirs = dict(run.run.env), dict(install.run.env)
    stage = build.stage(run.run.stage)
    for variable in STEERING:
        if mine.get(variable) != theirs.get(variable):
            line = build.env_line(variable, stage)
            if line:
                return line, f"`ENV {variable}` at line {line} moves it"
    if identity_line:
        return identity_line, f"the USER at line {identity_line} makes another user run it"
    return 0, ""


def check(build: Build) -> Iterator[Problem]:
    installs = [i for i in build.build_intents if _poetry(i, Act.INSTALL) or _poetry(i, Act.SYNC)]
    runs: list[tuple[Intent, Identity, str, int]] = [
        (i, i.run.identity, "", build.user_line_at(i.run.stage, i.run.line))
        for i in build.build_intents if _poetry(i, Act.RUN)]  # fmt: skip
    runs += [(i, ri.identity, f" when the container starts ({ri.source})", ri.line) for i, ri in build.runtime_intents
             if _poetry(i, Act.RUN)]  # fmt: skip
    for run, who, when, identity_line in runs:
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
        # Reported where the place was decided (the ENV, the USER), naming the command, the install and the
        # account that gave the user its HOME as related lines.
        line, why = _cause(build, run, install, identity_line)
        home = build.home(who, dict(run.run.env))
        related = (run.run.line, install.run.line, *((home.line,) if home is not None and home.line else ()))
        yield Problem(
            line or run.run.line,
            here,
            f"`{command(run.run.argv)}` runs as {who.label()}{when} and looks for the project's environment in "
            f"`{here}`, but `{command(install.run.argv)}` (line {install.run.line}, as "
            f"{install.run.identity.label()}) created it in `{there}`: Poetry creates a new, empty environment and "
            "runs the command there, without the project's packages (`ModuleNotFoundError`)"
            + (f"; {why}." if why else "."),
            "put the environment in the project, where every user finds it: `ENV POETRY_VIRTUALENVS_IN_PROJECT=true` "
            f"before line {install.run.line} (or one POETRY_VIRTUALENVS_PATH for both); or run the environment's "
            "Python instead of `poetry run`",
            stage=run.run.stage,
            related=tuple(dict.fromkeys(n for n in related if n != (line or run.run.line))),
            premises=(*run_premises(run.run), *run_premises(install.run), *_home_premises(install, run)),
            edits=env_before(build, install.run.stage, install.run.line, "POETRY_VIRTUALENVS_IN_PROJECT", "true"),
        )
