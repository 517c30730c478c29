"""Nothing in the repository may point at documents outside it.

The developers once worked from notes kept next to the checkout (a `shared/spec/` folder with BUILDERS, TOOLS,
SCENARIOS, ORACLE, BASE-IMAGES and REALITY pages). A clone does not have them, so every fact the code relies on is
written down in the repository (`docs/BUILDERS.md`, `docs/TOOLS.md`, `docs/MEASUREMENTS.md`, `docs/REALITY.md`, the
oracle and reality cases) and every reference must name a file the repository holds. This test reads every tracked
file and fails on:

- a path into the old workspace: `/work/shared`, `../shared`, `shared/spec`;
- one of those page names (`BUILDERS.md`, ...) that is not a tracked file, either as written from the repository's
  root or from the directory of the file that names it (`BUILDERS.md rule 8` is out, `docs/BUILDERS.md rule 8` is in);
- "per the spec", "the spec says", "see the spec": a spec the reader cannot open.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The two files that state the rule itself (and so must spell what they forbid).
CHECKERS = {"tests/test_no_outside_references.py", "tests/rules/test_docs.py"}

WORKSPACE = re.compile(r"/work/shared|\.\./shared|shared/spec")
PAGE = re.compile(r"(?<![\w./-])([\w./-]*?)\b(BUILDERS|TOOLS|SCENARIOS|ORACLE|BASE-IMAGES|REALITY)\.md\b")
LOOSE = re.compile(r"\b(?:per|see|in|from) the spec\b|\bthe spec says\b", re.IGNORECASE)


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def outside_references(path: str, text: str, tracked: set[str]) -> list[str]:
    """Each line of `text` (the content of the tracked file `path`) that points outside the repository, as
    `path:line: reason: text`."""
    found = []
    here = PurePosixPath(path).parent
    for number, line in enumerate(text.splitlines(), 1):
        reasons = [f"a path into the developers' workspace ({m.group(0)})" for m in WORKSPACE.finditer(line)]
        for m in PAGE.finditer(line):
            written = m.group(0)
            candidates = {PurePosixPath(written), here / written}
            if not any(_normal(c) in tracked for c in candidates):
                reasons.append(f"{written} is not a file of the repository")
        reasons += [f"a spec the reader cannot open ({m.group(0)!r})" for m in LOOSE.finditer(line)]
        found += [f"{path}:{number}: {reason}: {line.strip()[:160]}" for reason in reasons]
    return found


def _normal(p: PurePosixPath) -> str:
    parts: list[str] = []
    for part in p.parts:
        if part == "..":
            if not parts:
                return ""
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


def test_no_tracked_file_points_outside_the_repository() -> None:
    files = tracked_files()
    if not files:
        pytest.skip("not a git checkout (or git is missing): the tracked files are not known")
    tracked = set(files)
    found = []
    for path in files:
        if path in CHECKERS or not (ROOT / path).is_file():
            continue
        text = (ROOT / path).read_bytes().decode("utf-8", "replace")
        found += outside_references(path, text, tracked)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("linter/simulate/copy.py", '"""COPY and ADD on the model (BUILDERS.md rules 1, 2, 3)."""'),
        ("linter/intents.py", "# TOOLS.md: uv <= 0.7.18 fails when the venv root is unwritable"),
        ("linter/simulate/commands/python.py", "owned by the user running uv (SCENARIOS.md S4, S5)."),
        ("tests/oracle/harness.py", "the busybox preamble of ORACLE.md"),
        ("tests/cli/test_cli.py", '# the dirs stay 0755 (BASE-IMAGES.md: "partial fix")'),
        ("docs/MEASUREMENTS.md", "# Builder measurements beyond shared/spec/BUILDERS.md"),
        ("tests/oracle/README.md", "How builds are run is `../shared/spec/ORACLE.md`."),
        ("README.md", "see /work/shared/spec/REALITY.md"),
        ("docs/CORPUS.md", "(see ../../notes/BUILDERS.md row 8f)"),
        ("linter/simulate/identity.py", "the WORKDIR owner (notes/BUILDERS.md rule 7)"),
        ("docs/CORPUS.md", "as the spec says, BuildKit ignores it"),
        ("linter/tools/uv.py", "measured with uv 0.13.9 (per the spec)"),
    ],
)
def test_a_reference_outside_is_found(path: str, line: str) -> None:
    tracked = {"docs/BUILDERS.md", "docs/TOOLS.md", "docs/REALITY.md", "rules/_scenarios.py", path}
    assert outside_references(path, f"first line\n{line}\n", tracked) != []
    assert outside_references(path, f"first line\n{line}\n", tracked)[0].startswith(f"{path}:2: ")


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("linter/simulate/copy.py", '"""COPY and ADD on the model (docs/BUILDERS.md rules 1, 2, 3)."""'),
        ("linter/intents.py", '# uv <= 0.7.18 fails (docs/TOOLS.md, "The venv root and uv\'s environment lock")'),
        (
            "linter/simulate/commands/python.py",
            "owned by the user running uv (scenarios S4, S5 of rules/_scenarios.py)",
        ),
        ("docs/MEASUREMENTS.md", "Built and run for real on the reality images (docs/REALITY.md, 2026-12-05)"),
        ("docs/MEASUREMENTS.md", "the rows are in [the builders page](BUILDERS.md)"),
        ("docs/CORPUS.md", "(see ../docs/BUILDERS.md row 8f)"),
        ("README.md", "BUILDERS = ('buildkit', 'buildah', 'classic') and a TOOLS_VENV"),
        ("docs/conda.md", "Installer spec: conda-forge/miniforge@3fbc4935:Miniforge3/construct.yaml."),
    ],
)
def test_a_reference_inside_is_not_found(path: str, line: str) -> None:
    tracked = {"docs/BUILDERS.md", "docs/TOOLS.md", "docs/REALITY.md", "rules/_scenarios.py", path}
    assert outside_references(path, f"{line}\n", tracked) == []
