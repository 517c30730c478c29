"""The profile cache and what venvlint does without a registry: offline, a cache hit, a stale entry, bounds of the
cache, settings read from the config. No registry is started here (tests/registry/test_registry.py starts one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from venvlint.model.imageref import ImageRef
from venvlint.registry.cache import CachedProfile, ProfileCache
from venvlint.registry.client import _choose_platform
from venvlint.registry.errors import RegistryError
from venvlint.registry.lookup import RegistryProfiles, canonical
from venvlint.registry.settings import RegistrySettings, is_loopback, valid_platform

DIGEST = "sha256:" + "ab" * 32
DOC = {
    "profiles": [
        {
            "name": "ghcr.io/acme/app:1",
            "match": ["ghcr.io/acme/app:1"],
            "source": "test",
            "digest": DIGEST,
            "platform": "linux/amd64",
            "user": "1001",
            "workdir": "/opt/app-root/src",
            "env": {"PATH": "/opt/app-root/bin:/usr/bin:/bin", "HOME": "/opt/app-root/src"},
            "passwd": ["root:0:0:/root:/bin/sh", "default:1001:0:/opt/app-root/src:/bin/sh"],
            "groups": ["root:0:"],
            "venvs": ["/opt/app-root"],
            "passwd_complete": True,
            "complete_dirs": ["/", "/opt"],
            "paths": {
                "/": {"owner": "0:0", "mode": "0755"},
                "/opt": {"owner": "0:0", "mode": "0755"},
                "/opt/app-root": {"owner": "1001:0", "mode": "0775"},
                "/opt/app-root/pyvenv.cfg": {"owner": "1001:0", "mode": "0664", "kind": "file"},
                "/opt/app-root/src": {"owner": "1001:0", "mode": "0775"},
            },
        }
    ]
}


def _seed(root: Path, reference: str = "ghcr.io/acme/app:1", age_hours: float = 0.0) -> ProfileCache:
    cache = ProfileCache(str(root))
    ref = ImageRef.parse(reference)
    cache.store_profile(CachedProfile(DIGEST, "linux/amd64", canonical(ref), ref.registry, time.time(), DOC))
    cache.store_resolution(canonical(ref), "linux/amd64", DIGEST, time.time() - age_hours * 3600)
    return cache


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "venvlint", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120, check=False)  # fmt: skip


UV_AS_ROOT = 'FROM ghcr.io/acme/app:1\nUSER 0\nCOPY root/ /\nUSER 1001\nCMD ["uv", "pip", "install", "x"]\n'


def _project(tmp_path: Path) -> Path:
    (tmp_path / "root" / "opt" / "app-root").mkdir(parents=True)
    (tmp_path / "Dockerfile").write_text(UV_AS_ROOT)
    return tmp_path


def test_a_cached_profile_is_used_offline_with_its_digest_on_the_assumption_line(tmp_path: Path) -> None:
    """The story of the brief, from a profile read earlier: COPY re-applies the context's /opt/app-root."""
    _seed(tmp_path / "cache")
    proj = _project(tmp_path / "p")
    r = _run(["Dockerfile", "-f", "json"], proj, VENVLINT_OFFLINE="1", VENVLINT_CACHE_DIR=str(tmp_path / "cache"))
    doc = json.loads(r.stdout)
    assert r.returncode == 1, r.stderr
    assert any(f["code"] == "VL001" and f["path"] == "/opt/app-root" for f in doc["findings"]), doc["findings"]
    said = [a["message"] for a in doc["assumptions"] if a["line"] == 1]
    assert any("described by the image itself" in t and DIGEST in t for t in said), said


def test_offline_with_an_empty_cache_is_an_assumption_and_no_error(tmp_path: Path) -> None:
    proj = _project(tmp_path / "p")
    r = _run(["Dockerfile", "-f", "json"], proj, VENVLINT_CACHE_DIR=str(tmp_path / "empty"), VENVLINT_OFFLINE="1")
    doc = json.loads(r.stdout)
    assert not any(f["severity"] == "error" for f in doc["findings"]), doc["findings"]
    said = " ".join(a["message"] for a in doc["assumptions"] if a["line"] == 1)
    assert "not known to venvlint" in said and "offline" in said, said
    assert not (tmp_path / "empty").exists() or not list((tmp_path / "empty").rglob("*.json"))


@pytest.mark.parametrize("how", ["flag", "env", "config"])
def test_each_way_of_saying_offline_is_honoured(tmp_path: Path, how: str) -> None:
    """A stale entry (older than the TTL) is used offline, and the line says it was not checked again; online it
    would have been asked for again."""
    _seed(tmp_path / "cache", age_hours=48)
    proj = _project(tmp_path / "p")
    env = {"VENVLINT_CACHE_DIR": str(tmp_path / "cache"), "VENVLINT_OFFLINE": ""}
    args = ["Dockerfile", "-f", "json"]
    if how == "flag":
        args.append("--offline")
    elif how == "env":
        env["VENVLINT_OFFLINE"] = "1"
    else:
        (proj / ".venvlint.yaml").write_text("offline: true\n")
    r = _run(args, proj, **env)
    said = " ".join(a["message"] for a in json.loads(r.stdout)["assumptions"] if a["line"] == 1)
    assert "described by the image itself" in said and "offline: the registry was not asked again" in said, said


