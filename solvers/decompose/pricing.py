"""The pieces of the priced bound (:mod:`solvers.decompose.bound`): its rows in their own
units (:class:`Rows`), the per-talent problem left once every row is priced
(:class:`TalentChoice`), a set of edges with their coefficients (:class:`View`), the prices
and their subgradient step (:class:`Prices`), and one auction round on the seats
(:func:`auction_raise`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solvers.lagrange_relaxation import Budgets
from solvers.problem import BoolArray, Int64Array, Problem

FloatArray = npt.NDArray[np.float64]


class Rows:
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


class TalentChoice:
    """The per-talent problem on some edges (a view's, :class:`View`): each talent's best
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
class View:
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
    talents: TalentChoice

    @classmethod
    def of(cls, problem: Problem, rows: Rows, base: FloatArray, index: Int64Array) -> View:
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
            talents=TalentChoice(problem.talent[index], free),
        )


def auction_raise(
    view: View, priced: FloatArray, chosen: BoolArray, seats: FloatArray
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


class Prices:
    """The multipliers of every priced row (see the module docstring)."""

    def __init__(self, seat: FloatArray, host: FloatArray, lender: FloatArray) -> None:
        self.seat, self.host, self.lender = seat, host, lender
        self.pool = 0.0
        self.mu = np.zeros(0)

    def step(self, view: View, rows: Rows, chosen: BoolArray, distance: float) -> bool:
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


def priced_weights(view: View, y: Prices) -> FloatArray:
    """Per edge of ``view``: its weight less every priced row."""
    priced = view.base - y.seat[view.package] + y.mu[view.lender]
    # row -1 (none) reads the appended zero price
    priced -= np.append(y.host, 0.0)[view.host_row] * view.fee
    priced -= np.append(y.lender, 0.0)[view.lender_row] * view.topup
    if y.pool:
        priced -= y.pool * view.subsidy
    return np.asarray(priced, dtype=np.float64)


def credit_of(problem: Problem, rows: Rows, y: Prices) -> float:
    """``y . b - mu . T`` less the constant penalty, plus the largest breadth bonus (the
    priced relaxation leaves the bonus out: its largest value keeps the bound one)."""
    return (
        float(problem.bonus_bound())
        + float(y.seat @ rows.seats)
        + float(y.host @ rows.host_cap)
        + float(y.lender @ rows.lender_cap)
        + (y.pool * rows.pool_cap / rows.pool_unit if rows.pool_cap is not None else 0.0)
        - float(y.mu @ rows.targets)
        - problem.constant_penalty
    )


def _used(row: Int64Array, amount: FloatArray, chosen: BoolArray, cap: FloatArray) -> FloatArray:
    return np.bincount(row[chosen], weights=amount[chosen], minlength=cap.size) - cap
