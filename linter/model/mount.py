"""A RUN instruction's `--mount` flag, read once (BuildKit's syntax: `type=cache,target=/root/.cache,uid=1000`).

Writes below a mount's target do not persist in the image; a cache mount's own owner and mode (uid/gid/mode, default
0:0 0755) decide who may write into it, and a tmpfs is 1777.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fs import below, normpath

MOUNT_TYPES = frozenset({"bind", "cache", "tmpfs", "secret", "ssh"})


@dataclass(frozen=True)
class RunMount:
    type: str  # bind (the default), cache, tmpfs, secret, ssh
    target: str  # absolute (a relative target is below the WORKDIR)
    uid: int | None = 0
    gid: int | None = 0
    mode: int | None = 0o755
    text: str = ""  # the flag's value as written

    def covers(self, path: str) -> bool:
        return below(path, self.target)


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
    )


def parse_mounts(texts: tuple[str, ...] | list[str], workdir: str) -> tuple[RunMount, ...]:
    return tuple(m for t in texts if (m := parse_mount(t, workdir)) is not None)
