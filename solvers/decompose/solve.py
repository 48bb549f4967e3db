"""The ``decompose`` method: national rounds split into parts, solved in parallel, merged.

The path
--------
1. The seat relaxation (:mod:`solvers.flow`) bounds the round; the priced bound
   (:mod:`solvers.decompose.bound`) prices every budget, seat and minimum for
   ``bound_share`` of the time: a bound that holds with every rule on, and prices.
2. The round is split into parts of whole lenders (:mod:`solvers.decompose.partition`): every
   edge lies inside the part of its talent.
3. Each pass shares the constraints that span parts (seats, fee budgets, the subsidy pool)
   among them (:mod:`solvers.decompose.coordinate`): each part keeps what the best assignment
   uses in it, the rest goes where the priced bound's relaxed solution would use it. Every part
   is solved from its piece of the best assignment by the ordinary portfolio in a process of
   its own (:mod:`solvers.decompose.parts`), while the priced bound goes on here; the union
   of the parts' assignments meets every seat and budget by construction; anything else it
   breaks (the host share) is repaired by a greedy pass that places the merged edges first.
   Passes are fewer when one would leave a part less than ``min_part_seconds``.
4. The neighbourhood search (:mod:`solvers.lns`) improves the merged assignment on the whole
   round for ``border_share`` of the time, on the core of least reduced cost at the priced
   bound's prices: its neighbourhoods ignore the parts, so talents of different parts compete
   for the same seats and budgets again, beyond the shares.

The result's bound is the better of the two relaxations'; both are in ``Result.bounds``, and
the notes give the parts, each pass (time, the parts' own gaps, the merged objective) and the
search across parts.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from matcher.compile import CompiledRound
from matcher.models import Round
from matcher.objective import Objective
from solvers.auto.solve import solve_problem
from solvers.backends.cpsat import solve_sub
from solvers.checks import violated_groups
from solvers.core import find_core
from solvers.decompose.bound import Pricer
from solvers.decompose.coordinate import Shares, allocate, part_problem, shippable
from solvers.decompose.options import PART_TIME_SHARE, SHIP_SECONDS, DecomposeOptions
from solvers.decompose.partition import Partition, partition
from solvers.decompose.parts import LocalPool, PartMap, PartTask, solve_part
from solvers.decompose.starts import flow_at_prices, repaired
from solvers.flow import seat_relaxation
from solvers.greedy import greedy_order
from solvers.incumbent import (
    Incumbent,
    incumbent_progress,
    incumbent_result,
    on_whole,
    report_incumbent,
)
from solvers.lagrange import combined
from solvers.lns import improve
from solvers.lns_options import LnsOptions
from solvers.model.build import build_spec
from solvers.problem import BoolArray, Problem, build_problem, restrict
from solvers.result import Result, SolveParams, Status
from solvers.stop import Deadline

SEAT_BOUND = "seat_relaxation"
"""Key in ``Result.bounds`` of the seat relaxation's bound (seats and tours only)."""
PRICED_BOUND = "priced"
"""Key in ``Result.bounds`` of the priced bound (every budget, seat and minimum priced)."""


def solve_decomposed(
    compiled: CompiledRound,
    round_: Round,
    params: SolveParams | None = None,
    options: DecomposeOptions | None = None,
    part_map: PartMap | None = None,
) -> Result:
    """Solve ``round_`` by decomposition (see the module docstring).

    Parameters
    ----------
    compiled
        The compiled round.
    round_
        The round.
    params
        Time limit, workers (of the search at the end), seed.
    options
        See :class:`DecomposeOptions`.
    part_map
        Runs the parts (see :data:`~solvers.decompose.parts.PartMap`); None: a
        :class:`~solvers.decompose.parts.LocalPool` of ``options.processes`` processes.
    """
    params = params or SolveParams()
    params = params.with_deadline(params.timer())
    problem = build_problem(compiled, round_)
    return solve_decomposed_problem(problem, params, options or DecomposeOptions(), part_map)


def solve_decomposed_problem(
    problem: Problem,
    params: SolveParams,
    options: DecomposeOptions,
    part_map: PartMap | None = None,
) -> Result:
    """:func:`solve_decomposed` on a built problem. A round of at most ``part_edges`` edges
    (and no ``n_parts``) is one part: the ordinary portfolio solves it whole."""
    deadline = params.timer()
    params = params.with_deadline(deadline)
    n_parts = options.n_parts or math.ceil(problem.n_edges / options.part_edges)
    if n_parts <= 1:
        result = solve_problem(problem, params, options.part)
        note = "one part: the round is solved whole by the portfolio"
        return dataclasses.replace(result, notes=[note, *result.notes])
    pool = LocalPool(options.processes) if part_map is None else None
    try:
        mapper: PartMap = pool if pool is not None else part_map  # type: ignore[assignment]
        return _Run(problem, params, options, deadline, mapper).solve(n_parts)
    finally:
        if pool is not None:
            pool.close()


