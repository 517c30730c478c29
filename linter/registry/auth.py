"""Where registry credentials come from, as docker and podman find them, and what a registry's challenge asks for.

`find_credential` reads, in order (measured from the sources; docs/MEASUREMENTS.md "Registry credentials"):

1. `REGISTRY_AUTH_FILE`, when set, is the only file read (podman's `--authfile`: an explicit file replaces the
   search list in containers/image).
2. `$XDG_RUNTIME_DIR/containers/auth.json` (`/run/containers/<uid>/auth.json` without XDG_RUNTIME_DIR).
3. `${XDG_CONFIG_HOME:-$HOME/.config}/containers/auth.json`.
4. `DOCKER_AUTH_CONFIG` (docker reads it before its config file and it wins there).
5. `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`, with docker's credential stores: `credHelpers`
   for the registry, else `credsStore`, else (no credentials configured at all) docker's default store where its
   helper is installed; only when no helper applies, the `auths` entry.
6. `$HOME/.dockercfg` (the legacy form: the `auths` map at top level).

In every file a key may name a namespace or a repository (`quay.io/org`, `quay.io/org/app`): the most specific key
wins (containers/image; docker itself knows only hosts). Keys written as URLs (`https://index.docker.io/v1/`) match
by their host, and Docker Hub's spellings are one registry.

Nothing here uses the network; credential helpers are run with a time bound.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

# Docker Hub's key in docker's config.json and the server URL docker hands a credential helper for it
# (docker/cli cli/config/configfile/file.go `authConfigKey`).
DOCKER_HUB_KEY = "https://index.docker.io/v1/"
DOCKER_HUB = "docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})

# A helper that does not answer within this many seconds is an error, not a hang of the lint.
HELPER_TIMEOUT = 10.0
# What every helper built on docker-credential-helpers prints (on stdout, exit 1) for a registry it has nothing for.
HELPER_NOT_FOUND = "credentials not found in native keychain"
# A helper's Username meaning "Secret is an identity (refresh) token" (docker/cli credentials/native_store.go).
TOKEN_USERNAME = "<token>"


@dataclass(frozen=True)
class Credential:
    """A credential for one registry and where it was found."""

    username: str
    secret: str = field(repr=False)  # a password, or an identity (refresh) token
    # Docker's `identitytoken`, or a helper answering Username "<token>": exchange `secret` at the token endpoint
    # (grant_type=refresh_token) instead of sending basic auth.
    identity_token: bool
    source: str  # for the user: "~/.docker/config.json", "docker-credential-pass (credsStore in ...)"


class CredentialError(Exception):
    """One line saying why credentials could not be read (a config that is not JSON, a helper that failed or timed
    out)."""


def find_credential(registry: str, repository: str = "", env: Mapping[str, str] | None = None) -> Credential | None:
    """The credential docker or podman would use to pull `registry/repository`, or None for anonymous access.

    `registry` is the reference's host (`docker.io` or any of Docker Hub's other names, `ghcr.io`, `127.0.0.1:5000`);
    `repository` its path (`library/python`; a Docker Hub name without a slash gets `library/`). Raises
    CredentialError where the first source that has something for the registry cannot be read."""
    env = os.environ if env is None else env
    host = canonical_registry(registry)
    repo = repository.strip("/")
    if host == DOCKER_HUB and repo and "/" not in repo:
        repo = f"library/{repo}"
    for source in _sources(env):
        credential = source.lookup(host, repo, env)
        if credential is not None:
            return credential
    return None


def canonical_registry(registry: str) -> str:
    """`docker.io` for every name of Docker Hub (and none), else the host as written (host names compare lower)."""
    host = registry.strip().lower()
    return DOCKER_HUB if not host or host in _HUB_ALIASES else host


# --- sources ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _File:
    path: str
    label: str
    docker: bool = False  # docker's config.json: its credsStore and default store apply
    legacy: bool = False  # ~/.dockercfg: the auths map is the whole file

    def lookup(self, host: str, repo: str, env: Mapping[str, str]) -> Credential | None:
        config = _read_json_file(self.path, self.label)
        if config is None and not self.docker:
            return None
        config = config or {}
        if self.legacy:
            return _from_auths(config, host, repo, self.label, legacy=True)
        helper = _configured_helper(config, host, self.label, env, docker=self.docker)
        if helper is not None:
            # A helper configured for the registry is the answer: docker and containers/image do not fall back to
            # the file's auths (docker writes `{}` entries there for registries a helper holds).
            name, why = helper
            return _ask_helper(name, host, env, why)
        auths = config.get("auths")
        return _from_auths(auths, host, repo, self.label) if isinstance(auths, dict) else None


@dataclass(frozen=True)
class _EnvConfig:
    """DOCKER_AUTH_CONFIG: a docker config with only `auths` (a GitLab CI variable; docker reads it since 28.3.0)."""

    text: str

    def lookup(self, host: str, repo: str, env: Mapping[str, str]) -> Credential | None:
        config = _parse_json(self.text, "DOCKER_AUTH_CONFIG")
        auths = config.get("auths")
        return _from_auths(auths, host, repo, "DOCKER_AUTH_CONFIG") if isinstance(auths, dict) else None


def _sources(env: Mapping[str, str]) -> Iterator[_File | _EnvConfig]:
    explicit = env.get("REGISTRY_AUTH_FILE", "")
    if explicit:
        yield _File(explicit, f"REGISTRY_AUTH_FILE={explicit}")
        return
    home = env.get("HOME", "")
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime:
        primary = os.path.join(runtime, "containers", "auth.json")
        yield _File(primary, _shown(primary, home))
    elif hasattr(os, "getuid"):  # containers/image's default without XDG_RUNTIME_DIR (Linux)
        primary = f"/run/containers/{os.getuid()}/auth.json"
        yield _File(primary, primary)
    config_home = env.get("XDG_CONFIG_HOME", "") or (os.path.join(home, ".config") if home else "")
    if config_home:
        path = os.path.join(config_home, "containers", "auth.json")
        yield _File(path, _shown(path, home))
    if env.get("DOCKER_AUTH_CONFIG", ""):
        yield _EnvConfig(env["DOCKER_AUTH_CONFIG"])
    docker_dir = env.get("DOCKER_CONFIG", "") or (os.path.join(home, ".docker") if home else "")
    if docker_dir:
        path = os.path.join(docker_dir, "config.json")
        yield _File(path, _shown(path, home), docker=True)
    if home:
        path = os.path.join(home, ".dockercfg")
        yield _File(path, _shown(path, home), legacy=True)


def _shown(path: str, home: str) -> str:
    if home and home != "/" and path.startswith(home.rstrip("/") + "/"):
        return "~/" + path[len(home.rstrip("/")) + 1 :]
    return path


def _read_json_file(path: str, label: str) -> dict[str, object] | None:
    """The file's object, None where it does not exist; CredentialError where it exists and cannot be used (as
    containers/image fails a pull; docker warns and goes on without it)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as err:
        raise CredentialError(f"cannot read {label}: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CredentialError(f"{label} is not UTF-8 text") from None
    # An empty file is an empty config, as docker reads it (`docker login` may find one that `touch` made).
    return _parse_json(text, label) if text.strip() else {}


def _parse_json(text: str, label: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except ValueError as err:
        raise CredentialError(f"{label} is not JSON ({err})") from None
    if not isinstance(value, dict):
        raise CredentialError(f"{label} is not a JSON object")
    return value


# --- auths entries ------------------------------------------------------------------------------------------------


def _from_auths(
    auths: Mapping[str, object], host: str, repo: str, label: str, *, legacy: bool = False
) -> Credential | None:
    for key in _candidate_keys(auths, host, repo, legacy=legacy):
        credential = _decode_entry(auths[key], key, label)
        if credential is not None:
            return credential
    return None


def _candidate_keys(auths: Mapping[str, object], host: str, repo: str, *, legacy: bool) -> Iterator[str]:
    """The keys of `auths` that name the registry, best first: `host/repo` and its parents (most specific first),
    Docker Hub's docker key, then any key naming the host in another spelling (a URL, another Hub name), in the
    file's order."""
    seen: set[str] = set()

    def fresh(key: str) -> bool:
        if key in auths and key not in seen:
            seen.add(key)
            return True
        return False

    if not legacy:
        parts = [host, *repo.split("/")] if repo else [host]
        for end in range(len(parts), 0, -1):
            key = "/".join(parts[:end])
            if fresh(key):
                yield key
    if host == DOCKER_HUB and fresh(DOCKER_HUB_KEY):
        yield DOCKER_HUB_KEY
    for key in list(auths):
        if _key_host(key, legacy=legacy) == host and fresh(key):
            yield key


def _key_host(key: str, *, legacy: bool) -> str:
    """The registry an auths key names when read as a host: scheme and `/v1/`-style paths dropped (docker's
    ConvertToHostname), Hub's names made one. A namespaced key without scheme (`quay.io/org`) names no host."""
    match = re.match(r"(?i)https?://", key)
    rest = key[match.end() :] if match else key
    host, _, path = rest.partition("/")
    if path and not (match or legacy or path.strip("/") == "v1"):
        return ""
    return canonical_registry(host) if host else ""


def _decode_entry(entry: object, key: str, label: str) -> Credential | None:
    """An auths entry's credential; None for an entry that holds none (`{}`, written for a helper's registries)."""
    if not isinstance(entry, dict):
        return None
    auth = _text(entry.get("auth"))
    username, password = _text(entry.get("username")), _text(entry.get("password"))
    if auth:
        try:
            decoded = base64.b64decode(auth, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise CredentialError(f"the auth of {key!r} in {label} is not base64 of user:password") from None
        if ":" not in decoded:
            return None  # containers/image skips such an entry (with a warning)
        username, _, password = decoded.partition(":")
        password = password.strip("\x00")
    token = _text(entry.get("identitytoken"))
    if token:
        return Credential(username, token, True, label)
    if not username and not password:
        return None
    return Credential(username, password, False, label)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


# --- credential helpers -------------------------------------------------------------------------------------------


def _configured_helper(
    config: Mapping[str, object], host: str, label: str, env: Mapping[str, str], *, docker: bool
) -> tuple[str, str] | None:
    """The helper that holds the registry's credential per this file, with the words saying why."""
    helpers = config.get("credHelpers")
    if isinstance(helpers, dict):
        # docker looks the Hub up under its URL key, containers/image under `docker.io`.
        names = [DOCKER_HUB_KEY, *sorted(_HUB_ALIASES)] if host == DOCKER_HUB else [host]
        for name in names:
            helper = helpers.get(name)
            if isinstance(helper, str) and helper:
                return helper, f"credHelpers in {label}"
    if not docker:
        return None  # containers/image reads no credsStore
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        return store, f"credsStore in {label}"
    if not helpers and not config.get("auths"):
        # docker/cli DetectDefaultStore: with no credentials configured, `pass`'s helper where `pass` is installed,
        # else secretservice's, each only where its docker-credential- program is on PATH.
        search = env.get("PATH", os.defpath)
        default = "pass" if shutil.which("pass", path=search) else "secretservice"
        if shutil.which(f"docker-credential-{default}", path=search):
            return default, f"docker's default store: no credentials configured in {label}"
    return None


def _ask_helper(name: str, host: str, env: Mapping[str, str], why: str) -> Credential | None:
    # Docker asks for the Hub by its URL key; podman (containers/image) by `docker.io`: a helper may hold either.
    urls = [DOCKER_HUB_KEY, DOCKER_HUB] if host == DOCKER_HUB else [host]
    for url in urls:
        credential = _run_helper(name, url, env, why)
        if credential is not None:
            return credential
    return None


def _run_helper(name: str, server_url: str, env: Mapping[str, str], why: str) -> Credential | None:
    """`docker-credential-NAME get`, the server URL on stdin, `{"ServerURL","Username","Secret"}` on stdout."""
    program = f"docker-credential-{name}"
    label = f"{program} ({why})"
    if "/" in name or "\0" in name:
        # A helper is a program on PATH, never a path: a name with a slash would run a file relative to the current
        # directory.
        raise CredentialError(f"{label}: {name!r} is not a helper name")
    path = shutil.which(program, path=env.get("PATH", os.defpath))
    if path is None:
        raise CredentialError(f"{label}: {program} is not on PATH")
    try:
        # Its own session, so that a timeout kills whatever the helper started (a shell's children keep the pipes).
        proc = subprocess.Popen(
            [path, "get"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            start_new_session=True,
        )
    except OSError as err:
        raise CredentialError(f"{label} could not be run: {err.strerror or err}") from None
    try:
        out, err_out = proc.communicate(server_url.encode(), timeout=HELPER_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise CredentialError(f"{label} did not answer for {server_url} within {HELPER_TIMEOUT:g} s") from None
    answer = out.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        if answer == HELPER_NOT_FOUND:
            return None
        said = (answer or err_out.decode("utf-8", "replace").strip()).splitlines()
        detail = f": {said[0][:200]}" if said else ""
        raise CredentialError(f"{label} failed for {server_url} (exit {proc.returncode}){detail}")
    try:
        reply = json.loads(answer)
    except ValueError:
        raise CredentialError(f"{label} answered {server_url} with something that is not JSON") from None
    if not isinstance(reply, dict):
        raise CredentialError(f"{label} answered {server_url} with something that is not a JSON object")
    username, secret = _text(reply.get("Username")), _text(reply.get("Secret"))
    if not secret:
        return None
    if username == TOKEN_USERNAME:
        return Credential("", secret, True, label)
    return Credential(username, secret, False, label)


# --- WWW-Authenticate ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    """One challenge of a WWW-Authenticate header."""

    scheme: str  # lower case: "bearer", "basic" (schemes compare without case, RFC 9110 11.1)
    params: Mapping[str, str]  # names in lower case: realm, service, scope, error, ...


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def parse_challenges(header: str) -> list[Challenge]:
    """The challenges of a WWW-Authenticate header (RFC 9110 11.6.1: several may share one header, separated by
    commas like their parameters). Junk is skipped, never raised; a token68 (`Basic abc=`) is not kept."""
    challenges: list[tuple[str, dict[str, str]]] = []
    for item in _split_commas(header):
        name, rest = _leading_token(item)
        if not name:
            continue  # junk
        if rest.startswith("="):
            if challenges:  # a parameter of the challenge before it
                challenges[-1][1].setdefault(name.lower(), _param_value(rest[1:]))
            continue
        params: dict[str, str] = {}
        challenges.append((name.lower(), params))
        param, value = _leading_token(rest)
        if param and value.startswith("="):
            params[param.lower()] = _param_value(value[1:])
    return [Challenge(scheme, params) for scheme, params in challenges]


def _split_commas(header: str) -> list[str]:
    """The header's comma-separated items, commas inside quoted strings kept."""
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in header:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _leading_token(text: str) -> tuple[str, str]:
    """The token `text` starts with and what follows it, blanks dropped."""
    match = _TOKEN.match(text.strip())
    if match is None:
        return "", ""
    return match.group(), text.strip()[match.end() :].strip()


def _param_value(text: str) -> str:
    """A parameter's value: a quoted string (unescaped; an unterminated one runs to the end) or a token."""
    text = text.strip()
    if not text.startswith('"'):
        # A token by the grammar; up to a blank here, as some servers send an unquoted URL.
        return text.split()[0] if text else ""
    value: list[str] = []
    escaped = False
    for char in text[1:]:
        if escaped:
            value.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            break
        else:
            value.append(char)
    return "".join(value)
