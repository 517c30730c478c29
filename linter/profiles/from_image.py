"""`venvlint profile IMAGE.tar`: build a base-image profile from an image saved with `docker save` / `podman save`
(docker-archive) or an OCI layout tarball, without network access.

Layers are applied in order like an overlay filesystem: `.wh.NAME` deletes NAME, `.wh..wh..opq` empties the
directory it sits in. The profile lists every directory and symlink with owner and mode; the files that matter (`pyvenv.cfg`,
interpreters, pip and uv) wherever they are, and every file of the directories on the image's PATH and of each
venv's `bin` (so that "which program does this command name" has a known answer), of `/etc/skel` and of every small
directory (a few entries: a HOME, /opt); the accounts from `/etc/passwd`
and `/etc/group`; and USER, WORKDIR and ENV from the image config.

A whole image proves more than a profile written by hand: its account files are all of its accounts
(`passwd_complete`), and a directory whose every entry the profile keeps has a complete listing (`complete_dirs`):
a path missing below it is known absent, not unknown.
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import re
import tarfile
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from ..errors import InputError
from ..inputfile import require_regular

# A directory with at most this many entries is listed whole (its files too): HOMEs, /tmp, /opt and the like, so
# that what a build creates there is known new (measured on the reality images: 119 complete listings become 503,
# and the profile grows by a third).
SMALL_DIRECTORY = 4
_INTERESTING_FILE = re.compile(r"(^|/)(pyvenv\.cfg|python[0-9.]*|pip[0-9.]*|uv|uvx)$")


@dataclass
class Entry:
    kind: str  # dir | file | symlink
    uid: int
    gid: int
    mode: int
    target: str | None = None
    content: bytes | None = None


@dataclass
class Image:
    entries: dict[str, Entry] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)


_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_NOT_AN_ARCHIVE = "not an image archive (expected the tar file `docker save` or `podman save` writes, or an OCI layout)"


def read_image(path: str, stdin: IO[bytes] | None = None) -> Image:
    """The merged filesystem, config and tags of a saved image: a docker-archive or OCI layout tar file, or an OCI
    layout directory. `path` `-` reads the archive from `stdin` (standard input by default: `podman save IMG |
    venvlint profile -`), spooled to an anonymous temporary file because a tar archive's members are read out of
    order.

    Raises InputError, one line naming the file, for anything that is not a readable image archive."""
    if path == "-":
        import shutil
        import sys
        import tempfile

        with tempfile.TemporaryFile() as spool:
            shutil.copyfileobj(stdin or sys.stdin.buffer, spool)
            spool.seek(0)
            return _read_archive(spool, "-")
    if os.path.isdir(path):  # an OCI layout directory (`skopeo copy ... oci:DIR`, `podman save --format oci-dir`)
        return _read_image(_Archive(directory=path), path)
    require_regular(path, "image archive")
    with open(path, "rb") as fh:
        return _read_archive(fh, path)


class _Archive:
    """The members of an image archive by name: a tar file (names as `docker save` writes them, or with the `./`
    that `tar -C dir .` adds), or an OCI layout directory."""

    def __init__(self, tar: tarfile.TarFile | None = None, directory: str | None = None) -> None:
        self._tar, self._dir = tar, directory
        self._members = {m.name.removeprefix("./"): m for m in tar.getmembers()} if tar is not None else {}

    def has(self, name: str) -> bool:
        if self._tar is not None:
            return name in self._members
        return self._inside(name) is not None

    def _inside(self, name: str) -> str | None:
        assert self._dir is not None
        full = os.path.normpath(os.path.join(self._dir, name))
        inside = full.startswith(os.path.join(os.path.normpath(self._dir), ""))
        return full if inside and os.path.isfile(full) and not os.path.islink(full) else None

    def read(self, name: str, path: str) -> bytes:
        """The member's bytes; InputError naming the archive when it is missing or unreadable."""
        try:
            if self._tar is not None:
                member = self._members.get(name)
                f = self._tar.extractfile(member) if member is not None else None
                if f is None:
                    raise InputError(f"{name} is missing from the archive", path)
                return f.read()
            full = self._inside(name)
            if full is None:
                raise InputError(f"{name} is missing from the layout", path)
            with open(full, "rb") as fh:
                return fh.read()
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise InputError(f"{name} cannot be read: {exc}", path) from None


def _read_archive(fh: IO[bytes], path: str) -> Image:
    head = fh.read(4)
    fh.seek(0)
    if head == _ZSTD_MAGIC:
        raise InputError(f"{_NOT_AN_ARCHIVE}: this one is zstd-compressed; decompress it first (`zstd -d`)", path)
    try:
        outer = tarfile.open(fileobj=fh)  # noqa: SIM115 - closed by the `with outer:` below, after the error check
    except (OSError, tarfile.TarError, EOFError):
        # tarfile's own message lists each compression it tried, over several lines.
        raise InputError(_NOT_AN_ARCHIVE, path) from None
    with outer:
        return _read_image(_Archive(tar=outer), path)


