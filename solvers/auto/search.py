"""The search of the portfolio once it has an incumbent and prices: CP-SAT on the round, its
core or its best edges (:class:`CpSatRuns`), neighbourhood search, and CP-SAT again on the
edges reduced-cost fixing keeps when that search stalls (:func:`search`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model_helper

from solvers.auto.neighbourhoods import neighbourhood_search
from solvers.auto.options import AutoOptions
from solvers.auto.phases import join_companion, uses_lp
from solvers.backends.cpsat import (
    PROBING_MAX_EDGES,
    STATUS,
    ProgressReporter,
    explain_infeasibility,
    new_solver,
    set_gap,
    set_parameters,
    set_subsolver,
    to_cp_model,
    to_cp_model_python,
)
from solvers.backends.highs_companion import HighsCompanion
from solvers.core import find_core, fixing_core
from solvers.floor_reach import explain_floors
from solvers.greedy import greedy_assign
from solvers.incumbent import (
    Incumbent,
    close_enough,
    incumbent_result,
    on_whole,
    placements_proven,
    report_incumbent,
)
from solvers.lagrange import LagrangeResult
from solvers.model.build import build_spec, fix_placements, spec_hint
from solvers.model.spec import ModelSpec
from solvers.problem import BoolArray, Int64Array, Problem, best_per_talent, restrict
from solvers.result import Result, SolveParams, Status
from solvers.stop import Deadline
from solvers.work import WorkClock, set_work_limit

ENDGAME_MIN_SECONDS = 0.5
"""Least time left for which the final CP-SAT run after a stalled search is started."""


def search(
    problem: Problem,
    spec: ModelSpec,
    best: Incumbent,
    lagrange: LagrangeResult | None,
    order: Int64Array,
    options: AutoOptions,
    params: SolveParams,
    deadline: Deadline,
    notes: list[str],
    companion: HighsCompanion | None,
    clock: WorkClock | None = None,
) -> Result:
    """CP-SAT on the round, its core or its best edges, and neighbourhood search, from the
    incumbent and the relaxation's prices; a HiGHS companion's answer joins at the end.
    With ``clock`` (a reproducible run) the phases share its budget by work."""

    remaining = deadline.remaining if clock is None else clock.remaining
    large = problem.n_edges > options.cpsat.max_model_edges
    use_lp = uses_lp(problem, options)
    hint_chosen = best.chosen if best.chosen is not None else greedy_assign(problem, order)[0]
    sub, index = problem, np.arange(problem.n_edges, dtype=np.int64)
    sub_spec = spec
    # whether CP-SAT's bound and proofs on the searched model hold for the whole round
    bound_holds = True
    # a core needs the relaxation's prices; above cpsat.max_model_edges only the linear
    # relaxation's are good enough for one (with the Lagrangian phase's, the best-priced
    # edges per talent are searched instead)
    with_core = (
        lagrange is not None
        and best.value is not None
        and best.chosen is not None
        and (use_lp if large else problem.n_edges >= options.search.core_min_edges)
    )
    if large and not with_core:
        weight = (
            lagrange.priced_weight if lagrange is not None else problem.edge_gain.astype(np.float64)
        )
        keep = best_per_talent(problem, weight, options.cpsat.keep_per_talent) | hint_chosen
        sub, index = restrict(problem, keep)
        sub_spec = build_spec(sub, multiplier=spec.multiplier)
        bound_holds = False
        notes.append(
            f"CP-SAT on the {sub.n_edges} most promising of {problem.n_edges} edges; "
            "the bound comes from the relaxations"
        )
    elif with_core:
        assert lagrange is not None and best.chosen is not None and best.value is not None
        core = find_core(
            problem,
            lagrange.priced_weight,
            lagrange.credit,
            best.chosen,
            best.value,
            options.search.large_core_per_talent if large else options.search.core_per_talent,
        )
        if core.size < problem.n_edges:
            sub, index = restrict(problem, core.keep)
            # one M for both models: a core without some talent's best edge needs a smaller
            # one, and CP-SAT's bound on it would be on another scale than the incumbent's
            sub_spec = build_spec(sub, multiplier=spec.multiplier)
            bound_holds = core.exact
            kind = "every edge not fixed out" if core.exact else "the core"
            notes.append(
                f"search on {kind}: {sub.n_edges} of {problem.n_edges} edges by reduced cost"
            )
    # a core is searched by neighbourhoods whatever its size: on small cores it did not hurt
    use_lns = options.search.enabled and (
        problem.n_edges >= options.search.min_edges or sub is not problem
    )
    runs = CpSatRuns(problem, spec, best, params, options, deadline, notes, clock=clock)
    # on a large round's core, neighbourhoods do better than CP-SAT on the whole core
    while not (large and with_core and sub is not problem):
        search_time = remaining() * (1 - options.search.share if use_lns else 1)
        status = runs.run(sub, sub_spec, index, hint_chosen, search_time, bound_holds)
        if status is None:
            assert runs.failed is not None
            return runs.failed
        if status == Status.OPTIMAL and bound_holds:
            return incumbent_result(problem, best, Status.OPTIMAL, deadline, notes, options.method)
        # a core solved to optimality before the time is up: search on every edge that
        # fixing keeps against the new incumbent, whose bound and proofs hold
        if status != Status.OPTIMAL or bound_holds or large or remaining() <= 0.1:
            break
        kept = _kept_by_fixing(problem, lagrange, best)
        if kept is None:
            break
        sub, index, sub_spec = _restricted(problem, kept, spec.multiplier)
        bound_holds = True
        notes.append(
            f"the core solved: search on every edge not fixed out, {sub.n_edges} of "
            f"{problem.n_edges}"
        )
    if best.objective is None:
        join_companion(companion, best, notes)
    if best.objective is None:
        notes.append("no solution found in time")
        return _no_solution(Status.UNKNOWN, deadline, notes, options.method)
    # after a neighbourhood search that stalls on a core, CP-SAT gets the rest of the time
    # on every edge that fixing keeps against the better incumbent: its proof then holds
    endgame = use_lns and not large and not bound_holds
    if endgame:
        # only when fixing already keeps few edges more than the core: where it keeps every
        # edge, CP-SAT finds nothing the search would not
        kept = _kept_by_fixing(problem, lagrange, best)
        endgame = (
            kept is not None and int(kept.sum()) <= options.search.endgame_growth * sub.n_edges
        )
    if use_lns and best.chosen is not None and remaining() > 0.1:
        space = None if sub is problem or (large and not with_core) else (sub, index)
        patience = options.search.endgame_patience * remaining() if endgame else None
        neighbourhood_search(
            problem, best, params, options, deadline, notes, space, patience, companion, clock
        )
    kept = _kept_by_fixing(problem, lagrange, best) if endgame else None
    if (
        kept is not None
        and remaining() > ENDGAME_MIN_SECONDS
        and not close_enough(best, params.relative_gap)
    ):
        sub, index, sub_spec = _restricted(problem, kept, spec.multiplier)
        notes.append(
            f"the search stalled: CP-SAT on every edge not fixed out, {sub.n_edges} of "
            f"{problem.n_edges}"
        )
        assert best.chosen is not None
        status = runs.run(sub, sub_spec, index, best.chosen, remaining(), True)
        if status == Status.OPTIMAL:
            return incumbent_result(problem, best, Status.OPTIMAL, deadline, notes, options.method)
    join_companion(companion, best, notes)
    if best.source != "CP-SAT":
        notes.append(f"the best solution comes from the {best.source}")
    return incumbent_result(problem, best, Status.FEASIBLE, deadline, notes, options.method)


def _kept_by_fixing(
    problem: Problem, lagrange: LagrangeResult | None, best: Incumbent
) -> BoolArray | None:
    """Per edge: whether reduced-cost fixing keeps it against the incumbent (the exact
    core); None without a Lagrangian phase or an incumbent."""
    if lagrange is None or best.chosen is None or best.value is None:
        return None
    core = fixing_core(problem, lagrange.priced_weight, lagrange.credit, best.chosen, best.value)
    return core.keep


def _restricted(
    problem: Problem, keep: BoolArray, multiplier: int
) -> tuple[Problem, Int64Array, ModelSpec]:
    """The problem on the kept edges, the original index of its edges, and its model with
    the whole problem's ``multiplier``."""
    sub, index = restrict(problem, keep)
    return sub, index, build_spec(sub, multiplier=multiplier)


