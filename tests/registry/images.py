"""The test images, built once per pytest session with buildah (root, vfs, chroot isolation) FROM scratch with the
host's static busybox, in buildah storage of their own (`Buildah` of tests/oracle/harness.py) so that neither the
oracle's images nor the machine's are touched.

- `app_root`: the UBI9 python image's shape (`default` user 1001:0, /opt/app-root a 1001:0 0775 virtual environment,
  USER 1001, WORKDIR and HOME /opt/app-root/src, PATH with /opt/app-root/bin first), linux/amd64.
- `arm64`: the same layout made visibly different (USER 1002, /opt/app-root 0:0 0755), linux/arm64, built from COPY
  only (no RUN: nothing here can run arm64 code).
- `multi`: a manifest list of the two.
- `whiteout`: two layers; the upper one deletes /opt/gone (a `.wh.gone` entry), empties /opt/refill and writes a
  new file into it, and replaces /opt/replaced by a new directory (docs/MEASUREMENTS.md says which whiteouts vfs
  writes for these).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.oracle.harness import BUSYBOX, Buildah

from .blobs import APP_ROOT_PASSWD, opaque_whiteout_image, upload_image
from .harness import RegistryServer

PREFIX = "localhost/venvlint-registry-test"
LOCK_FILE = Path("/tmp/venvlint-heavy.lock")
LOCK_TIMEOUT = 900.0
APP_ROOT_PASSWD_LINE = "default:x:1001:0:Default Application User:/opt/app-root/src:/bin/sh"
ENV = ["HOME=/opt/app-root/src", "PATH=/opt/app-root/bin:/usr/local/bin:/usr/bin:/bin"]
PREAMBLE = """FROM scratch
COPY busybox /bin/busybox
SHELL ["/bin/busybox", "sh", "-c"]
RUN /bin/busybox --install -s /bin && mkdir -p /etc /tmp /usr/bin && chmod 1777 /tmp
"""
APP_ROOT = (
    PREAMBLE
    + r"""RUN printf 'root:x:0:0:root:/root:/bin/sh\n"""
    + APP_ROOT_PASSWD_LINE
    + r"""\n' >/etc/passwd \
 && printf 'root:x:0:\n' >/etc/group \
 && mkdir -p /opt/app-root/bin /opt/app-root/src \
 && printf 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n' >/opt/app-root/pyvenv.cfg \
 && printf '#!/bin/sh\necho pip\n' >/opt/app-root/bin/pip \
 && printf '#!/bin/sh\necho python\n' >/opt/app-root/bin/python \
 && chown -R 1001:0 /opt/app-root && chmod 0775 /opt/app-root /opt/app-root/bin /opt/app-root/src \
    /opt/app-root/bin/pip /opt/app-root/bin/python && chmod 0664 /opt/app-root/pyvenv.cfg
USER 1001
WORKDIR /opt/app-root/src
ENV HOME=/opt/app-root/src PATH=/opt/app-root/bin:/usr/local/bin:/usr/bin:/bin
"""
)
ARM64 = """FROM scratch
COPY --chown=0:0 rootfs/ /
USER 1002
WORKDIR /opt/app-root/src
ENV HOME=/opt/app-root/src PATH=/opt/app-root/bin:/usr/local/bin:/usr/bin:/bin
"""
WHITEOUT_BASE = (
    PREAMBLE
    + """RUN mkdir -p /opt/gone/sub /opt/refill /opt/replaced /opt/keep && echo a >/opt/gone/sub/f \
 && echo old >/opt/refill/old && echo old >/opt/replaced/old && echo k >/opt/keep/k
"""
)
WHITEOUT_TOP = """FROM {base}
RUN rm -rf /opt/gone /opt/refill/old /opt/replaced && echo new >/opt/refill/new \
 && mkdir /opt/replaced && echo new >/opt/replaced/new
"""


