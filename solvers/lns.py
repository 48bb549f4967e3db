"""Large-neighbourhood search: CP-SAT re-optimizes small parts of an incumbent.

Each iteration frees a neighbourhood of the incumbent and fixes the rest:

- ``hosts``: every package of a few random hiring organizations with placements; a talent
  placed in one of them may move among them or leave, a talent placed nowhere may enter them,
  and every other placement stays. On a GAP round (one package per host) this is the
  classic ejection of the jobs of a few agents.
- ``related``: as ``hosts``, but after a random first host come the hosts where its placed
  talents have their most valuable other edges, so that the freed talents can actually
  trade places (on a GAP round, the agents the jobs of the first one would rather go to).
- ``talents``: a few random talents with all their edges; the others keep their placements.

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
:mod:`solvers.highs_companion`), trades solutions with it: before each sub-solve the search
takes the partner's latest solution when it is valid and better, and hands the partner its
own best whenever that is better than the last one they shared. Either search then goes on
from the other's progress.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from matcher.objective import Objective
from solvers.knapsack_bound import cannot_improve, exact_budgets
from solvers.local_search import LocalSearch
from solvers.problem import BoolArray, Int64Array, Problem, objective_of, restrict, violated_groups

NEIGHBOURHOODS: tuple[str, ...] = ("hosts", "related", "talents")
"""Neighbourhood kinds, tried in turn."""


@dataclass(frozen=True)
class LnsOptions:
    """Options of :func:`improve`.

    Attributes
    ----------
    start_free, min_free, max_free
        First, smallest and largest neighbourhood size in free edges.
    grow
        Factor by which the size grows after a quick optimal sub-solve (and shrinks after
        one that timed out). The sizes settle where about half the sub-solves time out. On
        GAP type D that is wasteful on its face (host neighbourhoods of 100 free edges
        mostly time out at 0.5 s, those of 45 solve in 4 ms), yet smaller ones did no
        better: with ``min_free`` 20 and a shrink of 3 after a timeout, 30 s from one
        start on d20100, d20200, d40400 and d60900 (two seeds) ran 2.5 times as many
        sub-solves, 80 % of them optimal, for a mean gap of 0.56 % against 0.53 %.
        Accepting sub-solutions of equal value (a walk along plateaus) was worse too:
        0.58 % against 0.49 %; so were longer sub-solves (``sub_time`` 1.5, on d20100,
        d20200 and d40400: 0.61 % against 0.49 %).
    sub_time
        Seconds per sub-solve.
    workers
        Sub-solves run at once, in as many threads, each by one CP-SAT worker: measured on
        the 20,000 x 5,000 round's core, small sub-problems (up to 14,000 edges with the kept
        placements) gain little from a second worker, while a second sub-solve doubles the
        neighbourhoods tried.
    local_search
        Whether to apply local-search moves between sub-solves.
    local_share
        Largest share of the time spent so far that local search may take: its full scans
        cost about as much as a small sub-solve, and both kinds of step are needed.
    screen, screen_max_free
        Before a sub-solve on at most ``screen_max_free`` free edges, try to prove the
        neighbourhood unimprovable by its Lagrangian bound
        (:func:`solvers.knapsack_bound.cannot_improve`) and skip it when that works. The
        bound's knapsacks are solved item by item, so their cost grows with the free edges:
        about 6 ms for GAP d20100's neighbourhoods of about 135 free edges. Only rounds
        whose host budgets fit the knapsacks unscaled
        (:func:`solvers.knapsack_bound.exact_budgets`) are screened: the one run of the
        synthetic suite's 20,000 x 5,000 round (budgets in cents) screened with scaled
        knapsacks gave 8,390,058 at 60 s, just below the 8,392,711-8,398,669 of four runs
        without, so such rounds stay as they were measured.
    """

    start_free: int = 500
    min_free: int = 100
    max_free: int = 8_000
    grow: float = 1.3
    sub_time: float = 0.5
    workers: int = 2
    local_search: bool = True
    local_share: float = 0.3
    screen: bool = True
    screen_max_free: int = 1_000

    def __post_init__(self) -> None:
        if not 0 < self.min_free <= self.start_free <= self.max_free:
            raise ValueError("need 0 < min_free <= start_free <= max_free.")
        if self.grow <= 1:
            raise ValueError("grow <= 1 not understood.")
        if self.sub_time <= 0:
            raise ValueError("sub_time <= 0 not understood.")
        if not 0 <= self.local_share <= 1:
            raise ValueError("local_share outside [0, 1] not understood.")


class Partner(Protocol):
    """Another search on the same problem, running beside this one."""

    def receive(self) -> BoolArray | None:
        """Its latest solution (a mask over the problem's edges) when it has one not
        received yet, else None."""

    def send(self, chosen: BoolArray) -> None:
        """Hand it ``chosen``, better than any solution shared so far."""


@dataclass(frozen=True)
class LnsResult:
    """What the search found.

    Attributes
    ----------
    chosen
        The best assignment (the start if nothing better was found).
    objective
        Its objective.
    iterations, improvements
        Sub-solves made, and how many of them improved the incumbent.
    moves
        Local-search moves kept.
    received
        Solutions taken from the partner.
    screened
        Neighbourhoods that :func:`solvers.knapsack_bound.cannot_improve` proved
        unimprovable, so that CP-SAT did not search them (counted in ``iterations``).
    """

    chosen: BoolArray
    objective: Objective
    iterations: int
    improvements: int
    moves: int = 0
    received: int = 0
    screened: int = 0


SubSolver = Callable[[Problem, BoolArray, float, int, int], tuple[BoolArray, bool] | None]
"""``(sub_problem, hint, time_limit, seed, workers) -> (chosen, proven optimal)`` or None
without a solution; see
:func:`solvers.cpsat.solve_sub`. Passed in so that this module does not import the CP-SAT
model builder (which imports this module)."""


def improve(
    problem: Problem,
    chosen: BoolArray,
    deadline: float,
    sub_solver: SubSolver,
    *,
    seed: int = 0,
    options: LnsOptions | None = None,
    stop: Callable[[Objective], bool] | None = None,
    patience: float | None = None,
    partner: Partner | None = None,
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
        Called with each new best objective; True ends the search (e.g. when it meets a
        bound).
    patience
        Seconds without an improvement after which the search ends; None: no such end.
    partner
        A search running beside this one, to trade solutions with (see :class:`Partner`).

    Raises
    ------
    ValueError
        If ``chosen`` breaks a hard constraint.
    """
    options = options or LnsOptions()
    if violated_groups(problem, np.flatnonzero(chosen)):
        raise ValueError("the start of the search must be feasible.")
    search = _Search(problem, chosen, deadline, sub_solver, options, stop, patience, partner)
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
        stop: Callable[[Objective], bool] | None,
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
        self.packages_of_host = _packages_of_host(problem)
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
        self.screen = options.screen and exact_budgets(problem)
        # the best objective the partner and this search have shared (none at first: the
        # partner may have started from an older assignment)
        self.shared: tuple[int, int] | None = None

    def stopped(self) -> bool:
        return self.stop is not None and self.stop(self.best_objective)

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
            if self.patience is not None and now - self.improved_at > self.patience:
                return False
            kind = NEIGHBOURHOODS[self.iterations % len(NEIGHBOURHOODS)]
            self.iterations += 1
            size = int(self.sizes[kind])
            if kind in ("hosts", "related"):
                free = _host_neighbourhood(
                    self.problem,
                    self.best,
                    self.live,
                    self.packages_of_host,
                    size,
                    rng,
                    kind == "related",
                )
            else:
                free = _talent_neighbourhood(self.problem, self.best, self.live, size, rng)
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
        limit = min(options.sub_time, left)
        lap = time.perf_counter()
        solved = self.sub_solver(sub, hint, limit, int(rng.integers(1 << 30)), 1)
        spent = time.perf_counter() - lap
        with self.lock:
            if solved is None:
                self.sizes[kind] = max(options.min_free, self.sizes[kind] / options.grow)
                return True
            sub_chosen, optimal = solved
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
        return True


def _packages_of_host(problem: Problem) -> list[Int64Array]:
    host_of_package = np.full(problem.n_packages, -1, dtype=np.int64)
    host_of_package[problem.package] = problem.host
    order = np.argsort(host_of_package, kind="stable")
    counts = np.bincount(host_of_package[host_of_package >= 0], minlength=problem.n_orgs)
    skip = int((host_of_package < 0).sum())
    return np.split(order[skip:], np.cumsum(counts)[:-1])


def _host_neighbourhood(
    problem: Problem,
    chosen: BoolArray,
    live: BoolArray,
    packages_of_host: list[Int64Array],
    size: int,
    rng: np.random.Generator,
    related: bool = False,
) -> BoolArray:
    """Free edges of the packages of random hosts with placements, until ``size``; with
    ``related``, the hosts after the first one by decreasing total gain that the talents placed
    at the first one would make there instead."""
    hosts = np.unique(problem.host[chosen])
    if hosts.size == 0:
        hosts = np.unique(problem.host[live])
    rng.shuffle(hosts)
    if related and hosts.size > 1:
        at_first = chosen & (problem.host == hosts[0])
        # what each talent placed at the first host gains there; a host is worth adding by
        # how much those talents would gain at it instead
        now = np.full(problem.n_talents, np.inf)
        np.minimum.at(now, problem.talent[at_first], problem.edge_gain[at_first])
        other = live & np.isfinite(now[problem.talent]) & (problem.host != hosts[0])
        better = np.maximum(problem.edge_gain[other] - now[problem.talent[other]], 0.0)
        weight = np.bincount(problem.host[other], weights=better + 1e-3, minlength=problem.n_orgs)
        # a little noise so that the same first host does not always bring the same company
        noisy = weight[hosts[1:]].astype(np.float64) * rng.uniform(0.5, 1.0, hosts.size - 1)
        hosts = np.concatenate([hosts[:1], hosts[1:][np.argsort(-noisy, kind="stable")]])
    in_set = np.zeros(problem.n_packages, dtype=bool)
    # a talent placed outside the chosen packages keeps that placement: only talents placed
    # inside them (or nowhere) may take their edges
    free = np.zeros(problem.n_edges, dtype=bool)
    for h in hosts.tolist():
        in_set[packages_of_host[h]] = True
        placed_outside = np.zeros(problem.n_talents, dtype=bool)
        outside = chosen & ~in_set[problem.package]
        placed_outside[problem.talent[outside]] = True
        free = live & in_set[problem.package] & ~placed_outside[problem.talent]
        if int(free.sum()) >= size:
            break
    return free


def _talent_neighbourhood(
    problem: Problem, chosen: BoolArray, live: BoolArray, size: int, rng: np.random.Generator
) -> BoolArray:
    """Every edge of random talents (with live edges), until ``size`` edges."""
    per_talent = np.bincount(problem.talent[live], minlength=problem.n_talents)
    candidates = np.flatnonzero(per_talent)
    order = rng.permutation(candidates)
    take = int(np.searchsorted(np.cumsum(per_talent[order]), size)) + 1
    picked = np.zeros(problem.n_talents, dtype=bool)
    picked[order[:take]] = True
    return live & picked[problem.talent]


def _sub_problem(
    problem: Problem, chosen: BoolArray, free: BoolArray
) -> tuple[Problem, Int64Array]:
    """The problem on the free edges plus the kept placements, the kept ones forced."""
    kept = chosen & ~free
    sub, index = restrict(problem, free | kept)
    return dataclasses.replace(sub, forced=sub.forced | kept[index]), index
