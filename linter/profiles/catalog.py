"""Base-image profiles: load the built-in YAML (and users' files), match image references, build models.

YAML is read with `yaml.safe_load` semantics only (SafeLoader for `compose`, to get line numbers for errors).
The built-in profiles are read lazily, once per process, and not at all for builds that only use `scratch` or
stages; they are read from builtin.json, builtin.yaml's generated twin, so that linting needs no YAML parser.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ..errors import InputError
from ..inputfile import require_regular
from ..model.fs import Action, Cause, FileSystem, Kind, Knowledge, Node, ancestors
from ..model.imageref import ImageRef
from ..model.users import User, UserDB
from ..yamlfile import compose_nodes, read_yaml

if TYPE_CHECKING:  # the registry modules are imported only when a registry is asked
    from ..registry.lookup import RegistryProfiles
    from ..registry.settings import RegistrySettings

BUILTIN = os.path.join(os.path.dirname(__file__), "builtin.yaml")
# The same data as JSON (see compile.py): reading it needs no PyYAML at start-up.
BUILTIN_JSON = os.path.join(os.path.dirname(__file__), "builtin.json")
KEYS = {
    "name",
    "match",
    "source",
    "user",
    "workdir",
    "env",
    "passwd",
    "groups",
    "paths",
    "venvs",
    "runtime_users",
    "complete_dirs",
    "extends",
    "replace_version",
    "tag_version",
    "passwd_complete",
    "env_complete",
    "knowledge",
    "digest",
    "platform",
}
KNOWLEDGE = {"profile": Knowledge.PROFILE, "distribution": Knowledge.DISTRIBUTION}
PATH_KEYS = {"kind", "owner", "mode", "target"}


class PathSpec(NamedTuple):
    kind: Kind
    uid: int
    gid: int
    mode: int
    target: str | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    match: tuple[str, ...]
    source: str
    user: str = ""
    workdir: str = "/"
    env: tuple[tuple[str, str], ...] = ()
    users: tuple[User, ...] = ()
    groups: tuple[tuple[str, int, tuple[str, ...]], ...] = ()
    paths: tuple[tuple[str, PathSpec], ...] = ()
    venvs: tuple[str, ...] = ()
    runtime_users: tuple[str, ...] = ()
    complete_dirs: tuple[str, ...] = ()
    origin: str = "built-in"
    tag_version: str | None = None
    passwd_complete: bool = False  # `passwd` and `groups` list every account of the image
    env_complete: bool = True  # `env` is the image's whole environment
    knowledge: Knowledge = Knowledge.PROFILE  # DISTRIBUTION: only what every image of a distribution family has
    digest: str = ""  # the image manifest's digest (`sha256:...`) when the profile was read from the image itself
    platform: str = ""  # `os/arch[/variant]` of that manifest

    @property
    def label(self) -> str:
        if self.knowledge is Knowledge.DISTRIBUTION:
            return f"what every {self.name} image has"
        return f"profile {self.name}"

    def filesystem(self, at: Cause | None = None) -> FileSystem:
        """The image's modelled paths, each with one history entry attributed to `at` (the FROM line)."""
        cause = at or Cause(0, f"FROM {self.name}", profile=self.name)
        action = Action.DISTRIBUTION if self.knowledge is Knowledge.DISTRIBUTION else Action.PROFILE
        detail = f"{self.label} ({self.origin}{', ' + self.digest if self.digest else ''})"
        return FileSystem.base(self._nodes(), cause, action, detail, self.complete_dirs)

    def _nodes(self) -> list[tuple[str, Node]]:
        """The profile's paths as nodes, parents first (made once per profile)."""
        made: list[tuple[str, Node]] | None = self.__dict__.get("_made")
        if made is None:
            venv_cfgs = {f"{v.rstrip('/')}/pyvenv.cfg": v for v in self.venvs}
            made = []
            for path, spec in sorted(self.paths, key=lambda kv: kv[0].count("/") if kv[0] != "/" else 0):
                tags = (("venv", venv_cfgs[path]),) if path in venv_cfgs else ()
                made.append(
                    (path, Node(spec.kind, spec.uid, spec.gid, spec.mode, self.knowledge, spec.target, (), tags))
                )
            object.__setattr__(self, "_made", made)
        return made

    def userdb(self) -> UserDB:
        """A fresh, mutable copy of the image's accounts (the records themselves are made once per profile)."""
        made: tuple[dict[str, User], dict[str, int | None], dict[str, tuple[str, ...]]] | None = self.__dict__.get(
            "_accounts"
        )
        if made is None:
            source = self.label
            users = {
                u.name: User(u.name, u.uid, u.gid, u.home, u.shell, None, self.knowledge, source) for u in self.users
            }
            groups: dict[str, int | None] = {name: gid for name, gid, _ in self.groups}
            members = {name: m for name, _, m in self.groups if m}
            made = (users, groups, members)
            object.__setattr__(self, "_accounts", made)
        users, groups, members = made
        db = UserDB(
            dict(users),
            dict(groups),
            {k: set(v) for k, v in members.items()},
            bool(self.users) or None,
            self.passwd_complete,
            self.passwd_complete,
            source=self.label,
            knowledge=self.knowledge,
        )
        return db

    def for_tag(self, ref: str) -> Profile:
        """`python:3.11-slim` on a profile written for 3.12: substitute the minor version in paths and env."""
        if not self.tag_version:
            return self
        tag = _split_ref(ref)[1]
        m = re.search(r"(?:^|python|-)(3\.\d+)", tag)
        if not m or m.group(1) == self.tag_version:
            return self
        return _replace_version(self, self.tag_version, m.group(1))


