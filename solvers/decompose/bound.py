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

from solvers.lagrange_relaxation import Budgets
from solvers.problem import BoolArray, Int64Array, Problem

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
    iterations
        Subgradient iterations made.
    """

    bound: float | None
    priced_weight: FloatArray
    credit: float
    chosen: BoolArray
    iterations: int


class _Rows:
    """The priced rows as per-edge coefficients in their own units (see the module
    docstring): seats, binding host and lender budgets, the pool and the lender targets."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        budgets = Budgets.of(problem)
        self.host_row, self.lender_row = budgets.host_row, budgets.lender_row
        self.host_unit = _row_unit(budgets.host_row, problem.fee, budgets.host_cap.size)
        self.lender_unit = _row_unit(budgets.lender_row, problem.topup, budgets.lender_cap.size)
        self.host_cap = budgets.host_cap / self.host_unit
        self.lender_cap = budgets.lender_cap / self.lender_unit
        self.pool_cap = budgets.pool_cap
        live = ~problem.dead
        self.pool_unit = float(problem.subsidy[live].mean()) if live.any() else 1.0
        self.pool_unit = max(self.pool_unit, 1.0)
        has_h, has_l = self.host_row >= 0, self.lender_row >= 0
        # row -1 (none) reads the appended entry
        self.fee = np.where(has_h, problem.fee / np.append(self.host_unit, 1.0)[self.host_row], 0.0)
        self.topup = np.where(
            has_l, problem.topup / np.append(self.lender_unit, 1.0)[self.lender_row], 0.0
        )
        self.subsidy = problem.subsidy / self.pool_unit
        self.seats = problem.seats.astype(np.float64)
        # the lenders' minimum placements: soft ones priced within [0, penalty]
        self.targets = problem.targets.astype(np.float64)
        self.mu_cap = math.inf if problem.hard_fairness else float(problem.fairness_units)
        if not problem.targets.any() or self.mu_cap == 0:
            self.targets = np.zeros(problem.n_orgs)


def _row_unit(row: Int64Array, amount: Int64Array, n_rows: int) -> FloatArray:
    """Per row: the mean amount of its edges (at least one cent)."""
    has = row >= 0
    total = np.bincount(row[has], weights=amount[has], minlength=n_rows)
    count = np.bincount(row[has], minlength=n_rows)
    return np.maximum(total / np.maximum(count, 1), 1.0)


class _Talents:
    """The per-talent problem on some edges (a view's, :class:`_View`): each talent's best
    positive priced free edges, as many as its tours left after its forced edges."""

    def __init__(self, talent: Int64Array, free: BoolArray) -> None:
        where = np.flatnonzero(free)
        self.order = where[np.argsort(talent[where], kind="stable")]
        talents = talent[self.order]
        change = np.r_[True, talents[1:] != talents[:-1]] if talents.size else np.zeros(0, bool)
        self.first = np.flatnonzero(change)
        self.segment = np.cumsum(change) - 1
        self.talent = talents[self.first]
        self.n_edges = talent.size

    def bids(self, priced: FloatArray, chosen: BoolArray) -> tuple[Int64Array, FloatArray]:
        """The chosen free edges and, for each, how much its priced weight exceeds its
        talent's best alternative (an unchosen edge, or nothing at 0): what the talent
        would still pay for it."""
        in_order = chosen[self.order]
        value = np.where(in_order, -np.inf, priced[self.order])
        second = np.maximum(np.maximum.reduceat(value, self.first), 0.0)
        picked = np.flatnonzero(in_order)
        edges = self.order[picked]
        return edges, priced[edges] - second[self.segment[picked]]

    def near_best(self, priced: FloatArray, reach: float) -> BoolArray:
        """Per edge: whether it is free and priced within ``reach`` of its talent's best."""
        keep = np.zeros(self.n_edges, dtype=bool)
        if self.order.size:
            value = priced[self.order]
            best = np.maximum.reduceat(value, self.first)
            keep[self.order[value >= best[self.segment] - reach]] = True
        return keep

    def solve(self, priced: FloatArray, tours: Int64Array) -> BoolArray:
        """The chosen free edges (a mask over the view's edges; forced ones not included),
        ``tours`` being each talent's tours left."""
        chosen = np.zeros(self.n_edges, dtype=bool)
        if self.order.size == 0:
            return chosen
        value = priced[self.order]
        left = value.copy()
        tours_of = tours[self.talent]
        for k in range(int(tours_of.max(initial=0))):
            best = np.maximum.reduceat(left, self.first)
            take = (left == best[self.segment]) & (best[self.segment] > 0)
            take &= tours_of[self.segment] > k
            # one edge a talent per round: the first of the ties
            picked = np.flatnonzero(take)
            if picked.size == 0:
                break
            picked = picked[np.r_[True, self.segment[picked][1:] != self.segment[picked][:-1]]]
            chosen[self.order[picked]] = True
            left[picked] = -np.inf
        return chosen


