"""COPY and ADD on the model (docs/BUILDERS.md rules 1, 2, 3, 5, 6, 11 and "Where builders disagree"; the "rule N"
below are that page's).

The behaviour that matters most: for a directory source, every entry *strictly below* the source — including
directories that already exist in the image — takes its metadata from the source (build-context mode and 0:0, the
`--from` stage's owner and mode, or `--chown`/`--chmod`). The destination directory itself is never changed if it
exists. That is how `COPY overlay/ /` resets an existing `/opt/app-root`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import NamedTuple

from ..buildcontext import BuildContext, archive_entries, is_archive
from ..errors import InputError
from ..model.access import Premise
from ..model.entry import Entry
from ..model.fs import Action, Cause, Change, FileSystem, Kind, Knowledge, Node, ancestors, normpath
from .state import FailureKind, StageState


class BuildFailure(Exception):
    """The instruction fails on the selected builder (the build stops there); `premises`: the facts that say so
    beyond the instruction itself; `kind` and `subject`: what fails (state.FailureKind)."""

    def __init__(
        self, message: str, premises: tuple[Premise, ...] = (), kind: FailureKind = FailureKind.OTHER,
        subject: str = "", value: str = "",
    ) -> None:  # fmt: skip
        super().__init__(message)
        self.premises = premises
        self.kind = kind
        self.subject = subject
        self.value = value


class Source(NamedTuple):
    """A COPY/ADD source: its entries (the root first), and a label for messages. A build-context directory's
    entries below the root come as `below`, read while they are placed: a large context is never held twice."""

    label: str
    entries: list[Entry]
    below: Iterator[Entry] | None = None

    def entries_below(self) -> Iterator[Entry]:
        return self.below if self.below is not None else islice(self.entries, 1, None)

    @property
    def is_dir(self) -> bool:
        return bool(self.entries) and self.entries[0].kind is Kind.DIR


class Placement(NamedTuple):
    """How the entries get their owner and mode."""

    uid: int | None  # --chown uid, or None to keep the entry's
    gid: int | None
    chown: bool
    chmod: int | None
    strip_special: bool  # setuid/setgid cleared (buildah/classic, for build-context sources)
    knowledge: Knowledge = Knowledge.BUILT  # how the --chown owner is known (a uid useradd picked may be assumed)

    def of(self, e: Entry) -> Knowledge:
        """How well the placed entry's metadata is known."""
        return e.knowledge.worst(self.knowledge) if self.chown else e.knowledge


# Context files whose content the model reads: users and groups, and pyproject.toml (its build backend decides
# whether `python -m build` writes into the source directory).
CONTENT_FILES = ("passwd", "group", "pyproject.toml")
# ... and conda environment files (their `name:` and whether they have a `pip:` section decide where conda writes).
# A name is read as one when one of its words (split at `.`, `_`, `-`) is one of these and it ends in .yml/.yaml.
ENV_FILE_WORDS = frozenset({"environment", "env", "conda"})
ENV_FILE_LIMIT = 256 * 1024


