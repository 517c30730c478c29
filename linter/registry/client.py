"""Read one image from its registry: the OCI distribution API, over httpx.

    GET /v2/<repository>/manifests/<tag or digest>   an image index (or Docker manifest list): pick the platform's
                                                      manifest and GET it by digest
    GET /v2/<repository>/blobs/<config digest>        User, Env, WorkingDir
    GET /v2/<repository>/blobs/<layer digest>         each layer, streamed through tarfile's stream mode: only the
                                                      members' headers are looked at (and /etc/passwd, /etc/group
                                                      read); nothing is written to disk

Authentication follows the registry's `WWW-Authenticate` challenge: `Bearer` (a token from the realm, anonymous or
with the user's credentials, as Docker Hub, ghcr.io, quay.io and the distribution registry's token auth want) or
`Basic`. Every digest is checked against the bytes received. Plain HTTP is spoken only to registries
`RegistrySettings.plain_http_allowed` names, after HTTPS failed, as Docker does for insecure registries.

Sources: the OCI distribution specification (spec.md, "Pulling manifests", "Pulling blobs"), the OCI image-spec
(image-index.md, manifest.md, layer.md: whiteouts), Docker's token authentication specification (distribution's
docs/spec/auth/token.md, oauth.md for refresh tokens). Measured with Debian's docker-registry 2.8.2 (docs/REGISTRY.md).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import re
import ssl
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from .. import __version__
from ..model.imageref import ImageRef
from ..profiles.from_image import Image, apply_tar
from .errors import RegistryError, megabytes
from .settings import MAX_LAYERS, RegistrySettings

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
ACCEPT = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST))
MAX_MANIFEST_BYTES = 4 * 1024 * 1024  # the distribution registry's own limit on a manifest it accepts
MAX_TOKEN_BYTES = 1024 * 1024  # a token answer is a few kilobytes (Docker Hub's: about 1.5 KB)
MAX_CONFIG_BYTES = 8 * 1024 * 1024
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

Progress = Callable[[int], None]  # called with each chunk's size in bytes


@dataclass(frozen=True)
class Fetched:
    """An image as read: the platform's manifest digest, the platform, the merged filesystem and config."""

    digest: str
    platform: str
    image: Image


@dataclass(frozen=True)
class Plan:
    """What reading an image will download: its manifest digest, platform, config descriptor and layers."""

    digest: str
    platform: str
    config: dict[str, Any]  # the config's descriptor (mediaType, digest, size)
    layers: tuple[dict[str, Any], ...]

    @property
    def layer_bytes(self) -> int:
        return sum(int(d.get("size") or 0) for d in self.layers)


