"""MisbehavingRegistry misbehaves exactly as documented, and the Python-made images are well-formed (no root)."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import time
from collections.abc import Callable

import pytest

from .blobs import OCI_MANIFEST, ImageBlobs, app_root_image, opaque_whiteout_image, sha256, tar_names
from .misbehaving import MisbehavingRegistry

Make = Callable[..., MisbehavingRegistry]


def _get(reg: MisbehavingRegistry, path: str, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(reg.host, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": OCI_MANIFEST})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_python_made_images_are_consistent() -> None:
    for image in (app_root_image(), opaque_whiteout_image()):
        doc = json.loads(image.manifest)
        config = json.loads(image.config)
        assert doc["config"]["digest"] == sha256(image.config)
        assert [d["digest"] for d in doc["layers"]] == [sha256(x) for x in image.layers]
        assert config["rootfs"]["diff_ids"] == [sha256(gzip.decompress(x)) for x in image.layers]
    assert "opt/data/.wh..wh..opq" in tar_names(opaque_whiteout_image().layers[1])
    assert "etc/passwd" in tar_names(app_root_image().layers[0])


def test_ok_serves_one_image_under_any_name(misbehaving_registry: Make) -> None:
    reg = misbehaving_registry("ok")
    assert _get(reg, "/v2/")[0] == 200
    status, headers, manifest = _get(reg, "/v2/library/whatever/manifests/latest")
    assert status == 200 and headers["docker-content-digest"] == sha256(manifest) == reg.digest
    assert headers["content-type"] == OCI_MANIFEST
    assert _get(reg, f"/v2/x/manifests/{reg.digest}")[2] == manifest
    assert _get(reg, "/v2/x/manifests/sha256:" + "0" * 64)[0] == 404
    doc = json.loads(manifest)
    for d in [doc["config"], *doc["layers"]]:
        status, _h, blob = _get(reg, f"/v2/x/blobs/{d['digest']}")
        assert status == 200 and sha256(blob) == d["digest"] and len(blob) == d["size"]
    assert reg.hits[0] == ("GET", "/v2/") and len(reg.hits) == 6


@pytest.mark.parametrize(("mode", "status"), [("429", 429), ("401", 401), ("403", 403), ("500", 500)])
def test_error_statuses(misbehaving_registry: Make, mode: str, status: int) -> None:
    reg = misbehaving_registry(mode, retry_after=7)
    assert _get(reg, "/v2/")[0] == 200
    for path in ("/v2/x/manifests/1", f"/v2/x/blobs/{sha256(app_root_image().config)}"):
        got, headers, body = _get(reg, path)
        assert got == status and json.loads(body)["errors"]
        assert ("retry-after" in headers) is (mode == "429")
        assert "www-authenticate" not in headers
    if mode == "429":
        assert _get(reg, "/v2/x/manifests/1")[1]["retry-after"] == "7"


def test_malformed_manifest_is_not_json(misbehaving_registry: Make) -> None:
    reg = misbehaving_registry("malformed-manifest")
    status, headers, body = _get(reg, "/v2/x/manifests/1")
    assert status == 200 and headers["docker-content-digest"] == sha256(body)
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_wrong_digest_changes_layer_bytes_only(misbehaving_registry: Make) -> None:
    image = app_root_image()
    reg = misbehaving_registry("wrong-digest", image)
    layer = sha256(image.layers[0])
    status, _h, body = _get(reg, f"/v2/x/blobs/{layer}")
    assert status == 200 and len(body) == len(image.layers[0]) and sha256(body) != layer
    config = sha256(image.config)
    assert sha256(_get(reg, f"/v2/x/blobs/{config}")[2]) == config


def test_truncated_blob_stops_half_way(misbehaving_registry: Make) -> None:
    image = app_root_image()
    reg = misbehaving_registry("truncated-blob", image)
    with pytest.raises(http.client.IncompleteRead) as err:
        _get(reg, f"/v2/x/blobs/{sha256(image.layers[0])}")
    assert len(err.value.partial) == len(image.layers[0]) // 2


def test_slow_stalls_longer_than_a_timeout_and_stops_at_once(misbehaving_registry: Make) -> None:
    reg = misbehaving_registry("slow", stall_seconds=20)
    started = time.monotonic()
    with pytest.raises((socket.timeout, TimeoutError)):
        _get(reg, "/v2/", timeout=0.5)
    assert time.monotonic() - started < 3
    started = time.monotonic()
    reg.stop()
    assert time.monotonic() - started < 3
    assert reg.hits == [("GET", "/v2/")]


def test_many_layers(misbehaving_registry: Make) -> None:
    reg = misbehaving_registry("many-layers")
    doc = json.loads(_get(reg, "/v2/x/manifests/1")[2])
    assert len(doc["layers"]) == 1000
    assert (
        len(json.loads(_get(misbehaving_registry("many-layers", layer_count=5000), "/v2/x/manifests/1")[2])["layers"])
        == 5000
    )


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        MisbehavingRegistry("teapot")
    assert isinstance(app_root_image(), ImageBlobs)
