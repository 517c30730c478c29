"""conda, mamba and micromamba. What they write is read from their source code (docs/MEASUREMENTS.md cites it);
until a form is modelled it is read as not modelled, so that nothing is concluded from it."""

from __future__ import annotations

from .context import Context
from .model import Act, Invocation, Tool


def read_conda(ctx: Context, tool: Tool, args: list[str]) -> Invocation:
    sub = " ".join(a for a in args[:2] if not a.startswith("-"))
    ctx.unread.append(f"what `{tool.value} {sub}` writes is not modelled yet")
    return Invocation(tool, Act.OTHER, sub, unread=tuple(ctx.unread), steering=("CONDA_", "MAMBA_", "HOME"))