class RegistryClient:
    """One run's connections: a client per registry host (its own trust roots), tokens per repository."""

    def __init__(self, settings: RegistrySettings, env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self._env = dict(os.environ if env is None else env)
        self._clients: dict[str, httpx.Client] = {}
        self._schemes: dict[str, str] = {}
        self._auth: dict[tuple[str, str], str] = {}  # (host, repository) → Authorization header value

    def close(self) -> None:
        for c in self._clients.values():
            c.close()

    # -- the image ----------------------------------------------------------------------------------------------------
    def plan(self, ref: ImageRef, platform: str, host: str | None = None) -> Plan:
        """Resolve `ref` at `platform` to its manifest (one request, two for an index). `host`: a mirror to ask
        instead of the reference's registry. Raises RegistryError."""
        host = host or _api_host(ref.registry)
        repo = ref.repository
        body, media = self._manifest(host, repo, ref.digest or ref.tag, ref.digest or None)
        doc = _json(body, f"the manifest of {ref.name}")
        media = str(doc.get("mediaType") or media or "")
        digest = ref.digest or _digest(body)
        if media in (OCI_INDEX, DOCKER_LIST) or "manifests" in doc:
            chosen = _choose_platform(doc, platform, ref.name)
            if not _valid_digest(chosen["digest"]):
                raise RegistryError(
                    f"{ref.name}'s index names its {platform} manifest in a form venvlint does not know"
                )
            digest = str(chosen["digest"])
            body, media = self._manifest(host, repo, digest, digest)
            doc = _json(body, f"the {platform} manifest of {ref.name}")
        if "layers" not in doc or "config" not in doc:
            version = doc.get("schemaVersion")
            what = "a schema 1 manifest (no longer pushed since 2017)" if version == 1 else "not an image manifest"
            raise RegistryError(f"{ref.name}'s manifest is {what}")
        layers = doc.get("layers")
        if not isinstance(layers, list) or not all(
            isinstance(d, dict) and _valid_digest(d.get("digest")) for d in layers
        ):
            raise RegistryError(f"{ref.name}'s manifest lists its layers in a form venvlint does not know")
        if len(layers) > MAX_LAYERS:
            raise RegistryError(f"{ref.name} has {len(layers)} layers, more than any image can have ({MAX_LAYERS})")
        cfg_desc = doc["config"]
        if not isinstance(cfg_desc, dict) or not _valid_digest(cfg_desc.get("digest")):
            raise RegistryError(f"{ref.name}'s manifest has no config descriptor")
        return Plan(digest, platform, cfg_desc, tuple(layers))

    def read(self, ref: ImageRef, plan: Plan, progress: Progress | None = None, host: str | None = None) -> Fetched:
        """Read the config and stream every layer of `plan`, merged. Raises RegistryError (a bound, a bad digest,
        a non-tar)."""
        host = host or _api_host(ref.registry)
        self.check_size(ref, plan)
        config_body = self._blob_bytes(host, ref.repository, str(plan.config["digest"]), MAX_CONFIG_BYTES)
        config = _json(config_body, f"the config of {ref.name}")
        image = Image(config=dict(config.get("config") or {}))
        budget = [int(self.settings.max_image_mb * 1024 * 1024)]
        for desc in plan.layers:
            self._apply_layer(host, ref, str(desc["digest"]), image, budget, progress)
        return Fetched(plan.digest, plan.platform, image)

    def check_size(self, ref: ImageRef, plan: Plan) -> None:
        """RegistryError when the manifest's layers are more than `max_image_mb` compressed megabytes."""
        limit = self.settings.max_image_mb * 1024 * 1024
        if plan.layer_bytes > limit:
            raise RegistryError(
                f"{ref.name} is {megabytes(plan.layer_bytes)} MB of compressed layers, more than venvlint reads "
                f"({self.settings.max_image_mb:g} MB; raise `registries: max-image-mb` in .venvlint.yaml)"
            )

    # -- requests -----------------------------------------------------------------------------------------------------
    def _manifest(self, host: str, repo: str, reference: str, digest: str | None) -> tuple[bytes, str]:
        with self._get(host, repo, f"/v2/{repo}/manifests/{reference}", {"Accept": ACCEPT}) as r:
            body = _read_bounded(r, MAX_MANIFEST_BYTES, f"the manifest of {repo}")
            media = r.headers.get("content-type", "").split(";")[0].strip()
        if digest is not None and _digest(body, digest.partition(":")[0]) != digest:
            raise RegistryError(f"{host} sent a manifest of {repo} that does not match its digest {digest}")
        return body, media

    def _blob_bytes(self, host: str, repo: str, digest: str, bound: int) -> bytes:
        with self._get(host, repo, f"/v2/{repo}/blobs/{digest}", {}) as r:
            body = _read_bounded(r, bound, f"blob {digest}")
        if _digest(body, digest.partition(":")[0]) != digest:
            raise RegistryError(f"{host} sent blob {digest} of {repo} with other bytes (the digest does not match)")
        return body

    def _apply_layer(
        self, host: str, ref: ImageRef, digest: str, image: Image, budget: list[int], progress: Progress | None
    ) -> None:
        repo = ref.repository
        with self._get(host, repo, f"/v2/{repo}/blobs/{digest}", {}) as r:
            # iter_bytes: a Content-Encoding a proxy added is undone; the digest is the blob's, as Go's client reads it.
            stream = _HashingStream(r.iter_bytes(), digest, budget, progress, ref.name)
            try:
                with _open_layer(stream) as layer:
                    apply_tar(image, layer)
                stream.drain()
            except RegistryError:
                raise
            except (tarfile.TarError, EOFError, OSError, ValueError, zlib_error()) as exc:
                if stream.over_budget:
                    raise stream.over_budget from None
                # Bytes that are not what the digest names say so first: a damaged download is not a bad image.
                try:
                    stream.drain()
                except (httpx.HTTPError, RegistryError):
                    pass  # the rest did not come: the tar's own error is the one to say
                else:
                    stream.verify(host, repo)
                raise RegistryError(f"layer {digest} of {ref.name} is not a readable tar ({exc})") from None
            except httpx.HTTPError as exc:
                raise _transport_error(host, exc, self.settings.timeout) from None
        stream.verify(host, repo)

    @staticmethod
    def _raise_for(host: str, repo: str, r: httpx.Response, credential_source: str | None) -> None:
        code = r.status_code
        if code == 429:
            raise RegistryError(f"{host} rate-limited venvlint (429 Too Many Requests{_retry_after(r)})")
        if code == 401:
            if credential_source == "anonymous":
                # Docker Hub's answer to a name that does not exist as much as to a private one (docker says "pull
                # access denied ..., repository does not exist or may require 'docker login'").
                raise RegistryError(
                    f"{host} has no image {repo} or wants credentials for it (401 with an anonymous token; "
                    f"`docker login {_reference_registry(host)}` or `podman login` stores them)"
                )
            if credential_source:
                raise RegistryError(f"{host} refused the credentials from {credential_source} for {repo} (401)")
            raise RegistryError(
                f"{host} wants credentials for {repo} and none are configured (401; `docker login {host}` or "
                "`podman login` stores them)"
            )
        if code == 403:
            raise RegistryError(f"{host} denied access to {repo} (403 Forbidden)")
        if code == 404:
            ref = r.request.url.path.rpartition("/")[2]
            if "/manifests/" in r.request.url.path:
                what = f"{repo}@{ref}" if ":" in ref else f"{repo}:{ref}"
                raise RegistryError(f"{host} has no image {what} (404 Not Found)")
            raise RegistryError(f"{host} has no blob {ref} in {repo} (404 Not Found)")
        if code >= 400:
            raise RegistryError(f"{host} answered {code} for {repo}", host_down=code >= 500)

    @contextlib.contextmanager
    def _get(self, host: str, repo: str, path: str, headers: dict[str, str]) -> Iterator[httpx.Response]:
        """A streamed GET, authenticated as the registry asks (one challenge, answered once per repository)."""
        source: str | None = None
        for attempt in range(2):
            hdrs = dict(headers)
            auth = self._auth.get((host, repo))
            if auth:
                hdrs["Authorization"] = auth
            try:
                client, base = self._client(host)
                with client.stream("GET", base + path, headers=hdrs) as r:
                    if r.history and r.status_code >= 400:
                        # Redirected (blobs often are, to object storage): the refusal is the storage's, not a
                        # challenge of the registry's to answer with a token.
                        raise RegistryError(
                            f"{host} sent venvlint to {r.url.host} for {repo}, which answered {r.status_code}",
                            host_down=r.status_code >= 500,
                        )
                    if r.status_code == 401 and attempt == 0:
                        challenge = r.headers.get("www-authenticate", "")
                        r.close()
                        source = self._authenticate(host, repo, challenge)
                        if source is not None:
                            continue
                    if r.status_code >= 400:
                        self._raise_for(host, repo, r, source)
                    yield r
                    return
            except httpx.HTTPError as exc:
                raise _transport_error(host, exc, self.settings.timeout) from None
        raise RegistryError(f"{host} refused the credentials from {source} for {repo} (401)")

    def _authenticate(self, host: str, repo: str, challenge: str) -> str | None:
        """Answer a 401's challenge: store the Authorization for (host, repo). Returns where the credentials came
        from ("anonymous" for an anonymous token), or None when the challenge cannot be answered."""
        from .auth import CredentialError, find_credential, parse_challenges

        registry = _reference_registry(host)
        try:
            cred = find_credential(registry, repo, self._env)
        except CredentialError as exc:
            raise RegistryError(f"credentials for {registry} cannot be read: {exc}") from None
        for ch in parse_challenges(challenge):
            scheme = ch.scheme.lower()
            if scheme == "bearer" and ch.params.get("realm"):
                token = self._token(host, repo, dict(ch.params), cred)
                self._auth[(host, repo)] = f"Bearer {token}"
                return str(cred.source) if cred else "anonymous"
            if scheme == "basic" and cred is not None and not cred.identity_token:
                pair = base64.b64encode(f"{cred.username}:{cred.secret}".encode()).decode("ascii")
                self._auth[(host, repo)] = f"Basic {pair}"
                return str(cred.source)
        return None

    def _token(self, host: str, repo: str, params: dict[str, str], cred: Any) -> str:
        realm = params["realm"]
        try:
            realm_host = httpx.URL(realm).host or host
        except httpx.InvalidURL:
            raise RegistryError(f"{host}'s token realm {realm!r} is not a URL") from None
        query = {"scope": f"repository:{repo}:pull"}
        if params.get("service"):
            query["service"] = params["service"]
        client, _ = self._client(host)
        if cred is not None and cred.identity_token:
            form = {**query, "grant_type": "refresh_token", "refresh_token": cred.secret, "client_id": "venvlint"}
            request = client.build_request("POST", realm, data=form)
        else:
            # Added to the realm's own query, as docker does: httpx's `params=` would replace it.
            request = client.build_request("GET", httpx.URL(realm).copy_merge_params(query))
        auth = httpx.BasicAuth(cred.username, cred.secret) if cred is not None and not cred.identity_token else None
        try:
            r = client.send(request, auth=auth, stream=True)
            try:
                if r.status_code in (401, 403):
                    who = f"the credentials from {cred.source}" if cred is not None else "an anonymous token"
                    raise RegistryError(f"{host}'s token service refused {who} for {repo} ({r.status_code})")
                if r.status_code == 429:
                    after = _retry_after(r)
                    raise RegistryError(f"{host}'s token service rate-limited venvlint (429 Too Many Requests{after})")
                if r.status_code >= 400:
                    raise RegistryError(f"{host}'s token service answered {r.status_code}")
                body = _read_bounded(r, MAX_TOKEN_BYTES, f"{host}'s token answer")
            finally:
                r.close()
        except httpx.HTTPError as exc:
            raise _transport_error(realm_host, exc, self.settings.timeout) from None
        try:
            data = json.loads(body)
            token = data.get("token") or data.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"{host}'s token service sent no token")
        return token

    def _client(self, host: str) -> tuple[httpx.Client, str]:
        """The client for `host` and its base URL. HTTPS, verified, for every registry; a registry the user listed
        as insecure may present a certificate that is not trusted (Docker's insecure-registries); plain HTTP only
        where allowed and only when the host does not speak TLS at all."""
        client = self._clients.get(host)
        if client is None:
            try:
                httpx.URL(f"https://{host}/v2/")
            except httpx.InvalidURL as exc:  # not an httpx.HTTPError: said here, not as an internal error
                raise RegistryError(f"{host} is not a registry address ({exc})") from None
            client = self._new_client(host, verify=True)
            self._clients[host] = client
        scheme = self._schemes.get(host)
        if scheme is None:
            scheme = "https"
            if self.settings.plain_http_allowed(host):
                try:
                    # Only whether TLS is spoken matters: the answer's body is never read (so never unbounded).
                    with client.stream("GET", f"https://{host}/v2/"):
                        pass
                except httpx.ConnectError as exc:
                    if _untrusted(exc):
                        if host in self.settings.insecure:
                            client.close()
                            client = self._clients[host] = self._new_client(host, verify=False)
                        # else: not ours to trust; the request itself says why
                    else:
                        scheme = "http"  # no TLS there: Docker falls back to HTTP for such registries
                except (httpx.ReadError, httpx.RemoteProtocolError):
                    scheme = "http"
                except httpx.HTTPError:
                    pass
            self._schemes[host] = scheme
        return client, f"{scheme}://{host}"

    def _new_client(self, host: str, verify: bool) -> httpx.Client:
        return httpx.Client(
            timeout=httpx.Timeout(self.settings.timeout),
            follow_redirects=True,
            verify=_trust(host, self._env) if verify else False,
            headers={"User-Agent": f"venvlint/{__version__}"},
            trust_env=True,
        )


