"""The read-only query API rules are written against: one analysed build, asked questions.

A rule is `check(build: Build) -> Iterator[Problem]` and imports from this module, `venvlint.findings` and
`venvlint.edits` only. Everything a rule may ask is here:

- stages: `build.stages` (those the target needs, in build order), `build.final`, `build.stage(name)`,
  `build.lineage(stage)` (the stage and those it is built FROM), `build.env_open(stage)`,
  `build.stage_of_line(line)`, `stage.lines`, `build.instruction(line)`, `build.previous_instruction(stage, line)`,
  `build.instructions_of(stage)`;
- a path's state and history: `stage.fs.get(path)` gives a `Node` (owner, group, mode, kind) whose `history` is
  the `Change`s that made it, each with its `Cause` (line, instruction, stage); `build.directories(stage)`;
- the user, environment and working directory: `stage.identity`, `stage.env`, `stage.workdir` at the end of a
  stage, `build.user_at(stage, line)` (the USER in force at a line, as written) and `build.user_line_at(stage,
  line)` (the line of that USER), `build.env_line(variable)`, `build.runtime_env()`,
  `build.home(who)` (HOME with where it comes from and its premises), `build.writable(path, who)`;
- `build.resolve(command, stage=..., env=..., fs=...)`: the one three-valued PATH lookup (`Lookup`: YES with the
  path, NO, or UNKNOWN with the candidates), and `build.can_run(stage, instructions)`;
- Python environments: `build.environments()` (every `pyvenv.cfg` of the final image: root, owner, the line that
  made it), `build.site_packages(root)`, `build.python_environment()` (the environment the container's `python`
  runs in);
- packages: `build.installed` (what each install of the build put into which environment, `Installed`),
  `build.in_image(installed)`, and `LIBRARY_WRITES` (what installed libraries write when the container runs);
- the container: `build.runtime_identities` (who it runs as, and why venvlint believes so), `build.commands`
  (ENTRYPOINT + CMD, `sh -c` opened up), `build.commands_from(directory)`;
- write needs: `build.build_intents` (each tool run at build time with what it must write), `build.runtime_intents`
  (the container's tool runs, with the identity each runs as), `build.check(need, who, fs)` (the one access check);
- what the replay found: `build.failures` (where the build stops), `stage.denied` (writes the replay refused),
  `stage.ignored_chowns`, `stage.tool_runs`, `stage.volume_lines`, `stage.discarded` (what a legacy builder
  threw away under a VOLUME).

The types a rule reasons with (nodes, changes, premises, identities, needs, tool runs) and `shorten` (how a
command is quoted in a message) are re-exported here, so that a rule names one module. Nothing here changes the analysis; lookup tables live in the `Build` object, built
once per analysis on first use. `Build` never raises for what a Dockerfile contains: what cannot be known is
unknown in the facts it returns.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

from .analysis import Analysis, RuntimeCommand, RuntimeIdentity
from .intents import Intent, Need, Remedy, WriteNeed, uv_pin
from .libraries import LIBRARY_WRITES, LibraryWrite, OnFailure, Place, When, nltk_search_path, place, variables
from .model.access import (
    ARBITRARY,
    Identity,
    Premise,
    PremiseKind,
    Tri,
    Verdict,
    absent_premise,
    can_create,
    can_traverse,
    can_write_dir,
    created_dir,
    opaque_assumption,
    path_premise,
    permits,
    who_premise,
)
from .model.fs import Action, Cause, Change, FileSystem, Kind, Knowledge, Node, below, format_mode, normpath
from .model.mount import RunMount
from .model.users import UserDB
from .packages import Installed
from .parse.model import Instruction
from .shown import shorten
from .simulate.engine import Failure, runtime_env
from .simulate.identity import Home, HomeSource, home_fact, home_of
from .simulate.state import Denied, FailureKind, IgnoredChown, StageState, ToolRun
from .tools.context import system_site_packages
from .tools.model import CACHE_ROLES, Act, Role, Scheme, Tool
from .tools.programs import Found, Lookup, which
from .tools.read import PYTHON

__all__ = [
    "ARBITRARY",
    "CACHE_ROLES",
    "LIBRARY_WRITES",
    "PYTHON",
    "Act",
    "Action",
    "Build",
    "Cause",
    "Change",
    "Denied",
    "Environment",
    "Failure",
    "FailureKind",
    "FileSystem",
    "Found",
    "Home",
    "HomeSource",
    "Identity",
    "IgnoredChown",
    "Installed",
    "Instruction",
    "Intent",
    "Kind",
    "Knowledge",
    "LibraryWrite",
    "Lookup",
    "Need",
    "Node",
    "OnFailure",
    "Place",
    "Premise",
    "PremiseKind",
    "Remedy",
    "Role",
    "RunMount",
    "RuntimeCommand",
    "RuntimeIdentity",
    "Scheme",
    "Stage",
    "Tool",
    "ToolRun",
    "Tri",
    "UserDB",
    "Verdict",
    "When",
    "WriteNeed",
    "absent_premise",
    "below",
    "can_traverse",
    "created_dir",
    "format_mode",
    "nltk_search_path",
    "normpath",
    "opaque_assumption",
    "path_premise",
    "permits",
    "place",
    "shorten",
    "uv_pin",
    "variables",
    "who_premise",
]


class Stage:
    """One replayed stage as rules see it, read-only: its state at the end of the stage and what the replay
    recorded in it. `fs` is the model filesystem (path → `Node`, each with its history); its methods that change
    it belong to the simulator, and no rule calls them."""

    def __init__(self, state: StageState) -> None:
        self._st = state

    @property
    def name(self) -> str:
        """The `AS` name, else the stage's index as a string."""
        return self._st.name

    @property
    def index(self) -> int:
        return self._st.index

    @property
    def fs(self) -> FileSystem:
        return self._st.fs

    @property
    def users(self) -> UserDB:
        return self._st.users

    @property
    def env(self) -> Mapping[str, str]:
        """The ENV at the end of the stage (what `ENV`/`ARG` set; not the default PATH or HOME)."""
        return self._st.env

    @property
    def identity(self) -> Identity:
        """Who the stage's last USER is."""
        return self._st.identity

    @property
    def user_spec(self) -> str:
        """The USER in force at the end, as written after expansion ("" = the base image's)."""
        return self._st.user_spec

    @property
    def user_line(self) -> int:
        """The line of the USER in force at the end (0 = inherited from the base image)."""
        return self._st.user_line

    @property
    def workdir(self) -> str:
        return self._st.workdir

    @property
    def profile(self) -> str | None:
        """The base-image profile the stage started from, if any."""
        return self._st.profile

    @property
    def base_known(self) -> bool:
        return self._st.base_known

    @property
    def venvs(self) -> Mapping[str, int]:
        """Environment root → the line that created it (0 = the base image)."""
        return self._st.record.venvs

    @property
    def volume_lines(self) -> Mapping[str, int]:
        """VOLUME path → the line that declared it."""
        return self._st.record.volume_lines

    @property
    def discarded(self) -> Mapping[tuple[int, str], Sequence[tuple[str, Node]]]:
        """What the builder threw away under a VOLUME (classic, buildah 1.28): (RUN line, volume) → each path whose
        change that RUN made was reverted or whose creation was undone, with its node as the RUN left it."""
        return self._st.record.discarded

    @property
    def tool_runs(self) -> Sequence[ToolRun]:
        return self._st.record.tool_runs

    @property
    def denied(self) -> Sequence[Denied]:
        """The writes the replay found denied, where the build stops."""
        return self._st.record.denied

    @property
    def ignored_chowns(self) -> Sequence[IgnoredChown]:
        return self._st.record.ignored_chowns

    @property
    def lines(self) -> tuple[int, ...]:
        """The lines of the stage's instructions, in order (`Build.instruction(line)` gives each)."""
        return tuple(sorted(self._st.record.user_at))

    def user_at(self, line: int) -> str:
        """The USER in force at `line` of this stage, as written ("" = the base image's)."""
        return self._st.record.user_at.get(line, self._st.user_spec)


