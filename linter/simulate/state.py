"""The state of one build stage while it is replayed (`StageState`), and what the replay records for the rules
(`StageRecord`, its `record`): the replay works on the first and only appends to the second."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

from ..model.access import ROOT, Identity, Premise
from ..model.fs import FileSystem, Node
from ..model.mount import RunMount
from ..model.users import UserDB
from ..tools.model import Invocation, Scheme, Tool


class FailureKind(str, Enum):
    """What makes the build stop, for the fix a rule offers."""

    UNKNOWN_USER = "unknown-user"  # a USER or --chown names an account the image does not have
    UNKNOWN_GROUP = "unknown-group"
    BUILDER_FLAG = "builder-flag"  # a flag the selected builder rejects (--chmod on the classic builder)
    COPY_ONTO_SYMLINK = "copy-onto-symlink"  # a COPY places a directory where the image has a symlink
    SOURCE_MISSING = "source-missing"  # a COPY source is not in the build context or the stage it copies from
    NO_PROGRAM = "no-program"  # a RUN's program (the stage's shell, or an exec form's argv[0]) is not in the image
    OTHER = "other"


class Assumption(NamedTuple):
    """Something the replay could not know and did not guess: said to the user next to any finding."""

    line: int
    message: str
    stage: str = ""


class IgnoredChown(NamedTuple):
    """`COPY/ADD --chown=NAME` with a name the image does not have: BuildKit silently leaves the files 0:0."""

    line: int
    spec: str
    reason: str
    stage: str = ""


@dataclass(frozen=True)
class ToolRun:
    """A Python tool run at build time by a RUN, or at runtime by CMD/ENTRYPOINT: the invocation as `tools.read`
    read it once, who ran it where, and the model as the tool found it. `argv` (after variable expansion) is kept
    for messages only; nothing is read from it again."""

    line: int
    invocation: Invocation
    argv: tuple[str, ...]
    identity: Identity
    env: tuple[tuple[str, str], ...]
    cwd: str
    stage: str
    mounts: tuple[RunMount, ...] = ()  # the RUN's --mount flags
    umask: int = 0o022  # the umask in force when the tool ran (a RUN may say `umask 002` first)
    tentative: bool = False  # the command may not have run (a shell condition venvlint could not decide)
    env_open: bool = False  # the environment may hold variables venvlint does not know (an unknown base image)
    # The model as the tool found it (a snapshot taken when the tool ran, mid-RUN), so that build-time needs are
    # checked against the state at that moment rather than the end of the stage.
    fs: FileSystem | None = field(default=None, compare=False, repr=False)

    @property
    def tool(self) -> Tool:
        return self.invocation.tool

    @property
    def venv(self) -> str | None:
        """The environment the run writes packages into, when it is one and its path is known."""
        env = self.invocation.env
        return env.path if env is not None and env.scheme is Scheme.ENV else None

    def getenv(self, name: str) -> str | None:
        for k, v in self.env:
            if k == name:
                return v
        return None


@dataclass(frozen=True)
class Denied:
    """A build-time write the model says fails (the build would stop there)."""

    line: int
    path: str
    identity: Identity
    reason: str
    command: str
    stage: str = ""
    premises: tuple[Premise, ...] = ()
    count: int = 1  # entries denied by this command below `path` (a recursive chown/chmod is one denial)


@dataclass
class StageRecord:
    """What the replay of one stage recorded for the rules, appended to as it goes and only read afterwards: the
    tool runs, the assumptions, the writes found denied, the ignored `--chown`s, the environments made (root → the
    line, 0 = the base image), the USER in force at each instruction line (as written), the VOLUME lines."""

    stage: str
    tool_runs: list[ToolRun] = field(default_factory=list)
    assumptions: list[Assumption] = field(default_factory=list)
    denied: list[Denied] = field(default_factory=list)
    ignored_chowns: list[IgnoredChown] = field(default_factory=list)
    venvs: dict[str, int] = field(default_factory=dict)
    user_at: dict[int, str] = field(default_factory=dict)
    volume_lines: dict[str, int] = field(default_factory=dict)
    # What a legacy builder threw away under a VOLUME: (RUN line, volume) → the paths whose change it reverted or
    # whose creation it undid, each with the node as that RUN left it (docs/BUILDERS.md rule 10).
    discarded: dict[tuple[int, str], list[tuple[str, Node]]] = field(default_factory=dict)

    def assume(self, line: int, message: str) -> None:
        """Say what the replay could not know at `line` (once)."""
        a = Assumption(line, message, self.stage)
        if a not in self.assumptions:
            self.assumptions.append(a)

    def inherit(self, parent: StageRecord) -> None:
        """Start from what a stage built FROM `parent` carries: its environments, volumes and assumptions."""
        self.venvs.update(parent.venvs)
        self.volume_lines.update(parent.volume_lines)
        self.assumptions.extend(parent.assumptions)


@dataclass
class StageState:
    """What the replay of one stage works on (the filesystem, accounts, ENV, USER, WORKDIR, SHELL, CMD...), and
    its `record`."""

    name: str  # the `AS` name, else the index as a string
    index: int
    base: str  # what FROM named (after expansion)
    fs: FileSystem
    users: UserDB
    env: dict[str, str] = field(default_factory=dict)
    user_spec: str = ""  # the USER in force as written (after expansion); "" = the base image's default
    identity: Identity = ROOT
    workdir: str = "/"
    shell: list[str] = field(default_factory=lambda: ["/bin/sh", "-c"])
    volumes: list[str] = field(default_factory=list)
    profile: str | None = None  # the base-image profile used, if any
    base_known: bool = True  # False for an image we have no profile for
    runtime_users: list[str] = field(default_factory=list)  # identities the image is meant for, e.g. "arbitrary"
    cmd: tuple[str, ...] | None = None
    cmd_line: int = 0
    cmd_json: bool = True
    entrypoint: tuple[str, ...] | None = None
    entrypoint_line: int = 0
    entrypoint_json: bool = True
    user_line: int = 0  # the line of the USER in force (0 = inherited)
    umask: int = 0o022

    record: StageRecord = field(init=False)

    def __post_init__(self) -> None:
        self.record = StageRecord(self.name)

    def assume(self, line: int, message: str) -> None:
        self.record.assume(line, message)
