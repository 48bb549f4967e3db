"""A bound with every budget priced that stays fast at national scale.

The Lagrangian phase of the portfolio (:mod:`solvers.lagrange`) keeps the seats in a min-cost
flow: exact, but one flow takes about 7 s on a round of 4.5 million edges, so in a few minutes
the multipliers barely move and its bound stays the seat relaxation's. Here the seats are
priced too, beside the hosts' fee budgets, the lenders' top-up budgets, the subsidy pool and
the lenders' minimum placements; what is left is one problem per talent (its best positive
priced edges, as many as its tours), solved in one vectorized pass over the edges:

    L(y) = sum over talents of their best positive priced weights + forced edges' priced weights
           + y . b - mu . T - constant penalty,

    priced_e = w_e - y_seat[p] - y_host[h] fee_e - y_lender[l] topup_e - y_pool subsidy_e
               + mu[l],

an upper bound on the combined objective (:func:`solvers.lagrange.combined`) for every
``y >= 0`` and every ``mu`` in ``[0, f]`` (``f`` the penalty per missing placement of a soft
``min_per_lender``; ``mu >= 0`` when the rule is hard): the soft shortfall penalty
``f max(T - n, 0)`` is the largest ``mu (T - n)`` over that range. The host-share rule and the
FTE over time are dropped, which only loosens the bound. Its best value over ``y`` is the
linear relaxation's value over the same rows (the per-talent problems have integral optima).

The multipliers follow subgradient steps towards a target level below the best bound so far
(the level drops after a run without progress). Each row is measured in its own typical
amount (a seat, the mean fee of a host's edges, ...), so that seats and money rows move at
comparable speeds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solvers.decompose.pricing import (
    Prices,
    Rows,
    View,
    auction_raise,
    credit_of,
    priced_weights,
)
from solvers.problem import BoolArray, Problem

FloatArray = npt.NDArray[np.float64]

AUCTION_ROUNDS = 20
"""First iterations that raise the seat prices by auction rounds instead of subgradient steps:
each package's price goes straight to where its demand meets its seats."""
FULL_EVERY = 10
"""Every this many iterations one prices every edge (its value is a bound, and it picks the
working set); the others price the working set only, several times faster at national
scale."""
WORKING_REACH = 0.25
"""The working set: edges priced within this share of a typical edge weight of their talent's
best."""
WORKING_SHARE = 0.5
"""A working set of more than this share of the edges is not worth it: every iteration is
then full."""
PATIENCE = 40
"""Iterations without a better bound before the target level comes closer."""
FIRST_LEVEL = 0.05
"""First distance of the target below the best bound, relative to the bound."""
MIN_LEVEL = 1e-5
"""The phase stops once the distance falls below this share of the bound."""


@dataclass(frozen=True)
class PricedBound:
    """What :func:`priced_bound` found.

    Attributes
    ----------
    bound
        Upper bound on the combined objective, floored; None when not even one iteration
        ran.
    priced_weight, credit
        At the best multipliers: per edge its weight less every priced row, and the rest of
        ``L`` (``y . b - mu . T`` less the constant penalty): inputs of
        :func:`solvers.core.reduced_costs`.
    chosen
        The relaxed solution at the best multipliers: per talent its best positive priced
        edges (and the forced ones). It meets the tours, not necessarily the seats or budgets.
    seat_price
        Per package: the price of a seat at the best multipliers (``priced_weight`` plus the
        price of the edge's seat is its weight less the money rows and the minimums alone).
    iterations
        Subgradient iterations made.
    """

    bound: float | None
    priced_weight: FloatArray
    credit: float
    chosen: BoolArray
    seat_price: FloatArray
    iterations: int


def priced_bound(
    problem: Problem,
    base: FloatArray,
    target_value: float,
    time_limit: float,
    max_iterations: int = 100_000,
    auction_rounds: int = AUCTION_ROUNDS,
) -> PricedBound:
    """Minimize ``L`` over the multipliers by subgradient steps for at most ``time_limit``
    seconds (a :class:`Pricer` run once).

    Parameters
    ----------
    problem
        The integer problem.
    base
        Per edge: its weight in the combined objective (``M`` or the placement units, plus
        its gain).
    target_value
        The best combined objective known (a floor for the target level).
    time_limit
        Seconds to spend.
    max_iterations
        Most iterations.
    auction_rounds
        First iterations that raise the seat prices by auction rounds.
    """
    pricer = Pricer(problem, base, target_value, auction_rounds)
    pricer.run(time.perf_counter() + time_limit, max_iterations)
    return pricer.result()


