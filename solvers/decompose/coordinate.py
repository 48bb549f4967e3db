"""The constraints that span parts, shared out among them, and the parts as sub-problems.

A part holds whole lenders (:mod:`solvers.decompose.partition`), so a talent's tours, the
lenders' top-up budgets and their minimum placements stay inside it. The seats of each
package, the hosts' fee budgets and the subsidy pool span parts: each part gets a share of
each (:func:`allocate`), the shares summing to at most the whole, so that the union of the
parts' assignments meets them all by construction. Each part keeps what the best assignment so
far uses in it, so that it can start from its piece of it and only improve; what that leaves
unused goes where the priced bound's relaxed solution (:mod:`solvers.decompose.bound`) would
use it, the prices of every seat and budget saying where each talent earns most, and a part
that used all of a share in the last pass gets more of it.

The maximum host share is a share of the part's own placements, scaled by the guide's
placements over the part's; the merged assignment is checked whole afterwards.

A part travels to the process that solves it as a problem of arrays only (:func:`shippable`
leaves out the round's records and the compiled round's per-pair and per-skill arrays that no
solver reads), never as a CP-SAT model.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from matcher.fairness import SHARE_RESOLUTION
from matcher.models import Round
from solvers.decompose.partition import Partition
from solvers.problem import BoolArray, Int64Array, Problem, restrict
from solvers.units import NO_LIMIT

FloatArray = npt.NDArray[np.float64]

SPARE = 0.05
"""Weight of a part's own candidate demand (per talent's worth of edges) beside the guide's
use when a constraint is shared: a part the guide leaves out still gets a little."""
BINDING_BONUS = 0.25
"""A part that used all its share in the last pass counts its use this much more when the
next pass's shares are made."""


@dataclass(frozen=True)
class Shares:
    """Each part's share of the constraints that span parts.

    Attributes
    ----------
    seats
        ``(parts, packages)``: seats.
    host_budget
        ``(parts, orgs)``: fee budget in cents, :data:`~solvers.units.NO_LIMIT` for none.
    pool
        Per part: subsidy pool in cents, :data:`~solvers.units.NO_LIMIT` for none.
    share_units
        Per part: its maximum host share in 1/``SHARE_RESOLUTION``, None for no rule.
    """

    seats: Int64Array
    host_budget: Int64Array
    pool: Int64Array
    share_units: list[int | None]


class _Cells:
    """Sums over the edges of a part, per part and per owner (package, host or one pool)."""

    def __init__(self, parts: Partition, owner: Int64Array, n_owners: int) -> None:
        self.shape = (parts.n_parts, n_owners)
        self.cell = parts.edge_part * n_owners + owner

    def sum(self, mask: BoolArray, amount: npt.ArrayLike) -> FloatArray:
        values = np.broadcast_to(np.asarray(amount, dtype=np.float64), mask.shape)[mask]
        sums = np.bincount(self.cell[mask], weights=values, minlength=self.shape[0] * self.shape[1])
        return np.asarray(sums, dtype=np.float64).reshape(self.shape)


def allocate(
    problem: Problem,
    parts: Partition,
    start: BoolArray,
    wanted: BoolArray,
    last: Shares | None = None,
    used: BoolArray | None = None,
) -> Shares:
    """Share the spanning constraints among the parts: each part keeps what ``start`` uses in
    it, and what ``start`` leaves unused goes where ``wanted`` would use it.

    Parameters
    ----------
    problem
        The whole problem.
    parts
        Its partition.
    start
        A feasible assignment of the whole problem: each part's share of it fits its shares,
        so each part can start from it.
    wanted
        An assignment of the whole problem, relaxed or not (the priced bound's relaxed
        solution): the unused seats and money go to the parts in proportion to its use.
    last, used
        The shares of the last pass and its merged assignment, when there was one: parts
        that used all of a share get :data:`BINDING_BONUS` more of the unused.
    """
    live = ~problem.dead & ~problem.forced
    forced = problem.forced
    per_talent = max(1.0, problem.n_edges / max(1, problem.n_talents))

    def shares(
        owner: Int64Array,
        n: int,
        amount: npt.ArrayLike,
        total: Int64Array,
        last_share: Int64Array | None,
        counts: bool,
    ) -> Int64Array:
        cells = _Cells(parts, owner, n)
        demand = cells.sum(wanted & live, amount) + SPARE * cells.sum(live, amount) / per_talent
        if last_share is not None and used is not None:
            spent = cells.sum(used, amount)
            full = (last_share != NO_LIMIT) & (spent * (1 + 1e-9) >= last_share)
            demand = np.where(full, demand * (1 + BINDING_BONUS), demand)
        held = np.rint(cells.sum(forced | (start & live), amount)).astype(np.int64)
        free = np.where(total == NO_LIMIT, NO_LIMIT, np.maximum(total - held.sum(axis=0), 0))
        split = _split_counts(free, demand) if counts else _split(free, demand)
        return np.where(total == NO_LIMIT, NO_LIMIT, split + held).astype(np.int64)

    seats = shares(
        problem.package,
        problem.n_packages,
        1.0,
        problem.seats,
        None if last is None else last.seats,
        True,
    )
    host_budget = shares(
        problem.host,
        problem.n_orgs,
        problem.fee,
        problem.host_budget,
        None if last is None else last.host_budget,
        False,
    )
    one = np.zeros(problem.n_edges, dtype=np.int64)
    pool = shares(
        one,
        1,
        problem.subsidy,
        np.array([problem.pool], dtype=np.int64),
        None if last is None else last.pool[:, None],
        False,
    )[:, 0]

    share_units: list[int | None] = [None] * parts.n_parts
    if problem.share_units is not None:
        per_part = np.bincount(parts.edge_part[start], minlength=parts.n_parts).astype(float)
        whole = max(float(per_part.sum()), 1.0)
        for j in range(parts.n_parts):
            scaled = problem.share_units * whole / max(float(per_part[j]), 1.0)
            share_units[j] = None if scaled >= SHARE_RESOLUTION else int(scaled)
    return Shares(seats, host_budget, pool, share_units)


