"""Exclusion of discovered Dockerfiles: gitignore-style patterns (`exclude` / `extend-exclude` in `.venvlint.yaml`,
relative to that file's folder; `--exclude` on the command line, relative to the working directory), matched with
the `pathspec` library as ruff does. `pathspec` is imported only when a pattern is given: the lint path of a run
without exclusions must not pay for it (tests/cli/test_fast_path.py)."""

from __future__ import annotations

import functools
import os
from typing import Any, NamedTuple


class Group(NamedTuple):
    """Patterns as one file or option gives them."""

    base: str  # the folder the patterns are relative to
    patterns: tuple[str, ...]
    origin: str  # where they were given, as `--show-config` names it: "/repo/.venvlint.yaml exclude", "--exclude"


class Exclusion(NamedTuple):
    """Why a Dockerfile is left out: the pattern that matched it last (as git decides) and where it was given."""

    pattern: str
    origin: str


def excluded_by(path: str, groups: list[Group]) -> Exclusion | None:
    """The exclusion by the first group whose patterns exclude `path` (None: not excluded). A path outside a group's
    folder is never excluded by it."""
    full = os.path.abspath(path)
    for group in groups:
        if not group.patterns:
            continue
        rel = os.path.relpath(full, group.base)
        if rel == ".." or rel.startswith(".." + os.sep):
            continue
        # check_file (pathspec >= 0.12) says which pattern decided; a `!pattern` that took the file back is not an
        # exclusion.
        result = _spec(group.patterns).check_file(rel.replace(os.sep, "/"))
        if result.include and result.index is not None:
            return Exclusion(group.patterns[result.index], group.origin)
    return None


@functools.lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...]) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)
