"""Which interpreter a venv is linked to: uv's managed Pythons and preference, pyenv's versions and shims
(docs/MEASUREMENTS.md "Interpreters out of reach")."""

from __future__ import annotations

from pathlib import Path

import pytest
from venvlint.pipeline import build_from_file

UV = "FROM python:3.12-slim\nRUN pip install uv\n"


def _link(tmp_path: Path, text: str, venv: str = "/opt/venv") -> str | None:
    (tmp_path / "Dockerfile").write_text(text)
    node = build_from_file(str(tmp_path / "Dockerfile")).final.fs.get(f"{venv}/bin/python")
    return node.target if node is not None else None


MANAGED = "/root/.local/share/uv/python/cpython-3.12-linux-x86_64-gnu/bin/python3.12"


@pytest.mark.parametrize(
    ("lines", "target"),
    [
        ("RUN uv venv --python 3.12 /opt/venv\n", "/usr/local/bin/python3.12"),  # nothing installed: the image's
        ("RUN uv python install 3.12 && uv venv --python 3.12 /opt/venv\n", MANAGED),  # managed, installed, first
        ("RUN uv python install 3.12 && uv venv --python-preference system --python 3.12 /opt/venv\n",
         "/usr/local/bin/python3.12"),
        ("ENV UV_NO_MANAGED_PYTHON=1\nRUN uv python install 3.12 && uv venv --python 3.12 /opt/venv\n",
         "/usr/local/bin/python3.12"),
        ("ENV UV_PYTHON_INSTALL_DIR=/opt/py\nRUN uv python install 3.12 && uv venv --python 3.12 /opt/venv\n",
         "/opt/py/cpython-3.12-linux-x86_64-gnu/bin/python3.12"),
        ("RUN uv venv --python 3.13 /opt/venv\n",  # no 3.13 in the image: downloaded
         "/root/.local/share/uv/python/cpython-3.13-linux-x86_64-gnu/bin/python3.13"),
        ("RUN uv venv --no-python-downloads --python 3.13 /opt/venv\n", None),
    ],
)  # fmt: skip
def test_uv_picks_the_interpreter_in_preference_order(tmp_path: Path, lines: str, target: str | None) -> None:
    assert _link(tmp_path, UV + lines) == target


def test_uv_python_install_leaves_the_interpreter_owned_by_its_runner(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(UV + "RUN useradd -m app\nUSER app\nRUN uv python install 3.11 3.13\n")
    fs = build_from_file(str(tmp_path / "Dockerfile")).final.fs
    for v in ("3.11", "3.13"):
        node = fs.get(f"/home/app/.local/share/uv/python/cpython-{v}-linux-x86_64-gnu/bin/python{v}")
        assert node is not None and node.uid == 1000 and node.tag("managed-python") == "uv"


PYENV = "FROM python:3.11-slim\nENV PYENV_ROOT=/root/.pyenv PATH=/root/.pyenv/shims:$PATH\n"


@pytest.mark.parametrize(
    ("lines", "target"),
    [
        ("RUN pyenv install 3.12.1 && pyenv global 3.12.1\nRUN python -m venv /opt/venv\n",
         "/root/.pyenv/versions/3.12.1/bin/python"),
        ("ENV PYENV_VERSION=3.12.1\nRUN pyenv install 3.12.1 3.10.4 && pyenv global 3.10.4\n"
         "RUN python3 -m venv /opt/venv\n", "/root/.pyenv/versions/3.12.1/bin/python3"),
        ("RUN pyenv install 3.12.1\nRUN python -m venv /opt/venv\n", None),  # no version selected
    ],
)  # fmt: skip
def test_a_pyenv_shim_runs_the_selected_version(tmp_path: Path, lines: str, target: str | None) -> None:
    assert _link(tmp_path, PYENV + lines) == target


def test_a_venv_through_a_shim_takes_that_versions_lib(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(PYENV + "RUN pyenv install 3.12.1 && pyenv global 3.12.1\n"
                                         "RUN python -m venv /opt/venv\n")  # fmt: skip
    fs = build_from_file(str(tmp_path / "Dockerfile")).final.fs
    assert fs.get("/opt/venv/lib/python3.12") is not None and fs.get("/opt/venv/lib/python3.11") is None


def test_a_local_python_version_file_leaves_the_shims_choice_unknown(tmp_path: Path) -> None:
    text = PYENV + "RUN pyenv install 3.12.1 && pyenv global 3.12.1\nWORKDIR /app\nCOPY . .\nRUN python -m venv v\n"
    assert _link(tmp_path, text, "/app/v") == "/root/.pyenv/versions/3.12.1/bin/python"  # the context has none
    (tmp_path / ".python-version").write_text("3.10.4\n")
    assert _link(tmp_path, text, "/app/v") is None  # it selects a version whose contents venvlint does not read


def test_pip_through_a_shim_installs_into_an_environment_not_modelled(tmp_path: Path) -> None:
    """The shim's pip is the selected version's own: not the image's system Python (which a plain lookup finds)."""
    (tmp_path / "Dockerfile").write_text(PYENV + "RUN pyenv install 3.12.1 && pyenv global 3.12.1 && pip install six\n")
    sim = build_from_file(str(tmp_path / "Dockerfile"))
    said = [a.message for a in sim.final.record.assumptions]
    assert any("`pip` is a pyenv shim" in m for m in said), said
    run = sim.final.record.tool_runs[-1]
    assert run.invocation.env is not None and run.invocation.env.path is None
