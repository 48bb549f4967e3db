"""The options of the large-neighbourhood search (:func:`solvers.lns.improve`).

The measurements behind the defaults are in ``docs/lab-notes-solvers.md``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LnsOptions:
    """Options of :func:`solvers.lns.improve`.

    Attributes
    ----------
    start_free, min_free, max_free
        First, smallest and largest neighbourhood size in free edges.
    grow
        Factor by which the size grows after a quick optimal sub-solve (and shrinks after
        one that timed out). The sizes settle where about half the sub-solves time out;
        smaller sizes, and sub-solutions of equal value kept, did no better on GAP type D.
    sub_time
        Seconds per sub-solve: longer ones did no better on GAP type D.
    workers
        Sub-solves run at once, in as many threads, each by one CP-SAT worker: a small
        sub-problem gains little from a second worker, a second sub-solve doubles the
        neighbourhoods tried.
    local_search
        Whether to apply local-search moves between sub-solves.
    local_share
        Largest share of the time spent so far that local search may take: its full scans
        cost about as much as a small sub-solve, and both kinds of step are needed.
    screen, screen_max_free
        Before a sub-solve on at most ``screen_max_free`` free edges, try to prove the
        neighbourhood unimprovable by its Lagrangian bound
        (:func:`solvers.knapsack_bound.cannot_improve`) and skip it when that works. The
        bound's knapsacks are solved item by item, so their cost grows with the free edges.
        Only rounds whose host budgets fit the knapsacks unscaled
        (:func:`solvers.knapsack_bound.exact_budgets`) are screened: scaled knapsacks did
        not help on the one round measured.
    """

    start_free: int = 500
    min_free: int = 100
    max_free: int = 8_000
    grow: float = 1.3
    sub_time: float = 0.5
    workers: int = 2
    local_search: bool = True
    local_share: float = 0.3
    screen: bool = True
    screen_max_free: int = 1_000

    def __post_init__(self) -> None:
        if not 0 < self.min_free <= self.start_free <= self.max_free:
            raise ValueError("need 0 < min_free <= start_free <= max_free.")
        if self.grow <= 1:
            raise ValueError("grow <= 1 not understood.")
        if self.sub_time <= 0:
            raise ValueError("sub_time <= 0 not understood.")
        if not 0 <= self.local_share <= 1:
            raise ValueError("local_share outside [0, 1] not understood.")
