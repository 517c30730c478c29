"""What a tool reader needs besides the command line: the environment it runs with, its working directory, and a
few questions about the image (`Probe`), answered from the model filesystem by the caller."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from ..model.fs import FileSystem, normpath
from ..resolve.expand import UNKNOWN_MARK
from .model import CacheSpec, EnvTarget, Scheme, Tool
from .programs import Found, Lookup, which

# uv's and the Python tools' reading of a boolean variable (uv's `BoolishValueParser`; pip's strtobool): anything
# else is not a boolean, and a tool that needs one refuses it.
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "off", ""})


class Probe(Protocol):
    """Questions about the image the reader may ask."""

    def is_env(self, path: str) -> bool:
        """Whether `path` is a virtual environment or conda prefix (holds pyvenv.cfg or conda-meta)."""
        ...

    def exists(self, path: str) -> bool:
        """Whether `path` is known to exist (`~/...`: below the HOME of the user running the tool)."""
        ...

    def absent(self, path: str) -> bool:
        """Whether `path` is known not to exist."""
        ...

    def may_exist(self, path: str) -> bool:
        """Whether `path` is known to exist, or a COPY whose sources venvlint could not see may have put it there."""
        ...

    def content(self, path: str) -> str | None:
        """The text of a file whose content the model keeps (a conda environment file), else None."""
        ...

    def which(self, name: str, path: str | None, cwd: str) -> Lookup:
        """The program a command named `name` runs with PATH `path` in `cwd` (see `programs.which`)."""
        ...


def unknown(word: str | None) -> bool:
    """A value venvlint cannot know (a command substitution, a variable of an image it does not know)."""
    return word is not None and UNKNOWN_MARK in word


@dataclass
class Context:
    """One reader's view: the environment as the tool sees it, its working directory, the probe; `unread`
    collects what could not be read."""

    env: Mapping[str, str]
    cwd: str
    probe: Probe
    unread: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Only the variables the build sets: where the image's environment is not all known (`OpenVars`), the
        # tool is read as if the image set none of them, and the write-need analysis says it assumes so.
        self.env = dict(dict.items(self.env)) if isinstance(self.env, dict) else dict(self.env)

    def path(self, p: str) -> str:
        return normpath(p, self.cwd)

    def known(self, value: str | None, what: str) -> str | None:
        """`value` if it is known; else None, and `what` is said as unread."""
        if value is None or not unknown(value):
            return value
        self.unread.append(f"{what} is computed at build time")
        return None

    def var(self, name: str) -> str | None:
        return self.known(self.env.get(name), f"${name}")

    def flag_var(self, name: str) -> bool | None:
        """A boolean variable as the tools read it: True, False (unset or false), or None (not a boolean)."""
        value = self.var(name)
        if value is None:
            return None if name in self.env else False
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        self.unread.append(f"${name}={value!r} is not a value the tool reads as true or false")
        return None

    def active_env(self, exe: str) -> EnvTarget | None:
        """The environment of the interpreter that runs `exe` (pip, `python -m pip`): the venv of the program the
        command names (by path, or the one PATH finds), else None (the system's Python). pip, unlike uv, does not
        read $VIRTUAL_ENV (measured: with VIRTUAL_ENV set and the venv off PATH, `pip` is the system's)."""
        version = python_version(exe, self.env)
        found = self.which(exe)
        if found.found is Found.YES and found.path is not None:
            if '/libexec/pyenv" exec ' in (self.probe.content(found.path) or ""):
                self.unread.append(f"`{exe}` is a pyenv shim: which version's environment it installs into is not "
                                   "modelled")  # fmt: skip
                return EnvTarget(Scheme.ENV, None, "not known")
            return self._env_of(found.path, version)
        if found.found is Found.NO:
            self.unread.append(f"`{exe}` is not on PATH in the model")
            return EnvTarget(Scheme.ENV, None, "not known")
        envs = [self._env_of(c, version) for c in found.candidates]
        roots = {e.path if e is not None else None for e in envs}
        if not found.open_end and len(roots) == 1:
            return envs[0]  # whichever of them it is, it runs in the same environment (or in none)
        # A venv's bin holds its pip and python (venv, virtualenv): the first place that may hold the program is
        # the one that runs when it is a venv's.
        if envs and envs[0] is not None:
            return envs[0]
        if found.open_end and not found.candidates:
            return self.unknown_path()
        places = ", ".join(posixpath.dirname(c) for c in found.candidates[:2])
        self.unread.append(f"which `{exe}` runs, and so which environment it installs into, is not known ({places} "
                           "may hold one that something venvlint does not model put there)")  # fmt: skip
        return EnvTarget(Scheme.ENV, None, "not known")

    def _env_of(self, program: str, version: str | None) -> EnvTarget | None:
        bindir = posixpath.dirname(program)
        root = posixpath.dirname(bindir)
        if posixpath.basename(bindir) == "bin" and self.probe.is_env(root):
            return EnvTarget(Scheme.ENV, root, f"the environment of {program}", python_version=version)
        return None

    def which(self, name: str) -> Lookup:
        """The program `name` runs with this environment's PATH, in its working directory."""
        return self.probe.which(name, self.env.get("PATH"), self.cwd)

    def unknown_path(self) -> EnvTarget:
        """PATH holds a directory venvlint cannot know before any it knows: which environment runs is not known."""
        self.unread.append("which environment it runs in is not known (PATH holds a directory whose value is not "
                           "known here)")  # fmt: skip
        return EnvTarget(Scheme.ENV, None, "not known")

    def cache(self, tool: Tool, subdir: str, explicit: str | None, source: str, fatal: bool) -> CacheSpec:
        xdg = self.var("XDG_CACHE_HOME")
        return CacheSpec(
            tool,
            subdir,
            self.path(explicit) if explicit else None,
            source if explicit else "",
            fatal,
            self.path(xdg) if xdg else None,
        )


def python_version(name: str, env: Mapping[str, str]) -> str | None:
    """X.Y from an interpreter name (`python3.12`, `/usr/bin/python3.11`, `3.12`), else the image's
    PYTHON_VERSION."""
    m = re.search(r"(\d\.\d+)", posixpath.basename(name)) if name else None
    if m:
        return m.group(1)
    v = env.get("PYTHON_VERSION", "")
    m = re.match(r"(\d\.\d+)", v)
    return m.group(1) if m else None


class FileSystemProbe:
    """The probe over a model filesystem: an environment is a directory holding pyvenv.cfg or conda-meta. `home`:
    the HOME of the user running the tool, for paths given as `~/...` (unknown: such a path is never found)."""

    def __init__(self, fs: FileSystem, home: str | None = None) -> None:
        self.fs = fs
        self.home = home

    def is_env(self, path: str) -> bool:
        nodes = self.fs.nodes
        return posixpath.join(path, "pyvenv.cfg") in nodes or posixpath.join(path, "conda-meta") in nodes

    def _here(self, path: str) -> str | None:
        """`path` with `~/` made the HOME of the user running the tool (None when that is not known)."""
        if not path.startswith("~/"):
            return path
        return posixpath.join(self.home, path[2:]) if self.home is not None else None

    def exists(self, path: str) -> bool:
        here = self._here(path)
        return here is not None and self.fs.get(self.fs.resolve(here)) is not None

    def absent(self, path: str) -> bool:
        if path.startswith("~/"):
            return False
        return self.fs.is_known_absent(self.fs.resolve(path))

    def may_exist(self, path: str) -> bool:
        here = self._here(path)
        return here is not None and (self.exists(here) or self.fs.may_be_copied(self.fs.resolve(here)))

    def content(self, path: str) -> str | None:
        here = self._here(path)
        node = self.fs.get(self.fs.resolve(here)) if here is not None else None
        return node.tag("content") if node is not None else None

    def which(self, name: str, path: str | None, cwd: str) -> Lookup:
        return which(name, path, self.fs, cwd)


def system_site_packages(fs: FileSystem, version: str | None) -> list[str]:
    """The interpreter's site-packages directories the model holds (/usr/local/lib/pythonX.Y/site-packages,
    /usr/lib/python3/dist-packages)."""
    out: list[str] = []
    for base in ("/usr/local/lib", "/usr/lib"):
        for c in fs.children(base):
            name = posixpath.basename(c)
            if not name.startswith("python") or (version and name not in (f"python{version}", "python3")):
                continue
            for leaf in ("site-packages", "dist-packages"):
                p = posixpath.join(c, leaf)
                if fs.get(p) is not None:
                    out.append(p)
        if out:
            return out
    return out
