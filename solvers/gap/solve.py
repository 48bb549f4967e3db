"""A GAP instance solved by one of the engine's methods, and its result read back as a GAP
assignment.

The instance becomes the engine's problem (:func:`solvers.gap.problem.gap_problem`). Only
the methods that solve a built problem apply (:data:`GAP_METHODS`): the instance's resource
use per pair lives in the problem's arrays, which a method that compiles the round again
would not see. The result is read back by :func:`gap_assignment` and judged by the GAP
checker (:func:`solvers.gap.instance.evaluate_assignment`), never by the engine's own account.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from solvers.auto.options import AutoOptions
from solvers.auto.solve import solve_problem
from solvers.backends.highs import highs_result
from solvers.gap.instance import Evaluation, GapInstance, IntArray, Sense, evaluate_assignment
from solvers.gap.problem import GapProblem, gap_problem
from solvers.greedy import greedy_result
from solvers.problem import Problem
from solvers.registry import PLAIN_CPSAT
from solvers.result import Result, SolveParams

ProblemSolver = Callable[[Problem, SolveParams], Result]


def _auto(problem: Problem, params: SolveParams) -> Result:
    return solve_problem(problem, params, AutoOptions())


def _cpsat(problem: Problem, params: SolveParams) -> Result:
    return solve_problem(problem, params, PLAIN_CPSAT)


def _greedy(problem: Problem, params: SolveParams) -> Result:
    return greedy_result(problem, params.timer())


GAP_METHODS: Mapping[str, ProblemSolver] = MappingProxyType(
    {"auto": _auto, "cpsat": _cpsat, "highs": highs_result, "greedy": _greedy}
)
"""The methods of :data:`solvers.registry.METHODS` that solve a GAP instance: the portfolio
(``auto``, the flow shortcut aside, which a GAP round never takes), CP-SAT alone, HiGHS and
the greedy. The others do not apply: ``flow`` solves seat-only rounds, ``decompose`` splits
a national round, and the stable matchings need the talents' preferences."""


def solve_gap(
    instance: GapInstance, sense: Sense, params: SolveParams, method: str = "auto"
) -> tuple[GapProblem, Result]:
    """Solve ``instance`` with ``method`` of :data:`GAP_METHODS`.

    Parameters
    ----------
    instance
        The instance.
    sense
        Minimise or maximise the total cost.
    params
        Time limit, workers, seed and gap; the limit holds for the whole call, the mapping
        included (from ``params.deadline`` when set, from now otherwise).
    method
        A key of :data:`GAP_METHODS`.

    Returns
    -------
    tuple[GapProblem, Result]
        The mapped problem and the method's result over its edges
        (:func:`gap_assignment` reads it back).

    Raises
    ------
    ValueError
        If ``method`` does not solve a GAP instance.
    """
    if method not in GAP_METHODS:
        known = ", ".join(GAP_METHODS)
        raise ValueError(f"method {method!r} does not solve a GAP instance; known: {known}")
    params = params.with_deadline(params.timer())
    mapped = gap_problem(instance, sense)
    return mapped, GAP_METHODS[method](mapped.problem, params)


@dataclass(frozen=True, eq=False)
class GapAssignment:
    """A result read back as a GAP assignment.

    Attributes
    ----------
    agents
        Agent index (0-based) of each job; None unless the result places every job once.
    evaluation
        The GAP checker's verdict on ``agents`` (cost, capacity feasibility); None without
        ``agents``.
    bound
        The engine's bound in cost units, in the instance's sense; None when unknown or when
        not every job is placed (the engine's bound holds given its placements).
    """

    agents: IntArray | None
    evaluation: Evaluation | None
    bound: float | None


def gap_assignment(instance: GapInstance, mapped: GapProblem, result: Result) -> GapAssignment:
    """``result`` (over ``mapped``'s edges) as an assignment of ``instance``'s jobs."""
    if result.objective is None:
        return GapAssignment(None, None, None)
    agents = mapped.agents(result.edges)
    if agents is None:
        return GapAssignment(None, None, None)
    bound = None if result.bound is None else mapped.cost_bound(result.bound)
    return GapAssignment(agents, evaluate_assignment(instance, agents), bound)


__all__ = [
    "GAP_METHODS",
    "GapAssignment",
    "ProblemSolver",
    "gap_assignment",
    "solve_gap",
]
