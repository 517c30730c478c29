"""Forked workers: results in input order, every item computed once, a failing worker never gives a partial result."""

from __future__ import annotations

import os

import pytest
from venvlint.parallel import can_fork, map_forked

pytestmark = pytest.mark.skipif(not can_fork(), reason="no fork on this platform")


def pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


@pytest.mark.parametrize(("n", "jobs"), [(1, 4), (2, 2), (7, 3), (50, 2), (50, 5)])
def test_results_come_back_in_order_from_several_processes(n: int, jobs: int) -> None:
    out = map_forked(pid_and_square, list(range(n)), jobs)
    assert [sq for _, sq in out] == [x * x for x in range(n)]
    pids = {pid for pid, _ in out}
    # This process does the first item and a share of the rest; jobs-1 workers share the rest with it.
    assert os.getpid() in pids and len(pids) == max(1, min(jobs, n - 1))


def fails_on_14(x: int) -> int:
    if x == 14:  # the 13th of the rest: worker 1 of 3 computes it
        raise ValueError("fourteen")
    return x


def fails_here_on_4(x: int) -> int:
    if x == 4:  # the 3rd of the rest: this process's own share
        raise ValueError("four")
    return x


def test_a_failing_worker_raises_instead_of_returning_a_partial_result() -> None:
    with pytest.raises(RuntimeError, match="in a worker process: ValueError: fourteen"):
        map_forked(fails_on_14, list(range(40)), 3)


def test_a_failure_here_still_collects_the_workers() -> None:
    with pytest.raises(ValueError, match="four"):
        map_forked(fails_here_on_4, list(range(40)), 3)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no worker left behind


def dies_on_7(x: int) -> int:
    if x == 7:
        os._exit(3)
    return x


def test_a_worker_that_dies_is_noticed() -> None:
    with pytest.raises(RuntimeError, match="ended with status"):
        map_forked(dies_on_7, list(range(40)), 4)
