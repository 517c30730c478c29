"""The generator's fixed CI sample: composed Dockerfiles built and probed for real, judged like the recorded cases
(marker `reality`; mandatory in CI). The thousands behind docs/REALITY.md's confusion matrix are run with
`python -m tests.reality.generate`."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from . import agree
from .generate import Generated, _context, compose
from .runner import Pool, Runner

# Seeds 1-30, and the seeds of the user-site and cache-mount families that once disagreed with reality (pip's
# fallback into PYTHONUSERBASE, buildah's cache mount mode under umask 022); docs/REALITY.md has the full run.
SAMPLE = [*range(1, 31), 1052, 1154, 1192, 1290, 1335, 1785]
pytestmark = pytest.mark.reality


@pytest.fixture(scope="session")
def generated(reality_pool: Pool) -> Iterator[dict[int, tuple[Generated, Path, Future[dict[str, Any]]]]]:
    with tempfile.TemporaryDirectory(prefix="venvlint-generated-") as tmp:
        out = {}
        for seed in SAMPLE:
            g = compose(seed)
            ctx = _context(g, Path(tmp) / str(seed))

            def job(r: Runner, g: Generated = g, ctx: Path = ctx) -> dict[str, Any]:
                return r.build_and_probe(g.dockerfile, ctx, list(g.all_probes))

            out[seed] = (g, ctx, reality_pool.submit(job))
        yield out


@pytest.mark.parametrize("seed", SAMPLE)
def test_venvlint_agrees_on_a_generated_dockerfile(seed: int, generated: Any) -> None:
    g, ctx, future = generated[seed]
    outcome = future.result()
    subject = agree.Subject(f"seed {seed}", g.dockerfile, ctx, g.all_probes)
    judgement = agree.judge(subject, outcome, fix_lint=False)
    assert not judgement.disagreements, f"{g.dockerfile}\nreal: {json.dumps(outcome)}\n" + "\n".join(
        judgement.disagreements
    )
