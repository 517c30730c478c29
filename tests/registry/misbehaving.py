"""A registry that serves ONE image over plain HTTP on 127.0.0.1 and misbehaves in one chosen way.

It speaks just enough of the distribution API for a pull: `GET /v2/`, `GET|HEAD /v2/NAME/manifests/REF` (any
repository NAME, any tag, or the manifest's digest) and `GET|HEAD /v2/NAME/blobs/DIGEST`. The `/v2/` ping always
answers 200 (except in "slow", where everything stalls); the misbehaviour is on manifests and blobs:

| mode | what it does |
|---|---|
| "ok" | serves the image correctly |
| "429" | 429 Too Many Requests with `Retry-After: retry_after` |
| "401" | 401 without any `WWW-Authenticate` challenge (nothing a client can answer) |
| "403" | 403 DENIED |
| "500" | 500 with an error body |
| "malformed-manifest" | the manifest is not JSON (content type of an OCI manifest, digest header of the bytes sent) |
| "wrong-digest" | each layer blob's bytes differ from its digest (same length, bytes changed) |
| "truncated-blob" | each layer blob declares its full Content-Length, sends half, closes the connection |
| "slow" | accepts the connection, then sends nothing for `stall_seconds` (every request, /v2/ included) |
| "many-layers" | a valid manifest with `layer_count` layer descriptors (the real layer repeated) |
| "token-429" | manifests and blobs want a Bearer token (401 with a challenge whose realm is `/token` here); `/token` answers 429 with `Retry-After: retry_after` |
| "storage-401" | blobs are redirected (307) to `localhost:PORT/storage/DIGEST`, another origin as a client sees it, which answers 401 with a Bearer challenge |
| "token-huge" | the same challenge; `/token` answers 200 with a JSON body of 2 MB (a token is a few KB) |

`hits` lists (method, path) of every request seen. No root is needed: the default image is made in Python
(`blobs.app_root_image()`); pass `image=ImageBlobs.from_registry(...)` to serve one buildah built.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from .blobs import ImageBlobs, app_root_image, sha256

MISBEHAVIOURS = (
    "ok",
    "429",
    "401",
    "403",
    "500",
    "malformed-manifest",
    "wrong-digest",
    "truncated-blob",
    "slow",
    "many-layers",
    "token-429",
    "token-huge",
    "storage-401",
)
_STATUS = {
    "429": (429, "TOOMANYREQUESTS", "rate limited"),
    "401": (401, "UNAUTHORIZED", "authentication required"),
    "403": (403, "DENIED", "requested access to the resource is denied"),
    "500": (500, "UNKNOWN", "internal server error"),
}


class MisbehavingRegistry:
    """Starts serving at construction (use as a context manager or call `stop()`)."""

    def __init__(
        self,
        mode: str = "ok",
        image: ImageBlobs | None = None,
        *,
        stall_seconds: float = 30.0,
        retry_after: int = 1,
        layer_count: int = 1000,
    ) -> None:
        if mode not in MISBEHAVIOURS:
            raise ValueError(f"mode must be one of {MISBEHAVIOURS}, not {mode!r}")
        self.mode = mode
        self.image = image if image is not None else app_root_image()
        self.stall_seconds = stall_seconds
        self.retry_after = retry_after
        self.layer_count = layer_count
        self.hits: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.manifest = self._manifest_bytes()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name=f"misbehaving-{mode}",
                                        daemon=True)  # fmt: skip
        self._thread.start()

    @property
    def host(self) -> str:
        """The registry part of an image reference: "127.0.0.1:PORT"."""
        return f"127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    @property
    def digest(self) -> str:
        """The digest of the manifest this registry serves (its sha256 as sent, in "malformed-manifest" too)."""
        return sha256(self.manifest)

    def _manifest_bytes(self) -> bytes:
        if self.mode == "malformed-manifest":
            return b'{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "layers": [<'
        if self.mode == "many-layers":
            one = self.image.layer_descriptors()[0]
            return json.dumps(self.image.manifest_doc([one] * self.layer_count)).encode()
        return self.image.manifest

    def stop(self) -> None:
        """Stop serving; stalled requests are released at once."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> MisbehavingRegistry:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        reg = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                reg._serve(self, body=True)

            def do_HEAD(self) -> None:
                reg._serve(self, body=False)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def _serve(self, h: BaseHTTPRequestHandler, body: bool) -> None:
        with self._lock:
            self.hits.append((h.command, h.path))
        if self.mode == "slow":
            self._stopping.wait(self.stall_seconds)
            h.close_connection = True
            return  # nothing is ever sent: the client must give up by itself
        path = h.path.split("?", 1)[0]
        if path in ("/v2/", "/v2"):
            return _send(h, 200, b"{}", {"Content-Type": "application/json"}, body)
        if self.mode.startswith("token-"):
            return self._serve_token_mode(h, path, body)
        if path.startswith("/storage/"):
            challenge = f'Bearer realm="{self.url}/token",service="storage"'
            return _error(h, 401, "UNAUTHORIZED", "signature expired", body, {"WWW-Authenticate": challenge})
        kind, ref = _route(path)
        if kind is None:
            return _error(h, 404, "NAME_UNKNOWN", "not found", body)
        if self.mode == "storage-401" and kind == "blobs":
            where = f"http://localhost:{self._httpd.server_address[1]}/storage/{ref}"
            return _send(h, 307, b"", {"Location": where}, body)
        if self.mode in _STATUS:
            status, code, message = _STATUS[self.mode]
            extra = {"Retry-After": str(self.retry_after)} if self.mode == "429" else {}
            return _error(h, status, code, message, body, extra)
        if kind == "manifests":
            if ref not in (self.digest, self.image.digest) and ref.startswith("sha256:"):
                return _error(h, 404, "MANIFEST_UNKNOWN", "manifest unknown", body)
            headers = {"Content-Type": self.image.manifest_type, "Docker-Content-Digest": self.digest}
            return _send(h, 200, self.manifest, headers, body)
        data = self.image.blobs.get(ref)
        if data is None:
            return _error(h, 404, "BLOB_UNKNOWN", "blob unknown", body)
        is_layer = data in self.image.layers
        headers = {"Content-Type": "application/octet-stream", "Docker-Content-Digest": ref}
        if is_layer and self.mode == "wrong-digest":
            data = bytes(b ^ 0xFF for b in data[:64]) + data[64:]
        if is_layer and self.mode == "truncated-blob" and body:
            h.send_response(200)
            for k, v in {**headers, "Content-Length": str(len(data))}.items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data[: len(data) // 2])
            h.wfile.flush()
            h.close_connection = True
            return None
        return _send(h, 200, data, headers, body)

    def _serve_token_mode(self, h: BaseHTTPRequestHandler, path: str, body: bool) -> None:
        if path == "/token":
            if self.mode == "token-429":
                extra = {"Retry-After": str(self.retry_after)}
                return _error(h, 429, "TOOMANYREQUESTS", "token rate limited", body, extra)
            padding = "x" * (2 * 1024 * 1024)
            return _send(h, 200, json.dumps({"token": "t", "padding": padding}).encode(),
                         {"Content-Type": "application/json"}, body)  # fmt: skip
        challenge = f'Bearer realm="{self.url}/token",service="misbehaving"'
        return _error(h, 401, "UNAUTHORIZED", "authentication required", body, {"WWW-Authenticate": challenge})


def _route(path: str) -> tuple[str | None, str]:
    """("manifests" | "blobs", reference) for /v2/NAME/manifests/REF and /v2/NAME/blobs/DIGEST."""
    for kind in ("manifests", "blobs"):
        name, sep, ref = path.removeprefix("/v2/").rpartition(f"/{kind}/")
        if sep and name and ref and "/" not in ref:
            return kind, ref
    return None, ""


def _send(h: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict[str, str], body: bool) -> None:
    h.send_response(status)
    h.send_header("Docker-Distribution-Api-Version", "registry/2.0")
    for k, v in {**headers, "Content-Length": str(len(data))}.items():
        h.send_header(k, v)
    h.end_headers()
    if body:
        h.wfile.write(data)


def _error(
    h: BaseHTTPRequestHandler,
    status: int,
    code: str,
    message: str,
    body: bool,
    extra: dict[str, str] | None = None,
) -> None:
    data = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
    _send(h, status, data, {"Content-Type": "application/json", **(extra or {})}, body)
