"""The CP-SAT core: every constraint of the evaluator over the eligible edges.

The model
---------
One Boolean per eligible edge and a few integer counters; every constraint is linear:

- seats: per package, ``sum x <= seats``;
- tours: per talent, ``sum x <= max_tours_per_talent`` and, when that exceeds one, the FTE of
  the talent's packages running on any day within the talent's FTE: one row per maximal set
  of overlapping tours (a start day whose running tours are not all still running at the
  next start day), with FTE in integer units;
- budgets: host fees per hiring organization, top-ups per lending organization and the
  subsidy pool, in integer cents (amounts rounded up, budgets down: see
  :mod:`solvers.problem`);
- fairness: ``min_per_lender`` (targets from :func:`matcher.evaluator.lender_targets`) and
  ``max_host_share`` (per host, ``SHARE_RESOLUTION * placed_at_host <= share_units *
  placed``, the rule of :func:`matcher.evaluator.host_excess`), as constraints when hard, with
  integer slacks priced at the fairness penalty per unit when soft;
- pinned and accepted placements fixed to one; proposed placements of the previous round
  add the disruption penalty to the objective when dropped.

Rows that no assignment could break (a package with no more edges than seats, a budget
above everything its group could ever spend) are left out.

The objective
-------------
The secondary term is ``score - penalties`` in score units. A lexicographic objective
(placements first) is solved in one search, exactly, by maximizing
``M * placements + secondary`` where ``M`` exceeds the largest possible difference between
the secondary terms of two assignments: one more placement always outweighs any score. The
weighted objective maximizes ``placement_units * placements + secondary``.

The path
--------
1. Seat-only rounds go to the min-cost flow solver (exact).
2. The seat relaxation (:mod:`solvers.flow`) is solved: when its optimum meets every
   constraint it is optimal; otherwise it bounds the objective.
3. Two greedy solutions (by score, and the relaxation's edges first) give an incumbent.
4. When budgets can bind, a Lagrangian phase (:mod:`solvers.lagrange`, a share of the time
   limit) prices them: a bound usually much tighter than CP-SAT's early LP bound, and
   repaired solutions that are usually much better than the greedy ones. Weighted rounds
   of ``lp_min_edges`` to ``lp_max_edges`` edges get the linear relaxation instead
   (:mod:`solvers.lp_relaxation`): its bound, a greedy pass in the order of its values and
   CP-SAT on its support. Models of a few thousand to ``companion_max_vars`` variables,
   given time, also get HiGHS's MIP solver in a process of its own on one core
   (:mod:`solvers.highs_companion`) until shortly before the limit; it trades solutions with
   the neighbourhood search while both run. HiGHS, here or in its phase on small models,
   gets the model with the placements fixed when they are proven (:func:`_highs_model`).
5. CP-SAT searches from the best of these as a complete hint. Rounds with more than
   ``max_model_edges`` edges get a model restricted to each talent's best-priced edges (and
   the hint's): CP-SAT's presolve alone would not finish on the full model in time. After
   the linear relaxation, such rounds go straight to the neighbourhood search on the core
   of least reduced cost.
   When the start makes as many placements as the bound allows (lexicographic rounds), the
   model requires exactly that many (:func:`fix_placements`), so CP-SAT bounds the
   secondary term alone.
6. On problems of at least ``lns_min_edges`` edges, CP-SAT gets only part of the time and a
   large-neighbourhood search (:mod:`solvers.lns`) improves the best assignment for the
   rest: on large models CP-SAT alone barely moves from its hint in seconds, while small
   re-optimized neighbourhoods improve it many times per second. A core (:mod:`solvers.core`)
   is searched the same way; when that search stalls, CP-SAT takes the rest of the time on
   every edge that reduced-cost fixing keeps, whose proof holds for the whole round.
7. The result is the best assignment found (HiGHS's included), with the tightest valid
   bound; it is OPTIMAL when CP-SAT proves it or a bound meets it.

Infeasible rounds
-----------------
When the round is infeasible the model is rebuilt with one enforcement literal per
constraint group and solved under those literals as assumptions; the groups named by
``sufficient_assumptions_for_infeasibility`` (then pruned one by one while the rest stays
infeasible) become ``Result.conflicts``. The groups are: ``"pins"``, ``"accepted"``,
``"min_per_lender"``, ``"max_host_share"``, ``"subsidy pool"``, and per record
``"seats of package 'p'"``, ``"tours of talent 't'"`` (number of tours and FTE),
``"host budget of 'o'"`` and ``"top-up budget of 'o'"``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model, cp_model_helper

from matcher.compile import CompiledRound
from matcher.fairness import SHARE_RESOLUTION
from matcher.models import Round
from matcher.objective import Objective
from solvers.core import find_core, fixing_core
from solvers.flow import flow_result, problem_is_seat_only, seat_relaxation
from solvers.greedy import greedy_assign, greedy_order
from solvers.lagrange import LagrangeResult, combined, lagrangian
from solvers.lns import LnsOptions, improve
from solvers.problem import (
    ACCEPTED,
    MAX_HOST_SHARE,
    MIN_PER_LENDER,
    NO_LIMIT,
    PINS,
    SUBSIDY_POOL,
    BoolArray,
    Int64Array,
    Problem,
    best_per_talent,
    build_problem,
    host_budget_group,
    objective_of,
    restrict,
    seats_group,
    topup_budget_group,
    tours_group,
    violated_groups,
)
from solvers.result import Progress, Result, SolveParams, Status

if TYPE_CHECKING:
    from solvers.highs import HighsRun
    from solvers.highs_companion import HighsCompanion

NO_GROUP = -1
"""Group of a row that belongs to no conflict group (definitions of counters)."""
FTE_PAIR_CHUNK = 4_000_000
"""(row, edge) candidate pairs examined at once when building the FTE rows."""


@dataclass
class Rows:
    """Linear rows ``lo <= sum(coef * var) <= hi`` in compressed sparse row form, each with
    the index of its conflict group (:data:`NO_GROUP` for none)."""

    indptr: list[int] = field(default_factory=lambda: [0])
    var: list[Int64Array] = field(default_factory=list)
    coef: list[Int64Array] = field(default_factory=list)
    lo: list[int] = field(default_factory=list)
    hi: list[int] = field(default_factory=list)
    group: list[int] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.lo)

    def add(self, var: Int64Array, coef: Int64Array, lo: int, hi: int, group: int) -> None:
        """Append one row."""
        self.var.append(var.astype(np.int64))
        self.coef.append(coef.astype(np.int64))
        self.indptr.append(self.indptr[-1] + int(var.size))
        self.lo.append(int(lo))
        self.hi.append(int(hi))
        self.group.append(group)

    def add_block(
        self,
        indptr: Int64Array,
        var: Int64Array,
        coef: Int64Array,
        lo: Int64Array,
        hi: Int64Array,
        group: Sequence[int],
    ) -> None:
        """Append many rows given in CSR form (``indptr`` starts at 0)."""
        base = self.indptr[-1]
        self.var.append(var.astype(np.int64))
        self.coef.append(coef.astype(np.int64))
        self.indptr.extend((base + indptr[1:]).tolist())
        self.lo.extend(lo.tolist())
        self.hi.extend(hi.tolist())
        self.group.extend(group)


@dataclass
class ModelSpec:
    """A CP-SAT model as plain arrays, emitted by :func:`to_cp_model`.

    Attributes
    ----------
    lo, hi
        Domain of every variable; the first ``n_edges`` are the edge Booleans.
    rows
        The linear constraints.
    groups
        Names of the conflict groups that rows refer to.
    literals
        When built for conflicts: the enforcement literal (a variable) of each group.
    objective_coef, objective_offset
        The maximized objective ``sum(objective_coef * var) + objective_offset``.
    multiplier
        ``M`` of the lexicographic objective (1 when weighted).
    shift
        What to subtract from ``objective - M * placements`` to get the secondary term.
    short, placed_at, placed, over
        Indices of the counter variables (see :func:`build_spec`), -1 where absent.
    tour_rows
        Index of the first per-talent ``sum x <= max_tours`` row; those rows follow one
        another, one per talent in ``tour_talents`` (talents with more live edges than
        ``max_tours``).
    tour_talents
        See ``tour_rows``.
    """

    n_edges: int
    lo: list[int]
    hi: list[int]
    rows: Rows
    groups: list[str]
    literals: list[int]
    objective_coef: Int64Array
    objective_offset: int
    multiplier: int
    shift: int
    short: Int64Array
    placed_at: Int64Array
    placed: int
    over: Int64Array
    tour_rows: int = 0
    tour_talents: Int64Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_vars(self) -> int:
        return len(self.lo)

    def new_vars(self, lo: Sequence[int], hi: Sequence[int]) -> Int64Array:
        """Append variables with these domains and return their indices."""
        first = len(self.lo)
        self.lo.extend(int(v) for v in lo)
        self.hi.extend(int(v) for v in hi)
        return np.arange(first, len(self.lo), dtype=np.int64)


class _Groups:
    """Conflict group names, numbered on first use."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, name: str) -> int:
        if name not in self.index:
            self.index[name] = len(self.names)
            self.names.append(name)
        return self.index[name]


