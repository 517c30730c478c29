"""A small Docker-style token server on loopback for the registry's `auth: token:` mode.

It implements the client side of the distribution project's token authentication ("Token Authentication
Specification", docs/spec/auth/token.md): `GET realm?service=S&scope=repository:NAME:ACTIONS` (scope may repeat),
optionally with HTTP basic credentials, answers `{"token": JWT, "access_token": JWT, "expires_in": ..., "issued_at":
...}`. The JWT is RS256-signed; how the registry learns to trust the key is chosen by `header` (measured in
docs/MEASUREMENTS.md, "A real registry for the tests (issue 22)").

Policy, like Docker Hub's anonymous pulls: anyone gets `pull` on repositories under `public/`; everything else
(other repositories, `push`, `delete`, `*`) needs the one user's basic credentials. A request without credentials
that asks for more than anonymous pull gets 401 with a Basic challenge; wrong credentials always get 401. A request
with no scope at all (a client's login check) gets a token with an empty access list.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .pki import Issued, libtrust_key_id

PUBLIC_PREFIX = "public/"
HEADERS = ("x5c", "kid", "x5c-untrusted")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def parse_scope(scope: str) -> tuple[str, str, list[str]] | None:
    """`repository:public/x:pull,push` -> ("repository", "public/x", ["pull", "push"]); the name may contain `:`
    (a registry host with a port), so type is before the first colon and actions after the last."""
    kind, _, rest = scope.partition(":")
    name, sep, actions = rest.rpartition(":")
    if not kind or not sep or not name:
        return None
    return kind, name, [a for a in actions.split(",") if a]


class TokenServer:
    """Serves `/token` on 127.0.0.1 (a port of its own, the same after a restart). `requests` lists (scope, user or None) per request, the
    scopes of one request joined by a space ("" when none was asked for)."""

    def __init__(
        self, signer: Issued, service: str, issuer: str, username: str, password: str, header: str = "x5c"
    ) -> None:
        if header not in HEADERS:
            raise ValueError(f"header must be one of {HEADERS}")
        self.signer, self.service, self.issuer = signer, service, issuer
        self.username, self.password, self.header = username, password, header
        self.requests: list[tuple[str, str | None]] = []
        self.lifetime = 300
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0  # the kernel's choice at the first start, kept for later ones (the realm must not move)

    @property
    def realm(self) -> str:
        if self._httpd is None:
            raise RuntimeError("token server not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/token"

    def start(self) -> None:
        if self._httpd is not None:
            return
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body, headers = server.answer(self.path, self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._port = int(self._httpd.server_address[1])
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="token-server", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def _user(self, authorization: str | None) -> tuple[str | None, bool]:
        """(user, credentials were given and are wrong)."""
        if not authorization or not authorization.lower().startswith("basic "):
            return None, False
        try:
            user, _, password = base64.b64decode(authorization[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, True
        if user == self.username and password == self.password:
            return user, False
        return None, True

    def answer(self, path: str, authorization: str | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Status, JSON body and extra headers for one token request."""
        url = urlsplit(path)
        query = parse_qs(url.query)
        scopes = [s for value in query.get("scope", []) for s in value.split(" ") if s]
        user, wrong = self._user(authorization)
        with self._lock:
            self.requests.append((" ".join(scopes), user))
        challenge = {"WWW-Authenticate": 'Basic realm="venvlint test token server"'}
        if url.path != "/token":
            return 404, {"errors": [{"code": "NOT_FOUND"}]}, {}
        if wrong:
            return 401, {"errors": [{"code": "UNAUTHORIZED", "message": "wrong credentials"}]}, challenge
        if query.get("service", [self.service])[0] != self.service:
            return 400, {"errors": [{"code": "INVALID_SERVICE"}]}, {}
        access = []
        for scope in scopes:
            parsed = parse_scope(scope)
            if parsed is None:
                return 400, {"errors": [{"code": "INVALID_SCOPE", "message": scope}]}, {}
            kind, name, actions = parsed
            if user is None and not (kind == "repository" and name.startswith(PUBLIC_PREFIX) and actions == ["pull"]):
                return 401, {"errors": [{"code": "UNAUTHORIZED", "message": f"{scope} needs credentials"}]}, challenge
            access.append({"type": kind, "name": name, "actions": actions})
        token = self.token(user or "", access)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return 200, {"token": token, "access_token": token, "expires_in": self.lifetime, "issued_at": now}, {}

    def token(self, subject: str, access: list[dict[str, Any]]) -> str:
        """A JWT the registry checks: iss, aud (= service), exp/nbf/iat, access; signer named per `header`."""
        header: dict[str, Any] = {"typ": "JWT", "alg": "RS256"}
        if self.header == "kid":
            header["kid"] = libtrust_key_id(self.signer.cert)
        else:
            header["x5c"] = [base64.b64encode(self.signer.der()).decode()]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.service,
            "exp": now + self.lifetime,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = _b64url(json.dumps(header).encode()) + "." + _b64url(json.dumps(claims).encode())
        return signing_input + "." + _b64url(self.signer.sign_rs256(signing_input.encode()))
