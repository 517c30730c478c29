"""The simulated build plus who must write what, at build time and at runtime.

Rules read it through `venvlint.query.Build`. Everything here is derived from the simulation; nothing is re-parsed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from .intents import Intent, WriteNeed, check, intents_for, uv_version_from
from .model.access import ARBITRARY, Identity, Verdict
from .model.fs import FileSystem, Node, format_mode
from .packages import Installed, installed_packages
from .simulate.engine import SimulatedBuild, runtime_env
from .simulate.identity import run_identity
from .simulate.script import scan_commands
from .simulate.state import StageState, ToolRun
from .tools.context import FileSystemProbe
from .tools.read import read, tool_name

SHELLS = {"sh", "bash", "dash", "ash", "zsh", "busybox"}


class RuntimeCommand(NamedTuple):
    """One command the container runs: its words (after the image's ENV is expanded) and the CMD/ENTRYPOINT line."""

    argv: tuple[str, ...]
    line: int


class RuntimeIdentity(NamedTuple):
    identity: Identity
    source: str  # why we believe the image runs as it: "final USER at line 12", "--runtime-user 1001:0", ...
    line: int = 0


@dataclass
class Analysis:
    """What every rule reads: the simulated build, who the image runs as, and what each tool run must write.

    `runtime_identities`: the final USER, the base profile's intended users and the `--runtime-user`s.
    `build_intents`: the write needs of the tool runs of every stage the target needs (RUN lines), in build order.
    `runtime_intents`: the write needs of the container command's tool runs, each with the identity it runs as.
    `uv_version`: the uv version the image pins, when it can be told ("0.6.6"). `commands`: the container command
    (ENTRYPOINT + CMD, `sh -c` scripts opened up), each a RuntimeCommand. Rules do not see it: they ask
    `venvlint.query.Build`, which wraps it read-only."""

    file: str
    sim: SimulatedBuild
    runtime_identities: list[RuntimeIdentity]
    build_intents: list[Intent] = field(default_factory=list)
    runtime_intents: list[tuple[Intent, RuntimeIdentity]] = field(default_factory=list)
    uv_version: str | None = None
    # The commands the container runs (ENTRYPOINT + CMD, `sh -c` scripts opened up), read once: (argv, line).
    commands: list[RuntimeCommand] = field(default_factory=list)
    # What the user asked for that the image contradicts (a --runtime-user it has no account for): said, not found.
    notes: list[str] = field(default_factory=list)

    @property
    def final(self) -> StageState:
        return self.sim.final

    @property
    def fs(self) -> FileSystem:
        return self.sim.final.fs

    @cached_property
    def installed(self) -> tuple[Installed, ...]:
        """What each tool run of the stages the target needs installed, and where (`venvlint.packages`), read once
        for every rule that asks."""
        return installed_packages(self.sim.states[i] for i in self.sim.build.needed)

    @cached_property
    def venv_configs(self) -> list[tuple[str, Node]]:
        """Every `pyvenv.cfg` in the final image (several rules start from them), found once per analysis through
        the directory listings: a large COPY makes the filesystem hundreds of thousands of nodes long."""
        nodes = self.fs.nodes
        return [
            (p, nodes[p])
            for d, names in self.fs.listings()
            if "pyvenv.cfg" in names and (p := f"{d.rstrip('/')}/pyvenv.cfg") in nodes
        ]

    def check(self, need: WriteNeed, who: Identity, fs: FileSystem | None = None) -> Verdict:
        return check(fs or self.fs, who, need)


def describe(node: Node | None) -> str:
    if node is None:
        return "absent"
    return f"{_id(node.uid)}:{_id(node.gid)} {format_mode(node.mode)}"


def _id(v: int | None) -> str:
    return "?" if v is None else str(v)


def runtime_identities(
    state: StageState, extra: Sequence[str] = (), notes: list[str] | None = None
) -> list[RuntimeIdentity]:
    """The final USER, the identities the base profile says the image is meant for, and `--runtime-user`s. A
    `--runtime-user` the final image cannot resolve (a name its complete account files lack) is left out and said
    in `notes`: `docker run --user` would refuse it too."""
    out: list[RuntimeIdentity] = []
    seen: set[tuple[int | None, int | None, bool]] = set()

    def add(ident: Identity, source: str, line: int = 0) -> None:
        key = (ident.uid, ident.gid, ident.arbitrary)
        if key not in seen:
            seen.add(key)
            out.append(RuntimeIdentity(ident, source, line))

    where = f"the final USER, line {state.user_line}" if state.user_line else "the base image's USER"
    add(state.identity, where, state.user_line)
    for spec in state.runtime_users:
        ident = ARBITRARY if spec == "arbitrary" else run_identity(spec, state.users).identity
        add(ident, f"base image profile {state.profile}, meant to run as {spec}")
    for spec in extra:
        resolved = None if spec == "arbitrary" else run_identity(spec, state.users)
        if resolved is not None and resolved.error:
            if notes is not None:
                notes.append(f"--runtime-user {spec}: {resolved.error} in the final image; not checked")
            continue
        add(ARBITRARY if resolved is None else resolved.identity, f"--runtime-user {spec}")
    return out


def runtime_commands(state: StageState) -> list[RuntimeCommand]:
    """The commands the container runs: ENTRYPOINT + CMD (the shell form through the stage's SHELL, as Docker runs
    it), with a shell's `-c` script opened up into its commands."""
    argv: list[str] = []
    line = 0
    env = dict(runtime_env(state))

    def words(form: tuple[str, ...], json_form: bool) -> list[str]:
        return list(form) if json_form else [*state.shell, *form]  # the shell form is one string

    if state.entrypoint:
        line = state.entrypoint_line
        argv = words(state.entrypoint, state.entrypoint_json)
        if state.cmd and state.entrypoint_json:
            argv += words(state.cmd, state.cmd_json)
    elif state.cmd:
        line = state.cmd_line
        argv = words(state.cmd, state.cmd_json)
    if not argv:
        return []
    script = _shell_script(argv)
    if script is not None:
        return [RuntimeCommand(tuple(cmd.argv), line) for cmd in scan_commands(script, env)]
    return [RuntimeCommand(tuple(argv), line)]


def _shell_script(argv: list[str]) -> str | None:
    """The script of `sh -c SCRIPT` (options such as `-e` or `-o pipefail` before `-c` allowed), else None."""
    if posixpath.basename(argv[0]) not in SHELLS:
        return None
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        if argv[i] == "-c" or (argv[i].startswith("-") and not argv[i].startswith("--") and argv[i].endswith("c")):
            return argv[i + 1] if i + 1 < len(argv) else ""
        i += 2 if argv[i] in ("-o", "+o") else 1
    return None


def analyse(sim: SimulatedBuild, file: str, runtime_users: Sequence[str] = ()) -> Analysis:
    """The Analysis of a simulated build: its runtime identities (with `runtime_users`, `--runtime-user` specs:
    "1001:0", a name, "arbitrary"; one the image has no account for is a note, not an identity) and the write needs
    of every tool run at build time and at runtime. `file` is the Dockerfile's name for messages. Never raises for
    what the build contains: what cannot be known is unknown in the premises."""
    final = sim.final
    notes: list[str] = []
    idents = runtime_identities(final, runtime_users, notes)
    all_runs: list[ToolRun] = [r for i in sim.build.needed for r in sim.states[i].record.tool_runs]
    uv_version = uv_version_from(final.fs, all_runs)
    a = Analysis(file, sim, idents, uv_version=uv_version, commands=runtime_commands(final), notes=notes)
    for i in sim.build.needed:
        st = sim.states[i]
        inherited = _lineage_runs(sim, i)
        for k, run in enumerate(st.record.tool_runs):
            earlier = [*inherited, *st.record.tool_runs[:k]]
            a.build_intents.extend(intents_for(run, run.fs or st.fs, st.users, uv_version=uv_version, earlier=earlier))
    base_env = {k: v for k, v in runtime_env(final).items() if k != "HOME" or "HOME" in final.env}
    probe = FileSystemProbe(final.fs)
    for argv, line in a.commands:
        if tool_name(argv) is None:
            continue
        # The container's HOME is the runtime user's (from ENV HOME, else that user's passwd entry): the intents
        # look it up for each identity.
        inv = read(argv, base_env, final.workdir, probe)
        if inv is None:
            continue
        for ri in idents:
            run = ToolRun(
                line=line,
                invocation=inv,
                argv=argv,
                identity=ri.identity,
                env=tuple(sorted(base_env.items())),
                cwd=final.workdir,
                stage=final.name,
                env_open=sim.build.stages[sim.build.target].env_open,
            )
            earlier = [*_lineage_runs(sim, sim.build.target), *final.record.tool_runs]
            for intent in intents_for(run, final.fs, final.users, uv_version=uv_version, earlier=earlier):
                a.runtime_intents.append((intent, ri))
    return a


def _lineage_runs(sim: SimulatedBuild, index: int) -> list[ToolRun]:
    """The tool runs of the stages `index` is built FROM (its image carries what they did), oldest first."""
    chain: list[int] = []
    base = sim.build.stages[index].base_stage
    while base is not None:
        chain.append(base)
        base = sim.build.stages[base].base_stage
    return [r for i in reversed(chain) if i in sim.states for r in sim.states[i].record.tool_runs]
