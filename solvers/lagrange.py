"""Lagrangian relaxation of the budgets: an upper bound and good solutions for large rounds.

Pricing the budget constraints (host fees, lender top-ups, subsidy pool) with multipliers
``lam >= 0`` leaves a seat-only problem that the min-cost flow solves exactly:

    L(lam) = max over seat-feasible x of  sum_e ceil(w_e - lam . a_e) x_e  +  lam . B

is an upper bound on the round's objective for every ``lam`` (the ceiling keeps it one;
fairness rules and FTE over time are dropped, which only loosens it). Subgradient steps
(Polyak's rule towards the best solution found) tighten it. Every relaxed solution is
repaired into a feasible one by the greedy, taking the relaxed solution's edges first and
the rest by priced weight, so cheap edges come before expensive ones.

The weights ``w_e`` are those of the CP-SAT objective: ``M + gain`` for a lexicographic
objective (``M`` larger than any difference in the secondary term), ``placement_units +
gain`` for a weighted one. Values are compared in that combined scale.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.objective import Objective
from solvers.flow import max_weight_matching
from solvers.greedy import greedy_assign
from solvers.problem import NO_LIMIT, BoolArray, Int64Array, Problem, objective_of, violated_groups

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LagrangeResult:
    """What the Lagrangian phase found.

    Attributes
    ----------
    bound
        Upper bound on the combined objective (see :func:`combined`), None if none.
    chosen
        The best feasible assignment found (None if none).
    objective
        Its objective.
    iterations
        Subgradient iterations made.
    priced_weight
        Per edge: weight less the budget prices at the best multipliers.
    """

    bound: float | None
    chosen: BoolArray | None
    objective: Objective | None
    iterations: int
    priced_weight: FloatArray


def combined(objective: Objective, multiplier: int) -> int:
    """An objective as one number: ``multiplier * placements + secondary`` when
    lexicographic, the weighted value otherwise."""
    if objective.lexicographic:
        return multiplier * objective.placements + objective.secondary
    return objective.value


@dataclass(frozen=True)
class _Budgets:
    """The budget rows that can bind, as per-edge row indices (-1: none)."""

    host_row: Int64Array
    lender_row: Int64Array
    host_cap: FloatArray
    lender_cap: FloatArray
    pool_cap: float | None

    @classmethod
    def of(cls, problem: Problem) -> _Budgets:
        live = ~problem.dead
        host_row, host_cap = _rows(problem.host, problem.fee, problem.host_budget, live)
        lender_row, lender_cap = _rows(problem.lender, problem.topup, problem.lender_budget, live)
        pool_cap = None
        if problem.pool != NO_LIMIT and int(problem.subsidy[live].sum()) > problem.pool:
            pool_cap = float(problem.pool)
        return cls(host_row, lender_row, host_cap, lender_cap, pool_cap)

    @property
    def empty(self) -> bool:
        return self.host_cap.size == 0 and self.lender_cap.size == 0 and self.pool_cap is None


def _rows(
    owner: Int64Array, amount: Int64Array, budget: Int64Array, live: BoolArray
) -> tuple[Int64Array, FloatArray]:
    totals = np.bincount(owner[live], weights=amount[live], minlength=budget.size)
    binding = np.flatnonzero((budget != NO_LIMIT) & (totals > budget))
    row_of_owner = np.full(budget.size, -1, dtype=np.int64)
    row_of_owner[binding] = np.arange(binding.size)
    return row_of_owner[owner], budget[binding].astype(np.float64)


def lagrangian(
    problem: Problem,
    multiplier: int,
    time_limit: float,
    incumbent: BoolArray | None = None,
    max_iterations: int = 200,
) -> LagrangeResult:
    """Run subgradient optimization of the budget multipliers for at most ``time_limit``
    seconds.

    Parameters
    ----------
    problem
        The integer problem.
    multiplier
        ``M`` of the lexicographic objective (ignored when weighted).
    time_limit
        Seconds to spend.
    incumbent
        A feasible assignment to start from, if any.
    max_iterations
        Most subgradient iterations.
    """
    deadline = time.perf_counter() + time_limit
    budgets = _Budgets.of(problem)
    gain = problem.edge_gain.astype(np.float64)
    base = gain + (multiplier if problem.lexicographic else problem.placement_units)
    lam_h = np.zeros(budgets.host_cap.size)
    lam_l = np.zeros(budgets.lender_cap.size)
    lam_p = 0.0
    has_h, has_l = budgets.host_row >= 0, budgets.lender_row >= 0

    best_chosen: BoolArray | None = None
    best_objective: Objective | None = None
    best_value = -math.inf
    if incumbent is not None and not violated_groups(problem, np.flatnonzero(incumbent)):
        best_chosen = incumbent
        best_objective = objective_of(problem, np.flatnonzero(incumbent))
        best_value = combined(best_objective, multiplier)
    best_bound = math.inf
    best_priced = base.copy()
    theta, stall, iterations = 1.0, 0, 0
    while iterations < max_iterations and time.perf_counter() < deadline:
        iterations += 1
        lap = time.perf_counter()
        price = np.zeros(problem.n_edges)
        price[has_h] += lam_h[budgets.host_row[has_h]] * problem.fee[has_h]
        price[has_l] += lam_l[budgets.lender_row[has_l]] * problem.topup[has_l]
        if budgets.pool_cap is not None:
            price += lam_p * problem.subsidy
        priced = base - price
        # rounding the weights up keeps L(lam) an upper bound
        weight = np.ceil(priced - 1e-9).astype(np.int64)
        chosen = max_weight_matching(problem, weight)
        if chosen is None:
            return LagrangeResult(None, None, None, iterations, best_priced)
        bound = (
            float(weight[chosen].sum())
            + float(lam_h @ budgets.host_cap)
            + float(lam_l @ budgets.lender_cap)
            + (lam_p * budgets.pool_cap if budgets.pool_cap is not None else 0.0)
            - problem.constant_penalty
        )
        if bound < best_bound - 1e-9:
            best_bound, best_priced, stall = bound, priced, 0
        else:
            stall += 1
            if stall >= 4:
                theta, stall = theta / 2, 0

        # repair: the relaxed solution's edges first, then the rest, by priced weight; on
        # large rounds the repair costs more than the flow, so later on only every third
        last = time.perf_counter() + 2 * (time.perf_counter() - lap) > deadline
        if iterations <= 3 or iterations % 3 == 0 or last:
            order = np.lexsort((np.arange(problem.n_edges), -priced, ~chosen)).astype(np.int64)
            repaired, _ = greedy_assign(problem, order)
            edges = np.flatnonzero(repaired)
            if not violated_groups(problem, edges):
                objective = objective_of(problem, edges)
                value = combined(objective, multiplier)
                if value > best_value:
                    best_chosen, best_objective, best_value = repaired, objective, value

        if budgets.empty or best_bound - best_value < 1 or theta < 1e-3:
            break
        g_h = (
            np.bincount(
                budgets.host_row[chosen & has_h],
                weights=problem.fee[chosen & has_h],
                minlength=lam_h.size,
            )
            - budgets.host_cap
        )
        g_l = (
            np.bincount(
                budgets.lender_row[chosen & has_l],
                weights=problem.topup[chosen & has_l],
                minlength=lam_l.size,
            )
            - budgets.lender_cap
        )
        g_p = (
            float(problem.subsidy[chosen].sum()) - budgets.pool_cap
            if budgets.pool_cap is not None
            else 0.0
        )
        norm = float(g_h @ g_h + g_l @ g_l + g_p * g_p)
        if norm <= 0:
            break
        target = best_value if math.isfinite(best_value) else 0.95 * bound
        step = theta * max(bound - target, 1.0) / norm
        lam_h = np.maximum(0.0, lam_h + step * g_h)
        lam_l = np.maximum(0.0, lam_l + step * g_l)
        lam_p = max(0.0, lam_p + step * g_p)
    return LagrangeResult(
        bound=best_bound if math.isfinite(best_bound) else None,
        chosen=best_chosen,
        objective=best_objective,
        iterations=iterations,
        priced_weight=best_priced,
    )
