"""What the commands of a RUN script do to the model, one module per family:

- `files`: mkdir, touch, chown/chgrp, chmod, rm, ln, install, cp/mv, tee, writing files, fix-permissions;
- `shell`: shell builtins (cd, set, umask, test, exec, `sh -c`) and switching users (sudo, gosu, su, runuser, ...);
- `accounts`: useradd, adduser, groupadd, usermod;
- `find`: find -exec / -delete and find | xargs;
- `python`: venv/virtualenv, pip, uv, poetry and the other Python tools; `pyenv`: pyenv's versions and shims;
- `unmodelled`: what is not modelled (said, and absence opened below what it could write) or only reads.

A new command goes into its family's module and into `HANDLERS` below. The RUN interpreter (`simulate.script`)
calls `dispatch`; commands reach the interpreter only through the `base.ShellContext` protocol.
"""

from __future__ import annotations

import posixpath
import re

from . import accounts, files, find, pyenv, python, shell, unmodelled
from .base import UNKNOWN_WORD, Argv, Handler, ShellContext, Status, UnknownPath, is_unknown


def dispatch(
    sh: ShellContext, argv: Argv, env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """Run one simple command on the model. `argv` words are None where venvlint cannot know them; `out` is the
    file its standard output is redirected to (written like `>`/`>>`), `stdin` a here-document it reads."""
    if not argv:
        return 0
    if argv[0] is None:
        return unmodelled.not_modelled(sh, [UNKNOWN_WORD, *(a or UNKNOWN_WORD for a in argv[1:])],
                                       "its name is computed at build time")  # fmt: skip
    words = [UNKNOWN_WORD if a is None else a for a in argv]
    name = posixpath.basename(words[0])
    handler = HANDLERS.get(name)
    if handler is None and PYTHON_NAMES.fullmatch(name):
        handler = python.python_tool
    if handler is not None and any(a is None for a in argv) and not getattr(handler, "accepts_unknown", False):
        status = unmodelled.not_modelled(sh, words, "some of its arguments are computed at build time")
    elif handler is not None:
        try:
            status = handler(sh, words, env, out, append, stdin)
        except UnknownPath:
            status = unmodelled.not_modelled(sh, words, "a path it works on is not known here")
        out = None if handler in WRITES_OUTPUT else out
    elif unmodelled.is_read_only(name, words):
        status = unmodelled.read_only(sh, name, words)
    else:
        status = unmodelled.not_modelled(sh, words)
    if out is not None:
        try:
            written = files.write_file(sh, out, None, append, words)
        except UnknownPath:
            written = 0
            sh.assume(f"`{' '.join(w for w in words if not is_unknown(w))}` writes a file venvlint cannot name")
        status = written if written else status
    return status


PYTHON_TOOLS = ("uv", "uvx", "poetry", "pipenv", "pdm", "hatch", "pipx", "virtualenv", "conda", "mamba",
                "micromamba", "pyinstaller", "pyproject-build")  # fmt: skip
HANDLERS: dict[str, Handler] = {
    "mkdir": files.mkdir,
    "pyenv": pyenv.pyenv,
    "touch": files.touch,
    "chown": files.chown,
    "chgrp": files.chown,
    "chmod": files.chmod,
    "rm": files.rm,
    "rmdir": files.rm,
    "ln": files.ln,
    "install": files.install,
    "cp": files.cp_mv,
    "mv": files.cp_mv,
    "tee": files.tee,
    "echo": files.echo,
    "printf": files.echo,
    "cat": files.echo,
    "cd": shell.cd,
    "set": shell.set_,
    "umask": shell.umask,
    "true": shell.true_,
    ":": shell.true_,
    "false": shell.false_,
    "sh": shell.shell_c,
    "bash": shell.shell_c,
    "dash": shell.shell_c,
    "ash": shell.shell_c,
    "exec": shell.exec_,
    "sudo": shell.sudo,
    "gosu": shell.as_user,
    "su-exec": shell.as_user,
    "runuser": shell.as_user,
    "su": shell.as_user,
    "setpriv": shell.as_user,
    "chpst": shell.as_user,
    "test": shell.test_cmd,
    "[": shell.test_cmd,
    "useradd": accounts.useradd,
    "adduser": accounts.useradd,
    "groupadd": accounts.groupadd,
    "addgroup": accounts.groupadd,
    "usermod": accounts.usermod,
    **dict.fromkeys(PYTHON_TOOLS, python.python_tool),
    "fix-permissions": files.fix_permissions,
    "find": find.find,
    "xargs": find.xargs,
    "id": accounts.id_,
    "getent": accounts.getent,
    "command": shell.command_v,
    "which": shell.command_v,
    "env": shell.env_,
    "nice": shell.wrapper,
    "nohup": shell.wrapper,
    "time": shell.wrapper,
    "timeout": shell.wrapper,
    "stdbuf": shell.wrapper,
    "busybox": shell.busybox,
    "exit": shell.exit_,
    "return": shell.exit_,
    "source": shell.source,
    ".": shell.source,
}
# `python3.12`, `pip3`: the interpreter and pip under their versioned names; and the other Python tools.
PYTHON_NAMES = re.compile(r"(python|pip)[0-9.]*")
# Handlers that deal with the command's redirected output themselves (the content they write).
WRITES_OUTPUT = frozenset({files.echo, files.tee})

__all__ = ["HANDLERS", "Argv", "Handler", "ShellContext", "Status", "dispatch"]