class Pricer:
    """The subgradient search over the prices, resumable: :meth:`run` goes on from where the
    last call stopped (the decomposition runs it while the parts are solved elsewhere).

    Parameters are those of :func:`priced_bound`.
    """

    def __init__(
        self,
        problem: Problem,
        base: FloatArray,
        target_value: float,
        auction_rounds: int = AUCTION_ROUNDS,
    ) -> None:
        pb = problem
        self.problem, self.base, self.target_value = pb, base, target_value
        self.auction_rounds = auction_rounds
        self.rows = Rows(pb)
        self.full = View.of(pb, self.rows, base, np.arange(pb.n_edges, dtype=np.int64))
        self.working = self.full
        forced = np.flatnonzero(pb.forced)
        self.forced = forced
        self.tours = np.maximum(
            pb.max_tours - np.bincount(pb.talent[forced], minlength=pb.n_talents), 0
        ).astype(np.int64)
        self.seats_left = self.rows.seats - np.bincount(pb.package[forced], minlength=pb.n_packages)
        # only edges priced within this of their talent's best are kept between full
        # iterations
        self.reach = WORKING_REACH * float(np.abs(base).mean()) if base.size else 0.0
        self.y = Prices(
            np.zeros(pb.n_packages),
            np.zeros(self.rows.host_cap.size),
            np.zeros(self.rows.lender_cap.size),
        )
        self.y.mu = np.zeros(pb.n_orgs)
        self.best_bound = self.best_seen = math.inf
        self.best: tuple[FloatArray, float, BoolArray, FloatArray] | None = None
        self.level, self.stall, self.iterations = FIRST_LEVEL, 0, 0
        self.done = False
        self._last_full = True

    def run(
        self,
        deadline: float,
        max_iterations: int = 100_000,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        """Iterate until ``deadline`` (a ``time.perf_counter()`` value), ``max_iterations``
        in all, convergence, or ``stop()`` is true; the last iteration run prices every
        edge."""
        pb, rows, y = self.problem, self.rows, self.y
        while (
            not self.done
            and self.iterations < max_iterations
            and time.perf_counter() < deadline
            and (stop is None or not stop())
        ):
            self.iterations += 1
            full = (self.iterations - 1) % FULL_EVERY == 0
            view = self.full if full else self.working
            self._last_full = full
            priced = priced_weights(view, y)
            chosen = view.talents.solve(priced, self.tours)
            credit = credit_of(pb, rows, y)
            bound = float(priced[chosen].sum()) + float(priced[view.forced].sum()) + credit
            chosen[view.forced] = True
            if full:
                self._offer(bound, priced, credit, chosen)
                keep = self.full.talents.near_best(priced, self.reach) | pb.forced
                if keep.sum() < WORKING_SHARE * pb.n_edges:
                    self.working = View.of(pb, rows, self.base, np.flatnonzero(keep))
            self.stall = 0 if bound < self.best_seen - 1e-4 * abs(bound) else self.stall + 1
            self.best_seen = min(self.best_seen, bound)
            if self.stall >= PATIENCE:
                self.level, self.stall = self.level / 2, 0
                if self.level < MIN_LEVEL:
                    self.done = True
                    break
            seen = self.best_seen
            target = max(
                seen * (1 - self.level) if seen > 0 else seen - self.level, self.target_value
            )
            if self.iterations <= self.auction_rounds:
                mine = chosen & ~pb.forced[view.index]
                y.seat += auction_raise(view, priced, mine, self.seats_left)
                continue
            if not y.step(view, rows, chosen, max(bound - target, 1e-9)):
                # the relaxed solution meets every priced row with complementary slackness
                self.done = True
        if not self._last_full and self.iterations:
            # a bound holds only for a full iteration: one more at the current prices
            priced = priced_weights(self.full, y)
            chosen = self.full.talents.solve(priced, self.tours)
            credit = credit_of(pb, rows, y)
            bound = float(priced[chosen].sum()) + float(priced[self.forced].sum()) + credit
            chosen[self.forced] = True
            self._offer(bound, priced, credit, chosen)
            self._last_full = True

    def _offer(self, bound: float, priced: FloatArray, credit: float, chosen: BoolArray) -> None:
        if bound < self.best_bound:
            self.best_bound, self.best = bound, (priced, credit, chosen, self.y.seat.copy())

    def result(self) -> PricedBound:
        """The best bound so far, with its prices and relaxed solution."""
        if self.best is None:
            empty = np.zeros(self.problem.n_edges, dtype=bool)
            seats = np.zeros(self.problem.n_packages)
            return PricedBound(None, self.base.copy(), 0.0, empty, seats, self.iterations)
        priced, credit, chosen, seat_price = self.best
        # combined objectives are integers: floor, after a margin for float error in the sums
        margin = 1e-6 + 1e-9 * abs(self.best_bound)
        bound = math.floor(self.best_bound + margin)
        return PricedBound(bound, priced, credit, chosen, seat_price, self.iterations)
