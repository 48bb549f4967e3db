"""Lagrangian relaxation of the budgets: an upper bound and good solutions for large rounds.

Pricing the budget constraints (host fees, lender top-ups, subsidy pool) with multipliers
``lam >= 0`` leaves a seat-only problem that a min-cost flow solves exactly
(:mod:`solvers.lagrange_relaxation`):

    L(lam) = max over seat-feasible x of  sum_e (w_e - lam . a_e) x_e
                                           - f . sum_o max(T_o - n_o(x), 0)  +  lam . B

is an upper bound on the round's objective for every ``lam``. The second term is the soft
fairness penalty of lenders short of their target ``T_o`` (``f`` per missing placement),
which the flow models exactly. The host-share penalty, hard fairness rules and FTE over time
are dropped, which only loosens the bound. The breadth bonus is left out of the flow too:
the largest bonus any assignment collects (:meth:`~solvers.problem.Problem.bonus_bound`) is
added to the bound and the credit instead.

The multipliers follow projected subgradient steps with Polyak's rule towards the best
assignment found; the step scale halves only after a run of iterations without a better
bound, so the phase keeps converging for as long as its time allows.

Relaxed solutions are repaired into feasible ones (:mod:`solvers.lagrange_repair`): a
greedy that places the relaxed solution's edges first, then a pass of shift moves. Every
repair is checked with :func:`~solvers.problem.violated_groups`.

The weights ``w_e`` are those of the CP-SAT objective: ``M + gain`` for a lexicographic
objective (``M`` larger than any difference in the secondary term), ``placement_units +
gain`` for a weighted one. Values are compared in that combined scale.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matcher.objective import Objective
from solvers.checks import objective_of, violated_groups
from solvers.lagrange_relaxation import COST_LIMIT, Budgets, FloatArray, Relaxation
from solvers.lagrange_repair import repair
from solvers.problem import BoolArray, Problem

PATIENCE = 12
"""Most iterations without a better bound before the step scale halves."""
MIN_PATIENCE = 3
"""Fewest such iterations, on rounds where only a few dozen iterations fit in the time."""
PATIENCE_SHARE = 1 / 8
"""Patience as a share of the iterations expected to fit in the time: a patience of 12
suits hundreds of iterations, but on a round where one relaxation takes a second it keeps
a step scale too large for most of the phase (measured: docs/lab-notes-solvers.md)."""
MIN_SCALE = 1e-4
"""The phase stops once the step scale falls below this."""


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
    repairs
        Relaxed solutions repaired into feasible ones.
    credit
        ``lam . B`` less the constant penalty at the best multipliers: with
        ``priced_weight`` it gives the reduced costs of :mod:`solvers.core`.
    """

    bound: float | None
    chosen: BoolArray | None
    objective: Objective | None
    iterations: int
    priced_weight: FloatArray
    repairs: int = 0
    credit: float = 0.0


def combined(objective: Objective, multiplier: int) -> int:
    """An objective as one number: ``multiplier * placements + secondary`` when
    lexicographic, the weighted value otherwise."""
    if objective.lexicographic:
        return multiplier * objective.placements + objective.secondary
    return objective.value


