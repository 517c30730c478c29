"""The one place that answers "can identity X write (or traverse, or read) path P" in the model filesystem."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .fs import FileSystem, Kind, Node, ancestors, format_mode


class Tri(str, Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    def __bool__(self) -> bool:  # pragma: no cover - guard against accidental truthiness
        raise TypeError("Tri has three values; compare with Tri.YES / Tri.NO explicitly")


@dataclass(frozen=True)
class Identity:
    """Who runs something: a uid, a primary gid, supplementary gids.

    `arbitrary` stands for OpenShift's arbitrary UID: any uid that owns nothing, in group 0 (gid 0).
    `uid`/`gid` None means not known (e.g. `USER app` on an image whose passwd we do not know).
    """

    uid: int | None
    gid: int | None
    groups: frozenset[int] = frozenset()
    name: str | None = None
    spec: str = ""  # as written: "1001", "app:app", "arbitrary"
    arbitrary: bool = False

    @property
    def is_root(self) -> bool:
        return self.uid == 0

    def label(self) -> str:
        if self.arbitrary:
            return "an arbitrary uid in group 0"
        who = self.name or (str(self.uid) if self.uid is not None else self.spec or "?")
        if self.name and self.uid is not None:
            who = f"{self.name} (uid {self.uid})"
        elif self.uid is not None:
            who = f"uid {self.uid}"
        return who


ROOT = Identity(0, 0, frozenset(), "root", "root")
ARBITRARY = Identity(None, 0, frozenset(), None, "arbitrary", arbitrary=True)


@dataclass(frozen=True)
class Verdict:
    """The answer to an access question, with the path that decides it and why."""

    result: Tri
    path: str  # the path that decided (the blocking ancestor, or the target itself)
    reason: str

    @property
    def yes(self) -> bool:
        return self.result is Tri.YES

    @property
    def no(self) -> bool:
        return self.result is Tri.NO


_BITS = {"r": 4, "w": 2, "x": 1}


def _class_bits(node: Node, who: Identity) -> tuple[Tri, str]:
    """Which permission class (owner/group/other) applies to `who` for `node`, as the digit's shift and a label."""
    if node.uid is None or node.gid is None:
        return Tri.UNKNOWN, "owner not known"
    if who.arbitrary:
        # An arbitrary uid never equals the owner (images are built before the uid is chosen).
        if node.gid == 0 or (who.gid is not None and node.gid == who.gid):
            return Tri.YES, "group"
        return Tri.YES, "other"
    if who.uid is None:
        return Tri.UNKNOWN, "user not known"
    if node.uid == who.uid:
        return Tri.YES, "owner"
    if who.gid is None:
        return Tri.UNKNOWN, "group not known"
    if node.gid == who.gid or node.gid in who.groups:
        return Tri.YES, "group"
    return Tri.YES, "other"


def permits(node: Node, who: Identity, want: str) -> Tri:
    """Whether `who` has every permission in `want` ("w", "wx", "x", "r") on `node` by its mode bits."""
    if who.is_root and not who.arbitrary:
        if "x" in want and node.kind is Kind.FILE and node.mode is not None and not node.mode & 0o111:
            return Tri.NO
        return Tri.YES
    known, cls = _class_bits(node, who)
    if known is not Tri.YES or node.mode is None:
        return Tri.UNKNOWN
    shift = {"owner": 6, "group": 3, "other": 0}[cls]
    digit = (node.mode >> shift) & 7
    need = sum(_BITS[c] for c in set(want))
    return Tri.YES if digit & need == need else Tri.NO


def _describe(path: str, node: Node) -> str:
    return f"{path} is {node.uid}:{node.gid} {format_mode(node.mode)}"


def can_traverse(fs: FileSystem, who: Identity, path: str) -> Verdict:
    """Every directory from `/` down to `path`'s parent must grant `x` (search) to `who`."""
    for a in ancestors(path):
        node = fs.get(fs.resolve(a))
        if node is None:
            if fs.is_known_absent(a):
                return Verdict(Tri.NO, a, f"{a} does not exist")
            return Verdict(Tri.UNKNOWN, a, f"{a} is not known")
        r = permits(node, who, "x")
        if r is Tri.NO:
            return Verdict(Tri.NO, a, f"{_describe(a, node)}: no search (x) permission for {who.label()}")
        if r is Tri.UNKNOWN:
            return Verdict(Tri.UNKNOWN, a, f"the owner or mode of {a} is not known")
    return Verdict(Tri.YES, path, "every parent directory is searchable")


def can_write_dir(fs: FileSystem, who: Identity, path: str) -> Verdict:
    """Can `who` create and remove entries in directory `path` (w+x on it, x on every parent)?"""
    real = fs.resolve(path)
    node = fs.get(real)
    if node is None:
        if fs.is_known_absent(real):
            return Verdict(Tri.NO, real, f"{real} does not exist")
        return Verdict(Tri.UNKNOWN, real, f"{real} is not known")
    trav = can_traverse(fs, who, real)
    if trav.result is not Tri.YES:
        return trav
    r = permits(node, who, "wx")
    if r is Tri.YES:
        return Verdict(Tri.YES, real, f"{_describe(real, node)}")
    if r is Tri.NO:
        return Verdict(Tri.NO, real, f"{_describe(real, node)}: not writable by {who.label()}")
    return Verdict(Tri.UNKNOWN, real, f"the owner or mode of {real} is not known")


def can_create(fs: FileSystem, who: Identity, path: str) -> Verdict:
    """Can `who` create `path` (with `mkdir -p` semantics): the deepest existing ancestor must be writable."""
    real = fs.resolve(path)
    if fs.get(real) is not None:
        return can_write_dir(fs, who, real)
    if not fs.is_known_absent(real):
        return Verdict(Tri.UNKNOWN, real, f"whether {real} exists is not known")
    probe = real
    for a in reversed(ancestors(real)):
        probe = a
        if fs.get(fs.resolve(a)) is not None:
            break
    verdict = can_write_dir(fs, who, probe)
    if verdict.result is Tri.NO:
        return Verdict(Tri.NO, verdict.path, f"{real} does not exist and {verdict.reason}")
    return verdict


def can_modify(fs: FileSystem, who: Identity, path: str) -> Verdict:
    """Can `who` change the metadata (chmod/chown) of `path`: only its owner or root."""
    real = fs.resolve(path)
    node = fs.get(real)
    if who.is_root and not who.arbitrary:
        return Verdict(Tri.YES, real, "root")
    if node is None:
        return Verdict(Tri.UNKNOWN if not fs.complete else Tri.NO, real, f"{real} is not known")
    if node.uid is None or who.uid is None:
        return Verdict(Tri.UNKNOWN, real, f"the owner of {real} is not known")
    if node.uid == who.uid:
        return Verdict(Tri.YES, real, "owner")
    return Verdict(Tri.NO, real, f"{_describe(real, node)}: only its owner or root may change it")
