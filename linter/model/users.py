"""Users and groups of an image (its /etc/passwd and /etc/group), as far as they are known."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int  # primary group
    home: str
    shell: str = "/bin/sh"
    home_created: bool | None = None  # whether useradd/adduser created the home directory (None = not known)


@dataclass
class UserDB:
    """The image's accounts. `known` is False when the base image's /etc/passwd is not known to us: then a name we
    have not seen may still exist, and nothing is concluded from its absence."""

    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)  # group name → supplementary member user names
    passwd_exists: bool | None = None  # False on a bare scratch image; None when not known
    known: bool = True

    def copy(self) -> UserDB:
        return UserDB(
            dict(self.users),
            dict(self.groups),
            {k: set(v) for k, v in self.members.items()},
            self.passwd_exists,
            self.known,
        )

    def by_name(self, name: str) -> User | None:
        return self.users.get(name)

    def by_uid(self, uid: int) -> User | None:
        for u in self.users.values():
            if u.uid == uid:
                return u
        return None

    def gid_of(self, group: str) -> int | None:
        return self.groups.get(group)

    def group_name(self, gid: int) -> str | None:
        for name, g in self.groups.items():
            if g == gid:
                return name
        return None

    def supplementary(self, user: str) -> frozenset[int]:
        return frozenset(self.groups[g] for g, m in self.members.items() if user in m and g in self.groups)

    def add_user(self, user: User) -> None:
        self.users[user.name] = user
        self.passwd_exists = True

    def add_group(self, name: str, gid: int) -> None:
        self.groups[name] = gid

    def next_uid(self, system: bool = False) -> int:
        """The uid useradd would pick (first free from 1000, or counting down from 999 for system accounts)."""
        used = {u.uid for u in self.users.values()}
        if system:
            uid = 999
            while uid in used and uid > 100:
                uid -= 1
            return uid
        uid = 1000
        while uid in used:
            uid += 1
        return uid

    def next_gid(self, system: bool = False) -> int:
        used = set(self.groups.values())
        if system:
            gid = 999
            while gid in used and gid > 100:
                gid -= 1
            return gid
        gid = 1000
        while gid in used:
            gid += 1
        return gid

    def load_passwd(self, text: str, append: bool = False) -> None:
        """Read passwd(5) lines (as written by `echo ... > /etc/passwd` or a COPY of a passwd file)."""
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
            self.users[parts[0]] = User(parts[0], uid, gid, home, shell)
        self.passwd_exists = True
        self.known = True

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
            self.groups[parts[0]] = gid
            if len(parts) > 3 and parts[3]:
                self.members[parts[0]] = set(parts[3].split(","))