class _Run:
    """One decomposed solve: the incumbent, the bounds and the notes as they grow."""

    def __init__(
        self,
        problem: Problem,
        params: SolveParams,
        options: DecomposeOptions,
        deadline: Deadline,
        part_map: PartMap,
    ) -> None:
        self.problem = problem
        self.params = params
        self.options = options
        self.deadline = deadline
        self.part_map = part_map
        # the model's M, when lexicographic; the model itself (some 200 bytes an edge) is
        # not kept: at national scale it was a gigabyte no phase here reads
        self.multiplier = build_spec(problem).multiplier if problem.lexicographic else 1
        self.best = Incumbent(problem, self.multiplier)
        self.notes: list[str] = []
        self.bounds: dict[str, float] = {}
        self.order = np.zeros(0, dtype=np.int64)
        self.greedy_seconds = 0.0
        multiplier = self.multiplier if problem.lexicographic else problem.placement_units
        self.base = problem.edge_gain.astype(np.float64) + multiplier

    def solve(self, n_parts: int) -> Result:
        problem, options = self.problem, self.options
        relaxation = seat_relaxation(problem)
        if relaxation is None:
            return Result.no_solution(
                "decompose",
                Status.INFEASIBLE,
                self.deadline.elapsed(),
                ["the pinned and accepted placements alone exceed some seats or tours"],
            )
        seat = float(combined(relaxation.objective, self.multiplier))
        self._bound(SEAT_BOUND, seat)
        self.best.offer(relaxation.chosen, "the seat relaxation")
        value = float(self.best.value) if self.best.value is not None else 0.0
        seconds = options.bound_share * self.deadline.remaining()
        self.pricer = Pricer(problem, self.base, value)
        self.pricer.run(time.perf_counter() + seconds)
        priced = self.pricer.result()
        first_iterations = priced.iterations
        # a feasible start whatever the parts give: a greedy pass, the relaxed solution's
        # edges first
        lap = time.perf_counter()
        self.order = greedy_order(problem)
        self.best.offer(self._repair(priced.chosen), "greedy after the priced bound")
        self.greedy_seconds = time.perf_counter() - lap
        # a better start most often: the seats kept by a flow, the money rows priced
        flow = flow_at_prices(problem, self.base, priced.priced_weight, priced.seat_price)
        if flow is not None:
            self.best.offer(self._repair(flow), "flow at the priced bound's prices, repaired")
        self._report()
        parts = partition(problem, n_parts)
        sizes = np.bincount(parts.edge_part, minlength=n_parts)
        self.notes.append(
            f"{n_parts} parts of whole lenders, {sizes.min():,} to {sizes.max():,} edges; seats, "
            "fee budgets and the subsidy pool shared among them"
        )
        border = options.border_share * self.deadline.seconds
        waves = math.ceil(n_parts / max(1, options.processes))
        first_left = self.deadline.remaining() - border
        passes = max(1, min(options.passes, int(first_left / (waves * options.min_part_seconds))))
        shares: Shares | None = None
        last: BoolArray | None = None
        for k in range(passes):
            left = self.deadline.remaining() - border
            per_part = PART_TIME_SHARE * left / (passes - k) / waves - SHIP_SECONDS
            if per_part < 1.0 or self.best.chosen is None:
                break
            wanted = self.pricer.result().chosen
            shares = allocate(problem, parts, self.best.chosen, wanted, shares, last)
            last = self._pass(parts, shares, per_part, k)
        # the prices went on while the parts were solved elsewhere
        priced = self.pricer.result()
        if priced.bound is not None:
            self._bound(PRICED_BOUND, float(priced.bound))
        self.notes.insert(
            0,
            f"priced bound: {priced.iterations} iterations ({first_iterations} before the "
            "parts, the rest while they were solved)",
        )
        self._border(priced.priced_weight, priced.credit)
        return self._result()

    def _bound(self, name: str, combined_bound: float) -> None:
        self.best.tighten(combined_bound)
        self.bounds[name] = combined_bound

    def _pass(self, parts: Partition, shares: Shares, seconds: float, k: int) -> BoolArray:
        """One pass: every part solved from its piece of the best assignment, merged,
        repaired; the merged assignment."""
        problem, options = self.problem, self.options
        start = self.best.chosen
        assert start is not None
        tasks, indices, starts = [], [], []
        for j in range(parts.n_parts):
            sub, index = part_problem(problem, parts, shares, j)
            mine = np.searchsorted(index, np.flatnonzero(start & parts.edges_of(j)))
            indices.append(index)
            starts.append(mine.astype(np.int64))
            tasks.append(
                PartTask(
                    part=j,
                    problem=shippable(sub),
                    time_limit=seconds,
                    workers=options.part_workers,
                    seed=self.params.seed + k,
                    start=starts[-1],
                    options=options.part,
                )
            )
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=1) as waiter:
            future = waiter.submit(self.part_map, solve_part, tasks)
            # this process would only wait: the prices go on meanwhile
            self.pricer.run(self.deadline.at(), stop=future.done)
            answers = future.result()
        merged = np.zeros(problem.n_edges, dtype=bool)
        errors = sorted({a.error for a in answers if a.error is not None})
        failed = 0
        for answer, index, mine in zip(answers, indices, starts, strict=True):
            if answer.error is not None or answer.edges.size == 0:
                # a part that failed, or found nothing, keeps its piece of the start
                failed += answer.error is not None
                merged[index[mine]] = True
            else:
                merged[index[answer.edges]] = True
        merged |= problem.forced
        source = f"pass {k + 1}, merged"
        if violated_groups(problem, np.flatnonzero(merged)):
            merged = self._repair(merged)
            source += " and repaired"
        before = self.best.value
        self.best.offer(merged, source)
        if self.deadline.remaining() > self.greedy_seconds + self.options.border_share * (
            self.deadline.seconds
        ):
            # what the parts' shares left unused (seats, budgets) taken by a greedy pass after
            # the merged edges
            self.best.offer(self._repair(merged), f"pass {k + 1}, merged and filled")
        self._report()
        worst = max((a.seconds for a in answers), default=0.0)
        gaps = [a.gap for a in answers if a.gap is not None]
        self.notes.append(
            f"pass {k + 1}: {parts.n_parts} parts in {time.perf_counter() - started:.1f} s "
            f"(slowest part {worst:.1f} s of {seconds:.1f} s; parts' own gaps "
            f"{_percent(min(gaps, default=None))}-{_percent(max(gaps, default=None))}"
            + (f"; {failed} failed ({errors[0]}), kept their start" if failed else "")
            + f"); objective {before} -> {self.best.value}"
        )
        return merged

    def _report(self) -> None:
        """A progress report of the best assignment (and the stop criterion asked)."""
        report_incumbent(self.params, self.best, self.deadline, "decompose")

    def _repair(self, merged: BoolArray) -> BoolArray:
        """A feasible assignment close to ``merged``: a greedy pass over its edges first."""
        return repaired(self.problem, self.order, merged)

    def _border(self, priced: np.ndarray, credit: float) -> None:
        """The neighbourhood search on the whole round, on the core of least reduced cost."""
        best = self.best
        if best.chosen is None or best.value is None or self.deadline.remaining() < 1.0:
            return
        core = find_core(self.problem, priced, credit, best.chosen, best.value, per_talent=2.0)
        searched, index = restrict(self.problem, core.keep)
        options = LnsOptions(workers=self.params.workers)

        def reported(objective: Objective, found: BoolArray) -> bool:
            # each better assignment of the search is reported on the whole round's edges
            progress = incumbent_progress(best, objective, self.deadline, "decompose")
            if self.params.progress is not None:
                edges = index[np.flatnonzero(found)]
                self.params.progress(dataclasses.replace(progress, edges=edges))
            return self.params.should_stop(progress)

        found = improve(
            searched,
            best.chosen[index],
            self.deadline.at(),
            functools.partial(solve_sub, subsolver=self.options.part.cpsat.subsolver),
            seed=self.params.seed,
            options=options,
            stop=reported,
        )
        before = best.value
        best.offer(on_whole(self.problem, index, found.chosen), "neighbourhood search across parts")
        self.notes.append(
            f"search across parts: {found.improvements} improvements in "
            f"{found.iterations} neighbourhoods on {core.size} edges, objective "
            f"{before} -> {best.value}"
        )

    def _result(self) -> Result:
        result = incumbent_result(
            self.problem,
            self.best,
            Status.FEASIBLE,
            self.deadline,
            self.notes,
            "decompose",
        )
        return dataclasses.replace(result, bounds=self._bounds_in_value_units(result))

    def _bounds_in_value_units(self, result: Result) -> dict[str, float]:
        """The relaxations' bounds in the units of ``Result.bound`` (for a lexicographic
        objective: the score term at the placements found, left out when a relaxation allows
        more placements)."""
        if result.objective is None:
            return {}
        out = {}
        for name, value in self.bounds.items():
            if not self.problem.lexicographic:
                out[name] = float(value)
                continue
            most = math.floor((value + 1e-6) / self.multiplier)
            if most <= result.objective.placements:
                out[name] = float(value - self.multiplier * result.objective.placements)
        return out


def _percent(gap: float | None) -> str:
    return "-" if gap is None else f"{100 * gap:.2f} %"