def lagrangian(
    problem: Problem,
    multiplier: int,
    time_limit: float,
    incumbent: BoolArray | None = None,
    max_iterations: int = 5000,
    repair_seconds: float = 0.0,
    on_solution: Callable[[BoolArray], None] | None = None,
    budget: int | None = None,
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
    repair_seconds
        Expected time of one repair (a greedy pass), when known: no repair starts that
        would likely end past the time limit, the first one included.
    on_solution
        Called with each repaired assignment better than the best before it, as soon as
        it is found (the caller may start work that needs one).
    budget
        A reproducible run's iterations (:func:`solvers.work.lagrange_iterations`): the
        phase then takes no decision from measured seconds (a repair every other
        iteration, besides the first and the last), ``time_limit`` being only the safety
        net.

    Returns
    -------
    LagrangeResult
        The best bound over the iterations, floored to an integer (combined objectives are
        integers), and the best feasible assignment among the incumbent and the repairs.
    """
    deadline = time.perf_counter() + time_limit
    budgets = Budgets.of(problem)
    relaxation = Relaxation(problem)
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
    if not relaxation.feasible:
        return LagrangeResult(None, best_chosen, best_objective, 0, base.copy())
    best_bound = math.inf
    best_priced = base.copy()
    # the bonus is no part of the relaxation: its largest value keeps L(lam) a bound
    bonus = float(problem.bonus_bound())
    best_credit = bonus - float(problem.constant_penalty)
    best_lam = (lam_h.copy(), lam_l.copy(), lam_p)
    scale, stall, iterations, repairs = 2.0, 0, 0, 0
    relax_time = repair_time = 0.0
    patience = PATIENCE
    if budget is not None:
        max_iterations = budget
    while iterations < max_iterations and time.perf_counter() < deadline:
        lap = time.perf_counter()
        # on large rounds one relaxation takes seconds: start none that would end far late
        if budget is None and iterations and lap + 0.5 * relax_time / iterations > deadline:
            break
        iterations += 1
        price = np.zeros(problem.n_edges)
        price[has_h] += lam_h[budgets.host_row[has_h]] * problem.fee[has_h]
        price[has_l] += lam_l[budgets.lender_row[has_l]] * problem.topup[has_l]
        if budgets.pool_cap is not None:
            price += lam_p * problem.subsidy
        priced = base - price
        if not np.abs(priced).max(initial=0.0) < COST_LIMIT:
            # prices grow without end only when the forced edges alone exceed a budget: the
            # round is infeasible, and the search has nothing more to say
            break
        # weights in 1/resolution units, rounded up: L(lam) stays an upper bound and loses
        # at most 1/resolution per placement to the rounding
        resolution = relaxation.resolution(priced)
        weight = np.ceil(priced * resolution - 1e-9).astype(np.int64)
        chosen = relaxation.solve(weight, resolution)
        credit = (
            float(lam_h @ budgets.host_cap)
            + float(lam_l @ budgets.lender_cap)
            + (lam_p * budgets.pool_cap if budgets.pool_cap is not None else 0.0)
            - problem.constant_penalty
            + bonus
        )
        bound = float(weight[chosen].sum()) / resolution - relaxation.penalty(chosen) + credit
        # only a clear improvement resets the patience: float-sized gains would keep a
        # step scale that no longer helps
        stall = 0 if bound < best_bound - 1e-6 * max(1.0, abs(bound)) else stall + 1
        if bound < best_bound:
            best_bound, best_priced, best_credit = bound, priced, credit
            best_lam = (lam_h.copy(), lam_l.copy(), lam_p)
        restart = stall >= patience
        if restart:
            # steps that overshot (a poor target early on) can wander far from the best
            # multipliers: go back to them, and step from there with a smaller scale
            scale, stall = scale / 2, 0
            lam_h, lam_l, lam_p = best_lam[0].copy(), best_lam[1].copy(), best_lam[2]
        relax_time += time.perf_counter() - lap
        if iterations == 1:
            # a repair costs about as much as a relaxation
            expected = budget or time_limit / max(2 * relax_time, 1e-6)
            patience = int(np.clip(PATIENCE_SHARE * expected, MIN_PATIENCE, PATIENCE))

        # repairs cost more than the relaxation on large rounds: spend at most as long on
        # them as on the relaxation, besides the first one and one near the deadline, and
        # after the first one start none that would likely end past the deadline
        lap = time.perf_counter()
        last = lap + 2 * (relax_time + repair_time) / iterations > deadline
        expected_repair = repair_time / repairs if repairs else repair_seconds
        fits = lap + expected_repair <= deadline
        due = fits and (repairs == 0 or repair_time <= relax_time or last)
        if budget is not None:
            due = repairs == 0 or iterations % 2 == 0 or iterations == max_iterations
        if due:
            repairs += 1
            # alternate the repair's order: neither dominates, and both add diversity
            repaired = repair(problem, priced, chosen, regret=repairs % 2 == 1)
            if repaired is not None:
                objective = objective_of(problem, np.flatnonzero(repaired))
                value = combined(objective, multiplier)
                if value > best_value:
                    best_chosen, best_objective, best_value = repaired, objective, value
                    if on_solution is not None:
                        on_solution(repaired)
            repair_time += time.perf_counter() - lap

        if budgets.empty or best_bound - best_value < 1 or scale < MIN_SCALE:
            break
        if restart:
            # this iteration's subgradient belongs to the multipliers just left
            continue
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
        # a multiplier at zero with slack cannot move: leave it out of the step norm
        g_h = np.where((lam_h <= 0) & (g_h < 0), 0.0, g_h)
        g_l = np.where((lam_l <= 0) & (g_l < 0), 0.0, g_l)
        if lam_p <= 0 and g_p < 0:
            g_p = 0.0
        norm = float(g_h @ g_h + g_l @ g_l + g_p * g_p)
        if norm <= 0:
            break
        target = best_value if math.isfinite(best_value) else bound - 0.05 * abs(bound)
        step = scale * max(bound - target, 1.0) / norm
        lam_h = np.maximum(0.0, lam_h + step * g_h)
        lam_l = np.maximum(0.0, lam_l + step * g_l)
        lam_p = max(0.0, lam_p + step * g_p)
    # combined objectives are integers, so the bound can be floored; a margin for float
    # error in the price sums is added first (it can only loosen the bound)
    margin = 1e-6 + 1e-9 * abs(best_bound) if math.isfinite(best_bound) else 0.0
    return LagrangeResult(
        bound=math.floor(best_bound + margin) if math.isfinite(best_bound) else None,
        chosen=best_chosen,
        objective=best_objective,
        iterations=iterations,
        priced_weight=best_priced,
        repairs=repairs,
        credit=best_credit,
    )
