"""The real base images of the reality suite: a minimal Debian with Debian's Python, and the layouts users build on,
derived from it by the Dockerfiles under `images/`.

- `rootfs`: `mmdebstrap` from the machine's apt sources (`images/base.yaml`), imported with `buildah add`.
- `debian`: that, with the suite's package index configured (PEP 668's marker kept, as Debian ships it).
- `python`: the python:3.11-slim layout (`/usr/local/bin/python3`, pip in /usr/local, no PEP 668 marker, root).
- `s2i`: the UBI/sclorg layout (venv `/opt/app-root` owned 1001:0 with group write, `USER 1001`).
- `distroless`: Debian's python3 without a shell or pip, with the `nonroot` account.
- `tools`: `python` with uv, poetry, pipenv, pdm and virtualenv installed by root.

Each image is saved as a docker-archive in the cache (`VENVLINT_REALITY_CACHE`, default /var/tmp/venvlint-reality),
keyed by everything it is made from (base.yaml, its Dockerfile and files, its parent's key, the wheel pins), so it
is built once per machine and pulled from the archive into each buildah storage after that. venvlint learns every
base from these archives with `venvlint profile` (never from a hand-written profile): `profiles.yaml` is that
output, recorded, so that the agreement test needs no build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.oracle.harness import _unmount_below as unmount_below

from . import index

IMAGES = Path(__file__).parent / "images"
PROFILES = IMAGES / "profiles.yaml"
MANIFEST = IMAGES / "manifest.yaml"
ORDER = ("debian", "python", "s2i", "distroless", "tools")  # each built FROM one before it (or rootfs)
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def tag(name: str) -> str:
    return f"localhost/reality/{name}:1"


def cache_dir() -> Path:
    d = Path(os.environ.get("VENVLINT_REALITY_CACHE") or "/var/tmp/venvlint-reality")
    d.mkdir(parents=True, exist_ok=True)
    return d


def base_spec() -> dict[str, Any]:
    data = yaml.safe_load((IMAGES / "base.yaml").read_text())
    assert isinstance(data, dict)
    return data


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()[:16]


def _folder_bytes(folder: Path) -> list[bytes]:
    out: list[bytes] = []
    for f in sorted(folder.rglob("*")):
        if f.is_file():
            out += [str(f.relative_to(folder)).encode(), f.read_bytes()]
    return out


def keys() -> dict[str, str]:
    """Each image's cache key (rootfs first)."""
    out = {"rootfs": _digest((IMAGES / "base.yaml").read_bytes())}
    parent = out["rootfs"]
    pins = index.pins_digest()
    for name in ORDER:
        dockerfile = (IMAGES / name / "Dockerfile").read_text()
        base = next(line.split()[1] for line in dockerfile.splitlines() if line.startswith("FROM "))
        parent = out[base.rsplit("/", 1)[1].split(":")[0]]
        out[name] = _digest(parent, pins, *_folder_bytes(IMAGES / name))
    return out


def archive(name: str) -> Path:
    return cache_dir() / f"{name}-{keys()[name]}.tar"


# ------------------------------------------------------------------------------------------------------------ rootfs
def build_rootfs() -> Path:
    """The mmdebstrap tarball (cached): minutes the first time, nothing after."""
    out = cache_dir() / f"rootfs-{keys()['rootfs']}.tar"
    if out.is_file():
        return out
    spec = base_spec()
    sources = "/etc/apt/sources.list.d/debian.sources"
    if not os.path.isfile(sources):
        sources = "/etc/apt/sources.list"
    args = ["mmdebstrap", "--quiet", f"--variant={spec['variant']}", "--include=" + ",".join(spec["include"]),
            "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr"]  # fmt: skip
    args += [f"--dpkgopt=path-exclude={p}" for p in spec.get("dpkg_exclude", [])]
    args.append('--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*.log '
                '"$1"/var/cache/debconf/*-old')  # fmt: skip
    tmp = out.with_suffix(".tmp.tar")  # mmdebstrap picks its output format by the extension
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    subprocess.run([*args, spec["suite"], str(tmp), sources], check=True, env=env, capture_output=True, timeout=900)
    tmp.rename(out)
    return out


def packages(rootfs: Path) -> dict[str, str]:
    """Package → version, from the tarball's dpkg status."""
    with tarfile.open(rootfs) as tf:
        member = next(m for m in tf.getmembers() if m.name.lstrip("./") == "var/lib/dpkg/status")
        f = tf.extractfile(member)
        assert f is not None
        text = f.read().decode()
    out: dict[str, str] = {}
    for para in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in para.splitlines() if ": " in line and not line.startswith(" "))
        if "Package" in fields and "installed" in fields.get("Status", ""):
            out[fields["Package"]] = fields.get("Version", "")
    return out


def manifest(rootfs: Path) -> dict[str, Any]:
    """What a recording rests on, from the images: the recorded packages' versions and the wheel pins."""
    have = packages(rootfs)
    return {
        "packages": {p: have.get(p, "absent") for p in base_spec()["recorded_packages"]},
        "wheels": index.pins_digest(),
        "images": {name: _digest(*_folder_bytes(IMAGES / name)) for name in ORDER},
    }


