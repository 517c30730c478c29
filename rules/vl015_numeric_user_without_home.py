"""## What it does
Finds an image whose final `USER` is a numeric uid with no `/etc/passwd` entry and no `HOME` in its environment.

## Why is this bad?
Without a passwd entry HOME falls back to `/`, so tools put caches and config in `/.cache`, `/.local`, which the
user cannot create (`failed to create directory /.cache/uv: Permission denied`), and programs that call
`pwd.getpwuid()` / `getpass.getuser()` crash (`KeyError: 'getpwuid(): uid not found: 1005350000'`).

## Example
```dockerfile
FROM python:3.12-slim
USER 1001
CMD ["python", "app.py"]
```

## Use instead
Create the user (`RUN useradd -u 1001 -m app`) or at least set a writable HOME: `ENV HOME=/tmp`.
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.edits import Changes, insert_before
from venvlint.findings import Problem, Severity
from venvlint.query import Build, Premise, PremiseKind

CODE = "VL015"
NAME = "numeric-user-without-home"
SEVERITY = Severity.INFO
SUMMARY = "The final USER is a uid without a passwd entry and HOME is not set: HOME falls back to /"
SCENARIOS = ("S22",)
REFERENCES = (
    "https://github.com/linagora/openrag/pull/489",
    "https://github.com/sclorg/s2i-python-container/issues/298",
)
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    st = build.final
    spec = st.user_spec.split(":")[0]
    if not spec.isdigit() or int(spec) == 0 or "HOME" in st.env or not st.users.complete:
        return
    if st.users.by_uid(int(spec)) is not None:
        return
    yield Problem(
        st.user_line,
        "/",
        f"USER {st.user_spec} has no /etc/passwd entry and the image sets no HOME: HOME is `/` at runtime, where "
        "caches (`/.cache`) cannot be created, and `getpwuid()` fails for this uid.",
        f"set `ENV HOME=/tmp` (or another writable directory) before the USER, or create the user (`RUN useradd "
        f"-u {spec} -m app`)",
        stage=st.name,
        edits=(insert_before(st.user_line, "ENV HOME=/tmp", changes=Changes.ENVIRONMENT),),
        premises=(
            Premise(
                PremiseKind.ABSENT,
                f"passwd entry for uid {spec}",
                st.users.knowledge,
                assumption="" if st.users.knowledge.known else f"that the image has no account with uid {spec}",
            ),
        ),
    )
