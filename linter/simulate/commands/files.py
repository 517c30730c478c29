"""File and mode commands: mkdir, touch, chown/chgrp, chmod, rm/rmdir, ln, install, cp/mv, tee, echo/printf/cat
into a file, and fix-permissions. Permissions are checked for non-root users with `model.access`; a denied operation
fails the command (status 1) and is recorded in `state.denied`. What a command creates belongs to the running user
(primary group, or the parent's group under a setgid directory) with mode `0666/0777 & ~umask`."""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from ...model.access import Tri, can_create, can_modify, can_write_dir
from ...model.fs import Kind, Knowledge, Node, ancestors, normpath, parent_of
from .base import ShellContext, allowed, deny, mounted, owner_for_new, parse_flags


def create_dir(sh: ShellContext, path: str, mode: int | None, argv: list[str], parents: bool) -> int:
    fs = sh.state.fs
    real = fs.resolve(path)
    if mounted(sh, real):
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
        uid, gid, setgid = owner_for_new(sh, parent_of(p))
        m = (0o777 & ~sh.umask) if (mode is None or p != real) else mode
        if setgid:
            m |= 0o2000
        knowledge = Knowledge.KNOWN if fs.is_known_absent(p) else Knowledge.DERIVED
        fs.put(p, Node(Kind.DIR, uid, gid, m, knowledge), sh.cause, f"created by {argv[0]}")
    return 0


def write_file(sh: ShellContext, target: str, content: str | None, append: bool, argv: list[str] | None = None) -> int:
    fs = sh.state.fs
    path = fs.resolve(sh.path(target))
    if mounted(sh, path) or path.startswith(("/dev/", "/proc/")):
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
        uid, gid, _ = owner_for_new(sh, parent_of(path))
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


def mkdir(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    flags, values, ops = parse_flags(argv[1:], {"-m", "--mode"})
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


def touch(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    _, _, ops = parse_flags(argv[1:], {"-d", "-t", "-r"})
    status = 0
    for f in ops:
        status |= write_file(sh, f, None, True, argv)
    return status


def resolve_owner(sh: ShellContext, spec: str, argv: list[str]) -> tuple[int | None, int | None] | None:
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
            if u is None and unknown_name(sh, "user", user, spec, argv):
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
            if gid is None and unknown_name(sh, "group", group, spec, argv):
                return None
    return uid, gid


def unknown_name(sh: ShellContext, what: str, name: str, spec: str, argv: list[str]) -> bool:
    """A user or group name the image does not have: the command fails when we know the accounts (True), else the
    result is unknown and said (False)."""
    if sh.state.users.known:
        deny(sh, spec, f"invalid {what}: {name!r}", argv)
        return True
    sh.assume(
        f"{what} {name!r} is not known: the {'owner' if what == 'user' else 'group'} set by `{argv[0]}` is unknown"
    )
    return False


def targets(sh: ShellContext, paths: list[str], recursive: bool, follow: bool = True) -> list[str]:
    fs = sh.state.fs
    out: list[str] = []
    for p in paths:
        full = fs.resolve(sh.path(p)) if follow else sh.path(p)
        if any(c in p for c in "*?["):
            out.extend(glob_paths(sh, full))
            continue
        if fs.get(full) is None:
            if not fs.complete:
                sh.assume(f"{full} is not known to exist: `{paths}` could not be applied to it")
            continue
        out.extend(fs.walk(full) if recursive else [full])
    return out


def glob_paths(sh: ShellContext, pattern: str) -> list[str]:
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


def chown(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    flags, values, ops = parse_flags(argv[1:], {"--reference", "--from"})
    if "--reference" in values or not ops:
        sh.assume("chown --reference was not modelled")
        return 0
    recursive = bool({"-R", "--recursive"} & flags)
    spec, paths = ops[0], ops[1:]
    if argv[0].endswith("chgrp"):
        spec = ":" + spec
    owner = resolve_owner(sh, spec, argv)
    if owner is None:
        return 1
    uid, gid = owner
    fs = sh.state.fs
    status = 0
    note = f"{posixpath.basename(argv[0])}{' -R' if recursive else ''} {spec}"
    for p in targets(sh, paths, recursive, follow=not ({"-h", "--no-dereference"} & flags) or recursive):
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


def chmod(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
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
    for p in targets(sh, paths, recursive):
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


def rm(sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    flags, _, ops = parse_flags(argv[1:])
    recursive = bool({"-r", "-R", "--recursive"} & flags)
    fs = sh.state.fs
    status = 0
    for p in ops:
        full = sh.path(p)
        targets = glob_paths(sh, full) if any(c in p for c in "*?[") else [full]
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


def ln(sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None) -> int:
    flags, _, ops = parse_flags(argv[1:])
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
    uid, gid, _ = owner_for_new(sh, parent_of(link))
    fs.put(link, Node(Kind.SYMLINK, uid, gid, 0o777, target=target), sh.cause, "created by ln -s")
    return 0


def install(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    flags, values, ops = parse_flags(argv[1:], {"-o", "-g", "-m", "--owner", "--group", "--mode", "-t"})
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
    resolved = resolve_owner(sh, spec, argv) if spec else (None, None)
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


def cp_mv(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    flags, _values, ops = parse_flags(argv[1:], {"-t", "--target-directory"})
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
                uid, gid, _ = owner_for_new(sh, parent_of(newp))
                m = n.mode & ~sh.umask if n.mode is not None else None
                new = Node(n.kind, uid, gid, m, n.knowledge, n.target)
            old = fs.get(newp)
            if old is not None:
                new = replace(new, history=old.history)
            fs.put(newp, new, sh.cause, f"{'moved' if move else 'copied'} by {argv[0]} from {p}")
    return status


def tee(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    flags, _, ops = parse_flags(argv[1:])
    status = 0
    for f in ops:
        status |= write_file(sh, f, None, "-a" in flags or "--append" in flags, argv)
    return status


def echo(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
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


def fix_permissions(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
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
