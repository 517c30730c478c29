"""Accounts: useradd, adduser (Debian's and busybox's), groupadd/addgroup, usermod, and the queries id and getent.

An account a command creates exists afterwards even where some of its options are computed at build time (those
values are then unknown). A uid or gid useradd picks itself is the first free one among the accounts venvlint knows;
where the image may have others, that number is assumed (and said through the finding's premises).
"""

from __future__ import annotations

import posixpath

from ...model.fs import Action, Kind, Knowledge, Node, ancestors
from ...model.users import User
from .base import ShellContext, Status, accepts_unknown, deny, is_unknown, parse_flags
from .unmodelled import not_modelled

USERADD_VALUES = frozenset(
    {
        "-u", "--uid", "-g", "--gid", "-G", "--groups", "-d", "--home-dir", "--home", "-s", "--shell", "-c",
        "--comment", "--gecos", "--ingroup", "-K", "--key", "-k", "--skel", "-e", "--expiredate", "-f",
        "--inactive", "-p", "--password", "--firstuid", "--lastuid", "-b", "--base-dir", "--add_extra_groups",
        "--add-extra-groups", "-R", "--root", "-P", "--prefix", "-Z", "--selinux-user",
    }
)  # fmt: skip


def _number(text: str | None) -> tuple[int | None, bool]:
    """(value, known) of a numeric option: absent (None, True), a number, or computed (None, False)."""
    if text is None:
        return None, True
    if text.isdigit():
        return int(text), True
    return None, False


