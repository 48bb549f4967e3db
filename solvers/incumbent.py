"""The best assignment known and the best bound (:class:`Incumbent`), and the Result built from
them (:func:`incumbent_result`): shared by the portfolio (:mod:`solvers.auto`) and the HiGHS
method (:mod:`solvers.backends.highs`)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from matcher.objective import Objective
from solvers.checks import objective_of, violated_groups
from solvers.lagrange import combined
from solvers.problem import BoolArray, Int64Array, Problem
from solvers.result import Progress, Result, SolveParams, Status
from solvers.stop import Deadline


@dataclass
class Incumbent:
    """The best assignment known and the best bound on the combined objective (see
    :func:`solvers.lagrange.combined`); an assignment offered is kept only when it breaks
    no constraint and beats the one held."""

    problem: Problem
    multiplier: int
    chosen: BoolArray | None = None
    objective: Objective | None = None
    bound: float = float("inf")
    source: str = ""

    def offer(self, chosen: BoolArray | None, source: str) -> None:
        if chosen is None:
            return
        edges = np.flatnonzero(chosen)
        if violated_groups(self.problem, edges):
            return
        objective = objective_of(self.problem, edges)
        if self.objective is None or objective.key() > self.objective.key():
            self.chosen, self.objective, self.source = chosen, objective, source

    def tighten(self, bound: float | None) -> None:
        if bound is not None:
            self.bound = min(self.bound, bound)

    @property
    def value(self) -> int | None:
        if self.objective is None:
            return None
        return combined(self.objective, self.multiplier)


def placements_proven(best: Incumbent) -> bool:
    """Whether the best assignment of a lexicographic round makes as many placements as the
    bound allows."""
    if best.objective is None or not best.problem.lexicographic or best.multiplier <= 1:
        return False
    if not math.isfinite(best.bound):
        return False
    return math.floor((best.bound + 1e-6) / best.multiplier) <= best.objective.placements


def close_enough(best: Incumbent, relative_gap: float) -> bool:
    """Whether the best assignment is proven optimal, or within ``relative_gap`` of the
    bound (relative to the reported value, as :attr:`Result.gap`)."""
    assert best.objective is not None
    slack = best.bound - (best.value or 0)
    return slack < 1 or slack <= relative_gap * max(1, abs(best.objective.value))


def on_whole(problem: Problem, index: Int64Array, sub_chosen: BoolArray) -> BoolArray:
    """A restricted problem's assignment (over the edges ``index``) as a mask over the
    whole problem's edges."""
    chosen = np.zeros(problem.n_edges, dtype=bool)
    chosen[index[sub_chosen]] = True
    return chosen


def incumbent_result(
    problem: Problem,
    best: Incumbent,
    status: Status,
    deadline: Deadline,
    notes: list[str],
    solver: str,
) -> Result:
    """The Result of ``best`` (which must hold an assignment) for ``solver``: its bound
    decoded from the combined objective (``best.multiplier``), OPTIMAL when proven."""
    assert best.objective is not None and best.chosen is not None
    objective = best.objective
    value = best.value or 0
    proven = best.bound - value < 1
    bound: float | None = None
    placement_bound: int | None = None
    if math.isfinite(best.bound):
        # the combined bound, given as many placements as found
        extra = best.multiplier * objective.placements if problem.lexicographic else 0
        bound = float(math.floor(best.bound + 1e-6) - extra)
        most = math.floor((best.bound + 1e-6) / best.multiplier)
        if problem.lexicographic:
            placement_bound = max(most, objective.placements)
        if problem.lexicographic and most > objective.placements and not proven:
            notes = [*notes, f"placements not proven optimal: at most {most} possible"]
    if status == Status.OPTIMAL or proven:
        status, bound = Status.OPTIMAL, float(objective.value)
        placement_bound = objective.placements if problem.lexicographic else None
    return Result(
        solver=solver,
        status=status,
        edges=np.flatnonzero(best.chosen).astype(np.int64),
        objective=objective,
        bound=bound,
        wall_time=deadline.elapsed(),
        notes=notes,
        placement_bound=placement_bound,
    )


def incumbent_progress(
    best: Incumbent, objective: Objective, deadline: Deadline, solver: str
) -> Progress:
    """A progress report of ``objective`` (the incumbent's or a better one) against the best
    bound known, in the units of the final result (see :class:`Progress`)."""
    placements = objective.placements if best.problem.lexicographic else None
    return Progress.of_combined(
        solver, deadline.elapsed(), float(objective.value), placements, best.bound, best.multiplier
    )


def report_incumbent(params: SolveParams, best: Incumbent, deadline: Deadline, solver: str) -> None:
    """One progress report of the incumbent (when there is one and someone listens), and
    the stop criterion asked about it."""
    if best.objective is None or best.chosen is None:
        return
    if params.progress is None and params.stop is None:
        return
    progress = incumbent_progress(best, best.objective, deadline, solver)
    if params.progress is not None:
        params.progress(dataclasses.replace(progress, edges=np.flatnonzero(best.chosen)))
    params.should_stop(progress)
