"""The relaxation that the Lagrangian phase (:mod:`solvers.lagrange`) prices.

:class:`Budgets` holds the budget rows that can bind (host fees, lender top-ups, the subsidy
pool); priced by multipliers, they leave the seat problem of :class:`Relaxation`, which a
min-cost flow solves exactly for any weights. The flow needs integer costs, so the priced
weights are rounded up to a fine fraction (:data:`RESOLUTION` units per objective unit):
that keeps the Lagrangian an upper bound while losing almost nothing to the rounding.

The soft fairness penalty of lenders short of their target is kept in the relaxation: each
talent has one lender, so the flow models it exactly with one node per lender whose first
placements up to the target earn the penalty they avoid. When there is no such penalty and
every talent's best edges already fit the seats, the relaxation is solved without the flow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from solvers.problem import BoolArray, Int64Array, Problem
from solvers.units import NO_LIMIT

FloatArray = npt.NDArray[np.float64]

RESOLUTION = 1024
"""Most weight units per objective unit in the relaxation (a power of two)."""
COST_LIMIT = float(2**58)
"""Bound on the total cost the flow may handle, kept well inside int64: the solver scales
costs by the number of nodes."""


@dataclass(frozen=True)
class Budgets:
    """The budget rows that can bind, as per-edge row indices (-1: none)."""

    host_row: Int64Array
    lender_row: Int64Array
    host_cap: FloatArray
    lender_cap: FloatArray
    pool_cap: float | None

    @classmethod
    def of(cls, problem: Problem) -> Budgets:
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


class Relaxation:
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