def build_spec(
    problem: Problem, *, for_conflicts: bool = False, multiplier: int | None = None
) -> ModelSpec:
    """The CP-SAT model of ``problem`` as arrays.

    Parameters
    ----------
    problem
        The integer problem.
    for_conflicts
        Build the feasibility model for infeasibility analysis: pinned and accepted edges
        become rows instead of fixed variables, every row of a group is enforced by the
        group's literal (in ``literals``), and the objective is left out.
    multiplier
        ``M`` of a lexicographic objective, when it must be the one of a larger problem
        that ``problem`` restricts (at least the ``M`` that ``problem`` needs): the
        objective values and bounds of the two models are then on one scale.

    Raises
    ------
    ValueError
        If ``multiplier`` is below the ``M`` that ``problem`` needs.
    """
    n = problem.n_edges
    forced, dead = problem.forced, problem.dead
    # x[e] = 1 if edge e is chosen; dead edges are fixed to 0, forced ones to 1 (outside
    # conflict analysis), except forced dead ones, whose impossibility the rows must show
    x_lo = np.zeros(n, dtype=np.int64)
    x_hi = np.ones(n, dtype=np.int64)
    x_hi[dead & ~forced] = 0
    if not for_conflicts:
        x_lo[forced] = 1
    rows = Rows()
    group = _Groups()
    spec = ModelSpec(
        n_edges=n,
        lo=x_lo.tolist(),
        hi=x_hi.tolist(),
        rows=rows,
        groups=group.names,
        literals=[],
        objective_coef=np.zeros(0, dtype=np.int64),
        objective_offset=0,
        multiplier=1,
        shift=0,
        short=np.zeros(0, dtype=np.int64),
        placed_at=np.zeros(0, dtype=np.int64),
        placed=-1,
        over=np.zeros(0, dtype=np.int64),
    )
    # edges that may be chosen besides forced dead ones (which only their dead rows hold)
    live = ~dead

    if for_conflicts:
        one = np.ones(1, dtype=np.int64)
        for kind, edges in ((PINS, problem.pins), (ACCEPTED, problem.accepted)):
            for e in edges.tolist():
                rows.add(np.array([e]), one, 1, 1, group(kind))
    _dead_rows(problem, rows, group)
    _count_rows(
        rows,
        group,
        problem.package,
        live,
        problem.seats,
        lambda p: seats_group(problem.package_name(p)),
    )
    tours = np.full(problem.n_talents, problem.max_tours, dtype=np.int64)
    spec.tour_rows = rows.n_rows
    spec.tour_talents = _count_rows(
        rows, group, problem.talent, live, tours, lambda t: tours_group(problem.talent_name(t))
    )
    if problem.max_tours > 1:
        _fte_rows(problem, rows, group, live)
    _budget_rows(
        rows,
        group,
        problem.fee,
        problem.host,
        live,
        problem.host_budget,
        lambda o: host_budget_group(problem.org_name(o)),
    )
    _budget_rows(
        rows,
        group,
        problem.topup,
        problem.lender,
        live,
        problem.lender_budget,
        lambda o: topup_budget_group(problem.org_name(o)),
    )
    if problem.pool != NO_LIMIT:
        edges = np.flatnonzero(live & (problem.subsidy > 0))
        if int(problem.subsidy[edges].sum()) > problem.pool:
            rows.add(edges, problem.subsidy[edges], 0, problem.pool, group(SUBSIDY_POOL))
    slack_max = _fairness_rows(problem, spec, group, live)

    if for_conflicts:
        # lit[g] = 1 if the rows of constraint group g are enforced (an assumption)
        spec.literals = spec.new_vars([0] * len(group.names), [1] * len(group.names)).tolist()
        return spec
    _objective(problem, spec, slack_max, multiplier)
    return spec


def _dead_rows(problem: Problem, rows: Rows, group: _Groups) -> None:
    """``x[e] <= 0`` for every forced edge that cannot be placed even alone, under the group
    that rules it out."""
    one = np.ones(1, dtype=np.int64)
    for e in np.flatnonzero(problem.forced & problem.dead).tolist():
        t, h, o = int(problem.talent[e]), int(problem.host[e]), int(problem.lender[e])
        if problem.fte[e] > problem.fte_cap[t]:
            rows.add(np.array([e]), one, 0, 0, group(tours_group(problem.talent_name(t))))
        hb, lb = int(problem.host_budget[h]), int(problem.lender_budget[o])
        if hb != NO_LIMIT and problem.fee[e] > hb:
            rows.add(np.array([e]), one, 0, 0, group(host_budget_group(problem.org_name(h))))
        if lb != NO_LIMIT and problem.topup[e] > lb:
            rows.add(np.array([e]), one, 0, 0, group(topup_budget_group(problem.org_name(o))))
        if problem.pool != NO_LIMIT and problem.subsidy[e] > problem.pool:
            rows.add(np.array([e]), one, 0, 0, group(SUBSIDY_POOL))


def _csr(owner: Int64Array, edges: Int64Array, n_owners: int) -> tuple[Int64Array, Int64Array]:
    """``edges`` grouped by ``owner``: the sorted edges and the CSR offsets per owner."""
    order = np.argsort(owner[edges], kind="stable")
    counts = np.bincount(owner[edges], minlength=n_owners)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return edges[order], indptr


def _count_rows(
    rows: Rows,
    group: _Groups,
    owner: Int64Array,
    live: BoolArray,
    capacity: Int64Array,
    name: Callable[[int], str],
) -> Int64Array:
    """``sum x <= capacity[o]`` per owner ``o`` with more live edges than its capacity;
    returns those owners, in the order of their rows."""
    edges = np.flatnonzero(live)
    sorted_edges, indptr = _csr(owner, edges, capacity.size)
    counts = np.diff(indptr)
    binding = np.flatnonzero(counts > capacity).astype(np.int64)
    _emit_rows(rows, group, binding, sorted_edges, indptr, None, capacity, name)
    return binding


def _budget_rows(
    rows: Rows,
    group: _Groups,
    amount: Int64Array,
    owner: Int64Array,
    live: BoolArray,
    budget: Int64Array,
    name: Callable[[int], str],
) -> None:
    """``sum amount * x <= budget[o]`` per organization whose live edges could exceed it."""
    edges = np.flatnonzero(live & (amount > 0))
    sorted_edges, indptr = _csr(owner, edges, budget.size)
    cumulative = np.concatenate([[0], np.cumsum(amount[sorted_edges])]).astype(np.int64)
    totals = cumulative[indptr[1:]] - cumulative[indptr[:-1]]
    binding = np.flatnonzero((budget != NO_LIMIT) & (totals > budget))
    _emit_rows(rows, group, binding, sorted_edges, indptr, amount, budget, name)


def _emit_rows(
    rows: Rows,
    group: _Groups,
    owners: Int64Array,
    sorted_edges: Int64Array,
    indptr: Int64Array,
    amount: Int64Array | None,
    capacity: Int64Array,
    name: Callable[[int], str],
) -> None:
    if owners.size == 0:
        return
    lengths = indptr[owners + 1] - indptr[owners]
    starts = indptr[owners]
    offsets = np.cumsum(lengths) - lengths
    pos = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(offsets - starts, lengths)
    var = sorted_edges[pos]
    coef = np.ones(var.size, dtype=np.int64) if amount is None else amount[var]
    block_ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    rows.add_block(
        block_ptr,
        var,
        coef,
        np.zeros(owners.size, dtype=np.int64),
        capacity[owners],
        [group(name(o)) for o in owners.tolist()],
    )


