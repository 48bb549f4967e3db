"""The best stable matching under budgets and pins, as a CP-SAT model.

Deferred acceptance finds the two extreme stable matchings and ignores budgets and pins.
This model searches all stable matchings (over the preferences of
:mod:`matcher.preferences`) that also respect

* seats per package and one tour per talent,
* host fees per hiring organization, top-ups per lending organization and the subsidy pool,
  in the integer units of :mod:`solvers.problem` (amounts rounded up, budgets down, so the
  model never accepts a matching the evaluator would reject),
* pins and the previous round's accepted placements,

and returns the best one by one of three objectives. Placements always come first, so a
budget that allows more placements is never traded for a nicer rank (without budgets and
pins every stable matching places the same talents anyway):

``score``
    the round's objective: total weighted score, plus the disruption penalty of dropping
    previous proposed placements (fairness penalties are not modelled);
``egalitarian``
    the smallest total rank, talents' and packages' ranks of their partners added up;
``minimax``
    the smallest worst rank that anyone, talent or package, gets.

The model (:mod:`solvers.stable_model`) states stability as the standard condition on every
edge acceptable to both sides, chained along the preference lists so that it stays linear
in the number of edges, by default as a clause that CP-SAT propagates well.

When budgets or pins rule out every stable matching, :func:`solve_stable` says so
(``INFEASIBLE``, with the conflicting constraint groups in ``conflicts``), and
:func:`solve_fewest_blocking` finds the matching with the fewest blocking pairs instead: one
slack Boolean per stability constraint, their count minimized first, then the objective.
Fewest blocking pairs is NP-hard; within the time limit the result may be ``FEASIBLE``
rather than proven ``OPTIMAL``, and its notes give the audited count either way.
:mod:`solvers.stable_method` runs both within one time limit from a feasible start.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from matcher.compile import CompiledRound
from matcher.models import Round
from matcher.preferences import Preferences, build_preferences
from matcher.stability import audit_matching, rank_summary
from solvers.backends.cpsat import new_solver
from solvers.deferred_acceptance import judged_result
from solvers.problem import Problem, build_problem
from solvers.result import Progress, Result, SolveParams, Status
from solvers.stable_model import (
    OBJECTIVES,
    STABILITY,
    Encoding,
    StableModel,
    StableObjective,
    build_model,
)
from solvers.stop import MIN_PHASE_SECONDS, Deadline

Int64Array = npt.NDArray[np.int64]
MAX_WORKERS = 2
"""The machines this runs on have two cores."""
MIN_SECOND_PHASE = 0.2
"""Share of the time limit kept for the fewest-blocking model's second phase."""
MAX_PAIRS_SHOWN = 10
MAX_SHRINK_EDGES = 4_000
"""Models above this many edges keep CP-SAT's core of a conflict as it is: on the
synthetic 2,000-talent round (16,334 acceptable edges) shrinking its 60 groups to 40 took
8 s and 19 MB more."""

_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.MODEL_INVALID: Status.MODEL_INVALID,
    cp_model.UNKNOWN: Status.UNKNOWN,
}


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, solver: str, params: SolveParams, deadline: Deadline) -> None:
        super().__init__()
        self._solver, self._params, self._deadline = solver, params, deadline

    def on_solution_callback(self) -> None:
        if self._params.progress is not None:
            self._params.progress(
                Progress(
                    solver=self._solver,
                    elapsed=self._deadline.elapsed(),
                    objective=float(self.objective_value),
                    bound=float(self.best_objective_bound),
                )
            )


def _solver(params: SolveParams, time_limit: float) -> cp_model.CpSolver:
    solver = new_solver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = min(params.workers, MAX_WORKERS)
    solver.parameters.random_seed = params.seed
    solver.parameters.relative_gap_limit = params.relative_gap
    return solver


