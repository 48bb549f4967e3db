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

import weakref
from dataclasses import dataclass, field
from typing import Any

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
from solvers.problem import BoolArray, Int64Array, Problem, build_problem
from solvers.result import Result, SolveParams, Status
from solvers.stop import Deadline
from solvers.units import NO_LIMIT

_UNLIMITED = 1 << 62


def greedy_order(problem: Problem) -> Int64Array:
    """Edges by decreasing gain (ties by edge index); under a weighted objective only the
    edges whose placement adds value."""
    gain = problem.edge_gain
    order = np.lexsort((np.arange(problem.n_edges), -gain))
    if not problem.lexicographic:
        order = order[(gain[order] + problem.placement_units) > 0]
    return order.astype(np.int64)


_LIST_FIELDS = ("talent", "package", "host", "lender", "fee", "topup", "subsidy", "dead")
_LISTS: weakref.WeakKeyDictionary[Problem, dict[str, list[Any]]] = weakref.WeakKeyDictionary()


def _as_lists(problem: Problem) -> dict[str, list[Any]]:
    """The per-edge arrays the greedy reads, as lists, converted once per problem (the
    Lagrangian phase runs the greedy many times on one problem)."""
    if problem not in _LISTS:
        _LISTS[problem] = {name: getattr(problem, name).tolist() for name in _LIST_FIELDS}
    return _LISTS[problem]


@dataclass
class _State:
    """What is left of every capacity while edges are added one by one."""

    problem: Problem
    seats_left: list[int]
    tours_left: list[int]
    host_left: list[int]
    lender_left: list[int]
    pool_left: int
    per_host: list[int]
    per_lender: list[int]
    chosen: list[bool]
    # the problem's arrays as lists: indexing a list is many times faster than numpy here
    talent: list[int]
    package: list[int]
    host: list[int]
    lender: list[int]
    fee: list[int]
    topup: list[int]
    subsidy: list[int]
    dead: list[bool]
    mine: dict[int, list[int]] = field(default_factory=dict)
    total: int = 0

    @classmethod
    def empty(cls, problem: Problem) -> _State:
        def left(budget: Int64Array) -> list[int]:
            return [_UNLIMITED if b == NO_LIMIT else b for b in budget.tolist()]

        lists = _as_lists(problem)
        return cls(
            problem=problem,
            seats_left=problem.seats.tolist(),
            tours_left=[problem.max_tours] * problem.n_talents,
            host_left=left(problem.host_budget),
            lender_left=left(problem.lender_budget),
            pool_left=_UNLIMITED if problem.pool == NO_LIMIT else problem.pool,
            per_host=[0] * problem.n_orgs,
            per_lender=[0] * problem.n_orgs,
            chosen=[False] * problem.n_edges,
            talent=lists["talent"],
            package=lists["package"],
            host=lists["host"],
            lender=lists["lender"],
            fee=lists["fee"],
            topup=lists["topup"],
            subsidy=lists["subsidy"],
            dead=lists["dead"],
        )

    def fte_fits(self, e: int) -> bool:
        """Whether edge ``e`` keeps its talent within FTE on every day of its tour."""
        pb = self.problem
        t = self.talent[e]
        others = self.mine.get(t, [])
        if not others:
            return True
        cand = [*others, e]
        s_e, end_e = int(pb.start[e]), int(pb.end[e])
        starts = [int(pb.start[j]) for j in cand]
        ends = [int(pb.end[j]) for j in cand]
        ftes = [int(pb.fte[j]) for j in cand]
        cap = int(pb.fte_cap[t])
        # the load only rises at a start, so checking the starts inside e's tour suffices
        for d in starts:
            if s_e <= d <= end_e:
                load = sum(f for s, x, f in zip(starts, ends, ftes, strict=True) if s <= d <= x)
                if load > cap:
                    return False
        return True

    def fits(self, e: int, share_aware: bool = False) -> bool:
        """Whether edge ``e`` can be added without breaking a capacity."""
        if self.chosen[e] or self.dead[e]:
            return False
        if self.tours_left[self.talent[e]] <= 0 or self.seats_left[self.package[e]] <= 0:
            return False
        h = self.host[e]
        if self.fee[e] > self.host_left[h] or self.topup[e] > self.lender_left[self.lender[e]]:
            return False
        if self.subsidy[e] > self.pool_left:
            return False
        if share_aware:
            share = self.problem.share_units or 0
            if SHARE_RESOLUTION * (self.per_host[h] + 1) > share * (self.total + 1):
                return False
        return self.problem.max_tours == 1 or self.fte_fits(e)

    def add(self, e: int) -> None:
        t, h, lend = self.talent[e], self.host[e], self.lender[e]
        self.chosen[e] = True
        self.seats_left[self.package[e]] -= 1
        self.tours_left[t] -= 1
        self.host_left[h] -= self.fee[e]
        self.lender_left[lend] -= self.topup[e]
        self.pool_left -= self.subsidy[e]
        self.per_host[h] += 1
        self.per_lender[lend] += 1
        self.total += 1
        if self.problem.max_tours > 1:
            self.mine.setdefault(t, []).append(e)

    def remove(self, e: int) -> None:
        t, h, lend = self.talent[e], self.host[e], self.lender[e]
        self.chosen[e] = False
        self.seats_left[self.package[e]] += 1
        self.tours_left[t] += 1
        self.host_left[h] += self.fee[e]
        self.lender_left[lend] += self.topup[e]
        self.pool_left += self.subsidy[e]
        self.per_host[h] -= 1
        self.per_lender[lend] -= 1
        self.total -= 1
        if self.problem.max_tours > 1:
            self.mine[t].remove(e)

    def fill(self, edges: list[int]) -> None:
        """Add each edge of ``edges`` in turn if it fits: the hot loop of the greedy, with
        the cheap checks inlined."""
        talent, package, host, lender = self.talent, self.package, self.host, self.lender
        fee, topup, subsidy, dead = self.fee, self.topup, self.subsidy, self.dead
        seats_left, tours_left = self.seats_left, self.tours_left
        host_left, lender_left = self.host_left, self.lender_left
        chosen = self.chosen
        multi = self.problem.max_tours > 1
        for e in edges:
            if chosen[e] or tours_left[talent[e]] <= 0 or seats_left[package[e]] <= 0:
                continue
            if fee[e] > host_left[host[e]] or topup[e] > lender_left[lender[e]] or dead[e]:
                continue
            if subsidy[e] > self.pool_left:
                continue
            if multi and not self.fte_fits(e):
                continue
            self.add(e)


def greedy_assign(problem: Problem, order: Int64Array) -> tuple[BoolArray, list[str]]:
    """Greedy placements following ``order``, and the groups that forced placements break
    on their own (empty when they fit)."""
    state = _State.empty(problem)
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
    order_list = order.tolist()
    state.fill(order_list)
    if problem.share_units is not None and problem.hard_fairness:
        _repair_host_share(state, order_list)
    return np.array(state.chosen, dtype=bool), conflicts


def _repair_host_share(state: _State, order: list[int]) -> None:
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
    """The groups that adding placements can only make worse (not the fairness rules, and not
    the forced placements themselves)."""
    return [g for g in groups if g not in (PINS, ACCEPTED, MIN_PER_LENDER, MAX_HOST_SHARE)]


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
