"""Lagrangian relaxation of the budgets: an upper bound and good solutions for large rounds.

Pricing the budget constraints (host fees, lender top-ups, subsidy pool) with multipliers
``lam >= 0`` leaves a seat-only problem that a min-cost flow solves exactly:

    L(lam) = max over seat-feasible x of  sum_e (w_e - lam . a_e) x_e
                                           - f . sum_o max(T_o - n_o(x), 0)  +  lam . B

is an upper bound on the round's objective for every ``lam``. The flow needs integer costs,
so the priced weights are rounded up to a fine fraction (:data:`RESOLUTION` units per
objective unit): that keeps ``L`` an upper bound while losing almost nothing to the
rounding.
The second term is the soft fairness penalty of lenders short of their target ``T_o``
(``f`` per missing placement): each talent has one lender, so the flow models it exactly
with one node per lender whose first ``T_o`` placements earn ``f``. The host-share penalty,
hard fairness rules and FTE over time are dropped, which only loosens the bound.

The multipliers follow projected subgradient steps with Polyak's rule towards the best
assignment found; the step scale halves only after a run of iterations without a better
bound, so the phase keeps converging for as long as its time allows. When every talent's
best edges already fit the seats, the relaxation is solved without the flow.

Relaxed solutions are repaired into feasible ones: the greedy places the relaxed solution's
edges first, then the others, by priced weight or, every other repair, by decreasing regret
of their talent (how much it loses when its best priced edge is gone); a pass of shift moves
then moves placements to better edges and places left-out talents wherever every constraint
still holds. Every repair is checked with :func:`~solvers.problem.violated_groups`.

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
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matcher.objective import Objective
from solvers.greedy import _State, greedy_assign
from solvers.problem import (
    NO_LIMIT,
    BoolArray,
    Int64Array,
    Problem,
    objective_of,
    violated_groups,
)

FloatArray = npt.NDArray[np.float64]

PATIENCE = 12
"""Most iterations without a better bound before the step scale halves."""
MIN_PATIENCE = 3
"""Fewest such iterations, on rounds where only a few dozen iterations fit in the time."""
PATIENCE_SHARE = 1 / 8
"""Patience as a share of the iterations expected to fit in the time: a patience of 12
suits hundreds of iterations, but on a round where one relaxation takes a second it keeps
a step scale too large for most of the phase (measured on 20,000 x 5,000, weighted, 36 s:
bound 9,824,019 with a patience of 12, 9,615,286 with this rule)."""
MIN_SCALE = 1e-4
"""The phase stops once the step scale falls below this."""
RESOLUTION = 1024
"""Most weight units per objective unit in the relaxation (a power of two)."""
COST_LIMIT = float(2**58)
"""Bound on the total cost the flow may handle, kept well inside int64: the solver scales
costs by the number of nodes."""


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


class _Relaxation:
    """The seat relaxation with a soft lender-shortfall penalty, solved for many weights.

    The capacities left by the forced edges, the lenders' remaining targets and the edge
    order by talent are computed once; each :meth:`solve` then only changes the weights.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        forced = np.flatnonzero(problem.forced)
        tours = problem.max_tours - np.bincount(problem.talent[forced], minlength=problem.n_talents)
        seats = problem.seats - np.bincount(problem.package[forced], minlength=problem.n_packages)
        self.feasible = bool((tours >= 0).all() and (seats >= 0).all())
        self.tours = np.maximum(tours, 0).astype(np.int64)
        self.seats = np.maximum(seats, 0).astype(np.int64)
        self.free = np.flatnonzero(
            ~problem.forced
            & ~problem.dead
            & (self.tours[problem.talent] > 0)
            & (self.seats[problem.package] > 0)
        ).astype(np.int64)
        # soft shortfall: a lender's first (target - forced) placements each avoid a penalty
        self.bonus = 0
        self.need = np.zeros(problem.n_orgs, dtype=np.int64)
        if problem.targets.any() and not problem.hard_fairness and problem.fairness_units > 0:
            have = np.bincount(problem.lender[forced], minlength=problem.n_orgs)
            self.need = np.maximum(problem.targets - have, 0).astype(np.int64)
            self.bonus = problem.fairness_units if self.need.any() else 0

    def penalty(self, chosen: BoolArray) -> int:
        """The shortfall penalty the relaxation charges ``chosen``."""
        if not self.bonus:
            return 0
        per_lender = np.bincount(self.problem.lender[chosen], minlength=self.problem.n_orgs)
        return int(np.maximum(self.problem.targets - per_lender, 0).sum()) * self.bonus

    def resolution(self, priced: FloatArray) -> int:
        """Weight units per objective unit: the largest power of two up to
        :data:`RESOLUTION` that keeps the flow's costs clear of overflow."""
        pb = self.problem
        nodes = pb.n_talents + pb.n_packages + pb.n_orgs + 2
        largest = float(np.abs(priced).max(initial=0.0)) + self.bonus + 1.0
        room = COST_LIMIT / (largest * nodes * max(1, int(self.tours.sum())))
        out = 1
        while out < RESOLUTION and 2 * out <= room:
            out *= 2
        return out

    def solve(self, weight: Int64Array, resolution: int = 1) -> BoolArray:
        """An optimal solution of the relaxation under ``weight``, in ``resolution`` units
        per objective unit."""
        pb = self.problem
        chosen = pb.forced.copy()
        bonus = self.bonus * resolution
        useful = self.free[weight[self.free] + bonus > 0]
        if not self.bonus:
            # every talent's best edges: optimal whenever they fit the seats
            order = useful[np.lexsort((-weight[useful], pb.talent[useful]))]
            talents = pb.talent[order]
            first = np.flatnonzero(np.r_[True, talents[1:] != talents[:-1]])
            counts = np.diff(np.r_[first, talents.size])
            rank = np.arange(talents.size) - np.repeat(first, counts)
            best = order[rank < self.tours[talents]]
            per_package = np.bincount(pb.package[best], minlength=pb.n_packages)
            if (per_package <= self.seats).all():
                chosen[best] = True
                return chosen
        return self._flow(weight, useful, chosen, bonus)

    def _flow(
        self, weight: Int64Array, edges: Int64Array, chosen: BoolArray, bonus: int
    ) -> BoolArray:
        pb = self.problem
        n_t, n_p, n_o = pb.n_talents, pb.n_packages, pb.n_orgs
        source, sink = n_t + n_p + n_o, n_t + n_p + n_o + 1
        flow = min_cost_flow.SimpleMinCostFlow()
        talents = np.arange(n_t, dtype=np.int64)
        packages = np.arange(n_p, dtype=np.int64)
        if self.bonus:
            # source -> lender (first `need` units earn the bonus) -> talent
            lenders = np.arange(n_o, dtype=np.int64)
            lender_node = n_t + n_p + lenders
            big = np.full(n_o, int(self.tours.sum()), dtype=np.int64)
            flow.add_arcs_with_capacity_and_unit_cost(
                np.full(n_o, source, dtype=np.int64),
                lender_node,
                self.need,
                np.full(n_o, -bonus, dtype=np.int64),
            )
            flow.add_arcs_with_capacity_and_unit_cost(
                np.full(n_o, source, dtype=np.int64), lender_node, big, np.zeros(n_o, np.int64)
            )
            talent_lender = pb.compiled.arrays.talent_lender.astype(np.int64)
            tails = n_t + n_p + talent_lender
        else:
            tails = np.full(n_t, source, dtype=np.int64)
        flow.add_arcs_with_capacity_and_unit_cost(
            tails, talents, self.tours, np.zeros(n_t, dtype=np.int64)
        )
        first_edge_arc = flow.num_arcs()
        flow.add_arcs_with_capacity_and_unit_cost(
            pb.talent[edges],
            n_t + pb.package[edges],
            np.ones(edges.size, dtype=np.int64),
            -weight[edges].astype(np.int64),
        )
        flow.add_arcs_with_capacity_and_unit_cost(
            n_t + packages,
            np.full(n_p, sink, dtype=np.int64),
            self.seats,
            np.zeros(n_p, dtype=np.int64),
        )
        supply = int(self.tours.sum())
        # a free bypass lets flow skip the talents, so leaving a talent unplaced costs nothing
        flow.add_arc_with_capacity_and_unit_cost(source, sink, supply, 0)
        flow.set_nodes_supplies(np.array([source, sink]), np.array([supply, -supply]))
        status = flow.solve()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow ended with status {status}")
        if edges.size:
            arcs = np.arange(first_edge_arc, first_edge_arc + edges.size, dtype=np.int64)
            chosen[edges[flow.flows(arcs) > 0]] = True
        return chosen


