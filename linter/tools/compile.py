"""Bytecode compilers and freezers: `python -m py_compile`, `python -m compileall`, PyInstaller.

py_compile and compileall write `__pycache__/` beside each source (compileall `-b`: the `.pyc` beside the source
itself), or below PYTHONPYCACHEPREFIX; PYTHONDONTWRITEBYTECODE does not stop an explicit compile. PyInstaller
writes `NAME.spec` into `--specpath`, its work files into `--workpath` (`build/`) and the result into `--distpath`
(`dist/`), all relative to the working directory by default. On Linux it writes nothing below HOME (measured with
PyInstaller 6.22 and a read-only HOME: the build succeeds; its bootloader cache is for UPX and macOS/Windows).
"""

from __future__ import annotations

import posixpath
from dataclasses import replace

from .context import Context, unknown
from .model import Act, Invocation, Need, Role, TempUse, Tool, Write
from .options import OptionSpec

COMPILEALL = OptionSpec("-d", "-s", "-p", "-x", "-i", "-j", "-r", "-o", "-e", "--invalidation-mode")
PYINSTALLER = OptionSpec(
    "--distpath", "--workpath", "--specpath", ("-n", "--name"), "--add-data", "--add-binary", ("-p", "--paths"),
    "--hidden-import", "--hiddenimport", "--collect-submodules", "--collect-data", "--collect-datas",
    "--collect-binaries", "--collect-all", "--copy-metadata", "--recursive-copy-metadata", "--additional-hooks-dir",
    "--runtime-hook", "--exclude-module", ("-i", "--icon"), "--upx-dir", "--upx-exclude", "--log-level",
    "--target-architecture", "--target-arch", "--codesign-identity", "--osx-entitlements-file", "--contents-directory",
    "--splash", "--runtime-tmpdir", "--version-file", "--manifest", ("-r", "--resource"), "--python-option",
    "--osx-bundle-identifier", ("-d", "--debug"), "--optimize", "--hide-console",
)  # fmt: skip


def _pycache(ctx: Context, source_dir: str) -> str:
    prefix = ctx.var("PYTHONPYCACHEPREFIX")
    if prefix:
        return posixpath.normpath(ctx.path(prefix) + source_dir)
    return posixpath.join(source_dir, "__pycache__")


def read_py_compile(ctx: Context, args: list[str]) -> Invocation:
    """`python -m py_compile FILE...` (`-` reads the names from standard input: not modelled)."""
    names = [a for a in args if not a.startswith("-") or a == "-"]
    writes: list[Write] = []
    for name in names:
        if name == "-" or unknown(name):
            ctx.unread.append("the files py_compile compiles are not known here")
            continue
        source = ctx.path(name)
        cache = _pycache(ctx, posixpath.dirname(source))
        writes.append(Write(cache, True, Need.FATAL, Role.BYTECODE, f"py_compile writes the bytecode of {source} into "
                            f"{cache}"))  # fmt: skip
    inv = Invocation(
        Tool.PY_COMPILE, Act.COMPILE, "py_compile", writes=_unique(writes), steering=("PYTHONPYCACHEPREFIX",)
    )
    return replace(inv, unread=tuple(ctx.unread))


def read_compileall(ctx: Context, args: list[str]) -> Invocation:
    """`python -m compileall [-b] [-l] DIR|FILE...`: every directory below each DIR (`-l`: only DIR itself)."""
    p = COMPILEALL.parse(args)
    writes: list[Write] = []
    if not p.operands:
        ctx.unread.append("compileall without arguments compiles every directory on sys.path")
    for name in p.operands:
        if unknown(name):
            ctx.unread.append("the directories compileall compiles are not known here")
            continue
        path = ctx.path(name)
        if ctx.probe.absent(path):
            continue  # compileall says "Can't list" and exits 0 (measured): it writes nothing
        legacy = "-b" in p.flags
        recursive = "-l" not in p.flags
        if name.endswith(".py"):
            target = posixpath.dirname(path) if legacy else _pycache(ctx, posixpath.dirname(path))
            recursive = False
        else:
            target = path if legacy else _pycache(ctx, path)
        why = f"compileall writes bytecode {'beside the sources' if legacy else 'into __pycache__'} below {path}"
        writes.append(Write(target, not legacy, Need.FATAL, Role.BYTECODE, why, below=recursive))
    inv = Invocation(Tool.COMPILEALL, Act.COMPILE, "compileall", writes=_unique(writes),
                     steering=("PYTHONPYCACHEPREFIX",))  # fmt: skip
    return replace(inv, unread=tuple(ctx.unread))


def read_pyinstaller(ctx: Context, args: list[str]) -> Invocation:
    p = PYINSTALLER.parse(args)
    writes: list[Write] = []
    scripts = [a for a in p.operands if not unknown(a)]
    if len(scripts) < len(p.operands):
        ctx.unread.append("the script PyInstaller freezes is computed at build time")
    if scripts and not scripts[0].endswith(".spec"):
        spec = ctx.path(ctx.known(p.last("--specpath"), "--specpath") or ".")
        writes.append(
            Write(spec, True, Need.FATAL, Role.BUILD_OUTPUT, f"PyInstaller writes its .spec file into {spec}")
        )
    for option, default, what in (("--workpath", "build", "work files"), ("--distpath", "dist", "the bundle")):
        where = ctx.path(ctx.known(p.last(option), option) or default)
        writes.append(Write(where, True, Need.FATAL, Role.BUILD_OUTPUT, f"PyInstaller writes {what} into {where}"))
    inv = Invocation(Tool.PYINSTALLER, Act.BUILD, "pyinstaller", writes=tuple(writes), temp=TempUse.PYTHON,
                     steering=("TMPDIR",))  # fmt: skip
    return replace(inv, unread=tuple(ctx.unread))


def _unique(writes: list[Write]) -> tuple[Write, ...]:
    seen: dict[str, Write] = {}
    for w in writes:
        seen.setdefault(w.path, w)
    return tuple(seen.values())