# -- helpers ---------------------------------------------------------------------------------------------------------
def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


def _api_host(registry: str) -> str:
    """Docker Hub's API answers at registry-1.docker.io; every other registry at its own name."""
    return "registry-1.docker.io" if registry == "docker.io" else registry


def _reference_registry(host: str) -> str:
    return "docker.io" if host == "registry-1.docker.io" else host


def _trust(host: str, env: dict[str, str]) -> ssl.SSLContext:
    """The system's (or certifi's) roots, SSL_CERT_FILE when set, plus the registry's own CA as Docker and podman
    keep it: `/etc/docker/certs.d/HOST/`, `/etc/containers/certs.d/HOST/`, `~/.config/containers/certs.d/HOST/`
    (every `*.crt` there)."""
    cafile = env.get("SSL_CERT_FILE")
    if not cafile:
        import certifi

        cafile = certifi.where()
    ctx = ssl.create_default_context(cafile=cafile)
    home = env.get("HOME") or os.path.expanduser("~")
    for d in ("/etc/docker/certs.d", "/etc/containers/certs.d", os.path.join(home, ".config/containers/certs.d")):
        folder = os.path.join(d, host)
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".crt"))
        except OSError:
            continue
        for n in names:
            try:
                ctx.load_verify_locations(cafile=os.path.join(folder, n))
            except (OSError, ssl.SSLError):
                continue
    return ctx


