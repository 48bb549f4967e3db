"""CP-SAT on the model of :mod:`solvers.model`: the model as a CP-SAT model (:func:`to_cp_model`),
CP-SAT's statuses, progress reports, parameters, a sub-solve from a hint (:func:`solve_sub`)
and the conflicting groups of an infeasible round (:func:`explain_infeasibility`).

Infeasible rounds
-----------------
When the round is infeasible the model is rebuilt with one enforcement literal per
constraint group and solved under those literals as assumptions; the groups named by
``sufficient_assumptions_for_infeasibility`` (then pruned one by one while the rest stays
infeasible) become ``Result.conflicts``. The groups are: ``"pins"``, ``"accepted"``,
``"min_per_lender"``, ``"max_host_share"``, ``"subsidy pool"``, and per record
``"seats of package 'p'"``, ``"tours of talent 't'"`` (number of tours and FTE),
``"host budget of 'o'"`` and ``"top-up budget of 'o'"``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np
from ortools.sat.python import cp_model, cp_model_helper

from solvers.checks import objective_of
from solvers.model.build import build_spec, decode, fix_placements, spec_hint
from solvers.model.spec import NO_GROUP, ModelSpec
from solvers.problem import BoolArray, Problem
from solvers.result import Progress, SolveParams, Status
from solvers.stop import Deadline
from solvers.work import set_work_limit

PROBING_MAX_EDGES = 5_000
"""Above this many edges CP-SAT's probing is switched off: on assignment models it costs
seconds of presolve for little gain, and ignores its deterministic time limit."""


def new_solver() -> cp_model.CpSolver:
    """A CP-SAT solver that leaves Ctrl-C (SIGINT) to Python.

    By default CP-SAT puts its own SIGINT handler in place for each solve and, once the solve
    ends, sets SIGINT to the system's default action, not back to Python's handler. From then
    on a Ctrl-C kills the process at once, with no ``KeyboardInterrupt``, no ``finally`` and
    no cleanup (``signal.getsignal`` does not show it: it reports Python's handler still).
    Every solve of this package starts from here, so an interrupt reaches the Python code
    around it, which stops the solve's process or its caller.
    """
    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False
    return solver


def to_cp_model(spec: ModelSpec, hint: Sequence[int] | None = None) -> cp_model.CpModel:
    """Emit ``spec`` as a CP-SAT model by writing its proto directly (fast: a few bulk calls
    per row, no Python object per variable)."""
    model = cp_model.CpModel()
    proto = model.proto
    templates: dict[tuple[int, int], object] = {}
    domains = list(zip(spec.lo, spec.hi, strict=True))
    for domain in set(domains):
        var = cp_model_helper.IntegerVariableProto()
        var.domain.extend(domain)
        templates[domain] = var
    proto.variables.extend([templates[d] for d in domains])

    rows = spec.rows
    var = np.concatenate(rows.var).tolist() if rows.var else []
    coef = np.concatenate(rows.coef).tolist() if rows.coef else []
    indptr = rows.indptr
    enforce = spec.literals
    for r in range(rows.n_rows):
        a, b = indptr[r], indptr[r + 1]
        constraint = proto.constraints.add()
        g = rows.group[r]
        if enforce and g != NO_GROUP:
            constraint.enforcement_literal.append(enforce[g])
        linear = constraint.linear
        linear.vars.extend(var[a:b])
        linear.coeffs.extend(coef[a:b])
        linear.domain.extend((rows.lo[r], rows.hi[r]))

    if spec.objective_coef.size:
        nonzero = np.flatnonzero(spec.objective_coef)
        # CP-SAT minimizes: store the negated objective with a scaling factor of -1
        proto.objective.vars.extend(nonzero.tolist())
        proto.objective.coeffs.extend((-spec.objective_coef[nonzero]).tolist())
        proto.objective.offset = float(-spec.objective_offset)
        proto.objective.scaling_factor = -1.0
    if enforce:
        proto.assumptions.extend(enforce)
    if hint is not None:
        proto.solution_hint.vars.extend(range(spec.n_vars))
        proto.solution_hint.values.extend(hint)
    return model


def to_cp_model_python(spec: ModelSpec, hint: Sequence[int] | None = None) -> cp_model.CpModel:
    """Emit ``spec`` through the CP-SAT Python API, one call per variable and per row (the
    plain way, kept to measure :func:`to_cp_model` against and to cross-check it)."""
    model = cp_model.CpModel()
    xs = [model.new_int_var(lo, hi, "") for lo, hi in zip(spec.lo, spec.hi, strict=True)]
    rows = spec.rows
    var = np.concatenate(rows.var).tolist() if rows.var else []
    coef = np.concatenate(rows.coef).tolist() if rows.coef else []
    for r in range(rows.n_rows):
        a, b = rows.indptr[r], rows.indptr[r + 1]
        expr = cp_model.LinearExpr.weighted_sum([xs[v] for v in var[a:b]], coef[a:b])
        constraint = model.add_linear_constraint(expr, rows.lo[r], rows.hi[r])
        g = rows.group[r]
        if spec.literals and g != NO_GROUP:
            constraint.only_enforce_if(xs[spec.literals[g]])
    if spec.objective_coef.size:
        nonzero = np.flatnonzero(spec.objective_coef).tolist()
        model.maximize(
            cp_model.LinearExpr.weighted_sum(
                [xs[v] for v in nonzero], spec.objective_coef[nonzero].tolist()
            )
            + spec.objective_offset
        )
    if spec.literals:
        model.add_assumptions([xs[v] for v in spec.literals])
    if hint is not None:
        for v, value in zip(xs, hint, strict=True):
            model.add_hint(v, value)
    return model


STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.MODEL_INVALID: Status.MODEL_INVALID,
    cp_model.UNKNOWN: Status.UNKNOWN,
}
"""Every CP-SAT status and its :class:`Status`."""


class ProgressReporter(cp_model.CpSolverSolutionCallback):
    """Reports each new CP-SAT incumbent as :class:`Progress`: placements and the reported
    value (secondary term when lexicographic), with the best bound known, timed by
    ``deadline``.

    ``known_bound`` is a bound on the combined objective of the whole problem (scale of
    ``multiplier``); CP-SAT's own bound counts too when its model is the whole problem.
    ``solver`` is the method name the reports carry. ``report`` gets each report, when
    given; ``stop`` is asked about each, and CP-SAT stops when it says so.
    """

    def __init__(
        self,
        spec: ModelSpec,
        report: Callable[[Progress], None] | None,
        deadline: Deadline,
        multiplier: int,
        known_bound: float,
        own_bound_valid: bool,
        solver: str,
        stop: Callable[[Progress], bool] | None = None,
    ) -> None:
        super().__init__()
        self._spec = spec
        self._report = report
        self._deadline = deadline
        self._multiplier = multiplier
        self._known = known_bound
        self._own = own_bound_valid
        self._solver = solver
        self._stop = stop

    def on_solution_callback(self) -> None:
        placements, value = decode(self._spec, round(self.objective_value))
        bound = self._known
        if self._own:
            own = math.floor(self.best_objective_bound + 1e-6) - self._spec.shift
            bound = min(bound, float(own))
        progress = Progress.of_combined(
            self._solver,
            self._deadline.elapsed(),
            float(value),
            placements,
            float(bound),
            self._multiplier,
        )
        if self._report is not None:
            self._report(progress)
        if self._stop is not None and self._stop(progress):
            self.stop_search()


def solve_sub(
    problem: Problem,
    hint: BoolArray,
    time_limit: float,
    seed: int,
    workers: int,
    *,
    placements: int | None = None,
    subsolver: str | None = None,
    wall: float | None = None,
) -> tuple[BoolArray, bool, float] | None:
    """CP-SAT on a (small) problem from a complete hint: the chosen edges, whether they
    are proven optimal and CP-SAT's deterministic time, or None without a solution in time.
    With ``wall`` (a ``time.perf_counter()`` deadline, the safety net of a reproducible run)
    ``time_limit`` is turned into work (:func:`solvers.work.set_work_limit`). ``placements``,
    when given, is the number of placements of the hint, known to be the most possible (see
    :func:`~solvers.model.build.fix_placements`); ``subsolver`` is CP-SAT's full-problem
    search (see :attr:`solvers.auto.options.CpSatOptions.subsolver`)."""
    spec = build_spec(problem)
    if placements is not None:
        fix_placements(spec, problem, placements)
    model = to_cp_model(spec, spec_hint(problem, spec, hint))
    solver = new_solver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.01)
    if wall is not None:
        set_work_limit(solver, time_limit, wall - time.perf_counter())
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    set_subsolver(solver, subsolver)
    if problem.n_edges > PROBING_MAX_EDGES:
        solver.parameters.cp_model_probing_level = 0
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    solution = np.array(solver.response_proto.solution, dtype=np.int64)
    return solution[: problem.n_edges] > 0, code == cp_model.OPTIMAL, solver.deterministic_time


def set_parameters(
    solver: cp_model.CpSolver, params: SolveParams, time_limit: float, log: bool
) -> None:
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    solver.parameters.log_search_progress = log


def set_subsolver(solver: cp_model.CpSolver, subsolver: str | None) -> None:
    # naming the full-problem search replaces CP-SAT's default one; its first-solution and
    # neighbourhood helpers still run beside it
    if subsolver is not None:
        solver.parameters.subsolvers.append(subsolver)


def set_gap(
    solver: cp_model.CpSolver,
    spec: ModelSpec,
    problem: Problem,
    hint: BoolArray,
    relative_gap: float,
) -> None:
    """Stop at ``relative_gap`` of the reported value: for a weighted objective CP-SAT's own
    relative limit; for a lexicographic one an absolute limit in secondary units, below
    ``M`` so that the placements are still proven."""
    if spec.multiplier == 1:
        solver.parameters.relative_gap_limit = relative_gap
        return
    estimate = abs(objective_of(problem, np.flatnonzero(hint)).value)
    solver.parameters.absolute_gap_limit = float(
        min(relative_gap * max(1, estimate), spec.multiplier - 1)
    )


def known_subsolver(name: str) -> bool:
    """Whether CP-SAT accepts ``name`` as a subsolver (it rejects the empty model when not)."""
    solver = new_solver()
    solver.parameters.subsolvers.append(name)
    return solver.solve(cp_model.CpModel()) != cp_model.MODEL_INVALID


def explain_infeasibility(problem: Problem, time_limit: float, seed: int = 0) -> list[str]:
    """Names of constraint groups that cannot all hold together.

    Solves the feasibility model with one enforcement literal per group under those literals
    as assumptions, reads CP-SAT's sufficient assumptions for infeasibility, then drops each
    group of that set that is not needed (checking that the rest stays infeasible) while
    time allows. Returns an empty list if no conflict is found in time.
    """
    deadline = time.perf_counter() + time_limit
    spec = build_spec(problem, for_conflicts=True)
    literal_group = {lit: g for g, lit in enumerate(spec.literals)}

    def infeasible(groups: list[int]) -> tuple[bool, list[int]]:
        model = to_cp_model(spec)
        model.proto.assumptions.clear()
        model.proto.assumptions.extend([spec.literals[g] for g in groups])
        solver = new_solver()
        left = deadline - time.perf_counter()
        solver.parameters.max_time_in_seconds = max(left, 0.05)
        # one worker and no presolve: the assumption core is reliable only that way
        solver.parameters.num_workers = 1
        solver.parameters.cp_model_presolve = False
        solver.parameters.random_seed = seed
        code = solver.solve(model)
        if code != cp_model.INFEASIBLE:
            return False, []
        core = [literal_group[lit] for lit in solver.sufficient_assumptions_for_infeasibility()]
        core = [g for g in core if g in groups]
        return True, core or groups

    found, core = infeasible(list(range(len(spec.literals))))
    if not found:
        return []
    # drop groups the conflict does not need, one at a time
    needed = list(dict.fromkeys(core))
    i = 0
    while i < len(needed) and len(needed) > 1 and time.perf_counter() < deadline:
        trial = needed[:i] + needed[i + 1 :]
        still, smaller = infeasible(trial)
        if still:
            needed = [g for g in trial if g in set(smaller)] or trial
        else:
            i += 1
    return [spec.groups[g] for g in needed]
