from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from venvlint.explain import explain

PREAMBLE = (
    "FROM scratch AS base\n"
    "COPY busybox /bin/busybox\n"
    'SHELL ["/bin/busybox", "sh", "-c"]\n'
    "RUN /bin/busybox --install -s /bin && mkdir -p /etc /tmp && chmod 1777 /tmp\n"
    "RUN echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && "
    "echo 'default:x:1001:0::/opt/app-root/src:/bin/sh' >> /etc/passwd && "
    "echo 'alice:x:2000:2000::/home/alice:/bin/sh' >> /etc/passwd && "
    "printf 'root:x:0:\\nalice:x:2000:\\n' > /etc/group\n"
)


Explain = Callable[..., dict[str, Any]]


@pytest.fixture
def build(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """Write a Dockerfile (after the busybox preamble) and a context, and explain paths in the result."""

    def run(
        dockerfile: str,
        paths: list[str],
        files: dict[str, tuple[str, int]] | None = None,
        dirs: dict[str, int] | None = None,
        builder: str = "buildkit",
        preamble: bool = True,
    ) -> dict[str, Any]:
        ctx = tmp_path / "ctx"
        ctx.mkdir(exist_ok=True)
        (ctx / "busybox").write_text("placeholder")
        for rel in dirs or {}:
            (ctx / rel).mkdir(parents=True, exist_ok=True)
        for rel, (content, mode) in (files or {}).items():
            p = ctx / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(content)
            os.chmod(p, mode)
        for rel, mode in sorted((dirs or {}).items(), key=lambda kv: -kv[0].count("/")):
            os.chmod(ctx / rel, mode)
        df = ctx / "Dockerfile"
        df.write_text((PREAMBLE if preamble else "") + dockerfile)
        return explain(str(df), paths, context=str(ctx), builder=builder)

    return run


def state(doc: dict[str, Any], path: str) -> tuple[Any, Any, Any, Any]:
    for p in doc["paths"]:
        if p["path"] == path:
            return (p["uid"], p["gid"], p["mode"], p["kind"])
    raise KeyError(path)