def _untrusted(exc: BaseException) -> bool:
    """The TLS handshake failed because the server's certificate is not trusted (not: no TLS at all)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _transport_error(host: str, exc: httpx.HTTPError, timeout: float) -> RegistryError:
    if _untrusted(exc):
        return RegistryError(
            f"{host}'s TLS certificate is not trusted (put the registry's CA in "
            f"~/.config/containers/certs.d/{host}/ca.crt, or list {host} under `registries: insecure`)",
            host_down=True,
        )
    if isinstance(exc, httpx.TimeoutException):
        return RegistryError(f"{host} did not answer within {timeout:g} s", host_down=True)
    if isinstance(exc, httpx.ConnectError):
        cause = str(exc) or type(exc).__name__
        return RegistryError(f"{host} cannot be reached ({cause})", host_down=True)
    return RegistryError(f"{host}: {type(exc).__name__}: {exc}", host_down=True)


def _retry_after(r: httpx.Response) -> str:
    """A 429's Retry-After as a clause (", retry after 30 s"), or ""; delay-seconds or an HTTP-date (RFC 9110
    10.2.3). Said, never waited for."""
    after = r.headers.get("retry-after", "").strip()[:40]
    if not after:
        return ""
    return f", retry after {after} s" if after.isdigit() else f", retry after {after}"


def _read_bounded(r: httpx.Response, bound: int, what: str) -> bytes:
    out = bytearray()
    for chunk in r.iter_bytes():
        out += chunk
        if len(out) > bound:
            raise RegistryError(f"{what} is larger than {bound // (1024 * 1024)} MB: not what a registry sends")
    return bytes(out)


def _digest(body: bytes, algorithm: str = "sha256") -> str:
    try:
        return f"{algorithm}:{hashlib.new(algorithm, body).hexdigest()}"
    except ValueError:
        raise RegistryError(f"unknown digest algorithm {algorithm!r}") from None


# The digests OCI's image-spec registers (descriptor.md "Registered algorithms"); others are not asked for.
_DIGEST = re.compile(r"sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}")


def _valid_digest(value: object) -> bool:
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


def _json(body: bytes, what: str) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except ValueError:
        raise RegistryError(f"{what} is not JSON") from None
    if not isinstance(doc, dict):
        raise RegistryError(f"{what} is not a JSON object")
    return doc


def _choose_platform(index: dict[str, Any], platform: str, name: str) -> dict[str, Any]:
    """The index entry containerd's default matcher (`platforms.Only`) picks for `os/arch[/variant]`: the entry that
    matches the best-ranked of the platforms the asked one runs (`_runs_on`), the index's order breaking ties."""
    os_want, arch_want, variant_want = [*platform.split("/"), ""][:3]
    runs = _runs_on(_normal(os_want, arch_want, variant_want))
    ranks = {p: runs.index(p) for p in runs}  # the first place a platform appears is its rank
    seen: list[str] = []
    best: tuple[int, dict[str, Any]] | None = None
    for entry in index.get("manifests") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("platform"), dict) or "digest" not in entry:
            continue
        p = entry["platform"]
        os_, arch, variant = str(p.get("os", "")), str(p.get("architecture", "")), str(p.get("variant", ""))
        if os_ == "unknown":  # attestation manifests (BuildKit's provenance) are not images
            continue
        seen.append("/".join(x for x in (os_, arch, variant) if x))
        rank = ranks.get(_normal(os_, arch, variant))
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, entry)
    if best is None:
        has = ", ".join(sorted(set(seen))) or "none"
        raise RegistryError(f"{name} has no {platform} image (it has: {has}; pass --platform or FROM --platform)")
    return best[1]


