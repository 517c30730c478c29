"""Find Dockerfiles below a directory argument by the names Docker gives them (NAMES, in any letter case),
skipping what `.gitignore` files ignore (read with the same matcher as `.dockerignore`) and VCS/vendor folders.

NAMES is the one declaration of those names: the pre-commit hook's `files`/`exclude` regexes are checked against it
by tests/cli/test_names.py, and the Action lints `.` (this discovery) by default."""

from __future__ import annotations

import fnmatch
import os

from .buildcontext import Pattern, parse_ignore
from .errors import InputError
from .inputfile import read_bytes

# Matched without regard to letter case: `dev.Dockerfile`, `Dockerfile.dev`, `api.containerfile`, `dockerfile`.
NAMES = ("dockerfile", "dockerfile.*", "containerfile", "containerfile.*", "*.dockerfile", "*.containerfile")
# Names that fit NAMES but are not Dockerfiles: BuildKit's per-Dockerfile ignore files (`Dockerfile.dockerignore`)
# and the leftovers of editors, patch and merge tools (`Dockerfile.swp`, `Dockerfile.orig`, `Dockerfile~`).
NOT_SUFFIXES = (".dockerignore", ".containerignore", ".swp", ".swo", ".orig", ".rej", ".bak", "~")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "__pycache__", ".tox", ".mypy_cache"}


def is_dockerfile(name: str) -> bool:
    low = name.lower()
    return any(fnmatch.fnmatchcase(low, p) for p in NAMES) and not low.endswith(NOT_SUFFIXES)


def find_dockerfiles(root: str) -> list[str]:
    out: list[str] = []
    stack: list[tuple[str, list[tuple[str, list[Pattern]]]]] = [(root, [])]
    while stack:
        d, ignores = stack.pop()
        gi = os.path.join(d, ".gitignore")
        if os.path.isfile(gi):
            try:
                text = read_bytes(gi, ".gitignore").decode("utf-8", errors="replace")
                ignores = [*ignores, (d, parse_ignore(_gitignore_to_patterns(text)))]
            except InputError:
                pass  # an unreadable .gitignore ignores nothing, as for git
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for e in entries:
            if _ignored(e.path, e.is_dir(follow_symlinks=False), ignores):
                continue
            if e.is_dir(follow_symlinks=False):
                if e.name not in SKIP_DIRS:
                    subdirs.append(e.path)
            elif e.is_file(follow_symlinks=False) and is_dockerfile(e.name):
                out.append(e.path)
        stack.extend((s, ignores) for s in reversed(subdirs))
    return sorted(out)


def _gitignore_to_patterns(text: str) -> str:
    """gitignore patterns without a slash match at any depth; make that explicit for the dockerignore matcher."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        neg = line.startswith("!")
        body = line[1:] if neg else line
        body = body.rstrip("/")
        if "/" not in body:
            body = "**/" + body
        lines.append(("!" if neg else "") + body)
    return "\n".join(lines)


def _ignored(path: str, is_dir: bool, ignores: list[tuple[str, list[Pattern]]]) -> bool:
    ignored = False
    for base, patterns in ignores:
        rel = os.path.relpath(path, base).replace(os.sep, "/")
        for p in patterns:
            if p.match(rel):
                ignored = not p.exclusion
    return ignored
