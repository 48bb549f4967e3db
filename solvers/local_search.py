"""Cheap local search between the CP-SAT sub-solves of :mod:`solvers.lns`.

Three kinds of move change one or two talents, each evaluated for all candidates at once with
numpy:

- ``insert``: a talent placed nowhere takes an edge to a package with a free seat;
- ``shift``: a talent with one placement moves it to another package with a free seat;
- ``swap``: two talents with one placement each exchange their packages.

A move is a candidate when its package has the seat and its host, lender and the subsidy
pool have the budget room, measured against the current totals. A round applies the best
candidates that touch disjoint packages and disjoint limited budgets (so that each one's room
still holds with the others applied), then checks the whole assignment with
:func:`solvers.problem.violated_groups` and :func:`solvers.problem.objective_of`: it is kept
only when it breaks no constraint and its key is strictly better. When a batch fails that
check (a rule the cheap test does not see, such as a host share or a fairness penalty), the
single best move is tried alone; when that fails too, the search stops. Talents with a forced
placement or with several tours are never moved, so FTE over time needs no check.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from matcher.objective import Objective
from solvers.checks import objective_of, violated_groups
from solvers.problem import BoolArray, Int64Array, Problem
from solvers.units import NO_LIMIT

MAX_CELLS = 4_000_000
"""Largest talents x packages table built for swaps; larger problems only shift and insert."""
SWAP_TALENTS = 2_000
"""Most talents whose pairs are evaluated for swaps in one round (a random sample beyond)."""
CHUNK = 1_000_000
"""Pairs evaluated per numpy step, to bound the memory of a round."""
MAX_BATCH = 256
"""Most moves applied in one round."""


@dataclass(frozen=True)
class LocalSearchResult:
    """What the local search found.

    Attributes
    ----------
    chosen
        The best assignment (the start when no move improved it).
    objective
        Its objective.
    moves
        Moves applied and kept.
    rounds
        Rounds of evaluation made.
    """

    chosen: BoolArray
    objective: Objective
    moves: int
    rounds: int


@dataclass(frozen=True)
class _Moves:
    """Candidate moves: per move, its gain, the edges it drops and takes (-1 for none), and
    the packages, hosts and lenders it touches (-1 for none)."""

    gain: Int64Array
    drop: Int64Array
    take: Int64Array
    touched_packages: Int64Array
    touched_hosts: Int64Array
    touched_lenders: Int64Array


class LocalSearch:
    """Shift, swap and insert moves on one problem; the tables are built once.

    Parameters
    ----------
    problem
        The integer problem.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.live = ~problem.dead
        self.gain = problem.edge_gain.astype(np.int64)
        # an insert gains a placement: lexicographic rounds rank it before any score
        self.place_gain = (
            int(np.abs(self.gain).sum()) + 1 if problem.lexicographic else problem.placement_units
        )
        self.host_limited = problem.host_budget != NO_LIMIT
        self.lender_limited = problem.lender_budget != NO_LIMIT
        self.table: Int64Array | None = None
        if problem.n_talents * problem.n_packages <= MAX_CELLS:
            table = np.full((problem.n_talents, problem.n_packages), -1, dtype=np.int64)
            live = np.flatnonzero(self.live)
            table[problem.talent[live], problem.package[live]] = live
            self.table = table

    def run(
        self,
        chosen: BoolArray,
        deadline: float,
        rng: np.random.Generator,
        *,
        max_rounds: int = 1_000,
    ) -> LocalSearchResult:
        """Apply improving moves to the feasible ``chosen`` until none is left, ``max_rounds``
        rounds or ``deadline`` (a ``time.perf_counter()`` value)."""
        problem = self.problem
        best = chosen.copy()
        best_objective = objective_of(problem, np.flatnonzero(best))
        moves = rounds = 0
        while rounds < max_rounds and time.perf_counter() < deadline:
            rounds += 1
            found = self._candidates(best, rng)
            if found is None:
                break
            batch = self._batch(found)
            accepted = False
            for picked in (batch, batch[:1]):
                candidate = best.copy()
                drops, takes = found.drop[picked], found.take[picked]
                candidate[drops[drops >= 0]] = False
                candidate[takes[takes >= 0]] = True
                edges = np.flatnonzero(candidate)
                if violated_groups(problem, edges):
                    continue
                objective = objective_of(problem, edges)
                if objective.key() > best_objective.key():
                    best, best_objective = candidate, objective
                    moves += int(picked.size)
                    accepted = True
                    break
                if picked.size == 1:
                    break
            if not accepted:
                break
        return LocalSearchResult(best, best_objective, moves, rounds)

    def _candidates(self, chosen: BoolArray, rng: np.random.Generator) -> _Moves | None:
        """Every improving move that fits the current totals, or None without one."""
        p = self.problem
        state = _State.of(p, chosen)
        parts = [self._shifts(state)]
        if self.table is not None:
            parts.append(self._swaps(state, rng))
        parts = [m for m in parts if m.gain.size]
        if not parts:
            return None
        return _Moves(*(np.concatenate([getattr(m, f) for m in parts]) for f in _FIELDS))

    def _shifts(self, s: _State) -> _Moves:
        """Shift a movable talent's placement, or insert a talent placed nowhere."""
        p = self.problem
        t = p.talent
        cur = s.current[t]
        candidate = self.live & ((s.movable[t] & (p.package != _at(p.package, cur))) | s.idle[t])
        e = np.flatnonzero(candidate)
        cur = cur[e]
        has = cur >= 0
        cur0 = np.where(has, cur, 0)
        pk, h, lend = p.package[e], p.host[e], p.lender[e]
        ok = s.seats_used[pk] < p.seats[pk]
        same_host = has & (p.host[cur0] == h)
        fee_delta = p.fee[e] - np.where(same_host, p.fee[cur0], 0)
        ok &= ~self.host_limited[h] | (s.host_used[h] + fee_delta <= p.host_budget[h])
        # a talent keeps its lender, so a shift only changes the top-up
        topup_delta = p.topup[e] - np.where(has, p.topup[cur0], 0)
        ok &= ~self.lender_limited[lend] | (
            s.lender_used[lend] + topup_delta <= p.lender_budget[lend]
        )
        if p.pool != NO_LIMIT:
            ok &= s.pool_used + p.subsidy[e] - np.where(has, p.subsidy[cur0], 0) <= p.pool
        gain = self.gain[e] - np.where(has, self.gain[cur0], -self.place_gain)
        ok &= gain > 0
        e, cur, has, gain = e[ok], cur[ok], has[ok], gain[ok]
        old_host = np.where(has, p.host[np.where(has, cur, 0)], -1)
        old_package = np.where(has, p.package[np.where(has, cur, 0)], -1)
        return _Moves(
            gain=gain,
            drop=np.stack([np.where(has, cur, -1), np.full(e.size, -1)], axis=1),
            take=np.stack([e, np.full(e.size, -1)], axis=1),
            touched_packages=np.stack([p.package[e], old_package], axis=1),
            touched_hosts=np.stack([p.host[e], old_host], axis=1),
            touched_lenders=np.stack([p.lender[e], np.full(e.size, -1)], axis=1),
        )

    def _swaps(self, s: _State, rng: np.random.Generator) -> _Moves:
        """Exchange the packages of two movable talents.

        The gains and the host fees of every pair come from talents x packages tables, so a
        chunk of pairs is a few dense matrix operations; only the pairs that gain and fit
        their hosts' budgets are checked one by one against the other budgets."""
        p = self.problem
        table = self.table
        assert table is not None
        talents = np.flatnonzero(s.movable)
        if talents.size > SWAP_TALENTS:
            talents = rng.choice(talents, SWAP_TALENTS, replace=False)
        e_of = s.current[talents]
        pkg, host, lend = p.package[e_of], p.host[e_of], p.lender[e_of]
        rows_of = table[talents]
        missing = rows_of < 0
        # an edge that does not exist loses more than any pair can gain
        worst = -2 * (int(np.abs(self.gain).max(initial=0)) + 1) - 1
        gain_of = np.where(missing, worst, self.gain[np.maximum(rows_of, 0)])
        fee_of = np.where(missing, 0, p.fee[np.maximum(rows_of, 0)])
        gain_now, fee_now = self.gain[e_of], p.fee[e_of]
        room = np.where(self.host_limited[host], p.host_budget[host] - s.host_used[host], 0)
        limited = self.host_limited[host]
        out: list[_Moves] = []
        rows = max(1, CHUNK // max(1, talents.size))
        for lo in range(0, talents.size, rows):
            hi = min(lo + rows, talents.size)
            a = np.arange(lo, hi)
            # a takes b's package and b takes a's
            gain = gain_of[a][:, pkg] + gain_of[:, pkg[a]].T
            gain -= gain_now[a][:, None] + gain_now[None, :]
            ok = (gain > 0) & (np.arange(talents.size)[None, :] > a[:, None])
            same_host = host[a][:, None] == host[None, :]
            # the host of a's package gets b's fee there for a's; the same pair of hosts is
            # checked exactly below
            into_a = fee_of[:, pkg[a]].T - fee_now[a][:, None]
            into_b = fee_of[a][:, pkg] - fee_now[None, :]
            ok &= same_host | ~limited[a][:, None] | (into_a <= room[a][:, None])
            ok &= same_host | ~limited[None, :] | (into_b <= room[None, :])
            ia, ib = np.nonzero(ok)
            if ia.size == 0:
                continue
            ia = ia + lo
            ea, eb = e_of[ia], e_of[ib]
            ea2 = table[talents[ia], pkg[ib]]
            eb2 = table[talents[ib], pkg[ia]]
            pair_gain = self.gain[ea2] + self.gain[eb2] - self.gain[ea] - self.gain[eb]
            ha, hb = host[ia], host[ib]
            same = ha == hb
            into = p.fee[ea2] + p.fee[eb2] - p.fee[ea] - p.fee[eb]
            fits = ~same | ~self.host_limited[ha] | (s.host_used[ha] + into <= p.host_budget[ha])
            la, lb = lend[ia], lend[ib]
            same_l = la == lb
            to_la = p.topup[ea2] - p.topup[ea] + np.where(same_l, p.topup[eb2] - p.topup[eb], 0)
            to_lb = p.topup[eb2] - p.topup[eb]
            fits &= ~self.lender_limited[la] | (s.lender_used[la] + to_la <= p.lender_budget[la])
            fits &= (
                same_l
                | ~self.lender_limited[lb]
                | (s.lender_used[lb] + to_lb <= p.lender_budget[lb])
            )
            if p.pool != NO_LIMIT:
                delta = p.subsidy[ea2] + p.subsidy[eb2] - p.subsidy[ea] - p.subsidy[eb]
                fits &= s.pool_used + delta <= p.pool
            fits &= (ea2 >= 0) & (eb2 >= 0) & (pair_gain > 0)
            ia, ib, ea, eb, ea2, eb2 = (x[fits] for x in (ia, ib, ea, eb, ea2, eb2))
            out.append(
                _Moves(
                    gain=pair_gain[fits],
                    drop=np.stack([ea, eb], axis=1),
                    take=np.stack([ea2, eb2], axis=1),
                    touched_packages=np.stack([pkg[ia], pkg[ib]], axis=1),
                    touched_hosts=np.stack([host[ia], host[ib]], axis=1),
                    touched_lenders=np.stack([lend[ia], lend[ib]], axis=1),
                )
            )
        if not out:
            return _empty()
        return _Moves(*(np.concatenate([getattr(m, f) for m in out]) for f in _FIELDS))

    def _batch(self, moves: _Moves) -> Int64Array:
        """The best moves, best first, that touch disjoint packages, limited budgets and
        talents (a move that changes the subsidy pool goes alone)."""
        p = self.problem
        order = np.argsort(-moves.gain, kind="stable")
        drop = moves.drop.reshape(moves.gain.size, -1)
        take = moves.take.reshape(moves.gain.size, -1)
        used_packages: set[int] = set()
        used_hosts: set[int] = set()
        used_lenders: set[int] = set()
        used_talents: set[int] = set()
        picked: list[int] = []
        pool = p.pool != NO_LIMIT
        for k in order[: 50 * MAX_BATCH].tolist():
            edges = [int(x) for x in (*drop[k], *take[k]) if x >= 0]
            talents = {int(p.talent[x]) for x in edges}
            packages = {int(x) for x in moves.touched_packages[k] if x >= 0}
            hosts = {int(x) for x in moves.touched_hosts[k] if x >= 0 and self.host_limited[x]}
            lenders = {
                int(x) for x in moves.touched_lenders[k] if x >= 0 and self.lender_limited[x]
            }
            if (
                packages & used_packages
                or hosts & used_hosts
                or lenders & used_lenders
                or talents & used_talents
            ):
                continue
            if pool and picked and int(p.subsidy[edges].sum()) != 0:
                continue
            picked.append(k)
            used_packages |= packages
            used_hosts |= hosts
            used_lenders |= lenders
            used_talents |= talents
            if (pool and int(p.subsidy[edges].sum()) != 0) or len(picked) >= MAX_BATCH:
                break
        return np.asarray(picked, dtype=np.int64)


_FIELDS = ("gain", "drop", "take", "touched_packages", "touched_hosts", "touched_lenders")


def _empty() -> _Moves:
    none = np.zeros((0, 2), dtype=np.int64)
    return _Moves(np.zeros(0, dtype=np.int64), none, none, none, none, none)


def _at(values: Int64Array, index: Int64Array) -> Int64Array:
    """``values[index]``, -1 where the index is -1."""
    return np.where(index >= 0, values[np.maximum(index, 0)], -1)


@dataclass(frozen=True)
class _State:
    """Totals of an assignment that the moves are checked against.

    ``current`` is the placed edge of each talent with exactly one placement (-1 otherwise);
    ``movable`` marks those whose placement is not forced; ``idle`` marks talents placed
    nowhere."""

    current: Int64Array
    movable: BoolArray
    idle: BoolArray
    seats_used: Int64Array
    host_used: Int64Array
    lender_used: Int64Array
    pool_used: int

    @staticmethod
    def of(p: Problem, chosen: BoolArray) -> _State:
        edges = np.flatnonzero(chosen)
        per_talent = np.bincount(p.talent[edges], minlength=p.n_talents)
        current = np.full(p.n_talents, -1, dtype=np.int64)
        single = per_talent[p.talent[edges]] == 1
        current[p.talent[edges[single]]] = edges[single]
        movable = current >= 0
        movable[p.talent[edges[p.forced[edges]]]] = False
        current[~movable] = -1
        return _State(
            current=current,
            movable=movable,
            idle=(per_talent == 0) & (p.max_tours > 0),
            seats_used=np.bincount(p.package[edges], minlength=p.n_packages).astype(np.int64),
            host_used=np.bincount(p.host[edges], weights=p.fee[edges], minlength=p.n_orgs)
            .round()
            .astype(np.int64),
            lender_used=np.bincount(p.lender[edges], weights=p.topup[edges], minlength=p.n_orgs)
            .round()
            .astype(np.int64),
            pool_used=int(p.subsidy[edges].sum()),
        )
