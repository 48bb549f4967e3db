"""The capacities of the problem's constraint groups in integer units: FTE per talent,
hiring and top-up budgets per organization, and the subsidy pool.

A capacity rounds down by a tolerance per amount that can meet in its sum
(:func:`solvers.units.capacity_units`), so each is counted over the most amounts that can:
a talent's tours, an organization's edges, or the placements of any assignment
(:func:`max_placements`), whichever is fewer.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from solvers.units import (
    CENTS_PER_EURO,
    FTE_RESOLUTION,
    FTE_TOL,
    MONEY_TOL,
    NO_LIMIT,
    Int64Array,
    capacity_units,
)

__all__ = ["budget_capacities", "fte_capacities", "max_placements", "pool_capacity"]


def fte_capacities(
    talent_fte: npt.NDArray[np.float64], talent: Int64Array, max_tours: int
) -> Int64Array:
    """Per talent: the FTE available, in units of 1/:data:`~solvers.units.FTE_RESOLUTION`.

    Parameters
    ----------
    talent_fte
        Per talent: FTE available.
    talent
        Per edge: its talent.
    max_tours
        Most tours per talent.
    """
    edges_per_talent = np.bincount(talent, minlength=talent_fte.size)
    # a talent holds at most max_tours packages, so that many FTE terms meet in one sum
    terms = int(min(max_tours, max(1, edges_per_talent.max(initial=1))))
    return np.array(
        [capacity_units(float(f), FTE_RESOLUTION, FTE_TOL, terms) for f in talent_fte],
        dtype=np.int64,
    )


def max_placements(
    talent: Int64Array, package: Int64Array, seats: Int64Array, max_tours: int
) -> int:
    """An upper bound on the number of placements of any assignment.

    Parameters
    ----------
    talent, package
        Per edge: talent and package index.
    seats
        Per package: seats.
    max_tours
        Most tours per talent.
    """
    with_edges = np.unique(talent).size
    used = np.unique(package)
    return int(min(talent.size, with_edges * max_tours, seats[used].sum()))


def budget_capacities(
    budgets: npt.NDArray[np.float64], group: Int64Array, most_placements: int
) -> Int64Array:
    """Per organization: its budget in cents, :data:`~solvers.units.NO_LIMIT` when it has
    none (an infinite budget).

    Parameters
    ----------
    budgets
        Per organization: the budget in euros, infinite for none.
    group
        Per edge: the organization whose budget pays for it.
    most_placements
        The bound of :func:`max_placements`.
    """
    terms = np.minimum(np.bincount(group, minlength=budgets.size), most_placements)
    out = np.full(budgets.size, NO_LIMIT, dtype=np.int64)
    for o, budget in enumerate(budgets.tolist()):
        if math.isfinite(budget):
            out[o] = max(0, capacity_units(budget, CENTS_PER_EURO, MONEY_TOL, int(terms[o])))
    return out


def pool_capacity(pool: float | None, n_edges: int, most_placements: int) -> int:
    """The subsidy pool in cents, :data:`~solvers.units.NO_LIMIT` when there is none.

    Parameters
    ----------
    pool
        The pool in euros, None for none.
    n_edges
        Edges of the problem.
    most_placements
        The bound of :func:`max_placements`.
    """
    if pool is None:
        return NO_LIMIT
    terms = min(n_edges, most_placements)
    return max(0, capacity_units(pool, CENTS_PER_EURO, MONEY_TOL, terms))
