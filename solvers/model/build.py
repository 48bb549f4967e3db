"""The model of a problem (:func:`build_spec`), its objective and soft terms, the placements
fixed when proven (:func:`fix_placements`), a complete hint from chosen edges
(:func:`spec_hint`) and the decoding of an objective value (:func:`decode`)."""

from __future__ import annotations

import numpy as np

from matcher.fairness import SHARE_RESOLUTION
from solvers.checks import (
    ACCEPTED,
    MAX_HOST_SHARE,
    MIN_PER_LENDER,
    PINS,
    SUBSIDY_POOL,
    floor_gaps,
    floor_group,
    host_budget_group,
    seats_group,
    topup_budget_group,
    tours_group,
)
from solvers.model.rows import (
    budget_rows,
    count_rows,
    dead_rows,
    fairness_rows,
    floor_rows,
    fte_rows,
    link_rows,
)
from solvers.model.spec import NO_GROUP, Groups, ModelSpec, Rows
from solvers.problem import BoolArray, Int64Array, Problem
from solvers.units import NO_LIMIT


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
    group = Groups()
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
    dead_rows(problem, rows, group)
    count_rows(
        rows,
        group,
        problem.package,
        live,
        problem.seats,
        lambda p: seats_group(problem.package_name(p)),
    )
    tours = np.full(problem.n_talents, problem.max_tours, dtype=np.int64)
    spec.tour_rows = rows.n_rows
    spec.tour_talents = count_rows(
        rows, group, problem.talent, live, tours, lambda t: tours_group(problem.talent_name(t))
    )
    if problem.max_tours > 1:
        fte_rows(problem, rows, group, live)
    budget_rows(
        rows,
        group,
        problem.fee,
        problem.host,
        live,
        problem.host_budget,
        lambda o: host_budget_group(problem.org_name(o)),
    )
    budget_rows(
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
    slack_max = fairness_rows(problem, spec, group, live)
    link_rows(problem, spec, live)
    floor_penalty_max = floor_rows(problem, spec, group, live, for_conflicts)

    if for_conflicts:
        # lit[g] = 1 if the rows of constraint group g are enforced (an assumption)
        spec.literals = spec.new_vars([0] * len(group.names), [1] * len(group.names)).tolist()
        return spec
    _objective(problem, spec, slack_max, floor_penalty_max, multiplier)
    return spec


def soft_terms(problem: Problem, spec: ModelSpec) -> dict[str, tuple[Int64Array, Int64Array]]:
    """Each soft rule's part of the maximized objective, by name, as (variables,
    coefficients): the fairness slacks at minus the fairness penalty, each soft floor's
    ``short`` at minus its penalty (named by :func:`~solvers.checks.floor_group`), and the
    proposed placements of the previous round at plus the disruption penalty they avoid
    (the penalty for dropping every one of them is the constant
    ``problem.constant_penalty``).
    After a solve, ``sum(coefficients * values)`` per name says what each rule cost."""
    terms: dict[str, tuple[Int64Array, Int64Array]] = {}
    penalty = 0 if problem.hard_fairness else problem.fairness_units
    if spec.short.size:
        terms[MIN_PER_LENDER] = (spec.short, np.full(spec.short.size, -penalty, dtype=np.int64))
    if spec.over.size:
        terms[MAX_HOST_SHARE] = (spec.over, np.full(spec.over.size, -penalty, dtype=np.int64))
    for floor, short in zip(problem.floors, spec.floor_short.tolist(), strict=False):
        if short >= 0:
            terms[floor_group(floor.name)] = (
                np.array([short], dtype=np.int64),
                np.array([-floor.penalty_units], dtype=np.int64),
            )
    proposed = np.flatnonzero(problem.proposed).astype(np.int64)
    if proposed.size:
        units = np.full(proposed.size, problem.disruption_units, dtype=np.int64)
        terms["disruption"] = (proposed, units)
    if spec.link_vars.size:
        bonus = np.full(spec.link_vars.size, problem.link_units, dtype=np.int64)
        terms["breadth"] = (spec.link_vars, bonus)
    return terms


def _objective(
    problem: Problem,
    spec: ModelSpec,
    slack_max: int,
    floor_penalty_max: int,
    multiplier: int | None = None,
) -> None:
    """The maximized objective and the constants that decode it (``multiplier``: see
    :func:`build_spec`); ``slack_max`` is the largest total fairness slack and
    ``floor_penalty_max`` the largest total penalty of the soft floors."""
    penalty = 0 if problem.hard_fairness else problem.fairness_units
    soft_max = penalty * slack_max + floor_penalty_max
    coef = np.zeros(spec.n_vars, dtype=np.int64)
    coef[: problem.n_edges] = problem.value
    for variables, coefficients in soft_terms(problem, spec).values():
        coef[variables] += coefficients
    if problem.lexicographic:
        # M exceeds the spread of the secondary term: the most gain all talents together can
        # collect, plus the largest breadth bonus and the largest total soft penalty
        # (fairness and floors)
        bonus = problem.link_units * int(spec.link_vars.size)
        needed = _top_gain_per_talent(problem) + bonus + soft_max + 1
        if multiplier is not None and multiplier < needed:
            raise ValueError(f"multiplier {multiplier} is below the {needed} this problem needs.")
        spec.multiplier = needed if multiplier is None else multiplier
        coef[: problem.n_edges] += spec.multiplier
        # objective = M * placements + secondary + shift, with 0 <= secondary + shift < M
        spec.shift = problem.constant_penalty + soft_max
        spec.objective_offset = soft_max
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
        # only slow CP-SAT down (measured: docs/lab-notes-solvers.md)
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
    if spec.link_vars.size:
        used = np.zeros(problem.n_links, dtype=bool)
        used[problem.link[chosen]] = True
        values[spec.link_vars] = used[spec.link_ids]
    if spec.floor_short.size:
        gaps = floor_gaps(problem, chosen)
        for short, gap in zip(spec.floor_short.tolist(), gaps, strict=True):
            if short >= 0:
                values[short] = gap
    clipped: list[int] = np.clip(values, lo, hi).astype(np.int64).tolist()
    return clipped


def decode(spec: ModelSpec, objective: int) -> tuple[int | None, int]:
    """(placements, value) of a model objective: for a lexicographic model the number of
    placements and the secondary term; for a weighted one (None, the weighted value)."""
    if spec.multiplier > 1:
        placements, rest = divmod(objective, spec.multiplier)
        return placements, rest - spec.shift
    return None, objective - spec.shift
