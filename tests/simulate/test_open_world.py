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
    said = [a.message for a in sim.final.record.assumptions]
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


# Found by a review of the change (each was a false error): what they rest on is not known.
REVIEW_NO_ERROR = {
    "subshell-keeps-an-open-environment": (
        "FROM mycorp/base\nCOPY venv/ /opt/venv/\nUSER 1000\nRUN (true); /opt/venv/bin/pip install x\n",
        {"venv/bin/pip": "x", "venv/lib/python3.12/site-packages/x": "x"},
    ),
    "env-keeps-an-open-environment": (
        "FROM mycorp/base\nCOPY venv/ /opt/venv/\nUSER 1000\nRUN env A=1 /opt/venv/bin/pip install x\n",
        {"venv/bin/pip": "x", "venv/lib/python3.12/site-packages/x": "x"},
    ),
    "set-e-ignores-a-failing-and-list": (
        "FROM python:3.12-slim\nRUN python -m venv /opt/venv && useradd -m app\n"
        "RUN set -e; [ -f /opt/venv/marker ] && echo has-marker; chown -R app /opt/venv\n"
        "USER app\nRUN /opt/venv/bin/pip install x\n",
        {},
    ),
    "set-e-ignores-a-negated-command": (
        "FROM python:3.12-slim\nRUN python -m venv /opt/venv && useradd -m app\n"
        "RUN set -e; ! true; chown -R app /opt/venv\nUSER app\nRUN /opt/venv/bin/pip install x\n",
        {},
    ),
    "exit-stops-the-script": ("FROM python:3.12-slim\nRUN useradd -m app\nUSER app\nRUN exit 0; mkdir /opt/venv\n", {}),
    "an-exit-that-may-run": (
        "FROM python:3.12-slim\nRUN useradd -m app\nUSER app\n"
        'RUN if [ "$(id -u)" != "0" ]; then echo skip; exit 0; fi; mkdir /opt/venv\n',
        {},
    ),
    "a-guessed-uid-given-by-chown": (
        "FROM ubuntu:24.04\nRUN useradd -m app\nCOPY --chown=app:app srv/ /srv/\nUSER 1001\nRUN touch /srv/data/x\n",
        {"srv/data/f": "x"},
    ),
    "useradd-numeric-supplementary-group-0": (
        "FROM python:3.12-slim\nCOPY srv/ /srv/\nRUN chmod 775 /srv/data && useradd -G 0 app\nUSER app\nRUN touch /srv/data/x\n",
        {"srv/data/f": "x"},
    ),
    "useradd-group-root-on-an-unknown-base": (
        "FROM myorg/base\nCOPY srv/ /srv/\nRUN chmod 775 /srv/data && useradd -G root app\nUSER app\nRUN touch /srv/data/x\n",
        {"srv/data/f": "x"},
    ),
    "a-user-that-may-have-existed": (
        "FROM myorg/base\nCOPY srv/ /srv/\nRUN chmod 775 /srv/data && (id app || useradd app)\nUSER app\nRUN touch /srv/data/x\n",
        {"srv/data/f": "x"},
    ),
    "find-exec-chown": (
        "FROM python:3.12-slim\nRUN python -m venv /opt/venv\nRUN useradd -m app\n"
        "RUN find /opt/venv -exec chown app {} +\nUSER app\nRUN /opt/venv/bin/pip install x\n",
        {},
    ),
    "xargs-chown": (
        "FROM python:3.12-slim\nRUN python -m venv /opt/venv\nRUN useradd -m app\n"
        "RUN echo /opt/venv | xargs chown -R app\nUSER app\nRUN /opt/venv/bin/pip install x\n",
        {},
    ),
    "a-script-run-as-root": (
        "FROM python:3.12-slim\nRUN python -m venv /opt/venv\nRUN useradd -m app\nCOPY fix.sh /\nRUN /fix.sh\n"
        "USER app\nRUN /opt/venv/bin/pip install x\n",
        {"fix.sh": "chown -R app /opt/venv\n"},
    ),
    "chown-to-oneself-with-computed-ids": (
        'FROM python:3.12-slim\nRUN useradd -m app\nUSER app\nRUN touch /home/app/f && chown "$(id -u):$(id -g)" /home/app/f\n',
        {},
    ),
    "install-o-oneself": (
        "FROM python:3.12-slim\nRUN useradd -m app\nUSER app\nRUN install -d -o app -m 755 /home/app/data\n",
        {},
    ),
    "cp-a-by-a-user-owns-the-copy": (
        "FROM python:3.12-slim\nRUN python -m venv /opt/venv && useradd -m app\nUSER app\n"
        "RUN cp -a /opt/venv /home/app/venv && /home/app/venv/bin/python -m pip install x\n",
        {},
    ),
    "cd-to-an-unknown-home": (
        'FROM python:3.12-slim\nRUN useradd -m -d "$(echo /home/app)" app\nUSER app\nRUN cd && mkdir .cache\n',
        {},
    ),
    "pattern-removal-of-an-unknown-value": ("FROM mycorp/x\nWORKDIR ${FOO#?}\nRUN mkdir sub\n", {}),
    "alternate-value-of-an-unknown-variable": (
        "FROM mycorp/x\nUSER 1000\nWORKDIR ${APP_ROOT:+/srv/app}\nRUN touch x\n",
        {},
    ),
}


