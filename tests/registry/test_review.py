"""What a review of the registry client found (issue 22), each proved against a loopback registry that needs no
root: misbehaving.py's stand-in, or a few lines of server here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from venvlint.registry.lookup import RegistryProfiles
from venvlint.registry.settings import RegistrySettings

from .blobs import opaque_whiteout_image
from .misbehaving import MisbehavingRegistry

Make = Callable[..., MisbehavingRegistry]


def _profiles(cache: Path, **kw: object) -> RegistryProfiles:
    settings = RegistrySettings(cache_dir=str(cache), timeout=2, **kw)  # type: ignore[arg-type]
    return RegistryProfiles(settings)


def test_a_tag_moved_to_an_image_that_cannot_be_read_keeps_the_profile_read_before(
    misbehaving_registry: Make, tmp_path: Path
) -> None:
    """The tag's new digest is remembered only once its profile is cached: else the run after (and every offline
    run) knows a digest with no profile, and the profile read before is lost although it is still on disk."""
    reg = misbehaving_registry("ok")
    ref = f"{reg.host}/public/app-root:1"
    assert _profiles(tmp_path, tag_ttl_hours=0).profile(ref) is not None
    # The tag now names another image, whose layers do not match their digests.
    reg.image = opaque_whiteout_image()
    reg.manifest = reg.image.manifest
    reg.mode = "wrong-digest"
    for _ in range(2):  # this run, and the next one
        moved = _profiles(tmp_path, tag_ttl_hours=0)
        stale = moved.profile(ref)
        assert stale is not None and "could not be asked again" in stale.origin, moved.failure(ref)
        assert "digest does not match" in stale.origin
    offline = _profiles(tmp_path, offline=True)
    assert offline.profile(ref) is not None, offline.failure(ref)
