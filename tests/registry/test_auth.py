"""Where registry credentials come from: config files in temporary homes, fake credential helpers on a temporary PATH
(docs/MEASUREMENTS.md "Registry credentials (issue 22)")."""

from __future__ import annotations

import base64
import json
import os
import stat
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from venvlint.registry import auth
from venvlint.registry.auth import (
    DOCKER_HUB_KEY,
    Challenge,
    Credential,
    CredentialError,
    canonical_registry,
    find_credential,
    parse_challenges,
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class Home:
    """A temporary HOME, XDG_RUNTIME_DIR and PATH (only the fake helpers and the shell's tools on it)."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.runtime = root / "run"
        self.bin = root / "bin"
        for path in (self.home, self.runtime, self.bin):
            path.mkdir()
        self.env = {
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "PATH": f"{self.bin}:/usr/bin:/bin",
        }

    def write(self, relative: str, content: object, base: Path | None = None) -> Path:
        path = (base or self.home) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return path

    def docker(self, config: object) -> Path:
        return self.write(".docker/config.json", config)

    def podman(self, config: object) -> Path:
        return self.write("containers/auth.json", config, self.runtime)

    def helper(self, name: str, script: str) -> Path:
        """docker-credential-NAME: a shell script that logs its argument and stdin, then runs `script`."""
        path = self.bin / f"docker-credential-{name}"
        log = self.bin / f"{name}.log"
        path.write_text(f'#!/bin/sh\nurl=$(cat)\necho "$1 $url" >> {log}\n{script}\n')
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return path

    def asked(self, name: str) -> list[str]:
        log = self.bin / f"{name}.log"
        return log.read_text().splitlines() if log.exists() else []

    def find(self, registry: str, repository: str = "") -> Credential | None:
        return find_credential(registry, repository, self.env)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)


ANSWER = 'printf \'{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}\' "$url"'
NOT_FOUND = 'echo "credentials not found in native keychain"; exit 1'


# --- files and their order ----------------------------------------------------------------------------------------


def test_nothing_anywhere_is_anonymous(home: Home) -> None:
    assert home.find("ghcr.io", "org/app") is None


def test_docker_config_auth(home: Home) -> None:
    home.docker({"auths": {"ghcr.io": {"auth": b64("me:pat")}}})
    credential = home.find("ghcr.io", "org/app")
    assert credential == Credential("me", "pat", False, "~/.docker/config.json")
    assert "pat" not in repr(credential)
    assert home.find("quay.io", "org/app") is None


def test_username_and_password_fields(home: Home) -> None:
    home.docker({"auths": {"127.0.0.1:5000": {"username": "u", "password": "p"}}})
    assert home.find("127.0.0.1:5000", "x") == Credential("u", "p", False, "~/.docker/config.json")


def test_password_keeps_colons_and_drops_trailing_nuls(home: Home) -> None:
    home.docker({"auths": {"ghcr.io": {"auth": b64("me:a:b\x00\x00")}}})
    credential = home.find("ghcr.io")
    assert credential is not None and credential.secret == "a:b"


def test_identity_token_entry(home: Home) -> None:
    home.docker({"auths": {DOCKER_HUB_KEY: {"auth": b64("me:"), "identitytoken": "refresh-1"}}})
    assert home.find("docker.io", "library/python") == Credential("me", "refresh-1", True, "~/.docker/config.json")


def test_podman_runtime_file_before_docker(home: Home) -> None:
    home.podman({"auths": {"ghcr.io": {"auth": b64("podman:1")}}})
    home.docker({"auths": {"ghcr.io": {"auth": b64("docker:2")}}})
    credential = home.find("ghcr.io", "org/app")
    assert credential is not None
    assert (credential.username, credential.source) == ("podman", str(home.runtime / "containers/auth.json"))


def test_config_home_file_between_runtime_and_docker(home: Home) -> None:
    home.write(".config/containers/auth.json", {"auths": {"ghcr.io": {"auth": b64("xdg:1")}}})
    home.docker({"auths": {"ghcr.io": {"auth": b64("docker:2")}}})
    credential = home.find("ghcr.io")
    assert credential is not None and credential.source == "~/.config/containers/auth.json"
    home.podman({"auths": {"ghcr.io": {"auth": b64("runtime:3")}}})
    credential = home.find("ghcr.io")
    assert credential is not None and credential.username == "runtime"


def test_xdg_config_home_replaces_dot_config(home: Home, tmp_path: Path) -> None:
    home.write(".config/containers/auth.json", {"auths": {"ghcr.io": {"auth": b64("dotconfig:1")}}})
    elsewhere = tmp_path / "cfg"
    home.write("containers/auth.json", {"auths": {"ghcr.io": {"auth": b64("xdg:1")}}}, elsewhere)
    home.env["XDG_CONFIG_HOME"] = str(elsewhere)
    credential = home.find("ghcr.io")
    assert credential is not None and credential.username == "xdg"


def test_registry_auth_file_is_the_only_file(home: Home, tmp_path: Path) -> None:
    home.docker({"auths": {"ghcr.io": {"auth": b64("docker:2")}}})
    explicit = home.write("auth.json", {"auths": {"quay.io": {"auth": b64("explicit:1")}}}, tmp_path)
    home.env["REGISTRY_AUTH_FILE"] = str(explicit)
    assert home.find("quay.io") == Credential("explicit", "1", False, f"REGISTRY_AUTH_FILE={explicit}")
    assert home.find("ghcr.io") is None  # docker's config is not searched past an explicit file


def test_docker_config_env_replaces_dot_docker(home: Home, tmp_path: Path) -> None:
    home.docker({"auths": {"ghcr.io": {"auth": b64("home:1")}}})
    other = home.write("config.json", {"auths": {"ghcr.io": {"auth": b64("env:2")}}}, tmp_path / "dc")
    home.env["DOCKER_CONFIG"] = str(other.parent)
    assert home.find("ghcr.io") == Credential("env", "2", False, str(other))


def test_legacy_dockercfg_last(home: Home) -> None:
    home.write(".dockercfg", {"https://index.docker.io/v1/": {"auth": b64("legacy:1"), "email": "x@y"}})
    assert home.find("docker.io", "python") == Credential("legacy", "1", False, "~/.dockercfg")
    home.docker({"auths": {"docker.io": {"auth": b64("docker:2")}}})
    credential = home.find("docker.io", "python")
    assert credential is not None and credential.username == "docker"


def test_docker_auth_config_env_before_docker_config(home: Home) -> None:
    home.docker({"auths": {"ghcr.io": {"auth": b64("file:1")}, "quay.io": {"auth": b64("file:2")}}})
    home.env["DOCKER_AUTH_CONFIG"] = json.dumps({"auths": {"ghcr.io": {"auth": b64("ci:3")}}})
    assert home.find("ghcr.io") == Credential("ci", "3", False, "DOCKER_AUTH_CONFIG")
    credential = home.find("quay.io")  # not in the variable: docker's file store still answers
    assert credential is not None and credential.username == "file"
    home.podman({"auths": {"ghcr.io": {"auth": b64("podman:4")}}})
    credential = home.find("ghcr.io")
    assert credential is not None and credential.username == "podman"


def test_docker_auth_config_not_json_is_an_error(home: Home) -> None:
    home.env["DOCKER_AUTH_CONFIG"] = "{auths"
    with pytest.raises(CredentialError, match="DOCKER_AUTH_CONFIG is not JSON"):
        home.find("ghcr.io")


# --- keys ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        DOCKER_HUB_KEY,
        "index.docker.io",
        "docker.io",
        "registry-1.docker.io",
        "https://index.docker.io",
        "index.docker.io/v1/",
        "http://registry-1.docker.io/v2/",
    ],
)
@pytest.mark.parametrize("written", ["docker.io", "index.docker.io", "registry-1.docker.io", "", "DOCKER.IO"])
def test_docker_hub_key_spellings(home: Home, key: str, written: str) -> None:
    home.docker({"auths": {key: {"auth": b64("hub:1")}}})
    credential = home.find(written, "library/python")
    assert credential is not None and credential.username == "hub"


def test_hub_key_is_not_another_registry(home: Home) -> None:
    home.docker({"auths": {DOCKER_HUB_KEY: {"auth": b64("hub:1")}}})
    assert home.find("ghcr.io", "library/python") is None
    assert home.find("index.docker.io.example.com") is None


def test_url_keys_match_by_host(home: Home) -> None:
    home.docker({"auths": {"https://registry.example.com:5000/v2/": {"auth": b64("url:1")}}})
    credential = home.find("registry.example.com:5000", "team/app")
    assert credential is not None and credential.username == "url"
    assert home.find("registry.example.com", "team/app") is None  # the port is part of the registry


@pytest.mark.parametrize(
    ("repository", "expected"),
    [
        ("org/app", "repo"),
        ("org/app/sub", "repo"),  # a key names its repository and everything under it
        ("org/other", "namespace"),
        ("org", "namespace"),
        ("elsewhere/app", "host"),
        ("", "host"),
        ("organisation/app", "host"),  # `quay.io/org` is a path prefix, not a string prefix
    ],
)
def test_namespaced_keys_most_specific_wins(home: Home, repository: str, expected: str) -> None:
    home.podman(
        {
            "auths": {
                "quay.io": {"auth": b64("host:1")},
                "quay.io/org": {"auth": b64("namespace:2")},
                "quay.io/org/app": {"auth": b64("repo:3")},
            }
        }
    )
    credential = home.find("quay.io", repository)
    assert credential is not None and credential.username == expected


def test_namespaced_key_does_not_serve_the_whole_host(home: Home) -> None:
    home.docker({"auths": {"quay.io/org": {"auth": b64("namespace:2")}}})
    assert home.find("quay.io", "other/app") is None
    credential = home.find("quay.io", "org/app")
    assert credential is not None and credential.username == "namespace"


def test_docker_hub_official_images_are_under_library(home: Home) -> None:
    home.podman({"auths": {"docker.io/library": {"auth": b64("official:1")}, "docker.io": {"auth": b64("any:2")}}})
    credential = home.find("docker.io", "python")
    assert credential is not None and credential.username == "official"
    credential = home.find("docker.io", "someone/python")
    assert credential is not None and credential.username == "any"


def test_empty_entry_counts_as_none(home: Home) -> None:
    home.podman({"auths": {"ghcr.io/org": {}, "ghcr.io": {"auth": b64("host:1")}}})
    home.docker({"auths": {"quay.io": {}}})
    credential = home.find("ghcr.io", "org/app")
    assert credential is not None and credential.username == "host"
    assert home.find("quay.io") is None


def test_auth_without_colon_is_skipped(home: Home) -> None:
    home.podman({"auths": {"ghcr.io": {"auth": b64("nocolon")}}})
    home.docker({"auths": {"ghcr.io": {"auth": b64("docker:2")}}})
    credential = home.find("ghcr.io")
    assert credential is not None and credential.username == "docker"


# --- malformed files: containers/image fails the pull; so does venvlint (a CredentialError) ---------------------


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '"text"', '{"auths": {"ghcr.io": {"auth": "***"}}}'])
def test_malformed_config_is_an_error(home: Home, content: str) -> None:
    home.docker(content)
    with pytest.raises(CredentialError, match=r"~/\.docker/config\.json"):
        home.find("ghcr.io")


def test_malformed_earlier_file_stops_the_search(home: Home) -> None:
    home.podman("{")
    home.docker({"auths": {"ghcr.io": {"auth": b64("docker:2")}}})
    with pytest.raises(CredentialError, match=r"auth\.json is not JSON"):
        home.find("ghcr.io")


def test_empty_file_is_an_empty_config(home: Home) -> None:
    home.podman("")
    home.docker({"auths": {"ghcr.io": {"auth": b64("docker:2")}}})
    credential = home.find("ghcr.io")
    assert credential is not None and credential.username == "docker"


def test_unreadable_file_is_an_error(home: Home) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    home.docker({"auths": {}}).chmod(0)
    with pytest.raises(CredentialError, match="cannot read"):
        home.find("ghcr.io")


# --- credential helpers -------------------------------------------------------------------------------------------


def test_creds_store_helper(home: Home) -> None:
    home.helper("fake", ANSWER)
    home.docker({"auths": {"ghcr.io": {}}, "credsStore": "fake"})
    assert home.find("ghcr.io", "org/app") == Credential(
        "helper-user", "helper-secret", False, "docker-credential-fake (credsStore in ~/.docker/config.json)"
    )
    assert home.asked("fake") == ["get ghcr.io"]


def test_docker_hub_server_url_for_helpers(home: Home) -> None:
    home.helper("fake", ANSWER)
    home.docker({"credsStore": "fake"})
    assert home.find("index.docker.io", "library/python") is not None
    assert home.asked("fake") == [f"get {DOCKER_HUB_KEY}"]


def test_docker_hub_helper_asked_for_podman_key_after_docker_key(home: Home) -> None:
    home.helper("fake", f'[ "$url" = docker.io ] && {{ {ANSWER}; exit 0; }}\n{NOT_FOUND}')
    home.docker({"credsStore": "fake"})
    assert home.find("docker.io", "library/python") is not None
    assert home.asked("fake") == [f"get {DOCKER_HUB_KEY}", "get docker.io"]


def test_cred_helpers_win_over_creds_store(home: Home) -> None:
    home.helper("store", ANSWER)
    home.helper("gcr", 'printf \'{"Username":"oauth2accesstoken","Secret":"ya29"}\'')
    home.docker({"credsStore": "store", "credHelpers": {"gcr.io": "gcr"}})
    credential = home.find("gcr.io", "project/image")
    assert credential == Credential(
        "oauth2accesstoken", "ya29", False, "docker-credential-gcr (credHelpers in ~/.docker/config.json)"
    )
    assert home.asked("store") == []
    credential = home.find("ghcr.io")
    assert credential is not None and credential.username == "helper-user"


def test_cred_helpers_docker_hub_key(home: Home) -> None:
    home.helper("hub", ANSWER)
    home.docker({"credHelpers": {DOCKER_HUB_KEY: "hub"}})
    assert home.find("registry-1.docker.io", "library/python") is not None
    home.docker({"credHelpers": {"docker.io": "hub"}})  # containers/image's spelling
    assert home.find("docker.io", "library/python") is not None


def test_helper_configured_hides_the_file_entry(home: Home) -> None:
    """Docker asks only the helper once one is configured; the auths entry is not a fallback."""
    home.helper("fake", NOT_FOUND)
    home.docker({"auths": {"ghcr.io": {"auth": b64("file:1")}}, "credsStore": "fake"})
    assert home.find("ghcr.io") is None
    assert home.asked("fake") == ["get ghcr.io"]


def test_helper_not_found_moves_to_next_source(home: Home) -> None:
    home.helper("fake", NOT_FOUND)
    home.podman({"credHelpers": {"ghcr.io": "fake"}})
    home.docker({"auths": {"ghcr.io": {"auth": b64("docker:2")}}})
    credential = home.find("ghcr.io")
    assert credential is not None and credential.username == "docker"
    assert home.asked("fake") == ["get ghcr.io"]


def test_creds_store_is_docker_only(home: Home) -> None:
    """containers/image reads credHelpers from auth.json, never credsStore."""
    home.helper("fake", ANSWER)
    home.podman({"credsStore": "fake"})
    assert home.find("ghcr.io") is None
    assert home.asked("fake") == []


def test_helper_identity_token(home: Home) -> None:
    home.helper("fake", 'printf \'{"ServerURL":"x","Username":"<token>","Secret":"refresh-2"}\'')
    home.docker({"credsStore": "fake"})
    assert home.find("ghcr.io") == Credential(
        "", "refresh-2", True, "docker-credential-fake (credsStore in ~/.docker/config.json)"
    )


def test_helper_failure_is_an_error(home: Home) -> None:
    home.helper("fake", 'echo "error getting credentials - err: exit status 2, out: gpg: decryption failed"; exit 1')
    home.docker({"credsStore": "fake"})
    with pytest.raises(
        CredentialError, match=r"docker-credential-fake .* failed for ghcr.io \(exit 1\): error getting"
    ):
        home.find("ghcr.io")


def test_helper_answer_not_json_is_an_error(home: Home) -> None:
    home.helper("fake", "echo hello")
    home.docker({"credsStore": "fake"})
    with pytest.raises(CredentialError, match="not JSON"):
        home.find("ghcr.io")


def test_helper_missing_is_an_error(home: Home) -> None:
    home.docker({"credHelpers": {"ghcr.io": "absent"}})
    with pytest.raises(CredentialError, match="docker-credential-absent is not on PATH"):
        home.find("ghcr.io")


def test_helper_name_is_not_a_path(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    """`docker-credential-x/evil` would name a file relative to the current directory: never run it."""
    marker = home.home / "ran"
    evil = home.home / "docker-credential-x" / "evil"
    evil.parent.mkdir()
    evil.write_text(f"#!/bin/sh\ntouch {marker}\n")
    evil.chmod(0o755)
    home.docker({"credsStore": "x/evil"})
    monkeypatch.chdir(home.home)
    with pytest.raises(CredentialError, match="is not a helper name"):
        home.find("ghcr.io")
    assert not marker.exists()


def test_helper_that_hangs_is_bounded(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "HELPER_TIMEOUT", 0.5)
    home.helper("slow", "sleep 30")  # a child of the shell: it must be killed with it
    home.docker({"credsStore": "slow"})
    started = time.monotonic()
    with pytest.raises(CredentialError, match=r"did not answer for ghcr.io within 0.5 s"):
        home.find("ghcr.io")
    assert time.monotonic() - started < 5


def test_helper_runs_with_the_given_environment(home: Home) -> None:
    home.helper("fake", 'printf \'{"Username":"%s","Secret":"s"}\' "$MARKER"')
    home.docker({"credsStore": "fake"})
    home.env["MARKER"] = "from-env"
    credential = home.find("ghcr.io")
    assert credential is not None and credential.username == "from-env"


def test_docker_default_store_when_nothing_configured(home: Home) -> None:
    home.helper("secretservice", ANSWER)
    credential = home.find("ghcr.io")  # no config.json at all: docker still uses its platform's store
    assert credential is not None
    assert (
        credential.source
        == "docker-credential-secretservice (docker's default store: no credentials configured in ~/.docker/config.json)"
    )
    home.docker({"auths": {"quay.io": {"auth": b64("file:1")}}})  # credentials configured: no default store
    assert home.find("ghcr.io") is None


def test_docker_default_store_prefers_pass(home: Home) -> None:
    home.helper("secretservice", ANSWER)
    home.helper("pass", NOT_FOUND)
    pass_program = home.bin / "pass"
    pass_program.write_text("#!/bin/sh\nexit 0\n")
    pass_program.chmod(0o755)
    assert home.find("ghcr.io") is None
    assert home.asked("pass") == ["get ghcr.io"] and home.asked("secretservice") == []


# --- names --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("", "docker.io"),
        ("index.docker.io", "docker.io"),
        ("registry-1.docker.io", "docker.io"),
        ("GHCR.io", "ghcr.io"),
        ("127.0.0.1:5000", "127.0.0.1:5000"),
    ],
)
def test_canonical_registry(written: str, expected: str) -> None:
    assert canonical_registry(written) == expected


# --- WWW-Authenticate ---------------------------------------------------------------------------------------------

# Real headers; where each was seen is in docs/MEASUREMENTS.md.
HUB = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"'
GHCR = 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"'
QUAY = 'Bearer realm="https://quay.io/v2/auth",service="quay.io"'
BASIC_28 = 'Basic realm="Registry Realm"'
TOKEN_28 = (
    'Bearer realm="https://auth.example.test/token",service="registry.example.test",'
    'scope="repository:library/python:pull",error="invalid_token"'
)
HUB_PUSH = (
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
    'scope="repository:samalba/my-app:pull,push"'
)
GCR_UNQUOTED = 'Bearer realm="https://gcr.io/v2/token",service=gcr.io'
NVCR = 'Bearer realm="https://nvcr.io/proxy_auth?scope=repository:nvidia/tensorflow:pull,push"'


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            HUB,
            [
                Challenge(
                    "bearer",
                    {
                        "realm": "https://auth.docker.io/token",
                        "service": "registry.docker.io",
                        "scope": "repository:library/nginx:pull",
                    },
                )
            ],
        ),
        (
            GHCR,
            [
                Challenge(
                    "bearer",
                    {"realm": "https://ghcr.io/token", "service": "ghcr.io", "scope": "repository:user/image:pull"},
                )
            ],
        ),
        (QUAY, [Challenge("bearer", {"realm": "https://quay.io/v2/auth", "service": "quay.io"})]),
        (BASIC_28, [Challenge("basic", {"realm": "Registry Realm"})]),
        (
            TOKEN_28,
            [
                Challenge(
                    "bearer",
                    {
                        "realm": "https://auth.example.test/token",
                        "service": "registry.example.test",
                        "scope": "repository:library/python:pull",
                        "error": "invalid_token",
                    },
                )
            ],
        ),
        (
            HUB_PUSH,
            [
                Challenge(
                    "bearer",
                    {
                        "realm": "https://auth.docker.io/token",
                        "service": "registry.docker.io",
                        "scope": "repository:samalba/my-app:pull,push",
                    },
                )
            ],
        ),
        (GCR_UNQUOTED, [Challenge("bearer", {"realm": "https://gcr.io/v2/token", "service": "gcr.io"})]),
        (
            NVCR,
            [Challenge("bearer", {"realm": "https://nvcr.io/proxy_auth?scope=repository:nvidia/tensorflow:pull,push"})],
        ),
    ],
)
def test_real_headers(header: str, expected: list[Challenge]) -> None:
    assert parse_challenges(header) == expected


def test_several_challenges_in_one_header() -> None:
    header = f'{QUAY}, {BASIC_28}, Negotiate, Basic   realm = "a \\"quoted\\" realm" , charset="UTF-8"'
    assert parse_challenges(header) == [
        Challenge("bearer", {"realm": "https://quay.io/v2/auth", "service": "quay.io"}),
        Challenge("basic", {"realm": "Registry Realm"}),
        Challenge("negotiate", {}),
        Challenge("basic", {"realm": 'a "quoted" realm', "charset": "UTF-8"}),
    ]


def test_scheme_and_names_without_case() -> None:
    assert parse_challenges('BEARER Realm="https://x/token",SERVICE="x"') == [
        Challenge("bearer", {"realm": "https://x/token", "service": "x"})
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", []),
        ("   ,, ,", []),
        ('realm="orphan"', []),  # a parameter before any scheme
        ("Basic dXNlcjpwYXNz", [Challenge("basic", {})]),  # a token68 is not kept
        ('Bearer realm="unterminated', [Challenge("bearer", {"realm": "unterminated"})]),
        ('Bearer realm="a", ===, "junk", service="s"', [Challenge("bearer", {"realm": "a", "service": "s"})]),
        ('Bearer realm="first",realm="second"', [Challenge("bearer", {"realm": "first"})]),
    ],
)
def test_junk(header: str, expected: list[Challenge]) -> None:
    assert parse_challenges(header) == expected


@given(st.text())
def test_never_raises(header: str) -> None:
    for challenge in parse_challenges(header):
        assert challenge.scheme and challenge.scheme == challenge.scheme.lower()
