"""The real-registry harness serves what it claims: four auth/TLS modes of Debian's docker-registry, the test images
with their shapes, whiteouts in the pushed layers, an access log, stop and restart on the same port and storage.

Every test here needs root, buildah and docker-registry (marker `registry`; skipped without them, failing with
CI=true)."""

from __future__ import annotations

import io
import json
import socket
import ssl
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from .blobs import OCI_INDEX, OCI_MANIFEST, ImageBlobs, sha256, tar_names
from .harness import ISSUER, SERVICE, RegistryServer, registry_version
from .images import (
    PRIVATE_APP_ROOT,
    PUBLIC_APP_ROOT,
    PUBLIC_APP_ROOT_V2S2,
    PUBLIC_MULTI,
    PUBLIC_OPAQUE,
    PUBLIC_WHITEOUT,
    PushedRegistry,
)
from .misbehaving import MisbehavingRegistry

pytestmark = pytest.mark.registry
DOCKER_V2S2 = "application/vnd.docker.distribution.manifest.v2+json"


def _client_get(url: str, context: ssl.SSLContext | None = None, headers: dict[str, str] | None = None,
                ) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
    """A request as a client under test would make it (not the harness's own, so it shows in requests())."""
    req = urllib.request.Request(url, headers={"User-Agent": "a-client-under-test", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10, context=context) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def _layer_members(layer: bytes) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(layer), mode="r:*") as tf:
        return {m.name.rstrip("/"): m for m in tf.getmembers()}


def _image(reg: RegistryServer, repository: str, reference: str) -> tuple[str, dict[str, object], dict[str, tarfile.TarInfo], list[bytes]]:  # fmt: skip
    """(manifest media type, config, merged tar members of all layers (later win), layer blobs)."""
    media_type, manifest = reg.manifest(repository, reference)
    doc = json.loads(manifest)
    config = json.loads(reg.blob(repository, doc["config"]["digest"]))
    layers = [reg.blob(repository, d["digest"]) for d in doc["layers"]]
    members: dict[str, tarfile.TarInfo] = {}
    for layer in layers:
        members.update(_layer_members(layer))
    return media_type, config, members, layers


def test_the_registry_is_debians_2_8(registry_available: None) -> None:
    assert registry_version().startswith("github.com/docker/distribution 2.8.")


def test_each_mode_answers_the_ping_as_configured(any_registry: PushedRegistry) -> None:
    reg = any_registry.server
    status, headers, _body = _client_get(f"{reg.url}/v2/", reg.ssl_context())
    challenge = headers.get("www-authenticate", "")
    if reg.mode in ("plain", "tls"):
        assert (status, challenge) == (200, "")
    elif reg.mode == "htpasswd":
        assert status == 401 and challenge.startswith("Basic realm=")
    else:
        assert status == 401
        assert challenge == f'Bearer realm="{reg.token_realm}",service="{SERVICE}"'
    assert reg.requests() == [("GET", "/v2/")]


def test_every_pushed_digest_is_what_the_registry_serves(any_registry: PushedRegistry) -> None:
    reg = any_registry.server
    assert set(any_registry.digests) == {PUBLIC_APP_ROOT, PUBLIC_APP_ROOT_V2S2, PUBLIC_MULTI, PUBLIC_WHITEOUT,
                                         PUBLIC_OPAQUE, PRIVATE_APP_ROOT}  # fmt: skip
    for ref, digest in any_registry.digests.items():
        repository, _, tag = ref.rpartition(":")
        _media, manifest = reg.manifest(repository, tag)
        assert sha256(manifest) == digest, ref
        assert reg.manifest(repository, digest)[1] == manifest


def test_tls_verifies_with_the_test_ca_only(tls_registry: PushedRegistry, tmp_path: Path) -> None:
    reg = tls_registry.server
    with pytest.raises(urllib.error.URLError) as err:
        _client_get(f"{reg.url}/v2/", ssl.create_default_context())
    assert isinstance(err.value.reason, ssl.SSLCertVerificationError)
    assert _client_get(f"{reg.url}/v2/", reg.ssl_context())[0] == 200
    assert _client_get(f"https://localhost:{reg.port}/v2/", reg.ssl_context())[0] == 200  # DNS name in the SAN too
    written = reg.write_certs_d(tmp_path)
    assert written == tmp_path / ".config/containers/certs.d" / f"127.0.0.1:{reg.port}" / "ca.crt"
    assert written.read_bytes() == reg.ca_file.read_bytes()
    assert _client_get(f"{reg.url}/v2/", ssl.create_default_context(cafile=str(written)))[0] == 200


