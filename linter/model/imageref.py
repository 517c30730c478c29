"""An image reference (`FROM`, `COPY --from=`) read once into its parts.

The grammar is the distribution reference's (github.com/distribution/reference, `reference.go`):
`[registry[:port]/]path[:tag][@digest]`; a colon after the last slash starts the tag. Docker Hub's official images
are written without their `docker.io/library/` prefix here, the way their profiles are named.
"""

from __future__ import annotations

from typing import NamedTuple

_HUB_PREFIXES = ("docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/", "library/")


class ImageRef(NamedTuple):
    """`name` (lower case, Docker Hub prefixes dropped), `tag` ("latest" when none is written), `digest` ("")."""

    name: str
    tag: str
    digest: str = ""

    @classmethod
    def parse(cls, ref: str) -> ImageRef:
        """`docker.io/library/python:3.12-slim@sha256:..` → ImageRef("python", "3.12-slim", "sha256:.."). Never
        raises: text that is not a reference gives a name that matches nothing."""
        ref, _, digest = ref.strip().partition("@")
        name, tag = ref, "latest"
        if ":" in ref.rsplit("/", 1)[-1]:
            name, tag = ref.rsplit(":", 1)
        for prefix in _HUB_PREFIXES:
            if name.startswith(prefix):
                name = name[len(prefix) :]
                break
        return cls(name.lower(), tag, digest)

    @property
    def registry(self) -> str:
        """The registry host the distribution reference names: the first path component when it has a `.` or a
        `:` or is `localhost` (reference.go's rule), else Docker Hub, spelt `docker.io` whatever the reference
        wrote (`index.docker.io`, `registry-1.docker.io`)."""
        first, sep, _ = self.name.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost"):
            return "docker.io" if first in ("index.docker.io", "registry-1.docker.io") else first
        return "docker.io"

    @property
    def repository(self) -> str:
        """The repository path inside the registry: `library/python` for Docker Hub's official `python`."""
        first, sep, rest = self.name.partition("/")
        path = rest if sep and ("." in first or ":" in first or first == "localhost") else self.name
        if self.registry == "docker.io" and "/" not in path:
            return f"library/{path}"
        return path

    @property
    def release(self) -> str | None:
        """The `X.Y.Z` release the tag names, as tools tag their images (`uv:0.6.6`, `uv:0.6.6-python3.12`)."""
        head = self.tag.split("-", 1)[0]
        parts = head.split(".")
        return head if len(parts) == 3 and all(p.isdigit() and p.isascii() for p in parts) else None
