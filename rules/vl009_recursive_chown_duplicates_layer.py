"""## What it does
Finds a `RUN chown -R` (or `chmod -R`, `chgrp -R`) over a tree that an earlier instruction created — typically a
whole venv or application directory right after `COPY` or an install.

## Why is this bad?
Layers are copy-on-write: changing the owner or mode of a file copies the whole file into the new layer. A
recursive chown of a 9 GB venv adds another 9 GB to the image (`docker history` shows two 9.02 GB layers), and
makes builds and pulls slower.

## Example
```dockerfile
COPY --from=builder /app /app
RUN chown -R app:app /app
```

## Use instead
Give files the right owner when they are created: `COPY --from=builder --chown=app:app /app /app`, run the
install as that user, or chown only the (still empty) directory before filling it: `RUN install -d -o app /app`.
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.analysis import Analysis
from venvlint.findings import Finding, Severity

CODE = "VL009"
NAME = "recursive-chown-duplicates-layer"
SEVERITY = Severity.INFO
SUMMARY = "A recursive chown/chmod over a tree created by an earlier instruction duplicates it in a new layer"
SCENARIOS = ("S21",)
REFERENCES = (
    "https://github.com/topoteretes/cognee/pull/3753",
    "https://github.com/DataDog/dd-trace-py/pull/10039",
)
AUTOFIX = False

RECURSIVE = ("chown -R", "chgrp -R", "chmod -R")


def check(a: Analysis) -> Iterator[Finding]:
    for i in a.sim.build.needed:
        fs = a.sim.states[i].fs
        tops: dict[int, tuple[str, str, int]] = {}  # line → (top path, note, nodes from earlier layers)
        for path, node in fs.nodes.items():
            if len(node.history) < 2:
                continue  # a recursive change *after* the node was created needs a second entry
            created = node.history[0].cause.line
            for ch in node.history:
                if not ch.note.startswith(RECURSIVE) or created >= ch.cause.line or created <= 0:
                    continue
                line = ch.cause.line
                top, note, count = tops.get(line, (path, ch.note, 0))
                if path.count("/") < top.count("/"):
                    top, note = path, ch.note
                tops[line] = (top, note, count + 1)
        for line, (top, note, count) in sorted(tops.items()):
            top_node = fs.get(top)
            origin = top_node.history[0].cause if top_node is not None and top_node.history else None
            made = f" (created at line {origin.line}: `{origin.instruction}`)" if origin else ""
            owner = note.split()[-1]
            yield Finding(
                CODE,
                NAME,
                SEVERITY,
                line,
                top,
                f"`{note} {top}` changes {count} entr{'y' if count == 1 else 'ies'} that an earlier layer "
                f"created{made}: every file is copied into this layer again, doubling its size in the image.",
                f"give the files their owner when they are created: `COPY --chown={owner}` / `COPY --from=... "
                f"--chown={owner}`, or create `{top}` as that user first (`install -d -o {owner.split(':')[0]} "
                f"{top}`) and install as that user",
                stage=a.sim.states[i].name,
            )
