"""Run real Python packaging tools as a non-root user and see what they write.

The method of docs/TOOLS.md ("How a cell was measured"): each experiment gets a fresh directory, the command runs as
uid 1001 gid 0 through `setpriv ... env -i` (nothing of the caller's environment leaks in), at most one location is
made unwritable (`chown root:root` + `chmod 0755` of that directory alone), and the result is the exit code, the
output and the paths that appeared. Needs root (to drop privileges and to chown).

Where things live (.ci/run prepares both while it has the network; the tests need none):
- `TOOLS_VENV` = `.ci/tools`: a venv made with Debian's /usr/bin/python3 holding the pinned tools (pip, uv, poetry,
  pipenv, pdm, hatch, pipx, virtualenv, pyinstaller). If uid 1001 cannot reach the checkout, .ci/run makes it a
  symlink to a world-readable directory; `TOOLS_VENV` is resolved.
- `WHEELS` = `.ci/tools-wheels`: six, idna, cowsay, pip, setuptools, wheel. `Exp` copies them (plus a hand-built
  `datapkg` wheel with a console script and `.data/` files, and `purepkg` 1.0 and 2.0) into each experiment, so uid
  1001 can read them.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS_VENV = (ROOT / ".ci" / "tools").resolve()
WHEELS = (ROOT / ".ci" / "tools-wheels").resolve()
SYSTEM_PYTHON = Path("/usr/bin/python3")  # Debian's: root-owned site dirs, EXTERNALLY-MANAGED
UID, GID = 1001, 0
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"


def unavailable(reason: str) -> None:
    """Skip, or fail when CI=true (the project's rule: never skip in CI)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"the tools suite is mandatory in CI (CI=true): {reason}", pytrace=False)
    pytest.skip(reason)


def tool(name: str) -> Path:
    """Path of a tool's entry point in the tools venv (skips or fails when it is missing)."""
    if os.geteuid() != 0:
        unavailable("needs root to drop privileges to uid 1001")
    if shutil.which("setpriv") is None:
        unavailable("setpriv (util-linux) missing")
    path = TOOLS_VENV / "bin" / name
    if not path.exists():
        unavailable(f"{path} missing (bash .ci/run creates the tools venv)")
    if not WHEELS.is_dir():
        unavailable(f"{WHEELS} missing (bash .ci/run downloads the test wheels)")
    return path


def wheel(prefix: str) -> Path:
    """The wheel in `WHEELS` whose file name starts with `prefix` (e.g. "pip-")."""
    found = sorted(WHEELS.glob(f"{prefix}*.whl"))
    if not found:
        unavailable(f"no {prefix}*.whl in {WHEELS}")
    return found[-1]


@dataclass
class Result:
    rc: int
    out: str  # stdout and stderr together
    created: list[str]  # paths (relative to the experiment dir, or absolute outside it) that appeared
    removed: list[str] = field(default_factory=list)

    def has(self, rel: str) -> bool:
        return rel in self.created

    def __str__(self) -> str:  # shown by pytest when an assertion fails
        return f"rc={self.rc}\n{self.out}\ncreated={self.created[:40]}"


def build_datapkg_wheel(dest: Path) -> Path:
    """A wheel `datapkg 1.0` with a console script `dp` and `.data/{data,scripts,headers}` files."""
    name = "datapkg-1.0"
    files = {
        "datapkg/__init__.py": "def main():\n    print('dp')\n",
        f"{name}.data/data/share/datapkg/readme.txt": "data\n",
        f"{name}.data/data/etc/datapkg.conf": "x=1\n",
        f"{name}.data/scripts/dp-script": "#!python\nprint('script')\n",
        f"{name}.data/headers/datapkg.h": "/* h */\n",
        f"{name}.dist-info/METADATA": "Metadata-Version: 2.1\nName: datapkg\nVersion: 1.0\n",
        f"{name}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: venvlint-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{name}.dist-info/entry_points.txt": "[console_scripts]\ndp = datapkg:main\n",
    }
    return write_wheel(dest, name, files)


def write_wheel(dest: Path, name: str, files: dict[str, str]) -> Path:
    """`dest/NAME-py3-none-any.whl` holding `files` and the RECORD that lists them (a `scripts/` file executable)."""
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{name}.dist-info/RECORD,,")
    files = {**files, f"{name}.dist-info/RECORD": "\n".join(record) + "\n"}
    out = dest / f"{name}-py3-none-any.whl"
    with zipfile.ZipFile(out, "w") as zf:
        for path, text in files.items():
            info = zipfile.ZipInfo(path, (2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if "scripts/" in path else 0o644) << 16
            zf.writestr(info, text)
    return out


def build_pure_wheels(dest: Path) -> None:
    """`purepkg` 1.0 and 2.0: one package directory and its `.dist-info`, nothing else (no scripts, no data)."""
    for version in ("1.0", "2.0"):
        name = f"purepkg-{version}"
        files = {
            "purepkg/__init__.py": f"VERSION = {version!r}\n",
            f"{name}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: purepkg\nVersion: {version}\n",
            f"{name}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: venvlint-tests\nRoot-Is-Purelib: true\n"
            "Tag: py3-none-any\n",
        }
        write_wheel(dest, name, files)


def build_sdist(dest: Path, name: str = "sdpkg") -> Path:
    """A setuptools sdist `NAME-1.0.tar.gz` (module NAME, console script NAME): building it needs setuptools, so pip
    makes a build environment and caches the wheel it builds."""
    import io
    import tarfile

    top = f"{name}-1.0"
    files = {
        "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
        f'[project]\nname = "{name}"\nversion = "1.0"\n[project.scripts]\n{name} = "{name}:main"\n'
        f'[tool.setuptools]\npy-modules = ["{name}"]\n',
        f"{name}.py": "def main():\n    print('hi')\n",
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
    }
    out = dest / f"{top}.tar.gz"
    with tarfile.open(out, "w:gz") as tf:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size, info.mode, info.mtime = len(data), 0o644, 1767225600
            tf.addfile(info, io.BytesIO(data))
    return out


def _snapshot(roots: Iterable[Path]) -> set[str]:
    seen: set[str] = set()
    for root in roots:
        if not root.exists():
            continue
        seen.add(str(root))
        for dirpath, dirnames, filenames in os.walk(root):
            for n in dirnames + filenames:
                seen.add(os.path.join(dirpath, n))
    return seen


class Exp:
    """One experiment directory `E` (root:root 0755, like /opt) with `E/home` and `E/work` owned by the user and a
    root-owned copy of the wheels in `E/wheels`. `E` is under /tmp so that uid 1001 can reach it."""

    def __init__(self, name: str = "exp") -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"vl-tools-{name}-", dir="/tmp"))
        os.chmod(self.dir, 0o755)
        self.home = self.user_dir("home")
        self.work = self.user_dir("work")
        self.wheels = self.dir / "wheels"
        shutil.copytree(WHEELS, self.wheels)
        build_datapkg_wheel(self.wheels)
        build_pure_wheels(self.wheels)
        build_sdist(self.wheels)
        for p in [self.wheels, *self.wheels.iterdir()]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        self.extra_roots: list[Path] = []  # outside E, also snapshotted (e.g. /usr/local/lib/...)

    def simple_index(self) -> str:
        """A PEP 503 index of the wheels as plain files (`E/wheels/simple/<name>/index.html`): its file:// URL works
        where a tool wants an index URL rather than find-links (pipenv, pdm)."""
        root = self.wheels / "simple"
        for f in sorted(self.wheels.iterdir()):
            if f.suffix not in (".whl", ".gz"):
                continue
            name = f.name.split("-")[0].lower().replace("_", "-")
            d = root / name
            d.mkdir(parents=True, exist_ok=True)
            with (d / "index.html").open("a") as fh:
                fh.write(f'<a href="../../{f.name}">{f.name}</a>\n')
        for p in [root, *root.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        return root.as_uri()

    def __enter__(self) -> Exp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, rel: str) -> Path:
        return self.dir / rel

    def user_dir(self, rel: str, mode: int = 0o755) -> Path:
        """Create `E/rel` (and parents below E) owned by the user."""
        p = self.dir / rel
        p.mkdir(parents=True, exist_ok=True)
        q = p
        while q != self.dir:
            os.chown(q, UID, GID)
            q = q.parent
        os.chmod(p, mode)
        return p

    def chown_user(self, rel: str) -> None:
        """Give the whole tree `E/rel` to the user (as after `COPY --chown` or `chown -R`)."""
        for dirpath, dirnames, filenames in os.walk(self.dir / rel):
            for n in [dirpath, *(os.path.join(dirpath, f) for f in dirnames + filenames)]:
                os.lchown(n, UID, GID)

    def lock(self, path: str | Path) -> Path:
        """Make one directory unwritable for the user: chown root:root, chmod 0755 (that inode only)."""
        p = path if isinstance(path, Path) else self.dir / path
        if not p.parent.exists() and p.parent.is_relative_to(self.dir):
            self.user_dir(str(p.parent.relative_to(self.dir)))  # missing parents belong to the user
        p.mkdir(parents=True, exist_ok=True)
        os.chown(p, 0, 0)
        os.chmod(p, 0o755)
        return p

    def as_root(
        self, cmd: Sequence[str | Path], cwd: Path | None = None, env: Mapping[str, str | None] | None = None
    ) -> Result:
        """Run a setup command as root (same clean environment as `run`)."""
        return self.run(cmd, cwd=cwd, env=env, root=True)

    def run(
        self,
        cmd: Sequence[str | Path],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str | None] | None = None,
        path: str | None = None,
        root: bool = False,
        timeout: float = 180,
        pycache: bool = False,
    ) -> Result:
        """Run `cmd` as uid 1001 gid 0 with `env -i`: PATH (tools venv's bin last), HOME=E/home, LANG, and pip's
        config and version check off; `env` adds or overrides (None unsets). `created` leaves out `__pycache__` paths
        (the tools' own bytecode) unless `pycache`."""
        full_env: dict[str, str | None] = {
            "PATH": path or f"{BASE_PATH}:{TOOLS_VENV / 'bin'}",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "PIP_CONFIG_FILE": "/dev/null",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            **(env or {}),
        }
        argv = [str(c) for c in cmd]
        wrap = ["env", "-i", *(f"{k}={v}" for k, v in full_env.items() if v is not None), *argv]
        if not root:
            wrap = ["setpriv", f"--reuid={UID}", f"--regid={GID}", "--clear-groups", *wrap]
        roots = [self.dir, *self.extra_roots]
        before = _snapshot(roots)
        proc = subprocess.run(
            wrap,
            cwd=cwd or self.work,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
        after = _snapshot(roots)

        def rel(p: str) -> str:
            return os.path.relpath(p, self.dir) if p.startswith(str(self.dir) + "/") else p

        def keep(p: str) -> bool:  # the tools' own bytecode caches are noise
            return pycache or "__pycache__" not in p

        return Result(
            proc.returncode,
            proc.stdout,
            sorted(rel(p) for p in after - before if keep(p)),
            sorted(rel(p) for p in before - after if keep(p)),
        )


def make_venv(exp: Exp, rel: str, *packages: str, owner_user: bool = True) -> Path:
    """A venv at `E/rel` made with Debian's python3 (no pip unless asked), with `packages` installed offline from the
    experiment's wheels (--no-compile: no .pyc yet). Owned by the user when `owner_user`, else by root."""
    venv = exp.dir / rel
    r = exp.as_root([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)])
    assert r.rc == 0, r
    if packages:
        r = exp.as_root(
            [str(TOOLS_VENV / "bin" / "python"), "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
             "-q", "--no-compile", "--no-index", "--find-links", str(exp.wheels), *packages]
        )  # fmt: skip
        assert r.rc == 0, r
    if owner_user:
        exp.chown_user(rel)
    return venv


