"""Safety: venvlint never runs anything from a Dockerfile, never writes outside its `-o` targets, reads YAML only
with the safe loader, and none of its regular expressions backtracks catastrophically."""

from __future__ import annotations

import ast
import hashlib
import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIRS = [ROOT / "linter", ROOT / "rules"]


def package_sources() -> list[Path]:
    return sorted(p for d in PACKAGE_DIRS for p in d.rglob("*.py"))


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file and directory below root: (mode, size, content hash) — a write anywhere shows."""
    out: dict[str, tuple[int, int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink() else ""
            out[str(p.relative_to(root))] = (st.st_mode, st.st_size, digest)
    return out


def run(args: list[str], cwd: Path, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "venvlint", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def sandbox(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A tree holding the inputs, HOME, XDG dirs and TMPDIR of the run, so every write venvlint makes lands in it."""
    for d in ("home", "xdg-config", "xdg-cache", "tmp", "work", "project/ctx"):
        (tmp_path / d).mkdir(parents=True)
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "TMPDIR": str(tmp_path / "tmp"),
        "PYTHONDONTWRITEBYTECODE": "1",  # Python's own caches are not venvlint's writes
        "NO_COLOR": "1",
    }
    return tmp_path, env


def hostile_dockerfile(markers: Path) -> str:
    """Every place a command could hide: RUN (shell, exec, heredoc), CMD, ENTRYPOINT, HEALTHCHECK, ONBUILD, SHELL,
    command substitutions in ARG/ENV/LABEL/WORKDIR/USER, ADD of a URL and a git repository."""
    m = markers
    return f"""# syntax=docker/dockerfile:1
# escape=\\
ARG A=$(touch {m}/arg) B=`touch {m}/arg2`
FROM python:3.12-slim AS base
ENV E="$(touch {m}/env)" F=`touch {m}/env2`
LABEL l="$(touch {m}/label)"
SHELL ["/bin/sh", "-c", "touch {m}/shell; sh -c \\"$@\\""]
RUN touch {m}/run && python -c 'open("{m}/py", "w")'
RUN ["/bin/sh", "-c", "touch {m}/exec"]
RUN <<EOF
touch {m}/heredoc
EOF
RUN --mount=type=bind,source=.,target=/src touch {m}/mount
WORKDIR /$(touch {m}/workdir)
USER $(touch {m}/user)
ADD https://example.invalid/payload.sh /payload.sh
ADD git@example.invalid:repo.git /repo
ONBUILD RUN touch {m}/onbuild
HEALTHCHECK CMD touch {m}/health
FROM base
ENTRYPOINT ["/bin/sh", "-c", "touch {m}/entrypoint"]
CMD touch {m}/cmd
"""


def test_nothing_from_the_dockerfile_is_ever_run(sandbox: tuple[Path, dict[str, str]]) -> None:
    tmp, env = sandbox
    markers = tmp / "markers"
    markers.mkdir()
    df = tmp / "project" / "ctx" / "Dockerfile"
    df.write_text(hostile_dockerfile(markers))
    config = tmp / "project" / ".venvlint.yaml"
    config.write_text("runtime-users: ['$(touch " + str(markers / "config") + ")']\n")
    for args in (
        [str(df)],
        ["--format", "json", str(df)],
        ["--format", "sarif", str(df)],
        ["--target", "base", "--build-arg", f"A=$(touch {markers}/buildarg)", str(df)],
        ["explain", str(df), "/opt/app-root", "/$(touch x)"],
    ):
        r = run(args, tmp / "work", env)
        assert r.returncode in (0, 1, 2), r.stderr
        assert "Traceback" not in r.stderr
    r = run(["-"], tmp / "work", env, stdin=hostile_dockerfile(markers))
    assert r.returncode in (0, 1, 2) and "Traceback" not in r.stderr
    assert list(markers.iterdir()) == []


