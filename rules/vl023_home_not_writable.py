"""## What it does
Finds a user the image runs as (the final `USER`, a user the base image is meant for, a `--runtime-user`) whose
HOME does not exist and cannot be created by that user, or exists but is not writable by it: `useradd app` without
`-m` on Debian and Ubuntu (their `useradd` makes no home unless told to), `useradd -M`, `adduser --system
--no-create-home`, `--home-dir /nonexistent`, or a home that a root `mkdir`, `WORKDIR` or `COPY` left `0:0 0755`.
HOME is the image's `ENV HOME` when it sets one, else the user's `/etc/passwd` home. A uid without a passwd entry is
`numeric-user-without-home`'s; a uv, pip or poetry command that needs its cache there is
`cache-dir-not-writable`'s (this rule then gives way to it). The finding is at the `ENV HOME` that chose the
place, else at the `USER`, with the USER and the account's `useradd`/`adduser` as related lines.

## Why is this bad?
Everything that keeps state below `~` fails or degrades at runtime: uv stops (`error: Failed to initialize cache at
/home/app/.cache/uv ... Permission denied (os error 13)`), pip prints `The directory '/home/app/.cache/pip' or its
parent directory is not owned or is not writable by the current user. The cache has been disabled.` and downloads
everything again, poetry cannot write its config and cache, and libraries such as matplotlib (`~/.config`), the
Hugging Face hub (`~/.cache/huggingface`) and Jupyter (`~/.local/share/jupyter`) warn, fall back to temporary
directories or raise `PermissionError`. Measured with uv 0.13.9 and pip 26.3 as uid 1001 with HOME `/nonexistent`
and with HOME an existing `root:root 0755` directory: `uv venv` and `uv pip install` exit 2, `uv venv --no-cache`
works, `pip install` and `pip download` warn and succeed, `pip cache dir` exits 1. An info: no command the image is
known to run writes there (where one does, `cache-dir-not-writable` reports it).

## Example
```dockerfile
FROM python:3.12-slim
RUN useradd app
USER app
CMD ["python", "app.py"]
```

## Use instead
Give the user its home, as root and without recursion, before the `USER`:
```dockerfile
FROM python:3.12-slim
RUN useradd app
RUN install -d -o app -g app /home/app
USER app
CMD ["python", "app.py"]
```
or create it with the account (`useradd -m app`, `adduser` without `--no-create-home`); for a system account whose
home is `/nonexistent` on purpose, point HOME at a writable directory (`ENV HOME=/tmp`).
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.edits import Changes, Edit
from venvlint.findings import Problem, Severity
from venvlint.query import Build, Home, HomeSource, Identity, can_traverse

from ._common import as_root_before, describe_path, last_change

CODE = "VL023"
NAME = "home-not-writable"
SEVERITY = Severity.INFO
SUMMARY = "A user the image runs as has no HOME it can write: the home directory is missing or not its own"
SCENARIOS = ("S7",)
REFERENCES = (
    "https://github.com/astral-sh/uv/issues/9962",
    "https://github.com/ppy/osu-wiki/pull/14765",
    "https://github.com/zylon-ai/private-gpt/issues/1876",
)
FIX = "safe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual

# Homes meant not to be one (Debian's /nonexistent for system accounts, `/` of Alpine's nobody...) and root's:
# handing them to a user is the user's decision, so these get no edit.
NOT_A_HOME = frozenset({"/", "/nonexistent", "/dev/null", "/var/empty", "/root"})


def check(build: Build) -> Iterator[Problem]:
    final = build.final
    reported: set[tuple[str, int | None]] = set()
    for ri in build.runtime_identities:
        who = ri.identity
        if who.is_root or who.arbitrary or (who.uid is None and not who.name):
            continue
        home = _home(build, who)
        if home is None or (home.path, who.uid) in reported:
            continue
        verdict = build.writable(home.path, who)
        if not verdict.no:
            continue
        reported.add((home.path, who.uid))
        step = _step(build, who, home.path)
        if home.path in NOT_A_HOME:
            fix = (f"point HOME at a directory {who.label()} can write (`ENV HOME=/tmp`), or give the account a real "
                   "home (`useradd -m`, `adduser` without `--no-create-home`)")  # fmt: skip
        elif home.source is HomeSource.ENV:
            fix = (f"point `ENV HOME` at a directory {who.label()} can write, or make `{home.path}` the user's, as "
                   f"root and without recursion: `RUN {step}`")  # fmt: skip
        else:
            fix = (f"make the home the user's, as root and without recursion, before the USER: `RUN {step}`; or "
                   "create it with the account (`useradd -m`)")  # fmt: skip
        # At the line that decided the HOME: its `ENV HOME`, else the USER (the account's line related).
        env_line = build.env_line("HOME") if home.source is HomeSource.ENV else 0
        line = env_line or ri.line or home.line or build.from_line()
        yield Problem(
            line,
            home.path,
            f"{who.label()} runs the container ({ri.source}) with HOME `{home.path}` ({_source(home)}), but "
            f"{verdict.reason}{describe_path(build.fs, verdict.path)}: whatever writes below HOME at runtime fails "
            "or falls back (uv's and pip's caches, poetry's config, matplotlib, the Hugging Face hub, Jupyter).",
            fix,
            stage=final.name,
            related=tuple(dict.fromkeys(n for n in (ri.line, home.line) if n and n != line)),
            premises=(*verdict.premises, *home.premises),
            causes=last_change(build.fs, verdict.path),
            edits=_fix(build, who, home, ri.line, verdict.path, step),
        )


def _home(build: Build, who: Identity) -> Home | None:
    """HOME of `who`; None when it is not known, or when it falls back to `/` for a uid without a passwd entry
    (`numeric-user-without-home`'s)."""
    home = build.home(who)
    if home is None or home.source is HomeSource.FALLBACK or not home.path.startswith("/"):
        return None
    return home


def _source(home: Home) -> str:
    """Where the HOME comes from, for the message."""
    if home.source is HomeSource.ACCOUNT and home.account:
        return f"{home.source.value}, {home.account}"
    return home.source.value


def _step(build: Build, who: Identity, home: str) -> str:
    """`install -d -o app -g app /home/app` for a missing home, `chown app:app /home/app` (not recursive) for one
    that is there; without `-g`/`:group` when the group has no name."""
    group = build.final.users.group_name(who.gid) if who.gid is not None else None
    if build.fs.get(build.fs.resolve(home)) is None:
        return f"install -d -o {who.owner_name}{f' -g {group}' if group else ''} {home}"
    return f"chown {who.owner_name}{f':{group}' if group else ''} {home}"


def _fix(build: Build, who: Identity, home: Home, user_line: int, closed: str, step: str) -> tuple[Edit, ...]:
    """`step` as root right before the final USER. Nothing for an ENV HOME (a directory the image chose for
    everyone), a home meant not to be one, one below a directory the user cannot pass, an existing home that is not
    what is closed, or where the user's or group's name is not known."""
    final, fs = build.final, build.fs
    named = bool(who.name) and who.gid is not None and bool(final.users.group_name(who.gid))
    if (
        home.path in NOT_A_HOME
        or home.source is HomeSource.ENV
        or user_line <= 0
        or user_line != final.user_line
        or not named
    ):
        return ()
    real = fs.resolve(home.path)
    if not can_traverse(fs, who, real).yes or (fs.get(real) is not None and closed != real):
        return ()
    return as_root_before(build, final.name, user_line, f"RUN {step}", changes=Changes.OWNERSHIP)