def is_env_file(name: str) -> bool:
    """`environment.yml`, `conda-env.yaml`, `env.dev.yml`, ... (no regular expression: names come from users)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or ext not in ("yml", "yaml"):
        return False
    return not ENV_FILE_WORDS.isdisjoint(re.split(r"[._-]", stem))


# ... and the files that say which packages an install puts in (`venvlint.packages` reads them): requirement files
# (`requirements.txt`, `requirements-prod.txt`, `dev-requirements.in`), projects and their lock files.
PACKAGE_FILES = frozenset({"pyproject.toml", "uv.lock", "poetry.lock", "pdm.lock"})
PACKAGE_FILE_LIMIT = 4 * 1024 * 1024  # a lock file of a large project (torch and CUDA wheels) runs to megabytes


def is_package_file(rel: str) -> bool:
    """Whether a file at this path lists packages to install (`requirements/prod.txt` by its directory)."""
    return _base(rel) in PACKAGE_FILES or ("requirement" in rel.lower() and rel.endswith((".txt", ".in")))


def wants_content(rel: str) -> bool:
    """Whether the model keeps the content of a context file at this path (relative to what a COPY names)."""
    name = _base(rel)
    return name in CONTENT_FILES or is_env_file(name) or is_package_file(rel)


def context_sources(
    ctx: BuildContext | None, srcs: Iterable[str], excludes: list[str], state: StageState, cause: Cause
) -> list[Source] | None:
    """Sources from the build context; None when the context is not available (contents unknown)."""
    if ctx is None or not ctx.available:
        return None
    out: list[Source] = []
    for src in srcs:
        for rel in ctx.match_sources(src):
            # A source that is a symlink (named, or matched by a wildcard) is copied as what it points to, under
            # its own name (the label): measured with buildah, docker's classic builder and BuildKit.
            real = ctx.follow_source(src, rel)
            batches = ctx.walk_batches(real, excludes)
            root = next(batches, [])
            # Context entries come ready to place; only passwd/group files get their content read.
            below = chain.from_iterable(
                batch
                if not any(e.kind is Kind.FILE and wants_content(f"{real}/{e.rel}") for e in batch)
                else [_context_entry(ctx, real, e) for e in batch]
                for batch in batches
            )
            out.append(Source(rel or ".", [_context_entry(ctx, real, e) for e in root], below))
    return out


def _context_entry(ctx: BuildContext, rel: str, e: Entry) -> Entry:
    name = e.rel or rel
    if e.kind is Kind.FILE and wants_content(f"{rel}/{e.rel}" if e.rel else rel):
        base = _base(name)
        limit = 1_000_000 if base in CONTENT_FILES else ENV_FILE_LIMIT if is_env_file(base) else PACKAGE_FILE_LIMIT
        return e._replace(content=ctx.read_text(posixpath.join(rel, e.rel) if e.rel else rel, limit))
    return e


def _base(path: str) -> str:
    return path.rpartition("/")[2]


def stage_sources(fs: FileSystem, srcs: Iterable[str], label: str) -> list[Source]:
    """Sources from another stage's model (`COPY --from=stage`): owners and modes come with them."""
    out: list[Source] = []
    for src in srcs:
        path = fs.resolve(normpath(src))
        node = fs.get(path)
        if node is None:
            if any(c in src for c in "*?["):
                matches = [p for p in fs.nodes if _glob_match(p, normpath(src))]
                for m in sorted(matches):
                    out.extend(stage_sources(fs, [m], label))
                if matches:
                    continue
            if fs.is_known_absent(path):
                raise BuildFailure(f"{src}: not found in stage {label}", kind=FailureKind.SOURCE_MISSING, subject=src)
            out.append(Source(src, [Entry("", Kind.FILE, None, None, None, knowledge=Knowledge.UNKNOWN)]))
            continue
        entries = []
        for p in fs.walk(path):
            n = fs.nodes[p]
            rel = "" if p == path else p[len(path.rstrip("/")) + 1 :]
            entries.append(
                Entry(rel, n.kind, n.uid, n.gid, n.mode, n.target, n.tag("content"), n.knowledge, n.tags,
                      n.kind is not Kind.DIR or fs.listing_complete(p))
            )  # fmt: skip
        out.append(Source(src, entries))
    return out


def _glob_match(path: str, pattern: str) -> bool:
    from fnmatch import fnmatchcase

    p_parts = path.strip("/").split("/")
    q_parts = pattern.strip("/").split("/")
    return len(p_parts) == len(q_parts) and all(fnmatchcase(a, b) for a, b in zip(p_parts, q_parts, strict=True))


def place(
    state: StageState,
    sources: list[Source] | None,
    dest: str,
    placement: Placement,
    cause: Cause,
    builder: str,
    n_sources: int,
    link: bool = False,
    quiet: bool = False,
) -> None:
    """Put the sources at `dest` following the builder's rules (`sources` None: their content is unknown; `quiet`
    when the caller has already said why)."""
    fs = state.fs
    dest_path = normpath(dest, state.workdir)
    into_dir = dest.endswith("/") or dest in (".", "./") or n_sources > 1
    real_dest = dest_path if link else fs.resolve(dest_path)
    existing = fs.get(real_dest)
    if existing is not None and existing.kind is Kind.DIR:
        into_dir = True
    if sources is None:
        if not quiet:
            state.assume(
                cause.line, f"the build context is not available: what `{cause.instruction}` copies is unknown"
            )
        if into_dir:
            _create_dirs(state, real_dest, placement, cause, builder, dir_source=True)
            fs.mark_open(real_dest)
        else:
            fs.mark_open(real_dest)  # a file or a directory may now be there
        fs.unseen_copies.append(real_dest)
        return
    for src in sources:
        if src.is_dir:
            _create_dirs(state, real_dest, placement, cause, builder, dir_source=True)
            _place_tree(state, src, real_dest, placement, cause, builder)
            if not src.entries[0].listing_complete:
                fs.open_listing(real_dest)
        else:
            root = src.entries[0] if src.entries else None
            if root is None:
                continue
            if into_dir:
                _create_dirs(state, real_dest, placement, cause, builder, dir_source=False)
                name = posixpath.basename(src.label.rstrip("/"))
                target = posixpath.join(real_dest, name)
            else:
                # A file onto a path that is a symlink to a file replaces the link itself (oracle case 74).
                target = fs.resolve(dest_path, follow_last=False)
                _create_dirs(state, posixpath.dirname(target), placement, cause, builder, dir_source=False)
            _put_entry(state, target, root, placement, cause, builder)


