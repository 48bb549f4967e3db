"""Large-neighbourhood search: CP-SAT re-optimizes small parts of an incumbent.

Each iteration frees a neighbourhood of the incumbent and fixes the rest; the kinds
(``hosts``, ``related``, ``talents``), tried in turn, are those of
:mod:`solvers.lns_neighbourhoods`.

The sub-problem (:func:`solvers.problem.restrict` to the free edges and the kept placements,
the kept ones forced) is the whole problem with most variables fixed, so every constraint and
penalty of the round holds in it, and its objective equals the whole problem's. CP-SAT starts
from the incumbent as a complete hint, so it never returns anything worse; a result is
accepted only when the whole problem's checks (:func:`solvers.problem.violated_groups`,
:func:`solvers.problem.objective_of`) find it valid and strictly better.

Before a sub-solve, :func:`solvers.knapsack_bound.cannot_improve` tries to prove by a
Lagrangian bound (talents priced, a 0/1 knapsack per host) that the neighbourhood holds
nothing better than the incumbent; CP-SAT is spared the neighbourhoods it closes.

Between sub-solves, :class:`solvers.local_search.LocalSearch` applies cheap shift, swap and
insert moves to the incumbent (at the start and after every improving sub-solve), under the
same acceptance rule.

``LnsOptions.workers`` threads search at once, each solving its sub-problems with one CP-SAT
worker (CP-SAT releases the interpreter lock while it solves). A thread takes its
neighbourhood from the best assignment of the moment; when its sub-solve returns, the
solution's free edges replace those of the best assignment of *that* moment (the other
thread may have improved it meanwhile), under the same checks and acceptance rule.

The neighbourhood size (free edges) adapts: it grows after a sub-problem solved to optimality
well within its time, and shrinks after one that ran out of time, so that sub-solves stay
short and many neighbourhoods are tried.

A :class:`Partner`, another search running beside this one (HiGHS in its own process,
:mod:`solvers.backends.highs_companion`), trades solutions with it: before each sub-solve the
search takes the partner's latest solution when it is valid and better, and hands the partner its
own best whenever that is better than the last one they shared. Either search then goes on
from the other's progress.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

import numpy as np

from matcher.objective import Objective
from solvers.checks import objective_of, violated_groups
from solvers.knapsack_bound import cannot_improve, exact_budgets
from solvers.lns_neighbourhoods import (
    NEIGHBOURHOODS,
    host_neighbourhood,
    packages_of_host,
    talent_neighbourhood,
)
from solvers.lns_options import LnsOptions
from solvers.lns_types import LnsResult, Partner, SubSolver
from solvers.local_search import LocalSearch
from solvers.problem import BoolArray, Int64Array, Problem, restrict
from solvers.work import LOCAL_WORK_PER_EDGE, NEIGHBOURHOOD_WORK, work_of

__all__ = ["LnsResult", "Partner", "SubSolver", "improve"]


def improve(
    problem: Problem,
    chosen: BoolArray,
    deadline: float,
    sub_solver: SubSolver,
    *,
    seed: int = 0,
    options: LnsOptions | None = None,
    stop: Callable[[Objective, BoolArray], bool] | None = None,
    patience: float | None = None,
    partner: Partner | None = None,
    work: float | None = None,
) -> LnsResult:
    """Improve ``chosen`` by large-neighbourhood search until ``deadline``.

    With ``options.workers`` above one, that many threads each solve neighbourhoods of the
    current best assignment (CP-SAT releases the interpreter lock while it solves); a
    sub-problem's solution replaces the free edges of the assignment that is best when it
    returns, and is kept when the whole problem's checks find it valid and better.

    Parameters
    ----------
    problem
        The integer problem.
    chosen
        A feasible assignment (a mask over the edges).
    deadline
        ``time.perf_counter()`` value at which to stop.
    sub_solver
        Solves a sub-problem from a hint; returns a mask over the sub-problem's edges or None.
    seed
        Seed of the neighbourhood choice and of the sub-solves.
    options
        See :class:`LnsOptions`.
    stop
        Called with each new best objective and its assignment (a mask, not to be kept: it
        changes); True ends the search (e.g. when it meets a bound).
    patience
        Seconds without an improvement after which the search ends; None: no such end.
    partner
        A search running beside this one, to trade solutions with (see :class:`Partner`).
    work
        A reproducible search's budget (:mod:`solvers.work`): it ends once its work units
        reach it, counting each sub-solve's deterministic time,
        :data:`~solvers.work.NEIGHBOURHOOD_WORK` per neighbourhood and
        :data:`~solvers.work.LOCAL_WORK_PER_EDGE` per edge and local-search round; it then
        takes no decision from measured seconds (``patience`` counts work units too, and
        each sub-solve gets ``options.sub_time`` of work), ``deadline`` being only the
        safety net.

    Raises
    ------
    ValueError
        If ``chosen`` breaks a hard constraint.
    """
    options = options or LnsOptions()
    if violated_groups(problem, np.flatnonzero(chosen)):
        raise ValueError("the start of the search must be feasible.")
    search = _Search(problem, chosen, deadline, sub_solver, options, stop, patience, partner)
    search.work_limit = work
    rng = np.random.default_rng(seed)
    # the partner's best first: the first polish may take a large share of the time
    search.trade()
    if not search.stopped():
        search.polish(rng)
    search.improved_at = time.perf_counter()
    threads = max(1, options.workers)
    if threads == 1:
        search.loop(rng)
    else:
        # each thread has its own generator: NumPy's are not safe to share
        rngs = [np.random.default_rng([seed, k]) for k in range(threads)]
        pool = [threading.Thread(target=search.loop, args=(r,)) for r in rngs]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        if search.error is not None:
            raise search.error
    return LnsResult(
        search.best,
        search.best_objective,
        search.iterations,
        search.improvements,
        search.moves,
        search.received,
        search.screened,
        search.work,
    )


class _Search:
    """The state of one search, shared by its threads under ``lock``."""

    def __init__(
        self,
        problem: Problem,
        chosen: BoolArray,
        deadline: float,
        sub_solver: SubSolver,
        options: LnsOptions,
        stop: Callable[[Objective, BoolArray], bool] | None,
        patience: float | None,
        partner: Partner | None = None,
    ) -> None:
        self.problem = problem
        self.deadline = deadline
        self.sub_solver = sub_solver
        self.options = options
        self.stop = stop
        self.patience = patience
        self.best = chosen.copy()
        self.best_objective = objective_of(problem, np.flatnonzero(chosen))
        self.live = ~problem.dead
        self.packages_of_host = packages_of_host(problem)
        # each kind keeps its own size: on GAP rounds a talent neighbourhood of 1,000 edges
        # solves in milliseconds where a host neighbourhood of that size takes a second
        self.sizes = dict.fromkeys(NEIGHBOURHOODS, float(options.start_free))
        self.iterations = self.improvements = self.moves = 0
        self.local = LocalSearch(problem) if options.local_search else None
        self.began = time.perf_counter()
        self.polish_time = 0.0
        self.polish_calls = 0
        self.improved_at = self.began
        self.lock = threading.Lock()
        self.error: BaseException | None = None
        self.partner = partner
        self.received = 0
        self.screened = 0
        # multipliers of the neighbourhood bounds, carried from one neighbourhood to the next
        self.prices = np.full(problem.n_talents, np.nan)
        # the screen's bound leaves the breadth bonus out: without a bound on it, no screen
        self.screen = options.screen and exact_budgets(problem) and problem.link_units == 0
        # the best objective the partner and this search have shared (none at first: the
        # partner may have started from an older assignment)
        self.shared: tuple[int, int] | None = None
        # a reproducible search counts work units instead of seconds (see improve)
        self.work_limit: float | None = None
        self.work = self.polish_work = self.improved_work = 0.0

    def stopped(self) -> bool:
        return self.stop is not None and self.stop(self.best_objective, self.best)

    def trade(self) -> None:
        """Take the partner's latest solution when valid and better; hand it the best when
        better than what was shared (under the lock)."""
        if self.partner is None:
            return
        theirs = self.partner.receive()
        if theirs is not None:
            edges = np.flatnonzero(theirs)
            if not violated_groups(self.problem, edges):
                objective = objective_of(self.problem, edges)
                if self.shared is None or objective.key() > self.shared:
                    self.shared = objective.key()
                if objective.key() > self.best_objective.key():
                    self.best, self.best_objective = theirs.copy(), objective
                    self.received += 1
                    self.improved_at = time.perf_counter()
        if self.shared is None or self.best_objective.key() > self.shared:
            self.partner.send(self.best)
            self.shared = self.best_objective.key()

    def polish(self, rng: np.random.Generator) -> None:
        """Local-search moves on the best assignment, within their share of the time (the
        first call may take its share of all the time left: the start of the search is
        often far from a local optimum, and moves are much cheaper than sub-solves
        there)."""
        now = time.perf_counter()
        allowed = self.options.local_share * (now - self.began) - self.polish_time
        if self.work_limit is not None and self.local is not None:
            self._polish_work(rng)
            return
        if self.local is None or (self.polish_calls and allowed <= 0):
            return
        first = now + self.options.local_share * (self.deadline - now)
        until = min(self.deadline, now + allowed) if self.polish_calls else first
        self.polish_calls += 1
        found = self.local.run(self.best, until, rng)
        self.polish_time += time.perf_counter() - now
        if found.objective.key() > self.best_objective.key():
            self.moves += found.moves
            self.best, self.best_objective = found.chosen, found.objective

    def _polish_work(self, rng: np.random.Generator) -> None:
        """:meth:`polish` in a reproducible search: rounds of moves instead of seconds."""
        assert self.local is not None and self.work_limit is not None
        each = max(LOCAL_WORK_PER_EDGE * self.problem.n_edges, 1e-9)
        share = self.options.local_share
        allowed = share * (self.work_limit if not self.polish_calls else self.work)
        rounds = int((allowed - (self.polish_work if self.polish_calls else 0.0)) / each)
        if rounds <= 0:
            return
        self.polish_calls += 1
        found = self.local.run(self.best, self.deadline, rng, max_rounds=rounds)
        self.polish_work += found.rounds * each
        self.work += found.rounds * each
        if found.objective.key() > self.best_objective.key():
            self.moves += found.moves
            self.best, self.best_objective = found.chosen, found.objective

    def loop(self, rng: np.random.Generator) -> None:
        """Sub-solves until the deadline, a stop or the patience runs out."""
        try:
            while self._step(rng):
                pass
        except BaseException as error:
            # improve() re-raises it once every thread has stopped
            with self.lock:
                self.error = error
                self.deadline = time.perf_counter()

    def _step(self, rng: np.random.Generator) -> bool:
        options = self.options
        with self.lock:
            now = time.perf_counter()
            left = self.deadline - now
            self.trade()
            if left < 0.05 or self.stopped():
                return False
            if self.work_limit is not None:
                if self.work >= self.work_limit or (
                    self.patience is not None and self.work - self.improved_work > self.patience
                ):
                    return False
                self.work += NEIGHBOURHOOD_WORK
            elif self.patience is not None and now - self.improved_at > self.patience:
                return False
            kind = NEIGHBOURHOODS[self.iterations % len(NEIGHBOURHOODS)]
            self.iterations += 1
            size = int(self.sizes[kind])
            if kind in ("hosts", "related"):
                free = host_neighbourhood(
                    self.problem,
                    self.best,
                    self.live,
                    self.packages_of_host,
                    size,
                    rng,
                    kind == "related",
                )
            else:
                free = talent_neighbourhood(self.problem, self.best, self.live, size, rng)
            if not free.any():
                return True
            # the best assignment is replaced, never changed in place: this one stays as it is
            incumbent, objective = self.best, self.best_objective
            screen_it = self.screen and int(free.sum()) <= options.screen_max_free
            prices = self.prices.copy() if screen_it else None
        if prices is not None:
            screen = cannot_improve(self.problem, incumbent, free, objective, prices=prices)
            with self.lock:
                self.prices[screen.talents] = screen.prices
                if screen.proven:
                    # the size stays: a proof says nothing of how long CP-SAT would take
                    self.screened += 1
                    return True
        sub, index = _sub_problem(self.problem, incumbent, free)
        hint = incumbent[index]
        reproducible = self.work_limit is not None
        limit = options.sub_time if reproducible else min(options.sub_time, left)
        lap = time.perf_counter()
        solved = self.sub_solver(sub, hint, limit, int(rng.integers(1 << 30)), 1)
        spent = time.perf_counter() - lap
        with self.lock:
            if reproducible:
                # CP-SAT's deterministic time, in the sub-solve's units (its whole allowance
                # when it found nothing)
                spent = solved[2] / work_of(1.0) if solved is not None else limit
                self.work += work_of(spent)
            if solved is None:
                self.sizes[kind] = max(options.min_free, self.sizes[kind] / options.grow)
                return True
            sub_chosen, optimal, _ = solved
            if optimal and spent < limit / 2:
                self.sizes[kind] = min(options.max_free, self.sizes[kind] * options.grow)
            elif not optimal:
                self.sizes[kind] = max(options.min_free, self.sizes[kind] / options.grow)
            # only the free edges change: another thread may have moved the kept ones
            opened = free[index]
            candidate = self.best.copy()
            candidate[index[opened]] = sub_chosen[opened]
            edges = np.flatnonzero(candidate)
            if violated_groups(self.problem, edges):
                return True
            objective = objective_of(self.problem, edges)
            if objective.key() > self.best_objective.key():
                self.best, self.best_objective = candidate, objective
                self.improvements += 1
                self.polish(rng)
                self.improved_at = time.perf_counter()
                self.improved_work = self.work
        return True


def _sub_problem(
    problem: Problem, chosen: BoolArray, free: BoolArray
) -> tuple[Problem, Int64Array]:
    """The problem on the free edges plus the kept placements, the kept ones forced."""
    kept = chosen & ~free
    sub, index = restrict(problem, free | kept)
    return dataclasses.replace(sub, forced=sub.forced | kept[index]), index
