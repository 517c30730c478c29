"""One thing a COPY or ADD places, relative to its source root: from the build context, another stage, an archive
or a heredoc. A tuple, because a `COPY . /app` of a large context makes hundreds of thousands of them."""

from __future__ import annotations

from typing import NamedTuple

from .fs import Kind, Knowledge


class Entry(NamedTuple):
    rel: str  # relative to the source root ("" = the source itself)
    kind: Kind
    uid: int | None  # build-context entries carry 0:0, the owner every builder gives them
    gid: int | None
    mode: int | None
    target: str | None = None  # for symlinks
    content: str | None = None  # for /etc/passwd-like files whose content matters
    knowledge: Knowledge = Knowledge.BUILT
    tags: tuple[tuple[str, str], ...] = ()  # facts that travel with a node between stages (e.g. its venv)
    # For a directory: whether the source lists every entry below it (a directory of another stage that a command
    # venvlint does not model wrote into does not); the copy's listing is then not complete either.
    listing_complete: bool = True