@pytest.mark.parametrize("name", sorted(REVIEW_NO_ERROR))
def test_review_false_errors_are_gone(name: str, tmp_path: Path) -> None:
    text, files = REVIEW_NO_ERROR[name]
    found = _lint(tmp_path, text, files)
    assert not [f for f in found if f[2] == "error"], found
    assert not any("\x00" in f[3] for f in found), found


def test_an_unmodelled_command_that_may_change_owners_is_named_by_the_finding(tmp_path: Path) -> None:
    text, files = REVIEW_NO_ERROR["a-script-run-as-root"]
    for rel, content in files.items():
        (tmp_path / rel).write_text(content)
    (tmp_path / "Dockerfile").write_text(text)
    result = lint_file(str(tmp_path / "Dockerfile"), LintOptions())
    mine = [f for f in result.findings if f.code == "VL002"]
    assert mine and all(f.severity is Severity.WARNING for f in mine)
    assert any("`/fix.sh` (line 5, not modelled) left the owner and mode" in a for f in mine for a in f.assumptions)


def test_copy_from_a_stage_keeps_which_listings_are_complete(tmp_path: Path) -> None:
    """A venv lists only what venvlint models (pip and the activate scripts are not listed): a copy of it is not
    known to lack anything, while a directory the other stage made whole still is."""
    text = (
        "FROM python:3.12-slim AS build\nRUN python -m venv /opt/venv && mkdir -p /opt/data/sub\n"
        "FROM python:3.12-slim\nCOPY --from=build /opt /opt\n"
    )
    (tmp_path / "Dockerfile").write_text(text)
    fs = build_from_file(str(tmp_path / "Dockerfile")).final.fs
    assert not fs.is_known_absent("/opt/venv/bin/pip")
    assert not fs.is_known_absent("/opt/venv/lib/python3.12/site-packages/pip")
    assert fs.is_known_absent("/opt/data/sub/anything")


def test_a_chown_over_a_copied_venv_says_its_files_are_not_all_listed(tmp_path: Path) -> None:
    text = (
        "FROM python:3.12-slim AS build\nRUN python -m venv /app/.venv\n"
        "FROM python:3.12-slim\nRUN useradd -m app\nCOPY --from=build /app /app\nRUN chown -R app:app /app\n"
    )
    (tmp_path / "Dockerfile").write_text(text)
    found = [f for f in lint_file(str(tmp_path / "Dockerfile"), LintOptions()).findings if f.code == "VL009"]
    assert [(f.line, f.path) for f in found] == [(6, "/app")]
    assert "not listed file by file" in found[0].message and "its one file" not in found[0].message


