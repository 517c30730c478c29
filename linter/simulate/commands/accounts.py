"""Accounts: useradd, adduser (Debian's and busybox's), groupadd/addgroup, usermod."""

from __future__ import annotations

import posixpath

from ...model.fs import Kind, Knowledge, Node, ancestors
from ...model.users import User
from .base import ShellContext, deny, parse_flags


def useradd(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
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
    flags, values, ops = parse_flags(argv[1:], with_value)
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


def _busybox_adduser(sh: ShellContext, argv: list[str]) -> int:
    flags, values, ops = parse_flags(argv[1:], {"-h", "-g", "-s", "-G", "-u", "-k"})
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


def _rhel_like(sh: ShellContext) -> bool:
    return sh.state.fs.get("/etc/redhat-release") is not None or (sh.state.profile or "").startswith("ubi")


def _debian_private_home(sh: ShellContext) -> bool:
    return False  # adduser's DIR_MODE: 0755 before Debian 12 (bookworm uses 0700: DIR_MODE=0700)


def _make_home(sh: ShellContext, home: str, uid: int, gid: int | None, mode: int) -> None:
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


def groupadd(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    flags, values, ops = parse_flags(argv[1:], {"-g", "--gid"})
    if not ops:
        return 0
    g = values.get("-g") or values.get("--gid")
    system = bool({"-r", "--system", "-S"} & flags)
    sh.state.users.add_group(
        ops[-1] if posixpath.basename(argv[0]) == "groupadd" else ops[0],
        int(g) if g and g.isdigit() else sh.state.users.next_gid(system),
    )
    return 0


def usermod(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> int:
    flags, values, ops = parse_flags(
        argv[1:], {"-g", "-G", "-d", "-u", "-s", "-l", "--home", "--gid", "--uid", "--groups"}
    )
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