def _normal(os_: str, arch: str, variant: str) -> tuple[str, str, str]:
    """A platform in containerd's canonical spelling (platforms/database.go `normalizeArch`): aarch64 is arm64 and
    its v8 no variant, x86_64 is amd64 and its v1 no variant, arm without a variant is arm/v7, armhf arm/v7, armel
    arm/v6."""
    os_, arch, variant = os_.lower(), arch.lower(), variant.lower()
    if arch == "i386":
        return os_, "386", ""
    if arch in ("x86_64", "x86-64", "amd64"):
        return os_, "amd64", "" if variant == "v1" else variant
    if arch in ("aarch64", "arm64"):
        return os_, "arm64", "" if variant in ("8", "v8") else variant
    if arch in ("armhf", "armel"):
        return os_, "arm", "v7" if arch == "armhf" else "v6"
    if arch == "arm":
        return os_, "arm", {"": "v7", "5": "v5", "6": "v6", "7": "v7", "8": "v8"}.get(variant, variant)
    return os_, arch, variant


def _runs_on(want: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    """What a machine of platform `want` runs, best first (containerd platforms/compare.go `platformVector`): amd64
    then its older variants, then 386; arm/vN then arm/v(N-1) down to v5; arm64/v8.x its older v8 minors (v9.x:
    older v9 minors, then v8.(x+5) and down), then arm/v8 down to v5."""
    os_, arch, variant = want
    out = [want]
    number = re.fullmatch(r"v(\d+)(?:\.(\d+))?", variant or ("v8" if arch == "arm64" else ""))
    major = int(number.group(1)) if number else 0
    if arch == "amd64":
        out += [_normal(os_, "amd64", f"v{n}") for n in range(major - 1, 0, -1)] + [(os_, "386", "")]
    elif arch == "arm":
        out += [(os_, "arm", f"v{n}") for n in range(major - 1, 4, -1)]
    elif arch == "arm64" and number and major >= 8:
        minor = int(number.group(2) or 0)
        if major == 9:
            out += [(os_, "arm64", f"v9.{m}" if m else "v9") for m in range(minor - 1, -1, -1)]
            major, minor = 8, min(minor + 5, 9)
            out.append((os_, "arm64", f"v8.{minor}"))
        out += [_normal(os_, "arm64", f"v8.{m}" if m else "v8") for m in range(minor - 1, -1, -1)]
        out += [(os_, "arm", f"v{n}") for n in range(8, 4, -1)]
    return out


class _HashingStream(io.RawIOBase):
    """A layer's bytes as a file, hashed and counted as they pass; over the run's byte budget it stops."""

    def __init__(
        self, chunks: Iterator[bytes], digest: str, budget: list[int], progress: Progress | None, name: str
    ) -> None:
        self._chunks = chunks
        self._digest = digest
        self._hash = hashlib.new(digest.partition(":")[0] or "sha256")
        self._pending = b""
        self._budget = budget
        self._progress = progress
        self._name = name
        self.over_budget: RegistryError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._take(chunk)
            self._pending = chunk
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _take(self, chunk: bytes) -> None:
        self._hash.update(chunk)
        self._budget[0] -= len(chunk)
        if self._budget[0] < 0:
            self.over_budget = RegistryError(f"{self._name}'s layers are larger than their manifest says")
            raise self.over_budget
        if self._progress is not None:
            self._progress(len(chunk))

    def drain(self) -> None:
        """Read what the tar reader left (its end-of-archive padding, the compressor's trailer) into the hash."""
        self._pending = b""
        for chunk in self._chunks:
            self._take(chunk)

    def verify(self, host: str, repo: str) -> None:
        if f"{self._digest.partition(':')[0]}:{self._hash.hexdigest()}" != self._digest:
            raise RegistryError(
                f"{host} sent layer {self._digest} of {repo} with other bytes (the digest does not match)"
            )


def _open_layer(stream: _HashingStream) -> tarfile.TarFile:
    """The layer as a tar stream: plain, gzip, bzip2, xz (tarfile's `r|*`) or zstd (Python 3.14's compression.zstd,
    or the zstandard package)."""
    buffered: Any = io.BufferedReader(stream, 1024 * 1024)
    if buffered.peek(4)[:4] == _ZSTD_MAGIC:
        buffered = _zstd_reader(buffered)
        return tarfile.open(fileobj=buffered, mode="r|")
    return tarfile.open(fileobj=buffered, mode="r|*")


def _zstd_reader(raw: Any) -> Any:
    try:
        from compression import zstd  # type: ignore[import-not-found,unused-ignore]

        return zstd.ZstdFile(raw)
    except ImportError:
        pass
    try:
        import zstandard  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise RegistryError(
            "a layer is zstd-compressed, which this Python cannot read (Python 3.14+ or the `zstandard` package can)"
        ) from None
    return zstandard.ZstdDecompressor().stream_reader(raw)
