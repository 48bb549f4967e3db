"""The rows of the model: dead forced edges, seats, tours and FTE, budgets, fairness, the
breadth bonus's links and the outcome floors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from matcher.fairness import SHARE_RESOLUTION
from matcher.floors import FLOOR_RESOLUTION
from solvers.checks import (
    MAX_HOST_SHARE,
    MIN_PER_LENDER,
    SUBSIDY_POOL,
    floor_group,
    host_budget_group,
    topup_budget_group,
    tours_group,
)
from solvers.model.spec import NO_GROUP, Groups, ModelSpec, Rows
from solvers.problem import BoolArray, Int64Array, Problem
from solvers.units import NO_LIMIT

FTE_PAIR_CHUNK = 4_000_000
"""(row, edge) candidate pairs examined at once when building the FTE rows."""


def dead_rows(problem: Problem, rows: Rows, group: Groups) -> None:
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


def count_rows(
    rows: Rows,
    group: Groups,
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


def budget_rows(
    rows: Rows,
    group: Groups,
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
    group: Groups,
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


def fte_rows(problem: Problem, rows: Rows, group: Groups, live: BoolArray) -> None:
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
    group: Groups,
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


def owner_rows(
    sorted_edges: Int64Array,
    indptr: Int64Array,
    owners: Int64Array,
    edge_coef: int = 1,
    head: Int64Array | None = None,
    head_coef: int = 1,
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """One row per owner in ``owners`` over its edges (``sorted_edges`` grouped by owner with
    offsets ``indptr``, as :func:`_csr` gives them), each edge with ``edge_coef``, and when
    given, the owner's variable of ``head`` first with ``head_coef``: the rows in CSR form
    (``row_ptr``, ``var``, ``coef``), built in a few array operations whatever their number
    (a loop over thousands of owners cost a neighbourhood search most of its time)."""
    lengths = (indptr[owners + 1] - indptr[owners]).astype(np.int64)
    offsets = np.cumsum(lengths) - lengths
    pos = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(
        offsets - indptr[owners], lengths
    )
    extra = 0 if head is None else 1
    row_ptr = np.concatenate([[0], np.cumsum(lengths + extra)]).astype(np.int64)
    var = np.empty(int(row_ptr[-1]), dtype=np.int64)
    coef = np.full(var.size, edge_coef, dtype=np.int64)
    body = np.ones(var.size, dtype=bool)
    if head is not None:
        heads = row_ptr[:-1]
        var[heads] = head
        coef[heads] = head_coef
        body[heads] = False
    var[body] = sorted_edges[pos]
    return row_ptr, var, coef


def fairness_rows(problem: Problem, spec: ModelSpec, group: Groups, live: BoolArray) -> int:
    """The fairness rows and counters; returns the largest total slack (soft rules)."""
    rows = spec.rows
    soft = not problem.hard_fairness
    slack_max = 0
    lenders = np.flatnonzero(problem.targets).astype(np.int64)
    if lenders.size:
        edges = np.flatnonzero(live)
        sorted_edges, indptr = _csr(problem.lender, edges, problem.n_orgs)
        targets = problem.targets[lenders].astype(np.int64)
        short = None
        if soft:
            # short[o] = placements lender o is short of its target
            spec.short = spec.new_vars([0] * lenders.size, targets.tolist())
            short = spec.short
            slack_max += int(targets.sum())
        row_ptr, var, coef = owner_rows(sorted_edges, indptr, lenders, head=short)
        # the row's greatest value as its upper side, not a huge constant: HiGHS derived
        # wrong cuts from one (a 2-placement "optimum" where 3 placements fit); at least the
        # target, so that a lender with too few edges is infeasible rather than the model
        # invalid
        ceiling = (indptr[lenders + 1] - indptr[lenders]) + (targets if soft else 0)
        rows.add_block(
            row_ptr,
            var,
            coef,
            targets,
            np.maximum(ceiling, targets),
            [group(MIN_PER_LENDER)] * lenders.size,
        )
    if problem.share_units is not None:
        slack_max += _host_share_rows(problem, spec, group, live)
    return slack_max


def _host_share_rows(problem: Problem, spec: ModelSpec, group: Groups, live: BoolArray) -> int:
    """The maximum host share's counters and rows; returns the largest total slack (soft
    rule)."""
    assert problem.share_units is not None
    rows = spec.rows
    soft = not problem.hard_fairness
    edges = np.flatnonzero(live)
    sorted_edges, indptr = _csr(problem.host, edges, problem.n_orgs)
    hosts = np.flatnonzero(np.diff(indptr) > 0).astype(np.int64)
    sizes = np.diff(indptr)[hosts]
    most = int(min(edges.size, problem.seats.sum(), problem.n_talents * problem.max_tours))
    # placed_at[h] = placements at host h; placed = all placements
    spec.placed_at = spec.new_vars([0] * hosts.size, sizes.tolist())
    spec.placed = int(spec.new_vars([0], [most])[0])
    # the total is the sum of the hosts' counters: no row over every edge, which would slow
    # presolve down on large rounds
    rows.add(
        np.append(spec.placed_at, spec.placed),
        np.append(np.ones(hosts.size, dtype=np.int64), -1),
        0,
        0,
        NO_GROUP,
    )
    zeros = np.zeros(hosts.size, dtype=np.int64)
    row_ptr, var, coef = owner_rows(sorted_edges, indptr, hosts, head=spec.placed_at, head_coef=-1)
    rows.add_block(row_ptr, var, coef, zeros, zeros, [NO_GROUP] * hosts.size)
    # SHARE_RESOLUTION * placed_at[h] - share_units * placed (- SHARE_RESOLUTION * over[h])
    # <= 0, its least value as its lower side (see the lender rows)
    width = 3 if soft else 2
    var = np.empty((hosts.size, width), dtype=np.int64)
    coef = np.empty((hosts.size, width), dtype=np.int64)
    var[:, 0], coef[:, 0] = spec.placed_at, SHARE_RESOLUTION
    var[:, 1], coef[:, 1] = spec.placed, -int(problem.share_units)
    floor = np.full(hosts.size, -int(problem.share_units) * most, dtype=np.int64)
    slack_max = 0
    if soft:
        # over[h] = placements host h has over its share
        caps = np.minimum(sizes, most).astype(np.int64)
        spec.over = spec.new_vars([0] * hosts.size, caps.tolist())
        slack_max = int(caps.sum())
        var[:, 2], coef[:, 2] = spec.over, -SHARE_RESOLUTION
        floor -= SHARE_RESOLUTION * caps
    row_ptr = np.arange(0, width * hosts.size + 1, width, dtype=np.int64)
    rows.add_block(
        row_ptr, var.ravel(), coef.ravel(), floor, zeros, [group(MAX_HOST_SHARE)] * hosts.size
    )
    return slack_max


def link_rows(problem: Problem, spec: ModelSpec, live: BoolArray) -> None:
    """With a breadth bonus, one variable ``y[l]`` in [0, 1] per (lender, host) link with
    live edges and the row ``y[l] - sum x <= 0`` over them: ``y[l]`` may be 1 only when an
    edge of the link is placed, and the objective pays the bonus on it."""
    if problem.link_units == 0:
        return
    edges = np.flatnonzero(live)
    sorted_edges, indptr = _csr(problem.link, edges, problem.n_links)
    links = np.flatnonzero(np.diff(indptr) > 0).astype(np.int64)
    if links.size == 0:
        return
    spec.link_ids = links
    spec.link_vars = spec.new_vars([0] * links.size, [1] * links.size)
    lengths = np.diff(indptr)[links]
    row_ptr, var, coef = owner_rows(sorted_edges, indptr, links, -1, spec.link_vars, 1)
    # the row's least value as its lower side, not a huge constant (see fairness_rows)
    spec.rows.add_block(
        row_ptr, var, coef, -lengths, np.zeros(links.size, dtype=np.int64), [NO_GROUP] * links.size
    )


def most_placements(problem: Problem, live: BoolArray) -> int:
    """An upper bound on the placements of any assignment of the live edges."""
    return int(min(int(live.sum()), problem.seats.sum(), problem.n_talents * problem.max_tours))


def floor_rows(
    problem: Problem, spec: ModelSpec, group: Groups, live: BoolArray, for_conflicts: bool
) -> int:
    """One row per outcome floor, ``sum((FLOOR_RESOLUTION * outcome - units) * x) >= 0``
    over the live and forced edges, with a slack ``short`` (placements short, priced at the floor's
    penalty) when soft; returns the largest total penalty of the soft floors.

    In a model built for conflicts, soft floors are left out (they constrain nothing) and
    each hard floor's row is its own group."""
    spec.floor_short = np.full(len(problem.floors), -1, dtype=np.int64)
    # forced dead edges too: one a floor of share 1 rules out holds no row of its own
    may_place = live | problem.forced
    edges = np.flatnonzero(may_place)
    most = most_placements(problem, may_place)
    penalty_max = 0
    for i, floor in enumerate(problem.floors):
        if not floor.hard and for_conflicts:
            continue
        coef = FLOOR_RESOLUTION * floor.outcome[edges].astype(np.int64) - floor.units
        var = edges[coef != 0]
        coef = coef[coef != 0]
        # the row's greatest value as its upper side, not a huge constant (see fairness_rows)
        ceiling = int(coef[coef > 0].sum())
        if floor.hard:
            spec.rows.add(var, coef, 0, ceiling, group(floor_group(floor.name)))
            continue
        # short = placements short of the floor: units * placed - R * with_outcome, in whole
        # placements, rounded up by the solver's minimizing of its penalty
        short_max = -(-floor.units * most // FLOOR_RESOLUTION)
        short = int(spec.new_vars([0], [short_max])[0])
        spec.floor_short[i] = short
        penalty_max += floor.penalty_units * short_max
        spec.rows.add(
            np.append(var, short),
            np.append(coef, FLOOR_RESOLUTION),
            0,
            ceiling + FLOOR_RESOLUTION * short_max,
            NO_GROUP,
        )
    return penalty_max
