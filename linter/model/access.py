"""The one place that answers "can identity X write (or traverse, or read) path P" in the model filesystem.

Every answer is a `Verdict` that carries the facts it rests on (`Premise`s: the node that decided, with where its
owner and mode came from, or the listing that says a path is absent). A finding built on a verdict takes them over,
so that the core can tell an error resting only on known facts from one resting on an assumption.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

from .fs import Action, FileSystem, Kind, Knowledge, Node, Opaque, ancestors, format_mode, parent_of


class Tri(str, Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    def __bool__(self) -> bool:  # pragma: no cover - guard against accidental truthiness
        raise TypeError("Tri has three values; compare with Tri.YES / Tri.NO explicitly")


class PremiseKind(str, Enum):
    PATH = "path"  # a path's owner, group and mode
    ABSENT = "absent"  # a path does not exist
    USER = "user"  # who runs a command
    COMMAND = "command"  # that a command ran (or how it was read)


class Premise(NamedTuple):
    """A fact a verdict or a finding rests on, with where it comes from (`knowledge`) and the line that set it
    (0: the base image). `assumption` says in words what venvlint assumed, for a premise that is not known."""

    kind: PremiseKind
    subject: str  # the path, the user as written, or the command
    knowledge: Knowledge
    line: int = 0
    uid: int | None = None
    gid: int | None = None
    mode: int | None = None
    assumption: str = ""

    @property
    def known(self) -> bool:
        return self.knowledge.known


@dataclass(frozen=True)
class Identity:
    """Who runs something: a uid, a primary gid, supplementary gids.

    `arbitrary` stands for OpenShift's arbitrary UID: any uid that owns nothing, in group 0 (gid 0).
    `uid`/`gid` None means not known (e.g. `USER app` on an image whose passwd we do not know). `knowledge` and
    `source` say how the identity was resolved (not part of equality: the same uid is the same user).
    """

    uid: int | None
    gid: int | None
    groups: frozenset[int] = frozenset()
    name: str | None = None
    spec: str = ""  # as written: "1001", "app:app", "arbitrary"
    arbitrary: bool = False
    knowledge: Knowledge = field(default=Knowledge.BUILT, compare=False)
    source: str = field(default="", compare=False)  # e.g. "useradd at line 3", "the distribution's base accounts"
    fresh: bool = field(default=False, compare=False)  # a user this build made: never uid 0 (see users.User)

    @property
    def is_root(self) -> bool:
        return self.uid == 0

    @property
    def owner_name(self) -> str:
        """How a command names this user as an owner (`chown NAME`, `install -o NAME`): the name, else the uid; ""
        when neither is known (an arbitrary uid)."""
        return self.name or (str(self.uid) if self.uid is not None else "")

    def label(self) -> str:
        if self.arbitrary:
            return "an arbitrary uid in group 0"
        if self.name and self.uid is not None:
            return f"user {self.name} (uid {self.uid})"
        if self.uid is not None:
            return f"uid {self.uid}"
        return f"user {self.name or self.spec or 'unknown'}"

    def premise(self) -> Premise:
        how = f" ({self.source})" if self.source else ""
        assumption = f"that {self.label()} is who the image has{how}" if not self.knowledge.known else ""
        return Premise(
            PremiseKind.USER, self.spec or self.label(), self.knowledge, 0, self.uid, self.gid, None, assumption
        )


ROOT = Identity(0, 0, frozenset(), "root", "root")
ARBITRARY = Identity(None, 0, frozenset(), None, "arbitrary", arbitrary=True)


class Verdict(NamedTuple):
    """The answer to an access question, with the path that decides it, why, and the facts it rests on."""

    result: Tri
    path: str  # the path that decided (the blocking ancestor, or the target itself)
    reason: str
    premises: tuple[Premise, ...] = ()

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
    """Whether `who` has every permission in `want` ("w", "wx", "x", "r") on `node` by its mode bits. A user whose
    group is not known (a uid without a known passwd entry) is decided when the group and other bits agree."""
    if who.is_root and not who.arbitrary:  # root ignores the mode bits, known or not (but not a file's x bits)
        if "x" in want and node.kind is Kind.FILE and node.mode is not None and not node.mode & 0o111:
            return Tri.NO if node.knowledge.known else Tri.UNKNOWN
        return Tri.YES
    if node.knowledge is Knowledge.UNKNOWN:
        return Tri.UNKNOWN
    mode = node.mode
    if mode is None:
        return Tri.UNKNOWN
    need = _NEED.get(want)
    if need is None:
        need = _NEED[want] = sum(_BITS[c] for c in set(want))
    known, cls = _class_bits(node, who)
    if known is Tri.YES:
        return Tri.YES if (mode >> _SHIFT[cls]) & need == need else Tri.NO
    if cls == "group not known" and node.uid != who.uid:
        group, other = (mode >> 3) & need == need, mode & need == need
        if group == other:
            return Tri.YES if group else Tri.NO
    return Tri.UNKNOWN


_SHIFT = {"owner": 6, "group": 3, "other": 0}
_NEED: dict[str, int] = {}


def describe(path: str, node: Node) -> str:
    return f"{path} is {_id(node.uid)}:{_id(node.gid)} {format_mode(node.mode)}"


def _id(v: int | None) -> str:
    return "?" if v is None else str(v)


def path_premise(fs: FileSystem, path: str, node: Node | None = None) -> Premise:
    """The fact "`path` has this owner and mode", with where that came from."""
    node = node if node is not None else fs.get(path)
    if node is None:
        return absent_premise(fs, path)
    last = node.history[-1] if node.history else None
    line = last.cause.line if last is not None else 0
    knowledge = node.knowledge
    assumption = assumption_of(path, node) if not knowledge.known else ""
    opaque = fs.opaque_after(path, node.uid, last.seq if last is not None else 0)
    if opaque is not None and knowledge.known:
        knowledge = Knowledge.ASSUMED
        assumption = opaque_assumption(path, opaque)
    return Premise(PremiseKind.PATH, path, knowledge, line, node.uid, node.gid, node.mode, assumption)


def opaque_assumption(path: str, ev: Opaque) -> str:
    return f"that `{ev.command}` (line {ev.line}, not modelled) left the owner and mode of {path} as they were"


def absent_premise(fs: FileSystem, path: str) -> Premise:
    """The fact "`path` does not exist": as good as what says the listing of its first missing component's parent
    is complete (the build made that directory, or a profile lists it whole)."""
    parent = parent_of(path)
    for p in [*ancestors(path)[1:], path]:
        if fs.get(p) is None:
            parent = parent_of(p)
            break
    holder = fs.get(parent)
    knowledge = holder.knowledge if holder is not None else Knowledge.UNKNOWN
    line = holder.history[-1].cause.line if holder is not None and holder.history else 0
    assumption = "" if knowledge.known else f"that {parent} holds no {path[len(parent) :].lstrip('/')}"
    return Premise(PremiseKind.ABSENT, path, knowledge, line, assumption=assumption)


def assumption_of(path: str, node: Node) -> str:
    """In words, what venvlint assumed about a node whose metadata is ASSUMED."""
    for ch in reversed(node.history):
        if ch.tentative:
            return f"that line {ch.cause.line} (`{ch.cause.instruction}`) changed {path} as it may have"
    first = node.history[0] if node.history else None
    if first is not None and first.action is Action.CREATED:
        return (
            f"that {path} did not exist before line {first.cause.line} (`{first.cause.instruction}`), which then "
            f"created it {_id(first.uid)}:{_id(first.gid)} {format_mode(first.mode)}"
        )
    return f"the owner and mode of {path}"


def who_premise(who: Identity, node: Node, need: str = "") -> Premise:
    """The fact about `who` a verdict on `node` rests on. Who an assumed account is matters only where it could own
    the node or share its group: a user useradd made (never uid 0, and not in group 0 unless told) is certainly
    neither for a node owned 0:0. With `need` (the permissions asked, "wx"): where neither the group nor others
    have them, only the uid matters, and a USER given as a number names it for certain."""
    premise = who.premise()
    if premise.known or who.arbitrary:
        return premise
    fresh = who.fresh and who.uid not in (None, 0) and who.gid not in (None, 0) and 0 not in who.groups
    if fresh and node.uid == 0 and node.gid == 0:
        return premise._replace(knowledge=Knowledge.BUILT, assumption="")
    numeric = who.spec.partition(":")[0].isdigit() and who.uid not in (None, 0)
    if numeric and need and node.uid not in (None, who.uid) and node.mode is not None:
        bits = {"r": 0o044, "w": 0o022, "x": 0o011}
        # A permission neither the group nor others have: no uid but the owner's gets it, whatever its groups.
        if any(node.mode & bits[c] == 0 for c in need if c in bits):
            return premise._replace(knowledge=Knowledge.BUILT, assumption="")
    return premise


def created_dir(parent: Node | None, who: Identity, umask: int) -> Node:
    """The directory `who` creates in `parent` under `umask` (docs/BUILDERS.md rule 8): `who`'s, in the parent's
    group when the parent is setgid (the new directory inherits the bit), else in `who`'s primary group."""
    setgid = parent is not None and parent.mode is not None and bool(parent.mode & 0o2000)
    gid = parent.gid if setgid and parent is not None else who.gid
    return Node(Kind.DIR, who.uid, gid, (0o777 & ~umask) | (0o2000 if setgid else 0))


