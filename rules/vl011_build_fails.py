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

from venvlint.edits import Changes, Edit
from venvlint.findings import BuildStop, Problem, Severity
from venvlint.query import Build, Failure, FailureKind

from ._common import as_root_after, as_root_before, flag_edit

CODE = "VL011"
NAME = "build-fails"
SEVERITY = Severity.ERROR
SUMMARY = "The build stops at this instruction on the selected builder"
SCENARIOS = ()
REFERENCES = ("https://github.com/moby/buildkit/issues/2626", "https://github.com/moby/moby/issues/36677")
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual


def check(build: Build) -> Iterator[Problem]:
    for f in build.failures:
        fix, edits = _fix(build, f)
        yield Problem(
            f.line,
            "",
            f"the build fails here on {build.builder}: {f.message}.",
            fix,
            stage=f.stage,
            premises=f.premises,
            causes=(BuildStop(f.line),),
            edits=edits,
        )


def _fix(build: Build, f: Failure) -> tuple[str, tuple[Edit, ...]]:
    profile = (
        build.stage_or_final(f.stage).profile
        if f.kind in (FailureKind.UNKNOWN_USER, FailureKind.UNKNOWN_GROUP)
        else None
    )
    if f.kind in (FailureKind.UNKNOWN_USER, FailureKind.UNKNOWN_GROUP) and f.subject and profile:
        alpine = "alpine" in profile  # busybox: adduser -D / addgroup; elsewhere shadow-utils
        if f.kind is FailureKind.UNKNOWN_USER:
            make = f"adduser -D {f.subject}" if alpine else f"useradd -m {f.subject}"
        else:
            make = f"addgroup {f.subject}" if alpine else f"groupadd {f.subject}"
        return (f"create the account before line {f.at}: `RUN {make}` (as root); or use numeric ids",
                as_root_before(build, f.stage, f.at, f"RUN {make}", changes=Changes.COMMANDS))  # fmt: skip
    if f.kind is FailureKind.BUILDER_FLAG and f.subject == "chmod":
        ins = build.instruction(f.line)
        written = f"--chmod={f.value}"
        dest = ins.args[-1] if ins is not None and len(ins.args) == 2 and not ins.json_form else ""
        drop = flag_edit(build, f.line, "chmod", f.value, None, changes=Changes.COMMANDS)
        if ins is not None and dest and not dest.endswith("/") and drop:
            return (f"set the mode after the copy: drop `{written}` and add `RUN chmod {f.value} {dest}` (as root)",
                    (*drop, *as_root_after(build, f.stage, f.line, f"RUN chmod {f.value} {dest}", changes=Changes.OWNERSHIP)))  # fmt: skip
    if f.kind is FailureKind.COPY_ONTO_SYMLINK:
        return (f"copy what goes below `{f.subject}` into the symlink's target explicitly, and keep that directory "
                "out of the copied tree (the build context must change)", ())  # fmt: skip
    if f.kind is FailureKind.NO_PROGRAM:
        return (f"this stage has no `{f.subject}`: do the work in a build stage that has a shell and `COPY --from` "
                "its result, or run a program the stage has in the exec form (`RUN [\"/usr/bin/python3\", ...]`)",
                ())  # fmt: skip
    if f.kind is FailureKind.SOURCE_MISSING:
        return (f"make `{f.subject}` exist where the COPY reads it (the build context, or the stage it copies "
                "from), or copy a path that does", ())  # fmt: skip
    return "see the message: the selected builder stops at this instruction", ()
