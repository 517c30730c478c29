"""Helpers shared by rules: who matters for a path, and how to tell its story."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence

from venvlint.edits import Changes, Edit, EditKind, appendable, as_root, insert_after, insert_before, runs_as_root
from venvlint.findings import PathSetAt
from venvlint.query import (
    Action,
    Build,
    Change,
    FileSystem,
    Identity,
    Knowledge,
    Need,
    Node,
    Premise,
    PremiseKind,
    Remedy,
    ToolRun,
    Verdict,
    WriteNeed,
    below,
    created_dir,
    format_mode,
    opaque_assumption,
    shorten,
)


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


def describe_path(fs: FileSystem, path: str) -> str:
    """`` (last set at line 9: `COPY overlay/ /`)`` for the node's last change, or nothing."""
    node = fs.get(path)
    if node is None or not node.history:
        return ""
    return f" (last set at {where(node.history[-1], nested=True)})"  # no parentheses inside these


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


def last_change(fs: FileSystem, path: str) -> tuple[PathSetAt, ...]:
    """The cause of what `path` is now (the line of its last change), for superseding (none if unknown)."""
    node = fs.get(path)
    if node is None or not node.history:
        return ()
    return (PathSetAt(node.history[-1].cause.line, path),)


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


def used_premise(lines: tuple[int, ...], what: str, line: int) -> tuple[Premise, ...]:
    """Where no container command is among `lines` (the commands a broken `what` makes fail), that something runs
    it all the same is an assumption: the finding is then a warning that says so."""
    if lines:
        return ()
    return (
        Premise(
            PremiseKind.COMMAND,
            what,
            Knowledge.ASSUMED,
            line,
            assumption=f"that something runs {what} (the container's command does not)",
        ),
    )


def also_text(paths: tuple[str, ...]) -> str:
    """` It cannot write `X` and `Y` either, for the same reason.` (or nothing)."""
    if not paths:
        return ""
    quoted = [f"`{p}`" for p in paths]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return f" It cannot write {listed} either."


def as_root_after(build: Build, stage: str, line: int, *instructions: str, changes: Changes) -> tuple[Edit, ...]:
    """Insert `instructions` right after `line`, run as root (wrapped in USER root ... USER <as before>); nothing
    where the stage cannot run them (no shell for a RUN). `changes`: what they change (`edits.Changes`)."""
    user = build.user_at(stage, line)
    if user is None or not build.can_run(stage, instructions):
        return ()
    return (insert_after(line, *as_root(user, *instructions), changes=changes),)


def as_root_before(build: Build, stage: str, line: int, *instructions: str, changes: Changes) -> tuple[Edit, ...]:
    """Insert `instructions` right before `line`, run as root; nothing where the stage cannot run them. Where
    `line` directly follows the `USER` that left root, they go before that USER instead (`RUN chown app /app`,
    `USER app`), rather than between `USER root` and `USER app` lines of their own."""
    user = build.user_at(stage, line)
    if user is None or not build.can_run(stage, instructions):
        return ()
    before = build.previous_instruction(stage, line)
    if not runs_as_root(user) and before is not None and before.cmd == "USER":
        earlier = build.user_at(stage, before.line)
        if earlier is not None and runs_as_root(earlier):
            return (insert_before(before.line, *instructions, changes=changes),)
    return (insert_before(line, *as_root(user, *instructions), changes=changes),)


def need_edits(
    build: Build, stage: str, line: int, who: Identity, needs: Sequence[WriteNeed], fs: FileSystem
) -> tuple[Edit, ...]:
    """The fix of `needs` that `who` cannot write, as edits placed before `line` (the command that needs them):
    `ENV UV_NO_SYNC=1` for a runtime `uv run`; for packages root installed, that install with `umask 002` (into a
    setgid site-packages when the user's group is not root's); for the rest, the directories handed to `who` as
    root, without recursion (`chown` what exists, `install -d -o` what is to be created; for an arbitrary uid,
    group 0 with g=u). Nothing where the fix is the user's decision."""
    remedies = {n.remedy for n in needs}
    name = who.owner_name
    if Remedy.MANUAL in remedies or not (name or who.arbitrary):
        return ()
    if Remedy.NO_SYNC in remedies:
        return (insert_before(line, "ENV UV_NO_SYNC=1", changes=Changes.ENVIRONMENT),)
    edits: list[Edit] = []
    for n in needs:
        if n.remedy is Remedy.GROUP_INSTALL and n.remedy_line > 0:
            edits += _group_install(build, n, stage, who)
    handed = [n for n in needs if n.remedy is Remedy.HAND_OVER]
    for n in handed:
        # A parent handed over instead of what the tool makes itself: only a directory this build made (a
        # project's WORKDIR), never one of the image's own (/opt, /home).
        node = fs.get(fs.resolve(n.hand_over)) if n.hand_over else None
        if n.hand_over and (node is None or node.created is None):
            return ()
    paths = list(dict.fromkeys(n.hand_over or n.path for n in handed))
    existing = [p for p in paths if fs.get(fs.resolve(p)) is not None]
    missing = [p for p in paths if p not in existing]
    have, make = " ".join(existing), " ".join(missing)
    if who.arbitrary:  # an arbitrary uid writes through group 0
        steps = ([f"chgrp 0 {have} && chmod g=u {have}"] if existing else []) + (
            [f"install -d -g 0 -m 775 {make}"] if missing else [])  # fmt: skip
    else:
        steps = ([f"chown {name} {have}"] if existing else []) + ([f"install -d -o {name} {make}"] if missing else [])
    if steps:
        edits += as_root_before(build, stage, line, "RUN " + " && ".join(steps), changes=Changes.OWNERSHIP)
    return tuple(edits)


