"""What the user decided about registries: offline or not, the platform, insecure registries, mirrors, bounds.

On the lint path: standard library only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_PLATFORM = "linux/amd64"
# A tag's digest is asked again after this long; a digest reference never is.
DEFAULT_TAG_TTL_HOURS = 24.0
# Compressed layer bytes venvlint downloads for one image (python:3.12 is about 400 MB; a CUDA devel image is
# several GB: those are refused, and said).
DEFAULT_MAX_IMAGE_MB = 2048
# Docker caps an image at 127 layers (overlay's limit); more is not an image a build can start from.
MAX_LAYERS = 127
# Seconds: connecting, and waiting between two reads of one response (not the whole download).
DEFAULT_TIMEOUT = 20.0


@dataclass(frozen=True)
class RegistrySettings:
    """`offline`: use only built-in and user profiles and the cache. `platform`: `os/arch[/variant]` for images
    with several (a FROM's `--platform` wins). `insecure`: registry hosts (`host[:port]`) that may be spoken to in
    plain HTTP (loopback addresses always may, as Docker allows). `mirrors`: (registry, (mirror hosts...)) tried
    in order before the registry itself. `cache_dir`: None for the user cache directory. Bounds: `max_image_mb`
    compressed megabytes per image, `timeout` seconds per connect or read, `tag_ttl_hours` before a tag is
    resolved again."""

    offline: bool = False
    platform: str = DEFAULT_PLATFORM
    insecure: tuple[str, ...] = ()
    mirrors: tuple[tuple[str, tuple[str, ...]], ...] = ()
    cache_dir: str | None = None
    max_image_mb: float = DEFAULT_MAX_IMAGE_MB
    timeout: float = DEFAULT_TIMEOUT
    tag_ttl_hours: float = DEFAULT_TAG_TTL_HOURS

    def platform_for(self, from_platform: str | None) -> str:
        """The FROM's `--platform` when it names one (`$TARGETPLATFORM` left unexpanded does not), else ours."""
        if from_platform and valid_platform(from_platform):
            return from_platform.lower()
        return self.platform

    def plain_http_allowed(self, host: str) -> bool:
        """Loopback registries (`localhost`, 127.0.0.0/8, ::1) and those the user listed as insecure."""
        return host in self.insecure or is_loopback(host)

    def mirrors_of(self, registry: str) -> tuple[str, ...]:
        return next((m for r, m in self.mirrors if r == registry), ())


def is_loopback(host: str) -> bool:
    """`host[:port]` names this machine: localhost, 127.0.0.0/8 or [::1]."""
    name = host
    if name.startswith("["):
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    if name == "localhost":
        return True
    import ipaddress  # here, not at the top: the lint path needs it only when a registry is asked

    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def valid_platform(text: str) -> bool:
    """`os/arch` or `os/arch/variant`, each part letters, digits or `_` (linux/amd64, linux/arm/v7)."""
    parts = text.lower().split("/")
    return 2 <= len(parts) <= 3 and all(p and p.isascii() and p.replace("_", "").isalnum() for p in parts)


def env_offline(env: Mapping[str, str] | None = None) -> bool | None:
    """VENVLINT_OFFLINE: 1/true/yes → True, 0/false/no → False, unset or empty → None."""
    value = (os.environ if env is None else env).get("VENVLINT_OFFLINE", "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return None