def _read_image(archive: _Archive, path: str) -> Image:
    try:
        config, layers, tags = _metadata(archive, path)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError):
        # A crafted or damaged archive: malformed JSON, or JSON of the wrong shape.
        raise InputError(
            "not a readable image archive: its manifest or config is not the JSON docker, podman or OCI write", path
        ) from None
    image = Image(config=config.get("config") or {}, tags=tags)
    for layer in layers:
        _apply_layer(image, archive.read(layer, path), path, layer)
    return image


def _unzstd(data: bytes, path: str, name: str) -> bytes:
    """A zstd-compressed layer (`podman push --compression-format zstd`, OCI's tar+zstd media type), decompressed
    with Python 3.14's compression.zstd, or the zstandard package where it is installed; else one line saying so."""
    try:
        from compression import zstd  # type: ignore[import-not-found,unused-ignore]

        return bytes(zstd.decompress(data))
    except ImportError:
        pass
    try:
        import zstandard  # type: ignore[import-not-found,unused-ignore]

        return bytes(zstandard.ZstdDecompressor().decompressobj().decompress(data))
    except ImportError:
        raise InputError(
            f"layer {name} is zstd-compressed, which this Python cannot read (Python 3.14+ or the `zstandard` "
            "package can); save the image with gzip layers (`podman save --format docker-archive`)",
            path,
        ) from None
    except Exception as exc:  # zstandard.ZstdError and friends: a damaged layer
        raise InputError(f"layer {name} is zstd-compressed and cannot be decompressed: {exc}", path) from None


def _metadata(outer: _Archive, path: str) -> tuple[dict[str, Any], list[str], list[str]]:
    """The image config, its layers (member names, bottom first) and its tags, from either archive layout."""
    if outer.has("manifest.json"):
        manifest = json.loads(outer.read("manifest.json", path))[0]
        config = json.loads(outer.read(manifest["Config"], path))
        layers = [str(layer) for layer in manifest["Layers"]]
        tags = [str(t) for t in manifest.get("RepoTags") or []]
    elif outer.has("index.json"):
        index = json.loads(outer.read("index.json", path))
        desc = index["manifests"][0]
        m = json.loads(outer.read(_blob(desc["digest"]), path))
        if "manifests" in m:  # an index of manifests (multi-platform): take the first
            m = json.loads(outer.read(_blob(m["manifests"][0]["digest"]), path))
        config = json.loads(outer.read(_blob(m["config"]["digest"]), path))
        layers = [_blob(layer["digest"]) for layer in m["layers"]]
        ref = desc.get("annotations", {}).get("org.opencontainers.image.ref.name")
        tags = [ref] if ref else []
    else:
        raise InputError("neither a docker-archive (manifest.json) nor an OCI layout (index.json)", path)
    if not isinstance(config, dict):
        raise TypeError("config")
    return config, layers, tags


def _blob(digest: str) -> str:
    algo, _, hexd = digest.partition(":")
    return f"blobs/{algo}/{hexd}"


def _apply_layer(image: Image, data: bytes, path: str, name: str = "") -> None:
    """Apply one layer (its blob's bytes: a tar, compressed or not) to `image`, whiteouts included."""
    if data[:4] == _ZSTD_MAGIC:
        data = _unzstd(data, path, name)
    try:
        layer = tarfile.open(fileobj=io.BytesIO(data))  # noqa: SIM115 - plain, gzip, bz2 or xz; closed by `with layer:`
    except (tarfile.TarError, EOFError, OSError):
        raise InputError(f"layer {name} is not a tar file (plain, gzip, bzip2, xz or zstd)", path) from None
    with layer:
        apply_tar(image, layer)


