"""What a review of the registry client found (issue 22), each proved against a loopback registry that needs no
root: misbehaving.py's stand-in, or a few lines of server here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from venvlint.registry.lookup import RegistryProfiles
from venvlint.registry.settings import RegistrySettings

from .blobs import opaque_whiteout_image
from .misbehaving import MisbehavingRegistry

Make = Callable[..., MisbehavingRegistry]


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


class _HubLike:
    """Docker Hub's answer for a repository that does not exist or is private: its token service hands anyone an
    anonymous token, and the registry answers that token 401 `insufficient_scope`."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self
        self.hits: list[tuple[str, str]] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                outer.hits.append((self.path, self.headers.get("Authorization", "")))
                if self.path.startswith("/token"):
                    body, status, extra = b'{"token": "anonymous-token"}', 200, {}
                elif self.path in ("/v2/", "/v2"):
                    body, status, extra = b"{}", 200, {}
                else:
                    realm = f'Bearer realm="http://{outer.host}/token",service="hub",scope="repository:acme/app:pull"'
                    if self.headers.get("Authorization"):
                        realm += ',error="insufficient_scope"'
                    body, status = b'{"errors":[{"code":"UNAUTHORIZED"}]}', 401
                    extra = {"WWW-Authenticate": realm}
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", "Content-Length": str(len(body)), **extra}.items():
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


def test_an_anonymous_token_refused_says_the_image_may_not_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Docker Hub's 401 for a misspelt or private image, after an anonymous token: say what docker says (no such
    image, or credentials needed), not that "the credentials from anonymous" were refused."""
    monkeypatch.setenv("HOME", str(tmp_path))  # no credentials anywhere
    for name in ("REGISTRY_AUTH_FILE", "DOCKER_CONFIG", "DOCKER_AUTH_CONFIG", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    hub = _HubLike()
    try:
        profiles = _profiles(tmp_path / "cache")
        ref = f"{hub.host}/acme/app:1"
        assert profiles.profile(ref) is None
        said = profiles.failure(ref) or ""
    finally:
        hub.stop()
    assert ("/v2/acme/app/manifests/1", "Bearer anonymous-token") in hub.hits
    assert "credentials from anonymous" not in said, said
    assert f"{hub.host} has no image acme/app or wants credentials for it" in said, said
    assert "docker login" in said, said
