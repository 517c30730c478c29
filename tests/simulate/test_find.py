"""`find -exec`, `find -delete` and `find | xargs` run their command on what the find selects (oracle case 90 checks
the modes and owners against buildah); a find venvlint cannot evaluate is an assumption line, never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from venvlint.pipeline import build_from_file

TREE = "FROM python:3.12-slim\nRUN mkdir -p /env/lib/site/pkg /env/bin && touch /env/lib/site/pkg/m.py /env/bin/tool\n"


def _build(tmp_path: Path, run: str) -> object:
    (tmp_path / "Dockerfile").write_text(f"{TREE}RUN {run}\n")
    return build_from_file(str(tmp_path / "Dockerfile"))


def _owners(build: object) -> dict[str, int | None]:
    fs = build.final.fs  # type: ignore[attr-defined]
    return {
        p: fs.get(p).uid for p in ("/env", "/env/lib", "/env/lib/site/pkg", "/env/lib/site/pkg/m.py", "/env/bin/tool")
    }


@pytest.mark.parametrize(
    ("run", "owned"),
    [
        ("find /env -type d -exec chown 7 {} +", {"/env", "/env/lib", "/env/lib/site/pkg"}),
        ("find /env -maxdepth 1 -type d -exec chown 7 {} \\;", {"/env", "/env/lib"}),
        ("find /env ! -type d -exec chown 7 {} +", {"/env/lib/site/pkg/m.py", "/env/bin/tool"}),
        ("find /env -name '*.py' -exec chown 7 '{}' +", {"/env/lib/site/pkg/m.py"}),
        ("find /env/lib -mindepth 2 -type d | xargs chown 7", {"/env/lib/site/pkg"}),
        ("find /env/bin -type f -print0 | xargs -0 -r chown 7", {"/env/bin/tool"}),
        ("cd /env && find . -path './lib/*' -name pkg -exec chown 7 {} +", {"/env/lib/site/pkg"}),
    ],
)
def test_the_command_runs_on_what_the_find_selects(tmp_path: Path, run: str, owned: set[str]) -> None:
    got = {p for p, uid in _owners(_build(tmp_path, run)).items() if uid == 7}
    assert got == owned, run


def test_find_delete_removes_what_it_selects(tmp_path: Path) -> None:
    fs = _build(tmp_path, "find /env -name '*.py' -delete").final.fs  # type: ignore[attr-defined]
    assert fs.get("/env/lib/site/pkg/m.py") is None and fs.get("/env/lib/site/pkg") is not None


@pytest.mark.parametrize(
    "run",
    [
        "find /env -user root -exec chown 7 {} +",  # a test venvlint does not evaluate
        "find /env -type d -o -name x -exec chown 7 {} +",  # -o
        "ls /env | xargs chown 7",  # names from a command that is not a find
    ],
)
def test_a_find_it_cannot_evaluate_is_an_assumption(tmp_path: Path, run: str) -> None:
    build = _build(tmp_path, run)
    said = [a.message for a in build.final.record.assumptions]  # type: ignore[attr-defined]
    assert any("is not modelled" in t for t in said), said
    assert all(uid != 7 for uid in _owners(build).values())


def test_follow_is_read_where_no_link_is_met(tmp_path: Path) -> None:
    fs = _build(tmp_path, "find /env -follow -type f -name '*.py' -delete").final.fs  # type: ignore[attr-defined]
    assert fs.get("/env/lib/site/pkg/m.py") is None


def test_follow_through_a_link_is_an_assumption(tmp_path: Path) -> None:
    build = _build(tmp_path, "ln -s /env/bin /env/lib/b && find -L /env -type f -exec chown 7 {} +")
    said = [a.message for a in build.final.record.assumptions]  # type: ignore[attr-defined]
    assert any("follows the symbolic link /env/lib/b" in t for t in said), said


def test_a_failing_command_of_exec_semicolon_does_not_fail_the_build(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        f"{TREE}RUN useradd -m app\nUSER app\nRUN find /env -type d -name bin -exec chmod g+w {{}} \\; && echo done\n"
    )
    build = build_from_file(str(tmp_path / "Dockerfile"))
    assert not build.failures and not build.final.record.denied
    assert any("find goes on" in a.message for a in build.final.record.assumptions)


def test_a_start_directory_that_may_exist_is_an_assumption(tmp_path: Path) -> None:
    said = [a.message for a in _build(tmp_path, "find /srv/maybe -exec chown 7 {} +").final.record.assumptions]  # type: ignore[attr-defined]
    assert any("is not modelled" in t for t in said), said
