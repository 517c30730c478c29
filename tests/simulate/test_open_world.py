"""The open world: what venvlint does not know stays unknown (issue: "No error without evidence").

Each Dockerfile below is written from a real false error venvlint used to give; none may give an error now.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from venvlint.findings import Severity
from venvlint.lint import LintOptions, lint_file
from venvlint.model.fs import Knowledge
from venvlint.pipeline import build_from_file

NO_ERROR = {
    "copy-into-an-unknown-base-then-chown": (
        "FROM debian:bookworm-slim\nUSER root\nCOPY app.py /srv/app/app.py\nRUN chown -R 1000:1000 /srv/app\n",
        {"app.py": "print(1)\n"},
    ),
    "git-clone-then-write-below-it-and-tilde": (
        "FROM python:3.12-slim\nRUN useradd -m app\nUSER app\n"
        "RUN git clone https://example.invalid/repo.git /home/app/src && echo ok > /home/app/src/docs/built.txt\n"
        "RUN mkdir -p ~/.config/app\n",
        {},
    ),
    "apt-get-installs-the-interpreter-a-copy-makes-parents": (
        "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y python3-venv\n"
        "RUN /usr/bin/python3 -m venv /opt/venv\nCOPY app.py /usr/local/bin/app.py\n",
        {"app.py": "print(1)\n"},
    ),
    "arg-user-computed-password-base-accounts-and-child-stage": (
        "FROM python:3.12-slim AS base\nARG APP_USER=app\n"
        'RUN useradd -m "$APP_USER" && useradd -m -p "$(openssl passwd -1 changeme)" other\n'
        "RUN mkdir -p /srv/app && chown -R www-data:www-data /srv/app && chown other /srv\n"
        "FROM base AS final\nUSER ${APP_USER}\n",
        {},
    ),
    "user-from-an-unknown-base-environment": (
        "FROM mambaorg/micromamba:2.0.5\nUSER root\nRUN apt-get update\nUSER $MAMBA_USER\n",
        {},
    ),
    "not-a-docker-stacks-image": (
        "FROM jupyter/jupyterhub-onbuild\nCOPY app.py /srv/app/app.py\nRUN chown -R nobody /srv/app\n",
        {"app.py": "print(1)\n"},
    ),
    "chown-name-missing-on-buildkit": (
        "FROM python:3.12-alpine\nCOPY --chown=app:app app.py /app/app.py\n",
        {"app.py": "print(1)\n"},
    ),
    "uv-debian-image": (
        "FROM ghcr.io/astral-sh/uv:bookworm-slim\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --locked\n",
        {"pyproject.toml": "[project]\nname = 'x'\n", "uv.lock": "version = 1\n"},
    ),
    "id-or-useradd": ("FROM debian:bookworm\nRUN id u || useradd -m u\nUSER u\nRUN mkdir -p ~/x\n", {}),
    "getent-or-useradd": ("FROM debian:bookworm\nRUN getent passwd u || useradd -u 1500 -m u\nUSER u\n", {}),
    "test-getent-or-useradd": ('FROM node:20\nRUN test "$(getent passwd u)" || useradd -m u\nUSER u\n', {}),
    "if-not-id-then-useradd": ("FROM fedora:40\nRUN if ! id u; then useradd -m u; fi\nUSER u\nRUN touch ~/f\n", {}),
}


def _lint(tmp_path: Path, text: str, files: dict[str, str], **options: object) -> list[tuple[str, int, str, str]]:
    for rel, content in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content)
    df = tmp_path / "Dockerfile"
    df.write_text(text)
    result = lint_file(str(df), LintOptions(**options))  # type: ignore[arg-type]
    assert result.error is None, result.error
    return [(f.code, f.line, f.severity.value, f.message) for f in result.findings]


@pytest.mark.parametrize("name", sorted(NO_ERROR))
def test_real_false_errors_are_gone(name: str, tmp_path: Path) -> None:
    text, files = NO_ERROR[name]
    found = _lint(tmp_path, text, files)
    assert not [f for f in found if f[2] == "error"], found


def test_buildkit_warns_that_a_chown_did_not_happen_where_buildah_fails(tmp_path: Path) -> None:
    text, files = NO_ERROR["chown-name-missing-on-buildkit"]
    assert [(c, line, sev) for c, line, sev, _ in _lint(tmp_path, text, files)] == [("VL020", 2, "warning")]
    assert [(c, line, sev) for c, line, sev, _ in _lint(tmp_path, text, files, builder="buildah")] == [
        ("VL011", 2, "error")
    ]


def test_a_missing_copy_source_does_not_hide_a_real_problem(tmp_path: Path) -> None:
    text = (
        "FROM python:3.12-slim\nCOPY dist/*.whl /tmp/wheels/\nRUN python -m venv /opt/venv\nRUN useradd -m app\n"
        "USER app\nRUN /opt/venv/bin/pip install requests\n"
    )
    found = _lint(tmp_path, text, {})
    assert ("VL002", 6) in {(c, line) for c, line, _, _ in found}
    strict = _lint(tmp_path, text, {}, strict_context=True)
    assert ("VL011", 2) in {(c, line) for c, line, _, _ in strict}


def test_a_copy_into_an_unknown_base_leaves_the_parents_open(tmp_path: Path) -> None:
    text, _ = NO_ERROR["apt-get-installs-the-interpreter-a-copy-makes-parents"]
    (tmp_path / "app.py").write_text("x")
    (tmp_path / "Dockerfile").write_text(text)
    fs = build_from_file(str(tmp_path / "Dockerfile")).final.fs
    assert not fs.is_known_absent("/usr/bin/python3")
    assert not fs.is_known_absent("/usr/local/bin/other")
    node = fs.get("/usr/local")
    assert node is not None and node.knowledge is Knowledge.ASSUMED


def test_an_unmodelled_command_is_said_and_opens_what_its_user_could_write(tmp_path: Path) -> None:
    text = "FROM python:3.12-slim\nRUN useradd -m app\nUSER app\nRUN make -C /home/app install-local\n"
    (tmp_path / "Dockerfile").write_text(text)
    sim = build_from_file(str(tmp_path / "Dockerfile"))
    fs = sim.final.fs
    said = [a.message for a in sim.final.assumptions]
    assert any("`make -C /home/app install-local` is not modelled" in m for m in said), said
    assert not fs.is_known_absent("/home/app/anything")  # app could write there
    assert fs.is_known_absent("/opt/anything")  # root's /opt: app could not


def test_tilde_expands_to_the_running_users_home(tmp_path: Path) -> None:
    text = "FROM python:3.12-slim\nRUN useradd -m app\nUSER app\nRUN mkdir -p ~/.config ~app/.cache ~root/x || true\n"
    (tmp_path / "Dockerfile").write_text(text)
    fs = build_from_file(str(tmp_path / "Dockerfile")).final.fs
    assert fs.get("/home/app/.config") is not None and fs.get("/home/app/.cache") is not None
    assert fs.get("/root/x") is None  # app cannot write /root (and mkdir fails there)


def test_an_assumed_premise_makes_at_most_a_warning_that_says_so(tmp_path: Path) -> None:
    # The base has no profile: /app may have existed before WORKDIR made it, so its owner is assumed.
    text = "FROM debian:bookworm\nRUN useradd -m -u 1000 app\nWORKDIR /app\nUSER app\nRUN touch /app/log.txt\n"
    (tmp_path / "Dockerfile").write_text(text)
    result = lint_file(str(tmp_path / "Dockerfile"), LintOptions())
    mine = [f for f in result.findings if f.code == "VL002"]
    assert mine and all(f.severity is Severity.WARNING for f in mine)
    assert any("that /app did not exist before line 3" in a for f in mine for a in f.assumptions), mine
    # The same on a profiled image, where / is known: an error, and nothing assumed.
    (tmp_path / "Dockerfile").write_text(text.replace("debian:bookworm", "python:3.12-slim"))
    known = [f for f in lint_file(str(tmp_path / "Dockerfile"), LintOptions()).findings if f.code == "VL002"]
    assert known and all(f.severity is Severity.ERROR and not f.assumptions for f in known)