def _fte_rows(problem: Problem, rows: Rows, group: _Groups, live: BoolArray) -> None:
    """Per talent, the FTE of the tours running at each start day within the talent's FTE;
    only start days whose running set is maximal and can exceed the FTE get a row."""
    edges = np.flatnonzero(live)
    order = np.lexsort((problem.start[edges], problem.talent[edges]))
    edges = edges[order]
    talent = problem.talent[edges]
    counts = np.bincount(talent, minlength=problem.n_talents)
    first = np.cumsum(counts) - counts
    # sorted (talent, start) keys, to find the next distinct start day of a talent
    keys = talent * (1 << 32) + problem.start[edges]
    k = counts[talent]
    # talents with one edge need no row: a single tour too large for the talent is dead
    multi = np.flatnonzero(k > 1)
    if multi.size == 0:
        return
    # each candidate row looks at every edge of its talent: bound those pairs per chunk
    pairs = np.cumsum(k[multi])
    cuts = np.searchsorted(
        pairs, np.arange(1, int(pairs[-1]) // FTE_PAIR_CHUNK + 1) * FTE_PAIR_CHUNK
    )
    for chunk in np.split(multi, cuts):
        if chunk.size:
            _fte_rows_chunk(problem, rows, group, edges, keys, first, counts, chunk)


def _fte_rows_chunk(
    problem: Problem,
    rows: Rows,
    group: _Groups,
    edges: Int64Array,
    keys: Int64Array,
    first: Int64Array,
    counts: Int64Array,
    candidates: Int64Array,
) -> None:
    talent = problem.talent[edges]
    start = problem.start[edges]
    end = problem.end[edges]
    # one candidate row per (talent, start day): the first of the talent's edges that day
    prev = np.maximum(candidates - 1, 0)
    repeated = (candidates > first[talent[candidates]]) & (start[prev] == start[candidates])
    rows_at = candidates[~repeated]
    if rows_at.size == 0:
        return
    t_of_row = talent[rows_at]
    k = counts[t_of_row]
    row_of_pair = np.repeat(np.arange(rows_at.size), k)
    offsets = np.cumsum(k) - k
    j = np.repeat(first[t_of_row], k) + np.arange(int(k.sum())) - np.repeat(offsets, k)
    day = start[rows_at][row_of_pair]
    active = (start[j] <= day) & (day <= end[j])
    row_of_pair, j = row_of_pair[active], j[active]
    load = np.bincount(row_of_pair, weights=problem.fte[edges[j]], minlength=rows_at.size)
    min_end = np.full(rows_at.size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(min_end, row_of_pair, end[j])
    nxt = np.searchsorted(keys, keys[rows_at], side="right")
    same_talent = nxt < first[t_of_row] + counts[t_of_row]
    next_start = np.full(rows_at.size, np.iinfo(np.int64).max, dtype=np.int64)
    next_start[same_talent] = start[nxt[same_talent]]
    # the running set at a start day is contained in the next one's unless a tour ends
    # before that next start: only maximal sets need a row, and only those that can overflow
    keep = (min_end < next_start) & (load > problem.fte_cap[t_of_row])
    if not keep.any():
        return
    pair_keep = keep[row_of_pair]
    kept_rows = np.flatnonzero(keep)
    new_index = np.cumsum(keep) - 1
    var = edges[j[pair_keep]]
    lengths = np.bincount(new_index[row_of_pair[pair_keep]], minlength=kept_rows.size)
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    talents = t_of_row[kept_rows]
    rows.add_block(
        indptr,
        var,
        problem.fte[var],
        np.zeros(kept_rows.size, dtype=np.int64),
        problem.fte_cap[talents],
        [group(tours_group(problem.talent_name(t))) for t in talents.tolist()],
    )


def _fairness_rows(problem: Problem, spec: ModelSpec, group: _Groups, live: BoolArray) -> int:
    """The fairness rows and counters; returns the largest total slack (soft rules)."""
    rows = spec.rows
    soft = not problem.hard_fairness
    slack_max = 0
    lenders = np.flatnonzero(problem.targets)
    if lenders.size:
        edges = np.flatnonzero(live)
        sorted_edges, indptr = _csr(problem.lender, edges, problem.n_orgs)
        targets = problem.targets[lenders]
        if soft:
            # short[o] = placements lender o is short of its target
            spec.short = spec.new_vars([0] * lenders.size, targets.tolist())
            slack_max += int(targets.sum())
        for i, o in enumerate(lenders.tolist()):
            mine = sorted_edges[indptr[o] : indptr[o + 1]]
            var, coef = mine, np.ones(mine.size, dtype=np.int64)
            if soft:
                var = np.append(var, spec.short[i])
                coef = np.append(coef, 1)
            # the row's greatest value as its upper side, not a huge constant: HiGHS derived
            # wrong cuts from one (a 2-placement "optimum" where 3 placements fit); at
            # least the target, so that a lender with too few edges is infeasible rather
            # than the model invalid
            target = int(targets[i])
            ceiling = int(mine.size) + (target if soft else 0)
            rows.add(var, coef, target, max(ceiling, target), group(MIN_PER_LENDER))
    if problem.share_units is not None:
        edges = np.flatnonzero(live)
        sorted_edges, indptr = _csr(problem.host, edges, problem.n_orgs)
        hosts = np.flatnonzero(np.diff(indptr) > 0)
        sizes = np.diff(indptr)[hosts]
        most = int(min(edges.size, problem.seats.sum(), problem.n_talents * problem.max_tours))
        # placed_at[h] = placements at host h; placed = all placements
        spec.placed_at = spec.new_vars([0] * hosts.size, sizes.tolist())
        spec.placed = int(spec.new_vars([0], [most])[0])
        # the total is the sum of the hosts' counters: no row over every edge, which would
        # slow presolve down on large rounds
        rows.add(
            np.append(spec.placed_at, spec.placed),
            np.append(np.ones(hosts.size, dtype=np.int64), -1),
            0,
            0,
            NO_GROUP,
        )
        if soft:
            # over[h] = placements host h has over its share
            caps = np.minimum(sizes, most)
            spec.over = spec.new_vars([0] * hosts.size, caps.tolist())
            slack_max += int(caps.sum())
        share_group = group(MAX_HOST_SHARE)
        for i, h in enumerate(hosts.tolist()):
            mine = sorted_edges[indptr[h] : indptr[h + 1]]
            rows.add(
                np.append(mine, spec.placed_at[i]),
                np.append(np.ones(mine.size, dtype=np.int64), -1),
                0,
                0,
                NO_GROUP,
            )
            var = np.array([spec.placed_at[i], spec.placed], dtype=np.int64)
            coef = np.array([SHARE_RESOLUTION, -problem.share_units], dtype=np.int64)
            if soft:
                var = np.append(var, spec.over[i])
                coef = np.append(coef, -SHARE_RESOLUTION)
            # the row's least value as its lower side (see the lender rows above)
            floor = -int(problem.share_units) * most - (
                SHARE_RESOLUTION * int(caps[i]) if soft else 0
            )
            rows.add(var, coef, floor, 0, share_group)
    return slack_max


def soft_terms(problem: Problem, spec: ModelSpec) -> dict[str, tuple[Int64Array, Int64Array]]:
    """Each soft rule's part of the maximized objective, by name, as (variables,
    coefficients): the fairness slacks at minus the fairness penalty, and the proposed
    placements of the previous round at plus the disruption penalty they avoid (the
    penalty for dropping every one of them is the constant ``problem.constant_penalty``).
    After a solve, ``sum(coefficients * values)`` per name says what each rule cost."""
    terms: dict[str, tuple[Int64Array, Int64Array]] = {}
    penalty = 0 if problem.hard_fairness else problem.fairness_units
    if spec.short.size:
        terms[MIN_PER_LENDER] = (spec.short, np.full(spec.short.size, -penalty, dtype=np.int64))
    if spec.over.size:
        terms[MAX_HOST_SHARE] = (spec.over, np.full(spec.over.size, -penalty, dtype=np.int64))
    proposed = np.flatnonzero(problem.proposed).astype(np.int64)
    if proposed.size:
        units = np.full(proposed.size, problem.disruption_units, dtype=np.int64)
        terms["disruption"] = (proposed, units)
    return terms


def _objective(
    problem: Problem, spec: ModelSpec, slack_max: int, multiplier: int | None = None
) -> None:
    """The maximized objective and the constants that decode it (``multiplier``: see
    :func:`build_spec`)."""
    penalty = 0 if problem.hard_fairness else problem.fairness_units
    coef = np.zeros(spec.n_vars, dtype=np.int64)
    coef[: problem.n_edges] = problem.value
    for variables, coefficients in soft_terms(problem, spec).values():
        coef[variables] += coefficients
    if problem.lexicographic:
        # M exceeds the spread of the secondary term: the most gain all talents together can
        # collect, plus the largest total fairness penalty
        needed = _top_gain_per_talent(problem) + penalty * slack_max + 1
        if multiplier is not None and multiplier < needed:
            raise ValueError(f"multiplier {multiplier} is below the {needed} this problem needs.")
        spec.multiplier = needed if multiplier is None else multiplier
        coef[: problem.n_edges] += spec.multiplier
        # objective = M * placements + secondary + shift, with 0 <= secondary + shift < M
        spec.shift = problem.constant_penalty + penalty * slack_max
        spec.objective_offset = penalty * slack_max
    else:
        coef[: problem.n_edges] += problem.placement_units
        spec.shift = 0
        spec.objective_offset = -problem.constant_penalty
    spec.objective_coef = coef


def _top_gain_per_talent(problem: Problem) -> int:
    """Sum over talents of their ``max_tours`` largest edge gains: no assignment collects
    more."""
    gain = np.maximum(problem.edge_gain, 0)
    order = np.lexsort((-gain, problem.talent))
    talent = problem.talent[order]
    counts = np.bincount(talent, minlength=problem.n_talents)
    starts = np.cumsum(counts) - counts
    rank = np.arange(order.size) - np.repeat(starts, counts)
    return int(gain[order][rank < problem.max_tours].sum())


def fix_placements(spec: ModelSpec, problem: Problem, placements: int) -> None:
    """Require exactly ``placements`` placements in a lexicographic model (in place), when
    no assignment can make more and the hint makes that many.

    The objective keeps its value on every assignment left (``M * placements`` moves from
    the edge coefficients to the constant), so decoding is unchanged; but CP-SAT then
    searches and bounds the secondary term alone, on coefficients ``M`` times smaller,
    which proves optimality much sooner.

    When ``placements`` is every talent's full share of tours (``min(max_tours, live
    edges)`` summed over talents, as on GAP rounds where every job is placed), each
    talent's row ``sum x <= max_tours`` becomes an equality: the same assignments, but
    CP-SAT sees exactly-one constraints, which its presolve, propagation and LP use far
    better than one global count.
    """
    if spec.multiplier <= 1:
        return
    hi = np.array(spec.hi[: problem.n_edges])
    edges = np.flatnonzero(hi > 0).astype(np.int64)
    coef = spec.objective_coef.copy()
    coef[: problem.n_edges] -= spec.multiplier
    spec.objective_coef = coef
    spec.objective_offset += spec.multiplier * placements
    live = np.bincount(problem.talent[edges], minlength=problem.n_talents)
    if int(np.minimum(live, problem.max_tours).sum()) == placements:
        # the per-talent equalities imply the count; the one row over every edge would
        # only slow CP-SAT down (measured: 3x worse GAP solutions at 20 s with it)
        for r in range(spec.tour_rows, spec.tour_rows + spec.tour_talents.size):
            spec.rows.lo[r] = spec.rows.hi[r]
        # talents with no more live edges than tours take all of them
        full = (live > 0) & (live <= problem.max_tours)
        for e in edges[full[problem.talent[edges]]].tolist():
            spec.lo[e] = 1
        return
    spec.rows.add(edges, np.ones(edges.size, dtype=np.int64), placements, placements, NO_GROUP)


def spec_hint(problem: Problem, spec: ModelSpec, chosen: BoolArray) -> list[int]:
    """A complete assignment of the model's variables from a set of chosen edges."""
    values = np.zeros(spec.n_vars, dtype=np.int64)
    values[: problem.n_edges] = chosen
    lo, hi = np.array(spec.lo), np.array(spec.hi)
    if spec.short.size:
        per_lender = np.bincount(problem.lender[chosen], minlength=problem.n_orgs)
        lenders = np.flatnonzero(problem.targets)
        values[spec.short] = np.maximum(problem.targets[lenders] - per_lender[lenders], 0)
    if spec.placed >= 0:
        per_host = np.bincount(problem.host[chosen], minlength=problem.n_orgs)
        hosts = np.flatnonzero(np.bincount(problem.host[~problem.dead], minlength=problem.n_orgs))
        total = int(chosen.sum())
        values[spec.placed_at] = per_host[hosts]
        values[spec.placed] = total
        if spec.over.size:
            over = per_host[hosts] * SHARE_RESOLUTION - (problem.share_units or 0) * total
            values[spec.over] = np.maximum(0, -(-over // SHARE_RESOLUTION))
    clipped: list[int] = np.clip(values, lo, hi).astype(np.int64).tolist()
    return clipped


def to_cp_model(spec: ModelSpec, hint: Sequence[int] | None = None) -> cp_model.CpModel:
    """Emit ``spec`` as a CP-SAT model by writing its proto directly (fast: a few bulk calls
    per row, no Python object per variable)."""
    model = cp_model.CpModel()
    proto = model.proto
    templates: dict[tuple[int, int], object] = {}
    domains = list(zip(spec.lo, spec.hi, strict=True))
    for domain in set(domains):
        var = cp_model_helper.IntegerVariableProto()
        var.domain.extend(domain)
        templates[domain] = var
    proto.variables.extend([templates[d] for d in domains])

    rows = spec.rows
    var = np.concatenate(rows.var).tolist() if rows.var else []
    coef = np.concatenate(rows.coef).tolist() if rows.coef else []
    indptr = rows.indptr
    enforce = spec.literals
    for r in range(rows.n_rows):
        a, b = indptr[r], indptr[r + 1]
        constraint = proto.constraints.add()
        g = rows.group[r]
        if enforce and g != NO_GROUP:
            constraint.enforcement_literal.append(enforce[g])
        linear = constraint.linear
        linear.vars.extend(var[a:b])
        linear.coeffs.extend(coef[a:b])
        linear.domain.extend((rows.lo[r], rows.hi[r]))

    if spec.objective_coef.size:
        nonzero = np.flatnonzero(spec.objective_coef)
        # CP-SAT minimizes: store the negated objective with a scaling factor of -1
        proto.objective.vars.extend(nonzero.tolist())
        proto.objective.coeffs.extend((-spec.objective_coef[nonzero]).tolist())
        proto.objective.offset = float(-spec.objective_offset)
        proto.objective.scaling_factor = -1.0
    if enforce:
        proto.assumptions.extend(enforce)
    if hint is not None:
        proto.solution_hint.vars.extend(range(spec.n_vars))
        proto.solution_hint.values.extend(hint)
    return model


def to_cp_model_python(spec: ModelSpec, hint: Sequence[int] | None = None) -> cp_model.CpModel:
    """Emit ``spec`` through the CP-SAT Python API, one call per variable and per row (the
    plain way, kept to measure :func:`to_cp_model` against and to cross-check it)."""
    model = cp_model.CpModel()
    xs = [model.new_int_var(lo, hi, "") for lo, hi in zip(spec.lo, spec.hi, strict=True)]
    rows = spec.rows
    var = np.concatenate(rows.var).tolist() if rows.var else []
    coef = np.concatenate(rows.coef).tolist() if rows.coef else []
    for r in range(rows.n_rows):
        a, b = rows.indptr[r], rows.indptr[r + 1]
        expr = cp_model.LinearExpr.weighted_sum([xs[v] for v in var[a:b]], coef[a:b])
        constraint = model.add_linear_constraint(expr, rows.lo[r], rows.hi[r])
        g = rows.group[r]
        if spec.literals and g != NO_GROUP:
            constraint.only_enforce_if(xs[spec.literals[g]])
    if spec.objective_coef.size:
        nonzero = np.flatnonzero(spec.objective_coef).tolist()
        model.maximize(
            cp_model.LinearExpr.weighted_sum(
                [xs[v] for v in nonzero], spec.objective_coef[nonzero].tolist()
            )
            + spec.objective_offset
        )
    if spec.literals:
        model.add_assumptions([xs[v] for v in spec.literals])
    if hint is not None:
        for v, value in zip(xs, hint, strict=True):
            model.add_hint(v, value)
    return model


_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.MODEL_INVALID: Status.MODEL_INVALID,
    cp_model.UNKNOWN: Status.UNKNOWN,
}
"""Every CP-SAT status and its :class:`Status`."""


class _ProgressReporter(cp_model.CpSolverSolutionCallback):
    """Reports each new CP-SAT incumbent as :class:`Progress`: placements and the reported
    value (secondary term when lexicographic), with the best bound known, since ``started``.

    ``known_bound`` is a bound on the combined objective of the whole problem (scale of
    ``multiplier``); CP-SAT's own bound counts too when its model is the whole problem.
    """

    def __init__(
        self,
        spec: ModelSpec,
        report: Callable[[Progress], None],
        started: float,
        multiplier: int,
        known_bound: float,
        own_bound_valid: bool,
    ) -> None:
        super().__init__()
        self._spec = spec
        self._report = report
        self._started = started
        self._multiplier = multiplier
        self._known = known_bound
        self._own = own_bound_valid

    def on_solution_callback(self) -> None:
        placements, value = decode(self._spec, round(self.objective_value))
        bound = self._known
        if self._own:
            own = math.floor(self.best_objective_bound + 1e-6) - self._spec.shift
            bound = min(bound, float(own))
        if math.isfinite(bound) and placements is not None:
            bound -= self._multiplier * placements
        self._report(
            Progress(
                solver="cpsat",
                elapsed=time.perf_counter() - self._started,
                objective=float(value),
                bound=float(bound) if math.isfinite(bound) else None,
                placements=placements,
            )
        )


def decode(spec: ModelSpec, objective: int) -> tuple[int | None, int]:
    """(placements, value) of a model objective: for a lexicographic model the number of
    placements and the secondary term; for a weighted one (None, the weighted value)."""
    if spec.multiplier > 1:
        placements, rest = divmod(objective, spec.multiplier)
        return placements, rest - spec.shift
    return None, objective - spec.shift


@dataclass(frozen=True)
class CpSatOptions:
    """Options of :func:`solve_cpsat` beyond :class:`SolveParams`.

    Attributes
    ----------
    use_flow
        Hand seat-only rounds to the min-cost flow solver; solve the seat relaxation for a
        bound and a start, and return its optimum when it meets every constraint.
    lagrangian
        Before CP-SAT, price the budgets by Lagrangian relaxation for a bound and a better
        start (rounds with budgets that can bind).
    lagrangian_share
        Share of the time limit the Lagrangian phase may use (twice that on rounds too
        large for a full model).
    max_model_edges
        Rounds with more edges get a CP-SAT model restricted to each talent's
        ``keep_per_talent`` best-priced edges (and the start's); the bound then comes from
        the relaxations only.
    keep_per_talent
        See ``max_model_edges``.
    python_api
        Build the model through the CP-SAT Python API instead of writing the proto.
    explain
        Name the conflicting constraint groups of infeasible rounds.
    log
        Print CP-SAT's search log.
    lns
        After the first CP-SAT search, improve the best assignment by large-neighbourhood
        search (:mod:`solvers.lns`) until the time limit.
    lns_share
        Share of the time left after the relaxations that goes to the neighbourhood search
        (the rest goes to the first CP-SAT search, whose bound counts on full models).
    lns_min_edges
        Problems with fewer edges get no neighbourhood search unless their core is searched:
        measured on the synthetic 2,000 x 500 round (31,000 edges), CP-SAT on the whole model
        does better there.
    lns_options
        See :class:`solvers.lns.LnsOptions`; its ``workers`` is replaced by the solve's.
    core_per_talent
        After the Lagrangian phase, CP-SAT and the neighbourhood search work on the core
        (:mod:`solvers.core`): about this many edges a talent, those of least reduced cost,
        or every edge that reduced-cost fixing keeps when that is not many more. At 4 the
        core of GAP d20100, d10100 and d20200 holds every edge of their published optima;
        at 3 (two of d20100's optimal edges left out) the search on d20100 did worse, 0.97
        and 0.71 % against 0.53 and 0.40 % (30 s from one start, two seeds).
    core_min_edges
        Problems with fewer edges are searched whole. At 1,000 the core takes GAP d10100
        (1,000 edges) from 0.41-0.57 % to 0.06-0.43 % (five runs) at 60 s and still proves
        c10100 (2.6-9.0 s);
        the gap1-12 problems (at most 600 edges) stay whole.
    search_subsolver
        CP-SAT's full-problem search, for the main runs and the neighbourhood sub-solves:
        ``"max_lp"`` keeps the linear relaxation with every cut CP-SAT has (linearization
        level 2). None leaves CP-SAT's own choice, which at two workers is ``"default_lp"``
        (level 1, whose bound stays near the trivial one on budget rows). CP-SAT's
        first-solution and neighbourhood helpers run beside it either way. Measured on
        2 cores: a generated 2,000 x 500 round with budgets (weighted, 10 s) 870,370 with
        ``"default_lp"``, 873,775 with ``"max_lp"`` (HiGHS at 10 s: 873,760); CP-SAT
        alone for 15 s on its 814 edges of LP support, 870,838 (bound 948,740) against
        872,934 (bound 876,443); GAP c10400 proven at 15.3 s instead of 41.3 s, d10100 at
        60 s 0.05 % instead of 0.28 %.
    highs_max_vars, highs_share
        Models of at most ``highs_max_vars`` variables are first given to HiGHS's MIP
        solver (:mod:`solvers.highs`) for ``highs_share`` of the time left after the
        Lagrangian phase, when that is at least :data:`HIGHS_MIN_SECONDS`; its assignment
        joins the incumbent (CP-SAT starts from the better one) and, for a weighted
        objective only, its dual bound joins the bound. On small rounds with a subsidy
        pool and a soft host share (500 x 150, 1,440 edges) HiGHS proves in 6.4 s an
        optimum (132,219) that CP-SAT does not find in 30 s (130,274). On GAP d20100
        (2,000 variables, 60 s) neither a longer phase (``highs_share`` 0.5: 0.60, 0.42,
        0.53 %) nor the companion instead of the phase (``highs_max_vars`` 999: 0.57,
        0.65, 0.47 %, seeds 1-3) beat the default (0.40 and 0.57 % at seed 1, 0.52 and
        0.61 % at seeds 2 and 3).
    lp_min_edges, lp_max_edges, lp_share, lp_support_share
        Weighted rounds of ``lp_min_edges`` to ``lp_max_edges`` edges get the linear relaxation
        (:mod:`solvers.lp_relaxation`, at most ``lp_share`` of the time left) instead of the
        Lagrangian phase: its bound, a greedy pass in the order of its values, and CP-SAT on
        its support for ``lp_support_share`` of the time then left. Its duals price every
        row but the tours, seats included, so the core follows it. Measured at seed 1 on the
        generated rounds (weighted): 2,000 x 500 with every rule, 10 s, gap 0.921 % ->
        0.561 %; 20,000 x 5,000, 60 s, 2.77 % -> 1.54 % (with the parallel neighbourhood
        search). Lexicographic rounds keep the Lagrangian phase: on 20,000 x 5,000 a
        program takes about 10 s there even warm started (costs near ``M``), and the
        result was worse (5,706 placements against 5,721); on GAP d20100 and d40400
        (lexicographic) it was no better either. The relaxation pays only once it is
        complete: on the synthetic suite's 20,000 x 5,000 round (a subsidy pool, whose row
        holds every edge, makes its programs about five times slower) it needs 24 s; with
        15 s (``lp_share`` 0.25) the gap was 3.9 %, with 0.4 it is 1.52 % (2.03 % with the
        Lagrangian phase). ``lp_max_edges`` keeps 100,000 x 20,000 (4.5 million edges) on
        the Lagrangian phase: with the relaxation started cold it gained nothing there and
        took 1.4 GB more.
    large_core_per_talent
        On rounds above ``max_model_edges`` with the linear relaxation, the neighbourhood
        search works on a core of about this many edges a talent, those of least reduced
        cost (20,000 x 5,000, 36 s from one start: 9,419,014 at 1.5, 9,419,909 at 3,
        both far above 9,387,442 on every edge). On the synthetic suite's 20,000 x 5,000
        round (subsidy pool, seed 1, 60 s) the core's size does not matter: 8,392,711 to
        8,398,669 over four runs at 1.5, 8,398,601 at 3, 8,397,984 at 6.
    companion_max_vars, companion_min_seconds
        Models of more than ``highs_max_vars`` and at most ``companion_max_vars``
        variables, with two workers or more and at least ``companion_min_seconds`` left,
        get HiGHS's MIP solver in a process of its own (:mod:`solvers.highs_companion`),
        started as soon as its model is settled (:class:`_CompanionSlot`: on GAP rounds
        with the first complete assignment, inside the Lagrangian phase) from no solution
        of ours, and stopped :data:`COMPANION_MARGIN` seconds before the limit, while
        CP-SAT and the neighbourhood search run with one worker less; the two trade
        solutions while both run, and its answer joins the incumbent at the end, its bound
        too where it holds (:func:`_highs_model`). On GAP type C HiGHS alone finishes a
        few units better than the search (c60900 at 60 s: 9,330 against 9,335), on type D
        far worse.
    endgame_patience, endgame_growth
        When the searched core is not exact and the edges that reduced-cost fixing keeps are
        at most ``endgame_growth`` times as many (GAP c10400: 1,386 of 4,000 against a core
        of 1,602; c20200: 1,800 against 801), the neighbourhood search stops once it has
        gone ``endgame_patience`` of its time without improving, and CP-SAT takes the rest
        on every edge that fixing keeps, so that its bound and proof hold.
    """

    use_flow: bool = True
    lagrangian: bool = True
    lagrangian_share: float = 0.3
    max_model_edges: int = 150_000
    keep_per_talent: int = 4
    python_api: bool = False
    explain: bool = True
    log: bool = False
    lns: bool = True
    lns_share: float = 0.75
    lns_min_edges: int = 50_000
    lns_options: LnsOptions = field(default_factory=LnsOptions)
    core_per_talent: float = 4.0
    core_min_edges: int = 1_000
    endgame_patience: float = 0.25
    endgame_growth: float = 3.0
    search_subsolver: str | None = "max_lp"
    highs_max_vars: int = 2_000
    highs_share: float = 0.3
    lp_min_edges: int | None = 10_000
    lp_max_edges: int = 1_000_000
    lp_share: float = 0.4
    lp_support_share: float = 0.15
    large_core_per_talent: float = 1.5
    companion_max_vars: int = 100_000
    companion_min_seconds: float = 20.0

    def __post_init__(self) -> None:
        if self.search_subsolver is not None and not _known_subsolver(self.search_subsolver):
            raise ValueError(
                f"search_subsolver {self.search_subsolver!r} is not a CP-SAT subsolver name."
            )


def _known_subsolver(name: str) -> bool:
    """Whether CP-SAT accepts ``name`` as a subsolver (it rejects the empty model when not)."""
    solver = cp_model.CpSolver()
    solver.parameters.subsolvers.append(name)
    return solver.solve(cp_model.CpModel()) != cp_model.MODEL_INVALID


GREEDY_TIME_FACTOR = 10.0
"""The second greedy start runs only when at least this many times the first one's time is
left."""
COMPANION_MARGIN = 1.5
"""Seconds before the time limit at which the HiGHS companion stops: its process must
answer and the result be built in time."""
HIGHS_MIN_SECONDS = 1.0
"""Shortest HiGHS phase worth starting: on GAP gap1-12 at 1 s per problem a phase of 0.3 s
left 115 of 120 proven, against 119 without it."""
ENDGAME_MIN_SECONDS = 0.5
"""Least time left for which the final CP-SAT run after a stalled search is started."""
SUPPORT_TOLERANCE = 1e-6
"""An edge whose value in the linear relaxation exceeds this is in its support."""
PROBING_MAX_EDGES = 5_000
"""Above this many edges CP-SAT's probing is switched off: on assignment models it costs
seconds of presolve for little gain, and ignores its deterministic time limit."""


def solve_cpsat(
    compiled: CompiledRound,
    round_: Round,
    params: SolveParams | None = None,
    options: CpSatOptions | None = None,
) -> Result:
    """Solve ``round_`` with CP-SAT under every constraint of the evaluator.

    Parameters
    ----------
    compiled
        The compiled round.
    round_
        The round.
    params
        Time limit, workers, seed, relative gap and progress callback.
    options
        See :class:`CpSatOptions`.

    Returns
    -------
    Result
        ``objective`` is what :func:`matcher.evaluator.evaluate` computes for ``edges``;
        ``bound`` bounds ``objective.value`` (for a lexicographic objective: the secondary
        term among assignments with as many placements); ``conflicts`` names the
        conflicting groups of an infeasible round.
    """
    started = time.perf_counter()
    params = params or SolveParams()
    options = options or CpSatOptions()
    problem = build_problem(compiled, round_)
    if options.use_flow and problem_is_seat_only(problem):
        result = flow_result(problem, started)
        # a new Result, not an edit of the flow's: results are never changed once built
        note = "seat-only round: solved exactly by min-cost flow"
        return dataclasses.replace(result, notes=[note, *result.notes])
    return solve_problem(problem, params, options, started)


@dataclass
class Incumbent:
    """The best assignment known and the best bound on the combined objective (see
    :func:`solvers.lagrange.combined`); an assignment offered is kept only when it breaks
    no constraint and beats the one held."""

    problem: Problem
    multiplier: int
    chosen: BoolArray | None = None
    objective: Objective | None = None
    bound: float = float("inf")
    source: str = ""

    def offer(self, chosen: BoolArray | None, source: str) -> None:
        if chosen is None:
            return
        edges = np.flatnonzero(chosen)
        if violated_groups(self.problem, edges):
            return
        objective = objective_of(self.problem, edges)
        if self.objective is None or objective.key() > self.objective.key():
            self.chosen, self.objective, self.source = chosen, objective, source

    def tighten(self, bound: float | None) -> None:
        if bound is not None:
            self.bound = min(self.bound, bound)

    @property
    def value(self) -> int | None:
        if self.objective is None:
            return None
        return combined(self.objective, self.multiplier)


def solve_problem(
    problem: Problem, params: SolveParams, options: CpSatOptions, started: float
) -> Result:
    """:func:`solve_cpsat` on a built problem, timed from ``started``."""

    def remaining() -> float:
        return params.time_limit - (time.perf_counter() - started)

    notes: list[str] = []
    relaxation = seat_relaxation(problem) if options.use_flow else None
    if options.use_flow and relaxation is None:
        # the pinned and accepted placements alone exceed some seats or tours
        return _infeasible(problem, params, options, started)
    spec = build_spec(problem)
    best = Incumbent(problem, spec.multiplier)
    if relaxation is not None:
        edges = np.flatnonzero(relaxation.chosen).astype(np.int64)
        objective = objective_of(problem, edges)
        if not violated_groups(problem, edges) and objective == relaxation.objective:
            return Result(
                solver="cpsat",
                status=Status.OPTIMAL,
                edges=edges,
                objective=objective,
                bound=float(objective.value),
                wall_time=time.perf_counter() - started,
                notes=["the seat relaxation's optimum meets every constraint: it is optimal"],
            )
        best.tighten(float(combined(relaxation.objective, spec.multiplier)))

    order = greedy_order(problem)
    starts = [(order, "greedy")]
    if relaxation is not None:
        first = relaxation.chosen[order]
        guided = np.concatenate([order[first], order[~first]])
        starts.insert(0, (guided, "greedy after the seat relaxation"))
    greedy_seconds = 0.0
    for k, (start_order, source) in enumerate(starts):
        lap = time.perf_counter()
        best.offer(greedy_assign(problem, start_order)[0], source)
        greedy_seconds = max(greedy_seconds, time.perf_counter() - lap)
        # one greedy takes about 20 s at 100,000 talents: a second one only when it leaves
        # most of the time to the search
        if k == 0 and remaining() < GREEDY_TIME_FACTOR * greedy_seconds:
            notes.append("one greedy start only: the time limit is short for the round's size")
            break

    large = problem.n_edges > options.max_model_edges
    lagrange: LagrangeResult | None = None
    # the companion starts as soon as its model is settled: every second counts for HiGHS
    # (GAP c60900: its 9,330 came at 40 s of 60 alone; the Lagrangian phase's first
    # complete assignment comes at 0.1 s, its end at 3 s)
    slot = _CompanionSlot(problem, spec, best, options, params, remaining, notes)
    try:
        slot.start(final=False)
        # the linear relaxation replaces the Lagrangian phase on weighted rounds of its sizes
        use_lp = _uses_lp(problem, options)
        if use_lp and remaining() > 0:
            lagrange = _lp_phase(problem, spec, best, options, slot.params(), remaining, notes)
        elif options.lagrangian and remaining() > 0:

            def on_solution(chosen: BoolArray) -> None:
                if slot.wanted:
                    best.offer(chosen, "Lagrangian heuristic")
                    slot.start(final=False)

            share = options.lagrangian_share * (2 if large else 1)
            # a repair is a greedy pass plus shift moves: about the greedy's time
            lagrange = lagrangian(
                problem,
                spec.multiplier,
                share * remaining(),
                best.chosen,
                repair_seconds=greedy_seconds,
                # the check of each offer is repeated work: only while the slot waits
                on_solution=on_solution if slot.wanted else None,
            )
            best.offer(lagrange.chosen, "Lagrangian heuristic")
            best.tighten(lagrange.bound)
            notes.append(f"Lagrangian phase: {lagrange.iterations} iterations")
        if 0 < spec.n_vars <= options.highs_max_vars and options.highs_share > 0:
            _highs_phase(problem, spec, best, options.highs_share * remaining(), params, notes)
        if best.objective is not None and _close_enough(best, params.relative_gap):
            return incumbent_result(problem, best, Status.FEASIBLE, spec, started, notes)
        slot.start(final=True)
        return _search(
            problem,
            spec,
            best,
            lagrange,
            order,
            slot.search_options(),
            slot.params(),
            started,
            notes,
            slot.companion,
        )
    finally:
        slot.close()


def _search(
    problem: Problem,
    spec: ModelSpec,
    best: Incumbent,
    lagrange: LagrangeResult | None,
    order: Int64Array,
    options: CpSatOptions,
    params: SolveParams,
    started: float,
    notes: list[str],
    companion: HighsCompanion | None,
) -> Result:
    """CP-SAT on the round, its core or its best edges, and neighbourhood search, from the
    incumbent and the relaxation's prices; a HiGHS companion's answer joins at the end."""

    def remaining() -> float:
        return params.time_limit - (time.perf_counter() - started)

    large = problem.n_edges > options.max_model_edges
    use_lp = _uses_lp(problem, options)
    hint_chosen = best.chosen if best.chosen is not None else greedy_assign(problem, order)[0]
    sub, index = problem, np.arange(problem.n_edges, dtype=np.int64)
    sub_spec = spec
    # whether CP-SAT's bound and proofs on the searched model hold for the whole round
    bound_holds = True
    # a core needs the relaxation's prices; above max_model_edges only the linear
    # relaxation's are good enough for one (with the Lagrangian phase's, the best-priced
    # edges per talent are searched instead)
    with_core = (
        lagrange is not None
        and best.value is not None
        and best.chosen is not None
        and (use_lp if large else problem.n_edges >= options.core_min_edges)
    )
    if large and not with_core:
        weight = (
            lagrange.priced_weight if lagrange is not None else problem.edge_gain.astype(np.float64)
        )
        keep = best_per_talent(problem, weight, options.keep_per_talent) | hint_chosen
        sub, index = restrict(problem, keep)
        sub_spec = build_spec(sub, multiplier=spec.multiplier)
        bound_holds = False
        notes.append(
            f"CP-SAT on the {sub.n_edges} most promising of {problem.n_edges} edges; "
            "the bound comes from the relaxations"
        )
    elif with_core:
        assert lagrange is not None and best.chosen is not None and best.value is not None
        core = find_core(
            problem,
            lagrange.priced_weight,
            lagrange.credit,
            best.chosen,
            best.value,
            options.large_core_per_talent if large else options.core_per_talent,
        )
        if core.size < problem.n_edges:
            sub, index = restrict(problem, core.keep)
            # one M for both models: a core without some talent's best edge needs a smaller
            # one, and CP-SAT's bound on it would be on another scale than the incumbent's
            sub_spec = build_spec(sub, multiplier=spec.multiplier)
            bound_holds = core.exact
            kind = "every edge not fixed out" if core.exact else "the core"
            notes.append(
                f"search on {kind}: {sub.n_edges} of {problem.n_edges} edges by reduced cost"
            )
    # a core is searched by neighbourhoods whatever its size: on GAP d20100 and d40400
    # (2,000 and 16,000 edges) at 60 s it did not hurt (0.71 % before; 0.50 and 0.76 % after
    # on d20100, 0.74 -> 0.66 % on d40400: within run-to-run noise)
    use_lns = options.lns and (problem.n_edges >= options.lns_min_edges or sub is not problem)
    search = _Search(problem, spec, best, params, options, started, notes)
    # on a large round's core, neighbourhoods do better than CP-SAT on the whole core
    # (20,000 x 5,000, 33,412 core edges, 20 s from one start: 9,365,874 against 9,409,622)
    while not (large and with_core and sub is not problem):
        search_time = remaining() * (1 - options.lns_share if use_lns else 1)
        status = search.run(sub, sub_spec, index, hint_chosen, search_time, bound_holds)
        if status is None:
            assert search.failed is not None
            return search.failed
        if status == Status.OPTIMAL and bound_holds:
            return incumbent_result(problem, best, Status.OPTIMAL, spec, started, notes)
        # a core solved to optimality before the time is up: search on every edge that
        # fixing keeps against the new incumbent, whose bound and proofs hold
        if status != Status.OPTIMAL or bound_holds or large or remaining() <= 0.1:
            break
        kept = _kept_by_fixing(problem, lagrange, best)
        if kept is None:
            break
        sub, index, sub_spec = _restricted(problem, kept, spec.multiplier)
        bound_holds = True
        notes.append(
            f"the core solved: search on every edge not fixed out, {sub.n_edges} of "
            f"{problem.n_edges}"
        )
    if best.objective is None:
        _join_companion(companion, best, notes)
    if best.objective is None:
        notes.append("no solution found in time")
        return _no_solution(Status.UNKNOWN, started, notes)
    # after a neighbourhood search that stalls on a core, CP-SAT gets the rest of the time
    # on every edge that fixing keeps against the better incumbent: its proof then holds
    # (GAP c10400 is optimal after the search but was proven only when the core phase
    # happened to solve the core in time)
    endgame = use_lns and not large and not bound_holds
    if endgame:
        # only when fixing already keeps few edges more than the core: on GAP d20100 and
        # c801600 it keeps every edge, where CP-SAT finds nothing the search would not
        kept = _kept_by_fixing(problem, lagrange, best)
        endgame = kept is not None and int(kept.sum()) <= options.endgame_growth * sub.n_edges
    if use_lns and best.chosen is not None and remaining() > 0.1:
        space = None if sub is problem or (large and not with_core) else (sub, index)
        patience = options.endgame_patience * remaining() if endgame else None
        _neighbourhood_search(
            problem, best, params, options, started, notes, space, patience, companion
        )
    kept = _kept_by_fixing(problem, lagrange, best) if endgame else None
    if (
        kept is not None
        and remaining() > ENDGAME_MIN_SECONDS
        and not _close_enough(best, params.relative_gap)
    ):
        sub, index, sub_spec = _restricted(problem, kept, spec.multiplier)
        notes.append(
            f"the search stalled: CP-SAT on every edge not fixed out, {sub.n_edges} of "
            f"{problem.n_edges}"
        )
        assert best.chosen is not None
        status = search.run(sub, sub_spec, index, best.chosen, remaining(), True)
        if status == Status.OPTIMAL:
            return incumbent_result(problem, best, Status.OPTIMAL, spec, started, notes)
    _join_companion(companion, best, notes)
    if best.source != "CP-SAT":
        notes.append(f"the best solution comes from the {best.source}")
    return incumbent_result(problem, best, Status.FEASIBLE, spec, started, notes)


def _uses_lp(problem: Problem, options: CpSatOptions) -> bool:
    """Whether the linear relaxation replaces the Lagrangian phase on ``problem``."""
    return (
        options.lagrangian
        and not problem.lexicographic
        and options.lp_min_edges is not None
        and options.lp_min_edges <= problem.n_edges <= options.lp_max_edges
    )


class _CompanionSlot:
    """The HiGHS companion of one solve: HiGHS on the whole model in its own process,
    until shortly before the time limit, on models of ``options.highs_max_vars`` to
    ``options.companion_max_vars`` variables with two workers or more, an incumbent and at
    least ``options.companion_min_seconds`` left.

    It starts once, as soon as its model is settled (:meth:`start`), from no solution of
    ours: the incumbent reaches it through the trade with the neighbourhood search.
    Measured on GAP C/D at 60 s: started from the incumbent after the Lagrangian phase, it
    ended one unit behind HiGHS alone on c20400, c60900 and c401600 (its own root
    heuristics did better there than from our start); started from nothing, level or ahead
    on all three in one run (c60900 one unit behind in another), and D no worse (mean
    0.094 % over C and D against 0.096 %).
    """

    def __init__(
        self,
        problem: Problem,
        spec: ModelSpec,
        best: Incumbent,
        options: CpSatOptions,
        params: SolveParams,
        remaining: Callable[[], float],
        notes: list[str],
    ) -> None:
        self.problem = problem
        self.spec = spec
        self.best = best
        self.options = options
        self._params = params
        self.remaining = remaining
        self.notes = notes
        self.companion: HighsCompanion | None = None
        self.wanted = (
            options.highs_max_vars < spec.n_vars <= options.companion_max_vars
            and params.workers >= 2
        )

    def start(self, final: bool) -> None:
        """Start the companion when it is wanted and not started yet, there is an
        incumbent and enough time, and its model is settled (:func:`_highs_model_settled`)
        or this is the ``final`` chance."""
        left = self.remaining() - COMPANION_MARGIN
        if (
            not self.wanted
            or self.best.chosen is None
            or left < self.options.companion_min_seconds
            or not (final or _highs_model_settled(self.problem, self.best))
        ):
            return
        self.wanted = False
        # imported here: solvers.highs_companion builds on this module's model
        from solvers.highs_companion import HighsCompanion

        self.notes.append(f"HiGHS searched beside CP-SAT, on one of the cores, for {left:.1f} s")
        model, bound_holds = _highs_model(self.problem, self.spec, self.best)
        self.companion = HighsCompanion(model, None, left, self._params.relative_gap, bound_holds)

    def params(self) -> SolveParams:
        """The solve's parameters, with one worker less while the companion runs (the
        other core is HiGHS's until the end)."""
        if self.companion is None:
            return self._params
        return dataclasses.replace(self._params, workers=max(1, self._params.workers - 1))

    def search_options(self) -> CpSatOptions:
        """The solve's options, with one neighbourhood-search worker while the companion
        runs."""
        if self.companion is None:
            return self.options
        lns_options = dataclasses.replace(self.options.lns_options, workers=1)
        return dataclasses.replace(self.options, lns_options=lns_options)

    def close(self) -> None:
        """End the companion's process, running or not."""
        if self.companion is not None:
            self.companion.close()


def _highs_model_settled(problem: Problem, best: Incumbent) -> bool:
    """Whether :func:`_highs_model` gives its final model already: on weighted rounds, or
    once the placements are proven (no better incumbent or bound changes the model then)."""
    return not problem.lexicographic or best.multiplier <= 1 or _placements_proven(best)


def _join_companion(companion: HighsCompanion | None, best: Incumbent, notes: list[str]) -> None:
    """The companion's assignment joins the incumbent, and its bound the bound when it
    holds for the round (see :func:`_highs_model`)."""
    if companion is None or companion.collected:
        return
    run = companion.collect()
    if run is None:
        notes.append("HiGHS beside CP-SAT: no answer")
        return
    _take_highs_run(run, best, companion.bound_holds, "HiGHS beside CP-SAT")
    notes.append(f"HiGHS beside CP-SAT: {run.message}")


def _lp_phase(
    problem: Problem,
    spec: ModelSpec,
    best: Incumbent,
    options: CpSatOptions,
    params: SolveParams,
    remaining: Callable[[], float],
    notes: list[str],
) -> LagrangeResult | None:
    """The linear relaxation (:mod:`solvers.lp_relaxation`) for ``options.lp_share`` of the
    time left: its bound joins the incumbent's; a greedy pass in the order of its values,
    then CP-SAT on its support and the incumbent's edges (``options.lp_support_share`` of
    the time then left), give starts. Its duals are Lagrange multipliers of every row but
    the talents' tours: the result prices the edges as the Lagrangian phase does (None when
    no program was solved in time)."""
    # imported here: solvers.lp_relaxation builds on this module's model
    from solvers.lp_relaxation import lp_relaxation

    relaxation = lp_relaxation(problem, spec, options.lp_share * remaining(), best.chosen)
    if relaxation is None:
        notes.append("linear relaxation: no program solved in time")
        return None
    best.tighten(relaxation.bound)
    # the edges the relaxation takes whole first, then by its values, then by priced weight
    order = np.lexsort((-relaxation.priced_weight, -relaxation.x)).astype(np.int64)
    best.offer(greedy_assign(problem, order)[0], "greedy after the linear relaxation")
    notes.append(
        f"linear relaxation: {relaxation.solves} programs, {relaxation.columns} columns, "
        f"value {relaxation.value:.0f}"
        + ("" if relaxation.complete else " (edges of positive reduced cost left out)")
    )
    start = best.chosen if best.chosen is not None else np.zeros(problem.n_edges, dtype=bool)
    sub, index = restrict(problem, (relaxation.x > SUPPORT_TOLERANCE) | start)
    solved = solve_sub(
        sub,
        start[index],
        options.lp_support_share * remaining(),
        params.seed,
        params.workers,
        subsolver=options.search_subsolver,
    )
    if solved is not None:
        best.offer(
            _on_whole(problem, index, solved[0]), "CP-SAT on the linear relaxation's support"
        )
    return LagrangeResult(
        bound=relaxation.bound,
        chosen=best.chosen,
        objective=best.objective,
        iterations=relaxation.solves,
        priced_weight=relaxation.priced_weight,
        credit=relaxation.credit,
    )


def _highs_phase(
    problem: Problem,
    spec: ModelSpec,
    best: Incumbent,
    seconds: float,
    params: SolveParams,
    notes: list[str],
) -> None:
    """HiGHS's MIP solver on the whole model for ``seconds``: its assignment goes to the
    incumbent (and becomes CP-SAT's hint), its dual bound to the bound when it holds (see
    :func:`_highs_model`)."""
    # imported here: solvers.highs builds its round solver on this module
    from solvers.highs import run_highs

    if seconds < HIGHS_MIN_SECONDS:
        return
    model, bound_holds = _highs_model(problem, spec, best)
    run = run_highs(model, seconds, params.relative_gap)
    _take_highs_run(run, best, bound_holds, "HiGHS")
    notes.append(f"HiGHS phase: {run.message}")


def _highs_model(problem: Problem, spec: ModelSpec, best: Incumbent) -> tuple[ModelSpec, bool]:
    """The model to give HiGHS, and whether its bound holds for the round.

    When the incumbent makes as many placements as any assignment can, HiGHS gets a copy
    with that count required and the secondary term alone as objective
    (:func:`fix_placements`): on GAP rounds its relaxation is then the usual one (each job
    exactly once), where with ``M`` in the objective HiGHS stayed far behind (c40400 in
    60 s: 4,281 without a proof, against 4,244 proven optimal in 35 s). Otherwise a
    lexicographic objective weighs each placement by ``M`` (about 1e7 units on the 2,000
    x 500 scenario, so totals near 5e9), where HiGHS's float tolerances may exceed the one
    unit a proof needs: its bound then counts for weighted objectives only. Its
    assignments are checked like any other.
    """
    if best.objective is not None and _placements_proven(best):
        fixed = copy.deepcopy(spec)
        fix_placements(fixed, problem, best.objective.placements)
        return fixed, True
    return spec, spec.multiplier == 1


def _take_highs_run(run: HighsRun, best: Incumbent, bound_holds: bool, source: str) -> None:
    """A HiGHS run's assignment joins the incumbent as ``source``; its bound joins the bound
    when ``bound_holds`` (see :func:`_highs_model`)."""
    best.offer(run.chosen, source)
    if bound_holds:
        best.tighten(run.bound)


def _kept_by_fixing(
    problem: Problem, lagrange: LagrangeResult | None, best: Incumbent
) -> BoolArray | None:
    """Per edge: whether reduced-cost fixing keeps it against the incumbent (the exact
    core); None without a Lagrangian phase or an incumbent."""
    if lagrange is None or best.chosen is None or best.value is None:
        return None
    core = fixing_core(problem, lagrange.priced_weight, lagrange.credit, best.chosen, best.value)
    return core.keep


def _on_whole(problem: Problem, index: Int64Array, sub_chosen: BoolArray) -> BoolArray:
    """A restricted problem's assignment (over the edges ``index``) as a mask over the
    whole problem's edges."""
    chosen = np.zeros(problem.n_edges, dtype=bool)
    chosen[index[sub_chosen]] = True
    return chosen


def _restricted(
    problem: Problem, keep: BoolArray, multiplier: int
) -> tuple[Problem, Int64Array, ModelSpec]:
    """The problem on the kept edges, the original index of its edges, and its model with
    the whole problem's ``multiplier``."""
    sub, index = restrict(problem, keep)
    return sub, index, build_spec(sub, multiplier=multiplier)


@dataclass
class _Search:
    """CP-SAT runs on (restricted) models of one problem, each feeding the incumbent;
    ``failed`` holds the result to return once a run finds the round infeasible or the
    model invalid."""

    problem: Problem
    spec: ModelSpec
    best: Incumbent
    params: SolveParams
    options: CpSatOptions
    started: float
    notes: list[str]
    failed: Result | None = None

    def run(
        self,
        sub: Problem,
        sub_spec: ModelSpec,
        index: Int64Array,
        hint_chosen: BoolArray,
        search_time: float,
        bound_holds: bool,
    ) -> Status | None:
        """Solve ``sub`` (the problem on the edges ``index``) from ``hint_chosen`` (a mask
        over the whole problem's edges) for ``search_time`` seconds; its solution goes to
        the incumbent, and its bound too when ``bound_holds``. Returns CP-SAT's status, or
        None when the round turns out infeasible or the model invalid (``failed`` then
        holds the result to return)."""
        problem, best, params, options = self.problem, self.best, self.params, self.options
        if _placements_proven(best):
            assert best.objective is not None
            fix_placements(sub_spec, sub, best.objective.placements)
        hint_chosen = best.chosen if best.chosen is not None else hint_chosen
        emit = to_cp_model_python if options.python_api else to_cp_model
        model = emit(sub_spec, spec_hint(sub, sub_spec, hint_chosen[index]))
        solver = cp_model.CpSolver()
        _set_parameters(solver, params, max(search_time, 0.05), options.log)
        _set_subsolver(solver, options.search_subsolver)
        if sub.n_edges > PROBING_MAX_EDGES:
            solver.parameters.cp_model_probing_level = 0
        if params.relative_gap > 0:
            _set_gap(solver, sub_spec, sub, hint_chosen[index], params.relative_gap)
        reporter = None
        if params.progress is not None:
            _report_incumbent(params.progress, problem, best, self.started)
            reporter = _ProgressReporter(
                sub_spec,
                params.progress,
                self.started,
                self.spec.multiplier,
                best.bound,
                bound_holds,
            )
        code = solver.solve(model, reporter)
        status = _STATUS.get(code, Status.UNKNOWN)

        if status == Status.INFEASIBLE and sub is problem and best.objective is None:
            self.failed = _infeasible(problem, params, options, self.started)
            return None
        if status == Status.MODEL_INVALID:
            message = cp_model_helper.CpSatHelper.validate_model(model.proto)
            self.failed = _no_solution(
                status, self.started, [f"CP-SAT rejected the model: {message}"]
            )
            return None
        if status.has_solution:
            solution = np.array(solver.response_proto.solution, dtype=np.int64)
            best.offer(_on_whole(problem, index, solution[: sub.n_edges] > 0), "CP-SAT")
            if bound_holds:
                bound = int(np.floor(solver.best_objective_bound + 1e-6))
                best.tighten(float(bound - sub_spec.shift))
        elif status == Status.INFEASIBLE:
            self.notes.append("the restricted CP-SAT model is infeasible")
        return status


def _neighbourhood_search(
    problem: Problem,
    best: Incumbent,
    params: SolveParams,
    options: CpSatOptions,
    started: float,
    notes: list[str],
    space: tuple[Problem, Int64Array] | None = None,
    patience: float | None = None,
    companion: HighsCompanion | None = None,
) -> None:
    """Improve the incumbent by large-neighbourhood search until the time limit, or until it
    is within the relative gap of the bound, or (with ``patience``) until that many seconds
    pass without an improvement; on ``space`` (a restricted problem holding the incumbent,
    and the original index of its edges) when given; trading solutions with ``companion``
    when given."""
    assert best.chosen is not None
    if _close_enough(best, params.relative_gap):
        return
    multiplier = best.multiplier

    def stop(objective: Objective) -> bool:
        slack = best.bound - combined(objective, multiplier)
        return slack < 1 or slack <= params.relative_gap * max(1, abs(objective.value))

    lns_options = dataclasses.replace(options.lns_options, workers=params.workers)
    # a neighbourhood cannot place more than the whole problem: when the incumbent's
    # placements are proven the most possible, every sub-problem keeps exactly that many
    placements = best.objective.placements if best.objective and _placements_proven(best) else None
    searched, index = space if space is not None else (problem, None)
    start = best.chosen if index is None else best.chosen[index]
    found = improve(
        searched,
        start,
        started + params.time_limit,
        functools.partial(solve_sub, placements=placements, subsolver=options.search_subsolver),
        seed=params.seed,
        options=lns_options,
        stop=stop,
        patience=patience,
        partner=None if companion is None else _CompanionPartner(companion, best, notes, index),
    )
    chosen = found.chosen if index is None else _on_whole(problem, index, found.chosen)
    best.offer(chosen, "neighbourhood search")
    improved = found.improvements
    notes.append(
        f"neighbourhood search: {improved} improvements in {found.iterations} neighbourhoods"
        f" ({found.screened} closed by their Lagrangian bound)"
    )
    if found.received:
        notes.append(f"neighbourhood search: {found.received} solutions taken from HiGHS")


class _CompanionPartner:
    """The HiGHS companion as the neighbourhood search's partner (see
    :class:`solvers.lns.Partner`), the search being on the edges ``index`` of the round
    (all of them when None)."""

    def __init__(
        self,
        companion: HighsCompanion,
        best: Incumbent,
        notes: list[str],
        index: Int64Array | None,
    ) -> None:
        self.companion = companion
        self.best = best
        self.notes = notes
        self.index = index

    def receive(self) -> BoolArray | None:
        found = self.companion.found()
        if found is None:
            if not self.companion.running():
                # HiGHS ended before its time: its answer and, where its bound holds, its
                # proof tighten the bound the search stops at
                _join_companion(self.companion, self.best, self.notes)
            return None
        self.best.offer(found, "HiGHS beside CP-SAT")
        if self.index is None:
            return found
        outside = found.copy()
        outside[self.index] = False
        # a solution with edges outside the searched space stays in the incumbent only
        return None if outside.any() else found[self.index]

    def send(self, chosen: BoolArray) -> None:
        # the incumbent takes the search's best once the search ends
        problem = self.best.problem
        whole = chosen if self.index is None else _on_whole(problem, self.index, chosen)
        self.companion.offer(spec_hint(problem, self.companion.spec, whole))


def solve_sub(
    problem: Problem,
    hint: BoolArray,
    time_limit: float,
    seed: int,
    workers: int,
    *,
    placements: int | None = None,
    subsolver: str | None = None,
) -> tuple[BoolArray, bool] | None:
    """CP-SAT on a (small) problem from a complete hint: the chosen edges and whether they
    are proven optimal, or None without a solution in time. ``placements``, when given, is
    the number of placements of the hint, known to be the most possible (see
    :func:`fix_placements`); ``subsolver`` is CP-SAT's full-problem search (see
    :attr:`CpSatOptions.search_subsolver`)."""
    spec = build_spec(problem)
    if placements is not None:
        fix_placements(spec, problem, placements)
    model = to_cp_model(spec, spec_hint(problem, spec, hint))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.01)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    _set_subsolver(solver, subsolver)
    if problem.n_edges > PROBING_MAX_EDGES:
        solver.parameters.cp_model_probing_level = 0
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    solution = np.array(solver.response_proto.solution, dtype=np.int64)
    return solution[: problem.n_edges] > 0, code == cp_model.OPTIMAL


def _report_incumbent(
    report: Callable[[Progress], None], problem: Problem, best: Incumbent, started: float
) -> None:
    """One progress report for what the relaxations and heuristics found before CP-SAT."""
    if best.objective is None:
        return
    placements = best.objective.placements if problem.lexicographic else None
    bound = best.bound
    if math.isfinite(bound) and placements is not None:
        bound -= best.multiplier * placements
    report(
        Progress(
            solver="cpsat",
            elapsed=time.perf_counter() - started,
            objective=float(best.objective.value),
            bound=float(bound) if math.isfinite(bound) else None,
            placements=placements,
        )
    )


def _placements_proven(best: Incumbent) -> bool:
    """Whether the best assignment of a lexicographic round makes as many placements as the
    bound allows."""
    if best.objective is None or not best.problem.lexicographic or best.multiplier <= 1:
        return False
    if not math.isfinite(best.bound):
        return False
    return math.floor((best.bound + 1e-6) / best.multiplier) <= best.objective.placements


def _close_enough(best: Incumbent, relative_gap: float) -> bool:
    """Whether the best assignment is proven optimal, or within ``relative_gap`` of the
    bound (relative to the reported value, as :attr:`Result.gap`)."""
    assert best.objective is not None
    slack = best.bound - (best.value or 0)
    return slack < 1 or slack <= relative_gap * max(1, abs(best.objective.value))


def incumbent_result(
    problem: Problem,
    best: Incumbent,
    status: Status,
    spec: ModelSpec,
    started: float,
    notes: list[str],
    solver: str = "cpsat",
) -> Result:
    """The Result of ``best`` (which must hold an assignment) for ``solver``: its bound
    decoded from the combined objective of ``spec``, OPTIMAL when proven."""
    assert best.objective is not None and best.chosen is not None
    objective = best.objective
    value = best.value or 0
    proven = best.bound - value < 1
    bound: float | None = None
    placement_bound: int | None = None
    if math.isfinite(best.bound):
        # the combined bound, given as many placements as found
        extra = spec.multiplier * objective.placements if problem.lexicographic else 0
        bound = float(math.floor(best.bound + 1e-6) - extra)
        most = math.floor((best.bound + 1e-6) / spec.multiplier)
        if problem.lexicographic:
            placement_bound = max(most, objective.placements)
        if problem.lexicographic and most > objective.placements and not proven:
            notes = [*notes, f"placements not proven optimal: at most {most} possible"]
    if status == Status.OPTIMAL or proven:
        status, bound = Status.OPTIMAL, float(objective.value)
        placement_bound = objective.placements if problem.lexicographic else None
    return Result(
        solver=solver,
        status=status,
        edges=np.flatnonzero(best.chosen).astype(np.int64),
        objective=objective,
        bound=bound,
        wall_time=time.perf_counter() - started,
        notes=notes,
        placement_bound=placement_bound,
    )


def _infeasible(
    problem: Problem, params: SolveParams, options: CpSatOptions, started: float
) -> Result:
    conflicts: list[str] = []
    if options.explain:
        left = params.time_limit - (time.perf_counter() - started)
        conflicts = explain_infeasibility(problem, max(left, 1.0), params.seed)
    return Result(
        solver="cpsat",
        status=Status.INFEASIBLE,
        edges=np.zeros(0, dtype=np.int64),
        objective=None,
        bound=None,
        wall_time=time.perf_counter() - started,
        notes=["the round is infeasible"]
        + (["conflicting groups: " + ", ".join(conflicts)] if conflicts else []),
        conflicts=conflicts,
    )


def _no_solution(status: Status, started: float, notes: list[str]) -> Result:
    return Result(
        solver="cpsat",
        status=status,
        edges=np.zeros(0, dtype=np.int64),
        objective=None,
        bound=None,
        wall_time=time.perf_counter() - started,
        notes=notes,
    )


def _set_parameters(
    solver: cp_model.CpSolver, params: SolveParams, time_limit: float, log: bool
) -> None:
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    solver.parameters.log_search_progress = log


def _set_subsolver(solver: cp_model.CpSolver, subsolver: str | None) -> None:
    # naming the full-problem search replaces CP-SAT's default one; its first-solution and
    # neighbourhood helpers still run beside it
    if subsolver is not None:
        solver.parameters.subsolvers.append(subsolver)


def _set_gap(
    solver: cp_model.CpSolver,
    spec: ModelSpec,
    problem: Problem,
    hint: BoolArray,
    relative_gap: float,
) -> None:
    """Stop at ``relative_gap`` of the reported value: for a weighted objective CP-SAT's own
    relative limit; for a lexicographic one an absolute limit in secondary units, below
    ``M`` so that the placements are still proven."""
    if spec.multiplier == 1:
        solver.parameters.relative_gap_limit = relative_gap
        return
    estimate = abs(objective_of(problem, np.flatnonzero(hint)).value)
    solver.parameters.absolute_gap_limit = float(
        min(relative_gap * max(1, estimate), spec.multiplier - 1)
    )


def explain_infeasibility(problem: Problem, time_limit: float, seed: int = 0) -> list[str]:
    """Names of constraint groups that cannot all hold together.

    Solves the feasibility model with one enforcement literal per group under those literals
    as assumptions, reads CP-SAT's sufficient assumptions for infeasibility, then drops each
    group of that set that is not needed (checking that the rest stays infeasible) while
    time allows. Returns an empty list if no conflict is found in time.
    """
    deadline = time.perf_counter() + time_limit
    spec = build_spec(problem, for_conflicts=True)
    literal_group = {lit: g for g, lit in enumerate(spec.literals)}

    def infeasible(groups: list[int]) -> tuple[bool, list[int]]:
        model = to_cp_model(spec)
        model.proto.assumptions.clear()
        model.proto.assumptions.extend([spec.literals[g] for g in groups])
        solver = cp_model.CpSolver()
        left = deadline - time.perf_counter()
        solver.parameters.max_time_in_seconds = max(left, 0.05)
        # one worker and no presolve: the assumption core is reliable only that way
        solver.parameters.num_workers = 1
        solver.parameters.cp_model_presolve = False
        solver.parameters.random_seed = seed
        code = solver.solve(model)
        if code != cp_model.INFEASIBLE:
            return False, []
        core = [literal_group[lit] for lit in solver.sufficient_assumptions_for_infeasibility()]
        core = [g for g in core if g in groups]
        return True, core or groups

    found, core = infeasible(list(range(len(spec.literals))))
    if not found:
        return []
    # drop groups the conflict does not need, one at a time
    needed = list(dict.fromkeys(core))
    i = 0
    while i < len(needed) and len(needed) > 1 and time.perf_counter() < deadline:
        trial = needed[:i] + needed[i + 1 :]
        still, smaller = infeasible(trial)
        if still:
            needed = [g for g in trial if g in set(smaller)] or trial
        else:
            i += 1
    return [spec.groups[g] for g in needed]
