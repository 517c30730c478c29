"""Shell builtins and user switching: cd, set, umask, true/false, exec, `sh -c`, test/[, and sudo, gosu, su-exec,
runuser, su, setpriv, chpst (the inner command runs as that user)."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from ...model.access import ROOT
from ...model.fs import Kind
from ..identity import run_identity
from .base import ShellContext, parse_flags


def cd(sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    target = argv[1] if len(argv) > 1 else env.get("HOME", "/")
    sh.cwd = sh.path(target)
    return 0


def set_(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    for a in argv[1:]:
        if a.startswith("-") and "e" in a[1:]:
            sh.errexit = True
        elif a.startswith("+") and "e" in a[1:]:
            sh.errexit = False
        elif a == "-o" or a == "errexit":
            sh.errexit = True if a == "errexit" else sh.errexit
    return 0


def umask(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    if len(argv) > 1 and re.fullmatch(r"[0-7]{1,4}", argv[1]):
        sh.umask = int(argv[1], 8)
    return 0


def true_(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    return 0


def false_(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    return 1


def shell_c(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    if "-c" in argv[1:3]:
        i = argv.index("-c")
        if i + 1 < len(argv):
            return sh.run_nested(argv[i + 1])
    if len(argv) > 1 and not argv[1].startswith("-"):
        sh.assume(f"`{' '.join(argv)[:60]}` runs a script venvlint cannot see: its effects are not in the model")
    return 0


def exec_(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    return sh.dispatch(list(argv[1:]), env, out, append, stdin) if len(argv) > 1 else 0


def sudo(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    _, values, ops = parse_flags(argv[1:], {"-u", "--user"})
    who = values.get("-u") or values.get("--user")
    ident = run_identity(who, sh.state.users).identity if who else ROOT
    return sh.run_as(ident, list(ops), env)


def as_user(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    """gosu USER cmd / su-exec USER cmd / runuser -u USER -- cmd / su USER -c 'cmd' / setpriv --reuid U cmd."""
    name = posixpath.basename(argv[0])
    args = argv[1:]
    user: str | None = None
    cmd: list[str] = []
    script: str | None = None
    if name in ("gosu", "su-exec", "chpst"):
        if args and name == "chpst" and args[0] == "-u" and len(args) > 1:
            args = args[1:]
        if args:
            user, cmd = args[0], args[1:]
    elif name == "runuser":
        _, values, ops = parse_flags(args, {"-u", "--user", "-c", "--command"})
        user = values.get("-u") or values.get("--user")
        script = values.get("-c") or values.get("--command")
        cmd = ops if user else ops[1:]
        if user is None and ops:
            user = ops[0]
    elif name == "su":
        _, values, ops = parse_flags(args, {"-c", "--command", "-s", "--shell"})
        script = values.get("-c") or values.get("--command")
        ops = [o for o in ops if o != "-"]
        user = ops[0] if ops else "root"
    elif name == "setpriv":
        _, values, ops = parse_flags(args, {"--reuid", "--regid", "--groups"})
        uid = values.get("--reuid")
        gid = values.get("--regid")
        user = f"{uid}:{gid}" if uid and gid else uid
        cmd = ops
    if user is None:
        return 0
    ident = run_identity(user, sh.state.users).identity
    if script is not None:
        return sh.run_nested(script, ident)
    return sh.run_as(ident, list(cmd), env) if cmd else 0


def test_cmd(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    args = argv[1:]
    if args and args[-1] == "]":
        args = args[:-1]
    r = decide(sh, args)
    return 0 if r is None else r


def decide(sh: ShellContext, args: list[str]) -> int | None:
    if len(args) == 2 and args[0] in ("-d", "-e", "-f", "-L", "-h"):
        fs = sh.state.fs
        path = sh.path(args[1])
        node = fs.get(fs.resolve(path, follow_last=args[0] not in ("-L", "-h")))
        if node is None:
            return 1 if fs.complete else None
        ok = {
            "-d": node.kind is Kind.DIR,
            "-f": node.kind is Kind.FILE,
            "-e": True,
            "-L": node.kind is Kind.SYMLINK,
            "-h": node.kind is Kind.SYMLINK,
        }[args[0]]
        return 0 if ok else 1
    if len(args) == 3 and args[1] in ("=", "==", "!="):
        eq = args[0] == args[2]
        return 0 if (eq if args[1] != "!=" else not eq) else 1
    if len(args) == 2 and args[0] in ("-n", "-z"):
        return 0 if (bool(args[1]) == (args[0] == "-n")) else 1
    return None


def test(sh: ShellContext, node: Any) -> int | None:
    from ..words import word

    words: list[str] = []
    for c in node.named_children:
        for leaf in [c] if c.type not in ("unary_expression", "binary_expression") else c.children:
            w = word(leaf, sh.src, sh.vars) if leaf.is_named else leaf.type
            if w is None:
                return None
            words.append(w)
    return decide(sh, words)
