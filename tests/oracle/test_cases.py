"""The oracle's own checks (fast, no builder): case folders are well-formed, every row of docs/BUILDERS.md buildah can
show has a case, and the harness reads buildah's output and the image the way the recorded data assume."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path
from typing import Any

import pytest

from .harness import (
    case_dirs,
    case_problems,
    failure,
    failure_matches,
    instruction_line,
    load_case,
    make_tar,
    prepare_context,
    stat_path,
)
from .record import recorded_block, strip_recorded

CASES = case_dirs()

# Rows of docs/BUILDERS.md whose buildah column the cases reproduce ("run" = RUN-side commands).
ROWS_BUILDAH_SHOWS = [
    *(f"1{c}" for c in "abcdefg"),
    *(f"2{c}" for c in "abcdefg"),
    *(f"3{c}" for c in "abcdef"),
    *(f"4{c}" for c in "abcd"),
    *(f"5{c}" for c in "abcd"),
    *(f"6{c}" for c in "abcd"),
    "7",
    *(f"8{c}" for c in "abcdef"),
    "9",
    "10a",
    "10b",
    "11",
    "11b",
    "11c",
    "12",
    "run",
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_is_well_formed(case: Path) -> None:
    assert case_problems(case) == []


def test_every_row_has_a_case() -> None:
    covered = {row for case in CASES for row in load_case(case)["row"]}
    assert [r for r in ROWS_BUILDAH_SHOWS if r not in covered] == []
    assert len(CASES) >= 45


def test_case_numbers_are_unique() -> None:
    numbers = [c.name[:2] for c in CASES]
    assert sorted({n for n in numbers if numbers.count(n) > 1}) == []


def test_prepared_context_has_the_declared_modes(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name.startswith("09-"))
    ctx = prepare_context(case, tmp_path, busybox=False)
    for rel, mode in load_case(case)["modes"].items():
        assert oct(os.lstat(ctx / rel).st_mode & 0o7777) == oct(int(mode, 8)), rel
    assert (tmp_path / "Dockerfile").read_text() == (case / "Dockerfile").read_text()
    assert (ctx / "busybox").stat().st_mode & 0o777 == 0o755


def test_make_tar_keeps_owners_and_modes(tmp_path: Path) -> None:
    entries: list[dict[str, Any]] = [
        {"name": "opt/", "type": "dir", "uid": 0, "gid": 0, "mode": "0750"},
        {"name": "opt/f", "uid": 1234, "gid": 5678, "mode": "0600"},
        {"name": "opt/l", "type": "symlink", "target": "f"},
    ]
    make_tar(tmp_path / "t.tar", entries)
    with tarfile.open(tmp_path / "t.tar") as tf:
        got = [(m.name, m.type, m.uid, m.gid, oct(m.mode)) for m in tf.getmembers()]
    assert got == [
        ("opt", tarfile.DIRTYPE, 0, 0, "0o750"),
        ("opt/f", tarfile.REGTYPE, 1234, 5678, "0o600"),
        ("opt/l", tarfile.SYMTYPE, 0, 0, "0o644"),
    ]


def test_stat_path_does_not_follow_symlinks_and_stays_in_the_image(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir(mode=0o750)
    os.chmod(tmp_path / "real", 0o750)
    (tmp_path / "real" / "f").write_text("x")
    os.chmod(tmp_path / "real" / "f", 0o640)
    os.symlink("/real", tmp_path / "abs")  # absolute: must resolve inside the image, not on the host
    uid, gid = os.getuid(), os.getgid()
    assert stat_path(tmp_path, "/abs") == {"uid": uid, "gid": gid, "kind": "symlink", "target": "/real"}
    assert stat_path(tmp_path, "/abs/f") == {"uid": uid, "gid": gid, "mode": "0640", "kind": "file"}
    assert stat_path(tmp_path, "/real") == {"uid": uid, "gid": gid, "mode": "0750", "kind": "dir"}
    assert stat_path(tmp_path, "/nothing/here") == "absent"
    assert stat_path(tmp_path, "/real/f/below-a-file") == "absent"


def test_failure_of_a_run_records_the_command_message(tmp_path: Path) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text('FROM scratch\nSHELL ["/bin/busybox", "sh", "-c"]\nUSER 1001\nRUN mkdir /opt/nope\n')
    out = (
        "mkdir: can't create directory '/opt/nope': Permission denied\n"
        "subprocess exited with status 1\nsubprocess exited with status 1\n"
        'Error: building at STEP "RUN mkdir /opt/nope": exit status 1\n'
    )
    got = failure(out, tmp_path / "ctx", df)
    assert got == {
        "build": "fails",
        "step": "RUN mkdir /opt/nope",
        "error": "mkdir: can't create directory '/opt/nope': Permission denied",
    }
    assert instruction_line(df, got["step"]) == 4
    assert failure_matches({**got, "error": "Permission denied"}, got) == []
    assert failure_matches(got, {"expected": {}}) == ["buildah now builds the case"]


def test_failure_step_with_quotes_and_context_path(tmp_path: Path) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text("FROM scratch\nCOPY --chown=nosuchuser f /x/f\n")
    ctx = tmp_path / "ctx"
    out = f'Error: building at STEP "COPY --chown=nosuchuser f /x/f": looking up UID/GID for "nosuchuser": in {ctx}\n'
    got = failure(out, ctx, df)
    assert got["step"] == "COPY --chown=nosuchuser f /x/f"
    assert got["error"] == 'looking up UID/GID for "nosuchuser": in <context>'


def test_record_rewrites_only_the_recorded_block(tmp_path: Path) -> None:
    case = tmp_path / "99-x"
    case.mkdir()
    (case / "Dockerfile").write_text("FROM scratch\nRUN false\n")
    head = "# a comment that must stay\nrow: [run]\ndescription: x\ntars:\n- {name: a, mode: '0600'}\npaths: [/a]\n"
    old = head + "recorded_with: buildah 0\nexpected:\n  /a: absent\n"
    assert strip_recorded(old) == head
    block, warnings = recorded_block(
        case, {"build": "fails", "step": "RUN false", "error": "e"}, "buildah 1.28.2", {"fails_line": 9}
    )
    assert warnings == []
    assert block == "recorded_with: buildah 1.28.2\nbuild: fails\nstep: RUN false\nerror: e\nfails_line: 2\n"
    block, _ = recorded_block(case, {"expected": {"/a": {"uid": 0, "gid": 0, "mode": "0755", "kind": "dir"}}}, "b", {})
    assert block == "recorded_with: b\nexpected:\n  /a: {uid: 0, gid: 0, mode: '0755', kind: dir}\n"


def test_the_readme_counts_the_cases_there_are() -> None:
    """README said 90 cases when there were 88 (numbers 81 and 82 were never recorded)."""
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    said = re.search(r"holds (\d+) cases built with a real buildah", readme)
    assert said is not None and int(said.group(1)) == len(CASES)
