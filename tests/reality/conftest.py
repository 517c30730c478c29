"""The runners the real rebuilds share: one pool per test session (its images pulled once per runner)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from .index import Index, missing_wheels
from .runner import Pool, pool


def reality_problem() -> str | None:
    """Why the real rebuilds cannot run here, or None when they can."""
    if os.geteuid() != 0:
        return "buildah --isolation chroot needs root"
    for tool in ("buildah", "mmdebstrap"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (bash .ci/run installs it)"
    missing = missing_wheels()
    if missing:
        return f"{len(missing)} pinned wheels are missing (python -m tests.reality.index download)"
    return None


@pytest.fixture(scope="session")
def reality_pool() -> Iterator[Pool]:
    """VENVLINT_REALITY_JOBS runners (default 3) with the package index serving; mandatory in CI (CI=true)."""
    problem = reality_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the real-image suite is mandatory in CI (CI=true): {problem}", pytrace=False)
        pytest.skip(f"real-image suite not run: {problem}")
    with Index(), pool(max(1, int(os.environ.get("VENVLINT_REALITY_JOBS") or 3))) as p:
        yield p
