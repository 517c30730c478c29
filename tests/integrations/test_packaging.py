"""The wheel and sdist built from the checkout contain the package under its one import name and lint."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_build_wheel_and_sdist_and_run_the_wheel(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    p = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                       capture_output=True, text=True, timeout=600)  # fmt: skip
    assert p.returncode == 0, p.stdout + p.stderr
    (wheel,) = dist.glob("venvlint-*.whl")
    (sdist,) = dist.glob("venvlint-*.tar.gz")
    names = zipfile.ZipFile(wheel).namelist()
    assert "venvlint/cli.py" in names and "venvlint/rules/vl001_dir_reset_by_copy.py" in names
    assert "venvlint/profiles/builtin.yaml" in names and "venvlint/profiles/builtin.json" in names
    assert not any(n.startswith(("linter/", "rules/")) for n in names), "no top-level linter/ or rules/ package"
    assert any(n.endswith("entry_points.txt") for n in names)
    with tarfile.open(sdist) as tf:
        assert any(n.endswith("/linter/cli.py") for n in tf.getnames())
    target = tmp_path / "site"
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(target),
                        str(wheel)], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert p.returncode == 0, p.stderr
    # -S: no site processing, so the development (editable) install cannot shadow the wheel; dependencies come
    # from this environment's site-packages as a plain path entry.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), sysconfig.get_paths()["purelib"]])}
    code = "import sys, venvlint; assert venvlint.__file__.startswith(sys.argv[1]), venvlint.__file__; from venvlint.cli import main; sys.argv = ['venvlint', sys.argv[2]]; main()"
    p = subprocess.run([sys.executable, "-S", "-c", code, str(target), str(ROOT / "examples" / "Dockerfile")],
                       capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert p.returncode == 1, p.stdout + p.stderr
    assert "VL001" in p.stdout
