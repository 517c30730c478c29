"""The model filesystem: path → node (kind, owner, group, mode), each node carrying the history of what changed it.

Knowledge is three-valued. A node's `uid`/`gid`/`mode` may be None (not known, e.g. a context file that could not be
read). A path absent from `nodes` is known to be absent only when the filesystem is `complete` (a stage built from
`scratch` or from a fully modelled stage); otherwise its state is unknown, and nothing may be concluded from it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import Enum


class Kind(str, Enum):
    DIR = "dir"
    FILE = "file"
    SYMLINK = "symlink"


class Knowledge(str, Enum):
    KNOWN = "known"  # set by an instruction we replayed
    DERIVED = "derived"  # from a base-image profile or another inference
    UNKNOWN = "unknown"  # a placeholder: the path exists (or may) but its metadata is not known


@dataclass(frozen=True)
class Cause:
    """Where a change came from: a Dockerfile line (0 for a base-image profile) and a short instruction text."""

    line: int
    instruction: str
    stage: str = ""


@dataclass(frozen=True)
class Change:
    """One step of a node's history: the state right after `cause` and a short note of what happened."""

    cause: Cause
    kind: Kind | None
    uid: int | None
    gid: int | None
    mode: int | None
    note: str  # "created", "reset from build context", "chown", "removed", ...


@dataclass(frozen=True)
class Node:
    kind: Kind
    uid: int | None
    gid: int | None
    mode: int | None  # permission bits incl. setuid/setgid/sticky (0o7777 mask), None if unknown
    knowledge: Knowledge = Knowledge.KNOWN
    target: str | None = None  # for symlinks
    history: tuple[Change, ...] = ()
    # Free-form facts other layers attach (e.g. "venv": "/opt/app-root" on a pyvenv.cfg, "content" of /etc/passwd).
    tags: tuple[tuple[str, str], ...] = ()

    def tag(self, key: str) -> str | None:
        for k, v in self.tags:
            if k == key:
                return v
        return None

    def with_tag(self, key: str, value: str) -> Node:
        return replace(self, tags=(*tuple((k, v) for k, v in self.tags if k != key), (key, value)))


def normpath(path: str, cwd: str = "/") -> str:
    """An absolute, normalised image path (`..` cannot climb above `/`)."""
    if not path.startswith("/"):
        path = posixpath.join(cwd or "/", path)
    norm = posixpath.normpath(path)
    if norm.startswith("//"):
        norm = "/" + norm.lstrip("/")
    return norm


def parent_of(path: str) -> str:
    return posixpath.dirname(path) if path != "/" else "/"


def ancestors(path: str) -> list[str]:
    """`/a/b/c` → [`/`, `/a`, `/a/b`] (the path itself excluded)."""
    out: list[str] = []
    p = path
    while p != "/":
        p = parent_of(p)
        out.append(p)
    out.reverse()
    return out


def format_mode(mode: int | None) -> str:
    return "????" if mode is None else f"{mode:04o}"


REMOVALS_KEPT = 10_000  # paths of one removal whose history `explain` keeps


