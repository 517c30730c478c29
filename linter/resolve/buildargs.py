"""`--build-arg NAME=VALUE` and `--build-arg-file FILE` (podman's KEY=VALUE lines)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from ..errors import InputError
from ..inputfile import read_text
from ..parse.model import ParsedDockerfile


def parse_build_arg(spec: str, source: str = "--build-arg", line: int | None = None) -> tuple[str, str | None]:
    """`NAME=VALUE` → (NAME, VALUE). A bare `NAME` takes the value from the environment, as docker/podman do
    (None when the environment does not have it: the ARG then keeps its default)."""
    name, sep, value = spec.partition("=")
    name = name.strip()
    if not name or any(c.isspace() for c in name):
        raise InputError(f"invalid build argument {spec!r}: expected NAME=VALUE", source, line)
    if not sep:
        return name, os.environ.get(name)
    return name, value


def read_build_arg_file(path: str) -> dict[str, str]:
    text = read_text(path, "build-arg file")
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, value = parse_build_arg(stripped, path, n)
        if value is not None:
            out[name] = value
    return out


def collect_build_args(args: Iterable[str] = (), files: Iterable[str] = ()) -> dict[str, str]:
    """Files first, then `--build-arg` flags (later ones win), as podman applies them."""
    out: dict[str, str] = {}
    for f in files:
        out.update(read_build_arg_file(f))
    for a in args:
        name, value = parse_build_arg(a)
        if value is not None:
            out[name] = value
    return out


# Build arguments every builder accepts without an ARG (the proxy variables), and BuildKit's own settings
# (BUILDKIT_INLINE_CACHE, BUILDKIT_SYNTAX, ...): passing them is never a mistake.
PREDEFINED = frozenset(
    p for name in ("HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY") for p in (name, name.lower())
)


def unused_build_args(parsed: ParsedDockerfile | None, given: Iterable[str]) -> list[str]:
    """The notes for build arguments in `given` (names from --build-arg / --build-arg-file) that no ARG of the
    Dockerfile declares, in the order given: docker warns "One or more build-args [...] were not consumed", and a
    mistyped name silently leaves the ARG at its default, so what venvlint replays is not what was meant."""
    if parsed is None:
        return []
    declared = {
        word.partition("=")[0]
        for ins in parsed.instructions
        for i in ([ins, ins.onbuild] if ins.onbuild is not None else [ins])
        if i.cmd == "ARG"
        for word in i.args
    }
    return [
        f"build argument {name} is not declared by any ARG of the Dockerfile: it changes nothing"
        for name in dict.fromkeys(given)
        if name not in declared and name not in PREDEFINED and not name.startswith("BUILDKIT_")
    ]
