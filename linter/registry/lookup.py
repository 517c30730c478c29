"""A profile for a base image no profile was written for: from the cache, or read from its registry.

`RegistryProfiles.profile(ref, platform)` answers in this order:
1. the reference's digest is known (a `@sha256:` reference, or a tag resolved less than `tag_ttl_hours` ago) and
   its profile is cached: that profile, without a request;
2. offline (`--offline`, VENVLINT_OFFLINE, `offline: true`): a cached profile however old, else nothing;
3. the registry (its mirrors first): the tag is resolved to the platform's manifest digest; a profile cached for
   that digest is used, else the image is read (client.py) and cached;
4. the registry fails: a cached profile however old, else nothing, and `failure(ref, platform)` says why.

A registry out of reach is asked once per run: the next image on it fails at once with the same reason. On the lint
path this module imports only the standard library; client.py (httpx) is imported on the first request.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Any

from ..model.imageref import ImageRef
from .cache import CachedProfile, ProfileCache
from .errors import RegistryError, megabytes
from .settings import RegistrySettings

if TYPE_CHECKING:
    from ..profiles.catalog import Profile
    from .client import Fetched, Plan, RegistryClient


def canonical(ref: ImageRef) -> str:
    """`registry/repository:tag` or `registry/repository@digest`: one key per image, whatever the spelling."""
    at = f"@{ref.digest}" if ref.digest else f":{ref.tag}"
    return f"{ref.registry}/{ref.repository}{at}"


class RegistryProfiles:
    def __init__(self, settings: RegistrySettings, announce: Any = None) -> None:
        self.settings = settings
        self._cache: ProfileCache | None = None
        self._client: RegistryClient | None = None
        self._found: dict[tuple[str, str], Profile | None] = {}
        self._failures: dict[tuple[str, str], str] = {}
        self._down: dict[str, str] = {}  # registry host → why it is out of reach this run
        self._announce = announce

    @property
    def cache(self) -> ProfileCache:
        if self._cache is None:
            self._cache = ProfileCache(self.settings.cache_dir)
        return self._cache

    def profile(self, image_ref: str, platform: str | None = None) -> Profile | None:
        """The image's own profile, or None (then `failure` may say why). Never raises."""
        if "$" in image_ref or not image_ref.strip():
            return None
        plat = self.settings.platform_for(platform)
        key = (image_ref, plat)
        if key not in self._found:
            try:
                ref = ImageRef.parse(image_ref)
                self._found[key] = self._as_profile(*self._entry(ref, plat), ref)
            except RegistryError as exc:
                self._found[key] = None
                offline = self.settings.offline
                self._failures[key] = exc.reason if offline else f"its registry could not be read: {exc.reason}"
            except Exception as exc:  # a registry must never stop a lint; VENVLINT_DEBUG shows the traceback
                if os.environ.get("VENVLINT_DEBUG"):
                    raise
                self._found[key] = None
                self._failures[key] = f"reading it failed ({type(exc).__name__}: {exc}; a bug in venvlint)"
        return self._found[key]

    def document(self, image_ref: str, platform: str | None = None) -> dict[str, Any]:
        """The profile file's content for the image (as `venvlint profile IMAGE` writes it), from the cache or the
        registry. Raises RegistryError saying why there is none."""
        ref = ImageRef.parse(image_ref)
        entry, _ = self._entry(ref, self.settings.platform_for(platform))
        return entry.doc

    def failure(self, image_ref: str, platform: str | None = None) -> str | None:
        """Why `profile` found none, one clause ("its registry could not be read: ..."); None when nothing failed."""
        return self._failures.get((image_ref, self.settings.platform_for(platform)))

    # -- the steps ----------------------------------------------------------------------------------------------------
    def _entry(self, ref: ImageRef, platform: str) -> tuple[CachedProfile, str]:
        """The cached profile for `ref` at `platform` (read now if need be) and a note when it may be stale."""
        name = canonical(ref)
        cache = self.cache
        known = cache.resolution(name, platform)
        fresh = known is not None and (
            bool(ref.digest) or time.time() - known.resolved_at < self.settings.tag_ttl_hours * 3600
        )
        if known is not None and fresh:
            cached = cache.profile(known.digest)
            if cached is not None:
                return cached, ""
        if self.settings.offline:
            stale = cache.profile(known.digest) if known is not None else None
            if stale is not None:
                return stale, "offline: the registry was not asked again"
            raise RegistryError("venvlint is offline and has not read this image before")
        host = ref.registry
        if host in self._down:
            return self._stale_or_fail(ref, known, self._down[host])
        try:
            with cache.lock(name, platform):
                return self._read(ref, name, platform)
        except RegistryError as exc:
            if exc.host_down:
                self._down[host] = exc.reason
            return self._stale_or_fail(ref, known, exc.reason)

    def _stale_or_fail(self, ref: ImageRef, known: Any, reason: str) -> tuple[CachedProfile, str]:
        stale = self.cache.profile(known.digest) if known is not None else None
        if stale is not None:
            return stale, f"the registry could not be asked again: {reason}"
        raise RegistryError(reason)

    def _read(self, ref: ImageRef, name: str, platform: str) -> tuple[CachedProfile, str]:
        cache = self.cache
        # Another run may have read it while this one waited for the lock.
        known = cache.resolution(name, platform)
        if known is not None and (ref.digest or time.time() - known.resolved_at < self.settings.tag_ttl_hours * 3600):
            cached = cache.profile(known.digest)
            if cached is not None:
                return cached, ""
        client = self._connect()
        plan, host = self._plan(client, ref, platform)
        cached = cache.profile(plan.digest)
        if cached is None:  # not the same image as before (nor another tag of it): read its config and layers
            client.check_size(ref, plan)
            fetched = self._download(client, ref, plan, host)
            cached = CachedProfile(plan.digest, platform, name, ref.registry, time.time(), _doc(fetched, ref, name))
            cache.store_profile(cached)
        # Only now: a tag moved to an image that cannot be read keeps naming the profile read before (stale, said).
        cache.store_resolution(name, platform, plan.digest)
        return cached, ""

    def _connect(self) -> RegistryClient:
        if self._client is None:
            from .client import RegistryClient

            self._client = RegistryClient(self.settings)
        return self._client

    def _plan(self, client: RegistryClient, ref: ImageRef, platform: str) -> tuple[Plan, str | None]:
        """Ask the mirrors first, then the registry; the last failure is the one said."""
        last: RegistryError | None = None
        for mirror in self.settings.mirrors_of(ref.registry):
            try:
                return client.plan(ref, platform, host=mirror), mirror
            except RegistryError as exc:
                last = exc
        try:
            return client.plan(ref, platform), None
        except RegistryError as exc:
            if last is not None and exc.host_down:
                raise RegistryError(f"{exc.reason}; mirror: {last.reason}", host_down=True) from None
            raise

    def _download(self, client: RegistryClient, ref: ImageRef, plan: Plan, host: str | None) -> Fetched:
        total = plan.layer_bytes
        show = self._announce or _announcer()
        with show(f"{ref.name}:{ref.tag}" if not ref.digest else f"{ref.name}@{ref.digest[:19]}", total,
                  len(plan.layers)) as advance:  # fmt: skip
            return client.read(ref, plan, advance, host=host)

    def _as_profile(self, entry: CachedProfile, stale_note: str, ref: ImageRef) -> Profile:
        from ..profiles.catalog import profile_from_doc

        read = time.strftime("%Y-%m-%d", time.gmtime(entry.read_at))
        note = f"; {stale_note}" if stale_note else ""
        try:
            return profile_from_doc(entry.doc, f"registry {entry.registry}, read {read}{note}")
        except Exception as exc:  # a cache entry of another shape: read the image again next time
            raise RegistryError(f"its cached profile cannot be used ({exc})") from None


def _doc(fetched: Fetched, ref: ImageRef, name: str) -> dict[str, Any]:
    from ..profiles.from_image import profile_doc

    source = f"{name} ({fetched.digest}, {fetched.platform}), read from its registry"
    return profile_doc(fetched.image, name, source, digest=fetched.digest, platform=fetched.platform)


def _announcer() -> Any:
    """A progress bar on a terminal (rich), one line otherwise (CI logs)."""
    import contextlib

    @contextlib.contextmanager
    def one_line(what: str, total: int, layers: int) -> Any:
        tty = sys.stderr.isatty() and not os.environ.get("CI")
        if not tty:
            count = f"{layers} layer{'s' if layers != 1 else ''}"
            sys.stderr.write(
                f"venvlint: reading base image {what} from its registry ({count}, {megabytes(total)} MB)\n"
            )
            yield None
            return
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

        with Progress(
            TextColumn("reading {task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            transient=True,
            console=_stderr_console(),
        ) as bar:
            task = bar.add_task(what, total=total or None)
            yield lambda n: bar.advance(task, n)

    return one_line


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
