"""Build oracle cases with a real builder (buildah) and read back owner, group, mode and kind of image paths.

A case is a folder under `cases/`: a `Dockerfile`, a `context/` (without the busybox binary, copied in at build
time), and `case.yaml` with what git cannot store (directory and file modes, empty directories, symlinks, tar
archives to generate), the paths to check, and the builder's recorded answer under `expected:`.
See shared/spec/ORACLE.md for how the builds are run.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import tarfile
import uuid
from pathlib import Path
from typing import Any

import yaml

CASES = Path(__file__).parent / "cases"
BUSYBOX = Path("/bin/busybox")


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "case.yaml").is_file())


def load_case(case: Path) -> dict[str, Any]:
    data = yaml.safe_load((case / "case.yaml").read_text())
    assert isinstance(data, dict), case
    return data


def prepare_context(case: Path, dest: Path, busybox: bool) -> Path:
    """A copy of the case's context with its declared modes, dirs, symlinks and tars, plus busybox."""
    data = load_case(case)
    ctx = dest / "context"
    src = case / "context"
    if src.is_dir():
        shutil.copytree(src, ctx, symlinks=True)
    else:
        ctx.mkdir(parents=True)
    for d in data.get("dirs", []) or []:
        (ctx / d).mkdir(parents=True, exist_ok=True)
    for link, target in (data.get("symlinks") or {}).items():
        p = ctx / link
        p.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, p)
    for name, entries in (data.get("tars") or {}).items():
        _make_tar(ctx / name, entries)
    if busybox:
        shutil.copy2(BUSYBOX, ctx / "busybox")
    else:
        (ctx / "busybox").write_text("placeholder for the static busybox binary\n")
    os.chmod(ctx / "busybox", 0o755)
    # Deepest first, so that a restrictive directory mode does not stop us from reaching what is below it.
    modes = data.get("modes") or {}
    for rel in sorted(modes, key=lambda r: -r.count("/")):
        os.chmod(ctx / rel, int(str(modes[rel]), 8))
    shutil.copy2(case / "Dockerfile", dest / "Dockerfile")
    return ctx


def _make_tar(path: Path, entries: list[dict[str, Any]]) -> None:
    with tarfile.open(path, "w") as tf:
        for e in entries:
            info = tarfile.TarInfo(e["name"])
            info.uid = int(e.get("uid", 0))
            info.gid = int(e.get("gid", 0))
            info.mode = int(str(e.get("mode", "0644")), 8)
            info.mtime = 1700000000
            if e.get("type", "file") == "dir":
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            else:
                data = str(e.get("content", "x\n")).encode()
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))


def buildah_problem() -> str | None:
    """Why buildah cannot run here, or None when it can."""
    if shutil.which("buildah") is None:
        return "buildah is not installed (apt-get install -y buildah busybox-static)"
    if not BUSYBOX.is_file():
        return "/bin/busybox (busybox-static) is not installed"
    if os.geteuid() != 0:
        return "buildah with --isolation chroot needs root here"
    return None


class Buildah:
    """buildah with its own storage under a temporary directory, so tests never touch the machine's images."""

    def __init__(self, root: Path) -> None:
        self.base = [
            "buildah",
            "--root",
            str(root / "storage"),
            "--runroot",
            str(root / "run"),
            "--storage-driver",
            "vfs",
        ]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.base, *args], capture_output=True, text=True, check=check, timeout=300)

    def build_and_stat(self, case: Path, work: Path) -> dict[str, Any]:
        data = load_case(case)
        ctx = prepare_context(case, work, busybox=True)
        tag = f"oracle-{uuid.uuid4().hex[:12]}"
        args = ["bud", "--format", "docker", "--isolation", "chroot", "--layers=false", "-q", "-t", tag]
        for k, v in (data.get("build_args") or {}).items():
            args += ["--build-arg", f"{k}={v}"]
        if data.get("target"):
            args += ["--target", str(data["target"])]
        proc = self.run(*args, "-f", str(work / "Dockerfile"), str(ctx), check=False)
        if proc.returncode != 0:
            return {"build": "fails", "error": _last_error(proc.stderr + proc.stdout)}
        try:
            container = self.run("from", "-q", tag).stdout.strip()
            try:
                mount = Path(self.run("mount", container).stdout.strip())
                return {"expected": {p: stat_path(mount, p) for p in data["paths"]}}
            finally:
                self.run("umount", container, check=False)
                self.run("rm", container, check=False)
        finally:
            self.run("rmi", "-f", tag, check=False)


def _last_error(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if "error" in line.lower():
            return line[-300:]
    return (lines[-1] if lines else "")[-300:]


def stat_path(mount: Path, path: str) -> dict[str, Any] | str:
    """lstat of an image path below the mount (intermediate components must not be symlinks)."""
    host = mount / path.lstrip("/")
    try:
        st = os.lstat(host)
    except FileNotFoundError:
        return "absent"
    kind = "dir" if stat.S_ISDIR(st.st_mode) else "symlink" if stat.S_ISLNK(st.st_mode) else "file"
    out: dict[str, Any] = {"uid": st.st_uid, "gid": st.st_gid, "mode": f"{stat.S_IMODE(st.st_mode):04o}", "kind": kind}
    if kind == "symlink":
        out.pop("mode")
    return out
