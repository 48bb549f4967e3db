"""The ``stable`` method: the best stable matching under budgets and pins, or else the
matching with the fewest blocking pairs found, within one time limit, from a feasible start.

The start is the matching the method returns when CP-SAT finds nothing as good in time, and
CP-SAT's hint.

Deferred acceptance from either side within the budgets (:mod:`solvers.da_budgets`) is
kept when it meets every hard constraint; when neither does (a pin, an accepted placement
or hard fairness that deferred acceptance ignores), the greedy solution, which meets them
all when it can. Of those, the one with the fewest blocking pairs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.compile import CompiledRound
from matcher.models import Round
from matcher.preferences import Preferences, Side, build_preferences
from matcher.stability import audit_matching
from solvers.checks import violated_groups
from solvers.da_budgets import within_budgets
from solvers.deferred_acceptance import judged_result
from solvers.greedy import greedy_assign, greedy_order
from solvers.problem import Int64Array, Problem, build_problem
from solvers.result import Result, SolveParams, Status
from solvers.stable_cpsat import solve_fewest_blocking, solve_stable
from solvers.stable_model import Encoding, StableObjective
from solvers.stop import Deadline

SIDES: tuple[Side, ...] = ("talents", "packages")
STABLE_SHARE = 0.5
"""Share of the time for the stable model when a stable matching may not exist: the
fewest-blocking model gets the rest."""
MIN_FEWEST_SECONDS = 1.0
"""Least time left worth building the fewest-blocking model for."""
MAX_FEWEST_EDGES = 4_000
"""Most acceptable edges for which, with a feasible start, the fewest-blocking model runs.
On the synthetic 2,000-talent round (16,334 acceptable edges) it took 0.7 s to build and
200 MB more than the portfolio, and in 4.5 s found no matching with fewer blocking pairs
than the start (592 to 645, against 258): the stable model gets the whole time instead."""


@dataclass(frozen=True)
class Start:
    """A matching that meets every hard constraint.

    Attributes
    ----------
    edges
        Its placements, sorted.
    blocking
        Its blocking pairs, by the audit.
    how
        How it was built, for the notes.
    solver
        The name its result carries.
    stable_da
        Whether it is deferred acceptance's matching untouched (then stable).
    """

    edges: Int64Array
    blocking: int
    how: str
    solver: str
    stable_da: bool = False

    def result(self, problem: Problem, deadline: Deadline, why: str) -> Result:
        """This matching as the method's result, ``why`` first in the notes."""
        notes = [f"{why}; this is {self.how}"]
        return judged_result(self.solver, problem, self.edges, deadline, notes)


def feasible_start(problem: Problem, prefs: Preferences) -> Start | None:
    """The start with the fewest blocking pairs (see the module docstring); None when no
    candidate meets every hard constraint."""
    candidates = []
    for side in SIDES:
        fit = within_budgets(problem, prefs, side)
        if violated_groups(problem, fit.edges):
            continue
        how = fit.text(side) if fit.broken else f"{side}-proposing deferred acceptance, stable"
        solver = f"deferred_acceptance({side})" + ("+budgets" if fit.broken else "")
        blocking = fit.blocking
        candidates.append(Start(fit.edges, blocking, how, solver, stable_da=fit.broken == 0))
    if not candidates:
        chosen, conflicts = greedy_assign(problem, greedy_order(problem))
        edges = np.flatnonzero(chosen).astype(np.int64)
        if conflicts or violated_groups(problem, edges):
            return None
        blocking = audit_matching(prefs, edges).blocking
        how = f"the greedy solution: {blocking} blocking pair(s) by the audit"
        candidates.append(Start(edges, blocking, how, "greedy"))
    return min(candidates, key=lambda start: start.blocking)


@dataclass(frozen=True)
class StableSolve:
    """A best stable matching or, when none exists, the nearest matching.

    Attributes
    ----------
    result
        The stable-matching solve; ``INFEASIBLE`` when no stable matching respects the
        budgets and pins, ``UNKNOWN`` when none was found in time.
    alternative
        Only then: the matching with the fewest blocking pairs found, or a feasible start
        with fewer (:mod:`solvers.stable_start`); its first note says which. None when no
        matching meets the hard constraints (or none was found).
    """

    result: Result
    alternative: Result | None = None


def solve_stable_or_fewest_blocking(
    compiled: CompiledRound,
    round_: Round,
    params: SolveParams | None = None,
    *,
    objective: StableObjective = "score",
    preferences: Preferences | None = None,
    encoding: Encoding = "clause",
) -> StableSolve:
    """:func:`solve_stable`, and when it finds no stable matching, the matching with the
    fewest blocking pairs found as an alternative, all within one time limit.

    A feasible start (:func:`~solvers.stable_start.feasible_start`) comes first. When it is
    deferred acceptance's matching untouched, it is stable: CP-SAT starts from it and it is
    the answer if CP-SAT finds none. Otherwise the stable model gets half the time and the
    fewest-blocking model, started from it, the rest; the start is the alternative when
    CP-SAT finds nothing with as few blocking pairs.
    """
    prefs = build_preferences(compiled) if preferences is None else preferences
    params = SolveParams() if params is None else params
    deadline = params.timer()
    params = params.with_deadline(deadline)
    problem = build_problem(compiled, round_)
    start = feasible_start(problem, prefs)
    options: dict[str, Any] = {"objective": objective, "preferences": prefs, "encoding": encoding}
    if start is not None and start.stable_da:
        result = solve_stable(compiled, round_, params, **options, hint=start.edges)
        if result.status.has_solution or result.status == Status.INFEASIBLE:
            return StableSolve(result)
        why = f"CP-SAT found no better stable matching in time ({result.status})"
        return StableSolve(result, start.result(problem, deadline, why))
    # the fewest-blocking model is built only where it pays: see MAX_FEWEST_EDGES
    fewest_pays = start is None or int(prefs.acceptable.sum()) <= MAX_FEWEST_EDGES
    first = params.with_deadline(deadline.portion(STABLE_SHARE if fewest_pays else 1.0))
    result = solve_stable(compiled, round_, first, **options)
    if result.status.has_solution or result.status == Status.MODEL_INVALID:
        return StableSolve(result)
    if result.status == Status.INFEASIBLE:
        why = f"no stable matching respects the budgets and pins ({', '.join(result.conflicts)})"
    else:
        why = "no stable matching within the budgets and pins found in time"
    fewest = None
    if fewest_pays and deadline.remaining() >= MIN_FEWEST_SECONDS:
        hint = None if start is None else start.edges
        fewest = solve_fewest_blocking(compiled, round_, params, **options, hint=hint)
    if fewest is not None and fewest.status.has_solution:
        blocking = audit_matching(prefs, fewest.edges).blocking
        if start is None or blocking <= start.blocking:
            what = "the fewest blocking pairs" + (
                "" if fewest.status == Status.OPTIMAL else " found in time"
            )
            if blocking == 0:
                why, what = "a stable matching within the budgets and pins", "no blocking pair"
            note = f"{why}; this is the matching with {what}"
            return StableSolve(result, dataclasses.replace(fewest, notes=[note, *fewest.notes]))
    if start is None:
        return StableSolve(result, fewest)
    return StableSolve(result, start.result(problem, deadline, why))


__all__ = ["StableSolve", "Start", "feasible_start", "solve_stable_or_fewest_blocking"]
