"""Feasible starts of a decomposed solve, from the priced bound's prices.

Two ways to a feasible assignment of the whole round:

- :func:`repaired`: a greedy pass (:func:`solvers.greedy.greedy_assign`) over the round's
  greedy order, some edges first (the priced bound's relaxed solution, or the parts' merged
  assignment): it keeps what fits of them and fills the rest.
- :func:`flow_at_prices`: the seats and tours kept exactly by a min-cost flow
  (:func:`solvers.flow.max_weight_matching`), the money rows (fee and top-up budgets, the
  subsidy pool) and the lenders' minimums priced at the bound's prices, raised by
  :data:`BUDGET_PRICE_FACTOR`; the flow's assignment meets the seats but not always the
  budgets, so it is then :func:`repaired`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from solvers.flow import max_weight_matching
from solvers.greedy import greedy_assign
from solvers.problem import BoolArray, Int64Array, Problem

BUDGET_PRICE_FACTOR = 1.1
"""The money rows' prices are raised by this factor in :func:`flow_at_prices`, so that the
flow breaks fewer budgets. On the national round (100,000 x 20,000, prices of 925-974
iterations), the repaired flow reached 34.64-34.66 M at 1.0, 34.74 M at 1.05, 34.86-34.88 M
at 1.1, 34.47 M at 1.2 and 33.16 M at 1.35, where the greedy pass after the relaxed solution
reached 34.12-34.22 M; the flow took 2.3 s, the repair 7.5 s."""


def repaired(problem: Problem, order: Int64Array, first: BoolArray) -> BoolArray:
    """A feasible assignment close to ``first``: a greedy pass in ``order`` over the edges
    of ``first``, then over the others."""
    ahead = first[order]
    chosen, _ = greedy_assign(problem, np.concatenate([order[ahead], order[~ahead]]))
    return chosen


def flow_at_prices(
    problem: Problem,
    base: npt.NDArray[np.float64],
    priced_weight: npt.NDArray[np.float64],
    seat_price: npt.NDArray[np.float64],
    factor: float = BUDGET_PRICE_FACTOR,
) -> BoolArray | None:
    """The best assignment within the seats and tours when every edge is worth its weight
    less ``factor`` times what the money rows and the minimums price it at (None when the
    forced placements alone exceed the seats or tours).

    Parameters
    ----------
    problem
        The integer problem.
    base
        Per edge: its weight in the combined objective.
    priced_weight, seat_price
        The priced bound's prices (:class:`~solvers.decompose.bound.PricedBound`): per edge
        its weight less every priced row, and per package the price of a seat.
    factor
        The money rows' prices are raised by it (:data:`BUDGET_PRICE_FACTOR`).
    """
    # what the budgets, the pool and the minimums price the edge at: every priced row but
    # its seat
    money = base - (priced_weight + seat_price[problem.package])
    weight = np.rint(base - factor * money).astype(np.int64)
    return max_weight_matching(problem, weight)