def _group_install(build: Build, need: WriteNeed, stage: str, who: Identity) -> list[Edit]:
    return group_install_edits(build, need.remedy_line, posixpath.dirname(need.path), stage, who)


def _in_group(who: Identity, gid: int | None) -> bool:
    return gid is not None and (who.gid == gid or gid in who.groups or (who.arbitrary and gid == 0))


def group_install_edits(build: Build, line: int, site: str, stage: str, who: Identity) -> list[Edit]:
    """`umask 002 &&` at the install at `line`, so that what it creates is group-writable, and a setgid `site`
    before it when the directories it creates would otherwise get the installer's group instead of the site's.
    Nothing when `who` is in neither group (no group setting helps), or the RUN cannot take a prefix."""
    umask = list(prefix_run(build, line, "umask 002 && ", changes=Changes.OWNERSHIP))
    run = next((i.run for i in build.build_intents if i.run.line == line), None)
    node = run.fs.get(site) if run is not None and run.fs is not None else None
    if not umask or run is None or node is None:
        return []
    if _in_group(who, created_dir(node, run.identity, run.umask).gid):
        return umask
    if _in_group(who, node.gid):
        setgid_first = as_root_before(
            build, build.stage_of_line(line) or stage, line, f"RUN chmod g+s {site}", changes=Changes.OWNERSHIP
        )
        return [*setgid_first, *umask] if setgid_first else []
    return []


def replace_edit(build: Build, line: int, old: str, new: str, *, changes: Changes) -> tuple[Edit, ...]:
    """Replace `old` by `new` in the instruction at `line`, when `old` is there as written (a value the Dockerfile
    spells with a variable is not: then no edit)."""
    ins = build.instruction(line)
    return (
        (Edit(EditKind.REPLACE, line, new, old=old, changes=changes),)
        if ins is not None and old and old in ins.original
        else ()
    )


def flag_edit(build: Build, line: int, name: str, value: str, new: str | None, *, changes: Changes) -> tuple[Edit, ...]:
    """Set the `--name=value` flag of the instruction at `line` to `--name=new` (remove it when `new` is None), on
    the flag's parsed place; nothing when no such flag is written that way (a value the Dockerfile spells with a
    variable)."""
    ins = build.instruction(line)
    written = f"--{name}={value}"
    if ins is None or not any(f.name == name and f.written == written and f.span is not None for f in ins.flags):
        return ()
    return (Edit(EditKind.SET_FLAG, line, "" if new is None else f"--{name}={new}", old=written, changes=changes),)


def append_run(build: Build, line: int, text: str, *, changes: Changes) -> tuple[Edit, ...]:
    """`text` at the end of the RUN at `line`, when it is a shell-form RUN whose script can take it
    (`edits.appendable`)."""
    ins = build.instruction(line)
    ok = ins is not None and ins.cmd == "RUN" and not ins.json_form and appendable(ins.original)
    return (Edit(EditKind.APPEND_RUN, line, text, changes=changes),) if ok else ()


def prefix_run(build: Build, line: int, text: str, *, changes: Changes) -> tuple[Edit, ...]:
    """`text` at the start of the RUN at `line`, when it is a shell-form RUN without a heredoc."""
    ins = build.instruction(line)
    ok = ins is not None and ins.cmd == "RUN" and not ins.json_form and not ins.heredocs
    return (Edit(EditKind.PREFIX_RUN, line, text, changes=changes),) if ok else ()


def env_before(build: Build, stage: str, line: int, variable: str, value: str) -> tuple[Edit, ...]:
    """`ENV variable=value` right before `line` (where the stage can take it: any stage can)."""
    return (
        (insert_before(line, f"ENV {variable}={value}", changes=Changes.ENVIRONMENT),)
        if build.instruction(line) is not None
        else ()
    )


def env_dir_edit(build: Build, stage: str, line: int, variable: str, path: str) -> tuple[Edit, ...]:
    """`ENV variable=path` before `line`, and when the build runs as another user there, `path` made for that user
    first (as root): the tool it steers must be able to create what goes in it."""
    user = build.user_at(stage, line)
    env = f"ENV {variable}={path}"
    if user is None:
        return ()
    if runs_as_root(user):
        return (insert_before(line, env, changes=Changes.ENVIRONMENT),)
    owner, _, group = user.partition(":")
    make = f"RUN install -d -o {owner}{f' -g {group}' if group else ''} {path}"
    return (insert_before(line, *as_root(user, make), env, changes=Changes.ENVIRONMENT),)


def closed_by(fs: FileSystem, path: str) -> tuple[PathSetAt, ...]:
    """The cause of a directory that refuses: `last_change` of what `path` resolves to, when a line of this
    Dockerfile set it (none for the base image's)."""
    return tuple(c for c in last_change(fs, fs.resolve(path)) if c.line > 0)
