"""Users and groups of an image (its /etc/passwd and /etc/group), as far as they are known.

The accounts are an open world like the filesystem: a name not listed is "no such user" only when the list is
complete (`complete`: a FROM scratch image, a passwd file the build wrote whole, or a profile that says its list is
the image's); otherwise it is unknown. `root` (uid 0, gid 0) and the group `root` (gid 0) exist in every image.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .fs import Knowledge

ROOT_HOME = "/root"


class User(NamedTuple):
    name: str
    uid: int | None  # None: the account exists but its uid is not known (`useradd -u "$(...)" name`)
    gid: int | None  # primary group
    home: str | None
    shell: str = "/bin/sh"
    home_created: bool | None = None  # whether useradd/adduser created the home directory (None = not known)
    knowledge: Knowledge = Knowledge.BUILT
    source: str = ""  # where the account comes from, for messages: "useradd at line 3", "profile python-debian"
    # Made by useradd/adduser in this build (not tentatively): its uid is not 0 and, unless told, it is not in
    # group 0, even where the exact numbers are assumed.
    fresh: bool = False
    line: int = 0  # the Dockerfile line that created the account (0: the base image's)


ROOT_USER = User("root", 0, 0, ROOT_HOME, "/bin/sh", None, Knowledge.DISTRIBUTION, "root exists in every image")


@dataclass
class UserDB:
    """The image's accounts. `complete` says the listed users are all the image has; `groups_complete` the same for
    groups. Without it a name we have not seen may still exist, and nothing is concluded from its absence."""

    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, int | None] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)  # group name → supplementary member user names
    passwd_exists: bool | None = None  # False on a bare scratch image; None when not known
    complete: bool = True
    groups_complete: bool = True
    tentative: int = 0  # > 0 while replaying a command that may or may not run (see FileSystem.tentative)
    source: str = ""  # where the base accounts come from ("profile python-debian", "Debian's base-passwd 3.6.1")
    knowledge: Knowledge = Knowledge.BUILT  # how the list is known to be complete (a profile: PROFILE)
    group_lines: dict[str, int] = field(default_factory=dict)  # group name → the line that created it (base: absent)
    # The lists were complete until a command that adds only system accounts ran (a package's maintainer script:
    # uids and gids below 1000): names are open, but the uid useradd gives a regular account is still known.
    only_system_added: bool = False

    def copy(self) -> UserDB:
        return UserDB(
            dict(self.users),
            dict(self.groups),
            {k: set(v) for k, v in self.members.items()},
            self.passwd_exists,
            self.complete,
            self.groups_complete,
            0,
            self.source,
            self.knowledge,
            dict(self.group_lines),
            self.only_system_added,
        )

    def by_name(self, name: str) -> User | None:
        found = self.users.get(name)
        if found is None and name == "root":
            return ROOT_USER
        return found

    def by_uid(self, uid: int) -> User | None:
        for u in self.users.values():
            if u.uid == uid:
                return u
        return ROOT_USER if uid == 0 else None

    def gid_of(self, group: str) -> int | None:
        if group == "root" and group not in self.groups:
            return 0
        return self.groups.get(group)

    def has_group(self, group: str) -> bool:
        return group in self.groups or group == "root"

    def group_name(self, gid: int) -> str | None:
        for name, g in self.groups.items():
            if g == gid:
                return name
        return "root" if gid == 0 else None

    def supplementary(self, user: str) -> frozenset[int]:
        """The gids of the groups `user` is a member of (`useradd -G 0` and `-G root` name group 0 too)."""
        out = set()
        for name, m in self.members.items():
            if user in m:
                gid = int(name) if name.isdigit() else self.gid_of(name)
                if gid is not None:
                    out.add(gid)
        return frozenset(out)

    def add_user(self, user: User) -> None:
        """Add or replace an account (in tentative mode it may or may not exist afterwards: ASSUMED)."""
        if self.tentative > 0 and user.knowledge.known:
            old = self.users.get(user.name)
            if old is not None and (old.uid, old.gid, old.home) != (user.uid, user.gid, user.home):
                user = user._replace(
                    uid=old.uid if old.uid == user.uid else None,
                    gid=old.gid if old.gid == user.gid else None,
                    home=old.home if old.home == user.home else None,
                )
            user = user._replace(knowledge=Knowledge.ASSUMED)
        self.users[user.name] = user
        self.passwd_exists = True

    def add_group(self, name: str, gid: int | None, line: int = 0) -> None:
        """`line`: the Dockerfile line that created the group (0: the base image's)."""
        if self.tentative > 0 and name in self.groups and self.groups[name] != gid:
            gid = None
        self.groups[name] = gid
        if line and name not in self.group_lines:
            self.group_lines[name] = line

    def taint(self, why: str) -> None:
        """A command venvlint does not model may have changed the accounts it knows: each becomes assumed."""
        self.open()
        for name, u in list(self.users.items()):
            if u.knowledge.known:
                self.users[name] = u._replace(knowledge=Knowledge.ASSUMED, source=f"{u.source}; {why}".lstrip("; "))

    def open(self, system_only: bool = False) -> None:
        """A command venvlint does not model may have added accounts (a package's postinst, a script);
        `system_only`: only system accounts (uids and gids below 1000), as the distribution's packages add."""
        self.only_system_added = system_only and (self.complete or self.only_system_added)
        self.complete = False
        self.groups_complete = False

    def used_uids(self) -> set[int]:
        return {u.uid for u in self.users.values() if u.uid is not None}

    def lacks_uid(self, uid: int) -> bool:
        """Whether the image is known to have no account with `uid` (when only system accounts may have been added
        since the list was complete, a regular uid's absence is still known)."""
        if self.by_uid(uid) is not None:
            return False
        return self.complete or (self.only_system_added and uid >= 1000)

    def next_uid(self, system: bool = False, guess: bool = False) -> int | None:
        """The uid useradd would pick (first free from 1000, or counting down from 999 for system accounts); None
        when the accounts are not all known (another one may hold it), unless `guess`: then the first free one
        among the known accounts."""
        if not self.complete and not guess and (system or not self.only_system_added):
            return None
        return _first_free(self.used_uids(), system)

    def next_gid(self, system: bool = False, guess: bool = False) -> int | None:
        if not self.groups_complete and not guess and (system or not self.only_system_added):
            return None
        return _first_free({g for g in self.groups.values() if g is not None}, system)

    def load_passwd(self, text: str, append: bool = False, source: str = "") -> None:
        """Read passwd(5) lines (as written by `echo ... > /etc/passwd` or a COPY of a passwd file). A whole file
        makes the list complete; appended lines keep it as it was."""
        if not append:
            self.users = {}
        for line in text.splitlines():
            parts = line.strip().split(":")
            if len(parts) < 4 or not parts[0] or parts[0].startswith("#"):
                continue
            try:
                uid, gid = int(parts[2]), int(parts[3])
            except ValueError:
                continue
            home = parts[5] if len(parts) > 5 and parts[5] else "/"
            shell = parts[6] if len(parts) > 6 else "/bin/sh"
            self.add_user(User(parts[0], uid, gid, home, shell, None, Knowledge.BUILT, source))
        self.passwd_exists = True
        if not append:
            self.complete = True
            self.knowledge = Knowledge.BUILT

    def load_group(self, text: str, append: bool = False) -> None:
        if not append:
            self.groups = {}
            self.members = {}
        for line in text.splitlines():
            parts = line.strip().split(":")
            if len(parts) < 3 or not parts[0] or parts[0].startswith("#"):
                continue
            try:
                gid = int(parts[2])
            except ValueError:
                continue
            self.add_group(parts[0], gid)
            if len(parts) > 3 and parts[3]:
                self.members[parts[0]] = set(parts[3].split(","))
        if not append:
            self.groups_complete = True


def _first_free(used: set[int], system: bool) -> int:
    """The id useradd/groupadd picks: the first free one from 1000 up, or from 999 down for system accounts."""
    if system:
        n = 999
        while n in used and n > 100:
            n -= 1
        return n
    n = 1000
    while n in used:
        n += 1
    return n