def _replace_version(p: Profile, old: str, new: str) -> Profile:
    def sub(s: str) -> str:
        return s.replace(f"python{old}", f"python{new}").replace(old, new) if old in s else s

    return Profile(
        p.name,
        p.match,
        p.source,
        p.user,
        sub(p.workdir),
        tuple((k, sub(v)) for k, v in p.env),
        p.users,
        p.groups,
        tuple(
            (sub(path), PathSpec(s.kind, s.uid, s.gid, s.mode, sub(s.target) if s.target else None))
            for path, s in p.paths
        ),
        tuple(sub(v) for v in p.venvs),
        p.runtime_users,
        p.complete_dirs,
        p.origin,
        new,
        p.passwd_complete,
        p.env_complete,
        p.knowledge,
        p.digest,
        p.platform,
    )


def _split_ref(ref: str) -> tuple[str, str]:
    """`docker.io/library/python:3.12-slim@sha256:..` → (`python`, `3.12-slim`)."""
    parsed = ImageRef.parse(ref)
    return parsed.name, parsed.tag


def _matches(pattern: str, ref: str | tuple[str, str]) -> bool:
    name, tag = _split_ref(ref) if isinstance(ref, str) else ref
    pname, ptag = _pattern(pattern)
    return _glob(name, pname) and (ptag is None or _glob(tag, ptag))


@lru_cache(maxsize=4096)
def _pattern(pattern: str) -> tuple[tuple[str, str, bool], tuple[str, str, bool] | None]:
    """A match pattern split into name and tag globs, each as (glob, literal head, has wildcards)."""
    pat = pattern.lower()
    if ":" in pat.rsplit("/", 1)[-1]:
        pname, ptag = pat.rsplit(":", 1)
        return _compile_glob(pname), _compile_glob(ptag)
    return _compile_glob(pat), None


def _compile_glob(pattern: str) -> tuple[str, str, bool]:
    head = len(pattern)
    for ch in "*?[":
        at = pattern.find(ch)
        if at != -1:
            head = min(head, at)
    return pattern, pattern[:head], head < len(pattern)


def _glob(text: str, glob: tuple[str, str, bool]) -> bool:
    # fnmatch compiles a regular expression per pattern (a quarter of a cold start for ~100 patterns); most
    # patterns are rejected by their literal head, and those with only `*` wildcards need no expression at all.
    pattern, head, wild = glob
    if not wild:
        return text == pattern
    if not text.startswith(head):
        return False
    if "?" in pattern or "[" in pattern:
        return fnmatch.fnmatchcase(text, pattern)
    return _star_match(text, pattern.split("*"))


def _star_match(text: str, parts: list[str]) -> bool:
    """Whether `text` matches the glob `"*".join(parts)` (at least one `*`): the first part is a prefix, the last a
    suffix, and the middle ones occur in order between them without overlapping."""
    first, last = parts[0], parts[-1]
    if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
        return False
    at, end = len(first), len(text) - len(last)
    for part in parts[1:-1]:
        found = text.find(part, at, end)
        if found == -1:
            return False
        at = found + len(part)
    return True


