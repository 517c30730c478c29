"""Who a USER line, a `--chown` flag or a WORKDIR makes the owner or the runner (docs/BUILDERS.md rules 4, 7, 8, 9;
the "rule N" and "row N" below are that page's).

The accounts are an open world (`UserDB.complete`): a name the image is not known to lack is an assumption, never
"no such user". `root` and `0` are uid 0 and gid 0 in every image.
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum
from typing import NamedTuple

from ..model.access import ROOT, Identity, Premise, PremiseKind
from ..model.fs import Knowledge
from ..model.users import User, UserDB
from ..resolve.expand import unknown_names

BUILDERS = ("buildkit", "buildah", "classic")


class Resolved(NamedTuple):
    """An identity, or why it could not be resolved (`error`: the build fails; `unknown`: we cannot tell, said as an
    assumption; `ignored`: BuildKit silently uses 0:0 for a `--chown` name the image does not have)."""

    identity: Identity
    error: str | None = None
    unknown: str | None = None
    ignored: str | None = None


def _computed(spec: str, what: str) -> Resolved | None:
    names = unknown_names(spec)
    if not names:
        return None
    shown = ", ".join(f"${n}" for n in names)
    return Resolved(
        Identity(None, None, spec=spec, knowledge=Knowledge.UNKNOWN),
        unknown=f"the {what} {shown} comes from the base image's environment, which is not known",
    )


def _knowledge(entry: User | None) -> tuple[Knowledge, str]:
    if entry is None:
        return Knowledge.BUILT, ""
    return entry.knowledge, entry.source


def _lookup_group(group: str, users: UserDB) -> tuple[int | None, str | None, str | None]:
    """(gid, error, unknown) for a group as written."""
    if group.isdigit():
        return int(group), None, None
    gid = users.gid_of(group)
    if gid is not None:
        return gid, None, None
    if users.has_group(group):
        return None, None, f"the gid of group {group!r} is not known"
    if not users.groups_complete:
        return None, None, f"group {group!r} is not known (the base image's groups are not all known)"
    return None, f"unable to find group {group}", None


def run_identity(spec: str, users: UserDB) -> Resolved:
    """The uid/gid a RUN executes as under `USER spec` (rule 8): gid is the explicit group, else the passwd primary
    group of the matched entry (looked up by name or by uid), else 0."""
    if not spec:
        return Resolved(ROOT)
    computed = _computed(spec, "USER")
    if computed is not None:
        return computed
    user, _, group = spec.partition(":")
    if not user:
        return Resolved(Identity(None, None, spec=spec), error=f"USER {spec!r} names no user")
    entry = users.by_uid(int(user)) if user.isdigit() else users.by_name(user)
    uid: int | None
    if user.isdigit():
        uid = int(user)
    elif entry is not None:
        uid = entry.uid
    elif users.complete:
        return Resolved(Identity(None, None, spec=spec), error=f"unable to find user {user}")
    else:
        return Resolved(
            Identity(None, None, spec=spec, name=user, knowledge=Knowledge.UNKNOWN),
            unknown=f"user {user!r} is not known (the base image's accounts are not all known)",
        )
    knowledge, source = _knowledge(entry)
    name = entry.name if entry is not None else None
    if group:
        gid, err, unk = _lookup_group(group, users)
        if err:
            return Resolved(Identity(uid, None, spec=spec), error=err)
        if unk:
            return Resolved(Identity(uid, None, spec=spec, name=name, knowledge=knowledge, source=source), unknown=unk)
    elif entry is not None:
        gid = entry.gid
    elif uid is not None and users.lacks_uid(uid):
        gid = 0  # a uid without a passwd entry runs in group 0
    else:
        gid = None  # the image may have an entry for this uid with another primary group
    # The memberships the model knows. Where the accounts are not all known there may be more (the identity is
    # then assumed, so a denial resting on it is at most a warning); dropping the known ones would deny unknowns.
    groups = users.supplementary(entry.name) if entry is not None else frozenset()
    fresh = entry is not None and entry.fresh
    return Resolved(Identity(uid, gid, groups, name, spec, knowledge=knowledge, source=source, fresh=fresh))


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
    builder instead wants a group named like the user); numeric ids need no lookup. A name the image does not have
    fails the build on buildah and the classic builder; BuildKit silently leaves uid/gid 0 (row 8f)."""
    computed = _computed(spec, "--chown owner")
    if computed is not None:
        return computed
    user, sep, group = spec.partition(":")
    if not user and sep:
        user = "0"
    uid: int | None
    gid: int | None = None
    knowledge, source = Knowledge.BUILT, ""
    if user.isdigit():
        uid = int(user)
        if not sep:
            return Resolved(Identity(uid, uid, spec=spec))
    else:
        entry = users.by_name(user)
        if entry is None:
            if not users.complete:
                return Resolved(
                    Identity(None, None, spec=spec, name=user, knowledge=Knowledge.UNKNOWN),
                    unknown=f"user {user!r} in --chown is not known (the base image's accounts are not all known)",
                )
            if builder == "buildkit":
                return Resolved(ROOT, ignored=f"the image has no user {user!r}")
            return Resolved(Identity(None, None, spec=spec), error=f"unable to find user {user}")
        uid = entry.uid
        knowledge, source = _knowledge(entry)
        gid = entry.gid
        if not sep:
            if builder == "classic":
                gid = users.gid_of(user)
                if gid is None:
                    if not users.groups_complete:
                        return Resolved(
                            Identity(uid, None, name=user, spec=spec),
                            unknown=f"group {user!r} is not known (the classic builder needs a group named like "
                            "the user)",
                        )
                    return Resolved(Identity(uid, None, spec=spec), error=f"can't find gid for group {user}")
                return Resolved(Identity(uid, gid, name=user, spec=spec, knowledge=knowledge, source=source))
            return Resolved(Identity(uid, entry.gid, name=user, spec=spec, knowledge=knowledge, source=source))
    if not group:  # `--chown=1000:` names no group: the user's own
        gid2: int | None = gid if gid is not None else uid
        return Resolved(Identity(uid, gid2, spec=spec, knowledge=knowledge, source=source))
    gid2, err, unk = _lookup_group(group, users)
    if err:
        if builder == "buildkit":
            return Resolved(Identity(uid, 0, spec=spec), ignored=f"the image has no group {group!r}")
        return Resolved(Identity(uid, None, spec=spec), error=err)
    if unk:
        return Resolved(Identity(uid, None, spec=spec), unknown=unk)
    return Resolved(Identity(uid, gid2, spec=spec, knowledge=knowledge, source=source))


