"""Which packages an install puts where (`venvlint.packages`): the file readers, and the record read from a build."""

from __future__ import annotations

from pathlib import Path

from venvlint.analysis import analyse
from venvlint.packages import (
    environment_file_names,
    lock_names,
    pyproject_names,
    requirement_includes,
    requirement_names,
)
from venvlint.pipeline import build_from_file
from venvlint.query import Build, Scheme, Tool

from .test_read import Probe, r


def test_requirement_names_skip_options_paths_and_comments() -> None:
    text = (
        "# comment\n--index-url https://x/simple\n-c constraints.txt\nSentence-Transformers==3.0.1  # embeddings\n"
        "uvicorn[standard]>=0.30 ; python_version >= '3.10'\n./libs/local\n-e .\ngit+https://x/y.git\n"
        "torch @ https://download.pytorch.org/whl/torch.whl\nnumpy \\\n  >=1.26\n"
    )
    assert list(requirement_names(text)) == ["sentence_transformers", "uvicorn", "torch", "numpy"]
    assert list(requirement_includes("-r base.txt\n--requirement=extra.txt\n-rdev.txt\n-c pins.txt\n")) == [
        "base.txt",
        "extra.txt",
        "dev.txt",
    ]


def test_lock_files_list_every_package() -> None:
    text = 'version = 1\n\n[[package]]\nname = "huggingface-hub"\nversion = "0.24"\n\n[[package]]\nname = "Torch"\n'
    assert list(lock_names(text)) == ["huggingface_hub", "torch"]


def test_pyproject_dependencies_pep621_and_poetry() -> None:
    pep621 = (
        '[project]\nname = "x"\ndependencies = [\n  "transformers>=4",  # models\n  \'librosa\',\n]\n'
        '[project.optional-dependencies]\nplot = ["matplotlib"]\n'
    )
    assert list(pyproject_names(pep621)) == ["transformers", "librosa"]
    assert list(pyproject_names('[project]\ndependencies = ["a", "b[x]==1"]\n')) == ["a", "b"]
    poetry = '[tool.poetry.dependencies]\npython = "^3.12"\ndatasets = "^2"\n[tool.poetry.group.dev.dependencies]\npytest = "*"\n'
    assert list(pyproject_names(poetry)) == ["datasets"]


def test_environment_file_conda_and_pip_sections() -> None:
    text = (
        "name: app\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pytorch::pytorch=2.3\n"
        "  - numba>=0.59  # jit\n  - pip\n  - pip:\n      - sentence-transformers==3.0\n"
    )
    assert list(environment_file_names(text)) == ["python", "torch", "numba", "pip", "sentence_transformers"]


def test_uv_pip_reads_requirement_files() -> None:
    probe = Probe(envs=("/work/.venv",))
    assert r("uv pip install -r requirements.txt x", {"VIRTUAL_ENV": "/work/.venv"}, probe=probe).requirements == (
        "requirements.txt",
    )
    sync = r("uv pip sync requirements.lock", {"VIRTUAL_ENV": "/work/.venv"}, probe=probe)
    assert (sync.requirements, sync.packages) == (("requirements.lock",), ())


def _build(tmp_path: Path, dockerfile: str, files: dict[str, str]) -> Build:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    df = tmp_path / "Dockerfile"
    df.write_text(dockerfile)
    sim = build_from_file(str(df), context=None, build_args={}, target=None, builder="buildkit", profile_files=())
    return Build(analyse(sim, str(df), ()))


def test_installs_read_from_copied_files(tmp_path: Path) -> None:
    build = _build(
        tmp_path,
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements/ requirements/\nRUN pip install --no-cache-dir -r requirements/prod.txt flask\n"
        "COPY pyproject.toml uv.lock ./\nRUN pip install uv && uv sync --frozen\nCOPY missing-requirements.txt .\n"
        "RUN pip install -r missing-requirements.txt\n",
        {
            "requirements/prod.txt": "-r base.txt\ngunicorn\n",
            "requirements/base.txt": "transformers\n",
            "pyproject.toml": '[project]\nname = "a"\ndependencies = ["librosa"]\n',
            "uv.lock": '[[package]]\nname = "librosa"\n\n[[package]]\nname = "numba"\n',
        },
    )
    by_line = {i.line: i for i in build.installed}
    first = by_line[4]
    assert first.names == {"flask", "gunicorn", "transformers"} and not first.closure
    assert first.sources == ("the command line", "/app/requirements/prod.txt", "/app/requirements/base.txt")
    assert first.env is not None and first.env.scheme is Scheme.SYSTEM and build.in_image(first)
    synced = next(i for i in build.installed if i.line == 6 and i.tool is Tool.UV)
    assert synced.names == {"librosa", "numba"} and synced.closure and synced.env_path == "/app/.venv"
    assert by_line[8].unread == ("/app/missing-requirements.txt",) and not by_line[8].names
