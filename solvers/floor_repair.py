"""The greedy's repair of the outcome floors (policy ``floors``).

A floor asks that ``FLOOR_RESOLUTION * with_outcome >= units * placements``. The greedy
places by gain and ignores it; :func:`meet_floors` then raises each floor's share, in three
steps, each of which never makes another floor worse:

1. add edges with the outcome that still fit (each raises the share);
2. swap: take out the weakest placement without the outcome and put in an edge with the
   outcome of the same talent or of the freed package (placements unchanged); put it back
   when no such edge fits;
3. for a hard floor still short, take out the weakest placements without the outcome until
   the share is met, refilling with edges that have it.

A hard floor of share 1 is met before all this: the greedy then only takes edges with the
outcome (:func:`floor_order`). The repair is best effort: the greedy's result says whether
every hard constraint holds.
"""

from __future__ import annotations

import numpy as np

from matcher.floors import FLOOR_RESOLUTION
from solvers.floor_rules import FloorRule
from solvers.greedy_state import GreedyState
from solvers.problem import Int64Array, Problem


def floor_order(problem: Problem, order: Int64Array) -> Int64Array:
    """``order`` without the edges that a hard floor of share 1 rules out (every placement
    must have its outcome)."""
    for floor in problem.floors:
        if floor.hard and floor.units >= FLOOR_RESOLUTION:
            order = order[floor.outcome[order]]
    return order


class _Counts:
    """Placements with each floor's outcome, kept up to date as edges come and go."""

    def __init__(self, state: GreedyState, floors: list[FloorRule]) -> None:
        self.state = state
        self.floors = floors
        self.outcome = [f.outcome.tolist() for f in floors]
        chosen = np.array(state.chosen, dtype=bool)
        self.count = [int(f.outcome[chosen].sum()) for f in floors]

    def gap(self, i: int, delta_total: int = 0, delta_count: int = 0) -> int:
        """Floor ``i``'s gap ``units * placements - R * with_outcome`` (met when <= 0),
        after adding ``delta_total`` placements of which ``delta_count`` have the outcome."""
        total = self.state.total + delta_total
        return self.floors[i].units * total - FLOOR_RESOLUTION * (self.count[i] + delta_count)

    def harmless(self, e: int, sign: int, skip: int) -> bool:
        """Whether adding (``sign`` 1) or taking out (-1) edge ``e`` leaves every floor but
        ``skip`` no further from its share than it is."""
        for j in range(len(self.floors)):
            if j == skip:
                continue
            after = self.gap(j, sign, sign * self.outcome[j][e])
            if after > 0 and after > self.gap(j):
                return False
        return True

    def add(self, e: int) -> None:
        self.state.add(e)
        for j, has in enumerate(self.outcome):
            self.count[j] += has[e]

    def remove(self, e: int) -> None:
        self.state.remove(e)
        for j, has in enumerate(self.outcome):
            self.count[j] -= has[e]


def meet_floors(state: GreedyState, order: Int64Array) -> None:
    """Raise every floor of ``state.problem`` that the greedy's placements miss (see the
    module docstring); soft floors get the first two steps only, which keep the
    placements."""
    floors = [f for f in state.problem.floors if f.hard or f.penalty_units > 0]
    if not floors:
        return
    counts = _Counts(state, floors)
    for i in range(len(floors)):
        if counts.gap(i) > 0:
            _raise_floor(counts, i, order)


def _raise_floor(counts: _Counts, i: int, order: Int64Array) -> None:
    """The three steps of the module docstring for floor ``i``."""
    state, floor = counts.state, counts.floors[i]
    problem = state.problem
    gain = problem.edge_gain.tolist()
    forced = problem.forced.tolist()
    has = counts.outcome[i]
    with_outcome = order[floor.outcome[order] & ~problem.dead[order]]
    by_talent = _Grouped(with_outcome, problem.talent[with_outcome], problem.n_talents)
    by_package = _Grouped(with_outcome, problem.package[with_outcome], problem.n_packages)

    def refill(e: int) -> bool:
        """Put in the best edge with the outcome of ``e``'s talent, else of its package."""
        for c in (*by_talent.of(state.talent[e]), *by_package.of(state.package[e])):
            if c != e and _fits(state, c) and counts.harmless(c, 1, i):
                counts.add(c)
                return True
        return False

    _add_fitting(counts, i, with_outcome)
    weakest = sorted(
        (e for e, on in enumerate(state.chosen) if on and not has[e] and not forced[e]),
        key=lambda e: (gain[e], -e),
    )
    left = []
    for e in weakest:
        if counts.gap(i) <= 0:
            break
        counts.remove(e)
        if not refill(e):
            counts.add(e)
            left.append(e)
    if floor.hard:
        for e in left:
            if counts.gap(i) <= 0:
                break
            if counts.harmless(e, -1, i):
                counts.remove(e)
                refill(e)
    _add_fitting(counts, i, with_outcome)


class _Grouped:
    """Edges in their order, grouped by owner (talent or package), read one owner at a
    time: a few owners are read out of hundreds of thousands of edges."""

    def __init__(self, edges: Int64Array, owner: Int64Array, n_owners: int) -> None:
        by_owner = np.argsort(owner, kind="stable")
        self.edges = edges[by_owner]
        self.bounds = np.searchsorted(owner[by_owner], np.arange(n_owners + 1))

    def of(self, owner: int) -> list[int]:
        edges: list[int] = self.edges[self.bounds[owner] : self.bounds[owner + 1]].tolist()
        return edges


def _add_fitting(counts: _Counts, i: int, with_outcome: Int64Array) -> None:
    """Add the edges with floor ``i``'s outcome that fit, in order, while that keeps the
    other floors. Only edges whose talent has a tour left and whose package a seat can fit:
    they are found at once, on arrays."""
    state = counts.state
    problem = state.problem
    tours_left = np.array(state.tours_left)[problem.talent[with_outcome]] > 0
    seats_left = np.array(state.seats_left)[problem.package[with_outcome]] > 0
    for e in with_outcome[tours_left & seats_left].tolist():
        if _fits(state, e) and counts.harmless(e, 1, i):
            counts.add(e)


def _fits(state: GreedyState, e: int) -> bool:
    """:meth:`GreedyState.fits`, after the cheap checks that rule most edges out inlined:
    the repair tries millions of edges on large rounds."""
    if state.chosen[e] or state.tours_left[state.talent[e]] <= 0:
        return False
    return state.seats_left[state.package[e]] > 0 and state.fits(e)
