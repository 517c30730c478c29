"""Package builds that write into the source directory: `python setup.py CMD...` and `python -m build` (also
`pyproject-build`), measured with setuptools 84.2.1 and build 1.6.1 as uid 1001 in a root-owned directory
(docs/MEASUREMENTS.md, "Writes into the working directory (issue 21)").

- `python setup.py egg_info|build|bdist_wheel|sdist|install|develop ...` writes `<name>.egg-info` into the working
  directory (every one of them runs egg_info first: `error: could not create 'pkg.egg-info': Permission denied`),
  `build/` (build, bdist_*, install) and `dist/` (bdist_*, sdist), all relative to the working directory.
- `python -m build [SRCDIR]` writes the sdist and wheel into `--outdir` (default `SRCDIR/dist`); a setuptools
  backend also writes `<name>.egg-info` (and `build/` for a wheel built from the tree) into SRCDIR, even with
  `--outdir` elsewhere; poetry-core writes nothing there. Its isolated build environment goes to the temp directory.
"""

from __future__ import annotations

import posixpath
import re

from .context import Context, unknown
from .model import Act, Invocation, Need, Role, TempUse, Tool, Write
from .options import OptionSpec

# setup.py commands whose writes were measured; every other command is said as not modelled.
_EGG_INFO = frozenset({"egg_info", "build", "build_py", "build_ext", "bdist_wheel", "bdist", "bdist_egg", "sdist",
                       "install", "develop"})  # fmt: skip
_BUILD_DIR = frozenset({"build", "build_py", "build_ext", "bdist_wheel", "bdist", "bdist_egg", "install"})
_DIST_DIR = frozenset({"bdist_wheel", "bdist", "bdist_egg", "sdist"})
# Options of those commands that take a value, and which of them move build/ or dist/ (or the egg-info).
_VALUE_OPTIONS = {("-d", "--dist-dir"): "dist", ("-b", "--build-base"): "build", ("-e", "--egg-base"): "egg",
                  ("-t", "--build-temp"): "", ("--root",): "", ("--prefix",): "", ("-p", "--plat-name"): "",
                  ("--python-tag",): "", ("--formats",): "", ("-j", "--parallel"): ""}  # fmt: skip
BUILD = OptionSpec(("-o", "--outdir"), ("-C", "--config-setting"), ("-x", "--installer"), "--env-dir",
                   "--sdist-extract-dir", aliases=[("-s", "--sdist"), ("-w", "--wheel"), ("-n", "--no-isolation")])  # fmt: skip
_BACKEND = re.compile(r"""^\s*build-backend\s*=\s*["']([^"']+)["']""", re.MULTILINE)


def read_setup_py(ctx: Context, args: list[str]) -> Invocation:
    """`python setup.py CMD [options] [CMD [options]...]` run in the directory that holds setup.py (`tools.read`
    reads no other script): every path it writes is relative to the working directory."""
    commands: list[str] = []
    moved: dict[str, str] = {}
    i = 0
    while i < len(args):
        a = args[i]
        if unknown(a):
            ctx.unread.append("a computed argument of setup.py")
            break
        if not a.startswith("-"):
            commands.append(a)
        else:
            name, eq, value = a.partition("=")
            kind = next((k for names, k in _VALUE_OPTIONS.items() if name in names), None)
            if kind is not None and not eq:
                value = args[i + 1] if i + 1 < len(args) else ""
                i += 1
            if kind:
                where = ctx.known(value, name)
                if where is None:
                    ctx.unread.append(f"setup.py's {name} is computed")
                else:
                    moved[kind] = ctx.path(where)
        i += 1
    odd = [c for c in commands if c not in _EGG_INFO]
    if not commands or odd:
        what = f"`setup.py {' '.join(odd)}`" if odd else "setup.py without a command"
        ctx.unread.append(f"what {what} writes is not modelled")
        return Invocation(Tool.SETUPTOOLS, Act.OTHER, " ".join(commands), unread=tuple(ctx.unread))
    egg = moved.get("egg", ctx.cwd)
    writes = [Write(egg, False, Need.FATAL, Role.BUILD_OUTPUT,
                    f"setuptools creates the project's .egg-info directory in {egg}")]  # fmt: skip
    if _BUILD_DIR & set(commands):
        where = moved.get("build", ctx.path("build"))
        writes.append(Write(where, True, Need.FATAL, Role.BUILD_OUTPUT, f"setuptools builds into {where}"))
    if _DIST_DIR & set(commands):
        where = moved.get("dist", ctx.path("dist"))
        writes.append(Write(where, True, Need.FATAL, Role.BUILD_OUTPUT, f"setuptools writes the archives into {where}"))
    return Invocation(Tool.SETUPTOOLS, Act.BUILD, " ".join(commands), writes=_unique(writes), temp=TempUse.PYTHON,
                      unread=tuple(ctx.unread), steering=("TMPDIR",))  # fmt: skip


def read_build(ctx: Context, args: list[str]) -> Invocation:
    """`python -m build [SRCDIR] [--outdir DIR]`: the archives into DIR (SRCDIR/dist by default); a setuptools
    backend (the one named in pyproject.toml's [build-system], or the fallback when none is named) also writes
    the egg-info into SRCDIR. Where pyproject.toml is not in the model, that write is conditional on it."""
    p = BUILD.parse(args)
    source = ctx.known(p.operands[0], "the source directory") if p.operands else "."
    if source is None or len(p.operands) > 1:
        return Invocation(Tool.PYPA_BUILD, Act.OTHER, "build", unread=(*ctx.unread, "the source directory of "
                          "`python -m build` is not known here"))  # fmt: skip
    srcdir = ctx.path(source)
    written = p.last("--outdir")
    out = ctx.known(written, "--outdir") if written is not None else posixpath.join(srcdir, "dist")
    writes: list[Write] = []
    if out is not None:
        out = ctx.path(out)
        writes.append(Write(out, True, Need.FATAL, Role.BUILD_OUTPUT, f"`python -m build` writes the archives "
                            f"into {out}"))  # fmt: skip
    backend = _backend(ctx, srcdir)
    why = f"the setuptools build backend creates the project's .egg-info directory in {srcdir}"
    if backend is None:
        writes.append(Write(srcdir, False, Need.CONDITIONAL, Role.BUILD_OUTPUT, why,
                            condition="the project builds with setuptools (its pyproject.toml is not in the model)"))  # fmt: skip
    elif backend.startswith("setuptools"):
        writes.append(Write(srcdir, False, Need.FATAL, Role.BUILD_OUTPUT, why))
    return Invocation(Tool.PYPA_BUILD, Act.BUILD, "build", writes=_unique(writes), temp=TempUse.PYTHON,
                      unread=tuple(ctx.unread), steering=("TMPDIR",))  # fmt: skip


def _backend(ctx: Context, srcdir: str) -> str | None:
    """The build backend pyproject.toml names; the setuptools fallback where it names none or there is no
    pyproject.toml (setup.py alone, PEP 517); None where the model does not hold the file's text."""
    pyproject = posixpath.join(srcdir, "pyproject.toml")
    text = ctx.probe.content(pyproject)
    if text is None:
        return "setuptools.build_meta:__legacy__" if ctx.probe.absent(pyproject) else None
    m = _BACKEND.search(text)
    return m.group(1).strip() if m else "setuptools.build_meta:__legacy__"


def _unique(writes: list[Write]) -> tuple[Write, ...]:
    seen: dict[str, Write] = {}
    for w in writes:
        seen.setdefault(w.path, w)
    return tuple(seen.values())
