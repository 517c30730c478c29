"""## What it does
Finds a `RUN chown -R` (or `chmod -R`, `chgrp -R`) over a tree that an earlier instruction created — typically a
whole venv or application directory right after `COPY` or an install.

## Why is this bad?
Layers are copy-on-write: changing the owner or mode of a file copies the whole file into the new layer. A
recursive chown of a 9 GB venv adds another 9 GB to the image (`docker history` shows two 9.02 GB layers), and
makes builds and pulls slower.

## Example
```dockerfile
FROM python:3.12-slim AS builder
RUN python -m venv /app/.venv
FROM python:3.12-slim
RUN useradd -m app
COPY --from=builder /app /app
RUN chown -R app:app /app
USER app
```

## Use instead
Give files the right owner when they are created: `COPY --from=builder --chown=app:app /app /app`, run the
install as that user, or chown only the (still empty) directory before filling it: `RUN install -d -o app /app`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from venvlint.edits import Changes, Edit, EditKind
from venvlint.findings import Problem, Severity
from venvlint.query import Action, Build, Cause, Change, FileSystem, Kind, below

from ._common import append_run

CODE = "VL009"
NAME = "recursive-chown-duplicates-layer"
SEVERITY = Severity.INFO
SUMMARY = "A recursive chown/chmod over a tree created by an earlier instruction duplicates it in a new layer"
SCENARIOS = ("S21",)
REFERENCES = (
    "https://github.com/topoteretes/cognee/pull/3753",
    "https://github.com/DataDog/dd-trace-py/pull/10039",
)
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual

RECURSIVE = frozenset({Action.CHOWN, Action.CHMOD})


@dataclass
class _Spread:
    """What one recursive chown/chmod line changed that earlier layers created."""

    top: str
    change: Change
    entries: int = 0
    files: int = 0
    more: bool = False  # a directory whose listing is not complete: more files than the model holds


def check(build: Build) -> Iterator[Problem]:
    for st in build.stages:
        fs = st.fs
        spreads: dict[int, _Spread] = {}
        for path, node in fs.nodes.items():
            if len(node.history) < 2:
                continue  # a recursive change *after* the node was created needs a second entry
            created = node.created
            if created is None:
                continue
            for ch in node.history:
                if ch.action not in RECURSIVE or not ch.recursive or created.line >= ch.cause.line:
                    continue
                spread = spreads.setdefault(ch.cause.line, _Spread(path, ch))
                if path.count("/") < spread.top.count("/"):
                    spread.top, spread.change = path, ch
                spread.entries += 1
                spread.files += node.kind is Kind.FILE
                spread.more = spread.more or (node.kind is Kind.DIR and not fs.listing_complete(path))
        for line, spread in sorted(spreads.items()):
            if not spread.files:
                continue  # directories alone: their new metadata costs next to nothing
            yield _finding(build, fs, line, spread, st.name)


def _finding(build: Build, fs: FileSystem, line: int, spread: _Spread, stage: str) -> Problem:
    top_node = fs.get(spread.top)
    origin = top_node.created if top_node is not None else None
    made = f" (created at line {origin.line}: `{origin.instruction}`)" if origin else ""
    beyond = origin is not None and origin.keyword in ("COPY", "ADD") and _copies_beyond(fs, origin, spread.top)
    ch = spread.change
    command = f"{ch.action.value} -R {ch.spec}"
    if origin is not None and origin.keyword == "RUN":
        fix = (f"do it at the end of the RUN that creates the tree (line {origin.line}: `... && {command} "
               f"{spread.top}`), where it changes files of the same layer and costs nothing")  # fmt: skip
    elif ch.action is Action.CHMOD:
        fix = (
            f"give the files their mode when they are created: `COPY --chmod={ch.spec}` (BuildKit, buildah), or "
            "set it in the step that creates them"
        )
    else:
        user, _, group = ch.spec.partition(":")
        owner = f"{user or ch.uid}:{group}" if group else user  # `chown -R :grp` keeps the owner
        fix = f"give the files their owner when they are created: `COPY --chown={owner}` / `COPY --from=... --chown={owner}`"
        if beyond:
            fix += f" (that COPY also makes paths outside `{spread.top}`: copy that tree on its own to give only it the owner)"
        if user:
            fix += f", or create `{spread.top}` as that user first (`install -d -o {user} {spread.top}`) and install as that user"
    if spread.more:
        copied = (
            f"each of its files is copied into this layer again, so the image carries them twice (venvlint lists "
            f"{spread.files} of them; what installers and unmodelled commands wrote there is not listed file by file)"
        )
    elif spread.files == 1:
        copied = "its one file is copied into this layer again, so the image carries it twice"
    else:
        copied = f"each of its {spread.files} files is copied into this layer again, so the image carries them twice"
    return Problem(
        line,
        spread.top,
        f"`{command} {spread.top}` changes {spread.entries} entr{'y' if spread.entries == 1 else 'ies'} that an "
        f"earlier layer created{made}: {copied}.",
        fix,
        stage=stage,
        edits=_at_creation(build, line, spread, origin, beyond),
    )


def _at_creation(build: Build, line: int, spread: _Spread, origin: Cause | None, beyond: bool) -> tuple[Edit, ...]:
    """Move the recursive change to where the tree is made: a flag of the COPY/ADD that made it, or the end of
    the RUN that made it (the same layer); and take it out of the RUN at `line`. No edit where the owner does not
    exist yet where the tree is made, where taking the command out could leave a broken script, or where the COPY
    also makes paths outside the changed tree (its flag would change those too: `ADD . /code/` for a chown of
    `/code/media`)."""
    ch = spread.change
    ins = build.instruction(line)
    span = ch.cause.span  # the command of the RUN that made the change, as the replay parsed it
    verb = "chown" if ch.action is Action.CHOWN else "chmod"
    if origin is None or ins is None or span is None or not _movable(ins.original[span[0] : span[1]], verb, ch.spec,
                                                                        spread.top):  # fmt: skip
        return ()
    # Taken out whole when the command is all of the RUN's script (as the reader mapped it to the source), else
    # with the `&&` that joins it to a neighbour on the same physical line (`Cause.cut`, from the parsed list).
    offsets = ins.raw_offsets or ()
    whole = bool(offsets) and span == (offsets[0], offsets[-1] + 1)
    cut = ch.cause.cut
    cuttable = cut is not None and not any(c in ins.original[cut[0] : cut[1]] for c in "\n\\")
    # A COPY flag must name accounts made before the COPY; a chown appended to the RUN that made the tree runs
    # after that RUN's own useradd.
    after = origin.keyword == "RUN"
    if not (whole or cuttable) or (verb == "chown" and not _owner_exists(build, ch.spec, origin.line, inclusive=after)):
        return ()
    take = (Edit(EditKind.DELETE, line, "", changes=Changes.COMMANDS) if whole
            else Edit(EditKind.CUT, line, "", span=cut, changes=Changes.COMMANDS))  # fmt: skip
    if origin.keyword in ("COPY", "ADD"):
        if beyond:
            return ()
        made = build.instruction(origin.line)
        flag = "--chown" if verb == "chown" else "--chmod"
        if made is None or made.has_flag(flag[2:]) or (verb == "chmod" and not ch.spec.isdigit()):
            return ()
        user, _, group = ch.spec.partition(":")
        value = f"{user or ch.uid}:{group}" if group else user if verb == "chown" else ch.spec
        return (Edit(EditKind.ADD_FLAG, origin.line, f"{flag}={value}", changes=Changes.OWNERSHIP), take)
    appended = (
        append_run(build, origin.line, f" && {ins.original[span[0] : span[1]]}", changes=Changes.COMMANDS)
        if origin.keyword == "RUN"
        else ()
    )
    return (*appended, take) if appended else ()


def _movable(written: str, verb: str, spec: str, top: str) -> bool:
    """Whether the command as written is `verb [options] spec top`, with nothing the shell would expand or join:
    moved to the end of another RUN, it does the same."""
    if any(c in written for c in "$`'\"*?[\\\n"):
        return False
    words = written.split()
    if not words:
        return False
    operands = [w for w in words[1:] if not w.startswith("-")]
    return posixpath.basename(words[0]) == verb and operands in ([spec, top], [spec, top + "/"])


def _copies_beyond(fs: FileSystem, origin: Cause, top: str) -> bool:
    """Whether the COPY/ADD at `origin` created a path that is neither `top` nor below it."""
    return any(
        (created := node.created) is not None
        and created.line == origin.line
        and created.stage == origin.stage
        and path != top
        and not below(path, top)
        for path, node in fs.nodes.items()
    )


def _owner_exists(build: Build, spec: str, line: int, *, inclusive: bool) -> bool:
    """Whether the accounts a chown names exist at `line` (made before it, or in it with `inclusive`, or by the
    base image)."""
    user, _, group = spec.partition(":")
    name = build.stage_of_line(line)
    st = build.stage(name) if name is not None else None
    if st is not None:
        u = st.users.by_name(user) if user and not user.isdigit() else None
        if user and not user.isdigit() and (u is None or u.line > line or (u.line == line and not inclusive)):
            return False
        if group and not group.isdigit():
            made = st.users.group_lines.get(group, 0)
            if not st.users.has_group(group) or made > line or (made == line and not inclusive):
                return False
        return True
    return False
