"""Lagrangian bound of a neighbourhood: can re-solving its free edges improve the incumbent?

A neighbourhood of the large-neighbourhood search (:mod:`solvers.lns`) frees some edges of
the incumbent and keeps every other placement. Before CP-SAT spends up to its sub-solve
limit on it, :func:`cannot_improve` tries to prove that no choice of the free edges beats the
incumbent, with the classic Lagrangian relaxation of the generalized assignment problem:

- the talents' "at most ``max_tours`` tours" rows are priced by multipliers ``u >= 0``;
- what is left splits by hiring organization: each host picks free edges of profit
  ``weight + gain - u[talent]`` within what its fee budget has left after the kept
  placements (a 0/1 knapsack, solved exactly by dynamic programming) and within its
  packages' seats;
- every other row (top-up budgets, the subsidy pool, FTE over time, fairness) is dropped,
  which only raises the bound, and soft penalties, which only lower an objective, are left
  out.

``sum(u * max_tours) + sum(host knapsack values)`` bounds the free edges' best contribution
for any ``u >= 0``; a subgradient search on ``u`` (Polyak steps towards the incumbent's own
contribution, starting from the multipliers the last call left) stops as soon as the bound
falls to that contribution. On GAP type D this bound is much stronger than the linear
relaxation CP-SAT works with (measured: ``docs/lab-notes-solvers.md``).

Budgets larger than :data:`MAX_CAPACITY` units are divided by a common factor, fees rounded
down and the capacity as well: any set of fees within the real budget still fits, so the
knapsack stays a relaxation (a weaker one). A host with a budget has its seats dropped from
its knapsack (a relaxation too; on GAP rounds they never bind); without a budget, each
package takes its most profitable free edges up to its free seats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.objective import Objective
from solvers.problem import BoolArray, Int64Array, Problem
from solvers.units import NO_LIMIT

FloatArray = npt.NDArray[np.float64]

MAX_CAPACITY = 2_048
"""Largest knapsack capacity solved as is; larger budgets are scaled down to it."""
ITERATIONS = 15
"""Subgradient steps before giving up on a proof."""
TOLERANCE = 1e-6
"""Slack on comparisons of float bounds with integer objectives."""
START_SCALE = 1.0
"""First factor of the Polyak step (halved whenever the bound stalls)."""
PATIENCE = 5
"""Steps without a lower bound after which the step factor is halved."""


@dataclass(frozen=True)
class Screen:
    """What :func:`cannot_improve` found.

    Attributes
    ----------
    proven
        True when no choice of the free edges can beat the incumbent.
    bound
        The best (lowest) bound found on the free edges' contribution.
    target
        The incumbent's contribution that an improvement must exceed.
    iterations
        Subgradient steps taken.
    talents, prices
        The talents with free edges and their multipliers at the best bound, less the
        placement weight (score units): a start for the next call (see ``prices`` of
        :func:`cannot_improve`).
    """

    proven: bool
    bound: float
    target: float
    iterations: int
    talents: Int64Array
    prices: FloatArray


def exact_budgets(problem: Problem) -> bool:
    """Whether every host budget fits :data:`MAX_CAPACITY` units, so that no knapsack is
    scaled (GAP rounds: yes; talent rounds, whose budgets are in cents: no)."""
    budgets = problem.host_budget[problem.host_budget != NO_LIMIT]
    return bool((budgets <= MAX_CAPACITY).all())


def knapsack(profit: FloatArray, weight: Int64Array, capacity: int) -> tuple[float, BoolArray]:
    """Best total profit of items within ``capacity``, and which items give it.

    Parameters
    ----------
    profit, weight
        Per item; items of profit <= 0 are never taken, weights must be >= 0.
    capacity
        Non-negative capacity.

    Returns
    -------
    tuple[float, BoolArray]
        The optimum and the taken items.
    """
    taken = np.zeros(profit.size, dtype=bool)
    items = np.flatnonzero((profit > 0) & (weight <= capacity))
    if items.size == 0 or capacity < 0:
        return 0.0, taken
    best = np.zeros(capacity + 1)
    better = np.zeros((items.size, capacity + 1), dtype=bool)
    for k, item in enumerate(items.tolist()):
        w = int(weight[item])
        # candidates from the table before this item: each item is taken at most once
        candidate = best[: capacity + 1 - w] + profit[item]
        improved = candidate > best[w:]
        better[k, w:] = improved
        best[w:] = np.where(improved, candidate, best[w:])
    left = capacity
    for k in range(items.size - 1, -1, -1):
        if better[k, left]:
            taken[items[k]] = True
            left -= int(weight[items[k]])
    return float(best[capacity]), taken


@dataclass(frozen=True)
class _Host:
    """The free edges of one host and what bounds them."""

    edges: Int64Array
    """Positions of the host's free edges among all free edges."""
    weight: Int64Array | None
    capacity: int
    package_seats: list[tuple[Int64Array, int]]
    """Without a budget: per package, its free edges (indices into ``edges``) and free seats."""


