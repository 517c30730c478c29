"""File and mode commands: mkdir, touch, chown/chgrp, chmod, rm/rmdir, ln, install, cp/mv, tee, echo/printf/cat
into a file, and fix-permissions.

Permissions are checked for non-root users with `model.access`; a denied operation fails the command (status 1) and
is recorded in `state.denied` (a recursive chown or chmod is one denial, with the number of entries it could not
change). What a command creates belongs to the running user (primary group, or the parent's group under a setgid
directory) with mode `0666/0777 & ~umask` (docs/BUILDERS.md rule 8). An owner or mode computed at build time makes
what it sets unknown; a path whose existence is not known is said, never taken for absent.
"""

from __future__ import annotations

import posixpath
import re
from fnmatch import fnmatchcase
from typing import NamedTuple

from ...model.access import Premise, PremiseKind, Tri, can_create, can_modify, can_write_dir
from ...model.fs import Action, Kind, Knowledge, Node, ancestors, normpath, parent_of
from ...resolve.expand import shown
from .base import (
    ShellContext,
    Status,
    accepts_unknown,
    allowed,
    command_text,
    deny,
    is_unknown,
    mounted,
    owner_for_new,
    parse_flags,
    refused_by_mount,
)
from .unmodelled import not_modelled

GLOB = re.compile(r"[*?\[]")


def create_dir(sh: ShellContext, path: str, mode: int | None, argv: list[str], parents: bool) -> int:
    fs = sh.fs
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
        if not parents and fs.get(parent_of(p)) is None and fs.is_known_absent(parent_of(p)):
            sh.error = f"{argv[0]}: can't create directory '{p}': No such file or directory"
            return 1
        if not sh.identity.is_root and not allowed(sh, can_create(fs, sh.identity, p), p, argv):
            return 1
        uid, gid, setgid = owner_for_new(sh, parent_of(p))
        m = (0o777 & ~sh.umask) if (mode is None or p != real) else mode
        if setgid:
            m |= 0o2000
        # Where `p` may already exist (`mkdir -p` leaves it as it is), what it is given is assumed.
        knowledge = Knowledge.BUILT if fs.is_known_absent(p) else Knowledge.ASSUMED
        fs.put(p, Node(Kind.DIR, uid, gid, m, knowledge), sh.cause, Action.CREATED, f"created by {argv[0]}")
    return 0


def write_file(sh: ShellContext, target: str, content: str | None, append: bool, argv: list[str] | None = None) -> int:
    fs = sh.fs
    argv = argv or ["write", target]
    if is_unknown(target):
        sh.assume(f"`{command_text(argv)}` writes a file whose name is computed at build time")
        return 0
    path = fs.resolve(sh.path(target))
    if mounted(sh, path) or path.startswith(("/dev/", "/proc/")):
        return 0
    node = fs.get(path)
    if node is None:
        parent = parent_of(path)
        if fs.get(parent) is None and fs.is_known_absent(parent):
            sh.error = f"{command_text(argv)}: can't create {path}: {parent} does not exist"
            return deny(sh, path, f"{parent} does not exist", argv, can_write_dir(fs, sh.identity, parent).premises,
                        anyone=True)  # fmt: skip
        if not sh.identity.is_root and not allowed(sh, can_write_dir(fs, sh.identity, parent), path, argv):
            return 1
        uid, gid, _ = owner_for_new(sh, parent)
        knowledge = Knowledge.BUILT if fs.is_known_absent(path) else Knowledge.ASSUMED
        new = Node(Kind.FILE, uid, gid, 0o666 & ~sh.umask, knowledge)
        if content is not None:
            new = new.with_tag("content", content)
        fs.put(path, new, sh.cause, Action.CREATED, f"created by {posixpath.basename(argv[0])}")
    elif content is not None:
        old = node.tag("content") or ""
        fs.tag(path, "content", (old + content) if append else content)
    if path in ("/etc/passwd", "/etc/group"):
        if content is None or sh.tentative:
            sh.assume(f"{path} was written with content venvlint cannot see: its accounts are not all known")
            sh.users.open()
        elif path == "/etc/passwd":
            sh.users.load_passwd(content, append=append, source=f"/etc/passwd written at line {sh.cause.line}")
        else:
            sh.users.load_group(content, append=append)
    return 0


