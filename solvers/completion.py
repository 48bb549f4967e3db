"""A given assignment completed greedily: the seats and tours it leaves free are filled.

A re-solve starts from the offers still standing; what the declines freed is a few seats and
talents among thousands. The full greedy (:func:`solvers.greedy.greedy_assign`) walks every
edge of the round, about 5 s at 20,000 talents; :func:`complete_greedily` walks only the edges
whose talent has a tour left and whose package a seat left once the start is made, which
on such a round are a small fraction.
"""

from __future__ import annotations

import numpy as np

from solvers.problem import BoolArray, Int64Array, Problem
from solvers.units import NO_LIMIT

_UNLIMITED = 1 << 62


def _left(budget: Int64Array, spent: Int64Array) -> list[int]:
    """What is left of each budget (a large number for no limit)."""
    return [
        _UNLIMITED if b == NO_LIMIT else b - s
        for b, s in zip(budget.tolist(), spent.tolist(), strict=True)
    ]


def complete_greedily(problem: Problem, start: BoolArray, order: Int64Array) -> BoolArray | None:
    """``start`` with the edges of ``order`` added in turn where they fit (seats, tours and
    the host, lender and subsidy budgets); None on rounds of more than one tour per talent
    (FTE over time is the full greedy's to check) or when ``start`` itself exceeds a seat,
    tour or budget.

    The fairness rules are not looked at: the result is an offer to the incumbent, which
    judges it whole (:meth:`solvers.incumbent.Incumbent.offer`).
    """
    if problem.max_tours != 1:
        return None
    chosen = start.copy()
    edges = np.flatnonzero(chosen)
    seats_left = problem.seats - np.bincount(problem.package[edges], minlength=problem.n_packages)
    tours_left = 1 - np.bincount(problem.talent[edges], minlength=problem.n_talents)
    fees = np.bincount(problem.host[edges], problem.fee[edges], minlength=problem.n_orgs)
    topups = np.bincount(problem.lender[edges], problem.topup[edges], minlength=problem.n_orgs)
    host_left = _left(problem.host_budget, fees.astype(np.int64))
    lender_left = _left(problem.lender_budget, topups.astype(np.int64))
    spent = int(problem.subsidy[edges].sum())
    pool_left = _UNLIMITED if problem.pool == NO_LIMIT else problem.pool - spent
    if (seats_left < 0).any() or (tours_left < 0).any():
        return None
    if min(host_left) < 0 or min(lender_left) < 0 or pool_left < 0:
        return None
    open_ = (tours_left[problem.talent[order]] > 0) & (seats_left[problem.package[order]] > 0)
    candidates = order[open_ & ~problem.dead[order] & ~chosen[order]]
    # the candidates' attributes as lists: element access on lists is many times faster
    talents = problem.talent[candidates].tolist()
    packages = problem.package[candidates].tolist()
    hosts = problem.host[candidates].tolist()
    lenders = problem.lender[candidates].tolist()
    fee = problem.fee[candidates].tolist()
    topup = problem.topup[candidates].tolist()
    subsidy = problem.subsidy[candidates].tolist()
    seats, tours = seats_left.tolist(), tours_left.tolist()
    for i, e in enumerate(candidates.tolist()):
        t, p, h, lend = talents[i], packages[i], hosts[i], lenders[i]
        if tours[t] <= 0 or seats[p] <= 0:
            continue
        if fee[i] > host_left[h] or topup[i] > lender_left[lend] or subsidy[i] > pool_left:
            continue
        chosen[e] = True
        tours[t] -= 1
        seats[p] -= 1
        host_left[h] -= fee[i]
        lender_left[lend] -= topup[i]
        pool_left -= subsidy[i]
    return chosen
