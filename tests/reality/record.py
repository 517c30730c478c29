"""Record what really happens: build each reality case with buildah on the real images, run its probes, build and
probe every automatic fix venvlint offers for it, and write the outcomes into the case's `recorded:` block.

    python -m tests.reality.record --images            # (re)build the images; write images/profiles.yaml, manifest
    python -m tests.reality.record                     # every case whose inputs changed since it was recorded
    python -m tests.reality.record 012-venv-root ...   # these cases, whatever their state
    python -m tests.reality.record --all               # every case
    python -m tests.reality.record --fixes             # only the fixes venvlint now offers that are not recorded
    python -m tests.reality.record --check [CASE...]   # rebuild, compare with the recordings, write nothing

Needs root, buildah, mmdebstrap and the wheels of `wheels.txt` (`bash .ci/run` installs and fetches them).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import yaml

from . import agree, images
from .cases import Case, Probe, all_cases, prepare_context, write_recorded
from .index import Index
from .runner import Runner, pool


def subject_of(case: Case, ctx: Path) -> agree.Subject:
    return agree.Subject(case.name, case.dockerfile, ctx, tuple(case.probes), tuple(case.options))


Submit = Callable[[Callable[[Runner], Any]], Future[Any]]


def record_all(cases: list[tuple[Case, Path]], submit: Submit) -> Iterator[tuple[Case, dict[str, Any]]]:
    """Build and probe every case, then each of its fixes, on the pool (all queued at once): yields (case, its new
    `recorded:` block) in order."""
    mains = [submit(lambda r, c=c, x=x: r.build_and_probe(c.dockerfile, x, c.probes)) for c, x in cases]
    planned = []
    for (case, ctx), main in zip(cases, mains, strict=True):
        first = main.result()
        plan = agree.plan_fixes(subject_of(case, ctx), first["build"] == agree.REAL_OK)
        fixes = {d: submit(lambda r, t=text, p=list(probes), x=ctx: r.build_and_probe(t, x, p))
                 for d, (text, probes) in plan.items()}  # fmt: skip
        planned.append((case, first, plan, fixes))
    for case, first, plan, fixes in planned:
        yield (
            case,
            {
                "inputs": case.inputs(),
                "build": first["build"],
                "probes": first["probes"],
                "fixes": {d: {"probes": [p.as_yaml() for p in plan[d][1]], **f.result()} for d, f in fixes.items()},
            },
        )


def record_fixes(cases: list[tuple[Case, Path]], submit: Submit) -> Iterator[tuple[Case, dict[str, Any]]]:
    """For cases recorded for their current inputs: build and probe the fixes venvlint now offers that have no
    recording, and forget the recorded ones it no longer offers. Yields (case, its new `recorded:` block)."""
    planned = []
    for case, ctx in cases:
        rec = case.recorded
        plan = agree.plan_fixes(subject_of(case, ctx), rec["build"] == agree.REAL_OK)
        old = rec.get("fixes") or {}
        jobs = {d: submit(lambda r, t=text, p=list(probes), x=ctx: r.build_and_probe(t, x, p))
                for d, (text, probes) in plan.items() if d not in old}  # fmt: skip
        planned.append((case, plan, old, jobs))
    for case, plan, old, jobs in planned:
        fixes = {d: old[d] if d in old else {"probes": [p.as_yaml() for p in plan[d][1]], **jobs[d].result()}
                 for d in plan}  # fmt: skip
        yield case, {**case.recorded, "fixes": fixes}


def record_images() -> None:
    with Index(), tempfile.TemporaryDirectory(prefix="venvlint-reality-img-") as tmp:
        store = images.Store(Path(tmp))
        try:
            images.ensure_images(store)
        finally:
            store.close()
    images.save_file(images.profiles_yaml(), images.PROFILES)
    head = "# Written by `python -m tests.reality.record --images`: what the recordings rest on.\n"
    images.save_file(head + yaml.safe_dump(images.manifest(images.build_rootfs()), sort_keys=False), images.MANIFEST)


def describe(rec: dict[str, Any], probes: list[Probe]) -> str:
    if rec["build"] != agree.REAL_OK:
        return f"build fails at line {rec['build']['fails_line']}: {rec['build']['error']}"
    parts = ["build ok"]
    for p, o in zip(probes, rec["probes"], strict=False):
        parts.append(f"{p.label}: {'ok' if o == agree.REAL_OK else o['error']}")
    fixes = rec.get("fixes") or {}
    if fixes:
        good = sum(1 for f in fixes.values() if f["build"] == agree.REAL_OK and all(o == "ok" for o in f["probes"]))
        parts.append(f"fixes: {good}/{len(fixes)} work")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.reality.record", description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", nargs="*")
    ap.add_argument("--images", action="store_true", help="rebuild the images, write profiles.yaml and manifest.yaml")
    ap.add_argument("--all", action="store_true", help="record every case")
    ap.add_argument("--check", action="store_true", help="compare with the recordings, write nothing")
    ap.add_argument("--fixes", action="store_true", help="record only the fixes that are not recorded yet")
    ap.add_argument("-j", "--jobs", type=int, default=3)
    args = ap.parse_args(argv)
    if args.images:
        record_images()
        print(f"wrote {images.PROFILES} and {images.MANIFEST}")
        if not args.cases and not args.all:
            return 0
    chosen = all_cases(args.cases or None)
    if args.fixes:
        chosen = [c for c in chosen if c.recorded.get("inputs") == c.inputs()]
    elif not args.cases and not args.all and not args.check:
        chosen = [c for c in chosen if c.recorded.get("inputs") != c.inputs()]
    if not chosen:
        print("every case is recorded for its current inputs")
        return 0
    differ = 0
    start = time.monotonic()
    with Index(), pool(args.jobs) as p, tempfile.TemporaryDirectory(prefix="venvlint-reality-ctx-") as tmp:
        prepared = [(case, prepare_context(case, Path(tmp) / case.name)) for case in chosen]
        for case, rec in (record_fixes if args.fixes else record_all)(prepared, p.submit):
            old = case.recorded
            same = {k: old.get(k) for k in ("build", "probes", "fixes")} == {
                k: rec[k] for k in ("build", "probes", "fixes")
            }
            mark = "=" if same else ("~" if old else "+")
            print(f"{mark} {case.name}: {describe(rec, case.probes)}", flush=True)
            if args.check:
                differ += not same
            else:
                write_recorded(case, rec)
    print(f"{len(chosen)} cases in {time.monotonic() - start:.0f} s", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
