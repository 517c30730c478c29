"""One image as bytes (manifest, config, layers), made in Python or read from a registry, and uploaded to a
registry through the distribution API.

Python-made images need neither root nor buildah: `MisbehavingRegistry` serves `app_root_image()` by default, and
`opaque_whiteout_image()` carries an opaque whiteout (`.wh..wh..opq`), which buildah's vfs storage never writes
(docs/MEASUREMENTS.md, "A real registry for the tests (issue 22)").
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .harness import RegistryServer

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
APP_ROOT_PASSWD = "root:x:0:0:root:/root:/bin/sh\ndefault:x:1001:0:Default Application User:/opt/app-root/src:/bin/sh\n"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One tar entry of a layer: kind "file", "dir" or "symlink" (then `data` is the target)."""

    name: str
    kind: str = "file"
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    data: bytes = b""


def layer_tar(entries: list[Entry], *, compress: bool = True) -> bytes:
    """A layer (gzip-compressed unless not `compress`) with exactly these entries, in this order, fixed mtime."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            info = tarfile.TarInfo(e.name)
            info.mode, info.uid, info.gid, info.mtime = e.mode, e.uid, e.gid, 1700000000
            if e.kind == "dir":
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            elif e.kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = e.data.decode()
                tf.addfile(info)
            else:
                info.size = len(e.data)
                tf.addfile(info, io.BytesIO(e.data))
    raw = buf.getvalue()
    return gzip.compress(raw, mtime=0) if compress else raw


def tar_names(layer: bytes) -> list[str]:
    """The entry names of a layer blob (gzip or plain tar)."""
    with tarfile.open(fileobj=io.BytesIO(layer), mode="r:*") as tf:
        return tf.getnames()


@dataclass
class ImageBlobs:
    """An OCI image: its config and layers as bytes, and the manifest that names them (built by `make`)."""

    config: bytes
    layers: list[bytes]
    layer_types: list[str] = field(default_factory=list)
    manifest: bytes = b""
    manifest_type: str = OCI_MANIFEST

    @classmethod
    def make(cls, config: dict[str, Any], layers: list[bytes], layer_type: str = OCI_LAYER_GZIP) -> ImageBlobs:
        """An image from a config (rootfs.diff_ids are filled in) and gzip layers."""
        cfg = dict(config)
        cfg["rootfs"] = {"type": "layers", "diff_ids": [sha256(gzip.decompress(x)) for x in layers]}
        config_bytes = json.dumps(cfg, sort_keys=True).encode()
        image = cls(config_bytes, list(layers), [layer_type] * len(layers))
        image.manifest = json.dumps(image.manifest_doc()).encode()
        return image

    def manifest_doc(self, layers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The manifest as a mapping; `layers` replaces the layer descriptors (a misbehaving registry's)."""
        return {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": sha256(self.config), "size": len(self.config)},
            "layers": layers if layers is not None else self.layer_descriptors(),
        }

    def layer_descriptors(self) -> list[dict[str, Any]]:
        return [
            {"mediaType": t, "digest": sha256(b), "size": len(b)}
            for b, t in zip(self.layers, self.layer_types, strict=True)
        ]

    @property
    def digest(self) -> str:
        """The manifest digest."""
        return sha256(self.manifest)

    @property
    def blobs(self) -> dict[str, bytes]:
        """digest -> bytes of the config and every layer."""
        return {sha256(b): b for b in [self.config, *self.layers]}

    @classmethod
    def from_registry(cls, registry: RegistryServer, repository: str, reference: str) -> ImageBlobs:
        """Read an image manifest (not an index) and its blobs from a running `RegistryServer`."""
        media_type, manifest = registry.manifest(repository, reference)
        doc = json.loads(manifest)
        if "layers" not in doc:
            raise ValueError(f"{repository}:{reference} is an index, not an image manifest")
        layers = [registry.blob(repository, d["digest"]) for d in doc["layers"]]
        config = registry.blob(repository, doc["config"]["digest"])
        return cls(config, layers, [d["mediaType"] for d in doc["layers"]], manifest, media_type)