def _create_dirs(
    state: StageState, path: str, placement: Placement, cause: Cause, builder: str, dir_source: bool
) -> None:
    """Missing destination components: 0755, owner 0:0 or the --chown owner (rule 3). The classic builder gives only
    the last level of a directory source the --chown owner; BuildKit and the classic builder inherit a setgid bit
    from the parent (the kernel does it), buildah does not."""
    fs = state.fs
    chain = [*ancestors(path), path]
    missing = [p for p in chain if p not in fs.nodes]
    if not missing:
        return
    # Where the path may already exist, the builder leaves it as it is: the 0:0 0755 it would be given is assumed.
    knowledge = Knowledge.BUILT if fs.is_known_absent(missing[0]) else Knowledge.ASSUMED
    if placement.chown:
        knowledge = knowledge.worst(placement.knowledge)
    for p in missing:
        uid, gid = (placement.uid, placement.gid) if placement.chown else (0, 0)
        if placement.chown and builder == "classic" and dir_source and p != path:
            uid, gid = 0, 0
        mode = 0o755
        parent = fs.get(posixpath.dirname(p)) if p != "/" else None
        if builder != "buildah" and parent is not None and parent.mode is not None and parent.mode & 0o2000:
            mode |= 0o2000
        fs.put(p, Node(Kind.DIR, uid, gid, mode, knowledge), cause, Action.CREATED, "created by " + _verb(cause))


def _verb(cause: Cause) -> str:
    return cause.keyword or "COPY"


def _place_tree(state: StageState, src: Source, dest: str, placement: Placement, cause: Cause, builder: str) -> None:
    fs = state.fs
    nodes = fs.nodes
    detail = "created by " + _verb(cause)
    shared: dict[tuple[int | None, int | None, int | None, Knowledge], Node] = {}
    base = "" if dest == "/" else dest
    file_kind = Kind.FILE
    fast: list[tuple[str, Node]] = []
    tentative = fs.tentative > 0
    for e in src.entries_below():
        path = f"{base}/{e.rel}"
        if tentative or e.kind is not file_kind or e.content is not None or e.tags or path in nodes:
            _put_entry(state, path, e, placement, cause, builder, f"{src.label.rstrip('/')}/{e.rel}")
            continue
        # A new plain file (most of a large context): `_put_entry` would build exactly this node, and files with
        # the same owner and mode can share one, since nodes are immutable and carry no path.
        key = (e.uid, e.gid, e.mode, e.knowledge)
        node = shared.get(key)
        if node is None:
            uid, gid = (placement.uid, placement.gid) if placement.chown else (e.uid, e.gid)
            mode = _mode_for(e, placement)
            knowledge = placement.of(e)
            fs.seq += 1
            change = Change(cause, file_kind, uid, gid, mode, Action.CREATED, detail, knowledge=knowledge, seq=fs.seq)
            node = Node(file_kind, uid, gid, mode, knowledge, None, (change,))
            shared[key] = node
        fast.append((path, node))
    fs.put_new_files(fast)


def _mode_for(e: Entry, placement: Placement) -> int | None:
    if placement.chmod is not None:
        return placement.chmod
    if e.mode is None:
        return None
    if placement.strip_special and e.kind is not Kind.SYMLINK:
        return e.mode & ~0o6000
    return e.mode