def manifest_digest(data: Mapping[str, Any] | None = None) -> str:
    """The digest of the recorded manifest (the file, unless `data` is given)."""
    if data is None:
        data = yaml.safe_load(MANIFEST.read_text())
    return _digest(yaml.safe_dump(dict(data), sort_keys=True))


# ------------------------------------------------------------------------------------------------------------ buildah
@dataclass
class Store:
    """One buildah storage (vfs, chroot isolation) holding the reality images."""

    root: Path

    @property
    def base(self) -> list[str]:
        return ["buildah", "--root", str(self.root / "storage"), "--runroot", str(self.root / "run"),
                "--storage-driver", "vfs"]  # fmt: skip

    def run(
        self, *args: str, check: bool = True, timeout: float = 900, tmpdir: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """buildah with these arguments; `tmpdir` as its TMPDIR (buildah 1.28 keeps RUN cache mounts in
        $TMPDIR/buildah-cache, by target path: a fresh one makes each build's cache mounts new, as on a first
        build, rather than shared with every other build on the machine)."""
        env = {**os.environ, "TMPDIR": str(tmpdir)} if tmpdir is not None else None
        return subprocess.run([*self.base, *args], capture_output=True, text=True, check=check, timeout=timeout,
                              env=env)  # fmt: skip

    def has(self, ref: str) -> bool:
        return self.run("inspect", "--type", "image", ref, check=False).returncode == 0

    def bud(self, dockerfile: Path, context: Path, ref: str, *extra: str) -> subprocess.CompletedProcess[str]:
        """Build with cache mounts of its own (a fresh TMPDIR, removed afterwards)."""
        with tempfile.TemporaryDirectory(prefix="venvlint-bud-") as tmp:
            return self.run("bud", "--format", "docker", "--isolation", "chroot", "--layers=false", "--force-rm",
                            "--pull-never", "-t", ref, *extra, "-f", str(dockerfile), str(context), check=False,
                            tmpdir=Path(tmp))  # fmt: skip

    def close(self) -> None:
        """Remove every container and image of this storage, then the storage itself."""
        self.run("rm", "--all", check=False)
        self.run("rmi", "--all", "--force", check=False)
        unmount_below(self.root)
        shutil.rmtree(self.root, ignore_errors=True)


def _import_rootfs(store: Store, rootfs: Path) -> None:
    ctr = store.run("from", "scratch").stdout.strip()
    try:
        store.run("add", ctr, str(rootfs), "/")
        store.run("config", "--env", f"PATH={PATH}", "--cmd", '["python3"]', ctr)
        store.run("commit", "--format", "docker", "-q", ctr, tag("rootfs"))
    finally:
        store.run("rm", ctr, check=False)


def ensure_images(store: Store, names: tuple[str, ...] = ORDER) -> None:
    """Make every image in `store`: pulled from its cached archive, or built (the index must be serving) and saved
    there. Parents come first."""
    wanted = set(names)
    for name in ORDER:  # parents of wanted images are wanted too
        if name in wanted:
            df = (IMAGES / name / "Dockerfile").read_text()
            parent = next(line.split()[1] for line in df.splitlines() if line.startswith("FROM "))
            wanted.add(parent.rsplit("/", 1)[1].split(":")[0])
    for name in ORDER:
        if name not in wanted or store.has(tag(name)):
            continue
        saved = archive(name)
        if saved.is_file():
            store.run("pull", "-q", f"docker-archive:{saved}")
            continue
        if not store.has(tag("rootfs")):
            _import_rootfs(store, build_rootfs())
        proc = store.bud(IMAGES / name / "Dockerfile", IMAGES / name, tag(name))
        if proc.returncode != 0:
            raise RuntimeError(
                f"building the reality image {name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        tmp = saved.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        store.run("push", "-q", tag(name), f"docker-archive:{tmp}:{tag(name)}")
        tmp.rename(saved)


def profile_of(name: str) -> str:
    """`venvlint profile` of the image's archive (the real command line)."""
    exe = shutil.which("venvlint")
    if exe is None:
        raise RuntimeError("venvlint is not installed (pip install -e .)")
    proc = subprocess.run([exe, "profile", str(archive(name))], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"venvlint profile {archive(name)} failed: {proc.stderr}")
    return proc.stdout


def profiles_yaml() -> str:
    """Every image's profile as `venvlint profile` writes it, in one file (`profiles:` of all of them)."""
    merged: list[Any] = []
    for name in ORDER:
        doc = yaml.safe_load(profile_of(name))
        for p in doc["profiles"]:
            p["source"] = f"venvlint profile of the reality image {name} (tests/reality/images/{name})"
            merged.append(p)
    head = ("# Written by `python -m tests.reality.record --images` from the saved reality images with `venvlint "
            "profile`;\n# never edit by hand.\n")  # fmt: skip
    return head + yaml.safe_dump({"profiles": merged}, sort_keys=False, width=200)


def save_file(text: str, path: Path) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as fh:
        fh.write(text)
    os.chmod(fh.name, 0o644)
    os.replace(fh.name, path)
