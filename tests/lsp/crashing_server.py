"""Test-only wrapper: `venvlint lsp` whose lint raises for any Dockerfile named `Crash.Dockerfile`, and takes 1.5 s
more for a text that holds the comment `# slow lint (test)`.

The product has no test hooks: this script replaces `venvlint.lint.lint_file` (which the server calls for every
lint) before running the real command line's `venvlint lsp`, so that one document's lint fails the way a bug in
venvlint would (or is slow, as a registry read can be) while the others go through the real engine. Used by
tests/lsp/test_server.py only.
"""

from __future__ import annotations

import os
import time
from typing import Any

from venvlint import cli, lint

_real = lint.lint_file


def _lint_file(path: str, options: Any, text: str | None = None) -> Any:
    if os.path.basename(path) == "Crash.Dockerfile":
        raise RuntimeError("boom (the test wrapper's failure)")
    if text is not None and "# slow lint (test)" in text:
        time.sleep(1.5)
    return _real(path, options, text)


lint.lint_file = _lint_file  # type: ignore[assignment]
cli.main(["lsp"])
