from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest
from venvlint.buildcontext import BuildContext, archive_entries, is_archive, parse_ignore
from venvlint.errors import InputError
from venvlint.model.entry import Entry
from venvlint.model.fs import Kind
from venvlint.pipeline import build_from_file


def _tree(root: Path, files: list[str]) -> None:
    for f in files:
        p = root / f
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")


def rels(ctx: BuildContext, src: str, excludes: list[str] | None = None) -> list[str]:
    return [e.rel for e in ctx.walk(src, excludes or [])]


def test_ignore_patterns_with_exceptions_and_double_star(tmp_path: Path) -> None:
    _tree(tmp_path, ["a/keep.py", "a/x.pyc", "a/b/y.pyc", "a/b/important.pyc", "node_modules/m/i.js", "README.md"])
    (tmp_path / ".dockerignore").write_text("# c\n**/*.pyc\n!a/b/important.pyc\nnode_modules\n/README.md\n")
    ctx = BuildContext(str(tmp_path))
    assert rels(ctx, "") == ["", ".dockerignore", "a", "a/b", "a/b/important.pyc", "a/keep.py"]
    assert ctx.is_ignored("node_modules/m/i.js")


def test_dockerfile_specific_ignore_file_wins(tmp_path: Path) -> None:
    _tree(tmp_path, ["a.txt", "b.txt"])
    (tmp_path / ".dockerignore").write_text("a.txt\n")
    (tmp_path / "Dockerfile.dev.dockerignore").write_text("b.txt\n")
    ctx = BuildContext(str(tmp_path), str(tmp_path / "Dockerfile.dev"))
    assert not ctx.is_ignored("a.txt") and ctx.is_ignored("b.txt")


def test_emptied_directory_is_still_yielded(tmp_path: Path) -> None:
    _tree(tmp_path, ["root/opt/app-root/f.txt"])
    (tmp_path / ".dockerignore").write_text("root/opt/app-root/*\n")
    assert rels(BuildContext(str(tmp_path)), "root") == ["", "opt", "opt/app-root"]


def test_copy_exclude_flag(tmp_path: Path) -> None:
    _tree(tmp_path, ["src/a.py", "src/tests/t.py"])
    assert rels(BuildContext(str(tmp_path)), "src", ["tests"]) == ["", "a.py"]


def test_wildcard_sources(tmp_path: Path) -> None:
    _tree(tmp_path, ["req-a.txt", "req-b.txt", "other.md"])
    assert BuildContext(str(tmp_path)).match_sources("req-*.txt") == ["req-a.txt", "req-b.txt"]


@pytest.mark.parametrize("src", ["../secret", "a/../../secret"])
def test_sources_outside_the_context(tmp_path: Path, src: str) -> None:
    with pytest.raises(InputError, match="outside the build context"):
        BuildContext(str(tmp_path)).match_sources(src)


def test_missing_source(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        BuildContext(str(tmp_path)).match_sources("nope")


def test_symlinks_are_not_followed_and_loops_are_errors(tmp_path: Path) -> None:
    _tree(tmp_path, ["d/f"])
    os.symlink("/etc", tmp_path / "d" / "out")
    os.symlink("loop2", tmp_path / "loop1")
    os.symlink("loop1", tmp_path / "loop2")
    entries = {e.rel: e for e in BuildContext(str(tmp_path)).walk("d")}
    assert entries["out"].kind is Kind.SYMLINK and entries["out"].target == "/etc"
    with pytest.raises(InputError, match="symlink loop"):
        BuildContext(str(tmp_path)).match_sources("loop1/x")


def test_fifo_in_context_is_skipped_without_blocking(tmp_path: Path) -> None:
    _tree(tmp_path, ["d/f"])
    os.mkfifo(tmp_path / "d" / "pipe")
    assert rels(BuildContext(str(tmp_path)), "d") == ["", "f"]


def test_tar_archives(tmp_path: Path) -> None:
    tar = tmp_path / "t.tar"
    with tarfile.open(tar, "w") as tf:
        for name, kind in (("opt/", tarfile.DIRTYPE), ("../evil", tarfile.REGTYPE)):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.uid, info.gid, info.mode = 1234, 5678, 0o750
            tf.addfile(info)
    assert is_archive(str(tar))
    entries = list(archive_entries(str(tar)))
    assert [(e.name, e.kind, e.uid, e.mode) for e in entries] == [
        ("opt", Kind.DIR, 1234, 0o750),
        ("evil", Kind.FILE, 1234, 0o750),  # `../` is clamped to the destination, never escapes it
    ]
    (tmp_path / "plain.txt").write_text("not a tar")
    assert not is_archive(str(tmp_path / "plain.txt"))


def test_pattern_matching_has_no_catastrophic_backtracking() -> None:
    (p,) = parse_ignore("*a*a*a*a*a*a*a*a*a*a*b\n")
    assert not p.match("a" * 5000)  # a backtracking regex would not return from this
    (q,) = parse_ignore("**/x/**/y\n")
    assert q.match("a/b/x/c/y") and q.match("x/y") and not q.match("x/c/z")


def test_component_globs() -> None:
    from venvlint.buildcontext import match_component

    assert match_component("*.py[co]", "a.pyc") and not match_component("*.py[!co]", "a.pyc")
    assert match_component("f?o", "foo") and match_component("\\*", "*") and not match_component("\\*", "a")


def test_walked_entries_have_every_field(tmp_path: Path) -> None:
    """Files are made without Entry's constructor (speed): each must still be a whole Entry, equal to one the
    constructor makes, or a later field is missing when a COPY places the file over an existing one."""
    _tree(tmp_path, ["src/a.txt", "src/d/b.txt"])
    for e in BuildContext(str(tmp_path)).walk("src"):
        assert len(e) == len(Entry._fields)
        assert e == Entry(*e)


def test_copying_files_over_existing_ones(tmp_path: Path) -> None:
    _tree(tmp_path, ["src/a.txt", "src/d/b.txt"])
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY src /app\nCOPY src /app\n")
    fs = build_from_file(str(tmp_path / "Dockerfile")).final.fs
    node = fs.get("/app/d/b.txt")
    assert node is not None and len(node.history) == 2
