"""Budgets a matching breaks, and the matching repaired to fit them.

Deferred acceptance knows nothing of budgets. :func:`budget_breaches` names each budget a
matching breaks and by how much (in euros a month); :func:`fit_budgets` drops, for each
broken budget, the lowest-scored placements it pays for until it fits. Pinned and accepted
placements are never dropped. Dropping a placement only lowers what every group spends, so
one pass over the host budgets, the top-up budgets and the subsidy pool fits them all
(unless the forced placements alone break one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solvers.checks import SUBSIDY_POOL, as_mask, host_budget_group, topup_budget_group
from solvers.problem import BoolArray, Int64Array, Problem
from solvers.units import CENTS_PER_EURO, NO_LIMIT


@dataclass(frozen=True)
class Breach:
    """One budget a matching breaks: its group name, what it spends and what it may."""

    group: str
    spent: int
    budget: int

    @property
    def over(self) -> int:
        """Cents a month over the budget."""
        return self.spent - self.budget

    def __str__(self) -> str:
        return (
            f"{self.group} by {self.over / CENTS_PER_EURO:,.2f}/month "
            f"({self.spent / CENTS_PER_EURO:,.2f} > {self.budget / CENTS_PER_EURO:,.2f})"
        )


def _groups(problem: Problem) -> list[tuple[Int64Array, Int64Array, Int64Array, list[str]]]:
    """(amount per edge, owner per edge, budget per owner, group name per owner) of the
    host budgets, the top-up budgets and the subsidy pool (one owner, 0)."""
    orgs = problem.compiled.arrays.org_ids
    return [
        (problem.fee, problem.host, problem.host_budget, [host_budget_group(o) for o in orgs]),
        (
            problem.topup,
            problem.lender,
            problem.lender_budget,
            [topup_budget_group(o) for o in orgs],
        ),
        (
            problem.subsidy,
            np.zeros(problem.n_edges, dtype=np.int64),
            np.array([problem.pool], dtype=np.int64),
            [SUBSIDY_POOL],
        ),
    ]


def _spent(amount: Int64Array, owner: Int64Array, n: int, chosen: BoolArray) -> Int64Array:
    return np.bincount(owner[chosen], weights=amount[chosen], minlength=n).round().astype(np.int64)


def budget_breaches(problem: Problem, edges: npt.ArrayLike) -> list[Breach]:
    """The budgets ``edges`` break, in the integer units of the model (never looser than
    the evaluator), host budgets first, then top-up budgets, then the subsidy pool."""
    chosen = as_mask(problem, edges)
    out = []
    for amount, owner, budget, names in _groups(problem):
        spent = _spent(amount, owner, budget.size, chosen)
        over = np.flatnonzero((budget != NO_LIMIT) & (spent > budget))
        out += [Breach(names[o], int(spent[o]), int(budget[o])) for o in over.tolist()]
    return out


@dataclass(frozen=True)
class Repair:
    """A matching fitted into the budgets.

    Attributes
    ----------
    edges
        The placements kept, sorted.
    dropped
        The placements dropped, sorted.
    breaches
        The budgets the matching broke before the repair.
    """

    edges: Int64Array
    dropped: Int64Array
    breaches: list[Breach]


def fit_budgets(problem: Problem, edges: npt.ArrayLike) -> Repair:
    """Drop the lowest-scored placements of each broken budget until it fits.

    Placements are dropped in increasing score (ties: the later edge first); pinned and
    accepted placements are kept, so a budget that the forced placements alone break stays
    broken.
    """
    chosen = as_mask(problem, edges)
    before = chosen.copy()
    breaches = budget_breaches(problem, np.flatnonzero(chosen))
    for amount, owner, budget, _ in _groups(problem):
        spent = _spent(amount, owner, budget.size, chosen)
        for o in np.flatnonzero((budget != NO_LIMIT) & (spent > budget)).tolist():
            mine = np.flatnonzero(chosen & (owner == o) & ~problem.forced & (amount > 0))
            # lowest score first; among equals the later edge goes first
            order = mine[np.lexsort((-mine, problem.value[mine]))]
            freed = np.cumsum(amount[order])
            needed = int(spent[o] - budget[o])
            count = min(int(np.searchsorted(freed, needed)) + 1, order.size)
            chosen[order[:count]] = False
    return Repair(
        edges=np.flatnonzero(chosen).astype(np.int64),
        dropped=np.flatnonzero(before & ~chosen).astype(np.int64),
        breaches=breaches,
    )


__all__ = ["Breach", "Repair", "budget_breaches", "fit_budgets"]
