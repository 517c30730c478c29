"""Helpers shared by rules: who matters for a path, and how to tell its story."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from venvlint.intents import Need, WriteNeed
from venvlint.model.access import Premise, PremiseKind, Verdict, opaque_assumption
from venvlint.model.fs import Action, Change, FileSystem, Knowledge, Node, below, format_mode
from venvlint.shown import shorten
from venvlint.simulate.state import ToolRun
from venvlint.tools import model as tools_model


def state_text(uid: int | None, gid: int | None, mode: int | None) -> str:
    return f"{'?' if uid is None else uid}:{'?' if gid is None else gid} {format_mode(mode)}"


def change_text(ch: Change) -> str:
    return state_text(ch.uid, ch.gid, ch.mode)


def where(ch: Change, nested: bool = False) -> str:
    """`line 84 (`COPY nginx/root/ /`)`, or the FROM line and the profile for what a base-image profile says;
    `nested` (for text already in parentheses): `line 84: `COPY nginx/root/ /``."""
    if ch.cause.line <= 0 and ch.cause.profile is None:
        return "the base image"
    if ch.cause.profile is not None:
        source = "what every such image has" if ch.action is Action.DISTRIBUTION else f"profile {ch.cause.profile}"
        what = f"the base image, {source}"
    else:
        what = f"`{ch.cause.instruction}`"
    return f"line {ch.cause.line}: {what}" if nested else f"line {ch.cause.line} ({what})"


def node_at(node: Node, ch: Change) -> Node:
    """The node as it was right after `ch` (for permission questions about the past)."""

    return node._replace(uid=ch.uid, gid=ch.gid, mode=ch.mode, kind=ch.kind or node.kind)


def venv_of(path: str, venvs: Iterable[str]) -> str | None:
    for v in sorted(venvs, key=len, reverse=True):
        if path == v or path.startswith(v.rstrip("/") + "/"):
            return v
    return None


def describe_path(fs: FileSystem, path: str) -> str:
    """`` (last set at line 9: `COPY overlay/ /`)`` for the node's last change, or nothing."""
    node = fs.get(path)
    if node is None or not node.history:
        return ""
    return f" (last set at {where(node.history[-1], nested=True)})"  # no parentheses inside these


CACHE_ROLES = tools_model.CACHE_ROLES


def command(argv: tuple[str, ...] | list[str], limit: int = 160) -> str:
    """A command as the user wrote it, whole unless very long (then its middle is elided, never its end)."""
    return shorten(" ".join(argv), limit)


def change_premise(fs: FileSystem, path: str, ch: Change, until: Change | None = None) -> Premise:
    """The fact "`path` was uid:gid mode right after `ch`" (and, with `until`, still so when that next change
    came), with where that came from: an unmodelled command in between makes it assumed."""
    knowledge, assumption = ch.knowledge, ""
    if not knowledge.known:
        assumption = f"what line {ch.cause.line} left {path} as ({change_text(ch)})"
    opaque = fs.opaque_after(path, ch.uid, ch.seq, until.seq if until is not None else None)
    if opaque is not None and knowledge.known:
        knowledge, assumption = Knowledge.ASSUMED, opaque_assumption(path, opaque)
    return Premise(PremiseKind.PATH, path, knowledge, ch.cause.line, ch.uid, ch.gid, ch.mode, assumption)


def run_premises(run: ToolRun) -> tuple[Premise, ...]:
    """That a tool ran: assumed when it depends on a shell condition venvlint could not decide."""
    if not run.tentative:
        return ()
    command = " ".join(run.argv)
    return (
        Premise(
            PremiseKind.COMMAND,
            command,
            Knowledge.ASSUMED,
            run.line,
            assumption=f"that `{command}` at line {run.line} runs (it depends on a condition venvlint could not decide)",
        ),
    )


def last_change(fs: FileSystem, path: str) -> tuple[tuple[int, str], ...]:
    """The cause of what `path` is now, (line of its last change, path), for superseding (none if unknown)."""
    node = fs.get(path)
    if node is None or not node.history:
        return ()
    return ((node.history[-1].cause.line, path),)


def one_per_environment(
    denied: list[tuple[WriteNeed, Verdict]], venv: str | None
) -> Iterator[tuple[WriteNeed, Verdict, tuple[str, ...]]]:
    """One cause, one finding: the denied needs of one command inside its environment (`bin`, `site-packages`, the
    root) become one, the worst need first, naming the other paths; needs elsewhere stay one each. (The rules
    report such a finding at the environment's root when that is among the paths.)"""
    inside = [(n, v) for n, v in denied if venv and below(n.path, venv)]
    if len(inside) > 1:
        inside.sort(key=lambda nv: (nv[0].need is not Need.FATAL, nv[0].path.count("/") * -1, nv[0].path))
        first, verdict = inside[0]
        yield first, verdict, tuple(n.path for n, _ in inside[1:])
        denied = [nv for nv in denied if nv not in inside]
    for n, v in denied:
        yield n, v, ()


def also_text(paths: tuple[str, ...]) -> str:
    """` It cannot write `X` and `Y` either, for the same reason.` (or nothing)."""
    if not paths:
        return ""
    quoted = [f"`{p}`" for p in paths]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return f" It cannot write {listed} either."
