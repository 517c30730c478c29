"""Helpers shared by rules: who matters for a path, and how to tell its story."""

from __future__ import annotations

from collections.abc import Iterable

from venvlint.analysis import Analysis, RuntimeIdentity
from venvlint.model.access import Identity, Tri, permits
from venvlint.model.fs import Action, Change, FileSystem, Node, format_mode


def state_text(uid: int | None, gid: int | None, mode: int | None) -> str:
    return f"{'?' if uid is None else uid}:{'?' if gid is None else gid} {format_mode(mode)}"


def change_text(ch: Change) -> str:
    return state_text(ch.uid, ch.gid, ch.mode)


def where(ch: Change) -> str:
    """`line 84 (`COPY nginx/root/ /`)`, or the FROM line and the profile for what a base-image profile says."""
    if ch.cause.profile is not None:
        source = "what every such image has" if ch.action is Action.DISTRIBUTION else f"profile {ch.cause.profile}"
        return f"line {ch.cause.line} (the base image, {source})"
    if ch.cause.line <= 0:
        return "the base image"
    return f"line {ch.cause.line} (`{ch.cause.instruction}`)"


def node_at(node: Node, ch: Change) -> Node:
    """The node as it was right after `ch` (for permission questions about the past)."""
    from dataclasses import replace

    return replace(node, uid=ch.uid, gid=ch.gid, mode=ch.mode, kind=ch.kind or node.kind)


def could_write(node: Node, who: Identity) -> Tri:
    return permits(node, who, "wx")


def venv_of(path: str, venvs: Iterable[str]) -> str | None:
    for v in sorted(venvs, key=len, reverse=True):
        if path == v or path.startswith(v.rstrip("/") + "/"):
            return v
    return None


def identities_for(a: Analysis) -> list[RuntimeIdentity]:
    return a.runtime_identities


def describe_path(fs: FileSystem, path: str) -> str:
    """`` (last set at line 9: `COPY overlay/ /`)`` for the node's last change, or nothing."""
    node = fs.get(path)
    if node is None or not node.history:
        return ""
    return f" (last set at {where(node.history[-1])})"


CACHE_ROLES = frozenset({"uv-cache", "pip-cache", "poetry-cache", "tmpdir", "home"})


def reset_by_copy(fs: FileSystem, path: str) -> bool:
    """Whether the last change of `path` was a COPY/ADD source tree replacing an existing directory."""
    node = fs.get(path)
    return node is not None and bool(node.history) and node.history[-1].action is Action.COPY_RESET
