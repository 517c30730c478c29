"""A finding's fix in words names the place to hand over, as it is."""

from __future__ import annotations

from pathlib import Path

from venvlint.lint import LintOptions, lint_file


def test_a_download_into_a_root_workdir_hands_over_that_directory_not_its_parent(tmp_path: Path) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text("FROM python:3.12-slim\nWORKDIR /app\nRUN useradd -m app\nUSER app\nRUN pip wheel -w . six\n")
    (found,) = [f for f in lint_file(str(df), LintOptions(context=str(tmp_path))).findings if f.code == "VL002"]
    assert found.path == "/app" and "`chown app /app`" in found.fix and "install -d -o app /`" not in found.fix
