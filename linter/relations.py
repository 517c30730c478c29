"""How rules relate: which rule's finding gives way to which, on what kind of cause, applied in one place.

Two rules can report one cause: a COPY that reset a venv's directory is both `venv-dir-reset-by-copy` (the cause)
and `build-install-not-writable` (the install it breaks). The user should read the cause once. A `Supersedes`
says that `rule`'s problem is dropped when `by` reported a problem with an equal cause of kind `on` at the same or
a higher severity; the table of them is `venvlint.rules.relations.SUPERSESSIONS` and `drop_superseded` is the only
code that applies it. A rule never knows whether another is enabled: `--ignore VL001` brings VL002's finding back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from .findings import BuildStop, Cause, PathSetAt, Problem


class Supersedes(NamedTuple):
    """`rule`'s problem gives way to `by`'s when both name one cause of kind `on` (`why` is for the reader)."""

    rule: str
    by: str
    on: type[BuildStop] | type[PathSetAt]
    why: str


def drop_superseded(
    ranked: Mapping[str, Sequence[tuple[Problem, int]]], relations: Iterable[Supersedes]
) -> dict[str, list[int]]:
    """For each rule code of `ranked` (its problems, each with the severity rank the rule or the user gives it),
    the indexes of the problems to keep: a problem is dropped when a relation `on` its cause's kind names a
    superseding rule that reported an equal cause at the same or a higher rank (a finding the user made milder,
    `--info VL001`, does not hide a worse consequence of the same cause)."""
    best: dict[str, dict[Cause, int]] = {}
    for code, problems in ranked.items():
        ranks = best.setdefault(code, {})
        for p, rank in problems:
            for c in p.causes:
                ranks[c] = max(ranks.get(c, -1), rank)
    over: dict[str, list[Supersedes]] = {}
    for r in relations:
        over.setdefault(r.rule, []).append(r)
    keep: dict[str, list[int]] = {}
    for code, problems in ranked.items():
        keep[code] = [
            i
            for i, (p, rank) in enumerate(problems)
            if not any(
                isinstance(c, r.on) and best.get(r.by, {}).get(c, -1) >= rank
                for r in over.get(code, ())
                for c in p.causes
            )
        ]
    return keep
