"""Stages, ARG/ENV scoping and expansion: turns parsed instructions into steps with expanded arguments.

BuildKit rules followed here: ARGs before the first FROM are global and visible only to FROM lines unless a stage
re-declares them (`ARG NAME`); `--build-arg` overrides defaults; ENV overrides an ARG of the same name; each ENV pair
sees the environment from before its instruction; a stage inherits the ENV of the stage it is built FROM, and on
BuildKit (Dockerfile frontend 1.10 and later) its ARGs too (buildah 1.28 and the classic builder do not: measured, see
docs/MEASUREMENTS.md); stage names are case-insensitive; a FROM naming a later stage (or itself) names an image.

The environment of an image venvlint has no complete profile for is open: a variable the Dockerfile does not set
may come from that image, so it expands to `expand.unknown_value(NAME)`, never to "".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from ..errors import InputError
from ..parse.model import Flag, Instruction, ParsedDockerfile, all_flags, last_flag
from .expand import expand, parse_key_values, unknown_value

# Instructions whose arguments the builder expands (BuildKit's "replaceEnvAllowed" list).
EXPANDED = {"ADD", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR", "ARG"}
EXPANDED_FLAGS = {"chown", "chmod", "from", "mount", "platform", "exclude", "network", "parents", "link"}

# BuildKit defines these automatically in the global scope (they still need `ARG X` inside a stage).
PLATFORM_ARGS = {
    "BUILDPLATFORM": "linux/amd64",
    "BUILDOS": "linux",
    "BUILDARCH": "amd64",
    "BUILDVARIANT": "",
    "TARGETPLATFORM": "linux/amd64",
    "TARGETOS": "linux",
    "TARGETARCH": "amd64",
    "TARGETVARIANT": "",
}


class Step(NamedTuple):
    """One instruction of a stage with its arguments expanded and the environment it sees."""

    instruction: Instruction
    args: tuple[str, ...]
    flags: tuple[Flag, ...]
    env: Mapping[str, str]  # ENV and ARG values visible to this instruction (what a RUN's shell sees)
    trigger_of: int | None = None  # for an ONBUILD trigger: the line of the FROM that fired it

    @property
    def cmd(self) -> str:
        return self.instruction.cmd

    @property
    def line(self) -> int:
        return self.instruction.line

    def flag(self, name: str) -> str | None:
        return last_flag(self.flags, name)

    def flag_all(self, name: str) -> list[str]:
        return all_flags(self.flags, name)


@dataclass
class Stage:
    index: int
    name: str | None  # the `AS` name, lower-case
    base: str  # the expanded FROM reference
    base_stage: int | None  # index of the earlier stage it is built on, if any
    from_instruction: Instruction
    steps: list[Step] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)  # ENV at the end of the stage (inherited by FROM <stage>)
    args: dict[str, str] = field(default_factory=dict)  # ARGs at the end of the stage (BuildKit: inherited too)
    env_open: bool = False  # the base image may define variables venvlint does not know
    onbuild: list[Instruction] = field(default_factory=list)  # triggers registered by this stage
    platform: str | None = None  # FROM --platform, expanded (`linux/arm64`); None: the build's default

    @property
    def label(self) -> str:
        return self.name or str(self.index)


@dataclass
class ResolvedBuild:
    path: str
    stages: list[Stage]
    target: int  # index of the stage the build produces
    needed: list[int]  # indices of the stages the target needs, in build order
    escape: str = "\\"
    parsed: ParsedDockerfile | None = None  # the source it came from (comments carry pragmas)

    def stage_by_ref(self, ref: str) -> Stage | None:
        """A stage named or numbered `ref` (for `COPY --from`); the first of that name."""
        if ref.isdigit():
            i = int(ref)
            return self.stages[i] if i < len(self.stages) else None
        by_name = self.__dict__.get("_by_name")
        if by_name is None:  # an index, so that a file of many stages is not searched once per reference
            by_name = {}
            for s in self.stages:
                if s.name is not None:
                    by_name.setdefault(s.name, s)
            self.__dict__["_by_name"] = by_name
        found: Stage | None = by_name.get(ref.lower())
        return found


MAX_VARIABLES = 1000  # per stage; real Dockerfiles have tens


class _Scope(Mapping[str, str]):
    """A stage's ARG and ENV values as its instructions see them (ENV over ARG), read live for expansion.

    Each Step keeps a version of it and gets the snapshot only when asked (a RUN's environment): copying the
    environment for every instruction made a stage of 20,000 ENV lines take 20 s and 5 GB.
    """

    def __init__(self, args: dict[str, str], envs: dict[str, str], open_env: bool = False) -> None:
        self.args, self.envs = args, envs
        self.open_env = open_env  # names not set here may come from the base image: their value is unknown
        self._base = (dict(args), dict(envs))
        self._log: list[tuple[bool, str, str]] = []  # (is ENV, key, value), in order
        self._at: tuple[int, dict[str, str], dict[str, str]] = (0, dict(args), dict(envs))
        self._last: tuple[int, dict[str, str]] = (-1, {})

    def __getitem__(self, key: str) -> str:
        if key in self.envs:
            return self.envs[key]
        if key in self.args or not self.open_env:
            return self.args[key]
        return unknown_value(key)

    def __contains__(self, key: object) -> bool:
        return key in self.envs or key in self.args or self.open_env

    def __iter__(self) -> Iterator[str]:
        yield from self.envs
        yield from (k for k in self.args if k not in self.envs)

    def __len__(self) -> int:
        return len(self.envs) + sum(1 for k in self.args if k not in self.envs)

    def set(self, key: str, value: str, env: bool) -> None:
        target = self.envs if env else self.args
        if key not in target and len(self.envs) + len(self.args) >= MAX_VARIABLES:
            raise InputError(
                f"more than {MAX_VARIABLES:,} ARG and ENV variables in one stage: venvlint stops here "
                "(every RUN would carry them all)"
            )
        target[key] = value
        self._log.append((env, key, value))

    def version(self) -> Mapping[str, str]:
        return _Snapshot(self, len(self._log))

    def snapshot(self, version: int) -> dict[str, str]:
        """The values as they were after `version` assignments (replayed forward from the last one asked for; the
        latest answer is kept, so the RUNs between two assignments share one dict). Treat it as read-only."""
        if self._last[0] == version:
            return self._last[1]
        at, args, envs = self._at
        if version < at:
            at, args, envs = 0, dict(self._base[0]), dict(self._base[1])
        for env, key, value in self._log[at:version]:
            (envs if env else args)[key] = value
        self._at = (version, args, envs)
        self._last = (version, {**args, **envs})
        return self._last[1]


class _Snapshot(Mapping[str, str]):
    """One version of a `_Scope`, materialised when read (and not kept: a RUN reads its environment once, and
    keeping every RUN's copy would make memory grow with RUNs times variables)."""

    __slots__ = ("_scope", "_version")

    def __init__(self, scope: _Scope, version: int) -> None:
        self._scope, self._version = scope, version

    def _get(self) -> dict[str, str]:
        return self._scope.snapshot(self._version)

    def __getitem__(self, key: str) -> str:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __eq__(self, other: object) -> bool:
        return self._get() == other if isinstance(other, Mapping) else NotImplemented

    def __repr__(self) -> str:
        return repr(self._get())


# An image reference → its ENV, and whether that is all of it (False: other variables may be set, unknown).
# (reference, platform) → the base image's ENV and whether that is all of it. The platform is the FROM's
# `--platform` (expanded), None for the build's default.
BaseEnv = Callable[[str, "str | None"], tuple[Mapping[str, str], bool]]


def _no_env(_ref: str, _platform: str | None) -> tuple[Mapping[str, str], bool]:
    return {}, True


def _expand_flags(flags: tuple[Flag, ...], env: Mapping[str, str], escape: str) -> tuple[Flag, ...]:
    return tuple(
        replace(f, value=expand(f.value, env, escape)) if f.value is not None and f.name in EXPANDED_FLAGS else f
        for f in flags
    )


def resolve(
    parsed: ParsedDockerfile,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
    base_env: BaseEnv = _no_env,
    builder: str = "buildkit",
) -> ResolvedBuild:
    """Split into stages and expand every expandable argument with the ARG/ENV values in scope."""
    build_args = dict(build_args or {})
    esc = parsed.escape
    path = parsed.path
    global_args: dict[str, str] = {k: build_args.get(k, v) for k, v in PLATFORM_ARGS.items()}
    stages: list[Stage] = []
    stage_names: dict[str, int] = {}
    cur: Stage | None = None
    scope = _Scope({}, {})

    for ins in parsed.instructions:
        try:
            if ins.cmd == "FROM":
                cur, args, envs = _start_stage(ins, stages, stage_names, global_args, base_env, esc, path, builder)
                scope = _Scope(args, envs, cur.env_open)
                cur.args = scope.args
                stages.append(cur)
                if cur.name is not None:
                    stage_names[cur.name] = cur.index
                for trig in _triggers(stages, cur):
                    _add_step(cur, trig, scope, build_args, global_args, esc, path, trigger_of=ins.line)
                continue
            if cur is None:
                if ins.cmd == "ARG":
                    for key, value in _arg_pairs(ins, global_args, esc):
                        if key in build_args:
                            global_args[key] = build_args[key]
                        elif value is not None:
                            global_args[key] = value
                    continue
                raise InputError(f"{ins.cmd} before the first FROM (only ARG may come first)", path, ins.line)
            _add_step(cur, ins, scope, build_args, global_args, esc, path)
        except InputError as exc:
            if exc.file is None:  # an expansion problem: point at the instruction
                raise InputError(exc.message, path, ins.line) from None
            raise

    if not stages:
        raise InputError("no FROM instruction: not a Dockerfile build", path)
    tgt = _target_index(stages, target, path)
    build = ResolvedBuild(path, stages, tgt, [], esc, parsed)
    build.needed = _needed(build, tgt, builder)
    return build


def _arg_pairs(ins: Instruction, env: Mapping[str, str], esc: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for w in ins.args:
        key, sep, value = w.partition("=")
        out.append((key, expand(value, env, esc) if sep else None))
    return out


def _start_stage(
    ins: Instruction,
    stages: list[Stage],
    names: Mapping[str, int],
    global_args: dict[str, str],
    base_env: BaseEnv,
    esc: str,
    path: str,
    builder: str,
) -> tuple[Stage, dict[str, str], dict[str, str]]:
    words = list(ins.args)
    if not words:
        raise InputError("FROM requires an image name", path, ins.line)
    ref = expand(words[0], global_args, esc)
    name: str | None = None
    if len(words) >= 3 and words[1].lower() == "as":
        name = expand(words[2], global_args, esc).lower()
    elif len(words) != 1:
        raise InputError(f"FROM: expected 'FROM image [AS name]', got {' '.join(words)!r}", path, ins.line)
    if not ref:
        # `ARG BASE` with no default: the build needs --build-arg BASE=...; lint with an unknown image.
        ref = words[0]
    base_stage = names.get(ref.lower())  # the latest stage of that name above this one
    platform = last_flag(_expand_flags(ins.flags, global_args, esc), "platform") or None
    args: dict[str, str] = {}
    if base_stage is not None:
        parent = stages[base_stage]
        envs: dict[str, str] = dict(parent.env)
        env_open = parent.env_open
        if builder == "buildkit":
            args = dict(parent.args)
    else:
        known, complete = base_env(ref, platform)
        envs = dict(known)
        env_open = not complete
    stage = Stage(len(stages), name, ref, base_stage, ins, env=envs, env_open=env_open, platform=platform)
    return stage, args, envs


def _triggers(stages: list[Stage], cur: Stage) -> list[Instruction]:
    """ONBUILD triggers fire when a stage is built FROM a stage that registered them (only one level deep)."""
    if cur.base_stage is None:
        return []
    return [t.onbuild for t in stages[cur.base_stage].onbuild if t.onbuild is not None]


def _add_step(
    stage: Stage,
    ins: Instruction,
    scope: _Scope,
    build_args: Mapping[str, str],
    global_args: Mapping[str, str],
    esc: str,
    path: str,
    trigger_of: int | None = None,
) -> None:
    cmd = ins.cmd
    seen = scope.version()  # what this instruction sees: the values before its own assignments
    if cmd == "ARG":
        for key, value in _arg_pairs(ins, scope, esc):
            if key in build_args:
                scope.set(key, build_args[key], env=False)
            elif value is not None:
                scope.set(key, value, env=False)
            elif key in global_args:
                scope.set(key, global_args[key], env=False)
        stage.steps.append(Step(ins, ins.args, ins.flags, seen, trigger_of))
        return
    if cmd == "ENV":
        pairs = parse_key_values(ins.args, ins.raw, scope, esc)
        for key, value in pairs:
            scope.set(key, value, env=True)
        stage.env = scope.envs  # the stage's ENV at its end (FROM <stage> inherits a copy)
        stage.steps.append(Step(ins, tuple(f"{k}={v}" for k, v in pairs), ins.flags, seen, trigger_of))
        return
    if cmd == "ONBUILD":
        stage.onbuild.append(ins)
    new_args = tuple(expand(a, scope, esc) for a in ins.args) if cmd in EXPANDED else ins.args
    flags = _expand_flags(ins.flags, scope, esc)
    stage.steps.append(Step(ins, new_args, flags, seen, trigger_of))


def _target_index(stages: list[Stage], target: str | None, path: str) -> int:
    if target is None:
        return len(stages) - 1
    low = target.lower()
    for s in stages:
        if s.name == low:
            return s.index
    names = ", ".join(s.name for s in stages if s.name) or "none"
    raise InputError(f"target stage {target!r} not found (stages: {names})", path)


def _needed(build: ResolvedBuild, target: int, builder: str) -> list[int]:
    """The target and every stage it depends on through FROM, COPY --from and RUN --mount from=, in file order.

    A stage can only use the stages above it. Naming the current or a later stage is an error for BuildKit
    ("cannot copy from stage ..., it needs to be defined before current stage ...", moby/buildkit#4568; the
    BuildKit of dockerd 20.10 said "circular dependency detected" or copied nothing) and, by index, for every
    builder; buildah and the classic builder take a later stage's *name* for an image reference
    (docs/MEASUREMENTS.md).
    """
    seen: set[int] = set()
    stack = [target]
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        stage = build.stages[i]
        if stage.base_stage is not None:
            stack.append(stage.base_stage)
        for step in stage.steps:
            for ref in _stage_refs(step):
                dep = build.stage_by_ref(ref)
                if dep is None:
                    continue
                if dep.index < i:
                    stack.append(dep.index)
                elif builder == "buildkit":
                    raise InputError(
                        f'cannot copy from stage "{dep.label}", it needs to be defined before current stage '
                        f'"{stage.label}" (BuildKit refuses the build)',
                        build.path,
                        step.line,
                    )
                elif ref.isdigit():
                    raise InputError(
                        f"--from={ref} refers to the current or a later stage: {builder} refuses the build",
                        build.path,
                        step.line,
                    )
    return sorted(seen)


def _stage_refs(step: Step) -> list[str]:
    refs: list[str] = []
    src = step.flag("from")
    if src:
        refs.append(src)
    for m in step.flag_all("mount"):
        for part in m.split(","):
            k, _, v = part.partition("=")
            if k.strip() == "from" and v:
                refs.append(v.strip())
    return refs