def mkdir(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
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
        path = sh.path(d)
        status |= 1 if refused_by_mount(sh, path, argv, parents) else create_dir(sh, path, mode, argv, parents)
    return status


def touch(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    _, _, ops = parse_flags(argv[1:], {"-d", "-t", "-r"})
    status = 0
    for f in ops:
        status |= 1 if refused_by_mount(sh, sh.path(f), argv) else write_file(sh, f, None, True, argv)
    return status


class Owner(NamedTuple):
    """What a chown/chgrp/install -o sets: `set_uid`/`set_gid` say which part it changes; a value None while set
    means venvlint cannot know it (a computed or unknown name)."""

    uid: int | None
    gid: int | None
    set_uid: bool
    set_gid: bool
    knowledge: Knowledge = Knowledge.BUILT  # how the named account's ids are known


def resolve_owner(sh: ShellContext, spec: str, argv: list[str]) -> Owner | None:
    """`user`, `user:group`, `user:` (the user's primary group), `:group`, `user.group`; None when the command
    fails because the image is known not to have the name."""
    if is_unknown(spec):
        user, sep, group = spec.partition(":")
        return Owner(None, None, bool(user), bool(group) or bool(sep))
    if ":" not in spec and "." in spec and not spec.replace(".", "").isdigit():
        spec = spec.replace(".", ":", 1)
    user, sep, group = spec.partition(":")
    users = sh.users
    uid: int | None = None
    gid: int | None = None
    knowledge = Knowledge.BUILT
    set_gid = bool(group) or (bool(sep) and bool(user))
    if user:
        if user.isdigit():
            uid = int(user)
        else:
            u = users.by_name(user)
            if u is None:
                if unknown_name(sh, "user", user, spec, argv):
                    return None
            else:
                uid = u.uid
                knowledge = u.knowledge
                if sep and not group:
                    gid = u.gid
    if group:
        if group.isdigit():
            gid = int(group)
        else:
            gid = users.gid_of(group)
            if gid is None and not users.has_group(group) and unknown_name(sh, "group", group, spec, argv):
                return None
    return Owner(uid, gid, bool(user), set_gid, knowledge)


def unknown_name(sh: ShellContext, what: str, name: str, spec: str, argv: list[str]) -> bool:
    """A user or group name the image does not have: the command fails when every account is known (True), else
    what it sets is unknown and said (False)."""
    users = sh.users
    if users.complete if what == "user" else users.groups_complete:
        listed = f"the image's accounts ({users.source or 'as the build wrote them'}) have no {what} {name!r}"
        premise = Premise(
            PremiseKind.ABSENT, f"{what} {name}", users.knowledge, assumption="" if users.knowledge.known else listed
        )
        deny(sh, spec, f"invalid {what}: {name!r}", argv, (premise,), anyone=True)
        return True
    sh.assume(f"{what} {name!r} is not known: the {'owner' if what == 'user' else 'group'} `{argv[0]}` sets is unknown")
    return False


def targets(sh: ShellContext, argv: list[str], paths: list[str], recursive: bool, follow: bool = True) -> list[str]:
    """The model's paths a command applies to: globs expanded where the listing is known, `-R` walking what the
    model holds (entries it does not hold are not known, and stay so). A path venvlint cannot know may be any:
    the command then counts as changing owners and modes it cannot see (`FileSystem.record_opaque`)."""
    fs = sh.fs
    out: list[str] = []
    for p in paths:
        if is_unknown(p):
            sh.assume(f"`{command_text(argv)}` changes a path computed at build time: which one is not known")
            fs.record_opaque(sh.cause.line, command_text(argv), sh.identity.uid, None)
            continue
        full = fs.resolve(sh.path(p)) if follow else sh.path(p)
        if GLOB.search(p):
            out.extend(glob_paths(sh, full, recursive, argv))
            continue
        if fs.get(full) is None:
            if not fs.is_known_absent(full):
                sh.assume(f"{full} is not known to exist: what the command does to it is not in the model")
            continue
        out.extend(fs.walk(full) if recursive else [full])
    return out


def glob_paths(sh: ShellContext, pattern: str, recursive: bool = False, argv: list[str] | None = None) -> list[str]:
    """The model's paths matching `pattern`; where a directory on the way has an incomplete listing, what else it
    matches is unknown (said, and for a command that changes what it matches, `argv`, recorded as such)."""
    fs = sh.fs
    base = GLOB.split(pattern, 1)[0]
    parent = (base if base.endswith("/") else posixpath.dirname(base)).rstrip("/") or "/"
    depth = pattern.count("/")
    found: list[str] = []
    complete = True
    for p in fs.walk(parent):
        levels = p.count("/") if p != "/" else 0
        if levels == depth and fnmatchcase(p, pattern):
            found.append(p)
        elif levels < depth and fs.nodes[p].kind is Kind.DIR and not fs.listing_complete(p):
            complete = False
    if not complete:
        sh.assume(f"the glob {pattern} may match paths venvlint does not know: it was applied to the known ones")
        if argv is not None:
            sh.fs.record_opaque(sh.cause.line, command_text(argv), sh.identity.uid, (parent,))
    out: list[str] = []
    for p in found:
        out.extend(fs.walk(p) if recursive else [p])
    return out


@accepts_unknown
def chown(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    flags, values, ops = parse_flags(argv[1:], {"--reference", "--from"})
    if "--reference" in values or "--from" in values or len(ops) < 2:
        return not_modelled(sh, argv, "owners it sets are not known")
    recursive = bool({"-R", "--recursive"} & flags)
    spec, paths = ops[0], ops[1:]
    verb = posixpath.basename(argv[0])
    if verb == "chgrp":
        spec = ":" + spec
    owner = resolve_owner(sh, spec, argv)
    if owner is None:
        return 1
    fs = sh.fs
    denied: list[tuple[str, str]] = []
    for p in targets(sh, argv, paths, recursive, follow=not ({"-h", "--no-dereference"} & flags) or recursive):
        node = fs.get(p)
        if node is None:
            continue
        if not sh.identity.is_root:
            verdict = can_modify(fs, sh.identity, p)
            # A non-root owner may only keep the uid and pick one of its own groups; an owner or group venvlint
            # cannot know (`chown "$(id -u)"`) is not taken for another user's.
            giving = owner.set_uid and owner.uid is not None and owner.uid != sh.identity.uid
            foreign_group = (
                owner.set_gid
                and owner.gid is not None
                and sh.identity.gid is not None
                and owner.gid != sh.identity.gid
                and owner.gid not in sh.identity.groups
            )
            if verdict.result is Tri.NO or (verdict.result is Tri.YES and (giving or foreign_group)):
                denied.append((p, f"only root may give {p} to {shown(spec)} (it is {_ids(node)})"))
                continue
        unknown = node.knowledge is Knowledge.UNKNOWN
        uid = None if unknown else (owner.uid if owner.set_uid else node.uid)
        gid = None if unknown else (owner.gid if owner.set_gid else node.gid)
        fs.update(
            p,
            sh.cause,
            Action.CHOWN,
            f"{verb}{' -R' if recursive else ''} {shown(spec)}",
            uid=uid,
            gid=gid,
            knowledge=node.knowledge.worst(owner.knowledge),
            recursive=recursive,
            spec=spec,
        )
    return _denied(sh, denied, argv)


def _ids(node: Node) -> str:
    return f"{'?' if node.uid is None else node.uid}:{'?' if node.gid is None else node.gid}"


def _denied(sh: ShellContext, denied: list[tuple[str, str]], argv: list[str]) -> int:
    """One denial for a command, at its first (top) path, counting every entry it could not change."""
    if not denied:
        return 0
    top, reason = min(denied, key=lambda d: (d[0].count("/"), d[0]))
    from ...model.access import path_premise

    return deny(sh, top, reason, argv, (path_premise(sh.fs, top),), count=len(denied))


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


@accepts_unknown
def chmod(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    args = argv[1:]
    recursive = False
    rest: list[str] = []
    for a in args:
        if a in ("-R", "--recursive"):
            recursive = True
        elif a in ("-v", "-c", "-f", "--silent", "--quiet", "--verbose", "--changes"):
            continue
        elif a.startswith("--reference"):
            return not_modelled(sh, argv, "the modes it sets are not known")
        else:
            rest.append(a)
    if len(rest) < 2:
        return 0
    spec, paths = rest[0], rest[1:]
    fs = sh.fs
    denied: list[tuple[str, str]] = []
    detail = f"chmod{' -R' if recursive else ''} {spec}"
    octal = re.fullmatch(r"[0-7]{1,4}", spec) is not None
    for p in targets(sh, argv, paths, recursive):
        node = fs.get(p)
        if node is None or node.kind is Kind.SYMLINK:
            continue
        if not sh.identity.is_root:
            v = can_modify(fs, sh.identity, p)
            if v.result is Tri.NO:
                denied.append((p, v.reason))
                continue
        if is_unknown(spec) or (node.mode is None and not octal):
            new: int | None = None
        else:
            new = apply_mode(node.mode or 0, spec, node.kind is Kind.DIR)
            if new is None:
                return not_modelled(sh, argv, f"the mode {spec} was not understood")
        fs.update(p, sh.cause, Action.CHMOD, detail, mode=new, recursive=recursive, spec=spec)
    return _denied(sh, denied, argv)


def rm(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    flags, _, ops = parse_flags(argv[1:])
    recursive = bool({"-r", "-R", "--recursive"} & flags)
    fs = sh.fs
    status = 0
    for p in ops:
        full = sh.path(p)
        found = glob_paths(sh, full) if GLOB.search(p) else [full]
        for t in found:
            real = normpath(posixpath.join(fs.resolve(parent_of(t)), posixpath.basename(t))) if t != "/" else t
            node = fs.get(real)
            if node is None:
                continue
            if node.kind is Kind.DIR and not recursive and posixpath.basename(argv[0]) != "rmdir":
                status = 1
                continue
            if not sh.identity.is_root and not allowed(sh, can_write_dir(fs, sh.identity, parent_of(real)), real, argv):
                status = 1
                continue
            fs.remove(real, cause=sh.cause, detail=f"removed by {posixpath.basename(argv[0])}")
    return status


def ln(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    flags, values, ops = parse_flags(argv[1:], {"-t", "--target-directory"})
    if not ({"-s", "--symbolic"} & flags) or len(ops) < 2 or values:
        return not_modelled(sh, argv, "only `ln -s TARGET LINK` is modelled") if ops else 0
    target, link = ops[0], sh.path(ops[1])
    fs = sh.fs
    existing = fs.get(fs.resolve(link))
    if existing is not None and existing.kind is Kind.DIR and not ({"-n", "-T", "--no-dereference"} & flags):
        link = posixpath.join(fs.resolve(link), posixpath.basename(target))
    if fs.get(link) is not None:
        if not ({"-f", "--force"} & flags):
            return 1
        fs.remove(link, cause=sh.cause, detail="replaced by ln -sf")
    if not sh.identity.is_root and not allowed(sh, can_write_dir(fs, sh.identity, parent_of(link)), link, argv):
        return 1
    if fs.get(parent_of(link)) is None and fs.is_known_absent(parent_of(link)):
        return deny(sh, link, f"{parent_of(link)} does not exist", argv,
                    can_write_dir(fs, sh.identity, parent_of(link)).premises, anyone=True)  # fmt: skip
    uid, gid, _s = owner_for_new(sh, parent_of(link))
    fs.put(link, Node(Kind.SYMLINK, uid, gid, 0o777, target=target), sh.cause, Action.CREATED, "created by ln -s")
    return 0


@accepts_unknown
def install(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    flags, values, ops = parse_flags(argv[1:], {"-o", "-g", "-m", "--owner", "--group", "--mode", "-t"})
    if any(is_unknown(o) for o in ops) or "-t" in values:
        return not_modelled(sh, argv, "what it installs where is not known")
    owner_text = values.get("-o") or values.get("--owner")
    group = values.get("-g") or values.get("--group")
    mode_text = values.get("-m") or values.get("--mode")
    mode = apply_mode(0o755, mode_text, True) if mode_text and not is_unknown(mode_text) else 0o755
    unknown_mode = mode_text is not None and (is_unknown(mode_text) or mode is None)
    fs = sh.fs
    directory = "-d" in flags or "--directory" in flags
    if directory:
        paths = [sh.path(o) for o in ops]
    elif len(ops) >= 2:
        dest = sh.path(ops[-1])
        node = fs.get(fs.resolve(dest))
        paths = (
            [posixpath.join(dest, posixpath.basename(s)) for s in ops[:-1]]
            if node and node.kind is Kind.DIR
            else [dest]
        )
    else:
        return 0
    spec = f"{owner_text or ''}{':' + group if group else ''}"
    owner = resolve_owner(sh, spec, argv) if spec else Owner(None, None, False, False)
    if owner is None:
        return 1
    status = 0
    for t in paths:
        if directory:
            status |= create_dir(sh, t, mode if mode is not None else 0o755, argv, True)
        else:
            status |= write_file(sh, t, None, False, argv)
        node = fs.get(t)
        if node is None:
            continue
        foreign = (owner.set_uid and owner.uid is not None and owner.uid != sh.identity.uid) or (
            owner.set_gid and owner.gid is not None and owner.gid not in (sh.identity.gid, *sh.identity.groups)
        )
        if foreign and not sh.identity.is_root:
            status = deny(sh, t, "only root may set another owner with install -o/-g", argv)
            continue
        fs.update(
            t,
            sh.cause,
            Action.INSTALL,
            f"install {'-d ' if directory else ''}{spec}".strip(),
            uid=owner.uid if owner.set_uid else node.uid,
            gid=owner.gid if owner.set_gid else node.gid,
            mode=None if unknown_mode else (mode if mode is not None else node.mode),
            spec=spec,
        )
    return status


def cp_mv(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    flags, values, ops = parse_flags(argv[1:], {"-t", "--target-directory"})
    into = values.get("-t") or values.get("--target-directory")
    if into is not None:
        ops = [*ops, into]
    if len(ops) < 2:
        return 0
    move = posixpath.basename(argv[0]) == "mv"
    keep = move or bool({"-a", "-p", "--archive", "--preserve"} & flags)
    recursive = move or bool({"-r", "-R", "-a", "--recursive", "--archive"} & flags)
    fs = sh.fs
    dest = fs.resolve(sh.path(ops[-1]))
    dest_node = fs.get(dest)
    status = 0
    for s in ops[:-1]:
        src = fs.resolve(sh.path(s))
        node = fs.get(src)
        target = posixpath.join(dest, posixpath.basename(src)) if dest_node and dest_node.kind is Kind.DIR else dest
        if node is None:
            if not fs.is_known_absent(src):
                sh.assume(f"{src} is not known: what `{command_text(argv)}` copies is not in the model")
                fs.mark_open(target)
            continue
        if not sh.identity.is_root and not allowed(sh, can_create(fs, sh.identity, target), target, argv):
            status = 1
            continue
        paths = list(fs.walk(src)) if recursive else [src]
        nodes = {p: fs.nodes[p] for p in paths}
        opened = [p for p in paths if nodes[p].kind is Kind.DIR and not fs.listing_complete(p)]
        if move:
            fs.remove(src, cause=sh.cause, detail=f"moved to {target} by mv")
        verb = "moved" if move else "copied"
        for p in paths:
            n = nodes[p]
            newp = target + p[len(src) :]
            if keep and (sh.identity.is_root or move):  # `mv` renames: owners stay
                new = n._replace(history=())
            elif keep:  # a non-root `cp -a` keeps modes, but what it writes belongs to the user
                uid, gid, _ = owner_for_new(sh, parent_of(newp))
                new = Node(n.kind, uid, gid, n.mode, n.knowledge, n.target)
            else:
                uid, gid, _ = owner_for_new(sh, parent_of(newp))
                m = n.mode & ~sh.umask if n.mode is not None else None
                new = Node(n.kind, uid, gid, m, n.knowledge, n.target)
            fs.put(newp, new, sh.cause, Action.MOVED if move else Action.COPIED, f"{verb} from {p}", source=p)
        for p in opened:  # what the model did not know was there came along too
            fs.mark_open(target + p[len(src) :], with_parent=False)
    return status


@accepts_unknown
def tee(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    flags, _, ops = parse_flags(argv[1:])
    status = 0
    for f in ops:
        status |= write_file(sh, f, None, "-a" in flags or "--append" in flags, argv)
    if out is not None:
        status |= write_file(sh, out, None, append, argv)
    return status


@accepts_unknown
def echo(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    if out is None:
        return 0
    name = posixpath.basename(argv[0])
    args = argv[1:]
    content: str | None
    if any(is_unknown(a) for a in args):
        content = None
    elif name == "echo":
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
) -> Status:
    """sclorg's fix-permissions: chgrp 0 + g+rw on everything, g+x on directories; as non-root it only touches what
    the user owns. Jupyter's (NB_GID in env): chgrp NB_GID, g+rwX, setgid on directories."""
    fs = sh.fs
    jupyter = "NB_GID" in env
    gid: int | None = 0
    if jupyter:
        gid = int(env["NB_GID"]) if env["NB_GID"].isdigit() else None
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
            fs.update(p, sh.cause, Action.FIX_PERMISSIONS, "fix-permissions (chgrp, g+rwX)", gid=gid, mode=mode,
                      recursive=True)  # fmt: skip
    return 0