@dataclass(frozen=True)
class _View:
    """Some edges of the problem (``index``) and their coefficients: all of them, or the
    working set the iterations between full ones price."""

    index: Int64Array
    package: Int64Array
    lender: Int64Array
    host_row: Int64Array
    lender_row: Int64Array
    fee: FloatArray
    topup: FloatArray
    subsidy: FloatArray
    base: FloatArray
    forced: Int64Array
    talents: _Talents

    @classmethod
    def of(cls, problem: Problem, rows: _Rows, base: FloatArray, index: Int64Array) -> _View:
        forced = problem.forced[index]
        free = ~forced & ~problem.dead[index]
        return cls(
            index=index,
            package=problem.package[index],
            lender=problem.lender[index],
            host_row=rows.host_row[index],
            lender_row=rows.lender_row[index],
            fee=rows.fee[index],
            topup=rows.topup[index],
            subsidy=rows.subsidy[index],
            base=base[index],
            forced=np.flatnonzero(forced),
            talents=_Talents(problem.talent[index], free),
        )


def _auction_raise(
    view: _View, priced: FloatArray, chosen: BoolArray, seats: FloatArray
) -> FloatArray:
    """Per package: how much its seat price must rise for no more talents to want it than it
    has seats, each talent keeping its bid (one round of the auction algorithm)."""
    edges, bid = view.talents.bids(priced, chosen)
    package = view.package[edges]
    order = np.lexsort((-bid, package))
    package, bid = package[order], bid[order]
    first = np.flatnonzero(np.r_[True, package[1:] != package[:-1]]) if package.size else package
    counts = np.diff(np.r_[first, package.size])
    rank = np.arange(package.size) - np.repeat(first, counts)
    outbid = rank == seats[package]
    raise_by = np.zeros(seats.size)
    # the first talent left out sets the price, plus a little so that the tie breaks
    raise_by[package[outbid]] = bid[outbid] + 1e-3
    return raise_by


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
        self.rows = _Rows(pb)
        self.full = _View.of(pb, self.rows, base, np.arange(pb.n_edges, dtype=np.int64))
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
        self.y = _Prices(
            np.zeros(pb.n_packages),
            np.zeros(self.rows.host_cap.size),
            np.zeros(self.rows.lender_cap.size),
        )
        self.y.mu = np.zeros(pb.n_orgs)
        self.best_bound = self.best_seen = math.inf
        self.best: tuple[FloatArray, float, BoolArray] | None = None
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
            priced = _priced(view, y)
            chosen = view.talents.solve(priced, self.tours)
            credit = _credit(pb, rows, y)
            bound = float(priced[chosen].sum()) + float(priced[view.forced].sum()) + credit
            chosen[view.forced] = True
            if full:
                self._offer(bound, priced, credit, chosen)
                keep = self.full.talents.near_best(priced, self.reach) | pb.forced
                if keep.sum() < WORKING_SHARE * pb.n_edges:
                    self.working = _View.of(pb, rows, self.base, np.flatnonzero(keep))
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
                y.seat += _auction_raise(view, priced, mine, self.seats_left)
                continue
            if not y.step(view, rows, chosen, max(bound - target, 1e-9)):
                # the relaxed solution meets every priced row with complementary slackness
                self.done = True
        if not self._last_full and self.iterations:
            # a bound holds only for a full iteration: one more at the current prices
            priced = _priced(self.full, y)
            chosen = self.full.talents.solve(priced, self.tours)
            credit = _credit(pb, rows, y)
            bound = float(priced[chosen].sum()) + float(priced[self.forced].sum()) + credit
            chosen[self.forced] = True
            self._offer(bound, priced, credit, chosen)
            self._last_full = True

    def _offer(self, bound: float, priced: FloatArray, credit: float, chosen: BoolArray) -> None:
        if bound < self.best_bound:
            self.best_bound, self.best = bound, (priced, credit, chosen)

    def result(self) -> PricedBound:
        """The best bound so far, with its prices and relaxed solution."""
        if self.best is None:
            empty = np.zeros(self.problem.n_edges, dtype=bool)
            return PricedBound(None, self.base.copy(), 0.0, empty, self.iterations)
        priced, credit, chosen = self.best
        # combined objectives are integers: floor, after a margin for float error in the sums
        margin = 1e-6 + 1e-9 * abs(self.best_bound)
        bound = math.floor(self.best_bound + margin)
        return PricedBound(bound, priced, credit, chosen, self.iterations)


