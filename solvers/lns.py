"""Large-neighbourhood search: CP-SAT re-optimizes small parts of an incumbent.

Each iteration frees a neighbourhood of the incumbent and fixes the rest:

- ``hosts``: every package of a few random hiring organizations with placements; a talent
  placed in one of them may move among them or leave, a talent placed nowhere may enter them,
  and every other placement stays. On a GAP round (one package per host) this is the
  classic ejection of the jobs of a few agents.
- ``talents``: a few random talents with all their edges; the others keep their placements.

The sub-problem (:func:`solvers.problem.restrict` to the free edges and the kept placements,
the kept ones forced) is the whole problem with most variables fixed, so every constraint and
penalty of the round holds in it, and its objective equals the whole problem's. CP-SAT starts
from the incumbent as a complete hint, so it never returns anything worse; a result is
accepted only when the whole problem's checks (:func:`solvers.problem.violated_groups`,
:func:`solvers.problem.objective_of`) find it valid and strictly better.

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
from solvers.problem import BoolArray, Int64Array, Problem, objective_of, restrict, violated_groups

NEIGHBOURHOODS: tuple[str, ...] = ("hosts", "talents")
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
        CP-SAT workers per sub-solve.
    """

    start_free: int = 500
    min_free: int = 100
    max_free: int = 8_000
    grow: float = 1.3
    sub_time: float = 0.5
    workers: int = 2

    def __post_init__(self) -> None:
        if not 0 < self.min_free <= self.start_free <= self.max_free:
            raise ValueError("need 0 < min_free <= start_free <= max_free.")
        if self.grow <= 1:
            raise ValueError("grow <= 1 not understood.")
        if self.sub_time <= 0:
            raise ValueError("sub_time <= 0 not understood.")


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
    """

    chosen: BoolArray
    objective: Objective
    iterations: int
    improvements: int


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
    iterations = improvements = 0
    while True:
        left = deadline - time.perf_counter()
        if left < 0.05 or (stop is not None and stop(best_objective)):
            break
        kind = NEIGHBOURHOODS[iterations % len(NEIGHBOURHOODS)]
        iterations += 1
        if kind == "hosts":
            free = _host_neighbourhood(problem, best, live, packages_of_host, int(sizes[kind]), rng)
        else:
            free = _talent_neighbourhood(problem, best, live, int(sizes[kind]), rng)
        if not free.any():
            continue
        sub, index = _sub_problem(problem, best, free)
        limit = min(options.sub_time, left)
        lap = time.perf_counter()
        solved = sub_solver(sub, best[index], limit, int(rng.integers(1 << 30)), options.workers)
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
            best, best_objective = candidate, objective
            improvements += 1
    return LnsResult(best, best_objective, iterations, improvements)


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
) -> BoolArray:
    """Free edges of the packages of random hosts with placements, until ``size``."""
    placed_talents = np.zeros(problem.n_talents, dtype=bool)
    placed_talents[problem.talent[chosen]] = True
    hosts = np.unique(problem.host[chosen])
    if hosts.size == 0:
        hosts = np.unique(problem.host[live])
    rng.shuffle(hosts)
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
