"""The greedy's state: what is left of every capacity while edges are added one by one
(:class:`GreedyState`), shared by the greedy, its repairs and the Lagrangian repair."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from matcher.fairness import SHARE_RESOLUTION
from solvers.problem import Int64Array, Problem
from solvers.units import NO_LIMIT

_UNLIMITED = 1 << 62


_LIST_FIELDS = ("talent", "package", "host", "lender", "fee", "topup", "subsidy", "dead")
_LISTS: weakref.WeakKeyDictionary[Problem, dict[str, list[Any]]] = weakref.WeakKeyDictionary()


def _as_lists(problem: Problem) -> dict[str, list[Any]]:
    """The per-edge arrays the greedy reads, as lists, converted once per problem (the
    Lagrangian phase runs the greedy many times on one problem)."""
    if problem not in _LISTS:
        _LISTS[problem] = {name: getattr(problem, name).tolist() for name in _LIST_FIELDS}
    return _LISTS[problem]


@dataclass
class GreedyState:
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
    def empty(cls, problem: Problem) -> GreedyState:
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
