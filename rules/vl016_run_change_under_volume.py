"""## What it does
Finds a `RUN` that changes something under a path declared `VOLUME` earlier (including the owner or mode of the
volume directory itself).

With `--builder buildah` or `--builder classic` the replay throws the change away as those builders do, and the
finding says what is lost (what stays instead, what is no longer in the image); it is an error when a later step
needs what was lost: a write of a later `RUN` (the build fails there, measured with buildah 1.28.2, oracle case
92), the container's command below a directory that is gone, a runtime install.

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

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from venvlint.edits import Changes, Edit, EditKind, insert_after
from venvlint.findings import PathSetAt, Problem, Severity
from venvlint.query import Action, Build, Change, Need, Node, Premise, Stage, below, format_mode

from ._common import change_premise, command

CODE = "VL016"
NAME = "run-change-under-volume"
SEVERITY = Severity.WARNING
SUMMARY = "A RUN changes a path under an earlier VOLUME: kept by BuildKit, discarded by legacy builders"
SCENARIOS = ()
REFERENCES = ("https://github.com/docker/docs/issues/18113",)
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    legacy = build.builder != "buildkit"
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
            if legacy:  # what the builder threw away, creations included (they are no longer in the tree)
                for (line, v), lost in st.discarded.items():
                    if v == vol and (line, vol) not in seen and lost and lost[0][1].history:
                        seen.add((line, vol))
                        found.append((lost[0][0], lost[0][1].history[-1]))
            last = max((ch.cause.line for _, ch in found), default=0)
            if legacy and found and vline in st.lines:
                # A RUN the discarded change made fail wrote nothing the model could see: below every RUN.
                last = max(ln for ln in st.lines if ln > vline and _is_run(build, ln))
            move = _move_volume(build, vline, last)
            for path, ch in sorted(found, key=lambda pc: pc[1].cause.line):
                lost = st.discarded.get((ch.cause.line, vol), ()) if legacy else ()
                used = _used_later(build, st, ch.cause.line, lost)
                premises: tuple[Premise, ...] = (
                    (change_premise(st.fs, path, ch, ch),) if st.fs.get(path) is not None else ()
                )
                message = f"line {ch.cause.line} changes `{path}` ({ch.note}) under `VOLUME {vol}` (line {vline}): "
                if lost:
                    message += _lost_text(build.builder, st, lost)
                else:
                    message += _outcome(build.builder, path, st.fs.get(path), ch)
                if used is not None:
                    message += f" {used.text}"
                    premises += used.premises
                yield Problem(
                    ch.cause.line,
                    path,
                    message,
                    f"do it before line {vline}, then declare the VOLUME",
                    severity=Severity.ERROR if used is not None else None,
                    stage=st.name,
                    related=(used.line,) if used is not None else (),
                    premises=premises,
                    causes=tuple(PathSetAt(ch.cause.line, p) for p, _ in lost),
                    edits=move,
                )


class _Use(NamedTuple):
    """A later step that needs what the builder discarded: its line, what happens, the facts it rests on."""

    line: int
    text: str
    premises: tuple[Premise, ...]


def _used_later(build: Build, st: Stage, line: int, lost: Sequence[tuple[str, Node]]) -> _Use | None:
    """The first later step that fails for what the RUN at `line` lost: a write the replay denied below or at a
    lost path (the build stops there), the container's command below a lost path that is gone, or a runtime tool
    run that cannot write what was lost."""
    if not lost:
        return None
    paths = [p for p, _ in lost]

    def hit(path: str) -> bool:
        return any(below(path, p) or below(p, path) for p in paths)

    for d in st.denied:
        if d.line > line and hit(d.path):
            return _Use(d.line, f"Line {d.line} (`{d.command}`) runs as {d.identity.label()} and needs it: "
                        f"{d.reason}; the build fails there.", d.premises)  # fmt: skip
    if st is not build.final:
        return None
    gone = [p for p in paths if build.fs.get(p) is None]
    for argv, cmd_line in build.commands:
        if argv and argv[0].startswith("/") and any(below(argv[0], p) for p in gone):
            return _Use(cmd_line, f"The container's command (line {cmd_line}) runs `{argv[0]}`, which is not in the "
                        "image: it does not start.", ())  # fmt: skip
    for intent, ri in build.runtime_intents:
        for need in intent.needs:
            if need.need is not Need.FATAL or not hit(need.path):
                continue
            verdict = build.check(need, ri.identity)
            if verdict.no:
                return _Use(intent.run.line, f"The container's `{command(intent.run.argv)}` (line {intent.run.line}) "
                            f"runs as {ri.identity.label()} and needs it: {verdict.reason}.",
                            (*verdict.premises, *need.premises))  # fmt: skip
    return None


def _lost_text(builder: str, st: Stage, lost: Sequence[tuple[str, Node]]) -> str:
    """What the builder threw away and what stays instead, for the first few paths."""
    parts = []
    for path, made in lost[:3]:
        now = st.fs.get(path)
        if now is None:
            parts.append(f"`{path}` ({_state(made)}) is not in the image")
        else:
            parts.append(f"`{path}` stays {_state(now)} instead of {_state(made)}")
    more = f" ({len(lost) - 3} more {'path' if len(lost) == 4 else 'paths'})" if len(lost) > 3 else ""
    return f"the {builder} builder discards that RUN's changes under the volume: {'; '.join(parts)}{more}. BuildKit would keep them."


def _state(node: Node) -> str:
    return f"{node.uid}:{node.gid} {format_mode(node.mode)}"


def _is_run(build: Build, line: int) -> bool:
    ins = build.instruction(line)
    return ins is not None and ins.cmd == "RUN"


def _move_volume(build: Build, vline: int, last: int) -> tuple[Edit, ...]:
    """The VOLUME moved below the last RUN that changes what is under it."""
    ins = build.instruction(vline)
    if ins is None or not last or "\n" in ins.original.rstrip("\r\n"):
        return ()
    return (
        Edit(EditKind.DELETE, vline, "", changes=Changes.COMMANDS),
        insert_after(last, ins.original.strip(), changes=Changes.COMMANDS),
    )


def _outcome(builder: str, path: str, node: Node | None, ch: Change) -> str:
    """What the builder venvlint replays does with the change, and what the others do."""
    later = [c for c in node.history if c.seq > ch.seq and c.action is Action.DISCARDED] if node else []
    if builder == "buildkit" or not later:
        return "BuildKit keeps the change; the classic builder and older buildah discard it."
    back = later[0]
    kept = f"`{path}` stays {back.uid}:{back.gid} {format_mode(back.mode)}" if back.kind is not None else (
        f"`{path}` is not in the image")  # fmt: skip
    return f"the {builder} builder discards it, so {kept}; BuildKit would keep the change."
