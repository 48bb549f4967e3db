"""What the large-neighbourhood search (:func:`solvers.lns.improve`) takes and returns
besides its options: the sub-solver, the partner it trades with, and its result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from matcher.objective import Objective
from solvers.problem import BoolArray, Problem


class Partner(Protocol):
    """Another search on the same problem, running beside this one."""

    def receive(self) -> BoolArray | None:
        """Its latest solution (a mask over the problem's edges) when it has one not
        received yet, else None."""

    def send(self, chosen: BoolArray) -> None:
        """Hand it ``chosen``, better than any solution shared so far."""


@dataclass(frozen=True)
class LnsResult:
    """What the search found.

    Attributes
    ----------
    chosen
        The best assignment (the start if nothing better was found).
    objective
        Its objective.
    iterations, improvements
        Sub-solves made, and how many of them improved the incumbent.
    moves
        Local-search moves kept.
    received
        Solutions taken from the partner.
    screened
        Neighbourhoods that :func:`solvers.knapsack_bound.cannot_improve` proved
        unimprovable, so that CP-SAT did not search them (counted in ``iterations``).
    work
        Work units counted (a reproducible search's; see ``improve``).
    """

    chosen: BoolArray
    objective: Objective
    iterations: int
    improvements: int
    moves: int = 0
    received: int = 0
    screened: int = 0
    work: float = 0.0


SubSolver = Callable[[Problem, BoolArray, float, int, int], tuple[BoolArray, bool, float] | None]
"""``(sub_problem, hint, time_limit, seed, workers) -> (chosen, proven optimal, work)`` or
None without a solution, ``work`` being CP-SAT's deterministic time; see
:func:`solvers.backends.cpsat.solve_sub`. Passed in so that this
module does not import CP-SAT (the portfolio, :mod:`solvers.auto`, imports this module)."""


__all__ = ["LnsResult", "Partner", "SubSolver"]