def _split(total: Int64Array, demand: FloatArray) -> Int64Array:
    """``total`` (per column, :data:`NO_LIMIT` for none) shared among the rows of ``demand``
    in proportion (evenly where nothing is asked), rounded down so that the shares never sum
    to more."""
    weights = np.maximum(demand, 0.0)
    sums = weights.sum(axis=0)
    even = np.full_like(weights, 1.0 / weights.shape[0])
    ratio = np.where(sums > 0, weights / np.where(sums > 0, sums, 1.0), even)
    share = np.floor(ratio * np.where(total == NO_LIMIT, 0, total)).astype(np.int64)
    return np.where(total == NO_LIMIT, NO_LIMIT, share).astype(np.int64)


def _split_counts(total: Int64Array, demand: FloatArray) -> Int64Array:
    """Integer ``total`` per column shared among rows in proportion to ``demand`` (evenly
    where nothing is asked), by largest remainders, so that the shares sum to it exactly."""
    weights = np.maximum(demand, 0.0) + 1e-12
    exact = weights / weights.sum(axis=0) * total
    share = np.floor(exact).astype(np.int64)
    short = total - share.sum(axis=0)
    remainder = exact - share
    for column in np.flatnonzero(short > 0).tolist():
        rows = np.argsort(-remainder[:, column], kind="stable")[: short[column]]
        share[rows, column] += 1
    return np.asarray(share, dtype=np.int64)


def part_problem(
    problem: Problem, parts: Partition, shares: Shares, j: int
) -> tuple[Problem, Int64Array]:
    """Part ``j`` as a problem of its own, and the whole problem's index of each of its edges.

    Its seats, fee budgets and pool are its shares; the minimum placements are those of its
    own lenders; edges too costly for its shares alone are dead."""
    inside = parts.edges_of(j)
    mine = parts.lender_part == j
    seats, host_budget = shares.seats[j], shares.host_budget[j]
    dead = problem.dead | (seats[problem.package] <= 0)
    dead |= (host_budget[problem.host] != NO_LIMIT) & (problem.fee > host_budget[problem.host])
    if shares.pool[j] != NO_LIMIT:
        dead |= problem.subsidy > shares.pool[j]
    local = dataclasses.replace(
        problem,
        forced=problem.forced & inside,
        pins=problem.pins[inside[problem.pins]],
        accepted=problem.accepted[inside[problem.accepted]],
        seats=seats,
        host_budget=host_budget,
        pool=int(shares.pool[j]),
        targets=np.where(mine, problem.targets, 0).astype(np.int64),
        share_units=shares.share_units[j],
        dead=dead & ~problem.forced,
    )
    # edges the part's shares rule out are left out: smaller parts, the same optimum
    return restrict(local, inside & ~local.dead)


def shippable(problem: Problem) -> Problem:
    """``problem`` without what no solver reads: the round's records (its policy kept) and the
    compiled round's per-pair and per-skill arrays, so that it pickles small."""
    compiled = problem.compiled
    arrays = _emptied(compiled.arrays, keep={"policy", "talent_lender", "package_host"})
    slim = _emptied(compiled, keep=set())
    slim = dataclasses.replace(slim, arrays=arrays)
    round_ = Round.model_construct(
        organizations=[], talents=[], packages=[], policy=problem.round.policy, previous=[]
    )
    return dataclasses.replace(problem, compiled=slim, round=round_)


T = TypeVar("T")


def _emptied(record: T, keep: set[str]) -> T:
    """A copy of the dataclass ``record`` whose arrays (and those of the dataclasses it holds)
    are empty, but for the fields in ``keep``; lists of names stay."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(record):  # type: ignore[arg-type]
        value = getattr(record, f.name)
        if f.name in keep:
            continue
        if isinstance(value, np.ndarray):
            changes[f.name] = np.zeros((0, *value.shape[1:]), dtype=value.dtype)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes[f.name] = _emptied(value, set())
    return dataclasses.replace(record, **changes)  # type: ignore[type-var]
