"""A throw-away certificate authority for the loopback registries: the TLS server certificate and the token signer.

Everything is generated per registry with `cryptography` (RSA 2048, SHA-256), valid from an hour ago for a day, so
no test depends on the machine's clock being exact or on any file outside its own directory.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _builder(subject: str, issuer: x509.Name, public: rsa.RSAPublicKey) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
    )


@dataclass
class Issued:
    """A key and its certificate, written as PEM files."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    key_file: Path
    cert_file: Path

    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def sign_rs256(self, data: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 with SHA-256 (JWS `RS256`)."""
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())


class TestCA:
    """A CA (`ca.crt`) in `directory` that issues server and signing certificates next to it."""

    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path, name: str = "venvlint test CA") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        key = _key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        cert = (
            _builder(name, subject, key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256())
        )
        self.ca = self._write("ca", key, cert)

    @property
    def ca_file(self) -> Path:
        return self.ca.cert_file

    def _write(self, stem: str, key: rsa.RSAPrivateKey, cert: x509.Certificate) -> Issued:
        key_file, cert_file = self.directory / f"{stem}.key", self.directory / f"{stem}.crt"
        key_file.write_bytes(_pem_key(key))
        key_file.chmod(0o600)
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return Issued(key, cert, key_file, cert_file)

    def issue_server(self, stem: str = "server") -> Issued:
        """A TLS server certificate for IP 127.0.0.1 and DNS localhost (Go wants the names in subjectAltName)."""
        key = _key()
        cert = (
            _builder("127.0.0.1", self.ca.cert.subject, key.public_key())
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
                ),
                critical=False,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.ca.key, hashes.SHA256())
        )
        return self._write(stem, key, cert)

    def issue_signer(self, stem: str = "token-signer", *, self_signed: bool = False) -> Issued:
        """A certificate for the token server's signing key: issued by this CA, or `self_signed` (not trusted by
        a registry whose rootcertbundle is this CA's certificate)."""
        key = _key()
        issuer_key = key if self_signed else self.ca.key
        subject = f"venvlint test token signer ({stem})"
        issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]) if self_signed else self.ca.cert.subject
        cert = (
            _builder(subject, issuer, key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(issuer_key, hashes.SHA256())
        )
        return self._write(stem, key, cert)


def libtrust_key_id(cert: x509.Certificate) -> str:
    """The key id docker's libtrust gives a public key (and registry 2.x matches a JWT's `kid` against): the first
    240 bits of SHA-256 of the DER SubjectPublicKeyInfo, base32 without padding, in 12 groups of 4 joined by `:`."""
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    b32 = base64.b32encode(hashlib.sha256(spki).digest()[:30]).decode()
    return ":".join(b32[i : i + 4] for i in range(0, 48, 4))
