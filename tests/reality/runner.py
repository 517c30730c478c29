"""Build a Dockerfile for real (buildah, vfs, chroot isolation) on the reality images and run probes in the image.

A build's outcome is `"ok"` or `{"fails_line": N, "step": ..., "error": ...}`; a probe's is `"ok"` or
`{"error": "<the command's own last words>"}`. Probes run as `docker run` would: the image's environment, working
directory and USER (or `--user`), HOME from the account (or `/`), each in a container of its own.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from tests.oracle.harness import failure, instruction_line

from . import images
from .cases import Probe

Outcome = Any  # "ok" or a mapping
T = TypeVar("T")

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# The lines that say why a command failed, most telling first.
_TELLING = (
    re.compile(r"Permission denied|Errno 13|os error 13|not writable|not write-able|EACCES|Read-only", re.I),
    re.compile(r"No such file|not found|ModuleNotFoundError|ImportError", re.I),
    re.compile(r"cannot|can't|failed|error", re.I),
)
# buildah's own words around a command's failure, which say nothing of why.
_NOISE = re.compile(
    r"^(Error: (exit status \d+|building at STEP .*: exit status \d+)|subprocess exited with status \d+)$"
)


def telling_line(output: str) -> str:
    """The line of a command's output that says best why it failed."""
    lines = [_ANSI.sub("", ln).strip() for ln in output.splitlines()]
    lines = [
        ln for ln in lines if ln and not ln.startswith(("time=", "WARNING: Running pip as")) and not _NOISE.match(ln)
    ]
    for pattern in _TELLING:
        found = [ln for ln in lines if pattern.search(ln)]
        if found:
            return found[-1][:400]
    return lines[-1][:400] if lines else ""


class Runner:
    """Builds and probes in one buildah storage holding the reality images."""

    def __init__(self, root: Path) -> None:
        self.store = images.Store(root)
        self.work = root / "work"
        self.work.mkdir(parents=True, exist_ok=True)

    def prepare(self) -> None:
        images.ensure_images(self.store)

    def build(self, dockerfile: str, context: Path) -> tuple[Outcome, str | None]:
        """Build `dockerfile` with `context`: (outcome, image reference or None when the build failed)."""
        ref = f"localhost/reality-case/{uuid.uuid4().hex[:12]}:1"
        with tempfile.TemporaryDirectory(dir=self.work) as tmp:
            df = Path(tmp) / "Dockerfile"
            df.write_text(dockerfile)
            proc = self.store.bud(df, context, ref)
            if proc.returncode == 0:
                return "ok", ref
            shown = failure(proc.stdout + "\n" + proc.stderr, context, df)
            out: dict[str, Any] = {"fails_line": instruction_line(df, str(shown.get("step", ""))) or 0}
            out["step"] = shown.get("step", "")
            out["error"] = telling_line(proc.stdout + "\n" + proc.stderr) or shown.get("error", "")
            self.store.run("rmi", "-f", ref, check=False)
            return out, None

    def config(self, ref: str) -> dict[str, Any]:
        data = json.loads(self.store.run("inspect", "--type", "image", ref).stdout)
        cfg: dict[str, Any] = data.get("Docker", {}).get("config") or {}
        return cfg

    def probe(self, ref: str, probe: Probe, timeout: float = 300) -> Outcome:
        """Run `probe` in a fresh container of `ref`."""
        cfg = self.config(ref)
        argv = list(probe.run) if probe.run is not None else [*(cfg.get("Entrypoint") or []), *(cfg.get("Cmd") or [])]
        if not argv:
            return {"error": "the image has no command"}
        ctr = self.store.run("from", "-q", "--pull-never", ref).stdout.strip()
        try:
            args = ["run", "--isolation", "chroot"]
            if probe.user is not None:
                args += ["--user", probe.user]
            try:
                proc = self.store.run(*args, ctr, "--", *argv, check=False, timeout=timeout)
            except subprocess.TimeoutExpired:
                return {"error": f"timed out after {timeout:.0f} s"}
            if proc.returncode == 0:
                return "ok"
            return {"error": telling_line(proc.stdout + "\n" + proc.stderr) or f"exit status {proc.returncode}"}
        finally:
            self.store.run("rm", ctr, check=False)

    def remove(self, ref: str) -> None:
        self.store.run("rmi", "-f", ref, check=False)

    def build_and_probe(self, dockerfile: str, context: Path, probes: list[Probe]) -> dict[str, Any]:
        """`{"build": outcome, "probes": [outcome per probe]}` (no probes when the build fails)."""
        outcome, ref = self.build(dockerfile, context)
        if ref is None:
            return {"build": outcome, "probes": []}
        try:
            return {"build": "ok", "probes": [self.probe(ref, p) for p in probes]}
        finally:
            self.remove(ref)

    def close(self) -> None:
        self.store.close()


class Pool:
    """`jobs` runners, each with buildah storage of its own under `work`: jobs submitted run on whichever is idle."""

    def __init__(self, work: Path, jobs: int) -> None:
        self.runners = [Runner(work / f"runner{i}") for i in range(max(1, jobs))]
        for r in self.runners:
            r.prepare()
        self._idle: queue.Queue[Runner] = queue.Queue()
        for r in self.runners:
            self._idle.put(r)
        self._pool = ThreadPoolExecutor(max_workers=len(self.runners), thread_name_prefix="reality")

    def submit(self, job: Callable[[Runner], T]) -> Future[T]:
        def run() -> T:
            runner = self._idle.get()
            try:
                return job(runner)
            finally:
                self._idle.put(runner)

        return self._pool.submit(run)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for r in self.runners:
            r.close()


def work_dir() -> Path | None:
    """Where the runners keep their storage: VENVLINT_REALITY_WORK, else /dev/shm when it has room (vfs copies the
    whole image for every container; in memory a probe's container takes a third of the time it takes on disk,
    measured), else the system's temporary directory."""
    chosen = os.environ.get("VENVLINT_REALITY_WORK")
    if chosen:
        return Path(chosen)
    shm = Path("/dev/shm")
    if shm.is_dir() and shutil.disk_usage(shm).free > 8 << 30:
        return shm
    return None


@contextmanager
def pool(jobs: int, work: Path | None = None) -> Iterator[Pool]:
    """A Pool in a temporary folder (below `work`, else `work_dir()`), removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="venvlint-reality-", dir=work or work_dir()))
    p = Pool(tmp, jobs)
    try:
        yield p
    finally:
        p.close()
        shutil.rmtree(tmp, ignore_errors=True)
