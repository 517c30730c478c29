"""A COPY source that is a symlink is copied as what it points to (named or matched by a wildcard), under its own
name; links below a copied directory stay links. Measured on buildah, docker's classic builder and BuildKit
(docs/MEASUREMENTS.md)."""

from __future__ import annotations

import os
from pathlib import Path

from venvlint.explain import explain


def kinds(tmp_path: Path, dockerfile: str, paths: list[str]) -> dict[str, tuple[str | None, str | None]]:
    ctx = tmp_path / "ctx"
    (ctx / "realdir").mkdir(parents=True)
    (ctx / "a.txt").write_text("real\n")
    os.chmod(ctx / "a.txt", 0o640)
    (ctx / "realdir" / "f").write_text("f\n")
    os.symlink("a.txt", ctx / "l.txt")
    os.symlink("realdir", ctx / "dl")
    os.symlink("../a.txt", ctx / "realdir" / "up")
    (ctx / "Dockerfile").write_text(dockerfile)
    doc = explain(str(ctx / "Dockerfile"), paths, context=str(ctx))
    return {p["path"]: (p["kind"], p["mode"]) for p in doc["paths"]}


def test_named_and_wildcard_symlinks_are_followed(tmp_path: Path) -> None:
    got = kinds(
        tmp_path,
        "FROM scratch\nCOPY l.txt /x\nCOPY *.txt /d/\nCOPY d* /e/\nCOPY dl /g/\n",
        ["/x", "/d/l.txt", "/d/a.txt", "/e/f", "/e/up", "/g/f", "/g/up"],
    )
    assert got["/x"] == ("file", "0640")
    assert got["/d/l.txt"] == ("file", "0640") and got["/d/a.txt"] == ("file", "0640")
    assert got["/e/f"][0] == "file" and got["/g/f"][0] == "file"  # the directory's contents, under the link's use
    assert got["/e/up"] == ("symlink", "0777") and got["/g/up"] == ("symlink", "0777")  # links inside stay links
