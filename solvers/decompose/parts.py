"""Solving parts in other processes: the task, its answer, and the local pool.

A :class:`PartTask` holds a part as a pickle-small problem (:func:`~solvers.decompose
.coordinate.shippable`) and the portfolio's parameters; :func:`solve_part` runs the ordinary
portfolio (:func:`solvers.auto.solve.solve_problem`) on it. Parts reach their processes
through a *map*, any callable ``map(solve_part, tasks) -> answers`` in the order of the tasks:
:class:`LocalPool` (processes of this machine) by default; a cluster's task runner fits the
same shape.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from solvers.auto.options import AutoOptions
from solvers.auto.solve import solve_problem
from solvers.problem import Int64Array, Problem
from solvers.result import SolveParams


@dataclass(frozen=True)
class PartTask:
    """One part to solve.

    Attributes
    ----------
    part
        Its number.
    problem
        The part as a problem of its own.
    time_limit, workers, seed
        The portfolio's parameters.
    start
        An assignment of the part to start from (its edge indices), if any.
    options
        The portfolio's options.
    """

    part: int
    problem: Problem
    time_limit: float
    workers: int
    seed: int
    start: Int64Array | None
    options: AutoOptions


@dataclass(frozen=True)
class PartAnswer:
    """What solving a part gave: its edges (indices into the part's problem), the status, the
    part's own bound and gap, seconds and notes; ``error`` names an exception instead."""

    part: int
    edges: Int64Array
    status: str
    bound: float | None
    gap: float | None
    seconds: float
    notes: tuple[str, ...] = ()
    error: str | None = None


PartMap = Callable[[Callable[[PartTask], PartAnswer], Sequence[PartTask]], list[PartAnswer]]
"""``map(solve_part, tasks)``: each task's answer, in the order of the tasks."""


def solve_part(task: PartTask) -> PartAnswer:
    """Solve one part with the ordinary portfolio; an exception becomes an answer without
    edges that names it (the other parts go on)."""
    started = time.perf_counter()
    try:
        params = SolveParams(
            time_limit=task.time_limit, workers=task.workers, seed=task.seed, start=task.start
        )
        result = solve_problem(task.problem, params, task.options)
    except Exception as error:
        return PartAnswer(
            task.part,
            np.zeros(0, dtype=np.int64),
            "error",
            None,
            None,
            time.perf_counter() - started,
            error=f"{type(error).__name__}: {error}",
        )
    return PartAnswer(
        task.part,
        np.asarray(result.edges, dtype=np.int64),
        str(result.status),
        result.bound,
        result.gap,
        time.perf_counter() - started,
        tuple(result.notes),
    )


def _ready() -> None:
    """Nothing: a process that ran it has imported this module, and so the portfolio."""


def serial_map(
    function: Callable[[PartTask], PartAnswer], tasks: Sequence[PartTask]
) -> list[PartAnswer]:
    """The parts one after the other in this process."""
    return [function(task) for task in tasks]


class LocalPool:
    """``processes`` local processes (spawned: a forked child would share CP-SAT's threads'
    state), kept for every pass of one solve; close it when done."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool = ProcessPoolExecutor(max_workers=processes, mp_context=mp.get_context("spawn"))
        # the processes start and import the solvers now, while the caller computes its bound
        for _ in range(processes):
            self._pool.submit(_ready)

    def __call__(
        self, function: Callable[[PartTask], PartAnswer], tasks: Sequence[PartTask]
    ) -> list[PartAnswer]:
        return list(self._pool.map(function, tasks))

    def close(self) -> None:
        # the processes end on their own: the solve need not wait for them
        self._pool.shutdown(wait=False, cancel_futures=True)
