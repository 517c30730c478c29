"""pygls is the language server's alone: a lint, and `import venvlint.cli`, never import it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported(*args: str) -> set[str]:
    r = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True, text=True, timeout=60,
                       cwd=ROOT)  # fmt: skip
    assert r.returncode in (0, 1), r.stderr[-2000:]
    return {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time")}


def test_a_lint_does_not_import_the_language_server() -> None:
    modules = imported("-m", "venvlint", "--no-fail", str(ROOT / "examples" / "Dockerfile"))
    assert "venvlint.simulate.engine" in modules  # the measurement works
    assert not {m for m in modules if m.split(".")[0] in ("pygls", "lsprotocol", "cattrs")}
    assert "venvlint.lsp" not in modules
    modules = imported("-c", "import venvlint.cli")
    assert not {m for m in modules if m.split(".")[0] in ("pygls", "lsprotocol")}


def test_lsp_is_a_listed_subcommand() -> None:
    r = subprocess.run([sys.executable, "-m", "venvlint", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "\n  lsp " in r.stdout, r.stdout