def _config(user: str, env: list[str], workdir: str, arch: str = "amd64") -> dict[str, Any]:
    return {
        "architecture": arch,
        "os": "linux",
        "config": {"User": user, "Env": env, "WorkingDir": workdir, "Cmd": ["/bin/sh"]},
    }


APP_ROOT_ENV = ["PATH=/opt/app-root/bin:/usr/local/bin:/usr/bin:/bin", "HOME=/opt/app-root/src"]


def app_root_image() -> ImageBlobs:
    """The UBI9 python layout (like the buildah-built `app-root` image, without busybox) in one layer."""
    layer = layer_tar(
        [
            Entry("etc/", "dir", 0o755),
            Entry("etc/passwd", data=APP_ROOT_PASSWD.encode()),
            Entry("etc/group", data=b"root:x:0:\n"),
            Entry("opt/", "dir", 0o755),
            Entry("opt/app-root/", "dir", 0o775, uid=1001),
            Entry("opt/app-root/pyvenv.cfg", mode=0o664, data=b"home = /usr/bin\n", uid=1001),
            Entry("opt/app-root/bin/", "dir", 0o775, uid=1001),
            Entry("opt/app-root/bin/pip", mode=0o775, data=b"#!/bin/sh\n", uid=1001),
            Entry("opt/app-root/bin/python", mode=0o775, data=b"#!/bin/sh\n", uid=1001),
            Entry("opt/app-root/src/", "dir", 0o775, uid=1001),
            Entry("tmp/", "dir", 0o1777),
        ]
    )
    return ImageBlobs.make(_config("1001", APP_ROOT_ENV, "/opt/app-root/src"), [layer])


def opaque_whiteout_image() -> ImageBlobs:
    """Two layers: the lower makes /opt/data/old and /opt/gone/f; the upper makes /opt/data opaque
    (`opt/data/.wh..wh..opq`), adds /opt/data/new and deletes /opt/gone (`opt/.wh.gone`)."""
    lower = layer_tar(
        [
            Entry("etc/", "dir", 0o755),
            Entry("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n"),
            Entry("etc/group", data=b"root:x:0:\n"),
            Entry("opt/", "dir", 0o755),
            Entry("opt/data/", "dir", 0o755),
            Entry("opt/data/old", data=b"old\n"),
            Entry("opt/gone/", "dir", 0o755),
            Entry("opt/gone/f", data=b"f\n"),
        ]
    )
    upper = layer_tar(
        [
            Entry("opt/", "dir", 0o755),
            Entry("opt/.wh.gone", mode=0o000),
            Entry("opt/data/", "dir", 0o750, uid=1001),
            Entry("opt/data/.wh..wh..opq", mode=0o000),
            Entry("opt/data/new", data=b"new\n"),
        ]
    )
    return ImageBlobs.make(_config("0", ["PATH=/usr/bin:/bin"], "/"), [lower, upper])


def upload_image(registry: RegistryServer, dest: str, image: ImageBlobs) -> str:
    """Put `image` into `registry` as `dest` ("repo:tag") with monolithic blob uploads and a manifest PUT (the
    distribution API's push, with credentials in the auth modes); return the manifest digest."""
    repository, _, tag = dest.rpartition(":")
    for digest, data in image.blobs.items():
        status, headers, body = registry.request("POST", f"/v2/{repository}/blobs/uploads/", push=True)
        if status != 202:
            raise RuntimeError(f"upload of {digest} to {repository} not started: {status} {body[:300]!r}")
        location = headers["location"]
        path = location.split(registry.host, 1)[-1] if location.startswith("http") else location
        sep = "&" if "?" in path else "?"
        status, _h, body = registry.request("PUT", f"{path}{sep}digest={digest}", data,
                                            {"Content-Type": "application/octet-stream"}, push=True)  # fmt: skip
        if status != 201:
            raise RuntimeError(f"upload of {digest} to {repository} failed: {status} {body[:300]!r}")
    status, _h, body = registry.request("PUT", f"/v2/{repository}/manifests/{tag}", image.manifest,
                                        {"Content-Type": image.manifest_type}, push=True)  # fmt: skip
    if status != 201:
        raise RuntimeError(f"manifest of {dest} refused: {status} {body[:300]!r}")
    return image.digest
