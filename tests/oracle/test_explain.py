"""The fast oracle suite: venvlint's explain must give, for every case, what buildah recorded (no builder needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from venvlint.explain import explain

from .harness import case_dirs, load_case, prepare_context

CASES = case_dirs()


def _actual(entry: dict[str, Any]) -> dict[str, Any] | str:
    if entry["kind"] is None:
        return "absent"
    out: dict[str, Any] = {"uid": entry["uid"], "gid": entry["gid"], "mode": entry["mode"], "kind": entry["kind"]}
    if entry["kind"] == "symlink":
        out.pop("mode")
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_explain_agrees_with_buildah(case: Path, tmp_path: Path) -> None:
    data = load_case(case)
    ctx = prepare_context(case, tmp_path, busybox=False)
    doc = explain(
        str(tmp_path / "Dockerfile"),
        data["paths"],
        context=str(ctx),
        build_args=data.get("build_args") or {},
        target=data.get("target"),
        builder="buildah",
    )
    if data.get("build") == "fails":
        assert doc["build_fails"] is not None, f"buildah fails ({data.get('error')}); venvlint says the build succeeds"
        assert doc["build_fails"]["line"] == data["fails_line"], doc["build_fails"]
        return
    assert doc["build_fails"] is None, doc["build_fails"]
    actual = {p["path"]: _actual(p) for p in doc["paths"]}
    assert actual == data["expected"]


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40