def lagrangian(
    problem: Problem,
    multiplier: int,
    time_limit: float,
    incumbent: BoolArray | None = None,
    max_iterations: int = 5000,
    repair_seconds: float = 0.0,
    on_solution: Callable[[BoolArray], None] | None = None,
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

    Returns
    -------
    LagrangeResult
        The best bound over the iterations, floored to an integer (combined objectives are
        integers), and the best feasible assignment among the incumbent and the repairs.
    """
    deadline = time.perf_counter() + time_limit
    budgets = _Budgets.of(problem)
    relaxation = _Relaxation(problem)
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
    best_credit = -float(problem.constant_penalty)
    best_lam = (lam_h.copy(), lam_l.copy(), lam_p)
    scale, stall, iterations, repairs = 2.0, 0, 0, 0
    relax_time = repair_time = 0.0
    patience = PATIENCE
    while iterations < max_iterations and time.perf_counter() < deadline:
        lap = time.perf_counter()
        # on large rounds one relaxation takes seconds: start none that would end far late
        if iterations and lap + 0.5 * relax_time / iterations > deadline:
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
            expected = time_limit / max(2 * relax_time, 1e-6)
            patience = int(np.clip(PATIENCE_SHARE * expected, MIN_PATIENCE, PATIENCE))

        # repairs cost more than the relaxation on large rounds: spend at most as long on
        # them as on the relaxation, besides the first one and one near the deadline, and
        # after the first one start none that would likely end past the deadline
        lap = time.perf_counter()
        last = lap + 2 * (relax_time + repair_time) / iterations > deadline
        expected_repair = repair_time / repairs if repairs else repair_seconds
        fits = lap + expected_repair <= deadline
        if fits and (repairs == 0 or repair_time <= relax_time or last):
            repairs += 1
            # alternate the repair's order: neither dominates, and both add diversity
            repaired = _repair(problem, priced, chosen, regret=repairs % 2 == 1)
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


def _repair(
    problem: Problem, priced: FloatArray, relaxed: BoolArray, *, regret: bool = True
) -> BoolArray | None:
    """A feasible assignment near ``relaxed``, or None if the repair breaks a constraint.

    The greedy takes the relaxed edges by priced weight, then the other edges by priced
    weight or, with ``regret``, by decreasing regret of their talent (the gap between its
    two best priced edges), so that talents with one good option are served before those
    with several; shift moves then improve the result.
    """
    n = problem.n_edges
    if not regret:
        return _improve(problem, np.lexsort((np.arange(n), -priced, ~relaxed)).astype(np.int64))
    live = ~problem.dead
    edges = np.flatnonzero(live)
    order_t = edges[np.lexsort((-priced[edges], problem.talent[edges]))]
    talents = problem.talent[order_t]
    first = np.flatnonzero(np.r_[True, talents[1:] != talents[:-1]]) if talents.size else talents
    top = np.full(problem.n_talents, -np.inf)
    second = np.full(problem.n_talents, -np.inf)
    if first.size:
        top[talents[first]] = priced[order_t[first]]
        nxt = first + 1
        ok = nxt < talents.size
        ok[ok] &= talents[nxt[ok]] == talents[first[ok]]
        second[talents[first[ok]]] = priced[order_t[nxt[ok]]]
    # a talent with one option loses everything without it: its regret is its best weight
    loss = np.zeros(problem.n_talents)
    two = np.isfinite(second)
    one = np.isfinite(top) & ~two
    loss[two] = top[two] - second[two]
    loss[one] = np.maximum(top[one], 0.0)
    order = np.lexsort((np.arange(n), -priced, -loss[problem.talent], ~relaxed)).astype(np.int64)
    return _improve(problem, order)


def _improve(problem: Problem, order: Int64Array) -> BoolArray | None:
    """The greedy along ``order``, then shift moves if they improve it; None if the greedy
    breaks a constraint."""
    if not problem.lexicographic:
        order = order[(problem.edge_gain[order] + problem.placement_units) > 0]
    greedy, _ = greedy_assign(problem, order)
    if violated_groups(problem, np.flatnonzero(greedy)):
        return None
    shifted = _shift(problem, greedy)
    if shifted is None:
        return greedy
    before = objective_of(problem, np.flatnonzero(greedy))
    after = objective_of(problem, np.flatnonzero(shifted))
    return shifted if after.key() > before.key() else greedy


def _shift(problem: Problem, chosen: BoolArray) -> BoolArray | None:
    """One pass of shift moves on a feasible assignment: each talent's placements move to
    the best edge of higher gain that fits once they are gone, and talents with tours
    left take the best edge that fits. None when the result breaks a constraint (a hard
    host share, which a move can upset) or nothing changed; a move can also raise a soft
    host-share penalty, so the caller judges the result on the whole objective."""
    gain = problem.edge_gain
    worth = gain + (0 if problem.lexicographic else problem.placement_units)
    state = _State.empty(problem)
    for e in np.flatnonzero(chosen).tolist():
        state.add(e)
    candidates = np.flatnonzero(~problem.dead & ~problem.forced)
    if not problem.lexicographic:
        candidates = candidates[worth[candidates] > 0]
    candidates = candidates[np.lexsort((-gain[candidates], problem.talent[candidates]))]
    talents = problem.talent[candidates]
    bounds = np.searchsorted(talents, np.arange(problem.n_talents + 1))
    cand_list = candidates.tolist()
    gain_list = gain.tolist()
    forced = problem.forced.tolist()
    changed = False
    for t in range(problem.n_talents):
        lo, hi = int(bounds[t]), int(bounds[t + 1])
        if lo == hi:
            continue
        mine = [e for e in cand_list[lo:hi] if state.chosen[e]]
        for e in mine:
            if forced[e]:
                continue
            state.remove(e)
            moved = False
            for c in cand_list[lo:hi]:
                if gain_list[c] <= gain_list[e]:
                    break
                if state.fits(c):
                    state.add(c)
                    moved = changed = True
                    break
            if not moved:
                state.add(e)
        while state.tours_left[t] > 0:
            for c in cand_list[lo:hi]:
                if state.fits(c):
                    state.add(c)
                    changed = True
                    break
            else:
                break
    if not changed:
        return None
    out = np.array(state.chosen, dtype=bool)
    if violated_groups(problem, np.flatnonzero(out)):
        return None
    return out