def apply_tar(image: Image, layer: tarfile.TarFile) -> None:
    """Apply one layer's members to `image`, in order, whiteouts included. `layer` may be opened as a stream
    (`mode="r|*"`): each member is looked at once, and only the account files' contents are read."""
    entries = image.entries
    for m in layer:
        name = "/" + posixpath.normpath(m.name).lstrip("./").lstrip("/")
        if name in ("/.", "//"):
            name = "/"
        base = posixpath.basename(name)
        parent = posixpath.dirname(name)
        if base == ".wh..wh..opq":
            for p in [p for p in entries if p.startswith(parent.rstrip("/") + "/")]:
                del entries[p]
            continue
        if base.startswith(".wh."):
            gone = posixpath.join(parent, base[4:])
            for p in [p for p in entries if p == gone or p.startswith(gone + "/")]:
                del entries[p]
            continue
        if m.isdir():
            e = Entry("dir", m.uid, m.gid, m.mode & 0o7777)
        elif m.issym():
            e = Entry("symlink", m.uid, m.gid, 0o777, m.linkname)
        elif m.isfile() or m.islnk():
            content = None
            if name in ("/etc/passwd", "/etc/group") and m.isfile():
                f = layer.extractfile(m)
                content = f.read() if f is not None else None
            e = Entry("file", m.uid, m.gid, m.mode & 0o7777, content=content)
        else:
            continue
        if e.kind != "dir" and name in entries and entries[name].kind == "dir":
            for p in [p for p in entries if p.startswith(name + "/")]:
                del entries[p]
        entries[name] = e


def profile_yaml(image: Image, name: str, source: str, **marks: str) -> str:
    """The profile file (`profiles:` with one profile) for `image`, as YAML; `marks` (digest, platform) are added
    to the profile as they are."""
    import yaml

    return yaml.safe_dump(profile_doc(image, name, source, **marks), sort_keys=False, width=200)


def profile_doc(image: Image, name: str, source: str, **marks: str) -> dict[str, Any]:
    """The profile file's content as plain data (mappings, lists, strings): what `profile_yaml` dumps and what the
    registry cache stores as JSON."""
    entries = image.entries
    if "/" not in entries:
        entries["/"] = Entry("dir", 0, 0, 0o755)
    env = dict(v.split("=", 1) for v in image.config.get("Env") or [] if "=" in v)
    passwd = _accounts(entries.get("/etc/passwd"), 7)
    groups = _accounts(entries.get("/etc/group"), 4)
    venvs = sorted(posixpath.dirname(p) for p, e in entries.items() if p.endswith("/pyvenv.cfg") and e.kind == "file")
    paths: dict[str, dict[str, str]] = {}
    listed = {posixpath.normpath(d) for d in env.get("PATH", "").split(":") if d.startswith("/")}
    listed.update(posixpath.join(v, "bin") for v in venvs)
    listed.add("/etc/skel")  # what `useradd -m` copies into a new HOME
    sizes = Counter(posixpath.dirname(p) for p in entries if p != "/")
    keep = {
        p
        for p, e in entries.items()
        if e.kind in ("dir", "symlink")
        or _INTERESTING_FILE.search(p)
        or posixpath.dirname(p) in listed
        or sizes[posixpath.dirname(p)] <= SMALL_DIRECTORY
    }
    for p in list(keep):
        keep.update(a for a in _ancestors(p))
    # A directory is complete when the profile keeps every entry the image has in it.
    partial = {posixpath.dirname(p) for p in entries if p not in keep and p != "/"}
    complete = sorted(p for p in keep if p in entries and entries[p].kind == "dir" and p not in partial)
    for p in sorted(keep, key=lambda x: (x.count("/") if x != "/" else 0, x)):
        e = entries.get(p) or Entry("dir", 0, 0, 0o755)
        spec: dict[str, str] = {"owner": f"{e.uid}:{e.gid}"}
        if e.kind != "dir":
            spec["kind"] = e.kind
        if e.kind == "symlink":
            spec["target"] = e.target or ""
        else:
            spec["mode"] = f"{e.mode:04o}"
        paths[p] = spec
    doc = {
        "profiles": [
            {
                "name": name,
                "match": image.tags or [name],
                "source": source,
                **marks,
                "user": str(image.config.get("User") or ""),
                "workdir": str(image.config.get("WorkingDir") or "/"),
                "env": env,
                "passwd": [":".join([u[0], u[2], u[3], u[5], u[6]]) for u in passwd if len(u) >= 7],
                "groups": [":".join([g[0], g[2], g[3]]) for g in groups if len(g) >= 4],
                "venvs": venvs,
                # The image's own account files, read whole (an image without them has no accounts but root's).
                "passwd_complete": True,
                "complete_dirs": complete,
                "paths": paths,
            }
        ]
    }
    return doc


def _accounts(entry: Entry | None, fields: int) -> list[list[str]]:
    if entry is None or entry.content is None:
        return []
    out = []
    for line in entry.content.decode("utf-8", "replace").splitlines():
        parts = line.split(":")
        if len(parts) >= fields - 1 and parts[0] and not parts[0].startswith("#") and parts[2].isdigit():
            while len(parts) < fields:
                parts.append("")
            out.append(parts)
    return out


def _ancestors(path: str) -> list[str]:
    out = []
    while path not in ("/", ""):
        path = posixpath.dirname(path)
        out.append(path)
    return out
