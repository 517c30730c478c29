"""An image reference read into its parts (venvlint.model.imageref)."""

from __future__ import annotations

import pytest
from venvlint.model.imageref import ImageRef


@pytest.mark.parametrize(
    ("ref", "name", "tag", "digest", "release"),
    [
        ("python:3.12-slim", "python", "3.12-slim", "", None),
        ("docker.io/library/Python:3.12@sha256:ab", "python", "3.12", "sha256:ab", None),
        ("ghcr.io/astral-sh/uv:0.6.6", "ghcr.io/astral-sh/uv", "0.6.6", "", "0.6.6"),
        (
            "ghcr.io/astral-sh/uv:0.6.6-python3.12-bookworm",
            "ghcr.io/astral-sh/uv",
            "0.6.6-python3.12-bookworm",
            "",
            "0.6.6",
        ),
        ("localhost:5000/uv", "localhost:5000/uv", "latest", "", None),
        ("localhost:5000/uv:0.13.9", "localhost:5000/uv", "0.13.9", "", "0.13.9"),
        ("ghcr.io/astral-sh/uv:latest", "ghcr.io/astral-sh/uv", "latest", "", None),
    ],
)
def test_a_reference_is_read_into_its_parts(ref: str, name: str, tag: str, digest: str, release: str | None) -> None:
    parsed = ImageRef.parse(ref)
    assert (parsed.name, parsed.tag, parsed.digest, parsed.release) == (name, tag, digest, release)
