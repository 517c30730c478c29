"""Lint many files on several cores: forked workers, results returned in the input's order.

A process pool from the standard library costs about 30 ms before the first file (multiprocessing's imports, its
threads and queues), as much as linting twenty Dockerfiles. Plain `fork` costs a few milliseconds, and the workers
inherit the already imported engine and loaded profiles. Each worker, this process included, takes every n-th item
(neighbouring files tend to be alike, so the shares stay even); the others send their results back pickled through
a pipe.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "darwin"  # macOS system libraries are not fork-safe


def map_forked(func: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """`[func(x) for x in items]` computed by this process and `jobs - 1` forked workers. The first item is done
    before forking, so the workers inherit what it loaded lazily (profiles, the shell grammar, the rules). A worker
    that fails or dies makes this raise, so the command line reports an internal error, never a partial result."""
    import pickle

    if not items:
        return []
    results: list[Any] = [None] * len(items)
    results[0] = func(items[0])
    rest = items[1:]
    jobs = min(jobs, len(rest))
    if jobs <= 1:
        results[1:] = [func(x) for x in rest]
        return results
    sys.stdout.flush()
    sys.stderr.flush()
    workers: list[tuple[int, int, int]] = []
    for w in range(1, jobs):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            os.close(read_fd)
            code = 0
            try:
                payload: Any = [func(rest[i]) for i in range(w, len(rest), jobs)]
            except BaseException as exc:  # reported by the parent as an internal error
                payload, code = f"{type(exc).__name__}: {exc}", 1
            try:
                with os.fdopen(write_fd, "wb") as out:
                    pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
            finally:
                os._exit(code)
        os.close(write_fd)
        workers.append((w, pid, read_fd))
    own_error: BaseException | None = None
    try:
        for i in range(0, len(rest), jobs):  # this process's own share
            results[1 + i] = func(rest[i])
    except BaseException as exc:  # the workers are still collected, so none is left behind
        own_error = exc
    failure = ""
    for w, pid, read_fd in workers:
        with os.fdopen(read_fd, "rb") as inp:
            data = inp.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            failure = failure or (pickle.loads(data) if data else f"worker {w} ended with status {status}")
            continue
        for k, res in enumerate(pickle.loads(data)):
            results[1 + w + k * jobs] = res
    if own_error is not None:
        raise own_error
    if failure:
        raise RuntimeError(f"in a worker process: {failure}")
    return results
