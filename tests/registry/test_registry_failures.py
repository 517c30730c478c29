"""Every way a registry can fail becomes one assumption line naming why: never a crash, never a hang, never a
finding, and nothing cached. A loopback server that misbehaves on purpose (misbehaving.py; no root needed), linted
through the real console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .misbehaving import MisbehavingRegistry

PROBE = 'RUN ["/bin/busybox", "mkdir", "/opt/data"]\n'

EXPECTED = {
    "429": "rate-limited venvlint (429 Too Many Requests, retry after 1 s)",
    "401": "wants credentials for public/app-root and none are configured (401",
    "403": "denied access to public/app-root (403 Forbidden)",
    "500": "answered 500 for public/app-root",
    "malformed-manifest": "the manifest of {host}/public/app-root is not JSON",
    "wrong-digest": "with other bytes (the digest does not match)",
    "truncated-blob": "",  # the connection closes mid-layer: said as a transport failure or a broken tar
    "many-layers": "has 1000 layers, more than any image can have (127)",
    "slow": "did not answer within 2 s",
    "token-429": "token service rate-limited venvlint (429 Too Many Requests, retry after 1 s)",
    "storage-401": "sent venvlint to localhost for public/app-root, which answered 401",
    "token-huge": "token answer is larger than 1 MB: not what a registry sends",
}


def _lint(tmp_path: Path, host: str) -> tuple[subprocess.CompletedProcess[str], dict[str, object], float]:
    (tmp_path / "Dockerfile").write_text(f"FROM {host}/public/app-root:1\n{PROBE}")
    (tmp_path / ".venvlint.yaml").write_text("registries: {timeout: 2}\n")
    env = {**os.environ, "VENVLINT_OFFLINE": "0", "VENVLINT_CACHE_DIR": str(tmp_path / "cache")}
    started = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "venvlint", "Dockerfile", "-f", "json"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    return r, json.loads(r.stdout) if r.stdout else {}, time.monotonic() - started


@pytest.mark.parametrize("mode", sorted(EXPECTED))
def test_a_failing_registry_is_an_assumption_line(
    mode: str, misbehaving_registry: Callable[..., MisbehavingRegistry], tmp_path: Path
) -> None:
    reg = misbehaving_registry(mode, stall_seconds=30)
    r, doc, seconds = _lint(tmp_path, reg.host)
    assert r.returncode == 0, (r.returncode, r.stderr)  # no finding: the base is unknown, not denied
    assert doc["findings"] == [] and doc["errors"] == []
    said = " ".join(str(a["message"]) for a in doc["assumptions"] if a["line"] == 1)  # type: ignore[index,union-attr]
    assert "is not known to venvlint" in said and "its registry could not be read: " in said, said
    assert EXPECTED[mode].format(host=reg.host) in said, said
    assert "Traceback" not in r.stderr
    assert seconds < 30, seconds  # bounded by the timeout, not by the server's stall
    assert not list((tmp_path / "cache").rglob("sha256-*.json"))  # nothing half-read is cached


def test_the_same_image_served_well_lints_with_its_facts(
    misbehaving_registry: Callable[..., MisbehavingRegistry], tmp_path: Path
) -> None:
    """The control: in mode "ok" the stand-in's image is read, so the failures above are the misbehaviours'."""
    reg = misbehaving_registry("ok")
    r, doc, _ = _lint(tmp_path, reg.host)
    said = " ".join(str(a["message"]) for a in doc["assumptions"] if a["line"] == 1)  # type: ignore[index,union-attr]
    assert "described by the image itself" in said, (said, r.stderr)


def test_a_registry_out_of_reach_is_asked_once_per_run(
    misbehaving_registry: Callable[..., MisbehavingRegistry], tmp_path: Path
) -> None:
    """Three FROMs on one stalled registry wait for one timeout, not three."""
    reg = misbehaving_registry("slow", stall_seconds=30)
    text = "".join(f"FROM {reg.host}/public/app-root:{i} AS s{i}\n{PROBE}" for i in range(3))
    (tmp_path / "Dockerfile").write_text(text)
    (tmp_path / ".venvlint.yaml").write_text("registries: {timeout: 2}\n")
    env = {**os.environ, "VENVLINT_OFFLINE": "0", "VENVLINT_CACHE_DIR": str(tmp_path / "cache")}
    started = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "venvlint", "Dockerfile", "-f", "json"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - started < 12
    assert len(reg.hits) == 1, reg.hits
