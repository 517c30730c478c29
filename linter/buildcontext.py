"""The build context as a builder sees it: files below a root, filtered by `.dockerignore`.

Ignore rules follow the docker CLI and moby/patternmatcher: `<Dockerfile>.dockerignore` beside the Dockerfile wins
over `<context>/.dockerignore` (then podman's `.containerignore`); `#` comments; `!` exceptions; patterns are
cleaned and made relative to the context root; `*`, `?`, `[...]` never cross `/`, `**` matches any number of
directories; a pattern that matches a parent directory excludes everything below it; the last matching pattern wins.

Reading is careful: symlinks are reported, never followed out of the context; FIFOs, sockets and devices are never
opened; ignored directories are pruned while walking unless an exception could re-include something below them.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter, methodcaller
from typing import NamedTuple

from .errors import InputError
from .inputfile import read_bytes
from .model.entry import Entry
from .model.fs import Kind, Knowledge

_WILDCARD = re.compile(r"[*?\[]")


class ArchiveEntry(NamedTuple):
    name: str
    kind: Kind
    uid: int
    gid: int
    mode: int
    linkname: str | None


@dataclass(frozen=True)
class Pattern:
    text: str
    exclusion: bool
    parts: tuple[str, ...]  # the pattern split on `/`; a `**` part matches any number of path components
    matchers: tuple[Callable[[str], bool], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matchers", tuple(_component_matcher(p) for p in self.parts))

    def match(self, rel: str) -> bool:
        path = rel.split("/")
        parts, matchers = self.parts, self.matchers
        if "**" not in parts:
            return len(parts) == len(path) and all(m(c) for m, c in zip(matchers, path, strict=True))
        if parts[0] == "**" and "**" not in parts[1:]:
            # `**/name`, the commonest form: only the last components can decide.
            k = len(parts) - 1
            return len(path) >= k and all(m(c) for m, c in zip(matchers[1:], path[len(path) - k :], strict=True))
        return _match_parts(parts, tuple(path))


def _component_matcher(part: str) -> Callable[[str], bool]:
    """A matcher for one pattern component. Components in real ignore files are mostly a literal, `*.ext` or
    `prefix*`: those become one string-method call instead of the general matcher, which matters when a context
    holds 200,000 files."""
    if part == "**" or any(c in part for c in "?[\\"):
        return partial(match_component, part)
    inner = part.strip("*")
    if "*" in inner:
        return partial(match_component, part)
    if not inner:
        return _any_name
    lead, trail = part.startswith("*"), part.endswith("*")
    # methodcaller runs the string method in C, without a Python frame per name.
    if lead and trail:
        return methodcaller("__contains__", inner)
    if lead:
        return methodcaller("endswith", inner)
    if trail:
        return methodcaller("startswith", inner)
    return part.__eq__


def _any_name(name: str) -> bool:
    return True


def match_component(pattern: str, name: str) -> bool:
    """Glob match of one path component (`*`, `?`, `[...]`, backslash escapes) without backtracking blow-ups: the
    classic two-pointer algorithm that only remembers the last `*`, O(len(pattern) * len(name)) at worst."""
    p = n = 0
    star_p = star_n = -1
    while n < len(name):
        if p < len(pattern):
            if pattern[p] == "*":
                while p < len(pattern) and pattern[p] == "*":
                    p += 1
                star_p, star_n = p, n
                continue
            step = _match_one(pattern, p, name[n])
            if step:
                p += step
                n += 1
                continue
        if star_p < 0:
            return False
        star_n += 1
        p, n = star_p, star_n
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


def _match_one(pattern: str, p: int, ch: str) -> int:
    """Length of the pattern element at `p` if it matches `ch`, else 0."""
    c = pattern[p]
    if c == "?":
        return 1
    if c == "\\" and p + 1 < len(pattern):
        return 2 if pattern[p + 1] == ch else 0
    if c == "[":
        end = pattern.find("]", p + 2)
        if end < 0:
            return 1 if ch == "[" else 0
        body = pattern[p + 1 : end]
        negate = body[:1] in ("^", "!")
        if negate:
            body = body[1:]
        hit = False
        i = 0
        while i < len(body):
            if i + 2 < len(body) and body[i + 1] == "-":
                hit = hit or body[i] <= ch <= body[i + 2]
                i += 3
            else:
                hit = hit or body[i] == ch
                i += 1
        return end - p + 1 if hit != negate else 0
    return 1 if c == ch else 0


def _match_parts(pat: tuple[str, ...], path: tuple[str, ...]) -> bool:
    """Path-level match where a `**` component stands for zero or more components (a set of reachable positions)."""
    reachable = {0}
    for part in pat:
        if part == "**":
            reachable = set(range(min(reachable), len(path) + 1))
        else:
            reachable = {i + 1 for i in reachable if i < len(path) and match_component(part, path[i])}
        if not reachable:
            return False
    return len(path) in reachable


def parse_ignore(text: str) -> list[Pattern]:
    pats: list[Pattern] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exclusion = line.startswith("!")
        if exclusion:
            line = line[1:].strip()
        line = posixpath.normpath(line.replace(os.sep, "/")).lstrip("/")
        if line in ("", "."):
            if not exclusion:
                line = "**"
            else:
                continue
        pats.append(Pattern(line, exclusion, tuple(line.split("/"))))
    return pats


class MissingSource(InputError):
    """A COPY/ADD source that is not in the build context (often generated before the build: CI wheels, a
    downloaded file). venvlint lints on with its content unknown, unless asked to be strict about the context."""


class BuildContext:
    def __init__(self, root: str, dockerfile: str | None = None) -> None:
        self.root = os.path.abspath(root)
        self.available = os.path.isdir(self.root)
        self.patterns: list[Pattern] = []
        self.has_exclusions = False
        candidates = []
        if dockerfile:
            candidates.append(dockerfile + ".dockerignore")
        candidates += [os.path.join(self.root, ".dockerignore"), os.path.join(self.root, ".containerignore")]
        for c in candidates:
            if os.path.isfile(c):
                data = read_bytes(c, "ignore file")
                self.patterns = parse_ignore(data.decode("utf-8", errors="replace"))
                break
        self.has_exclusions = any(p.exclusion for p in self.patterns)

    # -- ignore rules ------------------------------------------------------------------------------------------------
    def is_ignored(self, rel: str, patterns: Sequence[Pattern] | None = None) -> bool:
        pats = self.patterns if patterns is None else patterns
        if not pats or not rel:
            return False
        parts = rel.split("/")
        matched = False
        for p in pats:
            hit = p.match(rel)
            if not hit and len(parts) > 1:
                # patternmatcher's MatchesOrParentMatches: a pattern matching a parent directory matches too.
                for k in range(1, len(parts)):
                    if p.match("/".join(parts[:k])):
                        hit = True
                        break
            if hit:
                matched = not p.exclusion
        return matched

    def _could_reinclude(self, rel_dir: str, patterns: Sequence[Pattern]) -> bool:
        """Whether an exception pattern could match something below an ignored directory."""
        prefix = rel_dir + "/"
        for p in patterns:
            if p.exclusion and (p.text.startswith(prefix) or "*" in p.text.split("/")[0] or p.text.startswith("**")):
                return True
        return False

    # -- sources -----------------------------------------------------------------------------------------------------
    def host_path(self, rel: str) -> str:
        """Where a context-relative path is on this machine."""
        return self._host(rel)

    def _host(self, rel: str) -> str:
        return os.path.join(self.root, *rel.split("/")) if rel else self.root

    def _clean(self, src: str) -> str:
        norm = posixpath.normpath("/" + src.replace("\\", "/")).lstrip("/")
        if norm == ".":
            norm = ""
        raw = posixpath.normpath(src.replace("\\", "/")) if not src.startswith("/") else ""
        if raw == ".." or raw.startswith("../"):
            raise InputError(f"COPY source {src!r} is outside the build context ({self.root})")
        return norm

    def _resolve_inside(self, rel: str) -> str:
        """Follow symlinks in the *directory* components of `rel`, scoped to the context (like BuildKit)."""
        parts = [p for p in rel.split("/") if p]
        cur: list[str] = []
        hops = 0
        i = 0
        while i < len(parts):
            cur.append(parts[i])
            host = self._host("/".join(cur))
            if i < len(parts) - 1 and os.path.islink(host):
                hops += 1
                if hops > 40:
                    raise InputError(f"symlink loop in the build context at {'/'.join(cur)}")
                target = os.readlink(host)
                base = "/" if target.startswith("/") else "/" + "/".join(cur[:-1])
                new = posixpath.normpath(posixpath.join(base, target)).lstrip("/")
                parts = [p for p in new.split("/") if p] + parts[i + 1 :]
                cur = []
                i = 0
                continue
            i += 1
        return "/".join(cur)

    def follow_source(self, src: str, rel: str) -> str:
        """The context path a COPY source stands for: a source that is a symlink (named, or matched by a wildcard)
        is followed, as every builder does (measured: buildah 1.28, docker 20.10 classic and BuildKit), with
        absolute and `..` targets resolved inside the context root, never on the host. Links met while walking a
        copied directory stay links."""
        hops = 0
        while rel:
            host = self._host(rel)
            if not os.path.islink(host):
                return rel
            hops += 1
            if hops > 40:
                raise InputError(f"COPY source {src!r}: symlink loop in the build context at {rel}")
            target = os.readlink(host)
            base = "/" if target.startswith("/") else "/" + posixpath.dirname(rel)
            rel = self._resolve_inside(posixpath.normpath(posixpath.join(base, target)).lstrip("/"))
            if rel and not _exists(self._host(rel)):
                raise MissingSource(
                    f"COPY source {src!r} not found in the build context ({self.root}): it is a symlink to "
                    f"{target!r}, which builders look up inside the context"
                )
        return rel

    def match_sources(self, src: str) -> list[str]:
        """The context paths a COPY source names (a wildcard may match several). Raises MissingSource when there
        is none. Remembered: the engine asks first whether a source is there, then for its paths."""
        cache: dict[str, list[str] | MissingSource] = self.__dict__.setdefault("_matched", {})
        found = cache.get(src)
        if found is None:
            try:
                found = self._match_sources(src)
            except MissingSource as exc:
                found = exc
            cache[src] = found
        if isinstance(found, MissingSource):
            raise found
        return list(found)

    def _match_sources(self, src: str) -> list[str]:
        rel = self._clean(src)
        if not _WILDCARD.search(rel):
            rel = self._resolve_inside(rel)
            if not _exists(self._host(rel)) or (rel and self.is_ignored(rel) and not self._has_child(rel)):
                raise MissingSource(f"COPY source {src!r} not found in the build context ({self.root})")
            return [rel]
        matches = self._glob(rel)
        if not matches:
            raise MissingSource(f"COPY source {src!r} matches no file in the build context ({self.root})")
        return matches

    def _has_child(self, rel: str) -> bool:
        return self.has_exclusions and any(True for _ in self.walk(rel))

    def _glob(self, pattern: str) -> list[str]:
        parts = pattern.split("/")
        current = [""]
        for depth, part in enumerate(parts):
            nxt: list[str] = []
            for base in current:
                if not _WILDCARD.search(part):
                    cand = f"{base}/{part}" if base else part
                    if _exists(self._host(cand)):
                        nxt.append(cand)
                    continue
                host = self._host(base)
                if not os.path.isdir(host) or os.path.islink(host):
                    continue
                try:
                    names = sorted(os.listdir(host))
                except OSError as exc:
                    raise InputError(f"cannot read {host}: {exc.strerror}") from None
                for name in names:
                    if match_component(part, name):
                        nxt.append(f"{base}/{name}" if base else name)
            current = nxt
            if depth < len(parts) - 1:
                current = [c for c in current if os.path.isdir(self._host(c))]
        return [c for c in current if not self.is_ignored(c)]

    # -- walking -----------------------------------------------------------------------------------------------------
    def walk(self, rel: str, excludes: Sequence[str] = ()) -> Iterator[Entry]:
        """The source itself, then everything below it (parents first) that the ignore rules keep."""
        for batch in self.walk_batches(rel, excludes):
            yield from batch

    def walk_batches(self, rel: str, excludes: Sequence[str] = ()) -> Iterator[list[Entry]]:
        """`walk` a directory listing at a time (the source itself comes alone, first): for callers that go through
        a large context, one step per directory instead of one per file."""
        extra = parse_ignore("\n".join(excludes)) if excludes else []
        host = self._host(rel)
        try:
            st = os.lstat(host)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise InputError(f"cannot read {host}: {exc.strerror}") from None
        root_entry = _entry("", host, st)
        if root_entry is None:
            return
        yield [root_entry]
        if root_entry.kind is not Kind.DIR:
            return
        if not self.has_exclusions and not any(p.exclusion for p in extra):
            yield from self._walk_pruned(rel, host, extra)
        else:
            yield list(self._walk_dir(rel, host, "", extra))

    def _walk_pruned(self, rel: str, host: str, extra: list[Pattern]) -> Iterator[list[Entry]]:
        """`_walk_dir` for ignore files without `!` exceptions, the usual case, tuned for large contexts: a
        directory's kept entries in name order, then each of its subdirectories the same way (parents always
        come before their children).

        Without exceptions an entry is ignored exactly when a pattern matches it or a parent, and the walk never
        enters an ignored directory, so only the entry's own path needs testing; and for each directory most
        patterns reduce to a test of the entry's name alone (`**/*.pyc` → endswith), decided once per directory.
        """
        rel_parts = rel.split("/") if rel else []
        stack = [("", host, _DirTests(self.patterns, rel_parts, extra, []))]
        s_isdir, s_islnk, s_isreg, s_imode = stat.S_ISDIR, stat.S_ISLNK, stat.S_ISREG, stat.S_IMODE
        file_kind, dir_kind = Kind.FILE, Kind.DIR
        # tuple.__new__ is what Entry._make calls, minus a Python frame per file (a large context has 200,000).
        new_entry, known = tuple.__new__, Knowledge.BUILT
        while stack:
            sub, dir_host, tests = stack.pop()
            prefix = f"{sub}/" if sub else ""
            batch: list[Entry] = []
            subdirs: list[tuple[str, str, _DirTests]] = []
            name_tests, by_path = tests.names, bool(tests.paths or tests.extra_paths)
            for d in self._listing(dir_host):
                name = d.name
                child_sub = prefix + name
                ignored = False
                for test in name_tests:
                    if test(name):
                        ignored = True
                        break
                if ignored:
                    continue
                if by_path and tests.ignores_path(rel, child_sub):
                    continue
                try:
                    st = d.stat(follow_symlinks=False)
                except OSError:
                    continue
                mode = st.st_mode
                if s_isreg(mode):
                    if not _readable(st, d.path):
                        raise _unreadable(d.path)
                    batch.append(
                        new_entry(Entry, (child_sub, file_kind, 0, 0, mode & 0o7777, None, None, known, (), True))
                    )
                elif s_isdir(mode):
                    batch.append(Entry(child_sub, dir_kind, 0, 0, s_imode(mode)))
                    sub_parts = child_sub.split("/")
                    subdirs.append(
                        (child_sub, d.path, _DirTests(self.patterns, rel_parts + sub_parts, extra, sub_parts))
                    )
                elif s_islnk(mode):
                    entry = _entry(child_sub, d.path, st)
                    if entry is not None:
                        batch.append(entry)
                # FIFOs, sockets, devices: never opened, never copied
            if batch:
                yield batch
            stack.extend(reversed(subdirs))

    def _walk_dir(self, rel: str, host: str, sub: str, extra: list[Pattern]) -> Iterator[Entry]:
        """Everything below `host` that the ignore rules keep, when `!` exceptions may re-include what a pattern
        excluded (`_walk_pruned` is the walk without them): depth first, parents before children, siblings in name
        order. Iterative, so a deep tree cannot exhaust the stack."""
        patterns = self.patterns
        stack = [(iter(self._listing(host)), sub)]
        while stack:
            d = next(stack[-1][0], None)
            if d is None:
                stack.pop()
                continue
            parent_sub = stack[-1][1]
            child_sub = f"{parent_sub}/{d.name}" if parent_sub else d.name
            ctx_rel = f"{rel}/{child_sub}" if rel else child_sub
            try:
                st = d.stat(follow_symlinks=False)
            except OSError:
                continue
            is_dir = stat.S_ISDIR(st.st_mode)
            ignored = self.is_ignored(ctx_rel) or (bool(extra) and self.is_ignored(child_sub, extra))
            if ignored:
                if is_dir and self.has_exclusions and self._could_reinclude(ctx_rel, patterns):
                    below = list(self._walk_dir(rel, d.path, child_sub, extra))
                    if below:
                        entry = _entry(child_sub, d.path, st)
                        if entry is not None:
                            yield entry
                        yield from below
                continue
            entry = _entry(child_sub, d.path, st)
            if entry is None:
                continue
            yield entry
            if is_dir:
                stack.append((iter(self._listing(d.path)), child_sub))

    def _listing(self, host: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(host) as it:
                return sorted(it, key=_name)
        except PermissionError:
            raise InputError(f"cannot read the build context: open {host}: permission denied") from None
        except OSError as exc:
            raise InputError(f"cannot read the build context: {host}: {exc.strerror}") from None

    def read_text(self, rel: str, limit: int = 1_000_000) -> str | None:
        host = self._host(rel)
        try:
            st = os.lstat(host)
            if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
                return None
            with open(host, encoding="utf-8", errors="replace") as fh:
                return fh.read()
        except OSError:
            return None


_name = attrgetter("name")


class _DirTests:
    """How ignore patterns (and COPY --exclude patterns, relative to the source) apply to the entries of one
    directory: tests of the entry's name alone where a pattern allows it, whole-path matches otherwise."""

    __slots__ = ("extra_paths", "names", "paths")

    def __init__(self, patterns: Sequence[Pattern], dir_parts: list[str], extra: Sequence[Pattern], sub: list[str]):
        self.names: list[Callable[[str], bool]] = []
        self.paths: list[Pattern] = []
        self.extra_paths: list[Pattern] = []
        self._add(patterns, dir_parts, self.paths)
        self._add(extra, sub, self.extra_paths)

    def _add(self, patterns: Sequence[Pattern], dir_parts: list[str], whole: list[Pattern]) -> None:
        depth = len(dir_parts) + 1
        for p in patterns:
            parts = p.parts
            if "**" not in parts:
                if len(parts) == depth and all(m(c) for m, c in zip(p.matchers, dir_parts, strict=False)):
                    self.names.append(p.matchers[-1])
            elif parts[0] == "**" and len(parts) == 2:
                self.names.append(p.matchers[1])
            else:
                whole.append(p)

    def ignores_path(self, rel: str, child_sub: str) -> bool:
        """The patterns that need the entry's whole path (the name tests are the caller's, inlined for speed)."""
        if self.paths:
            ctx_rel = f"{rel}/{child_sub}" if rel else child_sub
            if any(p.match(ctx_rel) for p in self.paths):
                return True
        return bool(self.extra_paths) and any(p.match(child_sub) for p in self.extra_paths)


