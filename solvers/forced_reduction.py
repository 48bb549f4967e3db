"""The edges that the pinned and accepted placements leave no room for, and the solve of a
problem without them.

An edge whose talent's tours, or whose package's seats, are all taken by forced placements
can never be chosen. A re-solve that keeps its standing offers forces most of the round's
placements, and with them often a large share of its edges: left in, they cost every phase
time (the relaxations, the model, the checks) for variables fixed at zero. Left out, the
optimum, the objective of every assignment and every bound are the same
(:func:`solvers.problem.restrict` keeps the whole problem's targets and penalties).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from matcher.compile import CompiledRound
from solvers.problem import BoolArray, Int64Array, Problem
from solvers.result import Progress, Result, SolveParams

MIN_SHARE = 0.05
"""Smallest share of the edges worth leaving out: below it the copy costs more than it saves."""


def excluded_by_forced(problem: Problem) -> BoolArray:
    """Per edge: whether it is not forced and its talent's tours or its package's seats are
    all taken by the forced (pinned and accepted) placements."""
    forced = np.flatnonzero(problem.forced)
    return _closed(problem.talent, problem.package, forced, problem.max_tours, problem.seats)


def open_edges(compiled: CompiledRound) -> int:
    """How many edges of ``compiled`` are left once those :func:`excluded_by_forced` would
    leave out are (counted on the compiled round, before a problem is built)."""
    forced = np.unique(np.concatenate([compiled.pins, compiled.accepted])).astype(np.int64)
    max_tours = compiled.arrays.policy.max_tours_per_talent
    seats = compiled.arrays.package_seats.astype(np.int64)
    closed = _closed(compiled.talent, compiled.package, forced, max_tours, seats)
    return compiled.n_edges - int(closed.sum())


def _closed(
    talent: npt.NDArray[np.integer],
    package: npt.NDArray[np.integer],
    forced: Int64Array,
    max_tours: int,
    seats: npt.NDArray[np.integer],
) -> BoolArray:
    """Per edge: not one of ``forced``, and its talent's tours or package's seats are all
    taken by them."""
    tours = np.bincount(talent[forced], minlength=int(talent.max(initial=-1)) + 1)
    taken = np.bincount(package[forced], minlength=seats.size)
    full_talent = tours[talent] >= max_tours
    full_package = taken[package] >= seats[package]
    closed = full_talent | full_package
    closed[forced] = False
    return np.asarray(closed, dtype=bool)


def worth_leaving_out(excluded: BoolArray) -> bool:
    """Whether at least :data:`MIN_SHARE` of the edges are excluded."""
    return bool(excluded.size) and int(excluded.sum()) >= MIN_SHARE * excluded.size


def params_on(params: SolveParams, index: Int64Array, n_edges: int) -> SolveParams:
    """``params`` for the problem restricted to the edges ``index`` of ``n_edges``: the start
    mapped onto it (edges left out dropped), progress reports mapped back to the whole."""
    start = params.start
    if start is not None:
        position = np.full(n_edges, -1, dtype=np.int64)
        position[index] = np.arange(index.size, dtype=np.int64)
        start = start[(start >= 0) & (start < n_edges)]
        start = position[start]
        start = start[start >= 0]
    progress = params.progress
    if progress is not None:
        report = progress

        def on_whole(p: Progress) -> None:
            edges = None if p.edges is None else index[p.edges]
            report(dataclasses.replace(p, edges=edges))

        progress = on_whole
    return dataclasses.replace(params, start=start, progress=progress)


def result_on_whole(result: Result, index: Int64Array, left_out: int) -> Result:
    """A result of the restricted problem with its edges mapped back to the whole."""
    note = (
        f"{left_out} edges left out: their talent's tours or their package's seats are "
        "all taken by pinned and accepted placements"
    )
    return dataclasses.replace(result, edges=index[result.edges], notes=[*result.notes, note])
