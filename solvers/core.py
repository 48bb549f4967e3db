"""The core of a round: the edges worth searching, chosen by Lagrangian reduced cost.

After the Lagrangian phase (:mod:`solvers.lagrange`) every edge has a priced weight
``w_e - lam . a_e``. Dropping the seats from that relaxation leaves one problem per talent:
take its ``k`` best edges of positive priced weight (``k``: the tours it has left after its
forced edges). Its value

    D = sum over talents of their k best positive priced weights
        + the forced edges' priced weights + lam . B - constant penalty

bounds the round's combined objective from above (a relaxation of the Lagrangian bound: equal
to it when the seats do not bind, as on GAP rounds). Forcing an edge ``e`` costs at least its
*reduced cost* ``rc_e = max(0, kth - w'_e)`` there (``kth``: its talent's ``k``-th best
positive priced weight, 0 without one; 0 for edges among the ``k`` best), so every assignment
that uses ``e`` is worth at most ``D - rc_e``.

Two uses follow:

- **Fixing.** An edge with ``D - rc_e < incumbent + 1`` is in no assignment strictly better
  than the incumbent (combined objectives are integers): the search may drop it and still
  prove optimality.
- **Core.** Assignments near the optimum use mostly edges of small reduced cost: CP-SAT on
  the edges of smallest reduced cost (about ``per_talent`` a talent) finds good solutions far
  sooner than on every edge (measured: ``docs/lab-notes-solvers.md``). When the core holds
  every edge that fixing keeps,
  it is *exact*: the search's bound and proofs hold for the whole round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solvers.problem import BoolArray, Problem

FloatArray = npt.NDArray[np.float64]

EXACT_FACTOR = 2.0
"""The core becomes exact when the edges that fixing keeps are at most this many times the
core's target size."""


@dataclass(frozen=True)
class Core:
    """Edges to search.

    Attributes
    ----------
    keep
        Per edge: whether it is in the core (forced edges and the incumbent's always are).
    exact
        Whether every edge left out is proven to be in no assignment better than the
        incumbent, so that a bound or a proof on the core holds for the whole round.
    reduced_cost
        Per edge: its reduced cost (0 for forced and dead edges).
    bound
        The talent-separable bound ``D`` on the combined objective.
    """

    keep: BoolArray
    exact: bool
    reduced_cost: FloatArray
    bound: float

    @property
    def size(self) -> int:
        return int(self.keep.sum())


def reduced_costs(problem: Problem, priced: FloatArray, credit: float) -> tuple[FloatArray, float]:
    """Per-edge reduced costs in the talent-separable relaxation, and its bound ``D``.

    Parameters
    ----------
    problem
        The integer problem.
    priced
        Per edge: its weight less the budget prices (combined-objective units).
    credit
        ``lam . B`` less the constant penalty, at the multipliers of ``priced``.
    """
    forced = np.flatnonzero(problem.forced)
    tours = problem.max_tours - np.bincount(problem.talent[forced], minlength=problem.n_talents)
    tours = np.maximum(tours, 0)
    free = np.flatnonzero(~problem.forced & ~problem.dead & (tours[problem.talent] > 0))
    order = free[np.lexsort((-priced[free], problem.talent[free]))]
    talents = problem.talent[order]
    counts = np.bincount(talents, minlength=problem.n_talents)
    starts = np.cumsum(counts) - counts
    rank = np.arange(order.size) - np.repeat(starts, counts)
    positive = np.maximum(priced[order], 0.0)
    among_best = rank < tours[talents]
    # the k-th best positive priced weight of each talent (0 when it has fewer than k)
    kth = np.zeros(problem.n_talents)
    at_kth = rank == tours[talents] - 1
    kth[talents[at_kth]] = positive[at_kth]
    rc = np.zeros(problem.n_edges)
    rc[order] = np.where(among_best, 0.0, np.maximum(kth[talents] - priced[order], 0.0))
    bound = float(positive[among_best].sum()) + float(priced[forced].sum()) + credit
    return rc, bound


def _useful(problem: Problem, rc: FloatArray, bound: float, incumbent_value: int) -> BoolArray:
    """Live, unforced edges that fixing keeps: some assignment that uses them may be worth
    more than the incumbent."""
    live = ~problem.dead & ~problem.forced
    # float sums of priced weights: a margin keeps the fixing on the safe side
    margin = 1e-6 * max(1.0, abs(bound))
    return live & (bound - rc + margin >= incumbent_value + 1)


def fixing_core(
    problem: Problem,
    priced: FloatArray,
    credit: float,
    incumbent: BoolArray,
    incumbent_value: int,
) -> Core:
    """The exact core: every edge that reduced-cost fixing keeps, the incumbent's and the
    forced ones. Parameters as for :func:`find_core`."""
    rc, bound = reduced_costs(problem, priced, credit)
    keep = _useful(problem, rc, bound, incumbent_value) | incumbent | problem.forced
    return Core(keep, True, rc, bound)


def find_core(
    problem: Problem,
    priced: FloatArray,
    credit: float,
    incumbent: BoolArray,
    incumbent_value: int,
    per_talent: float,
) -> Core:
    """The core of about ``per_talent`` edges a talent, exact when fixing leaves few edges.

    Parameters
    ----------
    problem
        The integer problem.
    priced, credit
        See :func:`reduced_costs`.
    incumbent
        The best feasible assignment: its edges stay in the core.
    incumbent_value
        Its combined objective.
    per_talent
        Target core size, in edges per talent.
    """
    rc, bound = reduced_costs(problem, priced, credit)
    useful = _useful(problem, rc, bound, incumbent_value)
    target = max(1, int(per_talent * problem.n_talents))
    always = incumbent | problem.forced
    if int(useful.sum()) <= EXACT_FACTOR * target:
        return Core(useful | always, True, rc, bound)
    candidates = np.flatnonzero(useful)
    threshold = float(np.partition(rc[candidates], target - 1)[target - 1])
    keep = useful & (rc <= threshold)
    return Core(keep | always, False, rc, bound)
