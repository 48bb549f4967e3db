"""Repair of the Lagrangian phase's relaxed solutions into feasible assignments.

A relaxed solution (:class:`solvers.lagrange_relaxation.Relaxation`) keeps the seats but may
break the budgets. :func:`repair` places the relaxed solution's edges first, then the others,
by priced weight or, every other repair, by decreasing regret of their talent (how much it
loses when its best priced edge is gone); a pass of shift moves then moves placements to
better edges and places left-out talents wherever every constraint still holds. Every repair
is checked with :func:`~solvers.problem.violated_groups`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from solvers.checks import objective_of, violated_groups
from solvers.greedy import greedy_assign
from solvers.greedy_state import GreedyState
from solvers.problem import BoolArray, Int64Array, Problem

FloatArray = npt.NDArray[np.float64]


def repair(
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
    state = GreedyState.empty(problem)
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
