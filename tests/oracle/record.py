"""Record what buildah does for oracle cases into their case.yaml.

    python tests/oracle/record.py                         # every case
    python tests/oracle/record.py 07-dir-contents ...     # some cases (folder names or paths)
    python tests/oracle/record.py --check                 # rebuild and only report differences

Only the recorded block at the end of case.yaml (`recorded_with`, `expected` or `build`/`step`/`error`/
`fails_line`) is rewritten; everything above it, comments included, is kept as written. Needs root, buildah and
busybox-static (see README.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from harness import (
    RECORDED_KEYS,
    Batch,
    Result,
    buildah_problem,
    buildah_version,
    case_dirs,
    failure_matches,
    instruction_line,
    load_case,
)


def strip_recorded(text: str) -> str:
    """case.yaml text without its top-level recorded keys (each with its indented continuation lines)."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        top = line[:1] not in (" ", "\t", "#", "") and not line.startswith("-")
        if top:
            key = line.split(":", 1)[0].strip()
            skipping = key in RECORDED_KEYS
        if not skipping:
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n"


def recorded_block(case: Path, result: Result, version: str, old: dict[str, Any]) -> tuple[str, list[str]]:
    """The YAML block to append, and warnings for the person recording."""
    warnings: list[str] = []
    block: dict[str, Any] = {"recorded_with": version}
    if result.get("build") == "fails":
        block["build"] = "fails"
        block["step"] = result.get("step", "")
        block["error"] = result.get("error", "")
        line = instruction_line(case / "Dockerfile", str(result.get("step", ""))) if "step" in result else None
        if line is None:
            line = old.get("fails_line")
            warnings.append(f"cannot tell the failing line from {result.get('step')!r}; kept fails_line: {line}")
        block["fails_line"] = line
    else:
        block["expected"] = result["expected"]
    parts = []
    for key, value in block.items():
        flow = None if key == "expected" else False  # expected: one flow mapping per path
        parts.append(
            yaml.safe_dump({key: value}, sort_keys=False, default_flow_style=flow, width=200, allow_unicode=True)
        )
    text = "".join(parts)
    return text, warnings


def describe(result: Result) -> str:
    if result.get("build") == "fails":
        return f"build fails at {result.get('step')!r}: {result.get('error')}"
    return "ok"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help="case folder names or paths (default: all)")
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 when a record differs")
    ap.add_argument("-j", "--jobs", type=int, default=None, help="builds at the same time")
    args = ap.parse_args(argv)
    problem = buildah_problem()
    if problem:
        print(f"cannot record: {problem}", file=sys.stderr)
        return 2
    cases = case_dirs(args.cases)
    version = buildah_version()
    started = time.monotonic()
    differ = 0
    broken = 0
    with tempfile.TemporaryDirectory(prefix="venvlint-oracle-") as tmp, Batch(cases, Path(tmp), args.jobs) as batch:
        for case in cases:
            try:
                result = batch.result(case)
            except Exception as exc:  # a harness problem (bad modes:, tars:, ...): report it, record the others
                broken += 1
                print(f"{case.name}: NOT RECORDED: {type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            old = load_case(case)
            if "expected" not in old and "build" not in old:
                same, mark = False, "NEW"
            else:
                same = (
                    not failure_matches(old, result)
                    if old.get("build") == "fails"
                    else result.get("expected") == old.get("expected")
                )
                mark = "same" if same else "CHANGED"
            differ += not same
            print(f"{case.name}: {describe(result)} [{mark}]", flush=True)
            if args.check:
                continue
            block, warnings = recorded_block(case, result, version, old)
            for w in warnings:
                print(f"  warning: {w}", file=sys.stderr)
            (case / "case.yaml").write_text(strip_recorded((case / "case.yaml").read_text()) + block)
    print(f"{len(cases)} case(s), {differ} differ(s) from the record, {time.monotonic() - started:.1f} s")
    if broken:
        print(f"{broken} case(s) could not be built", file=sys.stderr)
        return 2
    return 1 if args.check and differ else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
