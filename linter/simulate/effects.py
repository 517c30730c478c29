"""What commands of a RUN script do to the model: file operations, accounts, Python environments, tools.

Permissions are checked for non-root users with `model.access`; a denied operation fails the command (status 1)
and is recorded in `state.denied`. Files and directories a command creates belong to the running user (primary
group, or the parent's group under a setgid directory) with mode `0666/0777 & ~umask` (BUILDERS.md rule 8).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..model.access import ROOT, Tri, can_create, can_modify, can_write_dir
from ..model.fs import Kind, Knowledge, Node, ancestors, normpath, parent_of
from ..model.users import User
from .identity import run_identity
from .state import Denied, ToolRun

if TYPE_CHECKING:
    from .script import Shell

Argv = list[str | None]
Handler = Callable[["Shell", list[str], dict[str, str], "str | None", bool, "str | None"], int]

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
# fmt: on


def parse_mounts(mounts: Any, workdir: str) -> list[str]:
    """Targets of cache and tmpfs mounts: writes below them do not persist in the image."""
    out: list[str] = []
    for m in mounts:
        opts = dict(p.split("=", 1) if "=" in p else (p, "") for p in m.split(","))
        kind = opts.get("type", "bind")
        target = opts.get("target") or opts.get("dst") or opts.get("destination")
        if kind in ("cache", "tmpfs", "secret", "ssh", "bind") and target:
            out.append(posixpath.normpath(posixpath.join(workdir, target)))
    return out


def _mounted(sh: Shell, path: str) -> bool:
    return any(path == m or path.startswith(m.rstrip("/") + "/") for m in sh.mounts)


# -- permission helpers -------------------------------------------------------------------------------------------


def deny(sh: Shell, path: str, reason: str, argv: list[str]) -> int:
    sh.error = f"{' '.join(argv)[:80]}: {reason}"
    sh.state.denied.append(Denied(sh.cause.line, path, sh.identity, reason, " ".join(argv)[:120], sh.state.name))
    return 1


def allowed(sh: Shell, verdict_result: Tri, path: str, reason: str, argv: list[str]) -> bool | None:
    if verdict_result is Tri.NO:
        deny(sh, path, reason, argv)
        return False
    if verdict_result is Tri.UNKNOWN:
        sh.assume(f"`{' '.join(argv)[:60]}` was assumed to be allowed to write {path} ({reason})")
    return True


def _owner_for_new(sh: Shell, parent: str) -> tuple[int | None, int | None, bool]:
    node = sh.state.fs.get(parent)
    setgid = node is not None and node.mode is not None and bool(node.mode & 0o2000)
    gid = node.gid if setgid and node is not None else sh.identity.gid
    return sh.identity.uid, gid, setgid


def create_dir(sh: Shell, path: str, mode: int | None, argv: list[str], parents: bool) -> int:
    fs = sh.state.fs
    real = fs.resolve(path)
    if _mounted(sh, real):
        return 0
    chain = [*ancestors(real), real] if parents else [real]
    for p in chain:
        node = fs.get(p)
        if node is not None:
            if p == real and not parents:
                sh.error = f"{argv[0]}: can't create directory '{p}': File exists"
                return 1
            continue
        if not parents and fs.get(parent_of(p)) is None and fs.complete:
            sh.error = f"{argv[0]}: can't create directory '{p}': No such file or directory"
            return 1
        if not sh.identity.is_root:
            v = can_create(fs, sh.identity, p)
            if allowed(sh, v.result, p, v.reason, argv) is False:
                return 1
        uid, gid, setgid = _owner_for_new(sh, parent_of(p))
        m = (0o777 & ~sh.umask) if (mode is None or p != real) else mode
        if setgid:
            m |= 0o2000
        knowledge = Knowledge.KNOWN if fs.is_known_absent(p) else Knowledge.DERIVED
        fs.put(p, Node(Kind.DIR, uid, gid, m, knowledge), sh.cause, f"created by {argv[0]}")
    return 0


def write_file(sh: Shell, target: str, content: str | None, append: bool, argv: list[str] | None = None) -> int:
    fs = sh.state.fs
    path = fs.resolve(sh.path(target))
    if _mounted(sh, path) or path.startswith(("/dev/", "/proc/")):
        return 0
    node = fs.get(path)
    argv = argv or ["write", target]
    if node is None:
        if not sh.identity.is_root:
            v = can_write_dir(fs, sh.identity, parent_of(path))
            if allowed(sh, v.result, path, v.reason, argv) is False:
                return 1
        if fs.get(parent_of(path)) is None and fs.complete:
            return 1
        uid, gid, _ = _owner_for_new(sh, parent_of(path))
        new = Node(Kind.FILE, uid, gid, 0o666 & ~sh.umask)
        if content is not None:
            new = new.with_tag("content", content)
        fs.put(path, new, sh.cause, f"created by {argv[0]}")
    elif content is not None:
        old = node.tag("content") or ""
        fs.nodes[path] = node.with_tag("content", (old + content) if append else content)
    if path in ("/etc/passwd", "/etc/group"):
        n = fs.get(path)
        text = n.tag("content") if n is not None else None
        if content is None:
            sh.assume(f"{path} was written with content venvlint cannot see: its users are not known")
            sh.state.users.known = False
        elif path == "/etc/passwd":
            sh.state.users.load_passwd(content, append=append)
        else:
            sh.state.users.load_group(content, append=append)
        del text
    return 0


# -- dispatch -----------------------------------------------------------------------------------------------------


def dispatch(sh: Shell, argv: Argv, env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
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
        handler = python
    elif re.fullmatch(r"pip[0-9.]*", name):
        handler = pip
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
            status = write_file(sh, out, None, append, words)
        return status
    status = handler(sh, words, env, out, append, stdin)
    return status


def _flags(
    args: list[str], with_value: frozenset[str] | set[str] = frozenset()
) -> tuple[set[str], dict[str, str], list[str]]:
    """Split GNU-style options: returns (short/long flags, options with values, operands)."""
    flags: set[str] = set()
    values: dict[str, str] = {}
    operands: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            operands.extend(args[i + 1 :])
            break
        if a.startswith("--") and len(a) > 2:
            k, eq, v = a.partition("=")
            if eq:
                values[k] = v
            elif k in with_value and i + 1 < len(args):
                values[k] = args[i + 1]
                i += 1
            else:
                flags.add(k)
        elif a.startswith("-") and len(a) > 1 and not a[1].isdigit():
            j = 1
            while j < len(a):
                f = "-" + a[j]
                if f in with_value:
                    rest = a[j + 1 :]
                    if rest:
                        values[f] = rest
                    elif i + 1 < len(args):
                        values[f] = args[i + 1]
                        i += 1
                    break
                flags.add(f)
                j += 1
        else:
            operands.append(a)
        i += 1
    return flags, values, operands


# -- file operations ------------------------------------------------------------------------------------------------


def mkdir(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    flags, values, ops = _flags(argv[1:], {"-m", "--mode"})
    mode_text = values.get("-m") or values.get("--mode")
    mode = None
    if mode_text:
        mode = apply_mode(0o777 & ~sh.umask, mode_text, True)
        if mode is None:
            sh.assume(f"mkdir -m {mode_text} was not understood")
    parents = "-p" in flags or "--parents" in flags
    status = 0
    for d in ops:
        status |= create_dir(sh, sh.path(d), mode, argv, parents)
    return status


def touch(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    _, _, ops = _flags(argv[1:], {"-d", "-t", "-r"})
    status = 0
    for f in ops:
        status |= write_file(sh, f, None, True, argv)
    return status


def _resolve_owner(sh: Shell, spec: str, argv: list[str]) -> tuple[int | None, int | None] | None:
    spec = (
        spec.replace(".", ":", 1) if ":" not in spec and "." in spec and not spec.replace(".", "").isdigit() else spec
    )
    user, sep, group = spec.partition(":")
    users = sh.state.users
    uid: int | None = None
    gid: int | None = None
    if user:
        if user.isdigit():
            uid = int(user)
        else:
            u = users.by_name(user)
            if u is None and _unknown_name(sh, "user", user, spec, argv):
                return None
            if u is not None:
                uid = u.uid
                if sep and not group:
                    gid = u.gid
    if group:
        if group.isdigit():
            gid = int(group)
        else:
            gid = users.gid_of(group)
            if gid is None and _unknown_name(sh, "group", group, spec, argv):
                return None
    return uid, gid


def _unknown_name(sh: Shell, what: str, name: str, spec: str, argv: list[str]) -> bool:
    """A user or group name the image does not have: the command fails when we know the accounts (True), else the
    result is unknown and said (False)."""
    if sh.state.users.known:
        deny(sh, spec, f"invalid {what}: {name!r}", argv)
        return True
    sh.assume(
        f"{what} {name!r} is not known: the {'owner' if what == 'user' else 'group'} set by `{argv[0]}` is unknown"
    )
    return False


def _targets(sh: Shell, paths: list[str], recursive: bool, follow: bool = True) -> list[str]:
    fs = sh.state.fs
    out: list[str] = []
    for p in paths:
        full = fs.resolve(sh.path(p)) if follow else sh.path(p)
        if any(c in p for c in "*?["):
            out.extend(_glob(sh, full))
            continue
        if fs.get(full) is None:
            if not fs.complete:
                sh.assume(f"{full} is not known to exist: `{paths}` could not be applied to it")
            continue
        out.extend(fs.walk(full) if recursive else [full])
    return out


def _glob(sh: Shell, pattern: str) -> list[str]:
    from fnmatch import fnmatchcase

    fs = sh.state.fs
    base = pattern.split("*")[0].split("?")[0].split("[")[0]
    parent = base if base.endswith("/") else posixpath.dirname(base)
    if not fs.complete:
        known_below = [p for p in fs.walk(parent.rstrip("/") or "/") if p != (parent.rstrip("/") or "/")]
        if known_below:
            # Only worth saying when the glob could touch something the model knows about.
            sh.assume(f"the glob {pattern} was not expanded: the base image's files are not all known")
        return []
    depth = pattern.count("/")
    return [p for p in fs.walk(parent.rstrip("/") or "/") if p.count("/") == depth and fnmatchcase(p, pattern)]


def chown(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    flags, values, ops = _flags(argv[1:], {"--reference", "--from"})
    if "--reference" in values or not ops:
        sh.assume("chown --reference was not modelled")
        return 0
    recursive = bool({"-R", "--recursive"} & flags)
    spec, paths = ops[0], ops[1:]
    if argv[0].endswith("chgrp"):
        spec = ":" + spec
    owner = _resolve_owner(sh, spec, argv)
    if owner is None:
        return 1
    uid, gid = owner
    fs = sh.state.fs
    status = 0
    note = f"{posixpath.basename(argv[0])}{' -R' if recursive else ''} {spec}"
    for p in _targets(sh, paths, recursive, follow=not ({"-h", "--no-dereference"} & flags) or recursive):
        node = fs.get(p)
        if node is None:
            continue
        if not sh.identity.is_root:
            same_user = uid is None or uid == sh.identity.uid
            own_group = gid is None or gid == sh.identity.gid or gid in sh.identity.groups
            if not (node.uid == sh.identity.uid and same_user and own_group):
                status = deny(sh, p, f"only root may give {p} to {spec} (it is {node.uid}:{node.gid})", argv)
                continue
        fs.update(p, sh.cause, note, uid=node.uid if uid is None else uid, gid=node.gid if gid is None else gid)
    return status


_SYMBOLIC = re.compile(r"^([ugoa]*)([-+=])([rwxXstugo]*)$")


def apply_mode(mode: int, spec: str, is_dir: bool) -> int | None:
    """chmod semantics for octal and symbolic modes (`u+w`, `g=u`, `a+rX`, `+x`, comma lists)."""
    if re.fullmatch(r"[0-7]{1,4}", spec):
        value = int(spec, 8)
        if is_dir and len(spec) <= 3:
            value |= mode & 0o6000  # GNU chmod keeps setuid/setgid on directories for 3-digit modes
        return value
    for clause in spec.split(","):
        m = _SYMBOLIC.match(clause)
        if not m:
            return None
        who, op, perms = m.groups()
        who = who or "a"
        if "a" in who:
            who = "ugo"
        shifts = {"u": 6, "g": 3, "o": 0}
        for w in who:
            s = shifts[w]
            bits = 0
            for p in perms:
                if p == "r":
                    bits |= 4
                elif p == "w":
                    bits |= 2
                elif p == "x":
                    bits |= 1
                elif p == "X":
                    if is_dir or mode & 0o111:
                        bits |= 1
                elif p in "ugo":
                    bits |= (mode >> shifts[p]) & 7
            special = 0
            if "s" in perms:
                special |= 0o4000 if w == "u" else 0o2000 if w == "g" else 0
            if "t" in perms and w == "o":
                special |= 0o1000
            if op == "+":
                mode |= (bits << s) | special
            elif op == "-":
                mode &= ~((bits << s) | special)
            else:
                mode = (mode & ~(7 << s)) | (bits << s)
                mode |= special
    return mode


def chmod(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    args = argv[1:]
    recursive = False
    rest: list[str] = []
    for a in args:
        if a in ("-R", "--recursive"):
            recursive = True
        elif a in ("-v", "-c", "-f", "--silent", "--quiet", "--verbose", "--changes"):
            continue
        else:
            rest.append(a)
    if len(rest) < 2:
        return 0
    spec, paths = rest[0], rest[1:]
    fs = sh.state.fs
    status = 0
    note = f"chmod{' -R' if recursive else ''} {spec}"
    for p in _targets(sh, paths, recursive):
        node = fs.get(p)
        if node is None or node.kind is Kind.SYMLINK:
            continue
        if not sh.identity.is_root:
            v = can_modify(fs, sh.identity, p)
            if v.result is Tri.NO:
                status = deny(sh, p, v.reason, argv)
                continue
        if node.mode is None and not re.fullmatch(r"[0-7]{1,4}", spec):
            continue
        new = apply_mode(node.mode or 0, spec, node.kind is Kind.DIR)
        if new is None:
            sh.assume(f"chmod {spec} was not understood")
            return 0
        fs.update(p, sh.cause, note, mode=new)
    return status


def rm(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    flags, _, ops = _flags(argv[1:])
    recursive = bool({"-r", "-R", "--recursive"} & flags)
    fs = sh.state.fs
    status = 0
    for p in ops:
        full = sh.path(p)
        targets = _glob(sh, full) if any(c in p for c in "*?[") else [full]
        for t in targets:
            real = normpath(posixpath.join(fs.resolve(parent_of(t)), posixpath.basename(t))) if t != "/" else t
            node = fs.get(real)
            if node is None:
                continue
            if node.kind is Kind.DIR and not recursive:
                status = 1
                continue
            if not sh.identity.is_root:
                v = can_write_dir(fs, sh.identity, parent_of(real))
                if v.result is Tri.NO:
                    status = deny(sh, real, v.reason, argv)
                    continue
            fs.remove(real, cause=sh.cause, note=f"removed by {argv[0]}")
    return status


def ln(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    flags, _, ops = _flags(argv[1:])
    if not ({"-s", "--symbolic"} & flags) or len(ops) < 2:
        return 0
    target, link = ops[0], sh.path(ops[1])
    fs = sh.state.fs
    existing = fs.get(fs.resolve(link))
    if existing is not None and existing.kind is Kind.DIR and not ({"-n", "-T", "--no-dereference"} & flags):
        link = posixpath.join(fs.resolve(link), posixpath.basename(target))
    if fs.get(link) is not None:
        if not ({"-f", "--force"} & flags):
            return 1
        fs.remove(link, cause=sh.cause, note="replaced by ln -sf")
    if not sh.identity.is_root:
        v = can_write_dir(fs, sh.identity, parent_of(link))
        if v.result is Tri.NO:
            return deny(sh, link, v.reason, argv)
    uid, gid, _ = _owner_for_new(sh, parent_of(link))
    fs.put(link, Node(Kind.SYMLINK, uid, gid, 0o777, target=target), sh.cause, "created by ln -s")
    return 0


def install(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    flags, values, ops = _flags(argv[1:], {"-o", "-g", "-m", "--owner", "--group", "--mode", "-t"})
    owner = values.get("-o") or values.get("--owner")
    group = values.get("-g") or values.get("--group")
    mode_text = values.get("-m") or values.get("--mode")
    mode = apply_mode(0o755, mode_text, True) if mode_text else 0o755
    fs = sh.state.fs
    if "-d" in flags or "--directory" in flags:
        targets = [sh.path(o) for o in ops]
    elif len(ops) >= 2:
        dest = sh.path(ops[-1])
        node = fs.get(fs.resolve(dest))
        targets = (
            [posixpath.join(dest, posixpath.basename(s)) for s in ops[:-1]]
            if node and node.kind is Kind.DIR
            else [dest]
        )
    else:
        return 0
    spec = f"{owner or ''}{':' + group if group else ''}"
    resolved = _resolve_owner(sh, spec, argv) if spec else (None, None)
    if resolved is None:
        return 1
    uid, gid = resolved
    status = 0
    for t in targets:
        if "-d" in flags or "--directory" in flags:
            status |= create_dir(sh, t, mode if mode is not None else 0o755, argv, True)
        else:
            status |= write_file(sh, t, None, False, argv)
        node = fs.get(t)
        if node is None:
            continue
        if (uid is not None or gid is not None) and not sh.identity.is_root:
            status = deny(sh, t, "only root may set another owner with install -o/-g", argv)
            continue
        fs.update(
            t,
            sh.cause,
            f"install {'-d ' if '-d' in flags else ''}{spec}".strip(),
            uid=node.uid if uid is None else uid,
            gid=node.gid if gid is None else gid,
            mode=mode if mode is not None else node.mode,
        )
    return status


def cp_mv(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    flags, _values, ops = _flags(argv[1:], {"-t", "--target-directory"})
    if len(ops) < 2:
        return 0
    move = posixpath.basename(argv[0]) == "mv"
    keep = move or bool({"-a", "-p", "--archive", "--preserve"} & flags)
    recursive = move or bool({"-r", "-R", "-a", "--recursive", "--archive"} & flags)
    fs = sh.state.fs
    dest = fs.resolve(sh.path(ops[-1]))
    dest_node = fs.get(dest)
    status = 0
    for s in ops[:-1]:
        src = fs.resolve(sh.path(s))
        node = fs.get(src)
        if node is None:
            if not fs.complete:
                sh.assume(f"{src} is not known: what `{argv[0]}` copies is not in the model")
            continue
        target = posixpath.join(dest, posixpath.basename(src)) if dest_node and dest_node.kind is Kind.DIR else dest
        if not sh.identity.is_root:
            v = can_create(fs, sh.identity, target)
            if v.result is Tri.NO:
                status = deny(sh, target, v.reason, argv)
                continue
        paths = list(fs.walk(src)) if recursive else [src]
        nodes = {p: fs.nodes[p] for p in paths}
        if move:
            fs.remove(src, cause=sh.cause, note=f"moved to {target} by mv")
        for p in paths:
            n = nodes[p]
            newp = target + p[len(src) :]
            if keep:
                new = replace(n, history=())
            else:
                uid, gid, _ = _owner_for_new(sh, parent_of(newp))
                m = n.mode & ~sh.umask if n.mode is not None else None
                new = Node(n.kind, uid, gid, m, n.knowledge, n.target)
            old = fs.get(newp)
            if old is not None:
                new = replace(new, history=old.history)
            fs.put(newp, new, sh.cause, f"{'moved' if move else 'copied'} by {argv[0]} from {p}")
    return status


def tee(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    flags, _, ops = _flags(argv[1:])
    status = 0
    for f in ops:
        status |= write_file(sh, f, None, "-a" in flags or "--append" in flags, argv)
    return status


def echo(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    if out is None:
        return 0
    name = posixpath.basename(argv[0])
    args = argv[1:]
    content: str | None
    if name == "echo":
        newline = True
        while args and args[0] in ("-n", "-e", "-E", "-ne", "-en"):
            if "n" in args[0]:
                newline = False
            args = args[1:]
        content = " ".join(args) + ("\n" if newline else "")
        if "\\n" in content:
            content = content.replace("\\n", "\n")
    elif name == "printf":
        if not args:
            return 0
        fmt = args[0].replace("\\n", "\n").replace("\\t", "\t")
        try:
            content = fmt % tuple(args[1:]) if "%" in fmt else fmt
        except (TypeError, ValueError):
            content = fmt
    else:  # cat
        content = stdin if stdin is not None and len(argv) == 1 else None
    return write_file(sh, out, content, append, argv)


def cd(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    target = argv[1] if len(argv) > 1 else env.get("HOME", "/")
    sh.cwd = sh.path(target)
    return 0


def set_(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    for a in argv[1:]:
        if a.startswith("-") and "e" in a[1:]:
            sh.errexit = True
        elif a.startswith("+") and "e" in a[1:]:
            sh.errexit = False
        elif a == "-o" or a == "errexit":
            sh.errexit = True if a == "errexit" else sh.errexit
    return 0


def umask(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    if len(argv) > 1 and re.fullmatch(r"[0-7]{1,4}", argv[1]):
        sh.umask = int(argv[1], 8)
    return 0


def true_(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    return 0


def false_(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    return 1


def shell_c(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    if "-c" in argv[1:3]:
        i = argv.index("-c")
        if i + 1 < len(argv):
            return sh.run_nested(argv[i + 1])
    if len(argv) > 1 and not argv[1].startswith("-"):
        sh.assume(f"`{' '.join(argv)[:60]}` runs a script venvlint cannot see: its effects are not in the model")
    return 0


def exec_(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    return dispatch(sh, list(argv[1:]), env, out, append, stdin) if len(argv) > 1 else 0


def sudo(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    _, values, ops = _flags(argv[1:], {"-u", "--user"})
    who = values.get("-u") or values.get("--user")
    ident = run_identity(who, sh.state.users).identity if who else ROOT
    return sh.run_as(ident, list(ops), env)


def as_user(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
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
        _, values, ops = _flags(args, {"-u", "--user", "-c", "--command"})
        user = values.get("-u") or values.get("--user")
        script = values.get("-c") or values.get("--command")
        cmd = ops if user else ops[1:]
        if user is None and ops:
            user = ops[0]
    elif name == "su":
        _, values, ops = _flags(args, {"-c", "--command", "-s", "--shell"})
        script = values.get("-c") or values.get("--command")
        ops = [o for o in ops if o != "-"]
        user = ops[0] if ops else "root"
    elif name == "setpriv":
        _, values, ops = _flags(args, {"--reuid", "--regid", "--groups"})
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


def test_cmd(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    args = argv[1:]
    if args and args[-1] == "]":
        args = args[:-1]
    r = _decide(sh, args)
    return 0 if r is None else r


def _decide(sh: Shell, args: list[str]) -> int | None:
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


def test(sh: Shell, node: Any) -> int | None:
    from .words import word

    words: list[str] = []
    for c in node.named_children:
        for leaf in [c] if c.type not in ("unary_expression", "binary_expression") else c.children:
            w = word(leaf, sh.src, sh.vars) if leaf.is_named else leaf.type
            if w is None:
                return None
            words.append(w)
    return _decide(sh, words)


# -- accounts -------------------------------------------------------------------------------------------------------


def useradd(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    """shadow-utils `useradd` (Debian, RHEL) and Debian's/busybox's `adduser`."""
    name = posixpath.basename(argv[0])
    users = sh.state.users
    if name == "adduser" and ("-D" in argv or "-S" in argv or "-H" in argv or "-h" in argv or "-G" in argv):
        return _busybox_adduser(sh, argv)
    with_value = {
        "-u",
        "--uid",
        "-g",
        "--gid",
        "-G",
        "--groups",
        "-d",
        "--home-dir",
        "--home",
        "-s",
        "--shell",
        "-c",
        "--comment",
        "--gecos",
        "--ingroup",
        "-K",
        "-k",
        "--skel",
        "-e",
        "-f",
        "-p",
        "--password",
        "--firstuid",
        "--lastuid",
        "-b",
        "--base-dir",
        "--add_extra_groups",
    }
    flags, values, ops = _flags(argv[1:], with_value)
    if not ops:
        return 0
    login = ops[-1]
    if name == "adduser" and len(ops) == 2 and users.by_name(ops[0]):
        users.members.setdefault(ops[1], set()).add(ops[0])  # `adduser USER GROUP`
        return 0
    system = bool({"-r", "--system"} & flags)
    uid_text = values.get("-u") or values.get("--uid")
    uid = int(uid_text) if uid_text and uid_text.isdigit() else users.next_uid(system)
    group = values.get("-g") or values.get("--gid") or values.get("--ingroup")
    if group is not None:
        gid = int(group) if group.isdigit() else users.gid_of(group)
        if gid is None:
            if users.known:
                return deny(sh, "/etc/group", f"group {group!r} does not exist", argv)
            gid = None
    elif name == "adduser" and system:
        gid = users.gid_of("nogroup") if users.gid_of("nogroup") is not None else 65534
    elif "-N" in flags or "--no-user-group" in flags:
        gid = users.gid_of("users") if users.gid_of("users") is not None else 100
    else:
        existing = users.gid_of(login)
        new_gid = (
            existing if existing is not None else (uid if uid not in users.groups.values() else users.next_gid(system))
        )
        users.add_group(login, new_gid)
        gid = new_gid
    home = values.get("-d") or values.get("--home-dir") or values.get("--home") or f"/home/{login}"
    if name == "useradd":
        # Debian's useradd creates the home only with -m (CREATE_HOME no); RHEL's login.defs says CREATE_HOME yes.
        create = "-m" in flags or "--create-home" in flags
        if not create and not ({"-M", "--no-create-home"} & flags) and not system:
            create = _rhel_like(sh)
        # RHEL's login.defs sets HOME_MODE 0700; Debian's has none, so the home gets 0777 & ~UMASK(022) = 0755
        # (measured with Debian's useradd in oracle case 55).
        mode = 0o700 if _rhel_like(sh) else 0o755
    else:
        create = not ({"--no-create-home"} & flags) and not (system and "--home" not in values)
        mode = 0o755 if not _debian_private_home(sh) else 0o700
    if home == "/nonexistent":
        create = False
    if gid is None:
        sh.assume(f"the primary group of {login} is not known")
    users.add_user(User(login, uid, gid if gid is not None else 0, home, values.get("-s", "/bin/sh"), create))
    for g in (values.get("-G") or values.get("--groups") or "").split(","):
        if g:
            users.members.setdefault(g, set()).add(login)
    if create:
        _make_home(sh, home, uid, gid, mode)
    return 0


def _busybox_adduser(sh: Shell, argv: list[str]) -> int:
    flags, values, ops = _flags(argv[1:], {"-h", "-g", "-s", "-G", "-u", "-k"})
    if not ops:
        return 0
    users = sh.state.users
    login = ops[0]
    uid_text = values.get("-u")
    system = "-S" in flags
    uid = int(uid_text) if uid_text and uid_text.isdigit() else users.next_uid(system)
    group = values.get("-G")
    if group:
        found = users.gid_of(group)
        if found is None:
            return deny(sh, "/etc/group", f"unknown group {group}", argv)
        gid = found
    elif system:
        gid = users.gid_of("nogroup") or 65533
    else:
        existing = users.gid_of(login)
        gid = existing if existing is not None else uid
        users.add_group(login, gid)
    home = values.get("-h", f"/home/{login}")
    create = "-H" not in flags and home != "/nonexistent"
    users.add_user(User(login, uid, gid, home, values.get("-s", "/bin/sh"), create))
    if create:
        _make_home(sh, home, uid, gid, 0o755)
    return 0


def _rhel_like(sh: Shell) -> bool:
    return sh.state.fs.get("/etc/redhat-release") is not None or (sh.state.profile or "").startswith("ubi")


def _debian_private_home(sh: Shell) -> bool:
    return False  # adduser's DIR_MODE: 0755 before Debian 12 (bookworm uses 0700: DIR_MODE=0700)


def _make_home(sh: Shell, home: str, uid: int, gid: int | None, mode: int) -> None:
    fs = sh.state.fs
    if fs.get(home) is not None:
        return
    for a in ancestors(home):
        if fs.get(a) is None:
            fs.put(
                a,
                Node(Kind.DIR, 0, 0, 0o755, Knowledge.KNOWN if fs.complete else Knowledge.DERIVED),
                sh.cause,
                "created by useradd",
            )
    fs.put(home, Node(Kind.DIR, uid, gid, mode), sh.cause, "home created by useradd/adduser")
    # The skeleton is copied in with the new user as owner, modes kept (oracle case 55).
    skel = "/etc/skel"
    for p in list(fs.walk(skel)):
        if p == skel:
            continue
        src = fs.nodes[p]
        fs.put(home + p[len(skel) :], Node(src.kind, uid, gid, src.mode, src.knowledge, src.target), sh.cause,
               "copied from /etc/skel by useradd/adduser")  # fmt: skip


def groupadd(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    flags, values, ops = _flags(argv[1:], {"-g", "--gid"})
    if not ops:
        return 0
    g = values.get("-g") or values.get("--gid")
    system = bool({"-r", "--system", "-S"} & flags)
    sh.state.users.add_group(
        ops[-1] if posixpath.basename(argv[0]) == "groupadd" else ops[0],
        int(g) if g and g.isdigit() else sh.state.users.next_gid(system),
    )
    return 0


def usermod(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    flags, values, ops = _flags(argv[1:], {"-g", "-G", "-d", "-u", "-s", "-l", "--home", "--gid", "--uid", "--groups"})
    if not ops:
        return 0
    users = sh.state.users
    u = users.by_name(ops[-1])
    if u is None:
        return 0 if not users.known else deny(sh, "/etc/passwd", f"user {ops[-1]!r} does not exist", argv)
    g = values.get("-g") or values.get("--gid")
    gid = (int(g) if g.isdigit() else users.gid_of(g)) if g else u.gid
    uid_text = values.get("-u") or values.get("--uid")
    new = User(
        u.name,
        int(uid_text) if uid_text and uid_text.isdigit() else u.uid,
        gid if gid is not None else u.gid,
        values.get("-d") or values.get("--home") or u.home,
        u.shell,
        u.home_created,
    )
    users.users[u.name] = new
    for grp in (values.get("-G") or values.get("--groups") or "").split(","):
        if grp:
            if "-a" not in flags:
                pass
            users.members.setdefault(grp, set()).add(u.name)
    return 0


# -- Python environments and tools ------------------------------------------------------------------------------------


def _py_version(name: str, env: dict[str, str]) -> str | None:
    m = re.search(r"(\d\.\d+)", name)
    if m:
        return m.group(1)
    v = env.get("PYTHON_VERSION")
    if v:
        m = re.match(r"(\d\.\d+)", v)
        if m:
            return m.group(1)
    return None


def make_venv(sh: Shell, root: str, version: str | None, argv: list[str], interpreter: str | None) -> int:
    fs = sh.state.fs
    root = sh.path(root)
    if not sh.identity.is_root:
        v = can_create(fs, sh.identity, root) if fs.get(root) is None else can_write_dir(fs, sh.identity, root)
        if v.result is Tri.NO:
            return deny(sh, root, v.reason, argv)
    if version is None:
        sh.assume(f"the Python version of the venv {root} is not known (lib/python3.X assumed)")
    pyver = f"python{version}" if version else "python3.X"
    status = create_dir(sh, root, None, argv, True)
    if status:
        return status
    for sub in ("bin", "include", "lib", f"lib/{pyver}", f"lib/{pyver}/site-packages"):
        p = posixpath.join(root, sub)
        if fs.get(p) is None:
            create_dir(sh, p, None, argv, True)
    uid, gid, _ = _owner_for_new(sh, root)
    if fs.get(posixpath.join(root, "lib64")) is None:
        fs.put(
            posixpath.join(root, "lib64"),
            Node(Kind.SYMLINK, uid, gid, 0o777, target="lib"),
            sh.cause,
            "created by venv",
        )
    cfg = posixpath.join(root, "pyvenv.cfg")
    fs.put(cfg, Node(Kind.FILE, uid, gid, 0o666 & ~sh.umask).with_tag("venv", root), sh.cause, "created by venv")
    if interpreter:
        py = posixpath.join(root, "bin", "python")
        if fs.get(py) is None:
            fs.put(py, Node(Kind.SYMLINK, uid, gid, 0o777, target=interpreter), sh.cause, "created by venv")
    sh.state.venvs[root] = sh.cause.line
    return 0


def _interpreter(sh: Shell, name: str, env: dict[str, str]) -> str | None:
    if name.startswith("/"):
        return name
    for d in env.get("PATH", "").split(":"):
        cand = posixpath.join(d, name)
        if sh.state.fs.get(cand) is not None:
            return cand
    return None


def record_tool(sh: Shell, tool: str, argv: list[str], env: dict[str, str], venv: str | None) -> None:
    run = ToolRun(
        line=sh.cause.line,
        phase="build",
        tool=tool,
        argv=tuple(argv),
        identity=sh.identity,
        env=tuple(sorted(env.items())),
        cwd=sh.cwd,
        stage=sh.state.name,
        venv=venv,
        mounts=sh.raw_mounts,
        umask=sh.umask,
        fs=sh.state.fs.copy(),
    )
    sh.state.tool_runs.append(run)


def _env_venv(sh: Shell, env: dict[str, str], exe: str | None = None) -> str | None:
    if exe and "/bin/" in exe:
        root = exe.rsplit("/bin/", 1)[0]
        if sh.state.fs.get(posixpath.join(root, "pyvenv.cfg")) is not None:
            return root
    if env.get("VIRTUAL_ENV"):
        return env["VIRTUAL_ENV"]
    for d in env.get("PATH", "").split(":"):
        if d.endswith("/bin"):
            root = d[: -len("/bin")]
            if sh.state.fs.get(posixpath.join(root, "pyvenv.cfg")) is not None:
                return root
    return None


def _install_effects(sh: Shell, venv: str | None, argv: list[str]) -> int:
    """Installed files belong to the runner (umask applies); the tool must be able to write site-packages and bin."""
    fs = sh.state.fs
    if venv is None:
        return 0
    dirs = [p for p in fs.walk(venv) if p.endswith("/site-packages")] if fs.get(venv) else []
    targets = [*dirs, posixpath.join(venv, "bin")]
    if not sh.identity.is_root:
        for d in targets:
            if fs.get(d) is None:
                continue
            v = can_write_dir(fs, sh.identity, d)
            if v.result is Tri.NO:
                return deny(sh, d, v.reason, argv)
    for d in targets:
        node = fs.get(d)
        if node is not None:
            fs.nodes[d] = node.with_tag("written-by", f"{sh.identity.uid}:{sh.identity.gid}@{sh.cause.line}")
    return 0


def python(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    if len(argv) >= 3 and argv[1] == "-m":
        mod = argv[2]
        rest = argv[3:]
        if mod in ("venv", "virtualenv"):
            flags, _, ops = _flags(rest, {"--prompt", "-p", "--python"})
            if "--upgrade" in flags:
                venv = sh.path(ops[0]) if ops else None
                record_tool(sh, "venv", argv, env, venv)
                return 0
            if not ops:
                return 0
            version = _py_version(argv[0], env)
            return make_venv(sh, ops[0], version, argv, _interpreter(sh, argv[0], env))
        if mod == "pip":
            return pip(sh, [argv[0] + " -m pip", *rest], env, out, append, stdin, exe=argv[0])
        if mod == "poetry":
            return poetry(sh, ["poetry", *rest], env, out, append, stdin)
        if mod == "uv":
            return uv(sh, ["uv", *rest], env, out, append, stdin)
        if mod in ("compileall", "ensurepip"):
            return 0
    if len(argv) >= 2 and argv[1].endswith(".py"):
        sh.assume(f"`{' '.join(argv)[:60]}` runs a Python script venvlint cannot see: its effects are not in the model")
    return 0


def pip(
    sh: Shell,
    argv: list[str],
    env: dict[str, str],
    out: str | None,
    append: bool,
    stdin: str | None,
    exe: str | None = None,
) -> int:
    args = argv[1:]
    sub = next((a for a in args if not a.startswith("-")), None)
    if sub not in ("install", "uninstall", "download", "wheel"):
        return 0
    exe = exe or argv[0]
    venv = _env_venv(sh, env, exe if "/" in exe else None)
    flags, values, _ = _flags(args, {"--target", "-t", "--prefix", "--root"})
    if "--user" in flags:
        venv_or_user = venv
    else:
        venv_or_user = values.get("--target") or values.get("-t") or values.get("--prefix") or venv
    record_tool(sh, "pip", [posixpath.basename(exe), *args], env, venv_or_user)
    if sub in ("download", "wheel"):
        return 0
    return _install_effects(sh, venv, argv)


def uv(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    args = argv[1:]
    words = [a for a in args if not a.startswith("-")]
    if not words:
        return 0
    cmd = words[0]
    flags, values, ops = _flags(
        args, {"--python", "-p", "--project", "--directory", "--cache-dir", "--prefix", "--target"}
    )
    python_opt = values.get("--python") or values.get("-p")
    if cmd == "venv":
        target = ops[1] if len(ops) > 1 else ".venv"
        version = _py_version(python_opt or "", env)
        record_tool(sh, "uv", ["uv", *args], env, sh.path(target))
        interp = python_opt if python_opt and python_opt.startswith("/") else uv_interpreter(sh, version, env)
        return make_venv(sh, target, version, ["uv", *args], interp)
    if cmd == "pip" and len(words) > 1 and words[1] in ("install", "sync", "uninstall"):
        venv = None
        if python_opt and "/bin/" in python_opt:
            venv = python_opt.rsplit("/bin/", 1)[0]
        elif "--system" not in flags:
            venv = _env_venv(sh, env)
        record_tool(sh, "uv", ["uv", *args], env, venv)
        return _install_effects(sh, venv, argv)
    if cmd in ("sync", "add", "remove", "lock", "run"):
        project = values.get("--project") or values.get("--directory") or sh.cwd
        project = sh.path(project)
        venv = env.get("UV_PROJECT_ENVIRONMENT")
        venv = sh.path(venv) if venv else posixpath.join(project, ".venv")
        record_tool(sh, "uv", ["uv", *args], env, venv)
        if cmd == "lock" or (cmd == "run" and ("--no-sync" in flags or env.get("UV_NO_SYNC"))):
            return 0
        if sh.state.fs.get(venv) is None:
            version = _py_version(python_opt or "", env)
            interp = python_opt if python_opt and python_opt.startswith("/") else uv_interpreter(sh, version, env)
            status = make_venv(sh, venv, version, ["uv", *args], interp)
            if status:
                return status
        return _install_effects(sh, venv, argv)
    if cmd in ("tool", "python"):
        record_tool(sh, "uv", ["uv", *args], env, None)
    return 0


def uv_interpreter(sh: Shell, version: str | None, env: dict[str, str]) -> str | None:
    """The interpreter uv uses for a new venv: a system Python of the wanted version if the image has one, else
    (unless UV_PYTHON_DOWNLOADS=never) a managed CPython it downloads into UV_PYTHON_INSTALL_DIR or
    ~/.local/share/uv/python, owned by the user running uv (SCENARIOS.md S4, S5)."""
    fs = sh.state.fs
    names = [f"python{version}"] if version else ["python3"]
    for d in ("/usr/local/bin", "/usr/bin", "/opt/app-root/bin"):
        for n in names:
            if fs.get(f"{d}/{n}") is not None:
                return f"{d}/{n}"
    image_version = env.get("PYTHON_VERSION", "")
    other_version = bool(version and image_version and sh.state.profile and not image_version.startswith(version))
    if not other_version and not all(
        fs.is_known_absent(f"{d}/{n}") for d in ("/usr/local/bin", "/usr/bin") for n in names
    ):
        return None  # the image may well have it: do not invent a download
    if env.get("UV_PYTHON_DOWNLOADS", "").lower() in ("never", "manual") or "--python-preference" in env:
        return None
    base = env.get("UV_PYTHON_INSTALL_DIR")
    if not base:
        home = env.get("HOME") or "/root"
        base = posixpath.join(home, ".local/share/uv/python")
    tree = posixpath.join(sh.path(base), f"cpython-{version or '3'}-linux-x86_64-gnu")
    if create_dir(sh, posixpath.join(tree, "bin"), None, ["uv", "python", "install"], True):
        return None
    exe = posixpath.join(tree, "bin", f"python{version or '3'}")
    uid, gid, _ = _owner_for_new(sh, posixpath.join(tree, "bin"))
    fs.put(exe, Node(Kind.FILE, uid, gid, 0o755), sh.cause, "managed Python downloaded by uv")
    return exe


def poetry(sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    words = [a for a in argv[1:] if not a.startswith("-")]
    if not words or words[0] not in ("install", "add", "update", "sync"):
        return 0
    venv = env.get("VIRTUAL_ENV")
    if venv is None and env.get("POETRY_VIRTUALENVS_CREATE", "true").lower() in ("false", "0"):
        venv = None
    elif venv is None and env.get("POETRY_VIRTUALENVS_IN_PROJECT", "").lower() in ("true", "1"):
        venv = posixpath.join(sh.cwd, ".venv")
        if sh.state.fs.get(venv) is None:
            status = make_venv(sh, venv, _py_version("", env), argv, None)
            if status:
                return status
    record_tool(sh, "poetry", argv, env, venv)
    return _install_effects(sh, venv, argv)


def simple_tool(
    sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    record_tool(sh, posixpath.basename(argv[0]), argv, env, None)
    return 0


def fix_permissions(
    sh: Shell, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    """sclorg's fix-permissions: chgrp 0 + g+rw on everything, g+x on directories; as non-root it only touches what
    the user owns. Jupyter's (NB_GID in env): chgrp NB_GID, g+rwX, setgid on directories."""
    fs = sh.state.fs
    jupyter = "NB_GID" in env
    gid = int(env["NB_GID"]) if jupyter and env["NB_GID"].isdigit() else 0
    for d in [a for a in argv[1:] if not a.startswith("-")]:
        root = fs.resolve(sh.path(d))
        if fs.get(root) is None:
            continue
        for p in list(fs.walk(root)):
            node = fs.get(p)
            if node is None or node.kind is Kind.SYMLINK or node.mode is None:
                continue
            if not sh.identity.is_root and node.uid != sh.identity.uid:
                continue
            mode = node.mode | 0o060
            if node.kind is Kind.DIR:
                mode |= 0o010 | (0o2000 if jupyter else 0)
            elif jupyter and node.mode & 0o100:
                mode |= 0o010
            fs.update(p, sh.cause, "fix-permissions (chgrp, g+rwX)", gid=gid, mode=mode)
    return 0


