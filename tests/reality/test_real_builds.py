"""The real rebuilds: every reality case, and every automatic fix venvlint offers for it, built with buildah on the
real images and probed as the real users, compared with what is recorded (marker `reality`).

Mandatory in CI (CI=true), like the buildah oracle: a machine that cannot build fails there, and skips with the
reason elsewhere. All selected cases are queued at once on VENVLINT_REALITY_JOBS runners (default 3), each with
buildah storage of its own in memory when /dev/shm has room (conftest.py).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
import yaml

from . import agree, images
from .cases import Case, all_cases, prepare_context
from .record import subject_of
from .runner import Pool

CASES = all_cases()
pytestmark = pytest.mark.reality


def _outcome(result: Any) -> Any:
    """What must stay the same between a recording and a rebuild: ok, or the failing line (the words differ:
    temporary names)."""
    if result == agree.REAL_OK:
        return "ok"
    return {"fails_line": result["fails_line"]} if "fails_line" in result else "fails"


def _shape(rec: dict[str, Any]) -> dict[str, Any]:
    return {"build": _outcome(rec["build"]), "probes": [_outcome(p) for p in rec.get("probes") or []]}


class Rebuilds:
    """Every selected case (and its recorded fixes) queued on the pool at once."""

    def __init__(self, cases: list[Case], p: Pool, work: Path) -> None:
        self.futures: dict[str, Future[dict[str, Any]]] = {}
        self.fixes: dict[tuple[str, str], Future[dict[str, Any]]] = {}
        self.contexts: dict[str, Path] = {}
        for case in cases:
            ctx = prepare_context(case, work / case.name)
            self.contexts[case.name] = ctx
            probes = list(case.probes)
            self.futures[case.name] = p.submit(
                lambda r, c=case, x=ctx, pr=probes: r.build_and_probe(c.dockerfile, x, pr)
            )
            subject = subject_of(case, ctx)
            build_ok = case.recorded.get("build") == agree.REAL_OK
            for d, (text, fix_probes) in agree.plan_fixes(subject, build_ok).items():
                self.fixes[(case.name, d)] = p.submit(
                    lambda r, t=text, x=ctx, pr=list(fix_probes): r.build_and_probe(t, x, pr)
                )


@pytest.fixture(scope="session")
def rebuilds(request: pytest.FixtureRequest, reality_pool: Pool) -> Iterator[Rebuilds]:
    selected = {item.callspec.params["case"].name for item in request.session.items
                if getattr(item, "callspec", None) and "case" in item.callspec.params
                and item.module is not None and item.module.__name__ == __name__}  # fmt: skip
    cases = [c for c in CASES if c.name in selected] or CASES
    with tempfile.TemporaryDirectory(prefix="venvlint-reality-ctx-") as tmp:
        yield Rebuilds(cases, reality_pool, Path(tmp))


def test_the_images_give_the_recorded_profiles_and_manifest(rebuilds: Rebuilds) -> None:
    """`venvlint profile` of the freshly made images is what the agreement test lints with, and the images rest
    on the recorded packages and pins."""
    assert images.profiles_yaml() == images.PROFILES.read_text(), (
        "the images' profiles changed: python -m tests.reality.record --images (then re-record the cases)"
    )
    recorded = yaml.safe_load(images.MANIFEST.read_text())
    assert images.manifest(images.build_rootfs()) == recorded, (
        "the images rest on other packages or pins than recorded: python -m tests.reality.record --images --all"
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reality_still_is_what_was_recorded(case: Case, rebuilds: Rebuilds) -> None:
    rec = case.recorded
    assert rec, f"not recorded: python -m tests.reality.record {case.name}"
    now = rebuilds.futures[case.name].result()
    assert _shape(now) == _shape(rec), f"{case.name}: reality changed: now {now}, recorded {rec}"
    for (name, d), future in rebuilds.fixes.items():
        if name != case.name:
            continue
        fixed = rec.get("fixes", {}).get(d)
        assert fixed is not None, f"{case.name}: fix {d} is not recorded: python -m tests.reality.record {case.name}"
        assert _shape(future.result()) == _shape(fixed), f"{case.name}: fix {d} behaves otherwise than recorded"
