"""Exclusion of discovered Dockerfiles: gitignore-style patterns (`exclude` / `extend-exclude` in `.venvlint.yaml`,
relative to that file's folder; `--exclude` on the command line, relative to the working directory), matched with
the `pathspec` library as ruff does. `pathspec` is imported only when a pattern is given: the lint path of a run
without exclusions must not pay for it (tests/cli/test_fast_path.py)."""

from __future__ import annotations

import functools
import os
from typing import Any

# (the folder the patterns are relative to, the patterns)
Group = tuple[str, tuple[str, ...]]


def excluded_by(path: str, groups: list[Group]) -> str | None:
    """The folder of the first group whose patterns exclude `path` (None: not excluded). A path outside a group's
    folder is never excluded by it."""
    full = os.path.abspath(path)
    for base, patterns in groups:
        if not patterns:
            continue
        rel = os.path.relpath(full, base)
        if rel == ".." or rel.startswith(".." + os.sep):
            continue
        if _spec(patterns).match_file(rel.replace(os.sep, "/")):
            return base
    return None


@functools.lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...]) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)
