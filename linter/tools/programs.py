"""Which program does a command name? The one PATH lookup of venvlint, three-valued.

A shell runs the first `DIR/NAME` along PATH that exists (a name with a slash is taken as a path). On the model
filesystem each candidate is known to exist, known to be absent (its directory's listing is complete), or unknown;
a PATH entry itself may be unknown (`$PATH` of an image venvlint does not know). The lookup uses what is known and
no more: `ENV PATH=/opt/venv/bin:$PATH` on an unknown base still finds `/opt/venv/bin/pip` when the model holds it,
and a candidate that may exist before the first that does makes the answer unknown, never a guess.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from enum import Enum
from typing import NamedTuple

from ..model.fs import FileSystem, normpath
from ..resolve.expand import UNKNOWN_MARK


class Found(str, Enum):
    YES = "yes"  # `path` is the program the command runs
    NO = "no"  # no PATH directory has it (command not found)
    UNKNOWN = "unknown"  # one of `candidates` (or something not known) runs


class Lookup(NamedTuple):
    """The answer for one command name: `path` (absolute, as the lookup reaches it, symlinks not followed) when
    `found` is YES; `candidates` the places that may hold it, in PATH order, when UNKNOWN (the last one, when the
    lookup ran into an unknown PATH entry, is not among them: `open_end`)."""

    name: str
    found: Found
    path: str | None = None
    candidates: tuple[str, ...] = ()
    open_end: bool = False  # an unknown PATH entry was reached before the program was found

    @property
    def directory(self) -> str | None:
        return posixpath.dirname(self.path) if self.path else None

    def is_one_of(self, paths: Sequence[str]) -> bool | None:
        """Whether the program is one of `paths`: True/False when that is known, None when it is not."""
        if self.found is Found.YES:
            return self.path in paths
        if self.found is Found.NO:
            return False
        if not self.open_end and all(c in paths for c in self.candidates):
            return True
        if not self.open_end and not any(c in paths for c in self.candidates):
            return False
        return None


def path_entries(value: str | None) -> list[str | None]:
    """PATH's directories in order; None for an entry whose value is not known (`$PATH` of an unknown image)."""
    if not value:
        return []
    return [None if UNKNOWN_MARK in d else d for d in value.split(":") if d]


def which(name: str, path: str | None, fs: FileSystem, cwd: str = "/") -> Lookup:
    """The program `name` runs with PATH `path` (its value, unknown parts marked) on `fs`, in the directory `cwd`.

    A name holding a slash is that path (relative to `cwd`). Never raises."""
    if UNKNOWN_MARK in name:
        return Lookup(name, Found.UNKNOWN, open_end=True)
    if "/" in name:
        full = normpath(name, cwd)
        state = _exists(fs, full)
        if state is Found.UNKNOWN:
            return Lookup(name, Found.UNKNOWN, candidates=(full,))
        return Lookup(name, state, full if state is Found.YES else None)
    maybe: list[str] = []
    for d in path_entries(path):
        if d is None:
            return Lookup(name, Found.UNKNOWN, candidates=tuple(maybe), open_end=True)
        candidate = posixpath.join(normpath(d, cwd), name)
        state = _exists(fs, candidate)
        if state is Found.YES:
            if not maybe:
                return Lookup(name, Found.YES, candidate)
            return Lookup(name, Found.UNKNOWN, candidates=(*maybe, candidate))
        if state is Found.UNKNOWN:
            maybe.append(candidate)
    if maybe:
        return Lookup(name, Found.UNKNOWN, candidates=tuple(maybe))
    return Lookup(name, Found.NO)


def _exists(fs: FileSystem, path: str) -> Found:
    real = fs.resolve(path)
    node = fs.get(real)
    if node is not None and not node.may_be_absent:
        return Found.YES
    if node is None and fs.is_known_absent(real):
        return Found.NO
    return Found.UNKNOWN


def final_target(fs: FileSystem, path: str) -> str:
    """Where a chain of symlinks in the model ends (the path itself when it is no symlink; at most 40 hops)."""
    return fs.resolve(path, follow_last=True)