def test_htpasswd_wants_the_right_password(htpasswd_registry: PushedRegistry) -> None:
    reg = htpasswd_registry.server
    path = f"{reg.url}/v2/public/app-root/manifests/1"
    assert _client_get(path)[0] == 401
    import base64

    wrong = base64.b64encode(f"{reg.username}:nope".encode()).decode()
    right = base64.b64encode(f"{reg.username}:{reg.password}".encode()).decode()
    assert _client_get(path, headers={"Authorization": f"Basic {wrong}"})[0] == 401
    status, headers, _ = _client_get(path, headers={"Authorization": f"Basic {right}", "Accept": OCI_MANIFEST})
    assert status == 200 and headers["docker-content-digest"] == htpasswd_registry.digests[PUBLIC_APP_ROOT]


def test_token_mode_pulls_public_anonymously_and_wants_credentials_for_the_rest(
    token_registry: PushedRegistry,
) -> None:
    reg = token_registry.server
    status, headers, _ = _client_get(f"{reg.url}/v2/public/app-root/manifests/1", headers={"Accept": OCI_MANIFEST})
    assert status == 401
    assert headers["www-authenticate"] == (
        f'Bearer realm="{reg.token_realm}",service="{SERVICE}",scope="repository:public/app-root:pull"'
    )
    # The Docker Hub flow: an anonymous token for the scope the challenge named, then the manifest.
    query = f"service={SERVICE}&scope=repository:public/app-root:pull"
    status, _, body = _client_get(f"{reg.token_realm}?{query}")
    assert status == 200
    token = json.loads(body)["token"]
    assert json.loads(body)["access_token"] == token
    status, headers, _ = _client_get(f"{reg.url}/v2/public/app-root/manifests/1",
                                     headers={"Authorization": f"Bearer {token}", "Accept": OCI_MANIFEST})  # fmt: skip
    assert status == 200 and headers["docker-content-digest"] == token_registry.digests[PUBLIC_APP_ROOT]
    # The token is for that repository only.
    assert _client_get(f"{reg.url}/v2/public/multi/manifests/1", headers={"Authorization": f"Bearer {token}"})[0] == 401
    # Anonymous: no private pull, no push; with credentials both.
    for scope in ("repository:private/app-root:pull", "repository:public/app-root:pull,push"):
        status, headers, _ = _client_get(f"{reg.token_realm}?service={SERVICE}&scope={scope}")
        assert status == 401 and headers["www-authenticate"].startswith("Basic ")
    assert reg.get("/v2/private/app-root/manifests/1", OCI_MANIFEST)[0] == 200
    with pytest.raises(PermissionError):
        reg.get("/v2/private/app-root/manifests/1", OCI_MANIFEST, anonymous=True)
    scopes = [(scope, user) for scope, user in reg.token_requests]
    assert scopes[0] == ("repository:public/app-root:pull", None)
    assert ("repository:private/app-root:pull", reg.username) in scopes
    assert ("repository:private/app-root:pull", None) in scopes


@pytest.mark.parametrize(("header", "accepted"), [("x5c", True), ("kid", True), ("x5c-untrusted", False)])
def test_which_token_signatures_the_registry_accepts(
    header: str, accepted: bool, tmp_path: Path, registry_available: None
) -> None:
    """Measured: an x5c chain to the rootcertbundle, or a bare libtrust `kid` of a key in the bundle; a
    self-signed signer outside the bundle is refused."""
    with RegistryServer(tmp_path / header, "token", token_header=header) as reg:
        assert reg.token_server is not None
        token = reg.token_server.token("someone", [{"type": "repository", "name": "public/x", "actions": ["pull"]}])
        status, _h, body = _client_get(f"{reg.url}/v2/public/x/tags/list", headers={"Authorization": f"Bearer {token}"})
        # 404 NAME_UNKNOWN: the token was good, the repository just does not exist.
        assert (status == 404) is accepted, body
        assert ("invalid token" in reg.log()) is not accepted
        assert ISSUER in json.dumps(json.loads(_jwt_claims(token)))


