"""`venvlint profile IMAGE.tar` on an image built and saved by buildah gives the same findings as the built-in
profile for the same layout (the UBI9 python-311 layout, rebuilt FROM scratch)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .harness import BUSYBOX, Buildah, buildah_problem

pytestmark = pytest.mark.oracle
IMAGE_DIR = Path(__file__).parent / "images" / "ubi-like"
ROOT = Path(__file__).resolve().parents[2]
DERIVED = """FROM {base}
USER 0
COPY overlay/ /
USER 1001
RUN pip install --no-cache-dir uv==0.6.6 && uv pip install --no-cache requests
"""


@pytest.fixture(scope="module", params=["docker-archive", "oci-archive"])
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    problem = buildah_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the buildah oracle is mandatory in CI: {problem}")
        pytest.skip(f"buildah oracle skipped: {problem}")
    work = tmp_path_factory.mktemp("img")
    b = Buildah(work)
    ctx = work / "ctx"
    ctx.mkdir()
    shutil.copy2(BUSYBOX, ctx / "busybox")
    tag = "localhost/venvlint-ubi-like:1"
    b.run("bud", "--format", "docker", "--isolation", "chroot", "--layers=false", "-q", "-t", tag,
          "-f", str(IMAGE_DIR / "Dockerfile"), str(ctx))  # fmt: skip
    out = work / "image.tar"
    b.run("push", tag, f"{request.param}:{out}:{tag}")
    b.run("rmi", "-f", tag, check=False)
    return out


def _findings(dockerfile: Path, *args: str) -> list[tuple[str, int, str, str]]:
    exe = shutil.which("venvlint")
    assert exe
    r = subprocess.run([exe, str(dockerfile), "--format", "json", *args], capture_output=True, text=True, timeout=60)
    assert r.returncode in (0, 1), r.stderr
    return sorted((f["code"], f["line"], f["path"], f["severity"]) for f in json.loads(r.stdout)["findings"])


def test_profile_from_saved_image_matches_builtin(archive: Path, tmp_path: Path) -> None:
    exe = shutil.which("venvlint")
    assert exe
    prof = tmp_path / "profile.yaml"
    r = subprocess.run([exe, "profile", str(archive), "-o", str(prof)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    text = prof.read_text()
    assert "localhost/venvlint-ubi-like:1" in text and "/opt/app-root" in text
    (tmp_path / "overlay/opt/app-root/etc").mkdir(parents=True)
    (tmp_path / "overlay/opt/app-root/etc/app.conf").write_text("x")
    mine = tmp_path / "Dockerfile.saved"
    mine.write_text(DERIVED.format(base="localhost/venvlint-ubi-like:1"))
    builtin = tmp_path / "Dockerfile.builtin"
    builtin.write_text(DERIVED.format(base="registry.access.redhat.com/ubi9/python-311"))
    got = _findings(mine, "--profiles", str(prof), "--runtime-user", "arbitrary")
    want = _findings(builtin)
    assert got == want
    assert ("VL001", 3, "/opt/app-root", "error") in got