@dataclass
class ProfileSet:
    profiles: list[Profile] = field(default_factory=list)

    def find(self, image_ref: str, platform: str | None = None) -> Profile | None:
        """The profile with the most specific matching pattern (user profiles win ties: they come first).
        `platform` (a FROM's `--platform`) matters only for profiles read from a registry."""
        found = self.__dict__.setdefault("_found", {})  # every FROM asks twice (environment, then filesystem)
        if image_ref not in found:
            found[image_ref] = self._find(image_ref)
        result: Profile | None = found[image_ref]
        return result

    def unknown_reason(self, image_ref: str, platform: str | None = None) -> str | None:
        """Why `find` has no image profile for `image_ref` beyond "none is written" (a registry that could not be
        read, offline with nothing cached), one clause for the assumption line; None when there is nothing more."""
        return None

    def _find(self, image_ref: str) -> Profile | None:
        best = _best(((p.match, p.knowledge, p) for p in self.profiles), _split_ref(image_ref))
        return best.for_tag(image_ref) if best is not None else None

    def names(self) -> list[str]:
        return [p.name for p in self.profiles]


_T = TypeVar("_T")


def _best(candidates: Iterable[tuple[Sequence[str], Knowledge, _T]], split: tuple[str, str]) -> _T | None:
    """Of (match patterns, knowledge, item) candidates, the item whose pattern matches the split image reference
    most specifically: an image's own profile beats a distribution family; among equals the longest pattern wins,
    and among equal patterns the first candidate."""
    best: tuple[tuple[bool, int], _T] | None = None
    for match, knowledge, item in candidates:
        for m in match:
            rank = (knowledge is not Knowledge.DISTRIBUTION, len(m))
            if _matches(m, split) and (best is None or rank > best[0]):
                best = (rank, item)
    return best[1] if best else None


class _LazyProfiles(ProfileSet):
    """Reads the users' profile files only when a FROM line actually needs a profile, and makes a built-in profile
    only when a FROM line picks it. `profiles` holds the users' profiles; the built-in ones are in `_builtin()`."""

    def __init__(self, extra_files: Sequence[str], registry: RegistrySettings | None = None) -> None:
        super().__init__([])
        for f in extra_files:
            require_regular(f, "profiles file")  # a wrong path is said at once, even if no FROM needs it
        self._extra = tuple(extra_files)
        self._loaded = False
        self._error: InputError | None = None
        self._settings = registry
        self._registry: RegistryProfiles | None = None  # made when a FROM first needs it

    def _load(self) -> None:
        """Parse the files once; a file in error stays in error for the run (it is not parsed again per FROM)."""
        if self._error is not None:
            raise self._error
        if not self._loaded:
            user: list[Profile] = []
            try:
                for f in self._extra:
                    user.extend(_load_file(f, _builtin_index().by_name))
            except InputError as exc:
                self._error = exc
                raise
            self.profiles = user
            self._loaded = True

    def _find(self, image_ref: str) -> Profile | None:
        """As `ProfileSet._find` over the users' profiles, then the built-in ones they do not replace (users'
        profiles win ties: they come first)."""
        index = _builtin_index()
        names = {p.name for p in self.profiles}
        candidates: list[tuple[Sequence[str], Knowledge, Profile | int]] = [
            (p.match, p.knowledge, p) for p in self.profiles
        ]
        candidates += [(m, k, i) for i, (name, m, k) in enumerate(index.heads) if name not in names]
        best = _best(candidates, _split_ref(image_ref))
        if best is None:
            return None
        return (index.profile(best) if isinstance(best, int) else best).for_tag(image_ref)

    def find(self, image_ref: str, platform: str | None = None) -> Profile | None:
        if image_ref.lower() == "scratch":
            return None
        self._load()
        written = super().find(image_ref)
        if self._settings is None or (written is not None and written.knowledge is not Knowledge.DISTRIBUTION):
            return written
        # No profile of this image was written: read the image itself (cache or registry); else what was written.
        if self._registry is None:
            from ..registry.lookup import RegistryProfiles

            self._registry = RegistryProfiles(self._settings)
        return self._registry.profile(image_ref, platform) or written

    def unknown_reason(self, image_ref: str, platform: str | None = None) -> str | None:
        return self._registry.failure(image_ref, platform) if self._registry is not None else None

    def names(self) -> list[str]:
        self._load()
        names = {p.name for p in self.profiles}
        return [p.name for p in self.profiles] + [n for n, _, _ in _builtin_index().heads if n not in names]


_SETS: dict[tuple[tuple[tuple[str, int, int], ...], RegistrySettings | None], ProfileSet] = {}


