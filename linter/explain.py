"""`venvlint explain`: a path's final owner, group and mode, and every instruction that changed it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .model.fs import Knowledge, format_mode, normpath
from .pipeline import build_from_file
from .simulate.engine import SimulatedBuild


def explain(
    dockerfile_path: str,
    paths: Sequence[str],
    *,
    context: str | None = None,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
    builder: str = "buildkit",
    profile_files: Sequence[str] = (),
) -> dict[str, Any]:
    sim = build_from_file(
        dockerfile_path,
        context=context,
        build_args=build_args,
        target=target,
        builder=builder,
        profile_files=profile_files,
    )
    return explain_simulated(sim, paths)


def explain_simulated(sim: SimulatedBuild, paths: Sequence[str]) -> dict[str, Any]:
    state = sim.final
    fs = state.fs
    out: list[dict[str, Any]] = []
    for raw in paths:
        path = normpath(raw)
        real = fs.resolve(path, follow_last=False)
        node = fs.get(real)
        entry: dict[str, Any] = {"path": path}
        if real != path:
            entry["resolved"] = real
        if node is None:
            entry.update(uid=None, gid=None, mode=None, kind=None, known=fs.complete, knowledge="absent")
            entry["history"] = []
        else:
            entry.update(
                uid=node.uid,
                gid=node.gid,
                mode=None if node.mode is None else format_mode(node.mode),
                kind=node.kind.value,
                known=node.knowledge is not Knowledge.UNKNOWN,
                knowledge=node.knowledge.value,
            )
            if node.target is not None:
                entry["target"] = node.target
            entry["history"] = [
                {
                    "line": ch.cause.line,
                    "instruction": ch.cause.instruction,
                    "stage": ch.cause.stage,
                    "uid": ch.uid,
                    "gid": ch.gid,
                    "mode": None if ch.mode is None else format_mode(ch.mode),
                    "kind": ch.kind.value if ch.kind is not None else None,
                    "note": ch.note,
                }
                for ch in node.history
            ]
        out.append(entry)
    failure = sim.failure
    assumptions = [{"line": a.line, "stage": a.stage, "message": a.message} for a in state.assumptions]
    return {
        "dockerfile": sim.build.path,
        "builder": sim.builder,
        "stage": state.name,
        "user": state.user_spec or "root",
        "paths": out,
        "assumptions": assumptions,
        "build_fails": None
        if failure is None
        else {"line": failure.line, "message": failure.message, "stage": failure.stage},
    }
