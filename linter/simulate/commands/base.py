"""What every command family shares: the shell it runs in (as a protocol, so that commands never import the RUN
interpreter), option parsing, denials, and the owner of what a command creates (docs/BUILDERS.md rule 8)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ...model.access import Identity, Premise, PremiseKind, Tri, created_dir, who_premise
from ...model.fs import FileSystem, Kind, Node, below, parent_of
from ...model.mount import RunMount, mount_access
from ...model.users import UserDB
from ...resolve.expand import unknown_value
from ..state import Denied, StageRecord

Argv = list[str | None]
# An argument whose value venvlint cannot know (`$(...)`, a variable from an unknown base image), as handlers that
# accept such arguments receive it (see `accepts_unknown`).
UNKNOWN_WORD = unknown_value("?")
# A command's exit status: None when venvlint cannot tell (a query on something it does not know).
Status = int | None
# What a denial that is not about a particular node rests on as to who ran it: only that they are not root.
ROOT_OWNED = Node(Kind.DIR, 0, 0, 0o755)


class ShellContext(Protocol):
    """The part of the RUN interpreter a command sees (implemented by `simulate.script.Shell`): the stage's
    filesystem and accounts (changed through their own methods, each change with `cause`), the shell's variables,
    directory, identity and umask, and the stage's `record` to append to; never the whole stage state."""

    cause: Any  # model.fs.Cause
    vars: dict[str, str]
    cwd: str
    identity: Identity
    umask: int
    src: bytes
    errexit: bool
    mounts: tuple[RunMount, ...]
    error: str | None
    piped_from: list[str] | None  # the words of the command whose output this one reads through a pipe

    @property
    def fs(self) -> FileSystem: ...

    @property
    def users(self) -> UserDB: ...

    @property
    def record(self) -> StageRecord: ...

    @property
    def stage(self) -> str: ...

    @property
    def profile(self) -> str | None: ...

    def path(self, p: str) -> str: ...

    def assume(self, message: str) -> None: ...

    def dispatch(self, argv: Argv, env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> Status: ...

    def run_as(self, identity: Identity, argv: Argv, env: dict[str, str]) -> Status: ...

    def run_nested(
        self, script: str, identity: Identity | None = None, env: dict[str, str] | None = None
    ) -> Status: ...

    def open_variables(self) -> None: ...

    def exit(self, status: Status) -> Status: ...

    @property
    def tentative(self) -> bool: ...


Handler = Callable[[ShellContext, list[str], dict[str, str], "str | None", bool, "str | None"], Status]


class UnknownPath(Exception):
    """A command names a path venvlint cannot know (raised by `ShellContext.path`; the command is not modelled)."""


def accepts_unknown(handler: Handler) -> Handler:
    """Mark a handler that can run with arguments venvlint cannot know (they arrive as `UNKNOWN_WORD`); the others
    are not modelled when any argument is unknown."""
    handler.accepts_unknown = True  # type: ignore[attr-defined]
    return handler


def is_unknown(word: str) -> bool:
    return "\x00" in word


def mounted(sh: ShellContext, path: str) -> bool:
    return any(m.covers(path) for m in sh.mounts)


def refused_by_mount(sh: ShellContext, path: str, argv: list[str], parents: bool = False) -> bool:
    """Whether a cache or tmpfs mount refuses `sh.identity` the new entry `path` directly in it (with `parents`: the
    first level `mkdir -p` makes below it): the mount's own owner and mode decide (model/mount.py), not the image's
    directory it hides. A refusal is recorded as a denial. What lies deeper is left alone: venvlint does not know
    what the mount already holds."""
    if sh.identity.is_root:
        return False
    inside = [m for m in sh.mounts if m.type in ("cache", "tmpfs") and m.covers(path) and path != m.target]
    if not inside:
        return False
    m = max(inside, key=lambda x: len(x.target))
    entry = path
    while parents and parent_of(entry) != m.target and below(parent_of(entry), m.target):
        entry = parent_of(entry)
    if parent_of(entry) != m.target:
        return False
    return not allowed(sh, mount_access(m, sh.identity, entry), entry, argv)


def command_text(argv: list[str]) -> str:
    """A command as a person reads it: whole, with unknown words as `…`."""
    return " ".join("…" if is_unknown(a) else a for a in argv)


def deny(
    sh: ShellContext,
    path: str,
    reason: str,
    argv: list[str],
    premises: tuple[Premise, ...] = (),
    count: int = 1,
    anyone: bool = False,
) -> int:
    """The model says the command fails here (recorded for the rules). In tentative mode (a command that may not
    run) it is an assumption instead: venvlint does not know the build gets there. `anyone`: it fails whoever runs
    it (a missing account or directory), so it rests on no fact about the user."""
    sh.error = f"{command_text(argv)}: {reason}"
    if sh.tentative:
        sh.assume(f"if it runs, `{command_text(argv)}` fails: {reason}")
        return 1
    if not anyone and not any(p.kind is PremiseKind.USER for p in premises):
        premises = (*premises, who_premise(sh.identity, ROOT_OWNED))
    sh.record.denied.append(
        Denied(sh.cause.line, path, sh.identity, reason, command_text(argv), sh.stage, premises, count)
    )
    return 1


def allowed(sh: ShellContext, verdict: Any, path: str, argv: list[str]) -> bool:
    """Whether the command may go on after an access verdict (a `model.access.Verdict`): NO denies it, UNKNOWN is
    said as an assumption."""
    if verdict.result is Tri.NO:
        deny(sh, path, verdict.reason, argv, verdict.premises)
        return False
    if verdict.result is Tri.UNKNOWN:
        said = f"`{command_text(argv)}` was assumed to be allowed to write"
        if not any(a.line == sh.cause.line and a.message.startswith(said) for a in sh.record.assumptions):
            sh.assume(f"{said} {path} and what it writes after it ({verdict.reason})")
    return True


def owner_for_new(sh: ShellContext, parent: str) -> tuple[int | None, int | None, bool]:
    made = created_dir(sh.fs.get(parent), sh.identity, sh.umask)
    return made.uid, made.gid, bool(made.mode and made.mode & 0o2000)


def parse_flags(
    args: list[str], with_value: frozenset[str] | set[str] = frozenset()
) -> tuple[set[str], dict[str, str], list[str]]:
    """Split GNU-style options: returns (short/long flags, options with values, operands)."""
    flags: set[str] = set()
    values: dict[str, str] = {}
    operands: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            operands.extend(args[i + 1 :])
            break
        if a.startswith("--") and len(a) > 2:
            k, eq, v = a.partition("=")
            if eq:
                values[k] = v
            elif k in with_value and i + 1 < len(args):
                values[k] = args[i + 1]
                i += 1
            else:
                flags.add(k)
        elif a.startswith("-") and len(a) > 1 and not a[1].isdigit():
            j = 1
            while j < len(a):
                f = "-" + a[j]
                if f in with_value:
                    rest = a[j + 1 :]
                    if rest:
                        values[f] = rest
                    elif i + 1 < len(args):
                        values[f] = args[i + 1]
                        i += 1
                    break
                flags.add(f)
                j += 1
        else:
            operands.append(a)
        i += 1
    return flags, values, operands