class _Prices:
    """The multipliers of every priced row (see the module docstring)."""

    def __init__(self, seat: FloatArray, host: FloatArray, lender: FloatArray) -> None:
        self.seat, self.host, self.lender = seat, host, lender
        self.pool = 0.0
        self.mu = np.zeros(0)

    def step(self, view: _View, rows: _Rows, chosen: BoolArray, distance: float) -> bool:
        """One projected subgradient step towards the target ``distance`` below the current
        value; False when the subgradient is zero."""
        has_h, has_l = view.host_row >= 0, view.lender_row >= 0
        g_seat = np.bincount(view.package[chosen], minlength=self.seat.size) - rows.seats
        g_host = _used(view.host_row, view.fee, chosen & has_h, rows.host_cap)
        g_lender = _used(view.lender_row, view.topup, chosen & has_l, rows.lender_cap)
        g_pool = (
            float(view.subsidy[chosen].sum()) - rows.pool_cap / rows.pool_unit
            if rows.pool_cap is not None
            else 0.0
        )
        g_mu = rows.targets - np.bincount(view.lender[chosen], minlength=self.mu.size)
        # a multiplier at a bound of its range cannot move out of it: left out of the norm
        g_seat = np.where((self.seat <= 0) & (g_seat < 0), 0.0, g_seat)
        g_host = np.where((self.host <= 0) & (g_host < 0), 0.0, g_host)
        g_lender = np.where((self.lender <= 0) & (g_lender < 0), 0.0, g_lender)
        if self.pool <= 0 and g_pool < 0:
            g_pool = 0.0
        at_edge = ((self.mu <= 0) & (g_mu < 0)) | ((self.mu >= rows.mu_cap) & (g_mu > 0))
        g_mu = np.where(at_edge, 0.0, g_mu)
        norm = float(g_seat @ g_seat + g_host @ g_host + g_lender @ g_lender + g_pool**2)
        norm += float(g_mu @ g_mu)
        if norm <= 0:
            return False
        step = distance / norm
        self.seat = np.maximum(0.0, self.seat + step * g_seat)
        self.host = np.maximum(0.0, self.host + step * g_host)
        self.lender = np.maximum(0.0, self.lender + step * g_lender)
        self.pool = max(0.0, self.pool + step * g_pool)
        self.mu = np.clip(self.mu + step * g_mu, 0.0, rows.mu_cap)
        return True


def _priced(view: _View, y: _Prices) -> FloatArray:
    """Per edge of ``view``: its weight less every priced row."""
    priced = view.base - y.seat[view.package] + y.mu[view.lender]
    # row -1 (none) reads the appended zero price
    priced -= np.append(y.host, 0.0)[view.host_row] * view.fee
    priced -= np.append(y.lender, 0.0)[view.lender_row] * view.topup
    if y.pool:
        priced -= y.pool * view.subsidy
    return np.asarray(priced, dtype=np.float64)


def _credit(problem: Problem, rows: _Rows, y: _Prices) -> float:
    """``y . b - mu . T`` less the constant penalty."""
    return (
        float(y.seat @ rows.seats)
        + float(y.host @ rows.host_cap)
        + float(y.lender @ rows.lender_cap)
        + (y.pool * rows.pool_cap / rows.pool_unit if rows.pool_cap is not None else 0.0)
        - float(y.mu @ rows.targets)
        - problem.constant_penalty
    )


def _used(row: Int64Array, amount: FloatArray, chosen: BoolArray, cap: FloatArray) -> FloatArray:
    return np.bincount(row[chosen], weights=amount[chosen], minlength=cap.size) - cap
