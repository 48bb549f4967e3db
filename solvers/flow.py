"""Exact min-cost flow for seat-only rounds, and the seat relaxation of any round.

When the only constraints that can bind are the seats and one tour per talent, a round is a
bipartite b-matching and a min-cost flow solves it exactly, hundreds of times faster than
CP-SAT. The network is ``source -> talent -> package -> sink``: a talent arc carries the
tours the talent may still take, an edge arc one placement, a package arc the seats left.
Pinned and accepted placements are fixed first and the capacities reduced accordingly.

- Lexicographic objective: a maximum flow of minimum cost, with each edge arc costing minus
  its gain (score units, plus the disruption penalty a proposed placement avoids):
  ``solve_max_flow_with_min_cost`` maximizes the placements first, then the score.
- Weighted objective: each edge is worth ``placement_units + gain``; edges worth nothing are
  left out and a free source-to-sink arc lets talents stay unplaced.

The same network with the talents' tour limits, and every other constraint dropped
(FTE over time, budgets, fairness), is a relaxation of any round: :func:`flow_bound` solves
it for an upper bound on the objective, and its optimum is the optimum of the round whenever
it happens to satisfy the dropped constraints.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.compile import CompiledRound
from matcher.errors import RoundError
from matcher.models import Round
from matcher.objective import Objective, make_objective
from solvers.checks import objective_of, violated_groups
from solvers.problem import BoolArray, Int64Array, Problem, build_problem, with_dead
from solvers.result import Result, SolveParams, Status
from solvers.stop import Deadline
from solvers.units import NO_LIMIT


def is_seat_only(compiled: CompiledRound, round_: Round) -> bool:
    """Whether only seats and one tour per talent can bind in ``round_``.

    True when the policy allows one tour per talent, no budget can be exceeded by any set of
    placements (the most each group could ever spend is within its budget), there are no
    fairness rules and no outcome floors, no edge is too large for its talent's FTE, and
    the pinned and accepted placements fit the seats and tours together. Proposed previous
    placements are allowed: their penalty is linear in the edges and the flow handles it
    exactly.
    """
    return problem_is_seat_only(build_problem(compiled, round_))


def problem_is_seat_only(problem: Problem) -> bool:
    """:func:`is_seat_only` on a built problem."""
    # the cheap tests first: the budgets' (about a second at 3 million edges) only when
    # nothing else binds
    if problem.max_tours != 1 or problem.share_units is not None or problem.targets.any():
        return False
    if problem.dead.any():
        return False
    return not binding_beyond_seats(problem)


class NotSeatOnlyError(RoundError):
    """``flow`` was asked for a round where more than seats can bind."""


def binding_beyond_seats(problem: Problem) -> list[str]:
    """What can bind in ``problem`` besides seats and one tour per talent (empty: the round
    is seat-only), in words."""
    out = []
    if problem.max_tours != 1:
        out.append(f"up to {problem.max_tours} tours per talent")
    if problem.share_units is not None or problem.targets.any():
        out.append("fairness rules")
    if problem.floors:
        out.append("outcome floors (" + ", ".join(f.name for f in problem.floors) + ")")
    # edges a floor of share 1 rules out are dead too: those are named with the floors
    if (
        problem.dead
        if not problem.floors
        else with_dead(dataclasses.replace(problem, floors=())).dead
    ).any():
        out.append("placements too large for their talent's FTE or a budget")
    if _reduced_capacities(problem) is None:
        out.append("pinned and accepted placements beyond the seats or tours")
    spend = _most_spent(problem)
    for amount, budget, what in (
        (spend.fees, problem.host_budget, "host"),
        (spend.topups, problem.lender_budget, "top-up"),
    ):
        limited = budget != NO_LIMIT
        binding = int((amount[limited] > budget[limited]).sum())
        if binding:
            out.append(f"{binding} {what} budget(s)")
    if problem.pool != NO_LIMIT and spend.subsidy > problem.pool:
        out.append("the subsidy pool")
    if problem.link_units:
        out.append("the breadth bonus")
    return out


@dataclass(frozen=True)
class _Spend:
    """The most each budget group could spend under seats and one tour per talent."""

    fees: Int64Array
    topups: Int64Array
    subsidy: int


def _most_spent(problem: Problem) -> _Spend:
    # fees: a package pays at most its `seats` largest fees
    order = np.lexsort((-problem.fee, problem.package))
    package = problem.package[order]
    counts = np.bincount(package, minlength=problem.n_packages)
    starts = np.cumsum(counts) - counts
    rank = np.arange(order.size) - np.repeat(starts, counts)
    top = order[rank < problem.seats[package]]
    fees = np.bincount(problem.host[top], weights=problem.fee[top], minlength=problem.n_orgs)
    # top-ups and subsidy: a talent costs at most its largest one (one tour)
    topup_max = np.zeros(problem.n_talents, dtype=np.int64)
    np.maximum.at(topup_max, problem.talent, problem.topup)
    subsidy_max = np.zeros(problem.n_talents, dtype=np.int64)
    np.maximum.at(subsidy_max, problem.talent, problem.subsidy)
    lender_of_talent = problem.compiled.arrays.talent_lender.astype(np.int64)
    topups = np.bincount(lender_of_talent, weights=topup_max, minlength=problem.n_orgs)
    return _Spend(
        fees=np.rint(fees).astype(np.int64),
        topups=np.rint(topups).astype(np.int64),
        subsidy=int(subsidy_max.sum()),
    )


def _reduced_capacities(problem: Problem) -> tuple[Int64Array, Int64Array] | None:
    """Tours and seats left once the forced placements are made; None if they do not fit."""
    forced = np.flatnonzero(problem.forced)
    tours = problem.max_tours - np.bincount(problem.talent[forced], minlength=problem.n_talents)
    seats = problem.seats - np.bincount(problem.package[forced], minlength=problem.n_packages)
    if (tours < 0).any() or (seats < 0).any():
        return None
    return tours.astype(np.int64), seats.astype(np.int64)


@dataclass(frozen=True)
class FlowSolution:
    """An optimal b-matching of the seat relaxation.

    Attributes
    ----------
    chosen
        Per edge: placed.
    objective
        Its objective in the relaxation: the placements and the score, with the disruption
        penalty of the proposed placements it drops, but no fairness penalty.
    """

    chosen: BoolArray
    objective: Objective


def seat_relaxation(problem: Problem) -> FlowSolution | None:
    """Solve the seat relaxation of ``problem`` (seats, tours per talent, forced edges);
    None when the forced placements alone exceed the seats or tours."""
    gain = problem.edge_gain
    if problem.lexicographic:
        chosen = max_weight_matching(problem, gain, cardinality_first=True)
    else:
        chosen = max_weight_matching(problem, gain + problem.placement_units)
    if chosen is None:
        return None
    placements = int(chosen.sum())
    score = int(problem.value[chosen].sum())
    dropped = problem.proposed_total - int(problem.proposed[chosen].sum())
    objective = make_objective(
        placements, score, dropped * problem.disruption_units, problem.round.policy
    )
    if problem.link_units:
        most = placements if problem.lexicographic else None
        objective = dataclasses.replace(objective, bonus=problem.bonus_bound(most))
    return FlowSolution(chosen, objective)


def max_weight_matching(
    problem: Problem, weight: Int64Array, *, cardinality_first: bool = False
) -> BoolArray | None:
    """The forced edges plus a maximum-weight set of other edges within the seats and tours
    left (None if the forced edges alone exceed them).

    Edges of non-positive weight are left out, unless ``cardinality_first``: then the most
    placements are made first and the weight is maximized among those (edges must then have
    a weight >= 0). Dead edges are never chosen.
    """
    capacities = _reduced_capacities(problem)
    if capacities is None:
        return None
    tours, seats = capacities
    free = ~problem.forced & ~problem.dead
    if not cardinality_first:
        free &= weight > 0
    edges = np.flatnonzero(free & (tours[problem.talent] > 0) & (seats[problem.package] > 0))

    n_t, n_p = problem.n_talents, problem.n_packages
    source, sink = n_t + n_p, n_t + n_p + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    talents = np.arange(n_t, dtype=np.int64)
    packages = np.arange(n_p, dtype=np.int64)
    # arc blocks: talents first, so edge arcs start at n_t; costs are minus the weights
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n_t, source, dtype=np.int64), talents, tours, np.zeros(n_t, dtype=np.int64)
    )
    first_edge_arc = n_t
    flow.add_arcs_with_capacity_and_unit_cost(
        problem.talent[edges],
        n_t + problem.package[edges],
        np.ones(edges.size, dtype=np.int64),
        -weight[edges].astype(np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        n_t + packages, np.full(n_p, sink, dtype=np.int64), seats, np.zeros(n_p, dtype=np.int64)
    )
    supply = int(tours.sum())
    if cardinality_first:
        flow.set_nodes_supplies(np.array([source, sink]), np.array([supply, -supply]))
        status = flow.solve_max_flow_with_min_cost()
    else:
        # a free bypass lets flow skip the talents, so leaving a talent unplaced costs nothing
        flow.add_arc_with_capacity_and_unit_cost(source, sink, supply, 0)
        flow.set_nodes_supplies(np.array([source, sink]), np.array([supply, -supply]))
        status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status}")
    chosen = problem.forced.copy()
    if edges.size:
        arcs = np.arange(first_edge_arc, first_edge_arc + edges.size, dtype=np.int64)
        chosen[edges[flow.flows(arcs) > 0]] = True
    return chosen


def flow_bound(compiled: CompiledRound, round_: Round) -> Objective | None:
    """An upper bound on the objective of ``round_`` from its seat relaxation.

    The relaxation keeps the seats, the tours per talent and the pinned and accepted
    placements, and drops every other constraint and the fairness penalties. Its optimum's
    :meth:`~matcher.objective.Objective.key` is at least the key of every feasible
    assignment; for a lexicographic objective its secondary term bounds the secondary term
    of every assignment with as many placements.

    Returns
    -------
    Objective or None
        The relaxation's optimum, or None when the forced placements alone exceed the seats
        or tours (the round is then infeasible).
    """
    solution = seat_relaxation(build_problem(compiled, round_))
    return None if solution is None else solution.objective


def solve_flow(compiled: CompiledRound, round_: Round, params: SolveParams | None = None) -> Result:
    """Solve a seat-only round exactly by min-cost flow.

    Parameters
    ----------
    compiled
        The compiled round.
    round_
        The round; it must be seat-only (see :func:`is_seat_only`).
    params
        Solve parameters (unused: the flow is exact and fast).

    Raises
    ------
    NotSeatOnlyError
        If the round is not seat-only (a :class:`~matcher.errors.RoundError`, so a
        ``ValueError``): the message names what binds besides seats.
    """
    deadline = (params or SolveParams()).timer()
    problem = build_problem(compiled, round_)
    binding = binding_beyond_seats(problem)
    if binding:
        raise NotSeatOnlyError(
            "round is not seat-only (" + ", ".join(binding) + " can bind); the flow method "
            "solves seat-only rounds only: use --method auto"
        )
    return flow_result(problem, deadline)


def flow_result(problem: Problem, deadline: Deadline) -> Result:
    """The exact :class:`Result` of a seat-only problem, timed by ``deadline``."""
    solution = seat_relaxation(problem)
    if solution is None:  # excluded by problem_is_seat_only
        raise ValueError("the pinned and accepted placements exceed the seats or tours.")
    edges = np.flatnonzero(solution.chosen).astype(np.int64)
    objective = objective_of(problem, edges)
    notes = []
    if objective != solution.objective or violated_groups(problem, edges):
        # cannot happen on a seat-only round; say so rather than claim optimality
        notes.append("the flow solution does not satisfy the round: it is not seat-only")
        status = Status.FEASIBLE if not violated_groups(problem, edges) else Status.UNKNOWN
    else:
        status = Status.OPTIMAL
    return Result(
        solver="flow",
        status=status,
        edges=edges,
        objective=objective,
        bound=float(solution.objective.value),
        wall_time=deadline.elapsed(),
        deterministic=True,
        notes=notes,
    )
