"""The package index the reality builds install from: pypiserver on 127.0.0.1:39119 over a folder of wheels.

A chroot-isolated buildah RUN reaches the host's loopback, and nothing else here: `pip install X`, `uv pip install X`,
`poetry install` in a case run exactly as users write them, against this index. The reality images point pip
(`/etc/pip.conf`), uv (`/etc/uv/uv.toml`), pdm (`PDM_PYPI_URL`) and pipenv (`PIPENV_PYPI_MIRROR`) at it; Poetry
projects name it as their primary source. The port is fixed because it is written into the images.

The wheels are the exact pins of `wheels.txt` (every distribution, dependencies included), downloaded once by
`.ci/run` into `.ci/reality-wheels` (or `VENVLINT_REALITY_WHEELS`) for CPython 3.11 on x86_64 glibc, the image's.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
PINS = HERE / "wheels.txt"
HOST, PORT = "127.0.0.1", 39119
URL = f"http://{HOST}:{PORT}/simple/"


def wheel_dir() -> Path:
    return Path(os.environ.get("VENVLINT_REALITY_WHEELS") or ROOT / ".ci" / "reality-wheels")


def pins() -> list[str]:
    """`name==version` for every wheel the index must serve."""
    return [ln.split("#", 1)[0].strip() for ln in PINS.read_text().splitlines() if ln.split("#", 1)[0].strip()]


def pins_digest() -> str:
    """What the tool versions of a recording rest on: the pin list, normalised."""
    return hashlib.sha256("\n".join(sorted(p.lower() for p in pins())).encode()).hexdigest()[:16]


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def missing_wheels(folder: Path | None = None) -> list[str]:
    """The pins with no wheel in the folder (empty when the folder serves them all)."""
    folder = folder or wheel_dir()
    have = set()
    if folder.is_dir():
        for f in folder.iterdir():
            if f.suffix == ".whl":
                name, version = f.name.split("-")[:2]
                have.add(f"{_normal(name)}=={version}")
    out = []
    for p in pins():
        name, _, version = p.partition("==")
        if f"{_normal(name)}=={version}" not in have:
            out.append(p)
    return out


def download(folder: Path | None = None) -> None:
    """Fetch the pinned wheels for CPython 3.11 on x86_64 (what `.ci/run` does; needs PyPI)."""
    folder = folder or wheel_dir()
    folder.mkdir(parents=True, exist_ok=True)
    todo = missing_wheels(folder)
    if not todo:
        return
    platforms = [f"--platform={p}" for p in ("manylinux_2_34_x86_64", "manylinux_2_28_x86_64", "manylinux_2_27_x86_64",
                                             "manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux1_x86_64",
                                             "manylinux_2_5_x86_64")]  # fmt: skip
    # pip refuses two versions of one project in one command (uv 0.6.6 and 0.13.9): one round per version.
    rounds: list[list[str]] = []
    for pin in todo:
        name = _normal(pin.partition("==")[0])
        free = next((r for r in rounds if all(_normal(p.partition("==")[0]) != name for p in r)), None)
        if free is None:
            rounds.append(free := [])
        free.append(pin)
    for batch in rounds:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "--python-version=3.11",
             "--implementation=cp", "--abi=cp311", "--abi=abi3", "--abi=none", *platforms, "-d", str(folder), *batch],
            check=True,
        )  # fmt: skip


def _answers() -> bool:
    try:
        with urllib.request.urlopen(URL + "pip/", timeout=2) as r:
            return r.status == 200 and b"pip-" in r.read()
    except OSError:
        return False


class Index:
    """pypiserver serving the wheel folder on 127.0.0.1:39119 while the object lives (`with Index(): ...`).

    An index already answering there with the pinned pip (another test session's) is used as it is."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or wheel_dir()
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Index:
        missing = missing_wheels(self.folder)
        if missing:
            raise RuntimeError(
                f"{len(missing)} pinned wheels are missing from {self.folder} (first: {missing[0]}); "
                "run `python -m tests.reality.index download` (bash .ci/run does)"
            )
        if _answers():
            return self
        with socket.socket() as s:
            if s.connect_ex((HOST, PORT)) == 0:
                raise RuntimeError(f"{HOST}:{PORT} is taken by something that is not the reality index")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pypiserver", "run", "-i", HOST, "-p", str(PORT), "--disable-fallback",
             "-a", ".", "-P", ".", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not _answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"pypiserver did not start on {HOST}:{PORT}")
            time.sleep(0.2)
        return self

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    if sys.argv[1:] == ["download"]:
        download()
    elif sys.argv[1:] == ["serve"]:
        with Index():
            print(f"serving {wheel_dir()} at {URL} (Ctrl-C stops)")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    else:
        raise SystemExit("usage: python -m tests.reality.index download|serve")