def test_writes_only_the_output_files(sandbox: tuple[Path, dict[str, str]]) -> None:
    tmp, env = sandbox
    ctx = tmp / "project" / "ctx"
    (ctx / "Dockerfile").write_text((ROOT / "examples" / "Dockerfile").read_text())
    (ctx / "overlay" / "opt" / "app-root").mkdir(parents=True)
    (ctx / ".dockerignore").write_text("*.pyc\n")
    (tmp / "project" / ".venvlint.yaml").write_text("failure-threshold: error\n")
    outputs = tmp / "work" / "out"
    outputs.mkdir()
    before = snapshot(tmp)
    df = str(ctx / "Dockerfile")
    runs = [
        [df, "-f", "sarif", "-o", str(outputs / "r.sarif"), "-f", "json", "-o", str(outputs / "r.json")],
        [df, "-f", "junit", "-o", str(outputs / "r.xml"), "-f", "gitlab", "-o", str(outputs / "r.gitlab.json")],
        [df, "-f", "github"],
        ["--jobs", "2", df, df, df, df, df],  # the worker processes write nothing either
        [str(tmp / "project")],  # a directory argument (discovery reads .gitignore files)
        ["explain", df, "/opt/app-root"],
        ["rules"],
        ["rule", "VL001"],
    ]
    for args in runs:
        r = run(args, tmp / "work", env)
        assert r.returncode in (0, 1), r.stderr
    after = snapshot(tmp)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    expected = {f"work/out/{n}" for n in ("r.sarif", "r.json", "r.xml", "r.gitlab.json")}
    assert changed - {"work/out"} == expected, sorted(changed - expected)  # (a directory's size may change)


@pytest.mark.parametrize("option", ["--config", "--profiles"])
def test_yaml_tags_that_would_run_code_are_refused(sandbox: tuple[Path, dict[str, str]], option: str) -> None:
    tmp, env = sandbox
    marker = tmp / "markers" / "yaml"
    marker.parent.mkdir()
    evil = tmp / "project" / "evil.yaml"
    evil.write_text(f"!!python/object/apply:os.system ['touch {marker}']\n")
    df = tmp / "project" / "Dockerfile"
    df.write_text("FROM python:3.12-slim\nRUN true\n")
    r = run([option, str(evil), str(df)], tmp / "work", env)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "invalid YAML" in r.stderr and "python/object/apply" in r.stderr and "Traceback" not in r.stderr
    assert not marker.exists()


