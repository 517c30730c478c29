"""A RUN instruction's `--mount` flag, read once (BuildKit's syntax: `type=cache,target=/root/.cache,uid=1000`).

Writes below a mount's target do not persist in the image; a cache mount's own owner and mode decide who may write
into it, and a tmpfs is 1777. What owner and mode a cache mount really has depends on the builder (docs/BUILDERS.md
rule 14, oracle case 91): both make it `uid:gid` (default 0:0) with `mode` (default 0755), but the directory is made
under a umask. buildah 1.28 always applies 022 (`mode=0777` gives 0755), and a cache keeps the owner and mode of the
first mount that made it (by `id=`, else by target), whatever later mounts of it ask for. BuildKit gives each
uid/gid/mode its own cache; whether group and other write survive depends on its daemon's umask (Docker's built-in
BuildKit: 022; a standalone buildkitd: 0), which venvlint cannot know.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .access import Identity, Premise, PremiseKind, Tri, Verdict, permits
from .fs import Kind, Knowledge, Node, below, normpath

MOUNT_TYPES = frozenset({"bind", "cache", "tmpfs", "secret", "ssh"})
# What the builder's umask takes from a cache mount's mode= (buildah always; BuildKit where its daemon has it).
CACHE_UMASK = 0o022


class RunMount(NamedTuple):
    type: str  # bind (the default), cache, tmpfs, secret, ssh
    target: str  # absolute (a relative target is below the WORKDIR)
    uid: int | None = 0
    gid: int | None = 0
    mode: int | None = 0o755  # as the builder makes it (`as_built`), else as written
    text: str = ""  # the flag's value as written
    id: str = ""  # a cache's `id=` ("": the cache is named by its target)
    maybe: int = 0  # mode bits the builder may or may not grant (BuildKit: those its daemon's umask may clear)
    line: int = 0  # the RUN whose mount made this cache (for buildah, the first mount of it)
    note: str = ""  # why the owner or mode differs from what this flag asks, in words

    def covers(self, path: str) -> bool:
        return below(path, self.target)

    @property
    def cache_key(self) -> str:
        return self.id or self.target


def _int(text: str | None, base: int, default: int) -> int | None:
    if text is None or text == "":
        return default
    try:
        return int(text, base)
    except ValueError:
        return None


def parse_mount(text: str, workdir: str) -> RunMount | None:
    """The mount a `--mount` value describes, or None when it names no target (BuildKit then refuses it)."""
    opts: dict[str, str] = {}
    for part in text.split(","):
        key, _, value = part.partition("=")
        opts[key.strip()] = value.strip()
    kind = opts.get("type", "bind") or "bind"
    target = opts.get("target") or opts.get("dst") or opts.get("destination")
    if not target or kind not in MOUNT_TYPES:
        return None
    mode_default = 0o1777 if kind == "tmpfs" else 0o755
    return RunMount(
        kind,
        normpath(target, workdir),
        _int(opts.get("uid"), 10, 0),
        _int(opts.get("gid"), 10, 0),
        _int(opts.get("mode"), 8, mode_default),
        text,
        opts.get("id", ""),
    )


def parse_mounts(texts: tuple[str, ...] | list[str], workdir: str) -> tuple[RunMount, ...]:
    return tuple(m for t in texts if (m := parse_mount(t, workdir)) is not None)


def as_built(m: RunMount, builder: str, line: int, made: dict[str, RunMount] | None = None) -> RunMount:
    """The cache mount `m` of the RUN at `line` as the builder makes it (docs/BUILDERS.md rule 14). `made`: the
    caches this build made so far, by name (`RunMount.cache_key`); on buildah the first mount of a cache decides its
    owner and mode, and is added to it. Mounts of other types are returned as they are."""
    if m.type != "cache":
        return m
    if m.mode is None:
        return m._replace(line=line)
    asked = m.mode
    mode = asked & 0o777 & ~CACHE_UMASK  # special bits never reach the directory (only the permission bits)
    if builder != "buildah":  # BuildKit (classic rejects RUN --mount): its daemon's umask is not known
        maybe = asked & CACHE_UMASK
        note = (
            f"mode={asked:04o} gives {mode | maybe:04o} only where the BuildKit daemon runs with umask 0"
            if maybe
            else ""
        )
        return m._replace(mode=mode, maybe=maybe, line=line, note=note)
    note = f"buildah applies umask 022 to mode={asked:04o}" if mode != asked else ""
    built = m._replace(mode=mode, line=line, note=note)
    if made is None:
        return built
    first = made.setdefault(m.cache_key, built)
    if first is built or (first.uid, first.gid, first.mode) == (built.uid, built.gid, built.mode):
        return built
    return built._replace(uid=first.uid, gid=first.gid, mode=first.mode, line=first.line,
                   note=f"buildah made this cache at line {first.line} as {_owner(first)}; a later mount's "
                   "uid=/gid=/mode= do not change it")  # fmt: skip


def _owner(m: RunMount) -> str:
    mode = "?" if m.mode is None else f"{m.mode:04o}"
    return f"{'?' if m.uid is None else m.uid}:{'?' if m.gid is None else m.gid} {mode}"


def mount_access(m: RunMount, who: Identity, path: str = "") -> Verdict:
    """Whether `who` may create entries directly in the mount `m` (the mount's own owner and mode decide, not the
    image's directory it hides). Where that depends on mode bits the builder may not grant (`RunMount.maybe`), the
    answer is the one without them, resting on that assumption."""
    path = path or m.target
    if m.uid is None or m.gid is None or m.mode is None:
        return Verdict(Tri.UNKNOWN, path, f"the mount at {m.target} has an owner or mode venvlint cannot read")
    r = permits(Node(Kind.DIR, m.uid, m.gid, m.mode), who, "wx")
    reason = f"the {m.type} mount at {m.target} is {_owner(m)}"
    if m.note:
        reason += f" ({m.note})"
    premises: tuple[Premise, ...] = ()
    if m.maybe and permits(Node(Kind.DIR, m.uid, m.gid, m.mode | m.maybe), who, "wx") is not r:
        premises = (
            Premise(PremiseKind.PATH, m.target, Knowledge.ASSUMED, m.line, m.uid, m.gid, m.mode,
                    assumption=f"that the BuildKit daemon applies umask 022 to the cache mount's mode= (Docker's "
                    f"built-in BuildKit does; a standalone buildkitd keeps {m.mode | m.maybe:04o})"),
        )  # fmt: skip
    if r is Tri.NO:
        reason += f" and not writable by {who.label()} (add uid=/gid= to the mount)"
    return Verdict(r, path, reason, premises)


def read_mounts(items: Sequence[str | RunMount], workdir: str) -> tuple[RunMount, ...]:
    """Mounts as given: already read (`RunMount`), or flag values to read."""
    return tuple(m for item in items if (m := item if isinstance(item, RunMount) else parse_mount(item, workdir)))