def test_a_system_package_manager_writes_only_the_fhs_trees(tmp_path: Path) -> None:
    """apt-get as root may add files below /usr, /etc, /var, ... and system accounts, but not below a directory
    the build made elsewhere (Debian Policy 9.1.1: packages follow the FHS) nor below /opt, /home or /root; its
    arguments are package names, not paths."""
    text = (
        "FROM python:3.12-slim\nWORKDIR /app\nRUN mkdir /app/data\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
    )
    (tmp_path / "Dockerfile").write_text(text)
    sim = build_from_file(str(tmp_path / "Dockerfile"))
    fs = sim.final.fs
    assert not fs.is_known_absent("/usr/lib/curl-thing")
    # The Debian archive installs nothing below /opt, /home or /root (measured: bookworm's Contents-amd64).
    assert fs.is_known_absent("/opt/vendor")
    assert fs.is_known_absent("/home/anything")
    assert not fs.is_known_absent("/etc/skel/.bashrc")  # a shell's dotfile may come with it; nothing else
    assert fs.is_known_absent("/etc/skel/.local")
    assert not sim.final.users.complete  # a package may add a system account...
    assert sim.final.users.next_uid() == 1000  # ...below 1000: a regular account's uid stays known
    assert sim.final.users.next_uid(system=True) is None
    assert fs.is_known_absent("/app/curl")  # a package name, not a path
    assert fs.is_known_absent("/app/data/anything")
    # `make` is not a package manager: as root it may write anywhere, /app included.
    (tmp_path / "Dockerfile").write_text(text + "RUN make -C /srv\n")
    fs = build_from_file(str(tmp_path / "Dockerfile")).final.fs
    assert not fs.is_known_absent("/app/data/anything")


@pytest.mark.parametrize(
    "install",
    [
        'echo "deb http://example.com/ stable main" > /etc/apt/sources.list.d/x.list && apt-get update '
        "&& apt-get install -y thing",
        "apt-get update && apt-get install -y ./thing.deb",
        "dpkg -i thing.deb",
        "curl -fsSL https://example.com/setup | bash && apt-get install -y thing",
    ],
)
def test_a_package_from_another_source_may_write_anywhere_in_the_fhs(tmp_path: Path, install: str) -> None:
    """A package source the build added, a package file or a setup script: the package's paths are not the
    Debian archive's, so /opt and the accounts are open as for any package manager."""
    (tmp_path / "Dockerfile").write_text(f"FROM python:3.12-slim\nRUN {install}\n")
    sim = build_from_file(str(tmp_path / "Dockerfile"))
    assert not sim.final.fs.is_known_absent("/opt/vendor")
    assert sim.final.users.next_uid() is None


def test_who_matters_only_by_uid_where_group_and_others_lack_the_permission() -> None:
    """A verdict "not writable" on a 0:0 0755 directory holds for any uid but 0, whatever its groups: a USER given
    as a number needs no account to be known for it. On a 0775 directory the groups matter, so an assumed account
    stays assumed."""
    from venvlint.model.access import Identity, who_premise
    from venvlint.model.fs import Kind, Knowledge, Node

    assumed = Identity(1001, 0, frozenset(), "default", "1001", knowledge=Knowledge.ASSUMED)
    closed = Node(Kind.DIR, 0, 0, 0o755)
    shared = Node(Kind.DIR, 0, 0, 0o775)
    assert who_premise(assumed, closed, "wx").known
    assert not who_premise(assumed, shared, "wx").known
    assert not who_premise(assumed, closed).known  # without the permission asked, nothing is concluded
    by_name = Identity(1001, 0, frozenset(), "default", "default", knowledge=Knowledge.ASSUMED)
    assert not who_premise(by_name, closed, "wx").known  # a name: its uid is what the accounts say
