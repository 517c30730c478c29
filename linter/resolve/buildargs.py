"""`--build-arg NAME=VALUE` and `--build-arg-file FILE` (podman's KEY=VALUE lines)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from ..errors import InputError
from ..inputfile import read_text


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
