"""The one way from a Dockerfile on disk to a simulated build: parse → resolve → simulate."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .buildcontext import BuildContext
from .errors import InputError
from .parse import parse_file, parse_text
from .parse.model import ParsedDockerfile
from .profiles.catalog import ProfileSet, load_profiles
from .resolve.stages import BaseEnv, resolve
from .simulate.engine import SimulatedBuild, simulate

if TYPE_CHECKING:
    from .lint import LintOptions
    from .registry.settings import RegistrySettings


def default_context(dockerfile: str) -> str:
    """Like `docker build -f X`: we cannot know the context the user passes, so default to the Dockerfile's folder."""
    return os.path.dirname(os.path.abspath(dockerfile)) if dockerfile != "-" else os.getcwd()


def _base_env(profs: ProfileSet) -> BaseEnv:
    """resolve()'s view of the base images: an image's ENV and whether that is all of it (an image without a
    complete profile: not)."""

    def base_env(ref: str, platform: str | None) -> tuple[Mapping[str, str], bool]:
        if ref.lower() == "scratch":
            return {}, True
        p = profs.find(ref, platform)
        return (dict(p.env), p.env_complete) if p is not None else ({}, False)

    return base_env


def build_from_parsed(
    parsed: ParsedDockerfile,
    *,
    context: str | None,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
    builder: str = "buildkit",
    profiles: ProfileSet | None = None,
    dockerfile_path: str | None = None,
    strict_context: bool = False,
) -> SimulatedBuild:
    profs = profiles if profiles is not None else load_profiles()
    build = resolve(parsed, build_args, target, _base_env(profs), builder=builder)
    ctx = BuildContext(context, dockerfile_path) if context is not None else None
    return simulate(build, context=ctx, profiles=profs, builder=builder, strict_context=strict_context)


def build_from_file(
    dockerfile: str,
    *,
    context: str | None = None,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
    builder: str = "buildkit",
    profile_files: Sequence[str] = (),
    text: str | None = None,
    use_context: bool = True,
    strict_context: bool = False,
    registry: RegistrySettings | None = None,
) -> SimulatedBuild:
    """Parse, resolve and simulate a Dockerfile. `context` None: the Dockerfile's folder (the current directory
    for stdin); `use_context` False: no build context at all (what COPY copies from it is unknown, said);
    `registry`: read base images without a profile from the cache or their registries (None: never).

    Raises InputError for a Dockerfile or a context venvlint cannot use (a `context` that is not a directory)."""
    parsed = parse_text(text, dockerfile) if text is not None else parse_file(dockerfile)
    if context is not None and use_context and not os.path.isdir(context):
        raise InputError(f"the build context {context} is not a directory")
    ctx = (context if context is not None else default_context(dockerfile)) if use_context else None
    profiles = load_profiles(profile_files, registry)
    return build_from_parsed(
        parsed,
        context=ctx,
        build_args=build_args,
        target=target,
        builder=builder,
        profiles=profiles,
        dockerfile_path=None if dockerfile == "-" else dockerfile,
        strict_context=strict_context,
    )


def build_with_options(
    dockerfile: str, options: LintOptions, text: str | None = None, *, last_stage: bool = False
) -> SimulatedBuild:
    """`build_from_file` with a lint's options (context, build args, target, builder, profiles, registry);
    `last_stage`: build to the last stage whatever the options' target. Raises InputError as build_from_file does."""
    return build_from_file(
        dockerfile,
        context=options.context,
        build_args=options.build_args,
        target=None if last_stage else options.target,
        builder=options.builder,
        profile_files=options.profile_files,
        text=text,
        use_context=not options.no_context,
        strict_context=options.strict_context,
        registry=options.registry,
    )


def base_references(dockerfile: str, options: LintOptions, text: str | None = None) -> None:
    """Ask the profiles for every image the build starts from or copies from (FROM, `COPY --from=IMAGE`), as the
    build will: with a registry configured, this reads those images now (see lint_command._read_base_images). A
    file venvlint cannot parse is left for the lint itself to report."""
    try:
        parsed = parse_text(text, dockerfile) if text is not None else parse_file(dockerfile)
        profs = load_profiles(options.profile_files, options.registry)

        build = resolve(parsed, options.build_args, options.target, _base_env(profs), builder=options.builder)
    except InputError:
        return
    for stage in build.stages:
        for step in stage.steps:
            ref = step.flag("from") if step.cmd in ("COPY", "ADD") else None
            if ref and build.stage_by_ref(ref) is None and "$" not in ref:
                profs.find(ref)
