"""The profile cache: profiles read from registries, per manifest digest, and which digest a reference named when.

Layout under the cache root (`VENVLINT_CACHE_DIR`, else the user cache directory `platformdirs` gives, e.g.
`~/.cache/venvlint`), versioned so that a later format never misreads an earlier one:

    registry-v1/profiles/sha256-<hex>.json   {"digest", "platform", "reference", "registry", "read_at", "doc"}
    registry-v1/references/<sha256 of reference and platform>.json   {"reference", "platform", "digest", "resolved_at"}
    registry-v1/locks/<key>.lock   held while one process reads one image, so that parallel runs read it once

Every file is written to a temporary name in its directory and renamed over the old one (atomic on POSIX), so a
reader sees a whole file or none. The profiles directory is bounded (`MAX_CACHE_MB`): after a write, the least
recently used profiles go until it fits. A file that cannot be read or parsed is a cache miss, never an error.

On the lint path: standard library only (platformdirs is imported when no directory is given).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

FORMAT = "registry-v1"
MAX_CACHE_MB = 256  # a profile is 50 KB to 1 MB of JSON: hundreds of images


def default_root() -> str:
    """`VENVLINT_CACHE_DIR`, else the user cache directory (`~/.cache/venvlint` on Linux)."""
    explicit = os.environ.get("VENVLINT_CACHE_DIR")
    if explicit:
        return explicit
    import platformdirs

    return platformdirs.user_cache_dir("venvlint", appauthor=False)


@dataclass(frozen=True)
class Resolution:
    """What a reference (at a platform) named when it was last asked: the platform's manifest digest."""

    digest: str
    resolved_at: float  # seconds since the epoch


@dataclass(frozen=True)
class CachedProfile:
    digest: str
    platform: str
    reference: str
    registry: str
    read_at: float
    doc: dict[str, Any]


class ProfileCache:
    def __init__(self, root: str | None = None) -> None:
        self.root = os.path.join(root or default_root(), FORMAT)

    # -- reading ------------------------------------------------------------------------------------------------------
    def resolution(self, reference: str, platform: str) -> Resolution | None:
        data = self._read(self._reference_path(reference, platform))
        try:
            return Resolution(str(data["digest"]), float(data["resolved_at"])) if data else None
        except (KeyError, TypeError, ValueError):
            return None

    def profile(self, digest: str) -> CachedProfile | None:
        path = self._profile_path(digest)
        data = self._read(path)
        if not data:
            return None
        try:
            found = CachedProfile(
                str(data["digest"]),
                str(data["platform"]),
                str(data["reference"]),
                str(data["registry"]),
                float(data["read_at"]),
                dict(data["doc"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if found.digest != digest:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: the last to go when the cache is trimmed
        return found

    # -- writing ------------------------------------------------------------------------------------------------------
    def store_resolution(self, reference: str, platform: str, digest: str, now: float | None = None) -> None:
        record = {"reference": reference, "platform": platform, "digest": digest, "resolved_at": now or time.time()}
        self._write(self._reference_path(reference, platform), record)

    def store_profile(self, entry: CachedProfile) -> None:
        record = {
            "digest": entry.digest,
            "platform": entry.platform,
            "reference": entry.reference,
            "registry": entry.registry,
            "read_at": entry.read_at,
            "doc": entry.doc,
        }
        self._write(self._profile_path(entry.digest), record)
        self.trim()

    def trim(self, max_bytes: int = MAX_CACHE_MB * 1024 * 1024) -> None:
        """Drop the least recently used profiles until the directory holds at most `max_bytes`."""
        folder = os.path.join(self.root, "profiles")
        try:
            files = [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".json")]
            stats = [(os.stat(f), f) for f in files]
        except OSError:
            return
        total = sum(st.st_size for st, _ in stats)
        for st, f in sorted(stats, key=lambda sf: sf[0].st_mtime):
            if total <= max_bytes:
                break
            with contextlib.suppress(OSError):
                os.unlink(f)
                total -= st.st_size

    @contextlib.contextmanager
    def lock(self, reference: str, platform: str) -> Iterator[None]:
        """Held while this process reads `reference` from its registry: another run asking for the same image
        waits, then finds it cached. Without fcntl (Windows) or a writable cache, no lock: both read it."""
        try:
            import fcntl
        except ImportError:
            yield
            return
        try:
            os.makedirs(os.path.join(self.root, "locks"), exist_ok=True)
            fd = os.open(os.path.join(self.root, "locks", _key(reference, platform) + ".lock"), os.O_RDWR | os.O_CREAT)
        except OSError:
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    # -- files --------------------------------------------------------------------------------------------------------
    def _reference_path(self, reference: str, platform: str) -> str:
        return os.path.join(self.root, "references", _key(reference, platform) + ".json")

    def _profile_path(self, digest: str) -> str:
        algo, _, hexd = digest.partition(":")
        return os.path.join(self.root, "profiles", f"{algo}-{hexd}.json")

    @staticmethod
    def _read(path: str) -> dict[str, Any] | None:
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def _write(path: str, record: dict[str, Any]) -> None:
        """Atomically (a temporary file in the same directory, renamed); a cache that cannot be written is
        skipped: the next run reads the registry again."""
        folder = os.path.dirname(path)
        import tempfile

        try:
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(record, fh, separators=(",", ":"))
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _key(reference: str, platform: str) -> str:
    import hashlib

    return hashlib.sha256(f"{reference}|{platform}".encode()).hexdigest()[:32]
