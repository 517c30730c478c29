"""venvlint agrees with what really happened, on every recorded reality case (fast: no build; see README.md).

A recording whose inputs (Dockerfile, context, probes, options, base packages, tool pins, image Dockerfiles)
changed since it was made fails here: re-record it with `python -m tests.reality.record`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import agree, images
from .cases import Case, all_cases, prepare_context, problems
from .record import subject_of

CASES = all_cases()


def test_the_suite_is_large_and_balanced() -> None:
    recorded = [c for c in CASES if c.recorded]
    failing = [
        c
        for c in recorded
        if c.recorded["build"] != agree.REAL_OK or any(o != agree.REAL_OK for o in c.recorded["probes"])
    ]
    assert len(CASES) >= 80, f"{len(CASES)} cases; the suite promises at least 80"
    assert 0.35 <= len(failing) / len(recorded) <= 0.65, f"{len(failing)} of {len(recorded)} cases fail somewhere"


def test_profiles_come_from_the_images() -> None:
    text = images.PROFILES.read_text()
    for name in images.ORDER:
        assert f"name: {images.tag(name)}" in text, f"no profile of {name}: python -m tests.reality.record --images"
    assert "venvlint profile of the reality image" in text


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_venvlint_agrees_with_reality(case: Case, tmp_path: Path) -> None:
    assert not problems(case), problems(case)
    rec = case.recorded
    assert rec, f"not recorded: python -m tests.reality.record {case.name}"
    assert rec.get("inputs") == case.inputs(), (
        f"the recording is stale (its inputs changed): python -m tests.reality.record {case.name}"
    )
    ctx = prepare_context(case, tmp_path)
    judgement = agree.judge(subject_of(case, ctx), rec)
    assert not judgement.disagreements, "\n".join(judgement.disagreements)
