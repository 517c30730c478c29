"""pyenv: `pyenv install` puts an interpreter under $PYENV_ROOT (default ~/.pyenv), `pyenv global` selects it, and
the shims on PATH run the selected one (measured with pyenv 2.6.30, docs/MEASUREMENTS.md "Interpreters out of
reach"): `python -m venv` through the shim links the venv to `$PYENV_ROOT/versions/<version>/bin/python`."""

from __future__ import annotations

import posixpath
import re

from ...model.access import Tri, can_create
from ...model.fs import Action, Kind, Node
from .base import ShellContext, Status, command_text, deny, is_unknown, owner_for_new
from .files import create_dir
from .unmodelled import not_modelled

_VERSION = re.compile(r"(\d{1,3})\.(\d{1,3})(?:\.\d{1,4})?")
# What `pyenv rehash` makes a shim for, of what a CPython install puts into its bin/ (those the model needs).
_SHIMS = ("python", "python3", "pip", "pip3")
# A shim's text as pyenv 2.6.30 writes it (its first and last lines): the tool readers know it by this, and say
# that which environment the shim's pip installs into is not modelled.
SHIM = '#!/usr/bin/env bash\nset -e\nexport PYENV_ROOT="%s"\nexec "$PYENV_ROOT/libexec/pyenv" exec "$program" "$@"\n'


def root_of(sh: ShellContext, env: dict[str, str]) -> str | None:
    """$PYENV_ROOT, else ~/.pyenv of whoever runs it (None when that is not known)."""
    root = env.get("PYENV_ROOT")
    if root:
        return None if is_unknown(root) else sh.path(root)
    home = env.get("HOME")
    return None if not home or is_unknown(home) else posixpath.join(home, ".pyenv")


def pyenv(sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool,
          stdin: str | None) -> Status:  # fmt: skip
    words = [w for w in argv[1:] if not w.startswith("-")]
    sub = words[0] if words else ""
    if sub in ("", "versions", "version", "which", "root", "prefix", "help", "commands") or (
        sub == "install" and ("--list" in argv or "-l" in argv)
    ):
        return 0  # reads only
    root = root_of(sh, env)
    if root is None:
        return not_modelled(sh, argv, "where pyenv keeps its versions (PYENV_ROOT, HOME) is not known here")
    if sub == "install":
        return _install(sh, root, words[1:], argv)
    if sub == "global" and len(words) == 2:
        return _global(sh, root, words[1], argv)
    return not_modelled(sh, argv)


def _install(sh: ShellContext, root: str, versions: list[str], argv: list[str]) -> Status:
    """Each version as `versions/<V>/bin/pythonX.Y` with its `python3` and `python` links, owned by whoever ran it,
    and the shims (`pyenv install` rehashes). A version written as X.Y is installed under the newest X.Y.Z, a name
    venvlint cannot know: the model names it X.Y (where it lives is what the rules read)."""
    fs = sh.fs
    for version in versions:
        m = _VERSION.fullmatch(version)
        if m is None or is_unknown(version):
            return not_modelled(sh, argv, f"which Python `{version}` names is not modelled")
        bindir = posixpath.join(root, "versions", version, "bin")
        real = fs.resolve(bindir)
        if not sh.identity.is_root and fs.get(real) is None:
            v = can_create(fs, sh.identity, real)
            if v.result is Tri.NO:
                return deny(sh, bindir, v.reason, argv, v.premises)
        if fs.get(real) is None and create_dir(sh, real, None, argv, True):
            return 1
        uid, gid, _ = owner_for_new(sh, real)
        exe = f"python{m.group(1)}.{m.group(2)}"
        why = f"Python {version} built by `{command_text(argv)}`"
        if fs.get(posixpath.join(real, exe)) is None:
            fs.put(posixpath.join(real, exe), Node(Kind.FILE, uid, gid, 0o755), sh.cause, Action.CREATED, why)
        for link in ("python3", "python"):
            if fs.get(posixpath.join(real, link)) is None:
                fs.put(posixpath.join(real, link), Node(Kind.SYMLINK, uid, gid, 0o777, target=exe), sh.cause,
                       Action.CREATED, why)  # fmt: skip
        fs.mark_open(real, with_parent=False)  # pip, idle, pydoc, ... are not listed
        shims = posixpath.join(root, "shims")
        if fs.get(fs.resolve(shims)) is None and create_dir(sh, fs.resolve(shims), None, argv, True):
            return 1
        for name in (*_SHIMS, exe):
            path = posixpath.join(fs.resolve(shims), name)
            if fs.get(path) is None:
                node = Node(Kind.FILE, uid, gid, 0o755).with_tag("pyenv-shim", root).with_tag("content", SHIM % root)
                fs.put(path, node, sh.cause, Action.CREATED, f"pyenv's shim, made by `{command_text(argv)}`")
        fs.mark_open(fs.resolve(shims), with_parent=False)
    return 0


def _global(sh: ShellContext, root: str, version: str, argv: list[str]) -> Status:
    """`pyenv global V` writes V into $PYENV_ROOT/version (tagged with it: the model keeps no file contents)."""
    if is_unknown(version):
        return not_modelled(sh, argv, "the version it selects is computed at build time")
    fs = sh.fs
    path = fs.resolve(posixpath.join(root, "version"))
    parent = fs.get(posixpath.dirname(path))
    if parent is None:
        return not_modelled(sh, argv, f"{posixpath.dirname(path)} is not known here")
    old = fs.get(path)
    uid, gid, _ = owner_for_new(sh, posixpath.dirname(path))
    node = (old or Node(Kind.FILE, uid, gid, 0o666 & ~sh.umask)).with_tag("pyenv-version", version)
    fs.put(path, node, sh.cause, Action.CREATED if old is None else Action.REPLACED, f"`{command_text(argv)}`")
    return 0


def selected(sh: ShellContext, shim: str, env: dict[str, str]) -> str | None:
    """What a pyenv shim at `shim` runs: `versions/<V>/bin/<its name>` for the version PYENV_VERSION, else a
    `.python-version` (none may be in the working directory or above it), else `$PYENV_ROOT/version` selects;
    None when the model cannot tell."""
    fs = sh.fs
    node = fs.get(fs.resolve(shim))
    root = node.tag("pyenv-shim") if node is not None else None
    if root is None:
        return None
    version = env.get("PYENV_VERSION")
    if version is None:
        d = sh.cwd
        while True:
            local = posixpath.join(d, ".python-version")
            if not fs.is_known_absent(fs.resolve(local)):
                return None  # a local version file may select another
            if d == "/":
                break
            d = posixpath.dirname(d)
        chosen = fs.get(fs.resolve(posixpath.join(root, "version")))
        version = chosen.tag("pyenv-version") if chosen is not None else None
    if not version or is_unknown(version) or " " in version:
        return None
    exe = posixpath.join(root, "versions", version, "bin", posixpath.basename(shim))
    return exe if fs.get(fs.resolve(exe)) is not None else None
