"""A Dockerfile FROM an image venvlint has no profile for, linted with the facts of that image read from a real
registry (Debian's docker-registry on loopback, images pushed by buildah), through the real console script.

The probe: the app-root image runs as USER 1001 and has `/opt` 0:0 0755, so `RUN mkdir /opt/data` fails in the
build. venvlint can say so only when it knows the image's USER and /opt's owner and mode: from the registry, or
from the cache after that; never with the base unknown.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .images import PushedRegistry

PROBE = "RUN mkdir /opt/data\n"


def lint(tmp_path: Path, dockerfile: str, *args: str, cache: Path | None = None, **env: str) -> dict[str, Any]:
    """Run `venvlint Dockerfile -f json ARGS` online (unless env says otherwise) with the cache under tmp_path."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Dockerfile").write_text(dockerfile)
    full = {
        **os.environ,
        "VENVLINT_OFFLINE": "0",
        "VENVLINT_CACHE_DIR": str(cache or tmp_path / "cache"),
        "HOME": str(tmp_path / "home"),
        **env,
    }
    r = subprocess.run([sys.executable, "-m", "venvlint", "Dockerfile", "-f", "json", *args], cwd=tmp_path,
                       env=full, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert r.returncode in (0, 1), r.stderr
    doc: dict[str, Any] = json.loads(r.stdout)
    doc["stderr"] = r.stderr
    return doc


def errors(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["severity"] == "error"]


def from_line(doc: dict[str, Any]) -> str:
    return " | ".join(a["message"] for a in doc["assumptions"] if a["line"] == 1)


def test_the_pushed_image_is_linted_with_its_facts_then_from_the_cache_with_the_registry_stopped(
    fresh_registry: Callable[[str], PushedRegistry], tmp_path: Path
) -> None:
    reg = fresh_registry("plain")
    host = reg.server.host
    df = f"FROM {host}/public/app-root:1\n{PROBE}"
    first = lint(tmp_path, df)
    assert [(f["code"], f["line"]) for f in errors(first)] == [("VL002", 2)], first["findings"]
    assert reg.digests["public/app-root:1"] in from_line(first) and "described by the image itself" in from_line(first)
    assert "reading base image" in first["stderr"] and first["stderr"].count("\n") == 1  # one line in a CI log
    paths = [p for _, p in reg.server.requests()]
    assert paths[0] == "/v2/public/app-root/manifests/1" and sum("/blobs/" in p for p in paths) == 2, paths

    reg.server.stop()
    again = lint(tmp_path, df)
    assert errors(again) == errors(first) and from_line(again) == from_line(first)
    assert again["stderr"] == ""

    # Offline with nothing cached: an assumption line, no error.
    cold = lint(tmp_path, df, "--offline", cache=tmp_path / "empty")
    assert errors(cold) == [] and "offline" in from_line(cold)


def test_the_probe_needs_the_image_facts(tmp_path: Path) -> None:
    """The same Dockerfile with its base unknown gives no error (the test above is not true by accident)."""
    doc = lint(tmp_path, f"FROM 127.0.0.1:9/public/app-root:1\n{PROBE}")
    assert errors(doc) == [] and "127.0.0.1:9 cannot be reached" in from_line(doc)


def test_a_tag_is_asked_again_after_its_ttl_and_a_digest_never(plain_registry: PushedRegistry, tmp_path: Path) -> None:
    host = plain_registry.server.host
    lint(tmp_path, f"FROM {host}/public/app-root:1\n{PROBE}")
    plain_registry.server.clear_requests()
    (tmp_path / ".venvlint.yaml").write_text("registries: {tag-ttl-hours: 0}\n")
    lint(tmp_path, f"FROM {host}/public/app-root:1\n{PROBE}")
    # The manifest only: the digest did not change, so the cached profile serves.
    assert [p for _, p in plain_registry.server.requests()] == ["/v2/public/app-root/manifests/1"]

    digest = plain_registry.digests["public/app-root:1"]
    pinned = f"FROM {host}/public/app-root@{digest}\n{PROBE}"
    assert errors(lint(tmp_path, pinned))
    plain_registry.server.clear_requests()
    assert errors(lint(tmp_path, pinned))
    assert plain_registry.server.requests() == []


def test_a_docker_schema_2_manifest_reads_the_same(plain_registry: PushedRegistry, tmp_path: Path) -> None:
    host = plain_registry.server.host
    doc = lint(tmp_path, f"FROM {host}/public/app-root:v2s2\n{PROBE}")
    assert [f["code"] for f in errors(doc)] == ["VL002"]


def test_the_platform_picks_the_image_of_a_multi_platform_index(plain_registry: PushedRegistry, tmp_path: Path) -> None:
    """amd64: USER 1001 owns /opt/app-root; arm64: USER 1002 and /opt/app-root 0:0 0755 (and no /bin/sh: the
    probe runs busybox in the exec form)."""
    host = plain_registry.server.host
    df = f'FROM {host}/public/multi:1\nRUN ["/bin/busybox", "mkdir", "/opt/app-root/data"]\n'
    assert errors(lint(tmp_path / "a", df)) == []
    arm = lint(tmp_path / "b", df, "--platform", "linux/arm64")
    assert [f["code"] for f in errors(arm)] == ["VL002"], arm["findings"]
    assert "linux/arm64 manifest" in from_line(arm)
    from_flag = lint(tmp_path / "c", df.replace("FROM ", "FROM --platform=linux/arm64 "))
    assert [f["code"] for f in errors(from_flag)] == ["VL002"]
    none = lint(tmp_path / "d", df, "--platform", "linux/s390x")
    assert errors(none) == [] and "has no linux/s390x image (it has: linux/amd64, linux/arm64" in from_line(none)


def profile_of(ref: str, tmp_path: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "VENVLINT_OFFLINE": "0", "VENVLINT_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-m", "venvlint", "profile", ref, *args], capture_output=True, text=True,
                       env=env, timeout=120, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = yaml.safe_load(r.stdout)
    assert isinstance(doc, dict)
    return dict(doc["profiles"][0])


def test_whiteouts_delete_what_the_lower_layers_made(plain_registry: PushedRegistry, tmp_path: Path) -> None:
    host = plain_registry.server.host
    made = profile_of(f"{host}/public/whiteout:1", tmp_path)
    paths = made["paths"]
    assert "/opt/gone" not in paths and not any(p.startswith("/opt/gone/") for p in paths)
    refill = sorted(p for p in paths if p.startswith("/opt/refill/"))
    assert refill and all("old" not in p for p in refill), refill
    opaque = profile_of(f"{host}/public/opaque:1", tmp_path)["paths"]
    assert "/opt/data/new" in opaque and "/opt/data/old" not in opaque and "/opt/gone" not in opaque


def test_venvlint_profile_of_a_reference_is_a_profile_to_commit(plain_registry: PushedRegistry, tmp_path: Path) -> None:
    host = plain_registry.server.host
    ref = f"{host}/public/app-root:1"
    made = profile_of(ref, tmp_path, "--name", "app-root")
    assert made["name"] == "app-root" and made["match"] == [ref]
    assert made["digest"] == plain_registry.digests["public/app-root:1"] and made["platform"] == "linux/amd64"
    assert made["user"] == "1001" and made["paths"]["/opt/app-root"] == {"owner": "1001:0", "mode": "0775"}
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "profiles.yaml").write_text(yaml.safe_dump({"profiles": [made]}))
    # Committed and passed with --profiles, it serves offline with an empty cache: no registry, same error.
    doc = lint(tmp_path / "p", f"FROM {ref}\n{PROBE}", "--profiles", "profiles.yaml", "--offline",
               cache=tmp_path / "empty")  # fmt: skip
    assert [f["code"] for f in errors(doc)] == ["VL002"]