@dataclass(frozen=True)
class Environment:
    """A Python environment of the final image: its root (the directory holding `pyvenv.cfg`), the `pyvenv.cfg`
    node, and the line that created it (0 = the base image; None when the build does not say)."""

    root: str
    config: Node
    made_at: int | None

    @property
    def owner(self) -> tuple[int | None, int | None]:
        """(uid, gid) of the `pyvenv.cfg`, as the tool that made the environment left it."""
        return self.config.uid, self.config.gid


class Build:
    """What rules ask of one analysed build. See the module docstring for the questions."""

    def __init__(self, analysis: Analysis) -> None:
        self._a = analysis
        self._stages = {i: Stage(st) for i, st in analysis.sim.states.items()}
        self._directories: dict[int, list[tuple[str, Node]]] = {}

    # the build and its stages

    @property
    def file(self) -> str:
        """The Dockerfile's name, for messages."""
        return self._a.file

    @property
    def builder(self) -> str:
        """The builder venvlint replays ("buildkit", "buildah", "classic")."""
        return self._a.sim.builder

    @property
    def stages(self) -> tuple[Stage, ...]:
        """The stages the target needs, in build order."""
        return tuple(self._stages[i] for i in self._a.sim.build.needed)

    @property
    def final(self) -> Stage:
        """The target stage: the image."""
        return self._stages[self._a.sim.build.target]

    @property
    def fs(self) -> FileSystem:
        """The final image's filesystem."""
        return self._a.fs

    def stage(self, name: str) -> Stage | None:
        """The replayed stage called `name` (its AS name, else its index), None for an image name."""
        st = self._a.sim.stage_named(name)
        return None if st is None else self._stages[st.index]

    def stage_or_final(self, name: str) -> Stage:
        return self.stage(name) or self.final

    @cached_property
    def _stage_by_line(self) -> dict[int, str]:
        lines: dict[int, str] = {}
        for st in self._a.sim.states.values():
            lines.update(dict.fromkeys(st.record.user_at, st.name))
        return lines

    def stage_of_line(self, line: int) -> str | None:
        """The name of the stage whose instructions include `line`."""
        return self._stage_by_line.get(line)

    @cached_property
    def _instructions(self) -> dict[int, Instruction]:
        index: dict[int, Instruction] = {}
        for stage in self._a.sim.build.stages:
            index[stage.from_instruction.line] = stage.from_instruction
            index.update((step.line, step.instruction) for step in stage.steps)
        return index

    def instruction(self, line: int) -> Instruction | None:
        """The instruction of the build that starts at `line` (parsed: command, flags, arguments, original text)."""
        return self._instructions.get(line)

    def instructions_of(self, stage: Stage | None = None) -> tuple[Instruction, ...]:
        """The instructions of `stage` (the target by default) after its FROM, in order (ONBUILD triggers too)."""
        return tuple(step.instruction for step in self._a.sim.build.stages[(stage or self.final).index].steps)

    def previous_instruction(self, stage: str, line: int) -> Instruction | None:
        """The instruction of `stage` right before the one at `line` (None at the stage's first, or for a line an
        ONBUILD trigger replays)."""
        st = self._a.sim.stage_named(stage)
        if st is None:
            return None
        for prev, step in pairwise(self._a.sim.build.stages[st.index].steps):
            if step.line == line and prev.trigger_of is None and step.trigger_of is None:
                return prev.instruction
        return None

    def lineage(self, stage: Stage | None = None) -> tuple[str, ...]:
        """The names of `stage` (the target by default) and of the stages it is built FROM, nearest first: what
        they made is in its filesystem."""
        stages = self._a.sim.build.stages
        index: int | None = (stage or self.final).index
        names: list[str] = []
        while index is not None and index < len(stages):
            names.append(self._stages[index].name if index in self._stages else stages[index].name or str(index))
            index = stages[index].base_stage
        return tuple(names)

    def env_open(self, stage: Stage | None = None) -> bool:
        """Whether the environment of `stage` (the target by default) may hold variables venvlint does not know
        (its base image's are not all known): a variable not in `stage.env` may be set there."""
        return self._a.sim.build.stages[(stage or self.final).index].env_open

    def from_line(self, stage: str | None = None) -> int:
        """The FROM line of `stage` (the target's when None or unknown)."""
        st = self._a.sim.stage_named(stage) if stage else None
        index = st.index if st is not None else self._a.sim.build.target
        return self._a.sim.build.stages[index].from_instruction.line

    # users and environment at a point

    def user_at(self, stage: str, line: int) -> str | None:
        """The USER in force at `line` of `stage`, as written ("" = the base image's, known to be root); None when
        it is an unknown base image's own, which an edit could not restore after running something as root."""
        st = self.stage(stage)
        if st is None:
            return None
        spec = st.user_at(line)
        return None if not spec and not st.base_known else spec

    def user_line_at(self, stage: str, line: int) -> int:
        """The line of the `USER` of `stage` in force at `line` (0: none of the stage's own: its base's USER)."""
        st = self._a.sim.stage_named(stage)
        found = 0
        if st is not None:
            for step in self._a.sim.build.stages[st.index].steps:
                if step.line >= line:
                    break
                if step.cmd == "USER":
                    found = step.line
        return found

    def env_line(self, variable: str, stage: Stage | None = None) -> int:
        """The line of the last `ENV` of `stage` (the target by default) that sets `variable`; 0 when none does."""
        line = 0
        for step in self._a.sim.build.stages[(stage or self.final).index].steps:
            if step.cmd == "ENV" and any(arg.startswith(f"{variable}=") for arg in step.args):
                line = step.line
        return line

    def runtime_env(self, stage: Stage | None = None) -> Mapping[str, str]:
        """The environment a container of `stage` (the image by default) starts with when it runs as the stage's
        USER: its ENV, the default PATH under it, HOME of that USER when known. For another identity (a
        `--runtime-user`, a profile's intended user), start from `stage.env` and ask `home_of`."""
        return runtime_env((stage or self.final)._st)

    def home(self, who: Identity, env: Mapping[str, str] | None = None) -> Home | None:
        """HOME of `who` in a container of the image (`env`: the environment it starts with, the image's ENV by
        default), with where it comes from (ENV HOME, the passwd entry, the `/` fallback of a uid without one), the
        line that made the account and the facts it rests on; None when it cannot be told."""
        return home_fact(who, self.final.users, dict(env if env is not None else self.final.env))

    def home_of(self, who: Identity, env: Mapping[str, str] | None = None) -> str | None:
        """HOME of `who` in the final image: `env`'s HOME if set, else its passwd home, else `/`; None if unknown."""
        return home_of(who, self.final.users, dict(env) if env is not None else None)

    # which program a command names

    def resolve(
        self,
        command: str,
        *,
        stage: Stage | None = None,
        env: Mapping[str, str] | None = None,
        fs: FileSystem | None = None,
    ) -> Lookup:
        """Which program `command` runs in `stage` (the image by default), three-valued: a path is taken as it is,
        a name is looked up along PATH (`env`'s, else the stage's environment) on `fs` (else the stage's). This is
        the one PATH lookup: every rule asks it."""
        st = stage or self.final
        path = (env if env is not None else self.runtime_env(st)).get("PATH")
        return which(command, path, fs if fs is not None else st.fs, st.workdir)

    def can_run(self, stage: str, instructions: Sequence[str]) -> bool:
        """Whether shell-form RUN `instructions` can start in `stage`: False when the model knows its shell is not
        there (a distroless stage), so that no fix adds a RUN that cannot run."""
        if not any(i.startswith("RUN ") and not i.startswith("RUN [") for i in instructions):
            return True
        st = self.stage(stage)
        if st is None:
            return True
        shell = st._st.shell[0] if st._st.shell else "/bin/sh"
        return self.resolve(shell, stage=st).found is not Found.NO

    # paths

    def directories(self, stage: Stage | None = None) -> list[tuple[str, Node]]:
        """The directory nodes of a stage's filesystem (the image's by default), found once: most rules look only
        at directories, and a large COPY adds hundreds of thousands of files."""
        fs = (stage or self.final).fs
        found = self._directories.get(id(fs))
        if found is None:
            found = [(p, n) for p, n in fs.nodes.items() if n.kind is Kind.DIR]
            self._directories[id(fs)] = found
        return found

    def environments(self) -> tuple[Environment, ...]:
        """The Python environments of the final image (every directory holding a `pyvenv.cfg`), each with the line
        that created it when the build says; found once per analysis."""
        return self._environments

    @cached_property
    def _environments(self) -> tuple[Environment, ...]:
        made = self.final.venvs
        roots = [(posixpath.dirname(p), node) for p, node in self._a.venv_configs]
        return tuple(Environment(root, node, made.get(root)) for root, node in roots)

    def site_packages(self, root: str | None) -> str | None:
        """The site-packages of the environment at `root` in the final image (None: the interpreter's own), when
        the model holds exactly one."""
        fs = self.final.fs
        if root is None:
            found = system_site_packages(fs, None)
        else:
            lib = posixpath.join(root, "lib")
            found = [p for c in fs.children(lib) if (p := posixpath.join(c, "site-packages")) in fs.nodes]
        return found[0] if len(found) == 1 else None

    def python_environment(self) -> tuple[Lookup, str | None]:
        """Which `python` the container runs with the image's PATH (the lookup), and the root of the environment it
        belongs to (None: not an environment's, or not known)."""
        found = self.resolve("python", env=self.final.env)
        if found.found is not Found.YES or found.path is None:
            return found, None
        root = posixpath.dirname(posixpath.dirname(found.path))
        nodes = self.final.fs.nodes
        is_env = posixpath.join(root, "pyvenv.cfg") in nodes or posixpath.join(root, "conda-meta") in nodes
        return found, root if is_env else None

    @property
    def installed(self) -> tuple[Installed, ...]:
        """What each install of the stages the target needs put into which environment, in build order (read once,
        `venvlint.packages`)."""
        return self._a.installed

    def in_image(self, installed: Installed) -> bool:
        """Whether what `installed` installed is in the final image: an environment whose `pyvenv.cfg` (or
        `conda-meta`) is there, or the interpreter's own site-packages of a stage the image is built FROM."""
        path = installed.env_path
        if path is not None:
            nodes = self.final.fs.nodes
            return posixpath.join(path, "pyvenv.cfg") in nodes or posixpath.join(path, "conda-meta") in nodes
        env = installed.env
        return env is not None and env.scheme is Scheme.SYSTEM and installed.stage in self.lineage()

    # the container

    @property
    def runtime_identities(self) -> Sequence[RuntimeIdentity]:
        """Who the image runs as: the final USER, the base profile's intended users, the `--runtime-user`s."""
        return self._a.runtime_identities

    @property
    def commands(self) -> Sequence[RuntimeCommand]:
        """The commands the container runs (ENTRYPOINT + CMD, `sh -c` scripts opened up), in order."""
        return self._a.commands

    def commands_from(self, directory: str, *, scripts_only: bool = False) -> tuple[int, ...]:
        """The lines of the container's commands whose program lies in `directory` (named by path, or found there
        by the PATH lookup): the commands a broken environment makes fail. `scripts_only`: not its Python
        interpreter (`python -m tool` still runs where the console scripts' shebangs are broken)."""
        final = self.final
        lines = []
        for argv, line in self.commands:
            if not argv or (scripts_only and PYTHON.fullmatch(posixpath.basename(argv[0]))):
                continue
            if "/" in argv[0]:  # named by path: that program, whether or not it can start
                if posixpath.dirname(normpath(argv[0], final.workdir)) == directory:
                    lines.append(line)
                continue
            found = self.resolve(argv[0], env=final.env)
            if found.found is Found.YES and found.directory == directory:
                lines.append(line)
        return tuple(dict.fromkeys(lines))

    # write needs

    @property
    def build_intents(self) -> Sequence[Intent]:
        """Every tool run at build time (RUN lines of the stages the target needs), with what it must write."""
        return self._a.build_intents

    @property
    def runtime_intents(self) -> Sequence[tuple[Intent, RuntimeIdentity]]:
        """The container's tool runs, each with what it must write and the identity it runs as."""
        return self._a.runtime_intents

    def fs_of(self, run: ToolRun) -> FileSystem:
        """The model as `run` found it (a snapshot taken mid-RUN), else its stage's filesystem."""
        return run.fs or self.stage_or_final(run.stage).fs

    def check(self, need: WriteNeed, who: Identity, fs: FileSystem | None = None) -> Verdict:
        """Whether `who` can write what `need` names on `fs` (the image's by default): the one access check."""
        return self._a.check(need, who, fs)

    def writable(self, path: str, who: Identity, *, create: bool = True, stage: Stage | None = None) -> Verdict:
        """Whether `who` can write the directory `path` (with `create`: or make it, where it is missing) on the
        filesystem of `stage` (the image's by default), without a tool's need around it; the verdict carries the
        facts it rests on (`Verdict.premises`: the paths' owners and modes, that a path is absent, who `who` is)."""
        fs = (stage or self.final).fs
        return can_create(fs, who, path) if create else can_write_dir(fs, who, path)

    @property
    def uv_version(self) -> str | None:
        """The uv version the image pins, when it can be told ("0.6.6")."""
        return self._a.uv_version

    # what the replay found

    @property
    def failures(self) -> Sequence[Failure]:
        """Where the build stops on the selected builder."""
        return self._a.sim.failures
