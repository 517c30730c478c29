"""The fast oracle suite: for every case, venvlint's explain (builder="buildah") must give what buildah recorded.

No builder is needed: the context is prepared by the same harness, with a placeholder instead of busybox.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from venvlint.errors import InputError
from venvlint.explain import explain

from .harness import case_dirs, load_case, prepare_context

CASES = case_dirs()


def as_recorded(entry: dict[str, Any]) -> dict[str, Any] | str:
    """One path of explain's answer in the shape of case.yaml's `expected:`."""
    if entry.get("kind") is None:
        return "absent"
    out: dict[str, Any] = {"uid": entry.get("uid"), "gid": entry.get("gid"), "mode": entry.get("mode")}
    out["kind"] = entry["kind"]
    if entry["kind"] == "symlink":
        del out["mode"]
        out["target"] = entry.get("target")
    return out


def _history(entry: dict[str, Any]) -> str:
    steps = [f"      line {h.get('line')}: {h.get('instruction')} -> {h}" for h in entry.get("history") or []]
    return "\n".join(steps) or "      (no history)"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_explain_agrees_with_buildah(case: Path, tmp_path: Path) -> None:
    data = load_case(case)
    assert "expected" in data or data.get("build") == "fails", (
        f"not recorded: python tests/oracle/record.py {case.name}"
    )
    ctx = prepare_context(case, tmp_path, busybox=False)
    try:
        doc = explain(
            str(tmp_path / "Dockerfile"),
            data["paths"],
            context=str(ctx),
            build_args=data.get("build_args") or {},
            target=data.get("target"),
            builder="buildah",
            strict_context=True,  # the builder sees exactly this context: a missing source fails the build
        )
    except InputError as exc:
        # venvlint reports some failing builds (a COPY source missing from the context) as an input error at the
        # instruction's line: for a case buildah fails at that line, that is the same answer.
        if data.get("build") != "fails" or exc.line != data["fails_line"]:
            raise
        return
    failed = doc.get("build_fails")
    if data.get("build") == "fails":
        assert failed is not None, (
            f"buildah fails at line {data['fails_line']} ({data['step']}: {data['error']}); venvlint says it builds"
        )
        assert failed["line"] == data["fails_line"], (
            f"buildah fails at line {data['fails_line']} ({data['step']}: {data['error']}); venvlint at {failed}"
        )
        return
    assert failed is None, f"buildah builds this; venvlint says it fails: {failed}"
    entries = {e["path"]: e for e in doc["paths"]}
    diffs = []
    for path, want in data["expected"].items():
        entry = entries.get(path)
        if entry is None:
            diffs.append(f"  {path}: missing from explain's answer")
            continue
        got = as_recorded(entry)
        if got != want or entry.get("known") is False:
            unknown = " (venvlint: not known)" if entry.get("known") is False else ""
            diffs.append(f"  {path}: buildah {want}, venvlint {got}{unknown}\n{_history(entry)}")
    assert not diffs, f"{case.name}: explain --builder buildah disagrees with buildah\n" + "\n".join(diffs)