def cannot_improve(
    problem: Problem,
    chosen: BoolArray,
    free: BoolArray,
    incumbent: Objective,
    iterations: int = ITERATIONS,
    prices: FloatArray | None = None,
) -> Screen:
    """Try to prove that re-choosing the ``free`` edges of ``chosen`` cannot improve it.

    Parameters
    ----------
    problem
        The integer problem.
    chosen
        The incumbent, a feasible mask over the edges.
    free
        The edges the neighbourhood frees; every other placement of ``chosen`` is kept.
    incumbent
        The objective of ``chosen``.
    iterations
        Most subgradient steps.
    prices
        Per talent: a multiplier less the placement weight from an earlier call, NaN where
        none; the search starts there (the incumbent's own edge values elsewhere), so that
        calls on overlapping neighbourhoods of one incumbent go on where the last stopped.

    Returns
    -------
    Screen
        ``proven`` when no choice of the free edges can give a better objective.
    """
    edges = np.flatnonzero(free)
    if edges.size == 0:
        return Screen(True, 0.0, 0.0, 0, edges, np.zeros(0))
    gain = problem.edge_gain[edges].astype(np.float64)
    # one scalar objective: with weight above any change of the secondary term, a larger
    # scalar is exactly a better lexicographic key
    if problem.lexicographic:
        weight = float(np.abs(gain).sum()) + 1.0
    else:
        weight = float(problem.placement_units)
    profit = weight + gain
    # the fairness penalties only lower an objective (dropped proposed placements are in the
    # gains): an improvement must beat the incumbent's free contribution less its fairness
    # penalty
    dropped = problem.proposed_total - int(problem.proposed[chosen].sum())
    fairness = incumbent.penalty - dropped * problem.disruption_units
    target = float(profit[chosen[edges]].sum()) - fairness
    talents, local = np.unique(problem.talent[edges], return_inverse=True)
    hosts = _hosts(problem, chosen, free, edges)
    # start from the incumbent's prices: a placed talent is worth its edge's profit
    u = np.zeros(talents.size)
    placed = chosen[edges]
    u[local[placed]] = profit[placed]
    if prices is not None:
        known = ~np.isnan(prices[talents])
        u[known] = np.maximum(weight + prices[talents[known]], 0.0)
    best_u = u
    cap = float(problem.max_tours)
    best = np.inf
    step_scale = START_SCALE
    stalled = 0
    for step in range(1, iterations + 1):
        value = cap * float(u.sum())
        count = np.zeros(talents.size)
        reduced = profit - u[local]
        for host in hosts:
            host_value, taken = _host_best(host, reduced)
            value += host_value
            np.add.at(count, local[host.edges[taken]], 1.0)
        if value < best - TOLERANCE:
            best, best_u, stalled = value, u, 0
        else:
            stalled += 1
            if stalled >= PATIENCE:
                step_scale, stalled = step_scale / 2, 0
        if best < target + 1 - TOLERANCE:
            return Screen(True, best, target, step, talents, best_u - weight)
        slope = cap - count
        # multipliers stay >= 0: a talent with an unused tour cannot be priced below 0
        slope[(u <= 0) & (slope > 0)] = 0.0
        norm = float(slope @ slope)
        if norm == 0:
            break
        u = np.maximum(u - step_scale * (value - target) / norm * slope, 0.0)
    return Screen(False, best, target, iterations, talents, best_u - weight)


def _hosts(problem: Problem, chosen: BoolArray, free: BoolArray, edges: Int64Array) -> list[_Host]:
    """The free edges grouped by host, with each host's budget and seats left."""
    kept = chosen & ~free
    position = np.zeros(problem.n_edges, dtype=np.int64)
    position[edges] = np.arange(edges.size)
    seats_left = problem.seats - np.bincount(problem.package[kept], minlength=problem.n_packages)
    spent = np.bincount(problem.host[kept], weights=problem.fee[kept], minlength=problem.n_orgs)
    order = np.argsort(problem.host[edges], kind="stable")
    starts = np.flatnonzero(np.diff(problem.host[edges][order], prepend=-1))
    hosts = []
    for group in np.split(order, starts[1:]):
        host_edges = edges[group]
        h = int(problem.host[host_edges[0]])
        budget = int(problem.host_budget[h])
        if budget != NO_LIMIT:
            capacity = budget - int(spent[h])
            scale = max(1, -(-capacity // MAX_CAPACITY))
            # fees and capacity both rounded down: every set within the budget still fits
            weight = problem.fee[host_edges] // scale
            hosts.append(_Host(position[host_edges], weight, capacity // scale, []))
            continue
        packages = problem.package[host_edges]
        package_seats = [
            (np.flatnonzero(packages == p), int(seats_left[p])) for p in np.unique(packages)
        ]
        hosts.append(_Host(position[host_edges], None, 0, package_seats))
    return hosts


def _host_best(host: _Host, reduced: FloatArray) -> tuple[float, BoolArray]:
    """A host's best value from its free edges at these reduced profits, and the edges."""
    profit = reduced[host.edges]
    if host.weight is not None:
        return knapsack(profit, host.weight, host.capacity)
    taken = np.zeros(host.edges.size, dtype=bool)
    value = 0.0
    for members, seats in host.package_seats:
        ranked = members[np.argsort(-profit[members], kind="stable")][: max(seats, 0)]
        ranked = ranked[profit[ranked] > 0]
        taken[ranked] = True
        value += float(profit[ranked].sum())
    return value, taken
