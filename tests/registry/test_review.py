"""What a review of the registry client found (issue 22), each proved against a loopback registry that needs no
root: misbehaving.py's stand-in, or a few lines of server here."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from venvlint.registry.lookup import RegistryProfiles
from venvlint.registry.settings import RegistrySettings

from .blobs import app_root_image, opaque_whiteout_image
from .misbehaving import MisbehavingRegistry

Make = Callable[..., MisbehavingRegistry]


@pytest.fixture(autouse=True)
def _no_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No docker or podman credentials anywhere: every registry here is asked anonymously."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("REGISTRY_AUTH_FILE", "DOCKER_CONFIG", "DOCKER_AUTH_CONFIG", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)


def _profiles(cache: Path, **kw: object) -> RegistryProfiles:
    settings = RegistrySettings(cache_dir=str(cache), timeout=2, **kw)  # type: ignore[arg-type]
    return RegistryProfiles(settings)


def test_a_tag_moved_to_an_image_that_cannot_be_read_keeps_the_profile_read_before(
    misbehaving_registry: Make, tmp_path: Path
) -> None:
    """The tag's new digest is remembered only once its profile is cached: else the run after (and every offline
    run) knows a digest with no profile, and the profile read before is lost although it is still on disk."""
    reg = misbehaving_registry("ok")
    ref = f"{reg.host}/public/app-root:1"
    assert _profiles(tmp_path, tag_ttl_hours=0).profile(ref) is not None
    # The tag now names another image, whose layers do not match their digests.
    reg.image = opaque_whiteout_image()
    reg.manifest = reg.image.manifest
    reg.mode = "wrong-digest"
    for _ in range(2):  # this run, and the next one
        moved = _profiles(tmp_path, tag_ttl_hours=0)
        stale = moved.profile(ref)
        assert stale is not None and "could not be asked again" in stale.origin, moved.failure(ref)
        assert "digest does not match" in stale.origin
    offline = _profiles(tmp_path, offline=True)
    assert offline.profile(ref) is not None, offline.failure(ref)


Answer = tuple[int, dict[str, str], bytes]


class _Loopback:
    """A few lines of registry: `route(path, request headers) -> (status, headers, body)`, on 127.0.0.1."""

    def __init__(self, route: Callable[[_Loopback, str, dict[str, str]], Answer]) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self
        self.hits: list[tuple[str, dict[str, str]]] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.hits.append((self.path, headers))
                if self.path in ("/v2/", "/v2"):
                    status, extra, body = 200, {}, b"{}"
                else:
                    status, extra, body = route(outer, self.path, headers)
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", **extra, "Content-Length": str(len(body))}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._httpd.server_address[1]}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _hub_like(server: _Loopback, path: str, headers: dict[str, str]) -> Answer:
    """Docker Hub's answer for a repository that does not exist or is private: its token service hands anyone an
    anonymous token, and the registry answers that token 401 `insufficient_scope`."""
    if path.startswith("/token"):
        return 200, {}, b'{"token": "anonymous-token"}'
    challenge = f'Bearer realm="http://{server.host}/token",service="hub",scope="repository:acme/app:pull"'
    if headers.get("authorization"):
        challenge += ',error="insufficient_scope"'
    return 401, {"WWW-Authenticate": challenge}, b'{"errors":[{"code":"UNAUTHORIZED"}]}'


def _failure(
    route: Callable[[_Loopback, str, dict[str, str]], Answer], cache: Path, profiles: RegistryProfiles | None = None
) -> tuple[str, _Loopback]:
    """Serve `route` on loopback, ask for `HOST/acme/app:1` (which must give no profile) and return why, and the
    stopped server (its `hits`)."""
    server = _Loopback(route)
    profiles = profiles or _profiles(cache)
    try:
        ref = f"{server.host}/acme/app:1"
        assert profiles.profile(ref) is None
        said = profiles.failure(ref) or ""
    finally:
        server.stop()
    return said, server


def test_an_anonymous_token_refused_says_the_image_may_not_exist(tmp_path: Path) -> None:
    """Docker Hub's 401 for a misspelt or private image, after an anonymous token: say what docker says (no such
    image, or credentials needed), not that "the credentials from anonymous" were refused."""
    said, hub = _failure(_hub_like, tmp_path / "cache")
    assert any(
        p == "/v2/acme/app/manifests/1" and h.get("authorization") == "Bearer anonymous-token" for p, h in hub.hits
    )
    assert "credentials from anonymous" not in said, said
    assert f"{hub.host} has no image acme/app or wants credentials for it" in said, said
    assert "docker login" in said, said


def test_a_layer_sent_with_a_content_encoding_is_read_as_its_blob(tmp_path: Path) -> None:
    """A proxy or CDN in front of a registry may compress a response for a client that accepts it (httpx sends
    `Accept-Encoding: gzip, deflate` by default): the layer's digest is that of the blob, not of the bytes on the
    wire, as Go's client (docker, containerd) reads it."""
    image = app_root_image()
    blobs = image.blobs

    def compressing(server: _Loopback, path: str, headers: dict[str, str]) -> Answer:
        ref = path.rpartition("/")[2]
        if "/manifests/" in path:
            return 200, {"Content-Type": image.manifest_type}, image.manifest
        data = blobs[ref]
        if data in image.layers and "gzip" in headers.get("accept-encoding", ""):
            return 200, {"Content-Type": "application/octet-stream", "Content-Encoding": "gzip"}, gzip.compress(data)
        return 200, {"Content-Type": "application/octet-stream"}, data

    server = _Loopback(compressing)
    try:
        profiles = _profiles(tmp_path / "cache")
        ref = f"{server.host}/public/app-root:1"
        found = profiles.profile(ref)
    finally:
        server.stop()
    assert found is not None, profiles.failure(ref)
    assert found.user == "1001" and any(p == "/opt/app-root" for p, _ in found.paths)


