"""The integer problem every solver works on, built once from a compiled round.

:func:`build_problem` turns a :class:`~matcher.compile.CompiledRound` and its
:class:`~matcher.models.Round` into integer arrays over the eligible edges: score units, FTE
units, money in cents, and the capacities of every constraint group of
:func:`matcher.evaluator.evaluate`. The units, and which way amounts and capacities round
into them, are those of :mod:`solvers.units`; the capacities come from
:mod:`solvers.capacities` and the outcome floors from :mod:`solvers.floor_rules`.
:func:`restrict` and :func:`best_per_talent` pick subsets of the edges.

:func:`objective_of` and :func:`violated_groups`, the evaluator's objective and hard
constraints on these arrays, and the names of the constraint groups live in
:mod:`solvers.checks`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.compile import CompiledRound
from matcher.fairness import SHARE_RESOLUTION, lender_targets
from matcher.floors import FLOOR_RESOLUTION
from matcher.models import Round
from matcher.objective import scaled
from solvers.capacities import budget_capacities, fte_capacities, max_placements, pool_capacity
from solvers.floor_rules import FloorRule, floor_rules
from solvers.units import (
    CENTS_PER_EURO,
    FTE_RESOLUTION,
    FTE_TOL,
    MONEY_TOL,
    NO_LIMIT,
    BoolArray,
    Int64Array,
    amount_units,
)

# the array types are imported from here by most solvers
__all__ = [
    "BoolArray",
    "Int64Array",
    "Problem",
    "best_per_talent",
    "build_problem",
    "restrict",
    "with_dead",
]


@dataclass(frozen=True, eq=False)
class Problem:
    """A round as integer arrays over its eligible edges (units: :mod:`solvers.units`).

    Attributes
    ----------
    compiled, round
        Where the problem comes from.
    talent, package, host, lender
        Per edge: talent, package, hiring organization and lending organization index.
    value
        Per edge: score units.
    seats
        Per package: seats.
    max_tours
        Most tours per talent.
    fte, fte_cap
        Per edge: FTE units of its package; per talent: FTE units available.
    start, end
        Per edge: first and last day of its package.
    fee, topup, subsidy
        Per edge: host fee, lender top-up and subsidy in cents.
    host_budget, lender_budget
        Per organization: hiring and top-up budget in cents, :data:`NO_LIMIT` for none.
    pool
        Subsidy pool in cents, :data:`NO_LIMIT` for none.
    forced
        Per edge: pinned or accepted (must be placed).
    pins, accepted
        Edge indices of the pins and of the accepted previous placements.
    proposed
        Per edge: a proposed placement of the previous round (dropping it costs).
    proposed_total
        Proposed previous placements, eligible or not.
    targets
        Per organization: minimum placements owed (``lender_targets``), 0 for none.
    share_units
        Maximum host share in 1/``SHARE_RESOLUTION``, None when it is 1 (no rule).
    hard_fairness
        Whether the fairness rules are hard constraints.
    fairness_units, disruption_units
        Penalty units per fairness gap and per dropped proposed placement.
    lexicographic
        Placements first, then score minus penalties.
    placement_units
        Units per placement in the weighted objective.
    dead
        Per edge: cannot be placed even alone (FTE or a budget too small for it, or a hard
        floor of share 1 that it has not the outcome of).
    link
        Per edge: its (lender, host) link, numbered from 0 to ``n_links - 1``.
    n_links
        Distinct (lender, host) links of the edges.
    link_units
        Breadth bonus units per distinct link placed (0: no breadth term).
    floors
        The policy's active outcome floors (:class:`~solvers.floor_rules.FloorRule`).
    """

    compiled: CompiledRound
    round: Round
    talent: Int64Array
    package: Int64Array
    host: Int64Array
    lender: Int64Array
    value: Int64Array
    seats: Int64Array
    max_tours: int
    fte: Int64Array
    fte_cap: Int64Array
    start: Int64Array
    end: Int64Array
    fee: Int64Array
    topup: Int64Array
    subsidy: Int64Array
    host_budget: Int64Array
    lender_budget: Int64Array
    pool: int
    forced: BoolArray
    pins: Int64Array
    accepted: Int64Array
    proposed: BoolArray
    proposed_total: int
    targets: Int64Array
    share_units: int | None
    hard_fairness: bool
    fairness_units: int
    disruption_units: int
    lexicographic: bool
    placement_units: int
    dead: BoolArray
    link: Int64Array
    n_links: int
    link_units: int
    floors: tuple[FloorRule, ...] = ()

    @property
    def n_edges(self) -> int:
        return int(self.talent.size)

    @property
    def n_talents(self) -> int:
        return self.compiled.arrays.n_talents

    @property
    def n_packages(self) -> int:
        return self.compiled.arrays.n_packages

    @property
    def n_orgs(self) -> int:
        return self.compiled.arrays.n_orgs

    @property
    def edge_gain(self) -> Int64Array:
        """Per edge: what placing it adds to the secondary objective (score units, plus the
        disruption penalty it avoids when it is a proposed placement)."""
        return self.value + self.disruption_units * self.proposed

    @property
    def constant_penalty(self) -> int:
        """Penalty owed whatever the assignment: every proposed placement counts as dropped
        until it is placed."""
        return self.proposed_total * self.disruption_units

    def links_of(self, chosen: BoolArray) -> int:
        """Distinct (lender, host) links of the chosen edges."""
        return int(np.unique(self.link[chosen]).size)

    def bonus_bound(self, most_placements: int | None = None) -> int:
        """The largest breadth bonus any assignment collects (units): a link for every live
        (lender, host) pair, or for each of ``most_placements`` placements when fewer. A
        relaxation that leaves the bonus out adds this to stay a bound."""
        if self.link_units == 0:
            return 0
        live = self.links_of(~self.dead | self.forced)
        if most_placements is not None:
            live = min(live, most_placements)
        return live * self.link_units

    def talent_name(self, t: int) -> str:
        return self.compiled.arrays.talent_ids[t]

    def package_name(self, p: int) -> str:
        return self.compiled.arrays.package_ids[p]

    def org_name(self, o: int) -> str:
        return self.compiled.arrays.org_ids[o]


def with_dead(problem: Problem) -> Problem:
    """``problem`` with its dead edges found again from its capacities (after a change to
    a budget or the pool)."""
    dead = problem.fte > problem.fte_cap[problem.talent]
    dead |= _over(problem.fee, problem.host_budget[problem.host])
    dead |= _over(problem.topup, problem.lender_budget[problem.lender])
    if problem.pool != NO_LIMIT:
        dead |= problem.subsidy > problem.pool
    # a hard floor of share 1 admits only edges with its outcome: the others are as good as
    # dead, which the relaxations and the greedy then know too
    for floor in problem.floors:
        if floor.hard and floor.units >= FLOOR_RESOLUTION:
            dead |= ~floor.outcome
    return dataclasses.replace(problem, dead=dead)


def build_problem(compiled: CompiledRound, round_: Round) -> Problem:
    """The integer problem of ``round_`` over the edges of ``compiled``.

    Parameters
    ----------
    compiled
        The compiled round.
    round_
        The round it was compiled from.
    """
    a = compiled.arrays
    policy = round_.policy
    talent = compiled.talent.astype(np.int64)
    package = compiled.package.astype(np.int64)
    host = a.package_host[package].astype(np.int64)
    lender = a.talent_lender[talent].astype(np.int64)
    n_edges = int(talent.size)

    fte = amount_units(a.package_fte[package], FTE_RESOLUTION, FTE_TOL)
    fee = amount_units(compiled.host_fee, CENTS_PER_EURO, MONEY_TOL)
    topup = amount_units(compiled.topup, CENTS_PER_EURO, MONEY_TOL)
    subsidy = amount_units(compiled.subsidy, CENTS_PER_EURO, MONEY_TOL)
    seats = a.package_seats.astype(np.int64)
    most = max_placements(talent, package, seats, policy.max_tours_per_talent)

    forced = np.zeros(n_edges, dtype=bool)
    pins = compiled.pins.astype(np.int64)
    accepted = compiled.accepted.astype(np.int64)
    forced[pins] = True
    forced[accepted] = True
    proposed = np.zeros(n_edges, dtype=bool)
    proposed[compiled.proposed.astype(np.int64)] = True
    proposed_total = sum(1 for x in round_.previous if x.status == "proposed")

    targets = np.zeros(a.n_orgs, dtype=np.int64)
    org_index = {o: i for i, o in enumerate(a.org_ids)}
    for org_id, target in lender_targets(round_, compiled).items():
        targets[org_index[org_id]] = target
    share_units = (
        round(policy.max_host_share * SHARE_RESOLUTION) if policy.max_host_share < 1 else None
    )

    # the (lender, host) pair of each edge, numbered: the breadth bonus counts them
    pair_key = lender * a.n_orgs + host
    _, link = np.unique(pair_key, return_inverse=True)
    link = link.astype(np.int64).reshape(-1)

    problem = Problem(
        compiled=compiled,
        round=round_,
        talent=talent,
        package=package,
        host=host,
        lender=lender,
        value=scaled(compiled.score),
        seats=seats,
        max_tours=policy.max_tours_per_talent,
        fte=fte,
        fte_cap=fte_capacities(a.talent_fte, talent, policy.max_tours_per_talent),
        start=a.package_start[package].astype(np.int64),
        end=a.package_end[package].astype(np.int64),
        fee=fee,
        topup=topup,
        subsidy=subsidy,
        host_budget=budget_capacities(a.org_hiring_budget, host, most),
        lender_budget=budget_capacities(a.org_topup_budget, lender, most),
        pool=pool_capacity(policy.subsidy_pool, n_edges, most),
        forced=forced,
        pins=pins,
        accepted=accepted,
        proposed=proposed,
        proposed_total=proposed_total,
        targets=targets,
        share_units=share_units,
        hard_fairness=policy.fairness == "hard",
        fairness_units=int(scaled(policy.fairness_penalty)),
        disruption_units=int(scaled(policy.disruption_penalty)),
        lexicographic=policy.objective == "lexicographic",
        placement_units=int(scaled(policy.placement_weight)),
        dead=np.zeros(n_edges, dtype=bool),
        link=link,
        n_links=int(link.max(initial=-1)) + 1,
        link_units=int(scaled(policy.breadth_bonus)),
        floors=floor_rules(policy, a, talent, package),
    )
    return with_dead(problem)


def _over(amount: Int64Array, budget: Int64Array) -> BoolArray:
    return np.asarray((budget != NO_LIMIT) & (amount > budget), dtype=bool)


def restrict(problem: Problem, keep: BoolArray) -> tuple[Problem, Int64Array]:
    """The problem on the edges where ``keep`` is true (forced edges are always kept), and
    the original index of each kept edge.

    Targets, the maximum host share, the floors' shares and the penalties are those of the
    whole problem, so an assignment of the restricted problem has the same objective in
    both.
    """
    keep = keep | problem.forced
    index = np.flatnonzero(keep).astype(np.int64)
    new_index = np.cumsum(keep) - 1
    per_edge = {
        name: getattr(problem, name)[index]
        for name in (
            "talent",
            "package",
            "host",
            "lender",
            "value",
            "fte",
            "start",
            "end",
            "fee",
            "topup",
            "subsidy",
            "forced",
            "proposed",
            "dead",
            "link",
        )
    }
    sub = dataclasses.replace(
        problem,
        pins=new_index[problem.pins].astype(np.int64),
        accepted=new_index[problem.accepted].astype(np.int64),
        floors=tuple(dataclasses.replace(f, outcome=f.outcome[index]) for f in problem.floors),
        **per_edge,
    )
    return sub, index


def best_per_talent(
    problem: Problem,
    weight: npt.NDArray[np.float64],
    k: int,
    allowed: BoolArray | None = None,
) -> BoolArray:
    """Per edge: whether it is among its talent's ``k`` edges of largest ``weight`` (only
    ``allowed`` edges compete, when given)."""
    edges = np.arange(problem.n_edges) if allowed is None else np.flatnonzero(allowed)
    order = edges[np.lexsort((-weight[edges], problem.talent[edges]))]
    talents = problem.talent[order]
    counts = np.bincount(talents, minlength=problem.n_talents)
    starts = np.cumsum(counts) - counts
    rank = np.arange(order.size) - np.repeat(starts, counts)
    chosen = np.zeros(problem.n_edges, dtype=bool)
    chosen[order[rank < k]] = True
    return chosen
