"""The ``stable`` method: the best stable matching under budgets and pins, or else the
matching with the fewest blocking pairs found, within one time limit, from a feasible start.

The start is the matching the method returns when CP-SAT finds nothing as good in time, and
CP-SAT's hint. Before any search, :func:`budgets_beyond_reach` may prove from both deferred
acceptance outcomes that every stable matching breaks a budget, and name it.

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
from solvers.checks import (
    SUBSIDY_POOL,
    host_budget_group,
    topup_budget_group,
    violated_groups,
)
from solvers.da_budgets import within_budgets
from solvers.deferred_acceptance import deferred_acceptance, judged_result
from solvers.greedy import greedy_assign, greedy_order
from solvers.problem import Int64Array, Problem, build_problem
from solvers.result import Result, SolveParams, Status
from solvers.stable_cpsat import solve_fewest_blocking, solve_stable
from solvers.stable_model import STABILITY, Encoding, StableObjective
from solvers.stop import Deadline
from solvers.units import NO_LIMIT

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


def budgets_beyond_reach(problem: Problem, prefs: Preferences) -> list[str]:
    """The budgets that every stable matching breaks, by bounds from both deferred
    acceptance outcomes (empty when none is proven so, and always with pins or accepted
    placements, which the stable model may place outside the lists).

    In every stable matching each placed talent's partner lies in its list between its
    talent-optimal and its package-optimal partner, the same talents are placed and each
    package fills as many seats (the rural hospitals theorem). So a lender tops up at least
    the least top-up of each of its placed talents' ranges, the pool pays at least the least
    subsidies, and a package at least its cheapest fees among the talents whose range holds
    it, as many as it fills.
    """
    if problem.forced.any():
        return []
    best, worst = (deferred_acceptance(prefs, side) for side in SIDES)
    talents = prefs.talent[best].astype(np.int64)
    if not np.array_equal(np.sort(talents), np.sort(prefs.talent[worst])):
        return []  # cannot happen (rural hospitals); prove nothing rather than wrongly
    worst_rank = np.zeros(prefs.n_talents, dtype=np.int64)
    worst_rank[prefs.talent[worst]] = prefs.talent_rank[worst]
    low = prefs.talent_start[talents] + prefs.talent_rank[best]
    size = worst_rank[talents] - prefs.talent_rank[best] + 1  # each placed talent's range
    offsets = np.repeat(np.cumsum(size) - size - low, size)
    ranges = prefs.talent_order[np.arange(int(size.sum())) - offsets]
    owner = np.repeat(np.arange(talents.size), size)  # the placed talent of each entry
    least: dict[str, Int64Array] = {}
    for name, amount in (("topup", problem.topup), ("subsidy", problem.subsidy)):
        cheapest = np.full(talents.size, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(cheapest, owner, amount[ranges])
        least[name] = cheapest
    filled = np.bincount(prefs.package[best], minlength=prefs.n_packages)
    order = np.lexsort((problem.fee[ranges], problem.package[ranges]))
    package = problem.package[ranges[order]]
    counts = np.bincount(package, minlength=prefs.n_packages)
    rank = np.arange(order.size) - np.repeat(np.cumsum(counts) - counts, counts)
    fees = ranges[order][rank < filled[package]]
    spent = {
        "host": np.bincount(problem.host[fees], problem.fee[fees], problem.n_orgs),
        "topup": np.bincount(problem.lender[best], least["topup"], problem.n_orgs),
    }
    orgs = problem.compiled.arrays.org_ids
    out = [
        name(orgs[o])
        for key, budget, name in (
            ("host", problem.host_budget, host_budget_group),
            ("topup", problem.lender_budget, topup_budget_group),
        )
        for o in np.flatnonzero((budget != NO_LIMIT) & (spent[key] > budget)).tolist()
    ]
    if problem.pool != NO_LIMIT and int(least["subsidy"].sum()) > problem.pool:
        out.append(SUBSIDY_POOL)
    return out


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

    A feasible start (:func:`feasible_start`) comes first. When it is
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
    beyond = budgets_beyond_reach(problem, prefs)
    if beyond:
        note = f"no stable matching respects {', '.join(beyond)}: every one spends more"
        name = f"stable_cpsat({objective})"
        conflicts = sorted([*beyond, STABILITY])
        result = Result.no_solution(name, Status.INFEASIBLE, deadline.elapsed(), [note], conflicts)
    else:
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
