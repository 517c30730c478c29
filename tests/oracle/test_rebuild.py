"""The slow oracle suite: rebuild every case with buildah and check that the recorded answer still holds.

Mandatory in CI (CI=true): a missing or unusable buildah fails there, and is a visible skip elsewhere. The selected
cases are all built in the background as soon as the first of them runs (VENVLINT_ORACLE_JOBS at a time, default
cores + 1, at most 4), with one storage of their own under pytest's temporary directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import Batch, buildah_problem, case_dirs, failure_matches, load_case

CASES = case_dirs()
pytestmark = pytest.mark.oracle


def _selected(session: pytest.Session) -> list[Path]:
    """The cases of this module that pytest will run (after -k, node ids, deselection)."""
    out: list[Path] = []
    for item in session.items:
        params = getattr(item, "callspec", None)
        if isinstance(item, pytest.Function) and item.originalname == "test_recorded_answer_still_holds" and params:
            out.append(params.params["case"])
    return out


@pytest.fixture(scope="session")
def batch(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Batch]:
    problem = buildah_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the buildah oracle is mandatory in CI (CI=true): {problem}", pytrace=False)
        pytest.skip(f"buildah oracle not run: {problem}")
    cases = _selected(request.session) or CASES
    b = Batch(cases, tmp_path_factory.mktemp("oracle-rebuild"))
    try:
        yield b
    finally:
        b.close()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_recorded_answer_still_holds(case: Path, batch: Batch) -> None:
    data = load_case(case)
    assert "expected" in data or data.get("build") == "fails", (
        f"not recorded: python tests/oracle/record.py {case.name}"
    )
    result = batch.result(case)
    if data.get("build") == "fails":
        problems = failure_matches(data, result)
        assert not problems, f"{case.name}: " + "; ".join(problems)
        return
    assert result.get("build") != "fails", f"{case.name}: buildah now fails: {result}"
    recorded, now = data["expected"], result["expected"]
    diffs = [
        f"  {p}: recorded {recorded.get(p)}, buildah now {now.get(p)}" for p in recorded if recorded[p] != now.get(p)
    ]
    assert not diffs, f"{case.name}: buildah no longer does what was recorded\n" + "\n".join(diffs)