def test_a_host_or_realm_that_is_no_url_is_said_not_blamed_on_venvlint(tmp_path: Path) -> None:
    """httpx.InvalidURL is not an httpx.HTTPError: a FROM whose registry has a port that is not a number (docker
    refuses the reference) and a Bearer realm that is not a URL were "a bug in venvlint"."""
    profiles = _profiles(tmp_path / "cache")
    assert profiles.profile("localhost:abc/x:1") is None
    said = profiles.failure("localhost:abc/x:1") or ""
    assert "bug in venvlint" not in said and "localhost:abc is not a registry address" in said, said

    def bad_realm(server: _Loopback, path: str, headers: dict[str, str]) -> Answer:
        return 401, {"WWW-Authenticate": 'Bearer realm="http://[::1/token",service="x"'}, b"{}"

    said, _ = _failure(bad_realm, tmp_path / "cache", profiles)
    assert "bug in venvlint" not in said and "token realm 'http://[::1/token' is not a URL" in said, said


def test_a_layer_digest_of_an_unknown_algorithm_is_the_manifests_fault(tmp_path: Path) -> None:
    """OCI image-spec descriptor.md registers sha256 and sha512; a manifest naming a layer by another algorithm
    made hashlib raise ValueError, said as "a bug in venvlint"."""
    image = app_root_image()
    doc = json.loads(image.manifest)
    doc["layers"][0]["digest"] = "whirlpool9:" + "0" * 64
    manifest = json.dumps(doc).encode()

    def route(server: _Loopback, path: str, headers: dict[str, str]) -> Answer:
        if "/manifests/" in path:
            return 200, {"Content-Type": image.manifest_type}, manifest
        return 200, {"Content-Type": "application/octet-stream"}, image.blobs.get(path.rpartition("/")[2], b"x")

    said, _ = _failure(route, tmp_path / "cache")
    assert "bug in venvlint" not in said and "lists its layers in a form venvlint does not know" in said, said


def test_the_ci_line_gives_a_small_image_its_size(capsys: pytest.CaptureFixture[str]) -> None:
    """The one line in CI logs said "0 MB" for an image under half a megabyte."""
    from venvlint.registry.lookup import _announcer

    with _announcer()("127.0.0.1:5000/app:1", 300_000, 1):
        pass
    assert "(1 layer, 0.3 MB)" in capsys.readouterr().err


def test_a_retry_after_date_is_said_as_a_date(tmp_path: Path) -> None:
    """Retry-After is delay-seconds or an HTTP-date (RFC 9110 10.2.3); venvlint says it and does not wait (the issue:
    never a hang). A date came out as "retry after Sat, 05 Dec 2026 13:00:00 GMT s"."""

    def limited(server: _Loopback, path: str, headers: dict[str, str]) -> Answer:
        return 429, {"Retry-After": "Sat, 05 Dec 2026 13:00:00 GMT"}, b'{"errors":[{"code":"TOOMANYREQUESTS"}]}'

    said, _ = _failure(limited, tmp_path / "cache")
    assert said.endswith("(429 Too Many Requests, retry after Sat, 05 Dec 2026 13:00:00 GMT)"), said


def test_a_token_realm_keeps_its_own_query(tmp_path: Path) -> None:
    """A realm may carry a query of its own (nvcr.io's `proxy_auth?scope=...`); docker adds service and scope to it
    (distribution registry/client/auth/session.go). httpx's `params=` replaces a URL's query instead."""
    image = app_root_image()

    def route(server: _Loopback, path: str, headers: dict[str, str]) -> Answer:
        if path.startswith("/token"):
            if "tenant=team" not in path or "scope=repository%3Aacme%2Fapp%3Apull" not in path:
                return 400, {}, b'{"errors":[{"code":"BAD_REQUEST"}]}'
            return 200, {}, b'{"token": "t"}'
        if headers.get("authorization") != "Bearer t":
            realm = f'Bearer realm="http://{server.host}/token?tenant=team",service="x"'
            return 401, {"WWW-Authenticate": realm}, b"{}"
        if "/manifests/" in path:
            return 200, {"Content-Type": image.manifest_type}, image.manifest
        return 200, {"Content-Type": "application/octet-stream"}, image.blobs[path.rpartition("/")[2]]

    server = _Loopback(route)
    profiles = _profiles(tmp_path / "cache")
    try:
        ref = f"{server.host}/acme/app:1"
        found = profiles.profile(ref)
    finally:
        server.stop()
    assert found is not None, profiles.failure(ref)