def forget_loaded() -> None:
    """Drop the profile sets of this run (and with them what their registry lookups remember: failures, hosts out
    of reach, resolved tags). A process that lints again later as a new run (the language server) calls it; the
    registry's disk cache is kept."""
    _SETS.clear()


def load_profiles(extra_files: Sequence[str] = (), registry: RegistrySettings | None = None) -> ProfileSet:
    """The built-in profiles, with `extra_files` first (they win ties). One set per run and list of files (a file
    is read again only when it changed), so every Dockerfile of a run shares its parsed profiles and its matches.
    `registry`: read a base image without an image profile from the cache or its registry (None: never)."""
    key = []
    for f in extra_files:
        require_regular(f, "profiles file")  # a wrong path is said at once, even if no FROM needs it
        st = os.stat(f)
        key.append((os.path.abspath(f), st.st_mtime_ns, st.st_size))
    found = _SETS.get((tuple(key), registry))
    if found is None:
        found = _SETS[(tuple(key), registry)] = _LazyProfiles(extra_files, registry)
    return found


class _BuiltinIndex:
    """The built-in profiles as builtin.json holds them, each made into a `Profile` (checked, its `extends`
    applied, its accounts and paths made) only when asked for. A lint needs the one or two its FROM lines match;
    making all ~60 took longer than the rest of the lint of a small Dockerfile (docs/MEASUREMENTS.md, "Start-up
    (issue 23)"). Every built-in profile is made and checked by the tests, so making them late changes nothing."""

    def __init__(self, data: Any) -> None:
        _check_top(data, BUILTIN)
        self._raw: list[Any] = data["profiles"]
        self._made: dict[int, Profile] = {}
        # What each profile extends: the last profile of that name before it, as _load_file resolves it.
        last: dict[str, int] = {}
        self._base: list[int | None] = []
        # (name, match patterns, knowledge) of each profile, inherited through `extends` as _profile does: all that
        # choosing a profile for an image needs.
        self.heads: list[tuple[str, tuple[str, ...], Knowledge]] = []
        for i, raw in enumerate(self._raw):
            base = last.get(str(raw.get("extends"))) if "extends" in raw else None
            self._base.append(base)
            inherited = self.heads[base] if base is not None else ("", (), Knowledge.PROFILE)
            match = tuple(str(m) for m in raw["match"]) if "match" in raw else inherited[1]
            knowledge = KNOWLEDGE[raw["knowledge"]] if "knowledge" in raw else inherited[2]
            self.heads.append((str(raw["name"]), match, knowledge))
            last[str(raw["name"])] = i
        self.by_name = _LazyByName(self, last)

    def profile(self, i: int) -> Profile:
        made = self._made.get(i)
        if made is None:
            base = self._base[i]
            known = {} if base is None else {self.heads[base][0]: self.profile(base)}
            made = self._made[i] = _profile(self._raw[i], BUILTIN, {}, known)
        return made

    def __len__(self) -> int:
        return len(self._raw)


class _LazyByName(Mapping[str, Profile]):
    """The built-in profiles by name (the last of a name wins), each made when looked up: what a user's profile
    `extends`."""

    def __init__(self, index: _BuiltinIndex, last: dict[str, int]) -> None:
        self._index = index
        self._last = last

    def __getitem__(self, name: str) -> Profile:
        return self._index.profile(self._last[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._last)

    def __len__(self) -> int:
        return len(self._last)


@lru_cache(maxsize=1)
def _builtin_index() -> _BuiltinIndex:
    import json  # only a FROM of a real image gets here

    with open(BUILTIN_JSON, encoding="utf-8") as fh:
        return _BuiltinIndex(json.load(fh))


def _builtin() -> tuple[Profile, ...]:
    """Every built-in profile, in the file's order (made now if not yet)."""
    index = _builtin_index()
    return tuple(index.profile(i) for i in range(len(index)))


def profile_from_doc(doc: Any, origin: str) -> Profile:
    """The one profile of a profile file's content (`profiles: [...]`, as `from_image.profile_doc` makes it), with
    `origin` saying where it came from ("registry ghcr.io, read 2026-12-05"). Raises InputError or ValueError for
    content of another shape."""
    found = _load_file(origin, {}, doc)
    if len(found) != 1:
        raise ValueError(f"expected one profile, got {len(found)}")
    return replace(found[0], origin=origin)


# -- loading and validation ------------------------------------------------------------------------------------------


def _check_top(data: Any, path: str) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), list):
        raise InputError("expected a mapping with a `profiles:` list", path, 1)
    extra = sorted(k for k in data if k != "profiles" and not str(k).startswith("x-"))
    if extra:
        raise InputError(f"unknown top-level key {extra[0]!r} (only `profiles:` and `x-...` anchors)", path, 1)