def test_tls_with_the_registrys_own_ca_in_certs_d(tls_registry: PushedRegistry, tmp_path: Path) -> None:
    host = tls_registry.server.host
    df = f"FROM {host}/public/app-root:1\n{PROBE}"
    untrusted = lint(tmp_path / "a", df)
    assert errors(untrusted) == [] and "TLS certificate is not trusted" in from_line(untrusted), from_line(untrusted)
    tls_registry.server.write_certs_d(tmp_path / "b" / "home")
    trusted = lint(tmp_path / "b", df)
    assert [f["code"] for f in errors(trusted)] == ["VL002"], from_line(trusted)
    # Listed as insecure, its certificate is not checked (Docker's insecure-registries); never plain HTTP to it.
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / ".venvlint.yaml").write_text(f"registries: {{insecure: ['{host}']}}\n")
    insecure = lint(tmp_path / "c", df)
    assert [f["code"] for f in errors(insecure)] == ["VL002"], from_line(insecure)


def test_parallel_workers_read_each_image_once(plain_registry: PushedRegistry, tmp_path: Path) -> None:
    host = plain_registry.server.host
    for i in range(30):
        d = tmp_path / f"d{i}"
        d.mkdir()
        (d / "Dockerfile").write_text(f"FROM {host}/public/app-root:1\n{PROBE}")
    env = {**os.environ, "VENVLINT_OFFLINE": "0", "VENVLINT_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-m", "venvlint", ".", "-j", "2", "-f", "json"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert r.returncode == 1, r.stderr
    assert sum(f["code"] == "VL002" for f in json.loads(r.stdout)["findings"]) == 30
    blobs = [p for _, p in plain_registry.server.requests() if "/blobs/" in p]
    assert len(blobs) == 2, blobs  # the config and the one layer, once


def test_a_mirror_is_asked_first(plain_registry: PushedRegistry, tmp_path: Path) -> None:
    host = plain_registry.server.host
    (tmp_path / ".venvlint.yaml").write_text(f"registries: {{mirrors: {{registry.invalid: ['{host}']}}}}\n")
    doc = lint(tmp_path, f"FROM registry.invalid/public/app-root:1\n{PROBE}")
    assert [f["code"] for f in errors(doc)] == ["VL002"], from_line(doc)
    assert plain_registry.server.requests()[0] == ("GET", "/v2/public/app-root/manifests/1")


def test_an_image_over_the_size_bound_is_not_read(plain_registry: PushedRegistry, tmp_path: Path) -> None:
    host = plain_registry.server.host
    (tmp_path / ".venvlint.yaml").write_text("registries: {max-image-mb: 0.5}\n")
    started = time.monotonic()
    doc = lint(tmp_path, f"FROM {host}/public/app-root:1\n{PROBE}")
    assert errors(doc) == [] and "more than venvlint reads (0.5 MB" in from_line(doc), from_line(doc)
    assert [p for _, p in plain_registry.server.requests()] == ["/v2/public/app-root/manifests/1"]
    assert time.monotonic() - started < 60


# -- credentials ---------------------------------------------------------------------------------------------------
def _docker_config(home: Path, host: str, user: str, password: str) -> None:
    import base64

    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    (home / ".docker").mkdir(parents=True, exist_ok=True)
    (home / ".docker" / "config.json").write_text(json.dumps({"auths": {host: {"auth": auth}}}))


def test_htpasswd_wants_the_credentials_docker_login_stored(htpasswd_registry: PushedRegistry, tmp_path: Path) -> None:
    server = htpasswd_registry.server
    df = f"FROM {server.host}/private/app-root:1\n{PROBE}"
    none = lint(tmp_path / "a", df)
    assert errors(none) == [] and "wants credentials for private/app-root and none are configured" in from_line(none)
    _docker_config(tmp_path / "b" / "home", server.host, server.username, "wrong")
    wrong = lint(tmp_path / "b", df)
    assert errors(wrong) == [] and "refused the credentials from" in from_line(wrong), from_line(wrong)
    _docker_config(tmp_path / "c" / "home", server.host, server.username, server.password)
    right = lint(tmp_path / "c", df)
    assert [f["code"] for f in errors(right)] == ["VL002"], from_line(right)


def test_a_podman_auth_file_is_read(htpasswd_registry: PushedRegistry, tmp_path: Path) -> None:
    import base64

    server = htpasswd_registry.server
    auth = base64.b64encode(f"{server.username}:{server.password}".encode()).decode()
    (tmp_path / "auth.json").write_text(json.dumps({"auths": {f"{server.host}/private": {"auth": auth}}}))
    doc = lint(
        tmp_path, f"FROM {server.host}/private/app-root:1\n{PROBE}", REGISTRY_AUTH_FILE=str(tmp_path / "auth.json")
    )
    assert [f["code"] for f in errors(doc)] == ["VL002"], from_line(doc)


def test_a_credential_helper_is_asked(htpasswd_registry: PushedRegistry, tmp_path: Path) -> None:
    server = htpasswd_registry.server
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-venvlinttest"
    answer = json.dumps({"ServerURL": server.host, "Username": server.username, "Secret": server.password})
    helper.write_text(f"#!/bin/sh\nread server\n[ \"$1\" = get ] && [ \"$server\" = {server.host} ] || exit 1\n"
                      f"echo '{answer}'\n")  # fmt: skip
    helper.chmod(0o755)
    home = tmp_path / "home" / ".docker"
    home.mkdir(parents=True)
    (home / "config.json").write_text(json.dumps({"credsStore": "venvlinttest"}))
    doc = lint(tmp_path, f"FROM {server.host}/private/app-root:1\n{PROBE}", PATH=f"{bin_dir}:{os.environ['PATH']}")
    assert [f["code"] for f in errors(doc)] == ["VL002"], from_line(doc)


def test_bearer_tokens_anonymous_for_public_images_and_with_credentials_otherwise(
    token_registry: PushedRegistry, tmp_path: Path
) -> None:
    server = token_registry.server
    public = lint(tmp_path / "a", f"FROM {server.host}/public/app-root:1\n{PROBE}")
    assert [f["code"] for f in errors(public)] == ["VL002"], from_line(public)
    assert ("repository:public/app-root:pull", None) in server.token_requests
    private_df = f"FROM {server.host}/private/app-root:1\n{PROBE}"
    refused = lint(tmp_path / "b", private_df)
    assert errors(refused) == [] and "token service refused an anonymous token" in from_line(refused)
    _docker_config(tmp_path / "c" / "home", server.host, server.username, server.password)
    granted = lint(tmp_path / "c", private_df)
    assert [f["code"] for f in errors(granted)] == ["VL002"], from_line(granted)
    assert ("repository:private/app-root:pull", server.username) in server.token_requests


def test_a_terminal_gets_a_progress_bar(plain_registry: PushedRegistry, tmp_path: Path) -> None:
    """On a terminal the first read draws rich's bar (on standard error, gone when done); in a log, one line."""
    import pty

    (tmp_path / "Dockerfile").write_text(f"FROM {plain_registry.server.host}/public/multi:1\n{PROBE}")
    env = {**os.environ, "VENVLINT_OFFLINE": "0", "VENVLINT_CACHE_DIR": str(tmp_path / "cache"), "CI": "",
           "TERM": "xterm", "COLUMNS": "100"}  # fmt: skip
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "venvlint", "Dockerfile", "-q"], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=child)  # fmt: skip
    os.close(child)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=60)
    os.close(main)
    text = seen.decode("utf-8", "replace")
    assert "reading " in text and "public/multi:1" in text, text
    assert "━" in text, text  # the bar itself
    assert "venvlint: reading base image" not in text  # not the log line


def test_copy_from_an_image_copies_what_its_registry_says(plain_registry: PushedRegistry, tmp_path: Path) -> None:
    """`COPY --from=IMAGE` keeps the owners of what it copies (BuildKit): the venv's `bin` is 1001:0 0775, per
    `explain`; without the registry it would be unknown."""
    host = plain_registry.server.host
    (tmp_path / "Dockerfile").write_text(f"FROM scratch\nCOPY --from={host}/public/app-root:1 /opt/app-root /venv\n")
    env = {**os.environ, "VENVLINT_OFFLINE": "0", "VENVLINT_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-m", "venvlint", "explain", "Dockerfile", "/venv/bin", "-f", "json"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    (path,) = json.loads(r.stdout)["paths"]
    assert (path["uid"], path["gid"], path["mode"], path["kind"]) == (1001, 0, "0775", "dir"), path