@accepts_unknown
def useradd(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """shadow-utils `useradd` (Debian, RHEL) and Debian's/busybox's `adduser`."""
    name = posixpath.basename(argv[0])
    users = sh.users
    if name == "adduser" and any(a in argv for a in ("-D", "-S", "-H", "-h", "-G", "-u", "-s", "-g")):
        return _busybox_adduser(sh, argv)
    flags, values, ops = parse_flags(argv[1:], USERADD_VALUES)
    if not ops:
        return 0
    login = ops[-1] if name == "useradd" else ops[0]
    if is_unknown(login):
        return not_modelled(sh, argv, "the account's name is computed at build time")
    if name == "adduser" and len(ops) == 2 and users.by_name(ops[0]) is not None:
        users.members.setdefault(ops[1], set()).add(ops[0])  # `adduser USER GROUP`
        return 0
    system = bool({"-r", "--system"} & flags)
    uid, uid_known = _number(values.get("-u") or values.get("--uid"))
    knowledge = Knowledge.BUILT
    if uid is None and uid_known:
        uid = users.next_uid(system, guess=True)
        if users.next_uid(system) is None:  # another account may hold it (not when only system ones were added)
            knowledge = Knowledge.ASSUMED
    group = values.get("-g") or values.get("--gid") or values.get("--ingroup")
    gid: int | None
    if group is not None:
        if is_unknown(group):
            gid = None
        elif group.isdigit():
            gid = int(group)
        else:
            gid = users.gid_of(group)
            if gid is None and not users.has_group(group):
                if users.groups_complete:
                    return deny(sh, "/etc/group", f"group {group!r} does not exist", argv, anyone=True)
                sh.assume(f"group {group!r} is not known: the primary group of {login} is unknown")
    elif name == "adduser" and system:
        gid = users.gid_of("nogroup") if users.has_group("nogroup") else 65534
    elif "-N" in flags or "--no-user-group" in flags:
        gid = users.gid_of("users") if users.has_group("users") else 100
    else:
        existing = users.gid_of(login) if users.has_group(login) else None
        if existing is not None:
            gid = existing
        elif uid is not None and uid not in users.groups.values():
            gid = uid
        else:
            gid = users.next_gid(system, guess=True)
        users.add_group(login, gid, sh.cause.line)
    home_text = values.get("-d") or values.get("--home-dir") or values.get("--home")
    if home_text is None:
        if name == "adduser" and system:
            home_text = "/nonexistent"  # Debian's adduser --system without --home
        else:
            home_text = posixpath.join(values.get("-b") or values.get("--base-dir") or "/home", login)
    home = None if is_unknown(home_text) else home_text
    if name == "useradd":
        # Debian's useradd creates the home only with -m (CREATE_HOME no); RHEL's login.defs says CREATE_HOME yes.
        create = "-m" in flags or "--create-home" in flags
        if not create and not ({"-M", "--no-create-home"} & flags) and not system:
            create = _rhel_like(sh)
        # RHEL's login.defs sets HOME_MODE 0700; Debian's has none, so the home gets 0777 & ~UMASK(022) = 0755
        # (measured with Debian's useradd in oracle case 55).
        mode = 0o700 if _rhel_like(sh) else 0o755
    else:
        create = not ({"--no-create-home"} & flags) and not (system and home_text == "/nonexistent")
        mode = 0o755
    if home is None or home == "/nonexistent":
        create = False
    shell = values.get("-s") or values.get("--shell") or "/bin/sh"
    source = f"{name} at line {sh.cause.line}"
    if knowledge is Knowledge.ASSUMED:
        source += f" (uid {uid} assumed: the first free uid among the accounts venvlint knows)"
    extra = [g for g in (values.get("-G") or values.get("--groups") or "").split(",") if g]
    fresh = not sh.tentative and gid != 0 and not any(g in ("0", "root") or is_unknown(g) for g in extra)
    users.add_user(User(login, uid, gid, home, shell, create, knowledge, source, fresh, sh.cause.line))
    for g in extra:
        if not is_unknown(g):
            users.members.setdefault(g, set()).add(login)
    if create and home is not None:
        _make_home(sh, home, uid, gid, mode, knowledge)
    return 0


def _busybox_adduser(sh: ShellContext, argv: list[str]) -> Status:
    flags, values, ops = parse_flags(argv[1:], {"-h", "-g", "-s", "-G", "-u", "-k"})
    if not ops:
        return 0
    users = sh.users
    login = ops[0]
    if is_unknown(login):
        return not_modelled(sh, argv, "the account's name is computed at build time")
    system = "-S" in flags
    uid, uid_known = _number(values.get("-u"))
    knowledge = Knowledge.BUILT
    if uid is None and uid_known:
        uid = users.next_uid(system, guess=True)
        if users.next_uid(system) is None:  # another account may hold it (not when only system ones were added)
            knowledge = Knowledge.ASSUMED
    group = values.get("-G")
    gid: int | None
    if group and not is_unknown(group):
        found = users.gid_of(group)
        if found is None and not users.has_group(group):
            if users.groups_complete:
                return deny(sh, "/etc/group", f"unknown group {group}", argv, anyone=True)
            sh.assume(f"group {group!r} is not known: the primary group of {login} is unknown")
        gid = found
    elif group:
        gid = None
    elif system:
        gid = users.gid_of("nogroup") if users.has_group("nogroup") else 65533
    else:
        existing = users.gid_of(login) if users.has_group(login) else None
        gid = existing if existing is not None else uid
        users.add_group(login, gid, sh.cause.line)
    home_text = values.get("-h", f"/home/{login}")
    home = None if is_unknown(home_text) else home_text
    create = "-H" not in flags and home is not None and home != "/nonexistent"
    source = f"adduser at line {sh.cause.line}"
    fresh = not sh.tentative and gid != 0 and group not in ("0", "root")
    users.add_user(User(login, uid, gid, home, values.get("-s", "/bin/sh"), create, knowledge, source, fresh,
                        sh.cause.line))  # fmt: skip
    if create and home is not None:
        _make_home(sh, home, uid, gid, 0o755, knowledge)
    return 0


def _rhel_like(sh: ShellContext) -> bool:
    profile = sh.profile or ""
    return sh.fs.get("/etc/redhat-release") is not None or profile.startswith(("ubi", "rhel", "fedora"))


def _make_home(
    sh: ShellContext, home: str, uid: int | None, gid: int | None, mode: int, owner: Knowledge = Knowledge.BUILT
) -> None:
    """useradd -m: the home (and missing parents) made, owned by the new user (`owner`: how its ids are known)."""
    fs = sh.fs
    if fs.get(home) is not None:
        return  # useradd -m leaves an existing home as it is ("home directory already exists")
    for a in ancestors(home):
        if fs.get(a) is None:
            knowledge = Knowledge.BUILT if fs.is_known_absent(a) else Knowledge.ASSUMED
            fs.put(a, Node(Kind.DIR, 0, 0, 0o755, knowledge), sh.cause, Action.CREATED, "created by useradd")
    knowledge = (Knowledge.BUILT if fs.is_known_absent(home) else Knowledge.ASSUMED).worst(owner)
    fs.put(home, Node(Kind.DIR, uid, gid, mode, knowledge), sh.cause, Action.CREATED, "home created by useradd/adduser")
    # The skeleton is copied in with the new user as owner, modes kept (oracle case 55).
    skel = "/etc/skel"
    for p in list(fs.walk(skel)):
        if p == skel:
            continue
        src = fs.nodes[p]
        fs.put(home + p[len(skel) :], Node(src.kind, uid, gid, src.mode, src.knowledge.worst(owner), src.target), sh.cause,
               Action.COPIED, "copied from /etc/skel by useradd/adduser", source=p)  # fmt: skip
    if not fs.listing_complete(skel):
        fs.mark_open(home, with_parent=False)  # the skeleton may hold more than venvlint knows


@accepts_unknown
def groupadd(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    flags, values, ops = parse_flags(argv[1:], {"-g", "--gid", "-K", "--key", "-p", "--password"})
    if not ops:
        return 0
    users = sh.users
    busybox_style = posixpath.basename(argv[0]) == "addgroup" and len(ops) == 2
    if busybox_style and users.by_name(ops[0]) is not None:
        users.members.setdefault(ops[1], set()).add(ops[0])  # `addgroup USER GROUP`
        return 0
    name = ops[-1] if posixpath.basename(argv[0]) == "groupadd" else ops[0]
    if is_unknown(name):
        return not_modelled(sh, argv, "the group's name is computed at build time")
    system = bool({"-r", "--system", "-S"} & flags)
    gid, known = _number(values.get("-g") or values.get("--gid"))
    if gid is None and known:
        if users.has_group(name) and ("-f" in flags or "--force" in flags):
            return 0
        gid = users.next_gid(system, guess=True)
    users.add_group(name, gid, sh.cause.line)
    return 0


@accepts_unknown
def usermod(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    flags, values, ops = parse_flags(
        argv[1:], {"-g", "-G", "-d", "-u", "-s", "-l", "--home", "--gid", "--uid", "--groups", "--shell", "--login"}
    )
    if not ops or is_unknown(ops[-1]):
        return not_modelled(sh, argv, "the account it changes is not known") if ops else 0
    users = sh.users
    u = users.by_name(ops[-1])
    if u is None:
        if users.complete:
            return deny(sh, "/etc/passwd", f"user {ops[-1]!r} does not exist", argv, anyone=True)
        return not_modelled(sh, argv, f"user {ops[-1]!r} is not known")
    g = values.get("-g") or values.get("--gid")
    gid = u.gid
    if g:
        gid = None if is_unknown(g) else (int(g) if g.isdigit() else users.gid_of(g))
    uid_text = values.get("-u") or values.get("--uid")
    uid = u.uid
    if uid_text:
        uid = int(uid_text) if uid_text.isdigit() else None
    home = values.get("-d") or values.get("--home") or u.home
    users.add_user(User(u.name, uid, gid, None if home and is_unknown(home) else home, u.shell, u.home_created,
                        u.knowledge, f"{u.source}; usermod at line {sh.cause.line}"))  # fmt: skip
    groups = values.get("-G") or values.get("--groups")
    if groups is not None:
        if not ({"-a", "--append"} & flags):  # -G without -a replaces the supplementary groups
            for members in users.members.values():
                members.discard(u.name)
        for grp in groups.split(","):
            if grp and not is_unknown(grp):
                users.members.setdefault(grp, set()).add(u.name)
    return 0


def id_(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """`id [OPTIONS] [USER]`: 0 when the account exists, 1 when it is known not to, None when venvlint cannot tell."""
    ops = [a for a in argv[1:] if not a.startswith("-")]
    if not ops:
        return 0
    return _exists(sh, "passwd", ops[-1])


def getent(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    """`getent passwd|group NAME...`: whether every name exists (0), one is known not to (2), or unknown."""
    ops = [a for a in argv[1:] if not a.startswith("-")]
    if len(ops) < 2 or ops[0] not in ("passwd", "group"):
        return None if len(ops) >= 2 else 0
    status: Status = 0
    for name in ops[1:]:
        r = _exists(sh, ops[0], name)
        if r is None:
            return None
        if r:
            status = 2
    return status


def _exists(sh: ShellContext, db: str, name: str) -> Status:
    users = sh.users
    if is_unknown(name):
        return None
    if db == "passwd":
        found = users.by_uid(int(name)) if name.isdigit() else users.by_name(name)
        if found is not None:
            return 0 if found.knowledge.known else None
        return 1 if users.complete else None
    if users.has_group(name) or (name.isdigit() and users.group_name(int(name)) is not None):
        return 0
    return 1 if users.groups_complete else None
