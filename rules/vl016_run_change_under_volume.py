"""## What it does
Finds a `RUN` that changes something under a path declared `VOLUME` earlier (including the owner or mode of the
volume directory itself).

## Why is this bad?
Builders disagree. BuildKit (and buildah since 2024) keep the change; the classic builder and older buildah
discard it, so a `chown` of the volume silently does nothing there, and the directory stays owned by whoever it
belonged to before. At runtime the volume is mounted over it anyway.

## Example
```dockerfile
FROM python:3.12-slim
RUN mkdir -p /opt/app-root/data
VOLUME /opt/app-root/data
RUN chown 1001:0 /opt/app-root/data
```

## Use instead
Prepare the directory before declaring it a volume:
```dockerfile
RUN mkdir -p /opt/app-root/data && chown 1001:0 /opt/app-root/data
VOLUME /opt/app-root/data
```
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.edits import Changes, Edit, EditKind, insert_after
from venvlint.findings import Problem, Severity
from venvlint.query import Action, Build, Change, Node, format_mode

from ._common import change_premise

CODE = "VL016"
NAME = "run-change-under-volume"
SEVERITY = Severity.WARNING
SUMMARY = "A RUN changes a path under an earlier VOLUME: kept by BuildKit, discarded by legacy builders"
SCENARIOS = ()
REFERENCES = ("https://github.com/docker/docs/issues/18113",)
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    for st in build.stages:
        seen: set[tuple[int, str]] = set()
        for vol, vline in st.volume_lines.items():
            found: list[tuple[str, Change]] = []
            for path in st.fs.walk(vol):
                node = st.fs.nodes[path]
                for ch in node.history:
                    if ch.cause.line <= vline or ch.cause.keyword != "RUN" or (ch.cause.line, vol) in seen:
                        continue
                    seen.add((ch.cause.line, vol))
                    found.append((path, ch))
            move = _move_volume(build, vline, max((ch.cause.line for _, ch in found), default=0))
            for path, ch in found:
                yield Problem(
                    ch.cause.line,
                    path,
                    f"line {ch.cause.line} changes `{path}` ({ch.note}) under `VOLUME {vol}` (line {vline}): "
                    f"{_outcome(build.builder, path, st.fs.nodes[path], ch)}",
                    f"do it before line {vline}, then declare the VOLUME",
                    stage=st.name,
                    premises=(change_premise(st.fs, path, ch, ch),),
                    edits=move,
                )


def _move_volume(build: Build, vline: int, last: int) -> tuple[Edit, ...]:
    """The VOLUME moved below the last RUN that changes what is under it."""
    ins = build.instruction(vline)
    if ins is None or not last or "\n" in ins.original.rstrip("\r\n"):
        return ()
    return (
        Edit(EditKind.DELETE, vline, "", changes=Changes.COMMANDS),
        insert_after(last, ins.original.strip(), changes=Changes.COMMANDS),
    )


def _outcome(builder: str, path: str, node: Node, ch: Change) -> str:
    """What the builder venvlint replays does with the change, and what the others do."""
    later = [c for c in node.history if c.seq > ch.seq and c.action is Action.DISCARDED]
    if builder == "buildkit" or not later:
        return "BuildKit keeps the change; the classic builder and older buildah discard it."
    back = later[0]
    kept = f"`{path}` stays {back.uid}:{back.gid} {format_mode(back.mode)}" if back.kind is not None else (
        f"`{path}` is not in the image")  # fmt: skip
    return f"the {builder} builder discards it, so {kept}; BuildKit would keep the change."
