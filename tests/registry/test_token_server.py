"""The token server's policy and tokens, without a registry (no root): anonymous pull under public/, credentials
for everything else, RS256 JWTs with the claims registry 2.8 checks."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .pki import TestCA, libtrust_key_id
from .token_server import TokenServer, parse_scope

CREDS = "Basic " + base64.b64encode(b"u:p").decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> TokenServer:
    ca = TestCA(tmp_path_factory.mktemp("pki"))
    return TokenServer(ca.issue_signer(), "svc", "iss", "u", "p")


def _part(token: str, i: int) -> dict[str, object]:
    p = token.split(".")[i]
    return dict(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))))


@pytest.mark.parametrize(
    ("scope", "auth", "status"),
    [
        ("repository:public/x:pull", None, 200),
        ("repository:public/x:pull,push", None, 401),
        ("repository:private/x:pull", None, 401),
        ("registry:catalog:*", None, 401),
        ("repository:private/x:pull,push", CREDS, 200),
        ("repository:public/x:pull", "Basic " + base64.b64encode(b"u:wrong").decode(), 401),
        ("", None, 200),
    ],
)
def test_policy(server: TokenServer, scope: str, auth: str | None, status: int) -> None:
    got, body, headers = server.answer(f"/token?service=svc&scope={scope}", auth)
    assert got == status, body
    assert ("WWW-Authenticate" in headers) is (status == 401)
    assert server.requests[-1] == (scope, "u" if auth == CREDS else None)
    if status == 200:
        claims = _part(str(body["token"]), 1)
        assert claims["iss"] == "iss" and claims["aud"] == "svc"
        parsed = parse_scope(scope)
        want = [{"type": parsed[0], "name": parsed[1], "actions": parsed[2]}] if parsed else []
        assert claims["access"] == want


def test_token_is_signed_by_the_signer(server: TokenServer) -> None:
    token = server.token("u", [])
    header = _part(token, 0)
    assert header["alg"] == "RS256" and isinstance(header["x5c"], list)
    signing_input, _, sig = token.rpartition(".")
    key = server.signer.cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)), signing_input.encode(), padding.PKCS1v15(),
               hashes.SHA256())  # fmt: skip


def test_scopes_may_name_a_registry_with_a_port() -> None:
    assert parse_scope("repository:localhost:5000/a/b:pull,push") == (
        "repository",
        "localhost:5000/a/b",
        ["pull", "push"],
    )
    assert parse_scope("nonsense") is None


def test_libtrust_key_id_shape(tmp_path: Path) -> None:
    kid = libtrust_key_id(TestCA(tmp_path).ca.cert)
    groups = kid.split(":")
    assert len(groups) == 12 and all(len(g) == 4 for g in groups)
