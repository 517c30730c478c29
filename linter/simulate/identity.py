"""Who a USER line, a `--chown` flag or a WORKDIR makes the owner or the runner (BUILDERS.md rules 4, 7, 8, 9)."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.access import ROOT, Identity
from ..model.users import UserDB

BUILDERS = ("buildkit", "buildah", "classic")


@dataclass(frozen=True)
class Resolved:
    """An identity, or why it could not be resolved (`error`: the build fails; `unknown`: we cannot tell)."""

    identity: Identity
    error: str | None = None
    unknown: str | None = None


def _lookup_group(group: str, users: UserDB) -> tuple[int | None, str | None, str | None]:
    if group.isdigit():
        return int(group), None, None
    gid = users.gid_of(group)
    if gid is not None:
        return gid, None, None
    if not users.known:
        return None, None, f"group {group!r} is not known (the base image's /etc/group is not known)"
    return None, f"unable to find group {group}", None


def run_identity(spec: str, users: UserDB) -> Resolved:
    """The uid/gid a RUN executes as under `USER spec` (rule 8): gid is the explicit group, else the passwd primary
    group of the matched entry (looked up by name or by uid), else 0."""
    if not spec:
        return Resolved(ROOT)
    user, _, group = spec.partition(":")
    entry = users.by_uid(int(user)) if user.isdigit() else users.by_name(user)
    if user.isdigit():
        uid: int | None = int(user)
    elif entry is not None:
        uid = entry.uid
    elif users.known:
        return Resolved(Identity(None, None, spec=spec), error=f"unable to find user {user}")
    else:
        return Resolved(
            Identity(None, None, spec=spec, name=user),
            unknown=f"user {user!r} is not known (the base image's /etc/passwd is not known)",
        )
    if group:
        gid, err, unk = _lookup_group(group, users)
        if err:
            return Resolved(Identity(uid, None, spec=spec), error=err)
        if unk:
            return Resolved(Identity(uid, None, spec=spec, name=entry.name if entry else None), unknown=unk)
    elif entry is not None:
        gid = entry.gid
    elif users.known or user.isdigit():
        gid = 0
    else:
        gid = None
    groups = users.supplementary(entry.name) if entry is not None else frozenset()
    name = entry.name if entry is not None else None
    return Resolved(Identity(uid, gid, groups, name, spec))


def workdir_owner(spec: str, users: UserDB, builder: str) -> Resolved:
    """Owner of directories WORKDIR creates (rule 7): the classic builder always uses root; BuildKit and buildah the
    USER, with gid = explicit group, else the passwd primary gid for a name, else gid = uid for a bare number."""
    if builder == "classic" or not spec:
        return Resolved(ROOT)
    user, _, group = spec.partition(":")
    if user.isdigit() and not group:
        uid = int(user)
        return Resolved(Identity(uid, uid, spec=spec))
    return run_identity(spec, users)


def chown_owner(spec: str, users: UserDB, builder: str) -> Resolved:
    """`COPY/ADD --chown=spec` (rule 4): a bare uid gives uid:uid; names are looked up (primary gid; the classic
    builder instead wants a group named like the user); numeric ids need no lookup."""
    user, sep, group = spec.partition(":")
    if not user and sep:
        user = "0"
    if user.isdigit():
        uid: int | None = int(user)
        if not sep:
            return Resolved(Identity(uid, uid, spec=spec))
    else:
        entry = users.by_name(user)
        if entry is None:
            if users.known:
                return Resolved(Identity(None, None, spec=spec), error=f"unable to find user {user}")
            return Resolved(
                Identity(None, None, spec=spec, name=user),
                unknown=f"user {user!r} in --chown is not known (the base image's /etc/passwd is not known)",
            )
        uid = entry.uid
        if not sep:
            if builder == "classic":
                gid = users.gid_of(user)
                if gid is None:
                    return Resolved(Identity(uid, None, spec=spec), error=f"can't find gid for group {user}")
                return Resolved(Identity(uid, gid, name=user, spec=spec))
            return Resolved(Identity(uid, entry.gid, name=user, spec=spec))
    gid2, err, unk = _lookup_group(group, users)
    if err:
        return Resolved(Identity(uid, None, spec=spec), error=err)
    if unk:
        return Resolved(Identity(uid, None, spec=spec), unknown=unk)
    return Resolved(Identity(uid, gid2, spec=spec))


def home_of(identity: Identity, users: UserDB, env: dict[str, str] | None = None) -> str | None:
    """HOME as a RUN or the container sees it: ENV HOME if set, else the passwd home of the user, else `/`.
    None when the user is not known."""
    if env and "HOME" in env:
        return env["HOME"]
    if identity.name:
        entry = users.by_name(identity.name)
        if entry is not None:
            return entry.home
    if identity.uid is not None:
        entry = users.by_uid(identity.uid)
        if entry is not None:
            return entry.home
        return "/" if users.known else None
    return None
