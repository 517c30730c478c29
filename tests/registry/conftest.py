"""pytest fixtures for the real-registry tests (see README.md next to this file for the API).

Fixtures that need root, buildah and docker-registry (`registry_images`, `registry_pool`, `plain_registry`,
`tls_registry`, `htpasswd_registry`, `token_registry`, `any_registry`, `fresh_registry`) mark every test that uses
them `registry`, skip it when this machine cannot run them, and fail it instead when CI=true (mandatory in CI, like
the buildah oracle). `misbehaving_registry` needs nothing and runs in the fast suite.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .blobs import ImageBlobs
from .harness import MODES, RegistryServer, registry_problem
from .images import PushedRegistry, RegistryPool, TestImages, build_test_images, push_test_images
from .misbehaving import MisbehavingRegistry

NEEDS_ROOT = {
    "registry_available",
    "registry_images",
    "registry_pool",
    "plain_registry",
    "tls_registry",
    "htpasswd_registry",
    "token_registry",
    "any_registry",
    "fresh_registry",
}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: the marker must be there when it looks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if NEEDS_ROOT & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.registry)


def require_registry() -> None:
    """Skip (or, with CI=true, fail) when root, docker-registry, buildah or busybox-static is missing."""
    problem = registry_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the real-registry tests are mandatory in CI (CI=true): {problem}", pytrace=False)
        pytest.skip(f"real-registry tests not run: {problem}")


@pytest.fixture(scope="session")
def registry_available() -> None:
    """Nothing, once `require_registry()` has passed (for tests that start a `RegistryServer` themselves)."""
    require_registry()


@pytest.fixture(scope="session")
def registry_images(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestImages]:
    """The test images in buildah storage of their own, built once per session."""
    require_registry()
    images = build_test_images(tmp_path_factory.mktemp("registry-images"))
    try:
        yield images
    finally:
        images.close()


@pytest.fixture(scope="session")
def registry_pool(registry_images: TestImages, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryPool]:
    """One registry per mode for the session (started and filled on first use)."""
    pool = RegistryPool(registry_images, tmp_path_factory.mktemp("registries"))
    try:
        yield pool
    finally:
        pool.close()


def _ready(pool: RegistryPool, mode: str) -> PushedRegistry:
    pushed = pool.get(mode)
    pushed.server.clear_requests()  # each test sees only its own requests and token requests
    return pushed


@pytest.fixture
def plain_registry(registry_pool: RegistryPool) -> PushedRegistry:
    """The session's HTTP registry, running, every test image pushed, requests() empty."""
    return _ready(registry_pool, "plain")


@pytest.fixture
def tls_registry(registry_pool: RegistryPool) -> PushedRegistry:
    """The session's HTTPS registry (`server.ca_file`, `server.write_certs_d(home)`)."""
    return _ready(registry_pool, "tls")


@pytest.fixture
def htpasswd_registry(registry_pool: RegistryPool) -> PushedRegistry:
    """The session's basic-auth registry (`server.username`, `server.password`)."""
    return _ready(registry_pool, "htpasswd")


@pytest.fixture
def token_registry(registry_pool: RegistryPool) -> PushedRegistry:
    """The session's bearer-token registry (`server.token_requests`, `server.token_realm`)."""
    return _ready(registry_pool, "token")


@pytest.fixture(params=MODES)
def any_registry(request: pytest.FixtureRequest, registry_pool: RegistryPool) -> PushedRegistry:
    """Each of the four session registries in turn."""
    return _ready(registry_pool, str(request.param))


@pytest.fixture
def fresh_registry(registry_images: TestImages, tmp_path: Path) -> Iterator[Callable[[str], PushedRegistry]]:
    """A factory: `fresh_registry(mode)` starts a new registry (own port and storage, every test image pushed) that
    this test alone uses, e.g. to stop it; all are stopped at teardown."""
    made: list[RegistryServer] = []

    def make(mode: str) -> PushedRegistry:
        server = RegistryServer(tmp_path / f"registry-{mode}-{len(made)}", mode)
        made.append(server)
        server.start()
        digests = push_test_images(server, registry_images)
        server.clear_requests()
        return PushedRegistry(server, digests)

    try:
        yield make
    finally:
        for server in made:
            server.stop()


@pytest.fixture
def misbehaving_registry() -> Iterator[Callable[..., MisbehavingRegistry]]:
    """A factory: `misbehaving_registry(mode, image=None, stall_seconds=30, retry_after=1, layer_count=1000)`;
    every registry made is stopped at teardown. Needs no root."""
    made: list[MisbehavingRegistry] = []

    def make(
        mode: str,
        image: ImageBlobs | None = None,
        *,
        stall_seconds: float = 30.0,
        retry_after: int = 1,
        layer_count: int = 1000,
    ) -> MisbehavingRegistry:
        reg = MisbehavingRegistry(
            mode, image, stall_seconds=stall_seconds, retry_after=retry_after, layer_count=layer_count
        )
        made.append(reg)
        return reg

    try:
        yield make
    finally:
        for reg in made:
            reg.stop()
