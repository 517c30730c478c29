"""What the commands of a RUN script do to the model, one module per family:

- `files`: mkdir, touch, chown/chgrp, chmod, rm, ln, install, cp/mv, tee, writing files, fix-permissions;
- `shell`: shell builtins (cd, set, umask, test, exec, `sh -c`) and switching users (sudo, gosu, su, runuser, ...);
- `accounts`: useradd, adduser, groupadd, usermod;
- `python`: venv/virtualenv, pip, uv, poetry and the other Python tools.

A new command goes into its family's module and into `HANDLERS` below. The RUN interpreter (`simulate.script`)
calls `dispatch`; commands reach the interpreter only through the `base.ShellContext` protocol.
"""

from __future__ import annotations

import posixpath
import re

from . import accounts, files, python, shell
from .base import Argv, Handler, ShellContext, parse_mounts

PACKAGE_MANAGERS = {
    "apt-get",
    "apt",
    "dpkg",
    "dnf",
    "yum",
    "microdnf",
    "rpm",
    "apk",
    "zypper",
    "curl",
    "wget",
    "echo",
    "printf",
    "cat",
    "ls",
    "grep",
    "sed",
    "awk",
    "find",
    "test",
    "[",
    "which",
    "command",
    "true",
    ":",
    "export",
    "cd",
    "rpm-file-permissions",
    "update-ca-certificates",
    "ldconfig",
    "git",
    "tar",
    "unzip",
    "gzip",
    "sleep",
    "env",
    "npm",
    "node",
    "yarn",
    "make",
    "gcc",
    "cc",
    "go",
    "cargo",
    "dnf-3",
    "localedef",
    "locale-gen",
    "sha256sum",
    "gpg",
    "mktemp",
    "readlink",
    "dirname",
    "basename",
    "id",
    "whoami",
    "uname",
    "date",
    "head",
    "tail",
    "sort",
    "tr",
    "cut",
    "xargs",
    "exit",
    "return",
    "source",
    ".",
    "wc",
    "diff",
    "cmp",
    "stat",
    "du",
    "df",
}


def dispatch(
    sh: ShellContext, argv: Argv, env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    if argv and argv[0] is None:
        sh.assume("a command whose name is computed at build time was not interpreted")
        return 0
    words = [a for a in argv if a is not None]
    if not words:
        return 0
    unknown_args = any(a is None for a in argv)
    name = posixpath.basename(words[0])
    handler = HANDLERS.get(name)
    if re.fullmatch(r"python[0-9.]*", name):
        handler = python.python
    elif re.fullmatch(r"pip[0-9.]*", name):
        handler = python.pip
    if handler is not None and unknown_args and name not in ("echo", "printf", "cat", "tee"):
        sh.assume(f"`{name}` has arguments computed at build time: its effects are not in the model")
        return 0
    if handler is None:
        status = 0
        if words[0].endswith(".sh") or words[0].startswith(("./", "/tmp/")) or name in ("make", "ansible-playbook"):
            sh.assume(f"`{' '.join(words)[:60]}` runs a script venvlint cannot see: its effects are not in the model")
        elif name not in PACKAGE_MANAGERS and name in ("chattr", "setfacl", "rsync"):
            sh.assume(f"`{name}` is not modelled: its effects on owners and modes are not in the model")
        if out is not None:
            status = files.write_file(sh, out, None, append, words)
        return status
    status = handler(sh, words, env, out, append, stdin)
    return status


HANDLERS: dict[str, Handler] = {
    "mkdir": files.mkdir,
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
    "virtualenv": lambda sh, a, e, o, ap, si: (
        python.make_venv(sh, a[-1], python.py_version("", e), a, None)
        if len(a) > 1 and not a[-1].startswith("-")
        else 0
    ),
    "pip": python.pip,
    "uv": python.uv,
    "poetry": python.poetry,
    "pipx": python.simple_tool,
    "conda": python.simple_tool,
    "mamba": python.simple_tool,
    "micromamba": python.simple_tool,
    "fix-permissions": files.fix_permissions,
}

__all__ = ["HANDLERS", "Argv", "Handler", "ShellContext", "dispatch", "parse_mounts"]