def _jwt_claims(token: str) -> str:
    import base64

    part = token.split(".")[1]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()


def test_app_root_image_has_the_ubi9_python_shape(plain_registry: PushedRegistry) -> None:
    reg = plain_registry.server
    media, config, members, _layers = _image(reg, "public/app-root", "1")
    assert media == OCI_MANIFEST
    cfg = config["config"]
    assert isinstance(cfg, dict)
    assert cfg["User"] == "1001" and cfg["WorkingDir"] == "/opt/app-root/src"
    assert set(cfg["Env"]) >= {"HOME=/opt/app-root/src", "PATH=/opt/app-root/bin:/usr/local/bin:/usr/bin:/bin"}
    assert config["architecture"] == "amd64"
    shape = {p: (members[p].uid, members[p].gid, members[p].mode & 0o7777, members[p].isdir())
             for p in ("opt/app-root", "opt/app-root/bin", "opt/app-root/src", "opt/app-root/pyvenv.cfg",
                       "opt/app-root/bin/pip", "opt/app-root/bin/python", "etc/passwd")}  # fmt: skip
    assert shape == {
        "opt/app-root": (1001, 0, 0o775, True),
        "opt/app-root/bin": (1001, 0, 0o775, True),
        "opt/app-root/src": (1001, 0, 0o775, True),
        "opt/app-root/pyvenv.cfg": (1001, 0, 0o664, False),
        "opt/app-root/bin/pip": (1001, 0, 0o775, False),
        "opt/app-root/bin/python": (1001, 0, 0o775, False),
        "etc/passwd": (0, 0, 0o644, False),
    }
    layer_files = {}
    for layer in _layers:
        with tarfile.open(fileobj=io.BytesIO(layer), mode="r:*") as tf:
            for name in ("etc/passwd", "etc/group", "opt/app-root/pyvenv.cfg"):
                if name in tf.getnames():
                    f = tf.extractfile(name)
                    assert f is not None
                    layer_files[name] = f.read().decode()
    assert "default:x:1001:0:Default Application User:/opt/app-root/src:/bin/sh\n" in layer_files["etc/passwd"]
    assert layer_files["etc/passwd"].startswith("root:x:0:0:")
    assert layer_files["etc/group"] == "root:x:0:\n"
    assert "home = /usr/bin\n" in layer_files["opt/app-root/pyvenv.cfg"]
    # The same image as Docker schema 2, with the same config.
    media2, config2, _m, _l = _image(reg, "public/app-root", "v2s2")
    assert media2 == DOCKER_V2S2
    cfg2 = config2["config"]
    assert isinstance(cfg2, dict)
    assert [cfg2[k] for k in ("User", "WorkingDir", "Env")] == [cfg[k] for k in ("User", "WorkingDir", "Env")]


def test_multi_platform_index_differs_per_platform(plain_registry: PushedRegistry) -> None:
    reg = plain_registry.server
    media, index = reg.manifest("public/multi", "1")
    assert media == OCI_INDEX
    platforms = {
        (m["platform"]["os"], m["platform"]["architecture"]): m["digest"] for m in json.loads(index)["manifests"]
    }
    assert set(platforms) == {("linux", "amd64"), ("linux", "arm64")}
    assert platforms[("linux", "amd64")] == plain_registry.digests[PUBLIC_APP_ROOT]
    _media, config, members, _layers = _image(reg, "public/multi", platforms[("linux", "arm64")])
    assert config["architecture"] == "arm64"
    assert isinstance(config["config"], dict) and config["config"]["User"] == "1002"
    app = members["opt/app-root"]
    assert (app.uid, app.gid, app.mode & 0o7777) == (0, 0, 0o755)