def _run(
    name: str, built: StableModel, params: SolveParams, deadline: Deadline, soft: bool
) -> tuple[cp_model.CpSolver, Status]:
    """Solve; with slack on stability, first minimize the blocking pairs, then, with their
    number fixed, the objective (two solves beat one big-M weighted sum here)."""
    model = built.model
    callback = _Reporter(name, params, deadline) if params.progress is not None else None
    if not soft:
        solver = _solver(params, max(deadline.remaining(), MIN_PHASE_SECONDS))
        return solver, _STATUS.get(solver.solve(model, callback), Status.UNKNOWN)
    model.minimize(cp_model.LinearExpr.sum(built.slacks))
    solver = _solver(params, deadline.portion(1 - MIN_SECOND_PHASE).seconds)
    status = _STATUS.get(solver.solve(model, callback), Status.UNKNOWN)
    if not status.has_solution:
        return solver, status
    fewest = round(solver.objective_value)
    model.clear_hints()  # type: ignore[no-untyped-call]
    for var in built.x:
        model.add_hint(var, solver.boolean_value(var))
    model.add(cp_model.LinearExpr.sum(built.slacks) <= fewest)
    model.maximize(built.objective)
    second = _solver(params, deadline.portion().seconds)
    second_status = _STATUS.get(second.solve(model, callback), Status.UNKNOWN)
    if not second_status.has_solution:
        return solver, Status.FEASIBLE
    return second, Status.FEASIBLE if status == Status.FEASIBLE else second_status


def _conflicts(
    solver: cp_model.CpSolver, built: StableModel, params: SolveParams, deadline: Deadline
) -> list[str]:
    """A set of constraint groups that cannot hold together: CP-SAT's core, then shrunk by
    dropping one group at a time while the rest stays infeasible (within the time limit)."""
    core = set(solver.sufficient_assumptions_for_infeasibility())
    names = [name for name, lit in built.groups.items() if lit.index in core]
    if not names:
        return sorted(built.groups)
    if len(built.x) > MAX_SHRINK_EDGES:
        return sorted(names)  # each check costs a solve and memory: CP-SAT's core as is
    model = built.model
    for name in sorted(names, key=lambda n: n == STABILITY):
        remaining = deadline.remaining()
        if len(names) == 1 or remaining <= 0:
            break
        trial = [n for n in names if n != name]
        model.clear_assumptions()
        model.add_assumptions([built.groups[n] for n in trial])
        check = _solver(params, remaining)
        if check.solve(model) == cp_model.INFEASIBLE:
            names = trial
    model.clear_assumptions()
    model.add_assumptions(list(built.groups.values()))
    return sorted(names)


def _pairs_text(problem: Problem, edges: Int64Array) -> str:
    t, p = problem.talent[edges].tolist(), problem.package[edges].tolist()
    return ", ".join(
        f"{problem.talent_name(i)}/{problem.package_name(j)}" for i, j in zip(t, p, strict=True)
    )


def _empty(
    name: str, status: Status, deadline: Deadline, notes: list[str], conflicts: list[str]
) -> Result:
    return Result.no_solution(name, status, deadline.elapsed(), notes, conflicts)


