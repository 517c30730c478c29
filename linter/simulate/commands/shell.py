"""Shell builtins and user switching: cd, set, umask, true/false, exec, `sh -c`, `sh` reading a script from its
input, test/[, command -v/which, source (a venv's activate), env and other wrappers that run a command, and sudo,
gosu, su-exec, runuser, su, setpriv, chpst (the inner command runs as that user, with that user's HOME)."""

from __future__ import annotations

import posixpath
import re

from ...model.access import ROOT, Identity
from ...model.fs import Kind
from ...resolve.expand import unknown_value
from ...tools.options import OptionSpec
from ...tools.programs import Found, which
from ..identity import home_of, run_identity
from .base import ShellContext, Status, UnknownPath, is_unknown, parse_flags
from .unmodelled import not_modelled

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})


def cd(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    target = argv[1] if len(argv) > 1 else env.get("HOME")
    if target == "-":
        return 0
    try:
        sh.cwd = sh.path(target) if target is not None and not is_unknown(target) else unknown_value("PWD")
    except UnknownPath:
        sh.cwd = unknown_value("PWD")  # relative paths from here on are not known
    return 0


def exit_(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """`exit [N]` (and `return`): the script stops."""
    status = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 0
    return sh.exit(status)


def set_(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    for a in argv[1:]:
        if a.startswith("-") and "e" in a[1:]:
            sh.errexit = True
        elif a.startswith("+") and "e" in a[1:]:
            sh.errexit = False
        elif a == "errexit":
            sh.errexit = True
    return 0


def umask(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    if len(argv) > 1 and re.fullmatch(r"[0-7]{1,4}", argv[1]):
        sh.umask = int(argv[1], 8)
    return 0


def true_(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    return 0


def false_(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    return 1


def shell_c(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """`sh -c SCRIPT` runs SCRIPT; `sh` with no script reads one from its input (a here-document is modelled,
    `curl ... | sh` is not); `sh FILE` runs a file venvlint cannot see."""
    if "-c" in argv[1:3]:
        i = argv.index("-c")
        if i + 1 < len(argv):
            return sh.run_nested(argv[i + 1])
    rest = [a for a in argv[1:] if a not in ("-e", "-x", "-eux", "-ex", "-eu", "-xe", "-s", "-")]
    if not rest:
        if stdin is not None:
            return sh.run_nested(stdin)
        return not_modelled(sh, argv, "it runs a script from its input")
    return not_modelled(sh, argv, "it runs a script venvlint cannot see")


def exec_(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    return sh.dispatch(list(argv[1:]), env, out, append, stdin) if len(argv) > 1 else 0


def busybox(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """`busybox APPLET ARGS` runs the applet; `busybox --install [-s] [DIR]` links the applets into DIR, or into
    /bin, /sbin, /usr/bin and /usr/sbin (only those listings change)."""
    args = argv[1:]
    if args and args[0] == "--install":
        dirs = [a for a in args[1:] if not a.startswith("-")] or ["/bin", "/sbin", "/usr/bin", "/usr/sbin"]
        for d in dirs:
            sh.fs.mark_open(sh.path(d), with_parent=False)
        return 0
    return sh.dispatch(list(args), env, out, append, stdin) if args else 0


def wrapper(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """`nice`, `nohup`, `time`, `timeout N`, `stdbuf -oL`: run the command that follows the options."""
    name = posixpath.basename(argv[0])
    rest = argv[1:]
    while rest and rest[0].startswith("-"):
        rest = rest[1:]
    if name == "timeout" and rest:
        rest = rest[1:]
    return sh.dispatch(list(rest), env, out, append, stdin) if rest else 0


def env_(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """`env [-i] [-u NAME] [NAME=VALUE...] [COMMAND...]`: run COMMAND with that environment."""
    rest = argv[1:]
    new = env.copy()  # an open environment stays open
    while rest:
        a = rest[0]
        if a in ("-i", "--ignore-environment", "-"):
            new = {}
        elif a in ("-u", "--unset") and len(rest) > 1:
            new.pop(rest[1], None)
            rest = rest[1:]
        elif a.startswith("-"):
            pass
        elif "=" in a:
            k, _, v = a.partition("=")
            new[k] = v
        else:
            break
        rest = rest[1:]
    return sh.dispatch(list(rest), new, out, append, stdin) if rest else 0


def command_v(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """`command -v NAME` / `which NAME`: found on PATH in the model (0), known absent from every PATH directory
    (1), or unknown; `command CMD` runs CMD."""
    name = posixpath.basename(argv[0])
    args = argv[1:]
    if name == "command":
        if not args or args[0] not in ("-v", "-V"):
            return sh.dispatch(list(args[1:] if args and args[0] == "-p" else args), env, out, append, stdin)
        args = args[1:]
    args = [a for a in args if not a.startswith("-")]
    if not args:
        return 1
    status: Status = 0
    for prog in args:
        if is_unknown(prog):
            return None
        found = which(prog, env.get("PATH"), sh.fs, sh.cwd).found
        if found is Found.NO:
            status = 1
        elif found is Found.UNKNOWN:
            return None
    return status


def source(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """`. VENV/bin/activate` sets VIRTUAL_ENV and puts VENV/bin first on PATH; any other script is not modelled
    (and the variables it may set are unknown from then on)."""
    if len(argv) < 2 or is_unknown(argv[1]):
        return not_modelled(sh, argv, "it runs a script venvlint cannot see")
    path = posixpath.normpath(sh.path(argv[1]))
    if posixpath.basename(path) == "activate" and posixpath.basename(posixpath.dirname(path)) == "bin":
        venv = posixpath.dirname(posixpath.dirname(path))
        sh.vars["VIRTUAL_ENV"] = venv
        sh.vars["PATH"] = f"{venv}/bin:{sh.vars.get('PATH', '')}".rstrip(":")
        return 0
    sh.open_variables()
    return not_modelled(sh, argv, "it runs a script venvlint cannot see")


def sudo(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    values, command = options_then_command(argv[1:], SUDO_OPTIONS)
    who = values.get("--user")  # `-u` too: an option's values are kept under its last spelling
    if who is not None and is_unknown(who):
        return not_modelled(sh, argv, "the user it switches to is computed at build time")
    ident = run_identity(who, sh.users).identity if who else ROOT
    return _run_as(sh, ident, command, _user_env(sh, ident, env))


# The options of sudo and setpriv that take a value (the rest are flags).
SUDO_OPTIONS = OptionSpec(
    ("-u", "--user"), ("-g", "--group"), ("-C", "--close-from"), ("-h", "--host"), ("-p", "--prompt"),
    ("-r", "--role"), ("-t", "--type"), ("-U", "--other-user"), ("-D", "--chdir"), ("-R", "--chroot"),
    ("-T", "--command-timeout"),
)  # fmt: skip
SETPRIV_OPTIONS = OptionSpec(
    "--reuid", "--regid", "--ruid", "--euid", "--rgid", "--egid", "--groups", "--inh-caps", "--ambient-caps",
    "--bounding-set", "--securebits", "--selinux-label", "--apparmor-profile", "--pdeathsig", "--landlock-access",
    "--landlock-rule",
)  # fmt: skip


def options_then_command(args: list[str], options: OptionSpec) -> tuple[dict[str, str], list[str]]:
    """A wrapper's own options (up to `--` or the first word that is not one) and the command that follows, read
    by the one option reader the Python tools use."""
    p = options.parse(args, stop_after=1)
    return {k: v[-1] for k, v in p.values.items()}, [*p.operands, *p.rest]


def _user_env(sh: ShellContext, ident: Identity, env: dict[str, str]) -> dict[str, str]:
    """The environment a user switch gives the inner command: HOME is the target user's (su, gosu, runuser and
    sudo all set it), unknown when the user's home is."""
    new = env.copy()  # an open environment stays open
    home = home_of(ident, sh.users)
    if home is None:
        new.pop("HOME", None)
    else:
        new["HOME"] = home
    return new


def _run_as(sh: ShellContext, ident: Identity, argv: list[str], env: dict[str, str]) -> Status:
    if ident.uid is None and not ident.arbitrary:
        return not_modelled(sh, argv or ["(switching user)"], f"it runs as {ident.label()}, who is not known")
    return sh.run_as(ident, list(argv), env) if argv else 0


def as_user(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """gosu USER cmd / su-exec USER cmd / runuser -u USER -- cmd / su USER -c 'cmd' / setpriv --reuid U cmd."""
    name = posixpath.basename(argv[0])
    args = argv[1:]
    user: str | None = None
    cmd: list[str] = []
    script: str | None = None
    keep_env = False
    if name in ("gosu", "su-exec", "chpst"):
        if args and name == "chpst" and args[0] == "-u" and len(args) > 1:
            args = args[1:]
        if args:
            user, cmd = args[0], args[1:]
    elif name == "runuser":
        _, values, ops = parse_flags(args, {"-u", "--user", "-c", "--command", "-g", "--group"})
        user = values.get("-u") or values.get("--user")
        script = values.get("-c") or values.get("--command")
        cmd = ops if user else ops[1:]
        if user is None and ops:
            user = ops[0]
    elif name == "su":
        flags, values, ops = parse_flags(args, {"-c", "--command", "-s", "--shell", "-g", "--group"})
        script = values.get("-c") or values.get("--command")
        keep_env = bool({"-m", "-p", "--preserve-environment"} & flags)
        ops = [o for o in ops if o != "-"]
        user = ops[0] if ops else "root"
    elif name == "setpriv":
        values, cmd = options_then_command(args, SETPRIV_OPTIONS)
        uid = values.get("--reuid")
        gid = values.get("--regid")
        user = f"{uid}:{gid}" if uid and gid else uid
        keep_env = True  # setpriv changes ids only
    if user is None:
        return 0
    if is_unknown(user):
        return not_modelled(sh, argv, "the user it switches to is computed at build time")
    ident = run_identity(user, sh.users).identity
    if ident.uid is None and not ident.arbitrary:
        return not_modelled(sh, argv, f"it runs as {ident.label()}, who is not known")
    new_env = env if keep_env else _user_env(sh, ident, env)
    if script is not None:
        return sh.run_nested(script, ident, new_env)
    return sh.run_as(ident, list(cmd), new_env) if cmd else 0


def test_cmd(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    args = argv[1:]
    if args and args[-1] == "]":
        args = args[:-1]
    return decide(sh, args)


def decide(sh: ShellContext, args: list[str]) -> Status:
    """A `test` expression on the model: 0 true, 1 false, None when venvlint cannot tell."""
    if any(is_unknown(a) for a in args):
        return None
    if args and args[0] == "!":
        inner = decide(sh, args[1:])
        return None if inner is None else (0 if inner else 1)
    if len(args) == 2 and args[0] in ("-d", "-e", "-f", "-L", "-h", "-s", "-x", "-r", "-w"):
        fs = sh.fs
        path = sh.path(args[1])
        node = fs.get(fs.resolve(path, follow_last=args[0] not in ("-L", "-h")))
        if node is None:
            return 1 if fs.is_known_absent(fs.resolve(path)) else None
        if args[0] in ("-s", "-x", "-r", "-w") or node.may_be_absent:
            return None
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
    if len(args) == 1:
        return 0 if args[0] else 1
    return None
