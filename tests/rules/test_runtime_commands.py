"""The container's commands as venvlint reads them (venvlint.analysis.runtime_commands): the shell form through the
stage's SHELL, a shell's `-c` script opened up into its commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from venvlint.analysis import runtime_commands
from venvlint.parse.reader import parse_text
from venvlint.pipeline import build_from_parsed


def commands(tmp_path: Path, tail: str) -> list[tuple[str, ...]]:
    sim = build_from_parsed(parse_text(f"FROM python:3.12-slim\n{tail}"), context=str(tmp_path))
    return [c.argv for c in runtime_commands(sim.final)]


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ('CMD ["uv", "run", "app.py"]\n', [("uv", "run", "app.py")]),
        ("CMD uv sync && uv run app.py\n", [("uv", "sync"), ("uv", "run", "app.py")]),
        ('CMD ["sh", "-c", "pip install x && python -m app"]\n', [("pip", "install", "x"), ("python", "-m", "app")]),
        ('CMD ["bash", "-ec", "uv run app.py"]\n', [("uv", "run", "app.py")]),
        (
            'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\nCMD uv run app.py | tee log\n',
            [("uv", "run", "app.py"), ("tee", "log")],
        ),
        ('ENTRYPOINT ["python"]\nCMD ["-m", "app"]\n', [("python", "-m", "app")]),
        ('CMD ["sh", "script.sh", "-c"]\n', [("sh", "script.sh", "-c")]),
        ('SHELL ["pwsh", "-command"]\nCMD Write-Host hi\n', [("pwsh", "-command", "Write-Host hi")]),
    ],
)
def test_the_container_commands(tmp_path: Path, tail: str, expected: list[tuple[str, ...]]) -> None:
    assert commands(tmp_path, tail) == expected
