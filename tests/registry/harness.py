"""Debian's docker-registry (distribution 2.8) on loopback, in four modes, for the registry client's tests.

    with RegistryServer(tmp_path / "reg", "token") as reg:
        digest = reg.push("localhost/venvlint-registry-test/app-root:1", "public/app-root:1", images.buildah)
        reg.requests()        # [("GET", "/v2/"), ("HEAD", "/v2/public/app-root/blobs/sha256:..."), ...]
        reg.token_requests    # [("repository:public/app-root:pull,push", "venvlint"), ...]

Modes: "plain" (HTTP, no auth), "tls" (HTTPS, certificate for 127.0.0.1 and localhost from a test CA: `ca_file`),
"htpasswd" (basic auth: `username`, `password`), "token" (bearer tokens from a loopback `TokenServer`; anonymous
pull under `public/`, credentials for everything else). `tls=True` adds HTTPS to an auth mode.

Everything is bounded: `start()` waits at most `start_timeout` seconds for `/v2/` to answer and raises with the
registry's log otherwise; `stop()` terminates (then kills) the process and stops the token server. The storage
(`workdir/storage`) and the port survive `stop()`, so a test can stop the registry, prove a client works from its
cache, and `start()` it again. See tests/registry/README.md.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import yaml

from .pki import TestCA
from .token_server import TokenServer

if TYPE_CHECKING:
    from tests.oracle.harness import Buildah

REGISTRY = Path("/usr/bin/docker-registry")
MODES = ("plain", "tls", "htpasswd", "token")
SERVICE = "venvlint-test-registry"
ISSUER = "venvlint-test-token-issuer"
USERNAME = "venvlint"
PASSWORD = "s3cret-for-tests"
# The gorilla/handlers combined access log the registry writes for every request.
_ACCESS = re.compile(r'^\S+ \S+ \S+ \[[^\]]+\] "([A-Z]+) (\S+) HTTP/[0-9.]+" (\d{3}) \S+ "[^"]*" "([^"]*)"$', re.M)
# The User-Agent of the harness's own requests (start()'s probes, `request`, `upload_image`), which requests() omits.
HARNESS_AGENT = "venvlint-registry-harness"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now (the kernel's choice for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def registry_problem() -> str | None:
    """Why the real-registry tests cannot run here (root, docker-registry, buildah, busybox-static), or None."""
    from tests.oracle.harness import buildah_problem

    if not REGISTRY.is_file():
        return f"{REGISTRY} is not installed (apt-get install -y docker-registry)"
    return buildah_problem()


def registry_version() -> str:
    """`docker-registry --version`, e.g. "github.com/docker/distribution 2.8.2+ds1"."""
    out = subprocess.run([str(REGISTRY), "--version"], capture_output=True, text=True, timeout=30, check=True)
    return " ".join(out.stdout.split()[1:])  # the first word is the program's path


class RegistryServer:
    """One docker-registry process on 127.0.0.1:`port` with storage in `workdir` (see the module docstring)."""

    def __init__(
        self,
        workdir: Path,
        mode: str = "plain",
        *,
        tls: bool | None = None,
        token_header: str = "x5c",
        start_timeout: float = 20.0,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.workdir = workdir
        self.mode = mode
        self.tls = mode == "tls" if tls is None else tls
        self.start_timeout = start_timeout
        self.port = free_port()
        self.username = USERNAME
        self.password = PASSWORD
        self.service = SERVICE
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "storage").mkdir(exist_ok=True)
        self._ca: TestCA | None = TestCA(workdir / "pki") if self.tls or mode == "token" else None
        self._server_cert = self._ca.issue_server() if self._ca is not None and self.tls else None
        self.token_server: TokenServer | None = None
        if mode == "token":
            assert self._ca is not None
            signer = self._ca.issue_signer()
            # The bundle holds the CA (x5c chains end there) and the signer itself (a bare `kid` is looked up among
            # the bundle's keys); the untrusted signer is in neither.
            bundle = workdir / "pki" / "token-bundle.crt"
            bundle.write_bytes(self._ca.ca_file.read_bytes() + signer.cert_file.read_bytes())
            if token_header == "x5c-untrusted":
                chosen = self._ca.issue_signer("token-signer-untrusted", self_signed=True)
            else:
                chosen = signer
            self.token_server = TokenServer(chosen, SERVICE, ISSUER, USERNAME, PASSWORD, header=token_header)
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_offset = 0
        self._marks = 0

    # ------------------------------------------------------------------------------------------------ addresses
    @property
    def host(self) -> str:
        """The registry part of an image reference: "127.0.0.1:PORT"."""
        return f"127.0.0.1:{self.port}"

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def url(self) -> str:
        """The base URL: "http(s)://127.0.0.1:PORT"."""
        return f"{self.scheme}://{self.host}"

    @property
    def ca_file(self) -> Path:
        """The test CA's certificate (PEM) that signed the TLS certificate (and the token signer)."""
        if self._ca is None:
            raise AttributeError(f"a {self.mode!r} registry without TLS has no CA")
        return self._ca.ca_file

    @property
    def token_requests(self) -> list[tuple[str, str | None]]:
        """(scope, user or None) of every request the token server answered (token mode only)."""
        if self.token_server is None:
            raise AttributeError(f"a {self.mode!r} registry has no token server")
        return self.token_server.requests

    @property
    def token_realm(self) -> str:
        if self.token_server is None:
            raise AttributeError(f"a {self.mode!r} registry has no token server")
        return self.token_server.realm

    def write_certs_d(self, home: Path) -> Path:
        """Write the CA as `home/.config/containers/certs.d/127.0.0.1:PORT/ca.crt` (podman's per-user certs.d, see
        containers-certs.d(5)) and return that file."""
        dest = home / ".config" / "containers" / "certs.d" / self.host / "ca.crt"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.ca_file, dest)
        return dest

    def ssl_context(self) -> ssl.SSLContext:
        """A client context trusting exactly the test CA (TLS) or the default one (plain)."""
        if self.tls:
            return ssl.create_default_context(cafile=str(self.ca_file))
        return ssl.create_default_context()

    # ------------------------------------------------------------------------------------------------ lifecycle
    @property
    def config_file(self) -> Path:
        return self.workdir / "config.yml"

    @property
    def log_file(self) -> Path:
        """The registry's stderr (logrus) and stdout (the access log), appended across restarts."""
        return self.workdir / "registry.log"

    def config(self) -> dict[str, object]:
        """The registry's configuration (distribution's docs/configuration.md) for this mode."""
        http: dict[str, object] = {"addr": self.host, "secret": "venvlint-test-secret", "headers": {}}
        if self._server_cert is not None:
            http["tls"] = {"certificate": str(self._server_cert.cert_file), "key": str(self._server_cert.key_file)}
        cfg: dict[str, object] = {
            "version": 0.1,
            "log": {"level": "info", "formatter": "text", "accesslog": {"disabled": False}},
            "storage": {
                "filesystem": {"rootdirectory": str(self.workdir / "storage")},
                "delete": {"enabled": True},
                "maintenance": {"uploadpurging": {"enabled": False}},
            },
            "http": http,
        }
        if self.mode == "htpasswd":
            import bcrypt  # the registry reads only bcrypt entries

            htpasswd = self.workdir / "htpasswd"
            hashed = bcrypt.hashpw(self.password.encode(), bcrypt.gensalt(rounds=4)).decode()
            htpasswd.write_text(f"{self.username}:{hashed}\n")
            cfg["auth"] = {"htpasswd": {"realm": "venvlint-test", "path": str(htpasswd)}}
        elif self.mode == "token":
            assert self.token_server is not None
            cfg["auth"] = {
                "token": {
                    "realm": self.token_server.realm,
                    "service": SERVICE,
                    "issuer": ISSUER,
                    "rootcertbundle": str(self.workdir / "pki" / "token-bundle.crt"),
                }
            }
        return cfg

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> RegistryServer:
        """Start the registry (and token server) on this port and storage; wait until `/v2/` answers."""
        if self.running:
            return self
        if self.token_server is not None:
            self.token_server.start()
        self.config_file.write_text(yaml.safe_dump(self.config(), sort_keys=False))
        log = open(self.log_file, "ab")  # noqa: SIM115 (the child keeps it; closed below)
        try:
            self._proc = subprocess.Popen(
                [str(REGISTRY), "serve", str(self.config_file)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        finally:
            log.close()
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._proc.poll() is not None:
                self._fail(f"docker-registry exited with {self._proc.returncode}")
            if self._answers():
                return self
            if time.monotonic() > deadline:
                self.stop()
                self._fail(f"/v2/ did not answer within {self.start_timeout:g} s")
            time.sleep(0.05)

    def _answers(self, path: str = "/v2/") -> bool:
        """Whether the registry answers `path` (any HTTP status) to a request of the harness's own."""
        probe = urllib.request.Request(f"{self.url}{path}", headers={"User-Agent": HARNESS_AGENT})
        try:
            with urllib.request.urlopen(probe, timeout=2, context=self.ssl_context()):
                return True
        except urllib.error.HTTPError as err:
            err.close()
            return True  # 401 from an auth mode is an answer
        except (OSError, ssl.SSLError):
            return False

    def _fail(self, why: str) -> None:
        raise RuntimeError(f"{why} ({self.mode} registry on {self.host}); its log:\n{self.log()}")

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else "(no log)"

    def stop(self) -> None:
        """Stop the registry process (SIGTERM, SIGKILL after 5 s) and the token server; keep port and storage."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if self.token_server is not None:
            self.token_server.stop()

    def __enter__(self) -> RegistryServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------------------------------------- requests
    def requests(self) -> list[tuple[str, str]]:
        """(method, path with query) of every request the registry served since `clear_requests()` (or since the
        first start), in order, across restarts, read from its access log; the harness's own requests (readiness
        probes, `request`, `manifest`, `blob`, `upload_image`) are left out, buildah's pushes are not."""
        return [(m, p) for m, p, _status in self.requests_with_status()]

    def requests_with_status(self) -> list[tuple[str, str, int]]:
        """`requests()` with each response's status."""
        self._settle()
        text = self.log()[self._log_offset :] if self.log_file.exists() else ""
        return [(m[1], m[2], int(m[3])) for m in _ACCESS.finditer(text) if m[4] != HARNESS_AGENT]

    def _settle(self) -> None:
        """Wait until requests already answered are in the access log: the registry writes a request's line only
        after its handler returns, which can be after the client has read the whole response. One request of our
        own, sent after them, is logged after them; wait (at most 2 s) for its line."""
        if not self.running:
            return
        self._marks += 1
        mark = f"/v2/?venvlint-harness-mark={self._marks}"
        if not self._answers(mark):
            return
        deadline = time.monotonic() + 2
        while f'"GET {mark} HTTP' not in self.log()[self._log_offset :] and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.02)  # and a moment for a line still being written by another connection

    def clear_requests(self) -> None:
        """Forget the requests served so far (`requests()` then lists only later ones)."""
        self._settle()
        self._log_offset = len(self.log())
        if self.token_server is not None:
            self.token_server.requests.clear()

    # ---------------------------------------------------------------------------------------------------- push
    def push_flags(self) -> list[str]:
        """buildah's flags for this registry: --tls-verify=false (HTTP), --cert-dir (HTTPS), --creds (auth)."""
        flags: list[str] = []
        if self.tls:
            certs = self.workdir / "buildah-certs"
            certs.mkdir(exist_ok=True)
            shutil.copyfile(self.ca_file, certs / "ca.crt")
            flags += ["--cert-dir", str(certs)]
        else:
            flags += ["--tls-verify=false"]
        if self.mode in ("htpasswd", "token"):
            flags += ["--creds", f"{self.username}:{self.password}"]
        return flags

    def push(self, local_image: str, dest: str, buildah: Buildah, *, format: str = "oci") -> str:
        """Push a local image of `buildah`'s storage to `HOST/dest` (e.g. "public/app-root:1") as an OCI
        (`format="oci"`) or Docker schema 2 (`"v2s2"`) manifest; return the manifest digest buildah reports."""
        digestfile = self.workdir / f"digest-{os.getpid()}-{time.monotonic_ns()}"
        buildah.run("push", "-q", *self.push_flags(), "--format", format, "--digestfile", str(digestfile),
                    local_image, f"docker://{self.host}/{dest}")  # fmt: skip
        return digestfile.read_text().strip()

    def push_index(self, local_manifest_list: str, dest: str, buildah: Buildah, *, format: str = "oci") -> str:
        """`buildah manifest push --all` of a local manifest list to `HOST/dest`; return the index digest."""
        digestfile = self.workdir / f"digest-{os.getpid()}-{time.monotonic_ns()}"
        buildah.run("manifest", "push", "-q", "--all", *self.push_flags(), "--format", format,
                    "--digestfile", str(digestfile), local_manifest_list, f"docker://{self.host}/{dest}")  # fmt: skip
        return digestfile.read_text().strip()

    # ------------------------------------------------------------------------------------------------- reading
    def get(
        self, path: str, accept: str | None = None, *, anonymous: bool = False
    ) -> tuple[int, dict[str, str], bytes]:
        """GET `path` (e.g. "/v2/public/app-root/manifests/1"); see `request`."""
        return self.request("GET", path, headers={"Accept": accept} if accept else None, anonymous=anonymous)

    def request(
        self,
        method: str,
        path: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        anonymous: bool = False,
        push: bool = False,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request with the harness's own small client: basic credentials (htpasswd) or a bearer token for the
        path's repository (`pull`, or `pull,push` when `push`) from the token server, with credentials unless
        `anonymous`. Returns status, headers (lower-case names) and body; an HTTP error status does not raise.
        For the tests' own checks and set-up only: the client under test must not use this."""
        sent = dict(headers or {})
        if self.mode == "htpasswd" and not anonymous:
            sent["Authorization"] = "Basic " + _basic(self.username, self.password)
        elif self.mode == "token":
            sent["Authorization"] = "Bearer " + self._token_for(path, anonymous, push)
        return _http(method, f"{self.url}{path}", sent, self.ssl_context(), data)

    def _token_for(self, path: str, anonymous: bool, push: bool) -> str:
        m = re.match(r"/v2/(.+)/(?:manifests|blobs|tags)/", path)
        actions = "pull,push" if push else "pull"
        query = f"service={SERVICE}" + (f"&scope=repository:{m.group(1)}:{actions}" if m else "")
        headers = {} if anonymous else {"Authorization": "Basic " + _basic(self.username, self.password)}
        status, _h, body = _http("GET", f"{self.token_realm}?{query}", headers, None)
        if status != 200:
            raise PermissionError(f"token server answered {status}: {body.decode(errors='replace')}")
        return str(json.loads(body)["token"])

    def manifest(self, repository: str, reference: str) -> tuple[str, bytes]:
        """(media type, bytes) of a manifest or index, by tag or digest."""
        status, headers, body = self.get(f"/v2/{repository}/manifests/{reference}", MANIFEST_ACCEPT)
        if status != 200:
            raise LookupError(f"{repository}:{reference}: {status} {body[:300]!r}")
        return headers.get("content-type", ""), body

    def blob(self, repository: str, digest: str) -> bytes:
        """A blob's bytes, checked against its digest."""
        status, _headers, body = self.get(f"/v2/{repository}/blobs/{digest}")
        if status != 200:
            raise LookupError(f"{repository}@{digest}: {status} {body[:300]!r}")
        if "sha256:" + hashlib.sha256(body).hexdigest() != digest:
            raise ValueError(f"{repository}@{digest}: the bytes do not hash to the digest")
        return body


MANIFEST_ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def _http(
    method: str, url: str, headers: dict[str, str], context: ssl.SSLContext | None, data: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    headers = {"User-Agent": HARNESS_AGENT, **headers}
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30, context=context) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()
