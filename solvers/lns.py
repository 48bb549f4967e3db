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

Between sub-solves, :class:`solvers.local_search.LocalSearch` applies cheap shift, swap and
insert moves to the incumbent (at the start and after every improving sub-solve), under the
same acceptance rule. Sub-problems of at most ``LnsOptions.one_worker_edges`` edges are solved
by one CP-SAT worker; ``LnsOptions.workers`` applies to larger ones only.

The neighbourhood size (free edges) adapts: it grows after a sub-problem solved to optimality
well within its time, and shrinks after one that ran out of time, so that sub-solves stay
short and many neighbourhoods are tried.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matcher.objective import Objective
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
        one that timed out).
    sub_time
        Seconds per sub-solve.
    workers
        CP-SAT workers per sub-solve of more than ``one_worker_edges`` edges.
    one_worker_edges
        Sub-problems of at most this many edges are solved by one worker.
    local_search
        Whether to apply local-search moves between sub-solves.
    local_share
        Largest share of the time spent so far that local search may take: its full scans
        cost about as much as a small sub-solve, and both kinds of step are needed.
    """

    start_free: int = 500
    min_free: int = 100
    max_free: int = 8_000
    grow: float = 1.3
    sub_time: float = 0.5
    workers: int = 2
    one_worker_edges: int = 20_000
    local_search: bool = True
    local_share: float = 0.3

    def __post_init__(self) -> None:
        if not 0 < self.min_free <= self.start_free <= self.max_free:
            raise ValueError("need 0 < min_free <= start_free <= max_free.")
        if self.grow <= 1:
            raise ValueError("grow <= 1 not understood.")
        if self.sub_time <= 0:
            raise ValueError("sub_time <= 0 not understood.")
        if not 0 <= self.local_share <= 1:
            raise ValueError("local_share outside [0, 1] not understood.")


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
    """

    chosen: BoolArray
    objective: Objective
    iterations: int
    improvements: int
    moves: int = 0


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
) -> LnsResult:
    """Improve ``chosen`` by large-neighbourhood search until ``deadline``.

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

    Raises
    ------
    ValueError
        If ``chosen`` breaks a hard constraint.
    """
    options = options or LnsOptions()
    if violated_groups(problem, np.flatnonzero(chosen)):
        raise ValueError("the start of the search must be feasible.")
    rng = np.random.default_rng(seed)
    best = chosen.copy()
    best_objective = objective_of(problem, np.flatnonzero(best))
    live = ~problem.dead
    packages_of_host = _packages_of_host(problem)
    # each kind keeps its own size: on GAP rounds a talent neighbourhood of 1,000 edges
    # solves in milliseconds where a host neighbourhood of that size takes a second
    sizes = dict.fromkeys(NEIGHBOURHOODS, float(options.start_free))
    iterations = improvements = moves = 0
    polish = LocalSearch(problem) if options.local_search else None

    began = time.perf_counter()
    polish_time = 0.0
    polish_calls = 0

    def polished(chosen: BoolArray, objective: Objective) -> tuple[BoolArray, Objective]:
        nonlocal moves, polish_time, polish_calls
        now = time.perf_counter()
        allowed = options.local_share * (now - began) - polish_time
        # the first call may take its share of all the time left: the start of the search is
        # often far from a local optimum, and moves are much cheaper than sub-solves there
        if polish is None or (polish_calls and allowed <= 0):
            return chosen, objective
        first = now + options.local_share * (deadline - now)
        until = min(deadline, now + allowed) if polish_calls else first
        polish_calls += 1
        found = polish.run(chosen, until, rng)
        polish_time += time.perf_counter() - now
        if found.objective.key() <= objective.key():
            return chosen, objective
        moves += found.moves
        return found.chosen, found.objective

    if stop is None or not stop(best_objective):
        best, best_objective = polished(best, best_objective)
    improved_at = time.perf_counter()
    while True:
        now = time.perf_counter()
        left = deadline - now
        if left < 0.05 or (stop is not None and stop(best_objective)):
            break
        if patience is not None and now - improved_at > patience:
            break
        kind = NEIGHBOURHOODS[iterations % len(NEIGHBOURHOODS)]
        iterations += 1
        if kind in ("hosts", "related"):
            free = _host_neighbourhood(
                problem, best, live, packages_of_host, int(sizes[kind]), rng, kind == "related"
            )
        else:
            free = _talent_neighbourhood(problem, best, live, int(sizes[kind]), rng)
        if not free.any():
            continue
        sub, index = _sub_problem(problem, best, free)
        limit = min(options.sub_time, left)
        lap = time.perf_counter()
        workers = options.workers if sub.n_edges > options.one_worker_edges else 1
        solved = sub_solver(sub, best[index], limit, int(rng.integers(1 << 30)), workers)
        spent = time.perf_counter() - lap
        if solved is None:
            sizes[kind] = max(options.min_free, sizes[kind] / options.grow)
            continue
        sub_chosen, optimal = solved
        if optimal and spent < limit / 2:
            sizes[kind] = min(options.max_free, sizes[kind] * options.grow)
        elif not optimal:
            sizes[kind] = max(options.min_free, sizes[kind] / options.grow)
        candidate = best.copy()
        candidate[index] = sub_chosen
        edges = np.flatnonzero(candidate)
        if violated_groups(problem, edges):
            continue
        objective = objective_of(problem, edges)
        if objective.key() > best_objective.key():
            best, best_objective = polished(candidate, objective)
            improvements += 1
            improved_at = time.perf_counter()
    return LnsResult(best, best_objective, iterations, improvements, moves)


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
