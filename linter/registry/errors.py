"""Why a base image could not be read from its registry: one clause, for the assumption line."""

from __future__ import annotations


class RegistryError(Exception):
    """The registry could not give the image: `reason` says why in one clause ("127.0.0.1:5000 did not answer
    within 20 s"). `host_down`: the registry itself is out of reach (connection, DNS, timeout), so the other images
    of this run on the same host are not asked for."""

    def __init__(self, reason: str, host_down: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.host_down = host_down


def megabytes(n: int) -> str:
    """Bytes as megabytes people read in a message: one decimal below 10 (a small image is not "0 MB")."""
    mb = n / (1024 * 1024)
    return f"{mb:.1f}" if mb < 10 else f"{mb:.0f}"
