"""Replay a resolved build, stage by stage, on the model filesystem."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from ..buildcontext import BuildContext, MissingSource
from ..errors import InputError
from ..model.access import Premise, PremiseKind, absent_premise
from ..model.fs import Action, Cause, FileSystem, Kind, Knowledge, Node, ancestors, normpath
from ..model.mount import RunMount, as_built, parse_mounts
from ..model.users import UserDB
from ..parse.model import Instruction
from ..profiles.catalog import Profile, ProfileSet
from ..resolve.expand import OpenVars, shown, unknown_names
from ..resolve.stages import ResolvedBuild, Stage, Step
from ..tools.programs import Found, path_entries, which
from . import copy as copyops
from .commands.base import is_unknown
from .identity import BUILDERS, chown_owner, home_of, run_identity, with_source, workdir_owner
from .script import run_argv, run_script
from .state import FailureKind, IgnoredChown, StageState

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class Failure(NamedTuple):
    """Where the build stops on the selected builder, and the facts that say so. `kind` and `subject` say what
    fails, for the fix (an account `subject` that does not exist, to be created before line `at`; a flag `subject`
    the builder rejects)."""

    line: int
    message: str
    stage: str
    premises: tuple[Premise, ...] = ()
    kind: FailureKind = FailureKind.OTHER
    subject: str = ""
    at: int = 0
    value: str = ""  # for BUILDER_FLAG: the flag's value as written (`0644` of `--chmod=0644`)


@dataclass
class SimulatedBuild:
    build: ResolvedBuild
    builder: str
    states: dict[int, StageState] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    # The cache mounts made so far, by name (`RunMount.cache_key`): on buildah the first mount of a cache decides
    # its owner and mode for the whole build (docs/BUILDERS.md rule 14).
    caches: dict[str, RunMount] = field(default_factory=dict, repr=False, compare=False)
    _by_name: dict[str, StageState] = field(default_factory=dict, repr=False, compare=False)

    @property
    def final(self) -> StageState:
        return self.states[self.build.target]

    def stage_named(self, name: str) -> StageState | None:
        """The replayed stage called `name` (its AS name, else its index), None for any other name (an image). The
        index is built once: a build may have thousands of stages, and rules ask per finding."""
        if len(self._by_name) != len(self.states):
            self._by_name = {st.name: st for st in self.states.values()}
        return self._by_name.get(name)

    def states_by_name(self, name: str) -> StageState:
        return self.stage_named(name) or self.final

    @property
    def failure(self) -> Failure | None:
        return self.failures[0] if self.failures else None


def simulate(
    build: ResolvedBuild,
    *,
    context: BuildContext | None,
    profiles: ProfileSet,
    builder: str = "buildkit",
    strict_context: bool = False,
) -> SimulatedBuild:
    """Replay every stage the target needs. `context` None: no build context (what COPY copies from it is unknown,
    said once per instruction); `strict_context`: a COPY source missing from the context fails the build (else it
    is an assumption: CI often generates such files before the build). `profiles` supplies each FROM image's
    filesystem, accounts and environment (an image without a profile is unknown, said as an assumption).

    Returns the state after each needed stage (`SimulatedBuild.states`, by stage index; `final` is the target's).
    Raises InputError for an unknown `builder`; a build that fails on the chosen builder is not an exception but a
    Failure in `SimulatedBuild.failures` (rule VL011 reports it)."""
    if builder not in BUILDERS:
        raise InputError(f"unknown builder {builder!r} (choose from {', '.join(BUILDERS)})")
    result = SimulatedBuild(build, builder)
    for index in build.needed:
        stage = build.stages[index]
        state = _from(stage, result, profiles, builder)
        result.states[index] = state
        _Replayer(state, stage, result, context, profiles, builder, strict_context).run()
    return result


def _from(stage: Stage, result: SimulatedBuild, profiles: ProfileSet, builder: str) -> StageState:
    ins = stage.from_instruction
    label = stage.label
    cause = Cause(ins.line, ins.summary, label, keyword="FROM")
    if stage.base_stage is not None:
        parent = result.states[stage.base_stage]
        state = StageState(
            label,
            stage.index,
            stage.base,
            parent.fs.copy(),
            parent.users.copy(),
            env=dict(parent.env),
            user_spec=parent.user_spec,
            identity=parent.identity,
            workdir=parent.workdir,
            shell=list(parent.shell),
            volumes=list(parent.volumes),
            profile=parent.profile,
            base_known=parent.base_known,
            runtime_users=list(parent.runtime_users),
            cmd=parent.cmd,
            cmd_line=parent.cmd_line,
            cmd_json=parent.cmd_json,
            entrypoint=parent.entrypoint,
            entrypoint_line=parent.entrypoint_line,
            entrypoint_json=parent.entrypoint_json,
            user_line=parent.user_line,
        )
        state.record.inherit(parent.record)
        root = state.fs.get("/")
        if builder == "buildah" and root is not None and (root.uid, root.gid, root.mode) != (0, 0, 0o755):
            # buildah starts every stage's `/` as 0:0 0755 again, whatever the parent stage did (oracle case 84).
            state.fs.put("/", root._replace(uid=0, gid=0, mode=0o755), cause, Action.BUILDER_RESET, "buildah resets /")
        return state
    if stage.base.lower() == "scratch":
        return StageState(label, stage.index, "scratch", FileSystem.scratch(), UserDB(passwd_exists=False))
    profile = profiles.find(stage.base, stage.platform)
    if profile is not None:
        why = profiles.unknown_reason(stage.base, stage.platform)
        state = _from_profile(stage, profile, cause, why)
        if profile.digest and profile.origin.startswith("registry"):
            state.assume(
                ins.line,
                f"base image {stage.base} is described by the image itself: {profile.platform} manifest "
                f"{profile.digest} ({profile.origin})",
            )
        return state
    users = UserDB(complete=False, groups_complete=False)
    state = StageState(label, stage.index, stage.base, FileSystem.unknown(cause), users, base_known=False)
    if "$" in stage.base:
        state.assume(
            ins.line,
            f"the base image {stage.base} has no value without a build argument (pass `--build-arg`): its users, "
            "environment and directories are unknown",
        )
    else:
        why = profiles.unknown_reason(stage.base, stage.platform)
        state.assume(
            ins.line,
            f"base image {stage.base} is not known to venvlint: its users, environment and directory owners are "
            + (f"unknown ({why})" if why else "unknown (describe it in a profile file and pass `--profiles FILE`)"),
        )
    return state


def _from_profile(stage: Stage, profile: Profile, cause: Cause, why: str | None = None) -> StageState:
    """The stage's state from its base's profile; `why`: why the image itself could not be read (said on the
    assumption line of a distribution family's profile)."""
    users = profile.userdb()
    # The profile's state is what this FROM line brings in: attribute it to the line, so `explain` starts there.
    fs = profile.filesystem(Cause(cause.line, cause.instruction, cause.stage, profile.name, "FROM"))
    state = StageState(
        stage.label,
        stage.index,
        stage.base,
        fs,
        users,
        env=dict(profile.env),
        user_spec=profile.user,
        workdir=profile.workdir or "/",
        profile=profile.name,
        runtime_users=list(profile.runtime_users),
    )
    state.record.venvs.update(dict.fromkeys(profile.venvs, 0))
    state.identity = with_source(run_identity(profile.user, users).identity, f"the USER of {profile.label}")
    if profile.knowledge is Knowledge.DISTRIBUTION:
        state.assume(
            cause.line,
            f"base image {stage.base} has no profile: venvlint uses only {profile.label} (the root directories and "
            "the base accounts); its other users, environment and directories are unknown"
            + (f" ({why})" if why else ""),
        )
    return state


class _Replayer:
    def __init__(
        self,
        state: StageState,
        stage: Stage,
        result: SimulatedBuild,
        context: BuildContext | None,
        profiles: ProfileSet,
        builder: str,
        strict_context: bool = False,
    ) -> None:
        self.state = state
        self.stage = stage
        self.result = result
        self.context = context
        self.profiles = profiles
        self.builder = builder
        self.strict_context = strict_context
        # (USER line, why, what kind of account is missing, its name)
        self.user_error: tuple[int, str, FailureKind, str] | None = None
        self.missing_programs: set[str] = set()  # RUN programs found missing (each said once)

    def fail(
        self, line: int, message: str, premises: tuple[Premise, ...] = (), kind: FailureKind = FailureKind.OTHER,
        subject: str = "", at: int = 0, value: str = "",
    ) -> None:  # fmt: skip
        self.result.failures.append(Failure(line, message, self.state.name, premises, kind, subject, at or line, value))

    def accounts_premise(self, name: str) -> Premise:
        """That the image has no account `name`: as good as what says its account list is complete."""
        users = self.state.users
        return Premise(
            PremiseKind.ABSENT,
            name,
            users.knowledge,
            assumption="" if users.knowledge.known else f"that the image has no account {name!r}",
        )

    def handlers(self) -> dict[str, Callable[[Step], None]]:
        """The instructions that change the model, by keyword; the others (LABEL, EXPOSE, ARG, ...) change nothing
        venvlint models (ARG was expanded by resolve)."""
        return {"ENV": self.do_env, "USER": self.do_user, "SHELL": self.do_shell, "CMD": self.do_cmd,
                "ENTRYPOINT": self.do_entrypoint, "VOLUME": self.do_volume, "WORKDIR": self.do_workdir,
                "COPY": self.do_copy, "ADD": self.do_add, "RUN": self.do_run}  # fmt: skip

    def run(self) -> None:
        handlers = self.handlers()
        for step in self.stage.steps:
            self.state.record.user_at[step.line] = self.state.user_spec
            handler = handlers.get(step.cmd.upper())
            if handler is None:
                continue
            try:
                handler(step)
            except copyops.BuildFailure as exc:
                self.fail(step.line, str(exc), exc.premises, exc.kind, exc.subject, value=exc.value)
            except InputError as exc:
                if exc.file is None:  # say which Dockerfile line the problem belongs to
                    raise InputError(exc.message, self.result.build.path, step.line) from None
                raise

    def cause(self, step: Step) -> Cause:
        text = step.instruction.summary
        if step.trigger_of is not None:
            text = f"{text} (ONBUILD trigger, fired by FROM at line {step.trigger_of})"
        copy_from = step.flag("from") if step.cmd in ("COPY", "ADD") else None
        return Cause(step.line, text, self.state.name, keyword=step.cmd, copy_from=copy_from)

    # -- environment and identity -----------------------------------------------------------------------------------
    def do_env(self, step: Step) -> None:
        for pair in step.args:
            key, _, value = pair.partition("=")
            self.state.env[key] = value

    def do_user(self, step: Step) -> None:
        spec = step.args[0] if step.args else ""
        if not spec:
            raise InputError("USER requires a user name or uid", self.result.build.path, step.line)
        self.state.user_spec = spec
        self.state.user_line = step.line
        resolved = run_identity(spec, self.state.users)
        self.state.identity = with_source(resolved.identity, f"USER at line {step.line}")
        self.user_error = (
            (step.line, resolved.error, *_missing_account(spec, self.state.users)) if resolved.error else None
        )
        if resolved.unknown:
            self.state.assume(step.line, resolved.unknown)

    def do_shell(self, step: Step) -> None:
        if step.instruction.json_form and step.args:
            self.state.shell = list(step.args)

    def do_cmd(self, step: Step) -> None:
        self.state.cmd = step.args
        self.state.cmd_line = step.line
        self.state.cmd_json = step.instruction.json_form

    def do_entrypoint(self, step: Step) -> None:
        self.state.entrypoint = step.args
        self.state.entrypoint_line = step.line
        self.state.entrypoint_json = step.instruction.json_form
        # An ENTRYPOINT resets a CMD inherited from the base (Docker's documented behaviour).
        if self.state.cmd_line == 0 or self.state.cmd_line < step.line:
            self.state.cmd = None if self.state.cmd_line == 0 else self.state.cmd

    def do_volume(self, step: Step) -> None:
        words: list[str] = []
        for a in step.args:
            if step.instruction.json_form:
                words.append(a)
            else:
                words.extend(a.split())
        for v in words:
            path = normpath(v, self.state.workdir)
            self.state.volumes.append(path)
            self.state.record.volume_lines.setdefault(path, step.line)
            if unknown_names(path):
                continue
            if self.builder != "buildkit" and path not in self.state.fs.nodes:
                self.state.fs.ensure_dirs(path, 0, 0, 0o755, self.cause(step), "created by VOLUME")

    # -- directories -------------------------------------------------------------------------------------------------
    def do_workdir(self, step: Step) -> None:
        if not step.args:
            raise InputError("WORKDIR requires a path", self.result.build.path, step.line)
        path = normpath(step.args[0], self.state.workdir)
        self.state.workdir = path
        if unknown_names(path):
            self.state.assume(
                step.line, f"WORKDIR {shown(path)} is not known here: paths relative to it are not in the model"
            )
            return
        owner = workdir_owner(self.state.user_spec, self.state.users, self.builder)
        if owner.error:
            # buildah creates the directory as root and fails only at the next RUN (oracle case 70; docs/BUILDERS.md
            # rules 7 and 9).
            owner = workdir_owner("", self.state.users, self.builder)
        if owner.unknown:
            self.state.assume(step.line, owner.unknown)
        ident = owner.identity
        fs = self.state.fs
        fs.ensure_dirs(path, ident.uid, ident.gid, 0o755, self.cause(step), "created by WORKDIR")
        if fs.assumed_absent:
            self.state.assume(step.line, f"{fs.assumed_absent[0]} was assumed not to exist in the base image")
            fs.assumed_absent.clear()

    # -- COPY / ADD --------------------------------------------------------------------------------------------------
    def _placement(self, step: Step, strip_special: bool) -> copyops.Placement:
        chown = step.flag("chown")
        chmod = step.flag("chmod")
        mode: int | None = None
        if chmod:
            if self.builder == "classic":
                raise copyops.BuildFailure("the --chmod option requires BuildKit", kind=FailureKind.BUILDER_FLAG,
                                           subject="chmod", value=chmod)  # fmt: skip
            try:
                mode = int(chmod, 8)
            except ValueError:
                if self.builder == "buildah":  # buildah 1.28 knows only octal modes (oracle case 72)
                    raise copyops.BuildFailure(f"Error parsing chmod {chmod}") from None
                self.state.assume(step.line, f"--chmod={chmod} (symbolic) was not applied to the model")
        if chown:
            owner = chown_owner(chown, self.state.users, self.builder)
            if owner.error:
                kind, name = _missing_account(chown, self.state.users)
                raise copyops.BuildFailure(
                    owner.error, (self.accounts_premise(chown),),
                    kind,
                    name,
                )  # fmt: skip
            if owner.unknown:
                self.state.assume(step.line, owner.unknown)
            if owner.ignored:
                self.state.record.ignored_chowns.append(IgnoredChown(step.line, chown, owner.ignored, self.state.name))
            ident = owner.identity
            return copyops.Placement(ident.uid, ident.gid, True, mode, strip_special, ident.knowledge)
        return copyops.Placement(None, None, False, mode, strip_special)

    def do_copy(self, step: Step) -> None:
        self._copy(step, add=False)

    def do_add(self, step: Step) -> None:
        self._copy(step, add=True)

    def _copy(self, step: Step, add: bool) -> None:
        ins = step.instruction
        words = list(step.args)
        if len(words) < 2 and not (ins.heredocs and words):
            raise InputError(
                f"{ins.cmd} requires at least one source and a destination", self.result.build.path, ins.line
            )
        srcs, dest = words[:-1], words[-1]
        cause = self.cause(step)
        if unknown_names(normpath(dest, self.state.workdir)):
            self.state.assume(
                step.line, f"the destination {shown(dest)} is not known here: what this {ins.cmd} places is unknown"
            )
            return
        heredocs = {h.name: h for h in ins.heredocs}
        from_ref = step.flag("from")
        strip = self.builder != "buildkit" and not from_ref
        placement = self._placement(step, strip_special=strip)
        link = step.flag("link") is not None
        if link and self.builder != "buildkit":
            # buildah 1.28 rejects the flag (oracle case 86); the classic builder has no --link either.
            raise copyops.BuildFailure("COPY --link requires BuildKit (buildah 1.28 and the classic builder reject it)")
        n = len(srcs)
        if from_ref:
            self._copy_from(step, from_ref, srcs, dest, placement, cause, n, link)
            return
        context_srcs: list[str] = []
        for src in srcs:
            name = src[2:].lstrip("-") if src.startswith("<<") else None
            if name is not None and name.strip("'\"") in heredocs:
                h = heredocs[name.strip("'\"")]
                copyops.add_heredoc(self.state, h.name, h.content, dest, placement, cause, self.builder)
            elif add and src.startswith(("http://", "https://", "git@", "git://")):
                copyops.add_remote(self.state, src, dest, placement, cause, self.builder)
            else:
                context_srcs.append(src)
        if not context_srcs:
            return
        excludes = step.flag_all("exclude")
        context_srcs = self._present_sources(step, context_srcs, dest, placement, cause, n)
        if add and self.context is not None and self.context.available and step.flag("unpack") != "false":
            plain: list[str] = []
            for src in context_srcs:
                for rel in self.context.match_sources(src):
                    archive = copyops.is_local_archive(self.context, rel)
                    if archive:
                        copyops.add_archive(self.state, archive, dest, placement, cause, self.builder)
                    else:
                        plain.append(rel or ".")
            context_srcs = plain
        if not context_srcs:
            return
        sources = copyops.context_sources(self.context, context_srcs, excludes, self.state, cause)
        copyops.place(self.state, sources, dest, placement, cause, self.builder, n, link)

    def _present_sources(
        self, step: Step, srcs: list[str], dest: str, placement: copyops.Placement, cause: Cause, n: int
    ) -> list[str]:
        """The sources the build context has. A missing one (generated before the build, in CI or by a script) is
        an assumption and its content unknown; with `--strict-context` the build fails there."""
        if self.context is None or not self.context.available:
            return srcs
        present: list[str] = []
        for src in srcs:
            if is_unknown(src):  # `COPY $HOME /x` with a HOME the model does not know
                self.state.assume(
                    step.line, f"COPY source {shown(src)!r} is computed from a value venvlint does not know: what it "
                    "copies is unknown",
                )  # fmt: skip
                copyops.place(self.state, None, dest, placement, cause, self.builder, n, quiet=True)
                continue
            try:
                self.context.match_sources(src)
            except MissingSource as exc:
                if self.strict_context:
                    raise copyops.BuildFailure(exc.message, kind=FailureKind.SOURCE_MISSING, subject=src) from None
                self.state.assume(
                    step.line,
                    f"COPY source {src!r} is not in the build context (made before the build?): what it copies "
                    "is unknown",
                )
                copyops.place(self.state, None, dest, placement, cause, self.builder, n, quiet=True)
                continue
            present.append(src)
        return present

    def _copy_from(
        self,
        step: Step,
        ref: str,
        srcs: list[str],
        dest: str,
        placement: copyops.Placement,
        cause: Cause,
        n: int,
        link: bool,
    ) -> None:
        src_stage = self.result.build.stage_by_ref(ref)
        if src_stage is not None and src_stage.index < self.stage.index:
            src_state = self.result.states.get(src_stage.index)
            if src_state is None:
                raise InputError(f"COPY --from={ref}: stage not built", self.result.build.path, step.line)
            sources = copyops.stage_sources(src_state.fs, srcs, src_state.name)
            copyops.place(self.state, sources, dest, placement, cause, self.builder, n, link)
            return
        profile = self.profiles.find(ref)
        if profile is not None:
            sources = copyops.stage_sources(profile.filesystem(), srcs, ref)
            copyops.place(self.state, sources, dest, placement, cause, self.builder, n, link)
        else:
            why = self.profiles.unknown_reason(ref)
            self.state.assume(
                step.line,
                f"the content of image {ref} is not known: what COPY --from copies is unknown"
                + (f" ({why})" if why else ""),
            )
            copyops.place(self.state, None, dest, placement, cause, self.builder, n, link, quiet=True)
        self._tag_image_tools(ref, srcs, dest, step.line, placed=profile is not None)

    def _tag_image_tools(self, ref: str, srcs: list[str], dest: str, line: int, placed: bool = False) -> None:
        """Remember which image a copied tool binary came from (the uv version pinned by its tag). `placed`: the
        image's profile made the copy, so a directory it put at the destination is kept, not replaced by a file of
        unknown content."""
        dest_path = normpath(dest, self.state.workdir)
        for src in srcs:
            name = posixpath.basename(src.rstrip("/"))
            for path in (posixpath.join(dest_path, name), dest_path):
                node = self.state.fs.get(path)
                if node is not None and node.kind is not Kind.DIR:
                    self.state.fs.tag(path, "image", ref)
                    break
            else:
                path = posixpath.join(dest_path, name) if dest.endswith("/") or len(srcs) > 1 else dest_path
                if placed and self.state.fs.get(path) is not None:
                    continue  # the copy put the image's own directory there: it stays what the image has
                cause = Cause(line, f"COPY --from={ref}", self.state.name, keyword="COPY", copy_from=ref)
                node = Node(Kind.FILE, None, None, None, Knowledge.UNKNOWN).with_tag("image", ref)
                self.state.fs.put(path, node, cause, Action.COPIED, "copied from an image whose content is not known")

    # -- RUN ---------------------------------------------------------------------------------------------------------
    def run_env(self, step: Step) -> dict[str, str]:
        """The environment a RUN's shell starts with; open (`OpenVars`) when the base image's is not all known."""
        env = with_home(step.env, self.state)
        return OpenVars(env) if self.stage.env_open else env

    def do_run(self, step: Step) -> None:
        ins = step.instruction
        if self.user_error is not None:
            line, message, kind, name = self.user_error
            self.fail(step.line, f"{message} (USER at line {line})", (self.accounts_premise(self.state.user_spec),),
                      kind, name, line)  # fmt: skip
            return
        cause = self.cause(step)
        env = self.run_env(step)
        missing = self._missing_program(step, env)
        if missing is not None:
            program, premises = missing
            if program not in self.missing_programs:  # every later RUN of it fails the same way: said once
                self.missing_programs.add(program)
                self.fail(step.line, f"`{program}` does not exist in this stage: a "
                          f"{'RUN' if ins.json_form else 'shell-form RUN'} needs it "
                          f"({'its program' if ins.json_form else 'the shell'})", premises, FailureKind.NO_PROGRAM,
                          program)  # fmt: skip
            return
        made = self.result.caches if self.builder == "buildah" else None
        mounts = tuple(as_built(m, self.builder, step.line, made)
                       for m in parse_mounts(step.flag_all("mount"), self.state.workdir))  # fmt: skip
        self._mount_parents(mounts, cause)
        frozen = self._freeze_volumes()
        status, error = 0, None
        if ins.json_form:
            status, error = run_argv(self.state, list(step.args), cause, env, mounts=mounts)
        else:
            script = _run_script_text(ins)
            if self.state.shell[:1] and posixpath.basename(self.state.shell[0]).lower().startswith(
                ("pwsh", "powershell", "cmd")
            ):
                self.state.assume(step.line, "RUN uses a non-POSIX SHELL: its effects were not modelled")
            else:
                offsets = ins.raw_offsets if script == ins.raw else None
                status, error = run_script(self.state, script, cause, env, mounts=mounts, offsets=offsets)
        self._thaw_volumes(frozen, cause)
        if status != 0 and error is not None:
            # The build stops here as far as the denials at this line say: on the facts they rest on.
            premises = tuple(p for d in self.state.record.denied if d.line == step.line for p in d.premises)
            self.fail(step.line, error, premises)

    def _missing_program(self, step: Step, env: Mapping[str, str]) -> tuple[str, tuple[Premise, ...]] | None:
        """The program a RUN starts (the SHELL's first word for the shell form, argv[0] for the exec form) when the
        model knows the stage does not have it (a distroless stage has no /bin/sh), with the facts that say so."""
        ins = step.instruction
        if ins.json_form:
            program = step.args[0] if step.args else ""
        else:
            program = self.state.shell[0] if self.state.shell else "/bin/sh"
        if not program or is_unknown(program):
            return None
        fs = self.state.fs
        found = which(program, env.get("PATH"), fs, self.state.workdir)
        if found.found is not Found.NO:
            return None
        if "/" in program:
            places = [normpath(program, self.state.workdir)]
        else:
            places = [posixpath.join(d, program) for d in path_entries(env.get("PATH")) if d is not None]
        return program, tuple(absent_premise(fs, fs.resolve(p)) for p in places)

    def _mount_parents(self, mounts: Sequence[RunMount], cause: Cause) -> None:
        """The builder creates a missing mount target with its missing parents as 0:0 0755; the parents stay in the
        image, whatever the mount's uid=/gid= (docs/BUILDERS.md rule 13; oracle case 89). The target itself is gone
        after the RUN: measured on buildah 1.28; BuildKit removes its empty mountpoint stubs since moby/buildkit#3307
        (v0.11, 2022), while it leaves the parents (buildah PR #6233 cites BuildKit's conformance tests)."""
        fs = self.state.fs
        for m in mounts:
            if m.target in ("", "/") or is_unknown(m.target):
                continue
            for p in ancestors(m.target):
                if p == "/" or fs.get(fs.resolve(p)) is not None:
                    continue
                real = fs.resolve(p)
                knowledge = Knowledge.BUILT if fs.is_known_absent(real) else Knowledge.ASSUMED
                fs.put(real, Node(Kind.DIR, 0, 0, 0o755, knowledge), cause, Action.CREATED,
                       f"created by the builder for the mount at {m.target}")  # fmt: skip

    def _freeze_volumes(self) -> dict[str, dict[str, Node]] | None:
        """Legacy builders (classic, buildah 1.28) discard RUN changes under a declared VOLUME (docs/BUILDERS.md rule
        10), and the classic builder does not persist RUN changes to `/` itself (row 1g there)."""
        if self.builder == "buildkit":
            return None
        fs = self.state.fs
        snap: dict[str, dict[str, Node]] = {}
        for v in self.state.volumes:
            snap[v] = {p: fs.nodes[p] for p in fs.walk(v)}
        if self.builder == "classic" and "/" in fs.nodes:
            snap["<root>"] = {"/": fs.nodes["/"]}
        return snap

    def _thaw_volumes(self, snap: dict[str, dict[str, Node]] | None, cause: Cause) -> None:
        if not snap:
            return
        fs = self.state.fs
        for v, nodes in snap.items():
            if v == "<root>":
                if fs.nodes.get("/") is not nodes["/"]:
                    fs.put("/", nodes["/"], cause, Action.DISCARDED, "RUN changes to / are not kept (classic builder)")
                continue
            detail = f"RUN change discarded: {v} is a VOLUME ({self.builder} builder)"
            lost: list[tuple[str, Node]] = []
            made = [p for p in fs.walk(v) if p not in nodes]
            lost += [(p, fs.nodes[p]) for p in made]
            for p in made:
                if p in fs.nodes:  # not gone with a parent already
                    fs.remove(p, cause=cause, detail=detail)
            for p, node in nodes.items():
                now = fs.nodes.get(p)
                if now is not node:
                    if now is not None and now[:4] != node[:4]:  # kind, owner, group, mode: what was lost
                        lost.append((p, now))
                    fs.put(p, node, cause, Action.DISCARDED, detail)
            if lost:
                self.state.record.discarded[(cause.line, v)] = sorted(lost)


def _run_script_text(ins: Instruction) -> str:
    """The shell script a shell-form RUN executes. `RUN <<EOF` alone runs the heredoc body as the script; otherwise
    BuildKit hands the command line plus the heredoc bodies to the shell, which feeds them as here-documents."""
    raw = ins.raw.strip()
    if ins.heredocs and raw.startswith("<<") and len(raw.split()) == 1:
        body = ins.heredocs[0].content
        return body
    if not ins.heredocs:
        return raw
    parts = [raw]
    for h in ins.heredocs:
        parts.append(h.content.rstrip("\n"))
        parts.append(h.name)
    return "\n".join(parts) + "\n"


def with_home(env: Mapping[str, str], state: StageState) -> dict[str, str]:
    """`env` with the default PATH under it and HOME as the builder sets it for the stage's USER (its passwd home;
    left out when that is not known)."""
    out = {"PATH": DEFAULT_PATH, **env}
    if "HOME" not in out:
        home = home_of(state.identity, state.users)
        if home is not None:
            out["HOME"] = home
    return out


def runtime_env(state: StageState) -> Mapping[str, str]:
    """The environment the container starts with (the final ENV, HOME of the final USER)."""
    return with_home(state.env, state)


def _missing_account(spec: str, users: UserDB) -> tuple[FailureKind, str]:
    """Which account of a `user[:group]` spec the image lacks, and its name (OTHER and "" when neither is)."""
    user, _, group = spec.partition(":")
    if user and not user.isdigit() and users.by_name(user) is None:
        return FailureKind.UNKNOWN_USER, user
    if group and not group.isdigit() and not users.has_group(group):
        return FailureKind.UNKNOWN_GROUP, group
    return FailureKind.OTHER, ""