def test_a_stale_entry_is_used_when_the_registry_cannot_be_reached(tmp_path: Path) -> None:
    # 127.0.0.1:9 (discard) has nothing listening: the connection is refused at once.
    ref = "127.0.0.1:9/acme/app:1"
    _seed(tmp_path, ref, age_hours=48)
    lookup = RegistryProfiles(RegistrySettings(cache_dir=str(tmp_path), timeout=2))
    prof = lookup.profile(ref)
    assert prof is not None and prof.digest == DIGEST
    assert "the registry could not be asked again: 127.0.0.1:9 cannot be reached" in prof.origin
    # Without an entry, the same failure is the reason given, and no profile.
    assert lookup.profile("127.0.0.1:9/acme/other:1") is None
    why = lookup.failure("127.0.0.1:9/acme/other:1") or ""
    assert why.startswith("its registry could not be read: 127.0.0.1:9 cannot be reached"), why


def test_a_digest_reference_is_never_asked_again(tmp_path: Path) -> None:
    ref = f"127.0.0.1:9/acme/app@{DIGEST}"
    _seed(tmp_path, ref, age_hours=24 * 365)
    prof = RegistryProfiles(RegistrySettings(cache_dir=str(tmp_path))).profile(ref)
    assert prof is not None and "could not be asked" not in prof.origin


def test_a_damaged_cache_file_is_a_miss(tmp_path: Path) -> None:
    cache = _seed(tmp_path)
    for f in (tmp_path / "registry-v1" / "profiles").glob("*.json"):
        f.write_text("{not json")
    assert cache.profile(DIGEST) is None
    lookup = RegistryProfiles(RegistrySettings(cache_dir=str(tmp_path), offline=True))
    assert lookup.profile("ghcr.io/acme/app:1") is None
    assert "offline" in (lookup.failure("ghcr.io/acme/app:1") or "")


def test_the_cache_is_bounded_least_recently_used_first(tmp_path: Path) -> None:
    cache = ProfileCache(str(tmp_path))
    digests = [f"sha256:{i:064x}" for i in range(4)]
    for i, d in enumerate(digests):
        cache.store_profile(CachedProfile(d, "linux/amd64", f"r/{i}", "r", 0.0, {"pad": "x" * 1000}))
        os.utime(cache._profile_path(d), (1000 + i, 1000 + i))
    assert cache.profile(digests[0]) is not None  # used now: the newest
    cache.trim(max_bytes=2 * 1300)
    left = {d for d in digests if os.path.exists(cache._profile_path(d))}
    assert left == {digests[0], digests[3]}


def test_writes_are_atomic_renames(tmp_path: Path) -> None:
    cache = _seed(tmp_path)
    names = [p.name for p in (tmp_path / "registry-v1").rglob("*")]
    assert not [n for n in names if n.startswith(".tmp-")], names
    assert cache.profile(DIGEST) is not None


