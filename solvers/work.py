"""Reproducible runs: work budgets in place of wall-clock time.

With one worker (:attr:`solvers.result.SolveParams.reproducible`) the portfolio bounds each
phase by a deterministic measure of work instead of the clock, so that the same round, seed
and options give the same result run after run:

- the time limit (``SolveParams.budget_seconds``, the command's, fixed before it started) is
  shared out among the phases by a :class:`WorkClock` that counts the seconds each phase is
  *allotted*, never the seconds it took;
- CP-SAT gets ``max_deterministic_time`` (:func:`set_work_limit`), :data:`WORK_PER_SECOND`
  units per allotted second;
- the Lagrangian phase gets a number of iterations (:func:`lagrange_iterations`) and the
  neighbourhood search a budget of CP-SAT work (:func:`solvers.lns.improve`'s ``work``);
- decisions the wall-clock mode takes from measured seconds are taken from the round's size.

The wall-clock deadline still holds: a phase that reaches it stops there, and the result is
then not marked deterministic (:meth:`WorkClock.deterministic`). The factors below were
measured on the two-core machines these rounds run on (``docs/solvers.md``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from solvers.result import Result
from solvers.stop import Deadline

if TYPE_CHECKING:
    # only its type: the neighbourhood search imports this module and not CP-SAT
    from ortools.sat.python import cp_model

WORK_PER_SECOND = 0.2
"""CP-SAT deterministic time units per allotted second."""
LAGRANGE_SECONDS_PER_EDGE = 1.5e-6
"""Seconds one Lagrangian iteration (a flow relaxation and half a repair) takes per edge."""
LAGRANGE_SECONDS_FIXED = 0.02
"""Seconds one Lagrangian iteration takes whatever the round's size."""
GREEDY_SECONDS_PER_EDGE = 4.5e-6
"""Seconds one greedy pass takes per edge (about 20 s at 4.5 million edges)."""
LOCAL_WORK_PER_EDGE = 3e-7
"""Work units one local-search round (a scan of every move) counts per edge."""
NEIGHBOURHOOD_WORK = 0.005
"""Work units a neighbourhood counts besides its CP-SAT sub-solve (choosing it, building and
checking the sub-problem, or screening it)."""
HIGHS_NODES_PER_SECOND = 10
"""HiGHS branch-and-bound nodes per allotted second (the root counts as one: on models of
about 1,500 variables one node took 0.05-0.15 s, the root up to 2 s)."""
HIGHS_TIME_CAP = 3.0
"""A reproducible HiGHS phase stops after this many times its allotted seconds (the run is
then not deterministic)."""

SAFETY_MARGIN = 0.1
"""Seconds before the deadline within which a phase may have been stopped by the clock."""


@dataclass
class WorkClock:
    """The time budget of a reproducible run, shared out among its phases.

    Attributes
    ----------
    seconds
        The budget: the command's time limit.
    wall
        The wall-clock deadline, the safety net: a phase that reaches it stops there.
    allotted
        Seconds given to the phases so far.
    """

    seconds: float
    wall: Deadline
    allotted: float = field(default=0.0)
    _cut: bool = field(default=False, repr=False)

    def remaining(self) -> float:
        """Seconds of the budget not yet given to a phase."""
        return max(0.0, self.seconds - self.allotted)

    def spend(self, seconds: float) -> None:
        """Give ``seconds`` of the budget to a phase."""
        self.allotted += max(0.0, seconds)

    def cut(self) -> None:
        """Record that a phase was stopped by time, not by its work."""
        self._cut = True

    def deterministic(self) -> bool:
        """Whether no phase was cut by the clock: more than :data:`SAFETY_MARGIN` is left
        before the deadline (which a stop criterion may also have ended), the phases'
        safety nets stopping them at most that long before it."""
        return not self._cut and self.wall.remaining() > SAFETY_MARGIN


def work_clock(seconds: float, wall: Deadline, reproducible: bool) -> WorkClock | None:
    """The work clock of a reproducible run of ``seconds``, else None (wall-clock mode)."""
    return WorkClock(seconds, wall) if reproducible else None


def mark_deterministic(result: Result, clock: WorkClock | None) -> Result:
    """``result`` marked deterministic when it comes from a reproducible run that the clock
    did not cut; a reproducible run that it cut says so in a note."""
    if clock is None:
        return result
    if clock.deterministic():
        return dataclasses.replace(result, deterministic=True)
    note = "the time limit cut a phase short: the result may differ run to run"
    return dataclasses.replace(result, notes=[*result.notes, note])


def work_of(seconds: float) -> float:
    """CP-SAT work units of ``seconds``."""
    return WORK_PER_SECOND * max(seconds, 0.0)


def set_work_limit(solver: cp_model.CpSolver, seconds: float, wall_seconds: float) -> None:
    """Bound ``solver`` by the work of ``seconds`` (its deterministic time), with the clock's
    ``wall_seconds`` left as the safety net."""
    solver.parameters.max_deterministic_time = max(work_of(seconds), 0.01)
    solver.parameters.max_time_in_seconds = max(wall_seconds, 0.05)


def lagrange_iterations(n_edges: int, seconds: float) -> int:
    """The iterations of a Lagrangian phase allotted ``seconds`` on ``n_edges`` edges."""
    each = LAGRANGE_SECONDS_FIXED + LAGRANGE_SECONDS_PER_EDGE * n_edges
    return max(1, math.floor(seconds / each))


def highs_nodes(seconds: float) -> int:
    """HiGHS's node limit for ``seconds`` of a reproducible run."""
    return max(1, math.floor(HIGHS_NODES_PER_SECOND * seconds))


def expected_greedy_seconds(n_edges: int) -> float:
    """The seconds one greedy pass is expected to take on ``n_edges`` edges."""
    return GREEDY_SECONDS_PER_EDGE * n_edges


__all__ = [
    "WORK_PER_SECOND",
    "WorkClock",
    "expected_greedy_seconds",
    "highs_nodes",
    "lagrange_iterations",
    "mark_deterministic",
    "set_work_limit",
    "work_clock",
    "work_of",
]