@contextlib.contextmanager
def heavy_lock(timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold /tmp/venvlint-heavy.lock (the lock `flock /tmp/venvlint-heavy.lock CMD` takes) while building.

    When this process already inherited the lock from `flock` (an open descriptor of the file), taking it again
    would wait for ourselves: then it is held already and nothing is done. Waits at most `timeout` seconds."""
    fd_dir = Path("/proc/self/fd")
    with contextlib.suppress(OSError):
        for fd in fd_dir.iterdir():
            with contextlib.suppress(OSError):
                if Path(os.readlink(fd)) == LOCK_FILE:
                    yield
                    return
    with open(LOCK_FILE, "a") as f:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{LOCK_FILE} stayed locked for {timeout:g} s") from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@dataclass
class TestImages:
    """Local image names in `buildah`'s storage (push them with `RegistryServer.push` or `push_test_images`)."""

    __test__ = False  # not a pytest test class

    buildah: Buildah
    app_root: str
    arm64: str
    multi: str  # a manifest list: linux/amd64 = app_root, linux/arm64 = arm64
    whiteout: str
    whiteout_base: str

    def close(self) -> None:
        """Remove the images and their storage."""
        self.buildah.run("manifest", "rm", self.multi, check=False)
        self.buildah.close()


def _context(work: Path) -> Path:
    ctx = work / "ctx"
    ctx.mkdir(parents=True, exist_ok=True)
    shutil.copy2(BUSYBOX, ctx / "busybox")
    os.chmod(ctx / "busybox", 0o755)
    return ctx


def _arm64_rootfs(ctx: Path) -> None:
    """The arm64 image's tree with exact modes (COPY keeps them; --chown=0:0 makes everything root's)."""
    root = ctx / "rootfs"
    files = {
        "bin/busybox": (BUSYBOX.read_bytes(), 0o755),
        "etc/passwd": (APP_ROOT_PASSWD.replace("1001", "1002").encode(), 0o644),
        "etc/group": (b"root:x:0:\n", 0o644),
        "opt/app-root/pyvenv.cfg": (b"home = /usr/bin\ninclude-system-site-packages = false\n", 0o644),
        "opt/app-root/bin/pip": (b"#!/bin/sh\necho pip\n", 0o755),
        "opt/app-root/bin/python": (b"#!/bin/sh\necho python\n", 0o755),
    }
    for rel, (data, mode) in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        os.chmod(p, mode)
    (root / "opt/app-root/src").mkdir(parents=True, exist_ok=True)
    (root / "tmp").mkdir(exist_ok=True)
    for dirpath, _dirs, _files in os.walk(root):
        os.chmod(dirpath, 0o755)
    os.chmod(root / "tmp", 0o1777)


def build_test_images(work: Path) -> TestImages:
    """Build every test image in buildah storage under `work` (about ten seconds on two cores, vfs)."""
    b = Buildah(work / "buildah")
    ctx = _context(work)
    _arm64_rootfs(ctx)
    names = {k: f"{PREFIX}/{k}:1" for k in ("app-root", "arm64", "whiteout-base", "whiteout")}
    bud = ["bud", "--format", "docker", "--isolation", "chroot", "--layers=false", "--force-rm", "-q"]

    def build(name: str, dockerfile: str, *extra: str) -> None:
        f = work / f"{name}.Dockerfile"
        f.write_text(dockerfile)
        tmp = work / "tmp"
        tmp.mkdir(exist_ok=True)
        proc = b.run(*bud, *extra, "-t", names[name], "-f", str(f), str(ctx), check=False, tmpdir=tmp)
        if proc.returncode != 0:
            raise RuntimeError(f"buildah could not build {name}:\n{proc.stdout}\n{proc.stderr}")

    with heavy_lock():
        build("app-root", APP_ROOT)
        build("arm64", ARM64, "--arch", "arm64", "--os", "linux")
        build("whiteout-base", WHITEOUT_BASE)
        build("whiteout", WHITEOUT_TOP.format(base=names["whiteout-base"]), "--pull-never")
        multi = f"{PREFIX}/multi:1"
        b.run("manifest", "rm", multi, check=False)
        b.run("manifest", "create", multi)
        b.run("manifest", "add", multi, f"containers-storage:{names['app-root']}")
        b.run("manifest", "add", multi, f"containers-storage:{names['arm64']}")
    return TestImages(b, names["app-root"], names["arm64"], multi, names["whiteout"], names["whiteout-base"])


# Repository names the pushed images get (`push_test_images`); every registry mode gets all of them.
PUBLIC_APP_ROOT = "public/app-root:1"  # OCI manifest
PUBLIC_APP_ROOT_V2S2 = "public/app-root:v2s2"  # the same image as a Docker schema 2 manifest
PUBLIC_MULTI = "public/multi:1"  # OCI image index, amd64 + arm64
PUBLIC_WHITEOUT = "public/whiteout:1"
PUBLIC_OPAQUE = "public/opaque:1"  # made in Python (blobs.opaque_whiteout_image): an opaque whiteout
PRIVATE_APP_ROOT = "private/app-root:1"  # outside public/: a token registry wants credentials even to pull


def push_test_images(registry: RegistryServer, images: TestImages) -> dict[str, str]:
    """Push every test image to `registry`; return repository:tag -> manifest (or index) digest."""
    b = images.buildah
    return {
        PUBLIC_APP_ROOT: registry.push(images.app_root, PUBLIC_APP_ROOT, b),
        PUBLIC_APP_ROOT_V2S2: registry.push(images.app_root, PUBLIC_APP_ROOT_V2S2, b, format="v2s2"),
        PUBLIC_MULTI: registry.push_index(images.multi, PUBLIC_MULTI, b),
        PUBLIC_WHITEOUT: registry.push(images.whiteout, PUBLIC_WHITEOUT, b),
        PUBLIC_OPAQUE: upload_image(registry, PUBLIC_OPAQUE, opaque_whiteout_image()),
        PRIVATE_APP_ROOT: registry.push(images.app_root, PRIVATE_APP_ROOT, b),
    }


@dataclass
class PushedRegistry:
    """A running `RegistryServer` holding every test image; `digests` maps repository:tag to manifest digest."""

    server: RegistryServer
    digests: dict[str, str]


class RegistryPool:
    """One registry per mode for a whole session, each started and filled once, under `work`."""

    def __init__(self, images: TestImages, work: Path) -> None:
        self.images = images
        self.work = work
        self._pushed: dict[str, PushedRegistry] = {}

    def get(self, mode: str) -> PushedRegistry:
        """The `mode` registry, running (started again if a test stopped it), with every test image pushed."""
        pushed = self._pushed.get(mode)
        if pushed is None:
            server = RegistryServer(self.work / mode, mode).start()
            try:
                pushed = PushedRegistry(server, push_test_images(server, self.images))
            except BaseException:
                server.stop()
                raise
            self._pushed[mode] = pushed
        pushed.server.start()
        return pushed

    def close(self) -> None:
        for pushed in self._pushed.values():
            pushed.server.stop()
        self._pushed.clear()