def test_whiteouts_are_in_the_pushed_layers(plain_registry: PushedRegistry) -> None:
    reg = plain_registry.server
    _media, _config, _members, layers = _image(reg, "public/whiteout", "1")
    assert len(layers) == 2
    lower, upper = (set(tar_names(x)) for x in layers)
    assert {"opt/gone/sub/f", "opt/refill/old", "opt/replaced/old"} <= lower
    # buildah with vfs storage writes one whiteout per deleted name, never an opaque directory (measured).
    assert {"opt/.wh.gone", "opt/refill/.wh.old", "opt/refill/new", "opt/replaced/.wh.old", "opt/replaced/new"} <= upper
    assert not any(n.endswith(".wh..wh..opq") for n in upper)
    assert not any(n.startswith("opt/gone/") for n in upper)
    _media, _config, _members, layers = _image(reg, "public/opaque", "1")
    assert "opt/data/.wh..wh..opq" in tar_names(layers[1]) and "opt/.wh.gone" in tar_names(layers[1])


def test_requests_are_logged_and_survive_a_restart(fresh_registry: Callable[[str], PushedRegistry]) -> None:
    pushed = fresh_registry("plain")
    reg = pushed.server
    assert reg.requests() == []
    digest = pushed.digests[PUBLIC_APP_ROOT]
    manifest = json.loads(reg.manifest("public/app-root", digest)[1])
    layer = manifest["layers"][0]["digest"]
    assert reg.requests() == []  # the harness's own reads are not counted
    assert _client_get(f"{reg.url}/v2/public/app-root/manifests/{digest}", headers={"Accept": OCI_MANIFEST})[0] == 200
    assert _client_get(f"{reg.url}/v2/public/app-root/blobs/{layer}")[0] == 200
    expected = [("GET", f"/v2/public/app-root/manifests/{digest}"), ("GET", f"/v2/public/app-root/blobs/{layer}")]
    assert reg.requests() == expected
    host = reg.host
    reg.stop()
    with pytest.raises(urllib.error.URLError) as err:
        _client_get(f"{reg.url}/v2/")
    assert isinstance(err.value.reason, ConnectionRefusedError)
    reg.start()
    assert reg.host == host
    assert reg.manifest("public/app-root", "1")[0] == OCI_MANIFEST  # storage kept
    assert _client_get(f"{reg.url}/v2/")[0] == 200
    assert reg.requests() == [*expected, ("GET", "/v2/")]
    reg.clear_requests()
    assert reg.requests() == []


def test_a_start_that_fails_raises_with_the_log(tmp_path: Path, registry_available: None) -> None:
    reg = RegistryServer(tmp_path / "busy", "plain", start_timeout=5)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", reg.port))
        taken.listen()
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="address already in use"):
            reg.start()
        assert time.monotonic() - started < 10
    assert not reg.running


@pytest.mark.parametrize("mode", ["htpasswd", "token"])
def test_auth_modes_over_tls_and_a_realm_that_survives_restarts(
    mode: str, tmp_path: Path, registry_available: None
) -> None:
    with RegistryServer(tmp_path / mode, mode, tls=True) as reg:
        assert reg.url.startswith("https://") and "--cert-dir" in reg.push_flags()
        assert f"{reg.username}:{reg.password}" in reg.push_flags()
        status, headers, _ = _client_get(f"{reg.url}/v2/", reg.ssl_context())
        assert status == 401
        challenge = headers["www-authenticate"]
        reg.stop()
        reg.start()
        assert _client_get(f"{reg.url}/v2/", reg.ssl_context())[1]["www-authenticate"] == challenge
        if mode == "token":
            assert _client_get(f"{reg.token_realm}?service={SERVICE}&scope=repository:public/x:pull")[0] == 200


def test_a_misbehaving_registry_can_serve_the_buildah_image(
    plain_registry: PushedRegistry, misbehaving_registry: Callable[..., MisbehavingRegistry]
) -> None:
    image = ImageBlobs.from_registry(plain_registry.server, "public/app-root", "1")
    assert image.digest == plain_registry.digests[PUBLIC_APP_ROOT]
    reg = misbehaving_registry("ok", image)
    status, headers, manifest = _client_get(f"{reg.url}/v2/public/app-root/manifests/1")
    assert status == 200 and headers["docker-content-digest"] == image.digest and sha256(manifest) == image.digest
    layer = json.loads(manifest)["layers"][-1]["digest"]
    assert sha256(_client_get(f"{reg.url}/v2/public/app-root/blobs/{layer}")[2]) == layer
