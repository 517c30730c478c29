"""Which rule gives way to which, on what kind of cause (applied by `venvlint.relations.drop_superseded`).

Every relation names two rules that exist (a test holds it). Add one when two rules can report one cause and the
user should read it once, from the rule that names the cause.
"""

from __future__ import annotations

from venvlint.findings import BuildStop, PathSetAt
from venvlint.relations import Supersedes

SUPERSESSIONS: tuple[Supersedes, ...] = (
    Supersedes("VL002", by="VL001", on=PathSetAt, why="a directory a COPY reset: dir-reset-by-copy names the cause"),
    Supersedes("VL003", by="VL001", on=PathSetAt, why="a directory a COPY reset: dir-reset-by-copy names the cause"),
    Supersedes("VL003", by="VL019", on=PathSetAt, why="a package an install left unwritable for the group"),
    Supersedes(
        "VL019",
        by="VL008",
        on=PathSetAt,
        why="a root install into a venv prepared for its user: its fix keeps what it installs group-writable",
    ),
    Supersedes(
        "VL002", by="VL016", on=PathSetAt, why="a change a legacy builder discarded under a VOLUME: named there"
    ),
    Supersedes(
        "VL003", by="VL016", on=PathSetAt, why="a change a legacy builder discarded under a VOLUME: named there"
    ),
    Supersedes("VL005", by="VL001", on=PathSetAt, why="the group write a COPY reset is that reset's consequence"),
    Supersedes("VL005", by="VL002", on=PathSetAt, why="a build-time install that fails says why the path is closed"),
    Supersedes("VL005", by="VL003", on=PathSetAt, why="a runtime install that fails says why the path is closed"),
    Supersedes("VL011", by="VL002", on=BuildStop, why="a denied write explains why the build stops at that line"),
    Supersedes("VL018", by="VL013", on=PathSetAt, why="a venv interpreter out of reach: VL013 names that cause"),
    Supersedes("VL023", by="VL002", on=PathSetAt, why="a build install failing below the closed HOME names its cost"),
    Supersedes("VL023", by="VL003", on=PathSetAt, why="a runtime install failing below the closed HOME names its cost"),
    Supersedes("VL023", by="VL004", on=PathSetAt, why="a tool whose cache the closed HOME denies names its cost"),
    Supersedes("VL023", by="VL024", on=PathSetAt, why="a library whose cache the closed HOME denies names its cost"),
)
