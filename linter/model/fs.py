"""The model filesystem: path → node (kind, owner, group, mode), each node carrying the history of what changed it.

The model is an open world. Knowledge of a node's metadata is one of `Knowledge`: built (replayed from this
Dockerfile and its context), stated by a base-image profile, derived from the base's distribution family, assumed
(venvlint had to assume something to go on, and says so), or unknown (`uid`/`gid`/`mode` None). Absence is known
only below a directory whose *listing* is complete: one the build created from nothing, or one a base-image profile
declares complete. Below any other directory a path the model does not hold is unknown, never absent.

Every change goes through `FileSystem.put` (or `remove`, `tag`, `mark_open`), which keeps the history, the listing
completeness and the tentative mode (`tentative`: changes a command may or may not have made, when a shell
condition could not be decided) consistent.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple


class Kind(str, Enum):
    DIR = "dir"
    FILE = "file"
    SYMLINK = "symlink"


class Knowledge(str, Enum):
    """Where a fact comes from. The first three are known (an error may rest on them); an assumed fact makes a
    finding at most a warning that names the assumption; an unknown one gives no finding at all."""

    BUILT = "built"  # replayed from this Dockerfile and its build context
    PROFILE = "profile"  # stated by a base-image profile (read from the image's public Dockerfile)
    DISTRIBUTION = "distribution"  # what every image of the base's distribution family has (derived, not measured)
    ASSUMED = "assumed"  # assumed by venvlint to go on (e.g. a directory created where one may have existed)
    UNKNOWN = "unknown"  # the path exists (or may) but its metadata is not known

    @property
    def known(self) -> bool:
        return self in _KNOWN

    def worst(self, other: Knowledge) -> Knowledge:
        """The weaker of two (a fact derived from both is only as good as the weaker)."""
        return self if _RANK[self] >= _RANK[other] else other


_KNOWN = frozenset({Knowledge.BUILT, Knowledge.PROFILE, Knowledge.DISTRIBUTION})
_RANK = {
    Knowledge.BUILT: 0,
    Knowledge.PROFILE: 1,
    Knowledge.DISTRIBUTION: 2,
    Knowledge.ASSUMED: 3,
    Knowledge.UNKNOWN: 4,
}


class Action(str, Enum):
    """What a change did (typed, so that rules never read it back from text)."""

    PROFILE = "from the base-image profile"
    DISTRIBUTION = "as every image of the distribution has it"
    BASE_IMAGE = "in the base image (not known)"
    CREATED = "created"
    COPY_RESET = "metadata replaced from the COPY source"  # an existing directory inside a COPY/ADD source tree
    REAPPLIED = "re-applied by COPY (unchanged)"
    REPLACED = "replaced"
    REPLACED_SYMLINK = "a symlink replaced with a directory"
    CHOWN = "chown"
    CHMOD = "chmod"
    FIX_PERMISSIONS = "fix-permissions"
    INSTALL = "install"
    MOVED = "moved"
    COPIED = "copied"
    REMOVED = "removed"
    DISCARDED = "RUN change discarded (VOLUME)"
    BUILDER_RESET = "reset by the builder"


class Cause(NamedTuple):
    """Where a change came from: a Dockerfile line and a short instruction text for people (`keyword`: the
    instruction, e.g. "COPY"; `copy_from`: the stage or image of a `COPY --from`; `profile`: the base-image profile a
    FROM line brought in; `line` 0 only for a profile read outside a build)."""

    line: int
    instruction: str
    stage: str = ""
    profile: str | None = None
    keyword: str = ""
    copy_from: str | None = None
    # The characters [start, end) of the instruction's original text that the command making the change spans: a
    # command of a shell-form RUN's script (None elsewhere, and in scripts run by other commands, `sh -c`).
    span: tuple[int, int] | None = None
    # What takes that command out of the RUN with the `&&` joining it to a neighbour (None: nothing simple does).
    cut: tuple[int, int] | None = None


class Change(NamedTuple):
    """One step of a node's history: the state right after `cause`, what happened, and details for rules and
    `explain` (`spec`: the owner or mode as written; `source`: the path it was copied from; `tentative`: a change the
    command may or may not have made). A tuple: a large COPY makes hundreds of thousands of them."""

    cause: Cause
    kind: Kind | None
    uid: int | None
    gid: int | None
    mode: int | None
    action: Action
    detail: str = ""  # e.g. "created by mkdir", "chown -R app:app": for people, never parsed
    recursive: bool = False
    spec: str = ""
    source: str = ""
    tentative: bool = False
    knowledge: Knowledge = Knowledge.BUILT  # of the node's metadata right after this change
    seq: int = 0  # the filesystem's change counter when this change was made (orders changes within a line)

    @property
    def note(self) -> str:
        text = self.detail or self.action.value
        return f"{text} (if that command ran)" if self.tentative else text


class Node(NamedTuple):
    """A path's kind, owner, group and mode, where that knowledge comes from, and its history. Immutable (a tuple,
    cheap to make): a change makes a new node."""

    kind: Kind
    uid: int | None
    gid: int | None
    mode: int | None  # permission bits incl. setuid/setgid/sticky (0o7777 mask), None if unknown
    knowledge: Knowledge = Knowledge.BUILT
    target: str | None = None  # for symlinks
    history: tuple[Change, ...] = ()
    # Facts other layers attach (e.g. "venv": "/opt/app-root" on a pyvenv.cfg, "content" of /etc/passwd).
    tags: tuple[tuple[str, str], ...] = ()

    def tag(self, key: str) -> str | None:
        for k, v in self.tags:
            if k == key:
                return v
        return None

    def with_tag(self, key: str, value: str) -> Node:
        return self._replace(tags=(*tuple((k, v) for k, v in self.tags if k != key), (key, value)))

    @property
    def may_be_absent(self) -> bool:
        """Whether the node may not be there at all: made or removed by a command that may not have run, or a
        directory an unknown image may have."""
        if not self.history:
            return False
        last = self.history[-1]
        if last.tentative and last.action in (Action.CREATED, Action.REMOVED):
            return True
        return self.knowledge is Knowledge.UNKNOWN and self.history[0].action is Action.BASE_IMAGE

    @property
    def created(self) -> Cause | None:
        """The instruction that created the node (None for a node from the base image)."""
        first = self.history[0] if self.history else None
        if first is None or first.action in (Action.PROFILE, Action.DISTRIBUTION, Action.BASE_IMAGE):
            return None
        return first.cause


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


def below(path: str, top: str) -> bool:
    """`path` is `top` or inside it."""
    return path == top or top == "/" or path.startswith(top + "/")


def format_mode(mode: int | None) -> str:
    return "????" if mode is None else f"{mode:04o}"


def _merge(a: int | None, b: int | None) -> int | None:
    return a if a == b else None


class Opaque(NamedTuple):
    """A command venvlint does not model, which may have changed owners and modes: of every path its user may
    change (`paths` None: a script, `make`, ...), or only of the paths among its arguments (a package manager, a
    download, an extraction)."""

    seq: int
    line: int
    command: str
    uid: int | None  # who ran it (0: root, who may change anything; None: not known)
    paths: tuple[str, ...] | None
    archive: bool = False  # a system package manager installing from the distribution's own archive


REMOVALS_KEPT = 10_000  # paths of one removal whose history `explain` keeps


@dataclass
class FileSystem:
    """A mutable model filesystem. Nodes are immutable; every mutation goes through `put`/`remove`/`tag`."""

    nodes: dict[str, Node] = field(default_factory=dict)
    # Directories whose listing is complete: a path missing below one of them is known absent.
    complete: set[str] = field(default_factory=set)
    # path → names of children, kept in step with `nodes` so subtree operations need not scan everything.
    _children: dict[str, set[str]] = field(default_factory=dict, repr=False)
    # Paths created on the assumption that the base image did not have them (drained by the simulator).
    assumed_absent: list[str] = field(default_factory=list, repr=False)
    # A removed path's history, ending with its removal (only the path an instruction removed, not what was below
    # it): `explain` shows it; the rules see only what exists.
    removed: dict[str, tuple[Change, ...]] = field(default_factory=dict, repr=False)
    bulk_removed: set[str] = field(default_factory=set, repr=False)  # removals too large to record path by path
    # > 0 while replaying a command that may or may not run (a shell condition venvlint could not decide): what it
    # creates may exist, what it changes is known only where both outcomes agree, what it removes may still exist.
    tentative: int = field(default=0, repr=False)
    # Commands venvlint did not model that may have changed owners and modes (see `opaque_after`).
    opaque: list[Opaque] = field(default_factory=list, repr=False)
    seq: int = field(default=0, repr=False)  # counts changes, so that `opaque` can be ordered against them
    # Destinations of COPYs whose sources venvlint could not see: anything may now be at or below each.
    unseen_copies: list[str] = field(default_factory=list, repr=False)

    @classmethod
    def base(
        cls, entries: Iterable[tuple[str, Node]], cause: Cause, action: Action, detail: str, complete: Iterable[str]
    ) -> FileSystem:
        """A base image's filesystem as a profile describes it: each node with one history entry (`cause`, the
        FROM line), parents listed before children, `complete` the directories whose listing is whole. Built
        directly rather than through `put` (many Dockerfiles start from a profile: this is on every lint's path)."""
        fs = cls(complete=set(complete))
        nodes = fs.nodes
        for path, node in entries:
            change = Change(cause, node.kind, node.uid, node.gid, node.mode, action, detail, knowledge=node.knowledge)
            nodes[path] = Node(node.kind, node.uid, node.gid, node.mode, node.knowledge, node.target, (change,),
                               node.tags)  # fmt: skip
            if path != "/":
                parent, _, name = path.rpartition("/")
                fs._add_child(parent or "/", name)
        return fs

    @classmethod
    def scratch(cls) -> FileSystem:
        fs = cls()
        fs.put("/", Node(Kind.DIR, 0, 0, 0o755), Cause(0, "FROM scratch"), Action.CREATED, listing_complete=True)
        return fs

    # Directories an image almost always has, with metadata unlike what a builder gives a directory it creates
    # (0:0 0755): in an unknown image they may exist, so a COPY or WORKDIR below them must not assume they did not.
    MAYBE_PRESENT = ("/tmp", "/var", "/var/tmp", "/root", "/home", "/run")

    @classmethod
    def unknown(cls, cause: Cause) -> FileSystem:
        """An image we know nothing about: `/` exists (assumed 0:0 0755); the usual system directories may exist
        with metadata not known; everything else is unknown."""
        fs = cls()
        fs.put("/", Node(Kind.DIR, 0, 0, 0o755, Knowledge.ASSUMED), cause, Action.BASE_IMAGE, "the image's root")
        for path in cls.MAYBE_PRESENT:
            node = Node(Kind.DIR, None, None, None, Knowledge.UNKNOWN)
            fs.put(path, node, cause, Action.BASE_IMAGE, "may be in the image (not known)")
        return fs

    def copy(self) -> FileSystem:
        return FileSystem(
            dict(self.nodes),
            set(self.complete),
            {k: set(v) for k, v in self._children.items()},
            removed=dict(self.removed),
            bulk_removed=set(self.bulk_removed),
            opaque=list(self.opaque),
            seq=self.seq,
            unseen_copies=list(self.unseen_copies),
        )

    def record_opaque(
        self, line: int, command: str, uid: int | None, paths: tuple[str, ...] | None, archive: bool = False
    ) -> None:
        """An unmodelled command ran (see `Opaque`)."""
        self.seq += 1
        self.opaque.append(Opaque(self.seq, line, command, uid, paths, archive))

    def built_below(self, top: str) -> bool:
        """Whether this build (not the base image) may have put or changed anything at or below `top`: a node
        there changed by an instruction, a COPY whose sources venvlint could not see, or an unmodelled command
        other than a package manager reading the distribution's archive that could have written there."""
        if any(below(d, top) or below(top, d) for d in self.unseen_copies):
            return True
        for ev in self.opaque:
            if not ev.archive and (ev.paths is None or any(below(p, top) or below(top, p) for p in ev.paths)):
                return True
        return any((h := self.nodes[p].history) and h[-1].cause.line > 0 for p in self.walk(top))

    def opaque_after(self, path: str, owner: int | None, after: int, before: int | None = None) -> Opaque | None:
        """The last unmodelled command, between the changes numbered `after` and `before`, that may have changed
        the owner or mode of `path` (owned by `owner`)."""
        for ev in reversed(self.opaque):
            if ev.seq <= after:
                return None
            if before is not None and ev.seq >= before:
                continue
            if ev.uid is not None and ev.uid != 0 and ev.uid != owner:
                continue  # only root and the owner may change a path's owner or mode
            if ev.paths is None or any(below(path, p) for p in ev.paths):
                if ev.archive and below(path, "/usr/local"):
                    continue  # the distribution's packages ship nothing there (docs/MEASUREMENTS.md)
                return ev
        return None

    # -- reading ---------------------------------------------------------------------------------------------------
    def get(self, path: str) -> Node | None:
        """The node stored at exactly `path` (no symlink resolution)."""
        return self.nodes.get(path)

    def may_be_copied(self, path: str) -> bool:
        """Whether a COPY whose sources venvlint could not see may have put `path` there."""
        return any(below(path, d) for d in self.unseen_copies)

    def is_known_absent(self, path: str) -> bool:
        """Absent, and we know it: the first missing component of `path` sits in a directory whose listing is
        complete (or below a file, where nothing can be; a "file" whose metadata is unknown may be a directory: a
        COPY from an image or stage venvlint cannot see puts one there)."""
        nodes = self.nodes
        if path in nodes:
            return False
        # Up from `path` to its deepest existing ancestor: the first missing component is that one's child (the
        # engine's hottest question, so no list of ancestors is built).
        p = path
        while p != "/":
            parent = p.rpartition("/")[0] or "/"
            node = nodes.get(parent)
            if node is not None:
                if node.kind is Kind.FILE:
                    return node.knowledge is not Knowledge.UNKNOWN
                return parent in self.complete
            p = parent
        return False

    def known_empty(self, path: str) -> bool:
        """`path` is a directory known to hold nothing."""
        node = self.nodes.get(path)
        return node is not None and node.kind is Kind.DIR and path in self.complete and not self._children.get(path)

    def listing_complete(self, directory: str) -> bool:
        """Whether every entry of `directory` is in the model."""
        return directory in self.complete

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

    def _subtree(self, path: str) -> list[str]:
        """`path` and every stored path below it, in no particular order (cheaper than `walk`)."""
        out = [path] if path in self.nodes else []
        stack = [path]
        kids = self._children
        while stack:
            p = stack.pop()
            names = kids.get(p)
            if names:
                base = "" if p == "/" else p
                below_p = [f"{base}/{n}" for n in names]
                out.extend(below_p)
                stack.extend(below_p)
        return out

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
    def put(
        self,
        path: str,
        node: Node,
        cause: Cause,
        action: Action,
        detail: str = "",
        *,
        recursive: bool = False,
        spec: str = "",
        source: str = "",
        listing_complete: bool | None = None,
    ) -> Node:
        """Store `node` at `path`, appending a history entry; the one way a node is created or changed.

        A directory created where nothing was known to be gets an incomplete listing and, unless its metadata is
        set whatever was there before (`node.knowledge` BUILT by a COPY source), ASSUMED metadata; one created
        where the path was known absent gets a complete listing (`listing_complete` overrides both). In tentative
        mode a new node is ASSUMED and a changed one keeps only what both outcomes agree on.
        """
        old = self.nodes.get(path)
        tentative = self.tentative > 0
        if old is None:
            absent = path != "/" and self.is_known_absent(path)
            if tentative and node.knowledge.known:
                node = node._replace(knowledge=Knowledge.ASSUMED)
            if node.kind is Kind.DIR:
                complete = (absent and not tentative) if listing_complete is None else listing_complete
                if complete:
                    self.complete.add(path)
            history: tuple[Change, ...] = ()
        else:
            if tentative:
                node = node._replace(
                    uid=_merge(old.uid, node.uid),
                    gid=_merge(old.gid, node.gid),
                    mode=_merge(old.mode, node.mode),
                    kind=old.kind if old.kind is node.kind else node.kind,
                    knowledge=old.knowledge.worst(node.knowledge).worst(Knowledge.ASSUMED)
                    if old.kind is not node.kind
                    else old.knowledge.worst(node.knowledge),
                )
            if listing_complete is not None and node.kind is Kind.DIR:
                (self.complete.add if listing_complete else self.complete.discard)(path)
            history = old.history
        self.seq += 1
        change = Change(
            cause,
            node.kind,
            node.uid,
            node.gid,
            node.mode,
            action,
            detail,
            recursive,
            spec,
            source,
            tentative,
            node.knowledge,
            self.seq,
        )
        # Positional construction: dataclasses.replace was the engine's single most expensive call.
        new = Node(node.kind, node.uid, node.gid, node.mode, node.knowledge, node.target, (*history, change), node.tags)
        self.nodes[path] = new
        if path != "/":
            parent, _, name = path.rpartition("/")
            self._add_child(parent or "/", name)
        return new

    def put_new_files(self, items: Iterable[tuple[str, Node]]) -> None:
        """`put` for many new plain files whose nodes already carry their one history entry (a large COPY of the
        build context: nodes are shared between files of the same owner and mode). Paths must not exist yet."""
        nodes = self.nodes
        add_child = self._add_child
        for path, node in items:
            nodes[path] = node
            parent, _, name = path.rpartition("/")
            add_child(parent or "/", name)

    def _add_child(self, parent: str, name: str) -> None:
        kids = self._children.get(parent)
        if kids is None:
            self._children[parent] = {name}
        else:
            kids.add(name)

    def update(self, path: str, cause: Cause, action: Action, detail: str = "", **changes: object) -> Node | None:
        """Change attributes of an existing node (uid, gid, mode, kind, target, knowledge); `recursive` and `spec`
        go to the history entry."""
        old = self.nodes.get(path)
        if old is None:
            return None
        recursive = bool(changes.pop("recursive", False))
        spec = str(changes.pop("spec", ""))
        return self.put(path, old._replace(**changes), cause, action, detail, recursive=recursive, spec=spec)  # type: ignore[arg-type]

    def tag(self, path: str, key: str, value: str) -> None:
        """Attach a fact to an existing node (no history entry: its metadata does not change)."""
        node = self.nodes.get(path)
        if node is not None:
            self.nodes[path] = node.with_tag(key, value)

    def mark_open(self, path: str, *, with_parent: bool = True) -> None:
        """Something venvlint does not model may have created entries at or below `path`: its listing, every
        listing below it, and (`with_parent`, since `path` itself may have been created) its parent's listing stop
        being complete."""
        if not self.complete:
            return
        if with_parent:
            self.complete.discard(parent_of(path))
        if path == "/":
            self.complete.clear()
            return
        for d in [d for d in self.complete if below(d, path)]:
            self.complete.discard(d)

    def open_listing(self, directory: str) -> None:
        """Only `directory`'s own listing stops being complete (something may have been created in it)."""
        self.complete.discard(directory)

    def open_all(self) -> None:
        """Nothing is known to be absent any more (a command as root that venvlint does not model)."""
        self.complete.clear()

    def remove(
        self, path: str, recursive: bool = True, cause: Cause | None = None, detail: str = "removed"
    ) -> list[str]:
        """Delete `path` (and, if recursive, everything below it). Returns the removed paths. With a `cause`, the
        removal is recorded in `removed` for `explain` (each removed path up to REMOVALS_KEPT of them; beyond that
        only `path`, which `bulk_removed` then lists). In tentative mode the nodes stay, as ASSUMED."""
        if path == "/":
            return []
        removed = self._subtree(path) if recursive else ([path] if path in self.nodes else [])
        if self.tentative > 0:
            if cause is not None:
                # Every node may be gone: each becomes ASSUMED, with the removal in its history (built directly,
                # not through `put`: a tentative `rm -rf` of a large tree is common in real scripts).
                self.seq += 1
                for p in removed:
                    old = self.nodes[p]
                    change = Change(
                        cause, old.kind, old.uid, old.gid, old.mode, Action.REMOVED, detail, tentative=True,
                        knowledge=Knowledge.ASSUMED, seq=self.seq,
                    )  # fmt: skip
                    self.nodes[p] = Node(old.kind, old.uid, old.gid, old.mode, Knowledge.ASSUMED, old.target,
                                         (*old.history, change), old.tags)  # fmt: skip
            return []
        if cause is not None:
            bulk = len(removed) > REMOVALS_KEPT
            if bulk:
                self.bulk_removed.add(path)
            for p in [path] if bulk else removed:
                gone = self.nodes.get(p)
                if gone is not None:
                    self.removed[p] = (*gone.history, Change(cause, None, None, None, None, Action.REMOVED, detail))
        for p in removed:
            self.nodes.pop(p, None)
            self._children.pop(p, None)
            self.complete.discard(p)
        siblings = self._children.get(parent_of(path))
        if siblings is not None:
            siblings.discard(posixpath.basename(path))
        return removed

    def ensure_dirs(
        self,
        path: str,
        uid: int | None,
        gid: int | None,
        mode: int,
        cause: Cause,
        detail: str = "created",
    ) -> list[str]:
        """Create every missing directory up to and including `path` (like `mkdir -p`). Returns created paths.

        A missing component that may in fact exist in the base image is created all the same (a builder would
        create it if it were missing) with ASSUMED metadata, and `assumed_absent` lists it so that the caller can
        say so.
        """
        created: list[str] = []
        for p in [*ancestors(path), path]:
            node = self.nodes.get(p)
            if node is not None:
                if node.kind is Kind.SYMLINK:
                    # A symlinked component: the real directory is elsewhere; stop, the caller resolved paths first.
                    break
                continue
            absent = self.is_known_absent(p)
            knowledge = Knowledge.BUILT if absent else Knowledge.ASSUMED
            self.put(p, Node(Kind.DIR, uid, gid, mode, knowledge), cause, Action.CREATED, detail)
            if not absent:
                self.assumed_absent.append(p)
            created.append(p)
        return created