@dataclass
class CpSatRuns:
    """CP-SAT runs on (restricted) models of one problem, each feeding the incumbent;
    ``failed`` holds the result to return once a run finds the round infeasible or the
    model invalid."""

    problem: Problem
    spec: ModelSpec
    best: Incumbent
    params: SolveParams
    options: AutoOptions
    deadline: Deadline
    notes: list[str]
    failed: Result | None = None
    clock: WorkClock | None = None

    def run(
        self,
        sub: Problem,
        sub_spec: ModelSpec,
        index: Int64Array,
        hint_chosen: BoolArray,
        search_time: float,
        bound_holds: bool,
    ) -> Status | None:
        """Solve ``sub`` (the problem on the edges ``index``) from ``hint_chosen`` (a mask
        over the whole problem's edges) for ``search_time`` seconds; its solution goes to
        the incumbent, and its bound too when ``bound_holds``. Returns CP-SAT's status, or
        None when the round turns out infeasible or the model invalid (``failed`` then
        holds the result to return)."""
        problem, best, params, options = self.problem, self.best, self.params, self.options
        if placements_proven(best):
            assert best.objective is not None
            fix_placements(sub_spec, sub, best.objective.placements)
        hint_chosen = best.chosen if best.chosen is not None else hint_chosen
        emit = to_cp_model_python if options.cpsat.python_api else to_cp_model
        model = emit(sub_spec, spec_hint(sub, sub_spec, hint_chosen[index]))
        solver = new_solver()
        set_parameters(solver, params, max(search_time, 0.05), options.cpsat.log)
        if self.clock is not None:
            # a reproducible run: the work of its seconds, the clock only as the safety net
            set_work_limit(solver, search_time, self.deadline.remaining())
            self.clock.spend(search_time)
        set_subsolver(solver, options.cpsat.subsolver)
        if sub.n_edges > PROBING_MAX_EDGES:
            solver.parameters.cp_model_probing_level = 0
        if params.relative_gap > 0:
            set_gap(solver, sub_spec, sub, hint_chosen[index], params.relative_gap)
        reporter = None
        if params.progress is not None or params.stop is not None:
            report_incumbent(params, best, self.deadline, options.method)
            reporter = ProgressReporter(
                sub_spec,
                params.progress,
                self.deadline,
                self.spec.multiplier,
                best.bound,
                bound_holds,
                options.method,
                stop=None if params.stop is None else params.should_stop,
            )
        code = solver.solve(model, reporter)
        status = STATUS.get(code, Status.UNKNOWN)

        if status == Status.INFEASIBLE and sub is problem and best.objective is None:
            self.failed = infeasible(problem, params, options, self.deadline)
            return None
        if status == Status.MODEL_INVALID:
            message = cp_model_helper.CpSatHelper.validate_model(model.proto)
            self.failed = _no_solution(
                status, self.deadline, [f"CP-SAT rejected the model: {message}"], options.method
            )
            return None
        if status.has_solution:
            solution = np.array(solver.response_proto.solution, dtype=np.int64)
            best.offer(on_whole(problem, index, solution[: sub.n_edges] > 0), "CP-SAT")
            if bound_holds:
                bound = int(np.floor(solver.best_objective_bound + 1e-6))
                best.tighten(float(bound - sub_spec.shift))
        elif status == Status.INFEASIBLE:
            self.notes.append("the restricted CP-SAT model is infeasible")
        return status


def infeasible(
    problem: Problem, params: SolveParams, options: AutoOptions, deadline: Deadline
) -> Result:
    """The result of an infeasible round, with its conflicting groups named when
    ``options.cpsat.explain`` (the explanation gets the time left, at least a second)."""
    conflicts: list[str] = []
    if options.cpsat.explain:
        conflicts = explain_infeasibility(problem, max(deadline.remaining(), 1.0), params.seed)
        # a hard floor in conflict says how far it can go
        conflicts = explain_floors(problem, conflicts, max(deadline.remaining(), 2.0), params.seed)
    notes = ["the round is infeasible"]
    if conflicts:
        notes.append("conflicting groups: " + ", ".join(conflicts))
    return Result.no_solution(
        options.method, Status.INFEASIBLE, deadline.elapsed(), notes, conflicts
    )


def _no_solution(status: Status, deadline: Deadline, notes: list[str], solver: str) -> Result:
    return Result.no_solution(solver, status, deadline.elapsed(), notes)
