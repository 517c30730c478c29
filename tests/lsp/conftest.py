"""The language server's tests compare it with the command line: both must read the same config, so neither reads
the user's own (`$XDG_CONFIG_HOME/venvlint/config.yaml`). Set at import, so that every server and console script the
tests start inherits it."""

from __future__ import annotations

import os
import tempfile

os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="venvlint-lsp-test-xdg-")
