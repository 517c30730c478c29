"""`find ROOT... EXPRESSION -exec CMD ... {} +` (and `\\;`, `-execdir`, `-delete`), and `find ... | xargs CMD ...`.

The command `-exec` runs is replayed like any other, once with every path the find matches among those the model
holds (entries the model does not hold stay unknown, as with `chmod -R`). The expression is read when it is an
AND of tests venvlint can evaluate on the model: `-type`, `-name`/`-iname`, `-path`/`-wholename`, `-maxdepth`,
`-mindepth`, each possibly negated with `!`/`-not`, plus `-xdev`/`-mount`/`-depth`/`-print`/`-print0`; `-L` and
`-follow` where no symbolic link is met on the way. Anything
else (`-o`, parentheses, `-user`, `-perm`, `-newer`, ...) leaves the find not modelled: an assumption line, and the
owners and modes it may have changed become assumed (`unmodelled.not_modelled`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from ...model.fs import Kind
from .base import ShellContext, Status, UnknownPath, is_unknown
from .unmodelled import not_modelled

_KINDS = {"d": Kind.DIR, "f": Kind.FILE, "l": Kind.SYMLINK}
_NO_OPERAND = frozenset({"-xdev", "-mount", "-depth", "-print", "-print0", "-true", "-noleaf", "-ignore_readdir_race",
                         "-follow"})  # fmt: skip
_GLOBAL_OPTIONS = frozenset({"-H", "-L", "-P"})


class FollowedLink(Exception):
    """A find that follows symbolic links met one: what it reaches through it is not walked."""


@dataclass
class FindCommand:
    """A find read into what it starts from, how it selects, and what it runs."""

    roots: list[str]
    tests: list[Callable[[str, Kind | None, int], bool]] = field(default_factory=list)
    mindepth: int = 0
    maxdepth: int | None = None
    command: list[str] = field(default_factory=list)  # the -exec command with `{}` where the paths go
    follow: bool = False  # -L / -follow: symbolic links are followed (modelled only where none is met)
    batch: bool = True  # `+`: all paths in one run; `;`: one run per path (the same to the model)
    delete: bool = False


def read_find(words: list[str]) -> FindCommand | str:
    """Read `find` words; a string says why they cannot be modelled."""
    i = 1
    follow = False
    while i < len(words) and words[i] in _GLOBAL_OPTIONS:
        follow = follow or words[i] == "-L"
        i += 1
    roots: list[str] = []
    while i < len(words) and not words[i].startswith("-") and words[i] not in ("!", "(", ")"):
        roots.append(words[i])
        i += 1
    f = FindCommand(roots or ["."], follow=follow)
    negate = False
    while i < len(words):
        w = words[i]
        if w in ("!", "-not"):
            negate = not negate
            i += 1
            continue
        if w in ("-a", "-and"):
            i += 1
            continue
        if w in _NO_OPERAND:
            f.follow = f.follow or w == "-follow"
            i += 1
            continue
        if w in ("-exec", "-execdir"):
            end = next((j for j in range(i + 1, len(words)) if words[j] in (";", "+")), None)
            if end is None or f.command or negate:
                return f"its `{w}` is not read"
            f.command, f.batch = words[i + 1 : end], words[end] == "+"
            if "{}" not in f.command or not f.command:
                return f"its `{w}` command does not take the found paths"
            i = end + 1
            continue
        if w == "-delete":
            f.delete = True
            i += 1
            continue
        if i + 1 >= len(words):
            return f"its test `{w}` is not read"
        value = words[i + 1]
        if is_unknown(value):
            return f"the value of `{w}` is computed at build time"
        test = _test(w, value)
        if isinstance(test, str):
            return test
        if test is None:  # -maxdepth / -mindepth
            if not value.isdigit():
                return f"`{w} {value}` is not read"
            if w == "-maxdepth":
                f.maxdepth = int(value)
            else:
                f.mindepth = int(value)
        else:
            f.tests.append((lambda t: lambda p, k, d: not t(p, k, d))(test) if negate else test)
        negate = False
        i += 2
    if not f.command and not f.delete:
        return "it runs nothing venvlint reads"
    return f


def _test(name: str, value: str) -> Callable[[str, Kind | None, int], bool] | str | None:
    if name in ("-maxdepth", "-mindepth"):
        return None
    if name == "-type":
        kinds = [_KINDS.get(c) for c in value.split(",")]
        if None in kinds:
            return f"`-type {value}` is not read"
        return lambda p, k, d: k in kinds
    if name == "-name":
        return lambda p, k, d: fnmatchcase(posixpath.basename(p), value)
    if name == "-iname":
        return lambda p, k, d: fnmatchcase(posixpath.basename(p).lower(), value.lower())
    if name in ("-path", "-wholename"):
        return lambda p, k, d: fnmatchcase(p, value)
    return f"its test `{name}` is not evaluated on the model"


def find(sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool,
         stdin: str | None) -> Status:  # fmt: skip
    """`find` that runs a command on, or deletes, what it matches; a find that only lists is read-only."""
    if not any(w in ("-exec", "-execdir", "-delete", "-ok", "-okdir") for w in argv[1:]):
        return None  # it only lists: its status answers a question about the image venvlint may not know
    parsed = read_find(argv)
    if isinstance(parsed, str):
        return not_modelled(sh, argv, parsed)
    return run_on_matches(sh, parsed, argv, env)


def run_on_matches(sh: ShellContext, f: FindCommand, argv: list[str], env: dict[str, str]) -> Status:
    try:
        paths = matches(sh, f)
    except UnknownPath:
        return not_modelled(sh, argv, "a path it starts from is not known here")
    except FollowedLink as link:
        return not_modelled(sh, argv, f"it follows the symbolic link {link}, which the model does not walk")
    if not paths:
        return 0
    if f.delete:
        return sh.dispatch(["rm", "-rf", *reversed(paths)], env, None, False, None)
    i = f.command.index("{}")
    denied = len(sh.record.denied)
    status = sh.dispatch([*f.command[:i], *paths, *f.command[i + 1 :]], env, None, False, None)
    if f.batch or status == 0:
        return status
    # `-exec ... \;`: a failing command is find's test being false, not find failing (GNU find exits 0).
    del sh.record.denied[denied:]
    sh.error = None
    sh.assume(f"`{' '.join(f.command)}` fails for some of the paths `{' '.join(argv[:2])} ...` finds; find goes on")
    return 0


def matches(sh: ShellContext, f: FindCommand) -> list[str]:
    """The model's paths below the roots that pass the tests, in the order find visits them."""
    fs = sh.fs
    out: list[str] = []
    for root in f.roots:
        if is_unknown(root):
            raise UnknownPath(root)
        start = fs.resolve(sh.path(root))
        if fs.get(start) is None:
            if not fs.is_known_absent(start):
                raise UnknownPath(root)  # it may exist, with anything below it
            continue
        base_depth = start.rstrip("/").count("/")
        for p in fs.walk(start):
            depth = p.rstrip("/").count("/") - base_depth if p != start else 0
            if depth < f.mindepth or (f.maxdepth is not None and depth > f.maxdepth):
                continue
            node = fs.get(p)
            kind = node.kind if node is not None else None
            if f.follow and kind is Kind.SYMLINK:
                raise FollowedLink(p)
            shown = root if p == start else root.rstrip("/") + p[len(start.rstrip("/")) :]  # as find prints it
            if all(t(shown, kind, depth) for t in f.tests):
                out.append(p)
    return out


def xargs(sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool,
          stdin: str | None) -> Status:  # fmt: skip
    """`find ... | xargs [-0] [-r] [-n N] CMD ARGS`: CMD runs on what the find matched (the pipe's source is
    `sh.piped_from`); from any other source the paths are not known."""
    source = sh.piped_from
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        w = argv[i]
        if w in ("-I", "-a", "-d", "-E", "-i", "--replace") or w.startswith(("-i", "--replace=", "-I")):
            return not_modelled(sh, argv, f"`xargs {w}` is not read")
        if w in ("-n", "-L", "-P", "-s") and i + 1 < len(argv):
            i += 2
            continue
        i += 1
    command = argv[i:]
    if not command or source is None or posixpath.basename(source[0]) != "find":
        return not_modelled(sh, argv, "it runs a command on names it reads from its input")
    f = read_find([*source, "-exec", *command, "{}", "+"])
    if isinstance(f, str):
        return not_modelled(sh, argv, f"the names it reads come from a find venvlint cannot read: {f}")
    return run_on_matches(sh, f, argv, env)
