"""Show where venvlint disagrees with the recorded reality cases (no build): `python -m tests.reality.judge [CASE...]`.

`-v` also prints each case's findings."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from . import agree
from .cases import all_cases, prepare_context
from .record import subject_of


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    names = [a for a in argv if a != "-v"]
    bad = 0
    cells: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in all_cases(names or None):
            if not case.recorded:
                print(f"? {case.name}: not recorded")
                continue
            subject = subject_of(case, prepare_context(case, Path(tmp) / case.name))
            j = agree.judge(subject, case.recorded)
            for u in j.units:
                cells[u.cell] = cells.get(u.cell, 0) + 1
            stale = "" if case.recorded.get("inputs") == case.inputs() else " (stale recording)"
            print(f"{'ok' if not j.disagreements else 'XX'} {case.name}{stale}")
            for d in j.disagreements:
                print(f"     {d}")
            if verbose:
                for f in agree.lint(subject, subject.dockerfile).findings:
                    print(f"     - {f.code} line {f.line} {f.severity.value} {f.path}: {f.message[:300]}")
            bad += bool(j.disagreements)
    print(", ".join(f"{k}: {v}" for k, v in sorted(cells.items())))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
