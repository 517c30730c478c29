"""sudo and setpriv run their command as the user their options name; their own options end at the command."""

from __future__ import annotations

from pathlib import Path

import pytest
from venvlint.pipeline import build_from_file

PREAMBLE = "FROM python:3.12-slim\nRUN useradd -m -u 1000 app\n"


@pytest.mark.parametrize(
    "run",
    [
        "sudo -u app mkdir /home/app/x",
        "sudo --user=app mkdir /home/app/x",
        "sudo -E -u app mkdir /home/app/x",
        "sudo -Eu app mkdir /home/app/x",  # a cluster of short options ending in one that takes a value
        "sudo -u app -- mkdir /home/app/x",
        "setpriv --reuid=1000 --regid=1000 --clear-groups mkdir /home/app/x",
        "setpriv --reuid 1000 --regid 1000 --clear-groups -- mkdir /home/app/x",
    ],
)
def test_the_command_runs_as_the_named_user(run: str, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"{PREAMBLE}RUN {run}\n")
    node = build_from_file(str(tmp_path / "Dockerfile")).final.fs.get("/home/app/x")
    assert node is not None and (node.uid, node.gid) == (1000, 1000), run