def _solve(
    compiled: CompiledRound,
    round_: Round,
    params: SolveParams | None,
    objective: StableObjective,
    preferences: Preferences | None,
    soft: bool,
    encoding: Encoding,
    hint: Int64Array | None = None,
) -> Result:
    if objective not in OBJECTIVES:
        raise ValueError(f"objective {objective!r} not understood; use one of {OBJECTIVES}.")
    if encoding not in ("clause", "linear"):
        raise ValueError(f"encoding {encoding!r} not understood; use 'clause' or 'linear'.")
    params = SolveParams() if params is None else params
    deadline = params.timer()
    prefs = build_preferences(compiled) if preferences is None else preferences
    if prefs.n_edges != compiled.n_edges:
        raise ValueError("preferences must be over the compiled round's edges.")
    problem = build_problem(compiled, round_)
    name = f"{'fewest_blocking' if soft else 'stable_cpsat'}({objective})"
    built = build_model(problem, prefs, objective, soft, encoding)
    if hint is not None:
        built.hint(prefs, hint)
        if soft:
            # the hint meets every hard constraint, so there is no conflict to name: the
            # groups hold as constraints, not assumptions, and CP-SAT uses every worker
            built.model.clear_assumptions()
            built.model.add_bool_and(list(built.groups.values()))
    built.chains.clear()  # only hints need the auxiliary variables' handles
    solver, status = _run(name, built, params, deadline, soft)

    if status == Status.INFEASIBLE:
        conflicts = _conflicts(solver, built, params, deadline)
        others = [c for c in conflicts if c != STABILITY]
        what = "matching" if soft else "stable matching"
        notes = [f"no {what} respects " + (", ".join(others) if others else "the constraints")]
        if not soft:
            notes.append("solve_fewest_blocking gives the matching with the fewest blocking pairs")
        return _empty(name, status, deadline, notes, conflicts)
    if not status.has_solution:
        return _empty(name, status, deadline, [f"CP-SAT ended with status {status}"], [])

    chosen = np.array([solver.boolean_value(v) for v in built.x], dtype=bool)
    edges = np.sort(built.edges[chosen]) if chosen.size else np.zeros(0, dtype=np.int64)
    audit = audit_matching(prefs, edges, with_pairs=True)
    total_rank, worst_rank = rank_summary(prefs, edges)
    notes = [
        f"CP-SAT {status}: {'fewest blocking pairs, then ' if soft else ''}{objective}",
        f"total rank {total_rank}, worst rank {worst_rank}",
        f"{audit.blocking} blocking pair(s) by the audit",
    ]
    if audit.pairs is not None and audit.pairs.size:
        more = audit.pairs.size - MAX_PAIRS_SHOWN
        notes.append(
            "blocking: "
            + _pairs_text(problem, audit.pairs[:MAX_PAIRS_SHOWN])
            + (f" and {more} more" if more > 0 else "")
        )
    if round_.policy.max_tours_per_talent > 1:
        notes.append("each talent gets at most one tour (stable matching is one-to-many)")
    judged = judged_result(name, problem, edges, deadline, notes)
    bound = None
    if objective == "score" and not soft and judged.objective is not None:
        # model objective = weight * placements + gain; secondary = gain - constant penalty
        bound = float(solver.best_objective_bound) - problem.constant_penalty
        if problem.lexicographic:
            bound -= built.placement_weight * int(edges.size)
    return Result(
        solver=name,
        status=status if judged.status == Status.FEASIBLE else judged.status,
        edges=edges,
        objective=judged.objective,
        bound=bound,
        wall_time=deadline.elapsed(),
        notes=judged.notes,
        conflicts=judged.conflicts,
    )


def solve_stable(
    compiled: CompiledRound,
    round_: Round,
    params: SolveParams | None = None,
    *,
    objective: StableObjective = "score",
    preferences: Preferences | None = None,
    encoding: Encoding = "clause",
    hint: Int64Array | None = None,
) -> Result:
    """The best stable matching that respects seats, budgets, pins and accepted placements.

    Parameters
    ----------
    compiled
        The compiled round.
    round_
        The round it was compiled from.
    params
        Time limit, workers (at most 2 are used), seed and gap.
    objective
        ``"score"``, ``"egalitarian"`` or ``"minimax"`` (see the module docstring).
    preferences
        Preferences over ``compiled``'s edges; built with
        :func:`~matcher.preferences.build_preferences` when omitted.
    encoding
        ``"clause"`` (default) or ``"linear"`` stability constraints; the same matchings.
    hint
        A matching (compiled edges) CP-SAT starts from.

    Returns
    -------
    Result
        ``OPTIMAL`` or ``FEASIBLE`` with a stable matching; ``INFEASIBLE`` with the
        conflicting constraint groups when no stable matching respects them (the groups are
        a sufficient set, not always a minimal one); ``UNKNOWN`` if the evaluator finds a
        violation of a rule the model leaves out (hard fairness). ``bound`` is set for the
        ``score`` objective only.
    """
    return _solve(compiled, round_, params, objective, preferences, False, encoding, hint)


def solve_fewest_blocking(
    compiled: CompiledRound,
    round_: Round,
    params: SolveParams | None = None,
    *,
    objective: StableObjective = "score",
    preferences: Preferences | None = None,
    encoding: Encoding = "clause",
    hint: Int64Array | None = None,
) -> Result:
    """The matching with the fewest blocking pairs under the same hard constraints, and the
    best by ``objective`` among those (parameters as in :func:`solve_stable`).

    It exists whenever the constraints other than stability can be met. Its notes give its
    audited number of blocking pairs and name the first few.
    """
    return _solve(compiled, round_, params, objective, preferences, True, encoding, hint)


__all__ = [
    "solve_fewest_blocking",
    "solve_stable",
]