HANDLERS: dict[str, Handler] = {
    "mkdir": mkdir,
    "touch": touch,
    "chown": chown,
    "chgrp": chown,
    "chmod": chmod,
    "rm": rm,
    "rmdir": rm,
    "ln": ln,
    "install": install,
    "cp": cp_mv,
    "mv": cp_mv,
    "tee": tee,
    "echo": echo,
    "printf": echo,
    "cat": echo,
    "cd": cd,
    "set": set_,
    "umask": umask,
    "true": true_,
    ":": true_,
    "false": false_,
    "sh": shell_c,
    "bash": shell_c,
    "dash": shell_c,
    "ash": shell_c,
    "exec": exec_,
    "sudo": sudo,
    "gosu": as_user,
    "su-exec": as_user,
    "runuser": as_user,
    "su": as_user,
    "setpriv": as_user,
    "chpst": as_user,
    "test": test_cmd,
    "[": test_cmd,
    "useradd": useradd,
    "adduser": useradd,
    "groupadd": groupadd,
    "addgroup": groupadd,
    "usermod": usermod,
    "virtualenv": lambda sh, a, e, o, ap, si: (
        make_venv(sh, a[-1], _py_version("", e), a, None) if len(a) > 1 and not a[-1].startswith("-") else 0
    ),
    "pip": pip,
    "uv": uv,
    "poetry": poetry,
    "pipx": simple_tool,
    "conda": simple_tool,
    "mamba": simple_tool,
    "micromamba": simple_tool,
    "fix-permissions": fix_permissions,
}
