"""The one reader of Python tool command lines: `read(argv, env, cwd, probe)` gives the `Invocation` the simulator
replays and the write-need analysis checks, or None for a command that is not a Python tool.

Every form of a tool is one reader: `pip3.12 install`, `python -m pip install` and `/opt/venv/bin/pip install` all
reach `read_pip`; `uvx` is `uv tool run`; `python -m PyInstaller` is `pyinstaller`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence

from .context import Context, Probe, unknown
from .model import Invocation, Tool
from .pip import read_pip
from .uv import read_uv

# The readers of the rarer tools are imported when a Dockerfile runs one: every lint pays for the imports of the
# lint path (bench/RESULTS.md), most Dockerfiles run only pip or uv.

PYTHON = re.compile(r"python(\d+(\.\d+)?)?")
PIP = re.compile(r"pip(\d+(\.\d+)?)?")
# Interpreter options that take a value (`python -X dev -m pip`), and those that end the options (`-c`).
_PY_VALUE = frozenset({"-X", "-W", "--check-hash-based-pycs"})
# What `python -m MODULE` runs, for the modules that are tools.
MODULES = {"pip": "pip", "venv": "venv", "virtualenv": "virtualenv", "uv": "uv", "poetry": "poetry",
           "pipenv": "pipenv", "pdm": "pdm", "hatch": "hatch", "pipx": "pipx", "py_compile": "py_compile",
           "compileall": "compileall", "PyInstaller": "pyinstaller", "conda": "conda", "build": "pyproject-build"}  # fmt: skip
NAMES = frozenset({"uv", "uvx", "poetry", "pipenv", "pdm", "hatch", "pipx", "virtualenv", "conda", "mamba",
                   "micromamba", "pyinstaller", "pyproject-build"})  # fmt: skip


def tool_name(argv: Sequence[str]) -> str | None:
    """The tool a command line runs (`pip`, `uv`, `venv`, ...), without reading it; None if it is none of them."""
    if not argv or unknown(argv[0]):
        return None
    name = posixpath.basename(argv[0])
    if PIP.fullmatch(name):
        return "pip"
    if name in NAMES:
        return name
    if PYTHON.fullmatch(name):
        module = _module(list(argv[1:]))
        if module is None:
            return "setup.py" if _setup_py(list(argv[1:])) is not None else None
        return MODULES.get(module[0])
    return None


def read(argv: Sequence[str], env: Mapping[str, str], cwd: str, probe: Probe) -> Invocation | None:
    """The invocation `argv` makes with `env` in `cwd`, or None when it is not a Python tool venvlint reads."""
    if not argv or unknown(argv[0]):
        return None
    ctx = Context(env, cwd, probe)
    name = posixpath.basename(argv[0])
    args = list(argv[1:])
    if PIP.fullmatch(name):
        return read_pip(ctx, argv[0], args)
    if PYTHON.fullmatch(name):
        module = _module(args)
        if module is None:
            script = _setup_py(args)
            if script is None:
                return None
            from .builds import read_setup_py

            return read_setup_py(ctx, script[1])
        mod, rest = module
        if mod == "pip":
            before = args[: len(args) - len(rest)]
            no_user_site = any(a.startswith("-") and not a.startswith("--") and ("s" in a or "I" in a)
                               and a not in _PY_VALUE for a in before)  # fmt: skip
            return read_pip(ctx, argv[0], rest, no_user_site)
        if mod == "venv":
            from .envs import read_venv

            return read_venv(ctx, argv[0], rest)
        if mod in ("py_compile", "compileall"):
            from .compile import read_compileall, read_py_compile

            return (read_py_compile if mod == "py_compile" else read_compileall)(ctx, rest)
        if mod in MODULES:
            return _by_name(ctx, MODULES[mod], rest, argv[0])
        return None
    return _by_name(ctx, name, args, argv[0])


def _by_name(ctx: Context, name: str, args: list[str], exe: str) -> Invocation | None:
    if name in ("uv", "uvx"):
        return read_uv(ctx, args, uvx=name == "uvx")
    if name in ("poetry", "pipenv", "pdm", "hatch"):
        from . import projects

        reader = {"poetry": projects.read_poetry, "pipenv": projects.read_pipenv, "pdm": projects.read_pdm,
                  "hatch": projects.read_hatch}[name]  # fmt: skip
        return reader(ctx, args)
    if name in ("pipx", "virtualenv"):
        from .envs import read_pipx, read_virtualenv

        return (read_pipx if name == "pipx" else read_virtualenv)(ctx, args)
    if name == "pyproject-build":
        from .builds import read_build

        return read_build(ctx, args)
    if name == "pyinstaller":
        from .compile import read_pyinstaller

        return read_pyinstaller(ctx, args)
    if name in ("conda", "mamba", "micromamba"):
        from .conda import read_conda

        return read_conda(ctx, Tool(name), args, exe)
    return None


def _module(args: list[str]) -> tuple[str, list[str]] | None:
    """(module, its arguments) of `python [options] -m MODULE ...`, or None (a script, `-c`, stdin)."""
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-m" and i + 1 < len(args):
            return args[i + 1], args[i + 2 :]
        if a.startswith("-m") and len(a) > 2:
            return a[2:], args[i + 1 :]
        if a in _PY_VALUE:
            i += 2
            continue
        if not a.startswith("-") or a.startswith("-c") or a == "-":
            return None
        i += 1
    return None


def _setup_py(args: list[str]) -> tuple[str, list[str]] | None:
    """(script, its arguments) of `python [options] setup.py ...` run from the directory that holds it, or None
    (another script; a setup.py elsewhere, whose paths venvlint does not place)."""
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] not in ("-c", "-m", "-"):
        i += 2 if args[i] in _PY_VALUE else 1
    if i < len(args) and args[i] in ("setup.py", "./setup.py"):
        return args[i], args[i + 1 :]
    return None