def _put_entry(
    state: StageState, path: str, e: Entry, placement: Placement, cause: Cause, builder: str, origin: str = ""
) -> None:
    """Place one entry at `path`; `origin` is where it comes from in the source (recorded with the change)."""
    fs = state.fs
    old = fs.get(path)
    uid, gid = (placement.uid, placement.gid) if placement.chown else (e.uid, e.gid)
    mode = _mode_for(e, placement) if e.kind is not Kind.SYMLINK else 0o777
    replaced_link: str | None = None
    if e.kind is Kind.DIR and old is not None and old.kind is Kind.SYMLINK:
        if builder == "buildkit":
            raise BuildFailure(f"cannot copy to non-directory: {path} is a symlink (BuildKit fails here)",
                               kind=FailureKind.COPY_ONTO_SYMLINK, subject=path)  # fmt: skip
        replaced_link = old.target
        fs.remove(path)  # (the replacing directory's history says so)
        old = None
    if old is not None and old.kind is Kind.DIR and e.kind is not Kind.DIR:
        fs.remove(path, cause=cause, detail=f"directory replaced by a {e.kind.value} from {_verb(cause)}")
        old = None
    action, detail = Action.CREATED, "created by " + _verb(cause)
    if old is not None and old.kind is Kind.DIR:
        action, detail = Action.COPY_RESET, ""
        if (old.uid, old.gid, old.mode) == (uid, gid, mode):
            action = Action.REAPPLIED
    elif old is not None:
        action, detail = Action.REPLACED, ""
    if replaced_link is not None:
        action, detail = Action.REPLACED_SYMLINK, f"a symlink to {replaced_link} replaced with a directory"
    node = Node(e.kind, uid, gid, mode, placement.of(e), e.target, tags=tuple(t for t in e.tags if t[0] != "content"))
    if e.content is not None:
        node = node.with_tag("content", e.content)
    fs.put(path, node, cause, action, detail, source=replaced_link or origin)
    if not e.listing_complete:
        fs.open_listing(path)
    if e.content is not None and e.kind is Kind.FILE:
        if path == "/etc/passwd":
            state.users.load_passwd(e.content, source=f"the passwd file copied at line {cause.line}")
        elif path == "/etc/group":
            state.users.load_group(e.content)


def add_archive(state: StageState, host_path: str, dest: str, placement: Placement, cause: Cause, builder: str) -> None:
    """`ADD local.tar D` (rule 5): like `tar -x --same-owner -p`; --chown is ignored for archive content, but a
    destination ADD creates still gets the --chown owner (measured with buildah: oracle case 31)."""
    fs = state.fs
    dest_path = fs.resolve(normpath(dest, state.workdir))
    _create_dirs(state, dest_path, placement, cause, builder, dir_source=True)
    try:
        entries = list(archive_entries(host_path))
    except InputError:
        raise
    for a in entries:
        path = normpath(posixpath.join(dest_path, a.name))
        if path == dest_path:
            continue
        parent = posixpath.dirname(path)
        if parent not in fs.nodes:
            _create_dirs(state, parent, Placement(0, 0, False, None, False), cause, builder, dir_source=True)
        e = Entry("", a.kind, a.uid, a.gid, a.mode, a.linkname)
        _put_entry(state, path, e, Placement(None, None, False, None, False), cause, builder)


def add_heredoc(
    state: StageState, name: str, content: str, dest: str, placement: Placement, cause: Cause, builder: str
) -> None:
    """`COPY <<EOF /path`: a file with the heredoc's content, mode 0644 unless --chmod."""
    e = Entry("", Kind.FILE, 0, 0, 0o644, None, content)
    src = Source(name, [e])
    place(state, [src], dest, placement, cause, builder, 1)


def add_remote(state: StageState, url: str, dest: str, placement: Placement, cause: Cause, builder: str) -> None:
    """`ADD https://.../file D`: BuildKit and docker give remote files mode 0600; git URLs are not modelled."""
    if url.endswith(".git") or url.startswith(("git@", "git://")) or "#" in url:
        state.assume(cause.line, f"the content of the git source {url} is not known")
        return
    name = posixpath.basename(url.split("?", 1)[0].rstrip("/")) or "download"
    e = Entry("", Kind.FILE, 0, 0, 0o600)
    place(state, [Source(name, [e])], dest, placement, cause, builder, 1)


def is_local_archive(ctx: BuildContext | None, rel: str) -> str | None:
    """The host path of a context file that is a tar archive (ADD extracts those), else None."""
    if ctx is None or not ctx.available:
        return None
    host = ctx.host_path(rel)
    for e in ctx.walk(rel):
        if e.rel == "" and e.kind is Kind.FILE and is_archive(host):
            return host
        break
    return None
