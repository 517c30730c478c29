"""The CI oracle suite: rebuild every case with buildah and check that the recorded answers still hold.

Mandatory in CI (CI=true): a missing buildah is a failure there, and a visible skip elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .harness import Buildah, buildah_problem, case_dirs, load_case

CASES = case_dirs()
pytestmark = pytest.mark.oracle


@pytest.fixture(scope="module")
def buildah(tmp_path_factory: pytest.TempPathFactory) -> Buildah:
    problem = buildah_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the buildah oracle is mandatory in CI: {problem}")
        pytest.skip(f"buildah oracle skipped: {problem}")
    return Buildah(tmp_path_factory.mktemp("buildah"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_recorded_answer_still_holds(case: Path, buildah: Buildah, tmp_path: Path) -> None:
    data = load_case(case)
    result = buildah.build_and_stat(case, tmp_path)
    if data.get("build") == "fails":
        assert result.get("build") == "fails", f"buildah now builds {case.name}"
        return
    assert result.get("build") != "fails", result.get("error")
    assert result["expected"] == data["expected"]