def home_of(identity: Identity, users: UserDB, env: dict[str, str] | None = None) -> str | None:
    """HOME as a RUN or the container sees it: ENV HOME if set, else the passwd home of the user, else `/`.
    None when it is not known."""
    if env and "HOME" in env:
        return env["HOME"] if not unknown_names(env["HOME"]) else None
    if identity.arbitrary:
        return "/" if users.complete else None
    entry = None
    if identity.name:
        entry = users.by_name(identity.name)
    if entry is None and identity.uid is not None:
        entry = users.by_uid(identity.uid)
    if entry is not None:
        return entry.home
    if identity.uid is not None:
        return "/" if users.lacks_uid(identity.uid) else None
    return None


class HomeSource(str, Enum):
    """Where a HOME comes from."""

    ENV = "the image's ENV HOME"
    ACCOUNT = "its passwd entry"
    FALLBACK = "no passwd entry, so HOME is /"


class Home(NamedTuple):
    """HOME of an identity, where it comes from, the line that made the account (0: the base image, or none), how
    the account's entry says it was made (`account`: "useradd at line 3"), and the facts it rests on."""

    path: str
    source: HomeSource
    line: int = 0
    account: str = ""
    premises: tuple[Premise, ...] = ()


def home_fact(identity: Identity, users: UserDB, env: dict[str, str] | None = None) -> Home | None:
    """HOME as a RUN or the container sees it, with what it rests on: ENV HOME, else the user's passwd entry (its
    knowledge a premise), else `/` for a uid with no entry (assumed where the image's accounts are not all known).
    None when it cannot be told (an ENV HOME with an unknown variable, a user whose uid is not known)."""
    entry = users.by_name(identity.name) if identity.name else None
    if entry is None and identity.uid is not None:
        entry = users.by_uid(identity.uid)
    line, account = (entry.line, entry.source) if entry is not None else (0, "")
    if identity.arbitrary and not (env and "HOME" in env) and not users.complete:
        # OpenShift's arbitrary uid comes from the project's range, which no image lists: HOME is `/` (measured with
        # poetry 2.5.1 as a uid without an entry: `Creating virtualenv ... in /.cache/pypoetry/virtualenvs`), unless
        # the image adds the uid at start (nss_wrapper), which venvlint cannot see.
        assumed = Premise(
            PremiseKind.USER,
            "the arbitrary uid",
            Knowledge.ASSUMED,
            assumption="that the image has no account for the arbitrary uid, so that HOME is /",
        )
        return Home("/", HomeSource.FALLBACK, premises=(assumed,))
    if (env and "HOME" in env) or identity.arbitrary:
        path = home_of(identity, users, env)
        source = HomeSource.ENV if env and "HOME" in env else HomeSource.FALLBACK
        return Home(path, source, line, account) if path is not None else None
    if entry is not None:
        if entry.home is None:
            return None
        known = entry.knowledge.known
        return Home(entry.home, HomeSource.ACCOUNT, line, account, () if known else (identity.premise(),))
    if identity.uid is None:
        return None
    if users.lacks_uid(identity.uid):
        return Home("/", HomeSource.FALLBACK)
    assumed = Premise(
        PremiseKind.USER,
        f"uid {identity.uid}",
        Knowledge.ASSUMED,
        assumption=f"that the image has no account with uid {identity.uid}, so that HOME is /",
    )
    return Home("/", HomeSource.FALLBACK, premises=(assumed,))


def with_source(identity: Identity, source: str) -> Identity:
    """The identity, saying where it was set (e.g. "USER at line 12")."""
    if not source:
        return identity
    return replace(identity, source=f"{source}; {identity.source}" if identity.source else source)
