"""## What it does
Finds a uv, pip or poetry command whose cache directory (or HOME, where the cache lives by default, or the temp
directory uv needs without a cache) cannot be created or written by the user running it — at build time or as any
identity the image is meant to run as. Typical causes: `adduser --home /nonexistent`, `useradd` without `-m`, a
numeric `USER` with no passwd entry (HOME falls back to `/`), `UV_CACHE_DIR` pointing at another user's home, a
cache mount owned by root — `mode=0777` does not open it: buildah and Docker's built-in BuildKit make the mount
0755 (they apply umask 022), and buildah keeps what a cache's first mount made it (docs/BUILDERS.md rule 14).
A build-time finding is at the RUN, where the build stops. A runtime one is where the place was decided: the `ENV`
that names it (the tool's variable, `XDG_CACHE_HOME`, `HOME`), else the `USER` the container runs as (whose HOME
its `useradd`/`adduser` gave: Debian's `adduser --system` gives `/nonexistent`, `useradd` without `-m` a missing
one), else the command (`docker run --user`, OpenShift's arbitrary uid: HOME `/`); the other lines are related.

## Why is this bad?
uv cannot work without its cache: `error: failed to create directory /nonexistent/.cache/uv: Permission denied
(os error 13)`, even with `--no-cache` when the temp directory is not writable. pip only warns (`The directory
'.../.cache/pip' ... is not writable ... The cache has been disabled`) and installs without it, so for pip this is
an info: every build downloads again.

## Example
```dockerfile
FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:0.8 /uv /bin/uv
RUN adduser --disabled-password --gecos "" --home /nonexistent --no-create-home app
USER app
RUN uv pip install --system requests
```

## Use instead
Point the cache somewhere the user can write, or turn it off:
```dockerfile
ENV UV_CACHE_DIR=/tmp/uv-cache
# or: RUN --mount=type=cache,target=/tmp/uv-cache,uid=1000 uv sync ...
# or for pip: ENV PIP_NO_CACHE_DIR=1
```
or give the user a real home (`useradd -m`, `adduser` without `--no-create-home`).
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.edits import Changes, Edit, insert_before
from venvlint.findings import Problem, Severity
from venvlint.query import CACHE_ROLES, Build, FileSystem, Identity, Need, Role, ToolRun, WriteNeed, below

from ._common import as_root_before, command, describe_path, flag_edit, last_change, run_premises

CODE = "VL004"
NAME = "cache-dir-not-writable"
SEVERITY = Severity.ERROR
SUMMARY = "HOME, the tool cache or the temp directory is not writable for the user running uv, pip or poetry"
SCENARIOS = ("S7", "S9", "S10", "S16", "S22")
REFERENCES = (
    "https://github.com/astral-sh/uv/issues/17026",
    "https://github.com/astral-sh/uv/issues/10023",
    "https://github.com/oss-aspen/8Knot/issues/856",
    "https://github.com/jupyter/docker-stacks/pull/680",
)
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    reported: set[tuple[int, str, str]] = set()
    runs = [(i, i.run.identity, build.fs_of(i.run), "", -1) for i in build.build_intents]
    runs += [(i, who.identity, build.fs, f" when the container starts ({who.source})", who.line)
             for i, who in build.runtime_intents]  # fmt: skip
    for intent, identity, fs, when, identity_line in runs:
        for need in intent.needs:
            if need.role not in CACHE_ROLES:
                continue
            verdict = build.check(need, identity, fs)
            if not verdict.no:
                continue
            key = (intent.run.line, need.path, identity.label())
            if key in reported:
                continue
            reported.add(key)
            # A cache the tool goes on without (pip: "The cache has been disabled") costs speed, not the command.
            severity = {Need.FATAL: Severity.ERROR, Need.CONDITIONAL: Severity.WARNING}.get(need.need, Severity.INFO)
            home = intent.run.getenv("HOME")
            home_note = f" in its HOME {home}" if home and need.path.startswith(home.rstrip("/") + "/") else ""
            fix, edits = _fix(build, intent.run, identity, need, verdict.path, fs)
            # A build stops at its RUN; at runtime the place was decided where the identity or the location was set.
            line, related = ((intent.run.line, ()) if identity_line < 0 else
                             _decided_at(build, intent.run, identity, need, identity_line))  # fmt: skip
            yield Problem(
                line,
                need.path,
                f"`{command(intent.run.argv)}` runs as {identity.label()}{when} and needs to "
                f"{'create' if need.create else 'write'} `{need.path}`{home_note}: {need.why}; but "
                f"{verdict.reason}{describe_path(fs, verdict.path)}.",
                fix,
                edits=edits,
                severity=severity,
                stage=intent.run.stage,
                premises=(*verdict.premises, *need.premises, *run_premises(intent.run)),
                causes=last_change(fs, verdict.path),
                related=related,
            )


def _decided_at(build: Build, run: ToolRun, who: Identity, need: WriteNeed, identity_line: int
                ) -> tuple[int, tuple[int, ...]]:  # fmt: skip
    """Where a runtime cache's place was decided, and the other lines involved: the `ENV` of the variable that
    names it (the tool's own, XDG_CACHE_HOME, HOME), else the `USER` the container runs as (its HOME from its
    account); the command, the USER and the account's line are related. No line of the Dockerfile decided it
    (a `--runtime-user`, a profile's user): the command's line."""
    located = 0
    for variable in (need.moved_by, "XDG_CACHE_HOME", "HOME"):
        value = run.getenv(variable) if variable else None
        if value and (need.path == value or below(need.path, value)):
            located = build.env_line(variable)
            break
    home = build.home(who, dict(run.env)) if not located else None
    line = located or identity_line or run.line
    others = (run.line, identity_line, home.line if home is not None else 0)
    return line, tuple(dict.fromkeys(n for n in others if n and n != line))


def _fix(build: Build, run: ToolRun, who: Identity, need: WriteNeed, closed: str, fs: FileSystem
         ) -> tuple[str, tuple[Edit, ...]]:  # fmt: skip
    """A cache mount gets the user's uid and gid (unless an earlier mount made that cache: buildah keeps what the
    first made, so that one is the user's to change); a directory in the user's own HOME is handed to it (as root,
    without recursion); any other place is moved with the tool's variable to /tmp."""
    m = need.mount
    if m is not None and m.type == "cache" and m.line not in (0, run.line):
        # buildah: an earlier mount made this cache, and its owner and mode stay (docs/BUILDERS.md rule 14).
        ids = f"`uid={who.uid},gid={who.gid}`" if who.uid is not None and who.gid is not None else "the user's ids"
        return (f"the cache was made by the mount at line {m.line}: give that mount {ids}, or this one an `id=` of "
                f"its own with them; or {need.fix_hint}", ())  # fmt: skip
    if m is not None and m.type == "cache" and m.text and who.uid is not None and who.gid is not None:
        spec = f"{m.text},uid={who.uid},gid={who.gid}"
        return (f"give the cache mount the user's ids: `--mount={spec}`; or {need.fix_hint}",
                flag_edit(build, run.line, "mount", m.text, spec, changes=Changes.OWNERSHIP))  # fmt: skip
    home = run.getenv("HOME") or ""
    name = who.owner_name
    home_node = fs.get(fs.resolve(home)) if home else None
    # The user's own HOME (not /tmp or / that ENV HOME points at), and a place in it no other user filled: a
    # cache another user has written holds that user's files, which a chown of its top cannot give back.
    own_home = (home not in ("", "/", "/nonexistent", "/root") and not who.is_root
                and (home_node is None or home_node.uid == who.uid))  # fmt: skip
    closed_node = fs.get(closed)
    filled = closed_node is not None and not fs.known_empty(closed) and closed_node.uid != who.uid
    if own_home and name and not filled and (closed == home or below(closed, home)):
        step = f"chown {name} {closed}" if fs.get(closed) is not None else f"install -d -o {name} {closed}"
        return (f"give {name} its `{closed}` as root, without recursion: `RUN {step}`; or {need.fix_hint}",
                as_root_before(build, run.stage, run.line, f"RUN {step}", changes=Changes.OWNERSHIP))  # fmt: skip
    if need.moved_by:
        return need.fix_hint, (
            insert_before(
                run.line, f"ENV {need.moved_by}=/tmp/{need.subdir or 'cache'}-cache", changes=Changes.ENVIRONMENT
            ),
        )
    if need.role is Role.TMPDIR:
        return need.fix_hint, (insert_before(run.line, "ENV TMPDIR=/tmp", changes=Changes.ENVIRONMENT),)
    return need.fix_hint, ()