def _exists(host: str) -> bool:
    """lexists, except that a directory on the way the builder could not read is said, not taken for absence."""
    try:
        os.lstat(host)
    except PermissionError:
        raise InputError(f"cannot read the build context: lstat {host}: permission denied") from None
    except OSError:
        return False
    return True


_EUID = os.geteuid() if hasattr(os, "geteuid") else -1
_GROUPS = set(os.getgroups()) | {os.getegid()} if hasattr(os, "getgroups") else set()


def _readable(st: os.stat_result, host: str) -> bool:
    """Whether the builder could read this context file (it fails the build on one it cannot: "error from
    sender: open ...: permission denied"). Decided from the mode bits already at hand; only a file they deny is
    asked about with access(2), which also knows ACLs and root's capabilities."""
    mode = st.st_mode
    if _EUID == 0:
        denied = not mode & 0o444
    elif st.st_uid == _EUID:
        denied = not mode & 0o400
    elif st.st_gid in _GROUPS:
        denied = not mode & 0o040
    else:
        denied = not mode & 0o004
    return not denied or os.access(host, os.R_OK)


def _unreadable(host: str) -> InputError:
    return InputError(f"cannot read the build context: open {host}: permission denied")


def _entry(rel: str, host: str, st: os.stat_result) -> Entry | None:
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        kind = Kind.DIR
        target = None
    elif stat.S_ISLNK(mode):
        kind = Kind.SYMLINK
        try:
            target = os.readlink(host)
        except OSError:
            target = None
    elif stat.S_ISREG(mode):
        if not _readable(st, host):
            raise _unreadable(host)
        kind = Kind.FILE
        target = None
    else:
        return None  # FIFOs, sockets, devices: never opened, never copied
    return Entry(rel, kind, 0, 0, stat.S_IMODE(mode), target)


def is_archive(host_path: str) -> bool:
    import tarfile  # only ADD of a local file needs it: not paid at start-up

    try:
        if not stat.S_ISREG(os.lstat(host_path).st_mode):
            return False
        return tarfile.is_tarfile(host_path)
    except (OSError, tarfile.TarError, EOFError, ValueError):
        return False


def archive_entries(host_path: str) -> Iterator[ArchiveEntry]:
    import tarfile

    try:
        with tarfile.open(host_path) as tf:
            for m in tf:
                name = posixpath.normpath("/" + m.name).lstrip("/")
                if not name or name == ".":
                    continue
                if m.isdir():
                    kind = Kind.DIR
                elif m.issym():
                    kind = Kind.SYMLINK
                elif m.isfile() or m.islnk():
                    kind = Kind.FILE
                else:
                    continue
                yield ArchiveEntry(name, kind, m.uid, m.gid, m.mode & 0o7777, m.linkname if m.issym() else None)
    except (OSError, tarfile.TarError, EOFError, ValueError) as exc:
        raise InputError(f"cannot read archive: {exc}", host_path) from None