def test_concurrent_runs_share_one_cache(tmp_path: Path) -> None:
    """Four processes write the same entries at once: every reader sees a whole file."""
    code = (
        "import sys, time; from venvlint.registry.cache import ProfileCache, CachedProfile\n"
        "c = ProfileCache(sys.argv[1])\n"
        "for i in range(200):\n"
        f"    c.store_profile(CachedProfile('{DIGEST}', 'linux/amd64', 'r', 'r', time.time(), {{'n': i, 'pad': 'x' * 5000}}))\n"
        f"    assert c.profile('{DIGEST}') is not None\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)]) for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]


def test_registry_settings_from_the_config_are_checked(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    for text, said in (
        ("registries: {max-image-mb: -1}\n", "max-image-mb"),
        ("registries: {insecure: registry.lan}\n", "insecure"),
        ("registries: {proxy: x}\n", "unknown key 'proxy'"),
        ("offline: maybe\n", "offline"),
        ("platform: amd64\n", "platform"),
    ):
        (tmp_path / ".venvlint.yaml").write_text(text)
        r = _run(["Dockerfile"], tmp_path)
        assert r.returncode == 2 and said in r.stderr and r.stderr.count("\n") == 1, (text, r.stderr)
    (tmp_path / ".venvlint.yaml").write_text(
        "platform: linux/arm64\nregistries: {insecure: [registry.lan:5000], mirrors: {docker.io: [mirror.lan]}}\n"
    )
    r = _run(["Dockerfile", "--show-config"], tmp_path, VENVLINT_OFFLINE="")
    assert "read from their registries (linux/arm64)" in r.stdout, r.stdout
    r = _run(["Dockerfile", "--platform", "arm64"], tmp_path)
    assert r.returncode == 2 and "--platform" in r.stderr


def test_references_name_their_registry_and_repository() -> None:
    cases = {
        "python:3.12": ("docker.io", "library/python"),
        "docker.io/library/python:3.12": ("docker.io", "library/python"),
        "index.docker.io/bitnami/python": ("docker.io", "bitnami/python"),
        "registry-1.docker.io/library/python": ("docker.io", "library/python"),
        "ghcr.io/astral-sh/uv:0.6": ("ghcr.io", "astral-sh/uv"),
        "127.0.0.1:5000/public/app-root:1": ("127.0.0.1:5000", "public/app-root"),
        "localhost/reality/s2i:1": ("localhost", "reality/s2i"),
    }
    for text, (registry, repository) in cases.items():
        ref = ImageRef.parse(text)
        assert (ref.registry, ref.repository) == (registry, repository), text


def test_plain_http_only_for_loopback_and_listed_registries() -> None:
    s = RegistrySettings(insecure=("registry.lan:5000",))
    assert all(is_loopback(h) for h in ("localhost", "localhost:5000", "127.0.0.1:5000", "127.8.9.1", "[::1]:5000"))
    assert not any(is_loopback(h) for h in ("docker.io", "10.0.0.1:5000", "localhost.example.com", "[::2]:1"))
    assert s.plain_http_allowed("registry.lan:5000") and not s.plain_http_allowed("registry.lan")
    assert valid_platform("linux/arm/v7") and not valid_platform("linux") and not valid_platform("linux/a/b/c")
    assert s.platform_for("$TARGETPLATFORM") == "linux/amd64" and s.platform_for("linux/arm64") == "linux/arm64"


def test_the_platform_is_chosen_as_containerd_does() -> None:
    index = {
        "manifests": [
            {"digest": "sha256:amd", "platform": {"os": "linux", "architecture": "amd64"}},
            {"digest": "sha256:v7", "platform": {"os": "linux", "architecture": "arm", "variant": "v7"}},
            {"digest": "sha256:arm64", "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
            {"digest": "sha256:att", "platform": {"os": "unknown", "architecture": "unknown"}},
        ]
    }
    assert _choose_platform(index, "linux/amd64", "x")["digest"] == "sha256:amd"
    assert _choose_platform(index, "linux/arm64", "x")["digest"] == "sha256:arm64"
    assert _choose_platform(index, "linux/arm/v7", "x")["digest"] == "sha256:v7"
    with pytest.raises(RegistryError) as exc:
        _choose_platform(index, "linux/s390x", "x")
    assert "has no linux/s390x image (it has: linux/amd64, linux/arm/v7, linux/arm64/v8" in exc.value.reason


def _entry(digest: str, arch: str, variant: str = "", os_: str = "linux") -> dict[str, object]:
    platform = {"os": os_, "architecture": arch, **({"variant": variant} if variant else {})}
    return {"digest": digest, "platform": platform}


def test_the_platform_is_ranked_as_containerd_only_ranks_it() -> None:
    """containerd/platforms `Only`: the best match wins, not the first in the index (busybox and alpine list
    arm/v5 or arm/v6 before arm/v7); `arm` means arm/v7; an older arm variant runs where no exact one exists; a
    variant the request did not name (amd64/v3) is not what `linux/amd64` asks for."""
    arm = {"manifests": [_entry("sha256:v5", "arm", "v5"), _entry("sha256:v6", "arm", "v6"),
                         _entry("sha256:v7", "arm", "v7")]}  # fmt: skip
    assert _choose_platform(arm, "linux/arm", "x")["digest"] == "sha256:v7"
    assert _choose_platform(arm, "linux/arm/v7", "x")["digest"] == "sha256:v7"
    assert _choose_platform(arm, "linux/arm/v6", "x")["digest"] == "sha256:v6"
    older = {"manifests": [_entry("sha256:v6", "arm", "v6"), _entry("sha256:amd", "amd64")]}
    assert _choose_platform(older, "linux/arm/v7", "x")["digest"] == "sha256:v6"
    with pytest.raises(RegistryError):
        _choose_platform({"manifests": [_entry("sha256:v7", "arm", "v7")]}, "linux/arm/v6", "x")
    amd = {"manifests": [_entry("sha256:v3", "amd64", "v3"), _entry("sha256:plain", "amd64")]}
    assert _choose_platform(amd, "linux/amd64", "x")["digest"] == "sha256:plain"
    assert _choose_platform(amd, "linux/amd64/v3", "x")["digest"] == "sha256:v3"
    arm64 = {"manifests": [_entry("sha256:none", "arm64"), _entry("sha256:v8", "arm64", "v8")]}
    assert _choose_platform(arm64, "linux/arm64/v8", "x")["digest"] == "sha256:none"  # v8 and none are one
    assert _choose_platform({"manifests": [_entry("sha256:a", "aarch64")]}, "linux/arm64", "x")["digest"] == "sha256:a"
    only_32 = {"manifests": [_entry("sha256:v7", "arm", "v7")]}
    assert _choose_platform(only_32, "linux/arm64", "x")["digest"] == "sha256:v7"  # arm64 runs arm/v8 and older
    with pytest.raises(RegistryError):
        _choose_platform({"manifests": [_entry("sha256:w", "amd64", os_="windows")]}, "linux/amd64", "x")
