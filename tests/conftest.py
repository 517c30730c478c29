"""Settings every test shares.

No test reaches a registry it did not start: the command line is online by default (it reads base images without a
profile from their registries), so the suite runs offline, with a profile cache of its own, unless a test says
otherwise (tests/registry starts Debian's docker-registry on loopback and sets VENVLINT_OFFLINE=0 itself). Set here,
at import, so that the console scripts the tests start inherit it too.
"""

from __future__ import annotations

import os
import tempfile

os.environ["VENVLINT_OFFLINE"] = "1"
os.environ.setdefault("VENVLINT_CACHE_DIR", tempfile.mkdtemp(prefix="venvlint-test-cache-"))
