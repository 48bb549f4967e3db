"""The round's objective and hard constraints, checked on a problem's integer arrays.

:func:`objective_of` and :func:`violated_groups` are vectorized re-implementations of the
objective and hard constraints of :func:`matcher.evaluator.evaluate` on the arrays of a
:class:`~solvers.problem.Problem`; the tests check them against the evaluator itself. Every
solver judges its assignments with them, and :mod:`solvers.problem` offers them too.

The constraint groups are named here, as :func:`violated_groups` and the solvers' conflicts
report them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.fairness import SHARE_RESOLUTION
from matcher.floors import FLOOR_RESOLUTION
from matcher.objective import Objective, make_objective
from solvers.problem import BoolArray, Int64Array, Problem
from solvers.units import NO_LIMIT

# Names of the constraint groups, as reported in conflicts and by violated_groups().
PINS = "pins"
ACCEPTED = "accepted"
MIN_PER_LENDER = "min_per_lender"
MAX_HOST_SHARE = "max_host_share"
SUBSIDY_POOL = "subsidy pool"


def seats_group(package_id: str) -> str:
    """Group name of the seats of one package."""
    return f"seats of package '{package_id}'"


def tours_group(talent_id: str) -> str:
    """Group name of one talent's tours: their number and their FTE over time."""
    return f"tours of talent '{talent_id}'"


def host_budget_group(org_id: str) -> str:
    """Group name of one hiring organization's fee budget."""
    return f"host budget of '{org_id}'"


def topup_budget_group(org_id: str) -> str:
    """Group name of one lending organization's top-up budget."""
    return f"top-up budget of '{org_id}'"


def floor_group(name: str) -> str:
    """Group name of one outcome floor."""
    return f"{name} floor"


def floor_gaps(problem: Problem, chosen: BoolArray) -> list[int]:
    """Per floor of ``problem.floors``: placements short of it (the evaluator's
    ``floor_shortfall``), 0 when met."""
    placements = int(chosen.sum())
    out = []
    for floor in problem.floors:
        short = floor.units * placements - FLOOR_RESOLUTION * int(floor.outcome[chosen].sum())
        out.append(max(0, -(-short // FLOOR_RESOLUTION)))
    return out


def as_mask(problem: Problem, edges: npt.ArrayLike) -> BoolArray:
    """The chosen edges as a boolean mask."""
    mask = np.zeros(problem.n_edges, dtype=bool)
    mask[np.asarray(edges, dtype=np.int64)] = True
    return mask


def fairness_gaps(problem: Problem, chosen: BoolArray) -> tuple[Int64Array, Int64Array]:
    """Per organization: placements short of its lender target, and placements over its
    maximum host share (the evaluator's ``host_excess``)."""
    per_lender = np.bincount(problem.lender[chosen], minlength=problem.n_orgs)
    shortfall = np.maximum(problem.targets - per_lender, 0).astype(np.int64)
    excess = np.zeros(problem.n_orgs, dtype=np.int64)
    if problem.share_units is not None:
        per_host = np.bincount(problem.host[chosen], minlength=problem.n_orgs).astype(np.int64)
        over = per_host * SHARE_RESOLUTION - problem.share_units * int(chosen.sum())
        # ceil of a positive integer ratio, as host_excess() rounds it
        excess = np.maximum(0, -(-over // SHARE_RESOLUTION)).astype(np.int64)
    return shortfall, excess


def objective_of(problem: Problem, edges: npt.ArrayLike) -> Objective:
    """The objective of the chosen edges, as :func:`matcher.evaluator.evaluate` computes it."""
    chosen = as_mask(problem, edges)
    placements = int(chosen.sum())
    score = int(problem.value[chosen].sum())
    penalty = (problem.proposed_total - int(problem.proposed[chosen].sum())) * (
        problem.disruption_units
    )
    if not problem.hard_fairness:
        shortfall, excess = fairness_gaps(problem, chosen)
        penalty += int(shortfall.sum() + excess.sum()) * problem.fairness_units
    if problem.floors:
        for floor, short in zip(problem.floors, floor_gaps(problem, chosen), strict=True):
            if not floor.hard:
                penalty += short * floor.penalty_units
    links = problem.links_of(chosen) if problem.link_units else 0
    return make_objective(placements, score, penalty, problem.round.policy, links)


def peak_fte(problem: Problem, edges: Int64Array) -> int:
    """Largest FTE units of ``edges`` (one talent's) running on any one day."""
    if edges.size <= 1:
        return int(problem.fte[edges].sum())
    starts = problem.start[edges]
    active = (starts[:, None] >= problem.start[edges][None, :]) & (
        starts[:, None] <= problem.end[edges][None, :]
    )
    return int((active * problem.fte[edges][None, :]).sum(axis=1).max())


def violated_groups(problem: Problem, edges: npt.ArrayLike) -> list[str]:
    """Names of the hard constraint groups that the chosen edges break, in the integer
    model (which is never looser than the evaluator)."""
    chosen = as_mask(problem, edges)
    out: list[str] = []
    if not chosen[problem.pins].all():
        out.append(PINS)
    if not chosen[problem.accepted].all():
        out.append(ACCEPTED)
    per_package = np.bincount(problem.package[chosen], minlength=problem.n_packages)
    full = np.flatnonzero(per_package > problem.seats)
    out += [seats_group(problem.package_name(p)) for p in full.tolist()]
    talents = problem.talent[chosen]
    per_talent = np.bincount(talents, minlength=problem.n_talents)
    bad = set(np.flatnonzero(per_talent > problem.max_tours).tolist())
    chosen_edges = np.flatnonzero(chosen)
    over_alone = chosen_edges[problem.fte[chosen_edges] > problem.fte_cap[talents]]
    bad |= set(problem.talent[over_alone].tolist())
    for t in np.flatnonzero(per_talent > 1).tolist():
        mine = chosen_edges[talents == t]
        if peak_fte(problem, mine) > problem.fte_cap[t]:
            bad.add(t)
    out += [tours_group(problem.talent_name(t)) for t in sorted(bad)]
    for amount, group, budget, name in (
        (problem.fee, problem.host, problem.host_budget, host_budget_group),
        (problem.topup, problem.lender, problem.lender_budget, topup_budget_group),
    ):
        totals = np.bincount(group[chosen], weights=amount[chosen], minlength=problem.n_orgs)
        over = (budget != NO_LIMIT) & (totals > budget)
        out += [name(problem.org_name(o)) for o in np.flatnonzero(over).tolist()]
    if problem.pool != NO_LIMIT and int(problem.subsidy[chosen].sum()) > problem.pool:
        out.append(SUBSIDY_POOL)
    if problem.hard_fairness:
        shortfall, excess = fairness_gaps(problem, chosen)
        if shortfall.any():
            out.append(MIN_PER_LENDER)
        if excess.any():
            out.append(MAX_HOST_SHARE)
    if problem.floors:
        for floor, short in zip(problem.floors, floor_gaps(problem, chosen), strict=True):
            if floor.hard and short:
                out.append(floor_group(floor.name))
    return out