def system_like_python(exp: Exp, rel: str = "py") -> Path:
    """A root-owned copy of Debian's python3.11 prefix at `E/rel` without EXTERNALLY-MANAGED, with pip from `WHEELS`
    (like the python:3.x images: the interpreter's own site dir is root-owned and pip may install there). Debian's
    sysconfig puts its purelib at `E/rel/local/lib/python3.11/dist-packages` (missing, under root-owned dirs).
    Returns the interpreter."""
    d = exp.dir / rel
    (d / "bin").mkdir(parents=True)
    shutil.copy2("/usr/bin/python3.11", d / "bin" / "python3.11")
    os.symlink("python3.11", d / "bin" / "python3")
    shutil.copytree(
        "/usr/lib/python3.11",
        d / "lib" / "python3.11",
        symlinks=True,
        ignore=shutil.ignore_patterns("test", "__pycache__", "EXTERNALLY-MANAGED"),
    )
    py = d / "bin" / "python3"
    pip = exp.wheels / wheel("pip-").name
    r = exp.as_root([py, f"{pip}/pip", "install", "-q", "--no-index", "--find-links", exp.wheels, "pip"])
    assert r.rc == 0, r
    return py


def mode_of(p: Path) -> str:
    return oct(stat.S_IMODE(p.stat().st_mode))