def _load_file(path: str, known: Mapping[str, Profile], data: Any = None) -> list[Profile]:
    """The profiles of a file (or of its content `data`); `extends` finds the file's earlier profiles, then `known`."""
    if data is None:
        data, _ = read_yaml(path, "profiles", with_nodes=False)
    _check_top(data, path)
    out: list[Profile] = []
    # `known` is only read, for the names looked up (ChainMap writes to its first map alone; typeshed wants all
    # of them writable).
    by_name: ChainMap[str, Profile] = ChainMap({}, known)  # type: ignore[arg-type]
    for i, raw in enumerate(data["profiles"]):
        try:
            prof = _profile(raw, path, {}, by_name)
        except InputError:
            # Parse again for line numbers only now, so valid files are read once.
            nodes = _profile_nodes(compose_nodes(path))
            _profile(raw, path, nodes[i] if i < len(nodes) else {}, by_name)
            raise
        by_name[prof.name] = prof
        out.append(prof)
    return out


def _profile_nodes(root: Any) -> list[dict[str, int]]:
    """Line numbers of each profile's keys (for error messages), from the YAML node tree, whatever its shape."""
    import yaml

    out: list[dict[str, int]] = []
    if not isinstance(root, yaml.MappingNode):
        return out
    for k, v in root.value:
        if getattr(k, "value", None) == "profiles" and isinstance(v, yaml.SequenceNode):
            for item in v.value:
                lines = {"": item.start_mark.line + 1}
                if isinstance(item, yaml.MappingNode):
                    for kk, _vv in item.value:
                        if isinstance(kk, yaml.ScalarNode):
                            lines[str(kk.value)] = kk.start_mark.line + 1
                out.append(lines)
    return out


def _err(msg: str, path: str, lines: dict[str, int], key: str = "") -> InputError:
    return InputError(msg, path, lines.get(key) or lines.get(""))


def _owner(text: Any, path: str, lines: dict[str, int], where: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+):(\d+)", str(text))
    if not m:
        raise _err(f"{where}: owner must be 'uid:gid' with numbers, got {text!r}", path, lines, "paths")
    return int(m.group(1)), int(m.group(2))


def _mode(text: Any, path: str, lines: dict[str, int], where: str) -> int:
    if not isinstance(text, str) or not re.fullmatch(r"[0-7]{3,4}", text):
        raise _err(f'{where}: mode must be an octal string like "0755", got {text!r}', path, lines, "paths")
    return int(text, 8)


