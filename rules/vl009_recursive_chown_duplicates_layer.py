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

from collections.abc import Iterator
from dataclasses import dataclass

from venvlint.analysis import Analysis
from venvlint.findings import Problem, Severity
from venvlint.model.fs import Action, Change, FileSystem, Kind

CODE = "VL009"
NAME = "recursive-chown-duplicates-layer"
SEVERITY = Severity.INFO
SUMMARY = "A recursive chown/chmod over a tree created by an earlier instruction duplicates it in a new layer"
SCENARIOS = ("S21",)
REFERENCES = (
    "https://github.com/topoteretes/cognee/pull/3753",
    "https://github.com/DataDog/dd-trace-py/pull/10039",
)
AUTOFIX = False

RECURSIVE = frozenset({Action.CHOWN, Action.CHMOD})


@dataclass
class _Spread:
    """What one recursive chown/chmod line changed that earlier layers created."""

    top: str
    change: Change
    entries: int = 0
    files: int = 0
    more: bool = False  # a directory whose listing is not complete: more files than the model holds


def check(a: Analysis) -> Iterator[Problem]:
    for i in a.sim.build.needed:
        fs = a.sim.states[i].fs
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
            yield _finding(fs, line, spread, a.sim.states[i].name)


def _finding(fs: FileSystem, line: int, spread: _Spread, stage: str) -> Problem:
    top_node = fs.get(spread.top)
    origin = top_node.created if top_node is not None else None
    made = f" (created at line {origin.line}: `{origin.instruction}`)" if origin else ""
    ch = spread.change
    command = f"{ch.action.value} -R {ch.spec}"
    if ch.action is Action.CHMOD:
        fix = (
            f"give the files their mode when they are created: `COPY --chmod={ch.spec}` (BuildKit, buildah), or "
            "set it in the step that creates them"
        )
    else:
        user, _, group = ch.spec.partition(":")
        owner = f"{user or 'USER'}:{group}" if group else (user or "USER")
        fix = (
            f"give the files their owner when they are created: `COPY --chown={owner}` / `COPY --from=... "
            f"--chown={owner}`, or create `{spread.top}` as that user first (`install -d -o {user or 'USER'} "
            f"{spread.top}`) and install as that user"
        )
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
    )
