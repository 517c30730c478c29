"""`venvlint explain`: a path's final owner, group and mode, and every instruction that changed it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .model.fs import Action, Change, FileSystem, ancestors, format_mode, normpath
from .pipeline import build_from_file

if TYPE_CHECKING:
    from .registry.settings import RegistrySettings
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
    strict_context: bool = False,
    registry: RegistrySettings | None = None,
) -> dict[str, Any]:
    """The explanation of `paths` after the build (see explain_simulated). `registry`: read base images without a
    profile from the cache or their registries (None: never)."""
    sim = build_from_file(
        dockerfile_path,
        context=context,
        build_args=build_args,
        target=target,
        builder=builder,
        profile_files=profile_files,
        strict_context=strict_context,
        registry=registry,
    )
    return explain_simulated(sim, paths)


def _change(ch: Change) -> dict[str, Any]:
    return {
        "line": ch.cause.line,
        "instruction": ch.cause.instruction,
        "stage": ch.cause.stage,
        "uid": ch.uid,
        "gid": ch.gid,
        "mode": None if ch.mode is None else format_mode(ch.mode),
        "kind": ch.kind.value if ch.kind is not None else None,
        "note": ch.note,
        "knowledge": ch.knowledge.value,
    }


def _removed_history(fs: FileSystem, path: str) -> tuple[Change, ...]:
    """The recorded history of `path` up to its last removal. Below a removal too large to record path by path,
    what is known is only that anything there went with it."""
    if path in fs.removed:
        return fs.removed[path]
    for a in reversed(ancestors(path)):
        if a in fs.bulk_removed and a in fs.removed:
            last = fs.removed[a][-1]
            detail = f"{last.note}, with all of {a}, if it was there"
            return (Change(last.cause, None, None, None, None, Action.REMOVED, detail),)
    return ()


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
        earlier = _removed_history(fs, real)  # what the path was before it was last removed, if it was
        if node is None:
            absent = fs.is_known_absent(real)
            entry.update(uid=None, gid=None, mode=None, kind=None, known=absent,
                         knowledge="absent" if absent else "unknown")  # fmt: skip
            entry["history"] = [_change(ch) for ch in earlier]
        else:
            entry.update(
                uid=node.uid,
                gid=node.gid,
                mode=None if node.mode is None else format_mode(node.mode),
                kind=node.kind.value,
                known=node.knowledge.known,
                knowledge=node.knowledge.value,
            )
            if node.target is not None:
                entry["target"] = node.target
            entry["history"] = [_change(ch) for ch in (*earlier, *node.history)]
        out.append(entry)
    failure = sim.failure
    assumptions = [{"line": a.line, "stage": a.stage, "message": a.message} for a in state.record.assumptions]
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


def state_text(entry: Mapping[str, Any]) -> str:
    """One state of an explained path or of a history row ("uid", "gid", "mode", "kind" keys) as `explain` says it:
    "1001:0 0775 dir", "?:0 ???? file" for unknown parts, "absent" when there is no such path."""
    if entry["kind"] is None:
        return "absent"
    uid, gid = entry["uid"], entry["gid"]
    return f"{'?' if uid is None else uid}:{'?' if gid is None else gid} {entry['mode'] or '????'} {entry['kind']}"


def final_text(path: Mapping[str, Any]) -> str:
    """An explained path's final state with how far it is known (a `paths` item of `explain_simulated`)."""
    if not path["known"]:
        if path["kind"] is None:
            return "unknown (not modelled: the base image or context is not known)"
        return state_text(path) + " (not known)"
    if path.get("knowledge") == "derived":
        return state_text(path) + " (derived from a base-image profile or an assumption)"
    return state_text(path)