def _profile(raw: Any, path: str, lines: dict[str, int], known: Mapping[str, Profile]) -> Profile:
    if not isinstance(raw, dict):
        raise _err("each profile must be a mapping", path, lines)
    unknown = set(raw) - KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise _err(f"unknown key {key!r} in profile (allowed: {', '.join(sorted(KEYS))})", path, lines, key)
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise _err("profile without a `name`", path, lines, "name")
    base: Profile | None = None
    if "extends" in raw:
        base = known.get(str(raw["extends"]))
        if base is None:
            raise _err(f"profile {name!r} extends unknown profile {raw['extends']!r}", path, lines, "extends")
    for key, typ in (("match", list), ("passwd", list), ("groups", list), ("venvs", list), ("runtime_users", list)):
        if key in raw and not isinstance(raw[key], typ):
            raise _err(f"{key!r} must be a list", path, lines, key)
    for key in ("passwd_complete", "env_complete"):
        if key in raw and not isinstance(raw[key], bool):
            raise _err(f"{key!r} must be true or false", path, lines, key)
    if "knowledge" in raw and raw["knowledge"] not in KNOWLEDGE:
        raise _err(f"'knowledge' must be one of {', '.join(KNOWLEDGE)}", path, lines, "knowledge")
    for key in ("env", "paths"):
        if key in raw and not isinstance(raw[key], dict):
            raise _err(f"{key!r} must be a mapping", path, lines, key)
    match = tuple(str(m) for m in raw.get("match", base.match if base else ()))
    if not match:
        raise _err(f"profile {name!r} has no `match` patterns", path, lines, "match")
    source = str(raw.get("source") or (base.source if base else ""))
    if not source:
        if path == BUILTIN:  # a built-in profile names the public build its facts come from
            raise _err(f"profile {name!r} has no `source` (the public Dockerfile its facts come from)", path, lines)
        source = f"the profile file {path}"  # a user's own image (a private base) may have no public source
    env = dict(base.env) if base else {}
    env.update({str(k): str(v) for k, v in raw.get("env", {}).items()})
    users = _users(raw["passwd"], path, lines) if "passwd" in raw else (base.users if base else ())
    groups = _groups(raw["groups"], path, lines) if "groups" in raw else (base.groups if base else ())
    paths = dict(base.paths) if base else {}
    for p, spec in raw.get("paths", {}).items():
        paths[str(p)] = _pathspec(str(p), spec, path, lines)
    for p in paths:
        for a in ancestors(p):
            if a not in paths:
                raise _err(f"profile {name!r}: {p} is listed but its parent {a} is not", path, lines, "paths")
    prof = Profile(
        name=name,
        match=match,
        source=source,
        user=str(raw.get("user", base.user if base else "")),
        workdir=str(raw.get("workdir", base.workdir if base else "/")),
        env=tuple(sorted(env.items())),
        users=users,
        groups=groups,
        paths=tuple(sorted(paths.items())),
        venvs=tuple(str(v) for v in raw.get("venvs", base.venvs if base else ())),
        runtime_users=tuple(str(v) for v in raw.get("runtime_users", base.runtime_users if base else ())),
        complete_dirs=tuple(str(v) for v in raw.get("complete_dirs", base.complete_dirs if base else ())),
        origin="built-in" if path == BUILTIN else path,
        tag_version=str(raw["tag_version"]) if "tag_version" in raw else (base.tag_version if base else None),
        passwd_complete=bool(raw.get("passwd_complete", base.passwd_complete if base else False)),
        env_complete=bool(raw.get("env_complete", base.env_complete if base else True)),
        knowledge=KNOWLEDGE[raw["knowledge"]]
        if "knowledge" in raw
        else (base.knowledge if base else Knowledge.PROFILE),
        digest=str(raw.get("digest", "")),
        platform=str(raw.get("platform", "")),
    )
    rv = raw.get("replace_version")
    if rv is not None:
        if not (isinstance(rv, list) and len(rv) == 2):
            raise _err("'replace_version' must be [old, new]", path, lines, "replace_version")
        prof = _replace_version(prof, str(rv[0]), str(rv[1]))
    return prof


def _flat(items: list[Any]) -> list[Any]:
    """A list whose items may be lists themselves (a YAML alias of a shared account list plus extra entries)."""
    out: list[Any] = []
    for item in items:
        out.extend(item if isinstance(item, list) else [item])
    return out


def _users(items: list[Any], path: str, lines: dict[str, int]) -> tuple[User, ...]:
    out = []
    for item in _flat(items):
        parts = str(item).split(":")
        if len(parts) < 4 or not parts[1].isdigit() or not parts[2].isdigit():
            raise _err(f"passwd entry {item!r} must be name:uid:gid:home[:shell]", path, lines, "passwd")
        out.append(User(parts[0], int(parts[1]), int(parts[2]), parts[3], parts[4] if len(parts) > 4 else "/bin/sh"))
    return tuple(out)


def _groups(items: list[Any], path: str, lines: dict[str, int]) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    out = []
    for item in _flat(items):
        parts = str(item).split(":")
        if len(parts) < 2 or not parts[1].isdigit():
            raise _err(f"group entry {item!r} must be name:gid[:members]", path, lines, "groups")
        members = tuple(m for m in (parts[2].split(",") if len(parts) > 2 else []) if m)
        out.append((parts[0], int(parts[1]), members))
    return tuple(out)


def _pathspec(p: str, spec: Any, path: str, lines: dict[str, int]) -> PathSpec:
    if not p.startswith("/"):
        raise _err(f"path {p!r} must be absolute", path, lines, "paths")
    if not isinstance(spec, dict) or set(spec) - PATH_KEYS:
        raise _err(f"{p}: expected a mapping with {', '.join(sorted(PATH_KEYS))}", path, lines, "paths")
    try:
        kind = Kind(spec.get("kind", "dir"))
    except ValueError:
        raise _err(f"{p}: kind must be dir, file or symlink", path, lines, "paths") from None
    uid, gid = _owner(spec.get("owner"), path, lines, p)
    if kind is Kind.SYMLINK:
        if not spec.get("target"):
            raise _err(f"{p}: a symlink needs a target", path, lines, "paths")
        return PathSpec(kind, uid, gid, 0o777, str(spec["target"]))
    return PathSpec(kind, uid, gid, _mode(spec.get("mode"), path, lines, p))