@dataclass
class FileSystem:
    """A mutable model filesystem. Nodes are immutable; every mutation goes through `put` so history is kept."""

    nodes: dict[str, Node] = field(default_factory=dict)
    complete: bool = True
    # Directories whose children are all in the model even though the filesystem as a whole is not complete
    # (a base-image profile may list every entry of `/home`): a path missing below one of them is known absent.
    complete_dirs: frozenset[str] = frozenset()
    # path → names of children, kept in step with `nodes` so subtree operations need not scan everything.
    _children: dict[str, set[str]] = field(default_factory=dict, repr=False)
    # Paths created on the assumption that the base image did not have them (drained by the simulator).
    assumed_absent: list[str] = field(default_factory=list, repr=False)
    # A removed path's history, ending with its removal (only the path an instruction removed, not what was below
    # it): `explain` shows it; the rules see only what exists.
    removed: dict[str, tuple[Change, ...]] = field(default_factory=dict, repr=False)
    bulk_removed: set[str] = field(default_factory=set, repr=False)  # removals too large to record path by path

    @classmethod
    def scratch(cls) -> FileSystem:
        fs = cls(complete=True)
        fs.nodes["/"] = Node(Kind.DIR, 0, 0, 0o755, Knowledge.KNOWN)
        return fs

    @classmethod
    def unknown(cls) -> FileSystem:
        """An image we know nothing about: `/` exists, everything else is unknown."""
        fs = cls(complete=False)
        fs.nodes["/"] = Node(Kind.DIR, 0, 0, 0o755, Knowledge.DERIVED)
        return fs

    def copy(self) -> FileSystem:
        return FileSystem(
            dict(self.nodes),
            self.complete,
            self.complete_dirs,
            {k: set(v) for k, v in self._children.items()},
            removed=dict(self.removed),
            bulk_removed=set(self.bulk_removed),
        )

    # -- reading ---------------------------------------------------------------------------------------------------
    def get(self, path: str) -> Node | None:
        """The node stored at exactly `path` (no symlink resolution)."""
        return self.nodes.get(path)

    def is_known_absent(self, path: str) -> bool:
        """Absent, and we know it: the filesystem is complete, or the first missing component of `path` sits in a
        directory whose listing is complete."""
        if path in self.nodes:
            return False
        if self.complete:
            return True
        for p in [*ancestors(path)[1:], path]:
            if p not in self.nodes:
                return self._listing_complete(parent_of(p))
        return False

    def _listing_complete(self, directory: str) -> bool:
        """A directory the build itself created (not one a base-image profile describes) holds only what the build
        put there; a profile may also declare a directory's listing complete."""
        if directory in self.complete_dirs:
            return True
        node = self.nodes.get(directory)
        if node is None or node.knowledge is Knowledge.UNKNOWN or not node.history:
            return False
        return not node.history[0].note.startswith("from base-image profile")

    def children(self, path: str) -> list[str]:
        names = self._children.get(path, ())
        base = path.rstrip("/")
        return sorted(f"{base}/{n}" for n in names)

    def listings(self) -> Iterator[tuple[str, set[str]]]:
        """(directory, names of its children) for every directory that has children."""
        return iter(self._children.items())

    def walk(self, path: str) -> Iterator[str]:
        """`path` and every stored path below it, parents before children."""
        if path in self.nodes:
            yield path
        stack = list(reversed(self.children(path)))
        while stack:
            p = stack.pop()
            yield p
            stack.extend(reversed(self.children(p)))

    def resolve(self, path: str, follow_last: bool = True, _depth: int = 0) -> str:
        """Resolve symlinks in the directory components of `path` (and in the last one if `follow_last`).

        Components not in the model are left as they are. Loops give up after 40 hops, like the kernel.
        """
        if _depth > 40:
            return path
        parts = [p for p in path.split("/") if p and p != "."]
        last = len(parts) - 1
        cur = "/"
        for i, part in enumerate(parts):
            # One component at a time: cheaper than normpath(join(...)) on the engine's hottest path.
            if part == "..":
                nxt = parent_of(cur)
            elif cur == "/":
                nxt = "/" + part
            else:
                nxt = f"{cur}/{part}"
            node = self.nodes.get(nxt)
            if node is not None and node.kind is Kind.SYMLINK and node.target is not None and (follow_last or i < last):
                nxt = self.resolve(normpath(node.target, cur), True, _depth + 1)
            cur = nxt
        return cur

    # -- writing ---------------------------------------------------------------------------------------------------
    def put(self, path: str, node: Node, cause: Cause, note: str) -> Node:
        """Store `node` at `path`, appending a history entry; parents must already exist (or be unknown)."""
        old = self.nodes.get(path)
        history = old.history if old is not None else ()
        change = Change(cause, node.kind, node.uid, node.gid, node.mode, note)
        # Positional construction: dataclasses.replace was the engine's single most expensive call.
        new = Node(node.kind, node.uid, node.gid, node.mode, node.knowledge, node.target, (*history, change), node.tags)
        self.nodes[path] = new
        if path != "/":
            parent, _, name = path.rpartition("/")
            self.add_child(parent or "/", name)
        return new

    def add_child(self, parent: str, name: str) -> None:
        """Record `name` as a child of `parent` (for callers that store nodes directly)."""
        kids = self._children.get(parent)
        if kids is None:
            self._children[parent] = {name}
        else:
            kids.add(name)

    def update(self, path: str, cause: Cause, note: str, **changes: object) -> Node | None:
        """Change attributes of an existing node (uid, gid, mode, kind, target, knowledge)."""
        old = self.nodes.get(path)
        if old is None:
            return None
        return self.put(path, replace(old, **changes), cause, note)  # type: ignore[arg-type]

    def remove(self, path: str, recursive: bool = True, cause: Cause | None = None, note: str = "removed") -> list[str]:
        """Delete `path` (and, if recursive, everything below it). Returns the removed paths. With a `cause`, the
        removal is recorded in `removed` for `explain` (each removed path up to REMOVALS_KEPT of them; beyond that
        only `path`, which `bulk_removed` then lists)."""
        if path == "/":
            return []
        removed = list(self.walk(path)) if recursive else ([path] if path in self.nodes else [])
        if cause is not None:
            bulk = len(removed) > REMOVALS_KEPT
            if bulk:
                self.bulk_removed.add(path)
            for p in [path] if bulk else removed:
                gone = self.nodes.get(p)
                if gone is not None:
                    self.removed[p] = (*gone.history, Change(cause, None, None, None, None, note))
        for p in removed:
            self.nodes.pop(p, None)
            self._children.pop(p, None)
        siblings = self._children.get(parent_of(path))
        if siblings is not None:
            siblings.discard(posixpath.basename(path))
        return removed

    def ensure_dirs(
        self, path: str, uid: int | None, gid: int | None, mode: int, cause: Cause, note: str = "created"
    ) -> list[str]:
        """Create every missing directory up to and including `path` (like `mkdir -p`). Returns created paths.

        On an incomplete filesystem a missing component may in fact exist in the base image; it is created all the
        same (a builder would create it if it were missing) but marked DERIVED, and `assumed_absent` lists it so the
        caller can record the assumption.
        """
        created: list[str] = []
        for p in [*ancestors(path), path]:
            node = self.nodes.get(p)
            if node is not None:
                if node.kind is Kind.SYMLINK:
                    # A symlinked component: the real directory is elsewhere; stop, the caller resolved paths first.
                    break
                continue
            knowledge = Knowledge.KNOWN if self.is_known_absent(p) else Knowledge.DERIVED
            self.put(p, Node(Kind.DIR, uid, gid, mode, knowledge), cause, note)
            if knowledge is Knowledge.DERIVED:
                self.assumed_absent.append(p)
            created.append(p)
        return created

    def parent_known(self, path: str) -> bool:
        """Whether every ancestor of `path` is in the model (so absence of `path` itself means something)."""
        return all(a in self.nodes for a in ancestors(path))