def test_the_package_has_no_way_to_run_commands_or_unsafe_yaml() -> None:
    """What the package's own code calls, read from its syntax tree (so comments and strings do not count)."""
    forbidden_modules = {"subprocess", "pty", "pickle", "marshal", "shelve"}
    forbidden_attrs = {
        "os": {"system", "popen", "execv", "execve", "execvp", "execvpe", "execl", "spawnv", "spawnl", "startfile",
               "posix_spawn", "posix_spawnp"},
        "yaml": {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all"},
    }  # fmt: skip
    forbidden_names = {"eval", "exec"}
    found: list[str] = []
    for path in package_sources():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
                # parallel.py pickles results between venvlint's own processes, over a pipe no one else holds.
                allowed = {"pickle"} if path.name == "parallel.py" else set()
                # registry/auth.py runs the one program docker's protocol requires: the credential helper the user's
                # docker or podman configuration names (`docker-credential-NAME get`, no shell, never from a
                # Dockerfile); tests/registry/test_auth.py holds it to that.
                if path.name == "auth.py" and path.parent.name == "registry":
                    allowed = {"subprocess"}
                found += [
                    f"{path.name}: import {n}" for n in names if n and n.split(".")[0] in forbidden_modules - allowed
                ]
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            if isinstance(f, ast.Name) and f.id in forbidden_names:
                found.append(f"{path.name}:{node.lineno}: {f.id}(...)")
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                base, name = f.value.id, f.attr
                if base == "os" and name == "fork" and path.name != "parallel.py":
                    # --jobs forks copies of venvlint itself (parallel.py); nothing may exec another program.
                    found.append(f"{path.name}:{node.lineno}: os.fork(...) outside parallel.py")
                # yaml.load and yaml.compose only with a safe loader named where they are called.
                loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                safe_loader = isinstance(loader, ast.Attribute) and loader.attr in ("SafeLoader", "CSafeLoader")
                if name in forbidden_attrs.get(base, ()) and not (base == "yaml" and name == "load" and safe_loader):
                    found.append(f"{path.name}:{node.lineno}: {base}.{name}(...)")
                if base == "yaml" and name == "compose" and not safe_loader:
                    found.append(f"{path.name}:{node.lineno}: yaml.compose without SafeLoader")
    assert found == []


# -- regular expressions -------------------------------------------------------------------------------------------

RE_FUNCS = {"compile", "match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer"}


def package_regexes() -> list[tuple[str, str, str]]:
    """(where, re function, pattern) for every regular expression literal the package passes to the `re` module."""
    out: list[tuple[str, str, str]] = []
    for path in package_sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.func.attr in RE_FUNCS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                out.append((where, node.func.attr, node.args[0].value))
    return out


def adversarial_inputs(pattern: str) -> list[str]:
    """Long runs built from the characters the pattern mentions, each followed by a character that makes the match
    fail at the end: what drives a backtracking engine into exponential or quadratic work."""
    alphabet = sorted({c for c in pattern if c.isprintable()} | set(" \t-.:=/#a0"))
    n = 20_000
    out = []
    for c in alphabet:
        for tail in ("\n", "!", "\x00", ""):
            out.append(c * n + tail)
    for a, b in itertools.pairwise(alphabet):
        out.append((a + b) * (n // 2) + "\x00")
    out.append("".join(alphabet) * (n // max(len(alphabet), 1)) + "\x00")
    return out


REGEXES = package_regexes()


def test_the_audit_finds_the_package_regexes() -> None:
    assert len(REGEXES) >= 15, REGEXES  # a broken finder would make the next test vacuous


@pytest.mark.parametrize(("where", "func", "pattern"), REGEXES, ids=[w for w, _, _ in REGEXES])
def test_no_regex_backtracks_catastrophically(where: str, func: str, pattern: str) -> None:
    """Each pattern the way the package uses it: a compiled pattern every way, `re.fullmatch(...)` as fullmatch."""
    rx = re.compile(pattern)
    uses = ("match", "search", "fullmatch") if func == "compile" else (func,)
    for text in adversarial_inputs(pattern):
        start = time.perf_counter()
        for use in uses:
            getattr(rx, use)(text)
        elapsed = time.perf_counter() - start
        assert elapsed < 0.5, f"{where}: {pattern!r} took {elapsed:.2f} s on {text[:20]!r}... ({len(text)} chars)"


@pytest.mark.parametrize(
    "text",
    [
        "# escape=" + " " * 50_000 + "x\nFROM scratch\n",
        "FROM scratch\n# venvlint ignore=VL001" + " " * 50_000 + "x\nRUN true\n",
        "FROM scratch\nLABEL a=" + "$" * 200_000 + "\n",
        "FROM scratch\nENV a=" + "${" * 50_000 + "\n",
        "FROM scratch\nRUN cat <<'" + "a" * 100_000 + "\n",
        "FROM scratch\nRUN " + "<<" * 50_000 + "\n",
        "FROM " + ":" * 50_000 + "@" * 50_000 + "\n",
        "FROM scratch\nCOPY --chmod=" + "u" * 50_000 + "+x a /b\n",
        "FROM scratch\nRUN chmod " + "ugo" * 30_000 + "+x /a\n",
        "FROM scratch\nRUN " + "\\\n" * 20_000 + "true\n",
    ],
    ids=[
        "directive",
        "pragma",
        "dollars",
        "open-braces",
        "heredoc-name",
        "heredoc-markers",
        "image-ref",
        "chmod-flag",
        "chmod-arg",
        "escapes",
    ],
)
def test_adversarial_lines_lint_quickly(tmp_path: Path, text: str) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text(text)
    start = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "venvlint", str(df)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    elapsed = time.perf_counter() - start
    assert r.returncode in (0, 1, 2) and "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert elapsed < 20, f"{elapsed:.1f} s"


def test_ignore_patterns_match_in_linear_time(tmp_path: Path) -> None:
    from venvlint.buildcontext import match_component, parse_ignore

    name = "a" * 5000
    start = time.perf_counter()
    assert not match_component("*a" * 200 + "b", name)
    (p,) = parse_ignore("**/" + "*a" * 50 + "b")
    assert not p.match("/".join([name] * 20))
    assert time.perf_counter() - start < 2
