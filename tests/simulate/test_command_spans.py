"""Each change a command of a shell-form RUN makes carries where that command stands in the source (Cause.span), and
what takes it out with its `&&` (Cause.cut): ASCII or not, across continuations."""

from __future__ import annotations

from pathlib import Path

import pytest
from venvlint.parse.reader import parse_text
from venvlint.pipeline import build_from_parsed


@pytest.mark.parametrize("before", ["echo hi", 'echo "héllo wörld ✓"'])
def test_a_changes_cause_names_its_command_in_the_source(tmp_path: Path, before: str) -> None:
    src = f"FROM python:3.12-slim\nRUN {before} && \\\n    mkdir -p /app && chown -R 1000 /app && echo ok\n"
    sim = build_from_parsed(parse_text(src), context=str(tmp_path))
    original = sim.build.stages[0].steps[0].instruction.original
    made, chowned = sim.final.fs.get("/app").history  # type: ignore[union-attr]
    assert made.cause.span is not None and chowned.cause.span is not None
    assert original[slice(*made.cause.span)] == "mkdir -p /app"
    assert original[slice(*chowned.cause.span)] == "chown -R 1000 /app"
    assert chowned.cause.cut is not None and original[slice(*chowned.cause.cut)] == " && chown -R 1000 /app"
