"""A greedy baseline that honours every hard constraint of the evaluator.

Pinned and accepted placements go first; then, for the fairness rule, each lending
organization's best edges until its target is met; then every other edge by decreasing gain
(score units, plus the disruption penalty a proposed placement avoids), each kept only if it
fits the seats, the talent's tours and FTE over time, and the host, lender and subsidy
budgets. A hard maximum host share cannot be checked edge by edge (every other placement
raises the allowance), so it is repaired afterwards: the weakest placements of hosts over
their share are dropped and the freed room refilled with placements at hosts under it.

The fairness rules are met on a best-effort basis: the result is FEASIBLE only when every
hard constraint holds, and UNKNOWN (with a note) otherwise. Forced placements that break a
constraint on their own prove the round infeasible, and the result says which groups.
"""

from __future__ import annotations

import numpy as np

from matcher.compile import CompiledRound
from matcher.fairness import SHARE_RESOLUTION
from matcher.models import Round
from solvers.checks import (
    ACCEPTED,
    MAX_HOST_SHARE,
    MIN_PER_LENDER,
    PINS,
    objective_of,
    violated_groups,
)
from solvers.floor_repair import floor_order, meet_floors
from solvers.greedy_state import GreedyState
from solvers.problem import BoolArray, Int64Array, Problem, build_problem
from solvers.result import Result, SolveParams, Status
from solvers.stop import Deadline


def greedy_order(problem: Problem) -> Int64Array:
    """Edges by decreasing gain (ties by edge index); under a weighted objective only the
    edges whose placement adds value."""
    gain = problem.edge_gain
    order = np.lexsort((np.arange(problem.n_edges), -gain))
    if not problem.lexicographic:
        order = order[(gain[order] + problem.placement_units) > 0]
    return order.astype(np.int64)


def greedy_assign(problem: Problem, order: Int64Array) -> tuple[BoolArray, list[str]]:
    """Greedy placements following ``order``, and the groups that forced placements break
    on their own (empty when they fit)."""
    state = GreedyState.empty(problem)
    for e in np.flatnonzero(problem.forced).tolist():
        state.add(e)
    conflicts = forced_conflicts(problem)
    if problem.targets.any() and (problem.hard_fairness or problem.fairness_units > 0):
        lender = problem.lender[order]
        for o in np.flatnonzero(problem.targets).tolist():
            need = int(problem.targets[o]) - state.per_lender[o]
            for e in order[lender == o].tolist():
                if need <= 0:
                    break
                if state.fits(e):
                    state.add(e)
                    need -= 1
    if problem.floors:
        order = floor_order(problem, order)
    order_list = order.tolist()
    state.fill(order_list)
    if problem.share_units is not None and problem.hard_fairness:
        _repair_host_share(state, order_list)
    if problem.floors:
        meet_floors(state, order)
    return np.array(state.chosen, dtype=bool), conflicts


def _repair_host_share(state: GreedyState, order: list[int]) -> None:
    """Drop the weakest placements of hosts over their share, then refill at hosts under it;
    a few rounds, best effort."""
    pb = state.problem
    share = pb.share_units or 0
    gain = pb.edge_gain.tolist()
    for _ in range(5):
        # each host's removable placements, weakest last, so that pop() takes the weakest
        removable: dict[int, list[int]] = {}
        for e in sorted(
            (e for e in range(pb.n_edges) if state.chosen[e] and not pb.forced[e]),
            key=lambda e: (gain[e], -e),
            reverse=True,
        ):
            removable.setdefault(state.host[e], []).append(e)
        changed = False
        while True:
            excess = {
                h: SHARE_RESOLUTION * n - share * state.total
                for h, n in enumerate(state.per_host)
                if n and SHARE_RESOLUTION * n > share * state.total
            }
            if not excess:
                break
            h = max(excess, key=lambda o: excess[o])
            if not removable.get(h):
                return
            state.remove(removable[h].pop())
            changed = True
        before = state.total
        for e in order:
            if state.fits(e, share_aware=True):
                state.add(e)
        if not changed and state.total == before:
            return


def forced_conflicts(problem: Problem) -> list[str]:
    """Groups that the pinned and accepted placements break on their own, with the kinds of
    forced placements involved; empty when they fit together."""
    forced = np.flatnonzero(problem.forced)
    broken = _monotone(violated_groups(problem, forced))
    if not broken:
        return []
    pins_alone = _monotone(violated_groups(problem, problem.pins))
    accepted_alone = _monotone(violated_groups(problem, problem.accepted))
    kinds: list[str] = []
    # a kind is involved if it breaks a group alone, or if neither does alone
    if problem.pins.size and (pins_alone or not accepted_alone):
        kinds.append(PINS)
    if problem.accepted.size and (accepted_alone or not pins_alone):
        kinds.append(ACCEPTED)
    return kinds + broken


def _monotone(groups: list[str]) -> list[str]:
    """The groups that adding placements can only make worse (not the fairness rules, not the
    outcome floors, and not the forced placements themselves)."""
    return [
        g
        for g in groups
        if g not in (PINS, ACCEPTED, MIN_PER_LENDER, MAX_HOST_SHARE) and not g.endswith(" floor")
    ]


def solve_greedy(
    compiled: CompiledRound, round_: Round, params: SolveParams | None = None
) -> Result:
    """Solve ``round_`` greedily (see the module docstring).

    Parameters
    ----------
    compiled
        The compiled round.
    round_
        The round.
    params
        Solve parameters (only the time is reported; the greedy does not search).

    Returns
    -------
    Result
        FEASIBLE when every hard constraint holds; INFEASIBLE when the forced placements
        alone break one (``conflicts`` names the groups); UNKNOWN otherwise.
    """
    deadline = (params or SolveParams()).timer()
    problem = build_problem(compiled, round_)
    return greedy_result(problem, deadline)


def greedy_result(problem: Problem, deadline: Deadline, order: Int64Array | None = None) -> Result:
    """The greedy :class:`Result` on a built problem, timed by ``deadline``."""
    chosen, conflicts = greedy_assign(problem, greedy_order(problem) if order is None else order)
    edges = np.flatnonzero(chosen).astype(np.int64)
    elapsed = deadline.elapsed()
    if conflicts:
        return Result.no_solution(
            "greedy",
            Status.INFEASIBLE,
            elapsed,
            ["the pinned and accepted placements alone break: " + ", ".join(conflicts)],
            conflicts,
        )
    broken = violated_groups(problem, edges)
    objective = objective_of(problem, edges)
    if broken:
        return Result(
            solver="greedy",
            status=Status.UNKNOWN,
            edges=edges,
            objective=objective,
            bound=None,
            wall_time=elapsed,
            deterministic=True,
            notes=["the greedy could not meet: " + ", ".join(broken)],
        )
    return Result(
        solver="greedy",
        status=Status.FEASIBLE,
        edges=edges,
        objective=objective,
        bound=None,
        wall_time=elapsed,
        deterministic=True,
    )