def can_traverse(fs: FileSystem, who: Identity, path: str) -> Verdict:
    """Every directory from `/` down to `path`'s parent must grant `x` (search) to `who`."""
    for a in ancestors(path):
        real = fs.resolve(a)
        node = fs.get(real)
        if node is None:
            if fs.is_known_absent(real):
                return Verdict(Tri.NO, a, f"{a} does not exist", (absent_premise(fs, real),))
            return Verdict(Tri.UNKNOWN, a, f"{a} is not known")
        r = permits(node, who, "x")
        if r is Tri.NO:
            return Verdict(
                Tri.NO,
                a,
                f"{describe(a, node)}: no search (x) permission for {who.label()}",
                (path_premise(fs, real, node), who_premise(who, node, "x")),
            )
        if r is Tri.UNKNOWN:
            return Verdict(Tri.UNKNOWN, a, f"the owner or mode of {a} is not known")
    return Verdict(Tri.YES, path, "every parent directory is searchable")


def can_write_dir(fs: FileSystem, who: Identity, path: str) -> Verdict:
    """Can `who` create and remove entries in directory `path` (w+x on it, x on every parent)?"""
    real = fs.resolve(path)
    node = fs.get(real)
    if node is None:
        if fs.is_known_absent(real):
            return Verdict(Tri.NO, real, f"{real} does not exist", (absent_premise(fs, real),))
        return Verdict(Tri.UNKNOWN, real, f"{real} is not known")
    trav = can_traverse(fs, who, real)
    if trav.result is not Tri.YES:
        return trav
    r = permits(node, who, "wx")
    if r is Tri.YES:
        return Verdict(Tri.YES, real, describe(real, node))
    if r is Tri.NO:
        return Verdict(
            Tri.NO,
            real,
            f"{describe(real, node)}: not writable by {who.label()}",
            (path_premise(fs, real, node), who_premise(who, node, "wx")),
        )
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
        return Verdict(
            Tri.NO,
            verdict.path,
            f"{real} does not exist and {verdict.reason}",
            (*verdict.premises, absent_premise(fs, real)),
        )
    return verdict


def can_modify(fs: FileSystem, who: Identity, path: str) -> Verdict:
    """Can `who` change the metadata (chmod/chown) of `path`: only its owner or root."""
    real = fs.resolve(path)
    node = fs.get(real)
    if who.is_root and not who.arbitrary:
        return Verdict(Tri.YES, real, "root")
    if node is None:
        if fs.is_known_absent(real):
            return Verdict(Tri.NO, real, f"{real} does not exist", (absent_premise(fs, real),))
        return Verdict(Tri.UNKNOWN, real, f"{real} is not known")
    if node.uid is None or who.uid is None or node.knowledge is Knowledge.UNKNOWN:
        return Verdict(Tri.UNKNOWN, real, f"the owner of {real} is not known")
    if node.uid == who.uid:
        return Verdict(Tri.YES, real, "owner")
    return Verdict(
        Tri.NO,
        real,
        f"{describe(real, node)}: only its owner or root may change it",
        (path_premise(fs, real, node), who.premise()),
    )
