"""## What it does
Reports an instruction at which the build stops on the selected builder (`--builder`, default BuildKit), for
reasons other than a denied write (those are `build-install-not-writable`): a `USER` name the image does not have,
`--chown` to an unknown user, `--chmod` on the classic builder, a `COPY` of a directory onto a symlink under
BuildKit, a `RUN` command the model knows fails.

## Why is this bad?
The image does not build. Catching it before a slow build (or before switching builders) saves a round trip; the
builder-specific cases (`cannot copy to non-directory` on BuildKit, `the --chmod option requires BuildKit`) are
easy to miss when developers and CI use different builders.

## Example
```dockerfile
FROM python:3.12-slim
USER app          # no such user yet
RUN pip install --user requests
```

## Use instead
Create the user first (`RUN useradd -m app`) or use a numeric uid; copy directories onto real directories, not
symlinks; use `--chmod` only with BuildKit or buildah.
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.analysis import Analysis
from venvlint.findings import Problem, Severity

CODE = "VL011"
NAME = "build-fails"
SEVERITY = Severity.ERROR
SUMMARY = "The build stops at this instruction on the selected builder"
SCENARIOS = ()
REFERENCES = ("https://github.com/moby/buildkit/issues/2626", "https://github.com/moby/moby/issues/36677")
AUTOFIX = False
SUPERSEDED_BY = ("VL002",)


def check(a: Analysis) -> Iterator[Problem]:
    for f in a.sim.failures:
        yield Problem(
            f.line,
            "",
            f"the build fails here on {a.sim.builder}: {f.message}.",
            "see the message: create the user or group first, use numeric ids, or avoid the builder-specific form",
            stage=f.stage,
            premises=f.premises,
            causes=((f.line, ""),),  # a denied write at this line is explained by build-install-not-writable
        )
