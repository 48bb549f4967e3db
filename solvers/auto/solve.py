"""The ``auto`` method: the portfolio of relaxations, heuristics, HiGHS and CP-SAT
(:func:`solve_auto`, or :func:`solve_problem` on a built problem). The model they share is
described in :mod:`solvers.model`.

The path
--------
1. Seat-only rounds go to the min-cost flow solver (exact).
2. The seat relaxation (:mod:`solvers.flow`) is solved: when its optimum meets every
   constraint it is optimal; otherwise it bounds the objective.
3. Two greedy solutions (by score, and the relaxation's edges first) give an incumbent.
4. When budgets can bind, a Lagrangian phase (:mod:`solvers.lagrange`, a share of the time
   limit) prices them: a bound usually much tighter than CP-SAT's early LP bound, and
   repaired solutions that are usually much better than the greedy ones. Weighted rounds
   of ``relax.lp_min_edges`` to ``relax.lp_max_edges`` edges get the linear relaxation instead
   (:mod:`solvers.lp_relaxation`): its bound, a greedy pass in the order of its values and
   CP-SAT on its support. Models of a few thousand to ``highs.companion_max_vars`` variables,
   given time, also get HiGHS's MIP solver in a process of its own on one core
   (:mod:`solvers.backends.highs_companion`) until shortly before the limit; it trades
   solutions with the neighbourhood search while both run. HiGHS, here or in its phase on
   small models, gets the model with the placements fixed when they are proven
   (:func:`solvers.auto.phases.highs_model`).
5. CP-SAT searches from the best of these as a complete hint (:mod:`solvers.auto.search`).
   Rounds with more than ``cpsat.max_model_edges`` edges get a model restricted to each talent's
   best-priced edges (and the hint's): CP-SAT's presolve alone would not finish on the full
   model in time. After the linear relaxation, such rounds go straight to the neighbourhood
   search on the core of least reduced cost.
   When the start makes as many placements as the bound allows (lexicographic rounds), the
   model requires exactly that many (:func:`solvers.model.build.fix_placements`), so CP-SAT
   bounds the secondary term alone.
6. On problems of at least ``search.min_edges`` edges, CP-SAT gets only part of the time and a
   large-neighbourhood search (:mod:`solvers.lns`) improves the best assignment for the
   rest: on large models CP-SAT alone barely moves from its hint in seconds, while small
   re-optimized neighbourhoods improve it many times per second. A core (:mod:`solvers.core`)
   is searched the same way; when that search stalls, CP-SAT takes the rest of the time on
   every edge that reduced-cost fixing keeps, whose proof holds for the whole round.
7. The result is the best assignment found (HiGHS's included), with the tightest valid
   bound; it is OPTIMAL when CP-SAT proves it or a bound meets it. An infeasible round's
   conflicting groups are named by :func:`solvers.backends.cpsat.explain_infeasibility`.

The options of each step are :class:`solvers.auto.options.AutoOptions`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from matcher.compile import CompiledRound
from matcher.models import Round
from solvers.auto.options import AutoOptions
from solvers.auto.phases import CompanionSlot, highs_phase, lp_phase, uses_lp
from solvers.auto.search import infeasible, search
from solvers.checks import objective_of, violated_groups
from solvers.completion import complete_greedily
from solvers.flow import flow_result, problem_is_seat_only, seat_relaxation
from solvers.forced_reduction import (
    excluded_by_forced,
    params_on,
    result_on_whole,
    worth_leaving_out,
)
from solvers.greedy import greedy_assign, greedy_order
from solvers.incumbent import Incumbent, close_enough, incumbent_result, report_incumbent
from solvers.lagrange import LagrangeResult, combined, lagrangian
from solvers.model.build import build_spec
from solvers.problem import BoolArray, Problem, build_problem, restrict
from solvers.result import Result, SolveParams, Status
from solvers.stop import Deadline
from solvers.work import (
    WorkClock,
    expected_greedy_seconds,
    lagrange_iterations,
    mark_deterministic,
    work_clock,
)

GREEDY_TIME_FACTOR = 10.0
"""The second greedy start runs only when at least this many times the first one's time is
left (a reproducible run's: the time one is expected to take on the round's size)."""


def solve_auto(
    compiled: CompiledRound,
    round_: Round,
    params: SolveParams | None = None,
    options: AutoOptions | None = None,
) -> Result:
    """Solve ``round_`` with the portfolio under every constraint of the evaluator.

    Parameters
    ----------
    compiled
        The compiled round.
    round_
        The round.
    params
        Time limit, workers, seed, relative gap and progress callback.
    options
        See :class:`AutoOptions`.

    Returns
    -------
    Result
        ``objective`` is what :func:`matcher.evaluator.evaluate` computes for ``edges``;
        ``bound`` bounds ``objective.value`` (for a lexicographic objective: the secondary
        term among assignments with as many placements); ``conflicts`` names the
        conflicting groups of an infeasible round.
    """
    params = params or SolveParams()
    # every phase counts down the same deadline
    params = params.with_deadline(params.timer())
    options = options or AutoOptions()
    problem = build_problem(compiled, round_)
    excluded = excluded_by_forced(problem)
    if worth_leaving_out(excluded):
        sub, index = restrict(problem, ~excluded)
        sub_params = params_on(params, index, problem.n_edges)
        result = _solve_built(sub, sub_params, options)
        return result_on_whole(result, index, int(excluded.sum()))
    return _solve_built(problem, params, options)


def _solve_built(problem: Problem, params: SolveParams, options: AutoOptions) -> Result:
    """:func:`solve_auto` on a built problem: the flow on seat-only rounds, the portfolio
    otherwise."""
    if options.relax.use_flow and problem_is_seat_only(problem):
        result = flow_result(problem, params.timer())
        # a new Result, not an edit of the flow's: results are never changed once built
        note = "seat-only round: solved exactly by min-cost flow"
        return dataclasses.replace(result, notes=[note, *result.notes])
    return solve_problem(problem, params, options)


def solve_problem(problem: Problem, params: SolveParams, options: AutoOptions) -> Result:
    """:func:`solve_auto` on a built problem, within ``params``' deadline (one that starts
    now when it has none).

    With one worker the run is reproducible (:mod:`solvers.work`): every phase is bounded by
    work (HiGHS's phase by nodes), the linear relaxation (bounded by time only) is left out,
    and the result says whether the clock cut a phase (``Result.deterministic``)."""
    deadline = params.timer()
    params = params.with_deadline(deadline)
    clock = work_clock(params.budget_seconds, deadline, params.reproducible)
    if clock is not None and uses_lp(problem, options):
        relax = dataclasses.replace(options.relax, lp_min_edges=None)
        options = dataclasses.replace(options, relax=relax)
    return mark_deterministic(_solve(problem, params, options, deadline, clock), clock)


def _solve(
    problem: Problem,
    params: SolveParams,
    options: AutoOptions,
    deadline: Deadline,
    clock: WorkClock | None,
) -> Result:
    remaining = deadline.remaining if clock is None else clock.remaining

    notes: list[str] = []
    relaxation = seat_relaxation(problem) if options.relax.use_flow else None
    if options.relax.use_flow and relaxation is None:
        # the pinned and accepted placements alone exceed some seats or tours
        return infeasible(problem, params, options, deadline)
    spec = build_spec(problem)
    best = Incumbent(problem, spec.multiplier)
    if relaxation is not None:
        edges = np.flatnonzero(relaxation.chosen).astype(np.int64)
        objective = objective_of(problem, edges)
        if not violated_groups(problem, edges) and objective == relaxation.objective:
            return Result(
                solver=options.method,
                status=Status.OPTIMAL,
                edges=edges,
                objective=objective,
                bound=float(objective.value),
                wall_time=deadline.elapsed(),
                notes=["the seat relaxation's optimum meets every constraint: it is optimal"],
            )
        best.tighten(float(combined(relaxation.objective, spec.multiplier)))

    order = greedy_order(problem)
    if params.start is not None:
        # a re-solve's standing offers or an interrupted run's stored incumbent: the search
        # goes on from it, completed where it leaves seats and talents free
        given = np.zeros(problem.n_edges, dtype=bool)
        given[params.start[(params.start >= 0) & (params.start < problem.n_edges)]] = True
        best.offer(given, "given start")
        best.offer(complete_greedily(problem, given, order), "given start, completed")
    starts = [] if _start_suffices(best, problem, remaining) else [(order, "greedy")]
    if not starts:
        notes.append("no greedy start: the given start is feasible and the time is short")
    if relaxation is not None and starts:
        first = relaxation.chosen[order]
        guided = np.concatenate([order[first], order[~first]])
        starts.insert(0, (guided, "greedy after the seat relaxation"))
    # a repair in the Lagrangian phase is about a greedy pass: expected, when none ran
    greedy_seconds = 0.0 if starts else expected_greedy_seconds(problem.n_edges)
    for k, (start_order, source) in enumerate(starts):
        lap = time.perf_counter()
        best.offer(greedy_assign(problem, start_order)[0], source)
        if clock is None:
            greedy_seconds = max(greedy_seconds, time.perf_counter() - lap)
        else:
            # a reproducible run decides by the round's size, not by the measured time
            greedy_seconds = expected_greedy_seconds(problem.n_edges)
            clock.spend(greedy_seconds)
        # one greedy takes about 20 s at 100,000 talents: a second one only when it leaves
        # most of the time to the search
        if k == 0 and remaining() < GREEDY_TIME_FACTOR * greedy_seconds:
            notes.append("one greedy start only: the time limit is short for the round's size")
            break
    # the first report comes as soon as there is an assignment, not after the relaxations
    report_incumbent(params, best, deadline, options.method)

    large = problem.n_edges > options.cpsat.max_model_edges
    lagrange: LagrangeResult | None = None
    # the companion starts as soon as its model is settled: every second counts for HiGHS
    slot = CompanionSlot(problem, spec, best, options, params, remaining, notes)
    try:
        slot.start(final=False)
        # the linear relaxation replaces the Lagrangian phase on weighted rounds of its sizes
        use_lp = uses_lp(problem, options)
        if use_lp and remaining() > 0:
            lagrange = lp_phase(problem, spec, best, options, slot.params(), remaining, notes)
        elif options.relax.lagrangian and remaining() > 0:

            def on_solution(chosen: BoolArray) -> None:
                if slot.wanted:
                    best.offer(chosen, "Lagrangian heuristic")
                    slot.start(final=False)

            share = options.relax.lagrangian_share * (2 if large else 1)
            seconds = share * remaining()
            # a repair is a greedy pass plus shift moves: about the greedy's time
            lagrange = lagrangian(
                problem,
                spec.multiplier,
                seconds if clock is None else deadline.remaining(),
                best.chosen,
                repair_seconds=greedy_seconds,
                # the check of each offer is repeated work: only while the slot waits
                on_solution=on_solution if slot.wanted else None,
                budget=None if clock is None else lagrange_iterations(problem.n_edges, seconds),
            )
            if clock is not None:
                clock.spend(seconds)
            best.offer(lagrange.chosen, "Lagrangian heuristic")
            best.tighten(lagrange.bound)
            notes.append(f"Lagrangian phase: {lagrange.iterations} iterations")
            report_incumbent(params, best, deadline, options.method)
        if 0 < spec.n_vars <= options.highs.max_vars and options.highs.share > 0:
            seconds = options.highs.share * remaining()
            highs_phase(problem, spec, best, seconds, params, notes, clock)
        if best.objective is not None and close_enough(best, params.relative_gap):
            return incumbent_result(problem, best, Status.FEASIBLE, deadline, notes, options.method)
        slot.start(final=True)
        return search(
            problem,
            spec,
            best,
            lagrange,
            order,
            slot.search_options(),
            slot.params(),
            deadline,
            notes,
            slot.companion,
            clock,
        )
    finally:
        slot.close()


def _start_suffices(best: Incumbent, problem: Problem, remaining: Callable[[], float]) -> bool:
    """Whether the greedy starts are left out: the given start is feasible and the time left
    is short for them (less than :data:`GREEDY_TIME_FACTOR` times a greedy's expected time);
    about 5 s at 20,000 talents that a re-solve of a few seconds cannot spare."""
    if best.chosen is None:
        return False
    return remaining() < GREEDY_TIME_FACTOR * expected_greedy_seconds(problem.n_edges)
