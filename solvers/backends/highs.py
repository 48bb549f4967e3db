"""HiGHS MIP on the CP-SAT model of a round: the peer that benchmarks measure us against.

The model is :func:`solvers.model.build.build_spec`'s, unchanged: the same integer variables
(edge Booleans, then the counters of the soft rules), the same linear rows and the same
objective, so the two solvers answer the same question. HiGHS runs through
:func:`scipy.optimize.milp` (the ``highspy`` package and OR-Tools crash when imported into
one process); it has no warm start, hint or progress callback there, and no seed.

The assignment HiGHS returns is rounded (its integer variables carry float noise), checked
with :func:`solvers.problem.violated_groups` and scored with
:func:`solvers.problem.objective_of`, like every solver's. Its dual bound is on the combined
objective (placements times ``M`` plus the secondary term for a lexicographic round) and is
decoded as CP-SAT's is. A lexicographic round weighs each placement by ``M``, where HiGHS's
float tolerances may exceed the one unit that separates integer objective values: its bound
and its claim of optimality are then not guaranteed (what was measured:
``docs/solver-options.md``). The benchmarks run the weighted objective, whose coefficients
are small; the assignment is whatever the checks say either way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]

from matcher.compile import CompiledRound
from matcher.models import Round
from solvers.checks import violated_groups
from solvers.incumbent import Incumbent, incumbent_result
from solvers.model.build import build_spec
from solvers.model.spec import ModelSpec
from solvers.problem import BoolArray, Problem, build_problem
from solvers.result import Result, SolveParams, Status
from solvers.stop import Deadline

INFEASIBLE = 2
""":func:`scipy.optimize.milp` status of a model proven infeasible."""
OPTIMAL = 0
"""Its status of a model solved to optimality within ``mip_rel_gap``."""
BOUND_MARGIN = 1e-6
"""Relative slack added to HiGHS's dual bound before flooring it (float tolerance)."""


@dataclass(frozen=True)
class HighsRun:
    """What one HiGHS run on a model found.

    Attributes
    ----------
    chosen
        Its assignment as a mask over the edges (rounded from HiGHS's floats), None without
        one.
    bound
        Its dual bound on the combined objective (see :func:`solvers.lagrange.combined`),
        floored; None when unknown.
    proven
        Whether HiGHS proved the assignment optimal within the relative gap asked for.
    infeasible
        Whether HiGHS proved the model infeasible.
    message
        HiGHS's final message.
    """

    chosen: BoolArray | None
    bound: float | None
    proven: bool
    infeasible: bool
    message: str


def run_highs(
    spec: ModelSpec, time_limit: float, relative_gap: float = 0.0, node_limit: int | None = None
) -> HighsRun:
    """HiGHS's MIP solver on ``spec`` (which must have a variable) for ``time_limit``
    seconds, and at most ``node_limit`` branch-and-bound nodes when given (a bound by work,
    for reproducible runs)."""
    options: dict[str, float | int | bool] = {
        "time_limit": max(time_limit, 0.01),
        "mip_rel_gap": relative_gap,
        "disp": False,
    }
    if node_limit is not None:
        options["node_limit"] = node_limit
    outcome = milp(
        c=-spec.objective_coef.astype(np.float64),
        integrality=np.ones(spec.n_vars),
        bounds=Bounds(np.asarray(spec.lo, dtype=np.float64), np.asarray(spec.hi, np.float64)),
        constraints=constraint_matrix(spec),
        options=options,
    )
    chosen = None if outcome.x is None else edge_mask(spec, np.asarray(outcome.x))
    return HighsRun(
        chosen=chosen,
        bound=combined_bound(spec, getattr(outcome, "mip_dual_bound", None)),
        proven=outcome.status == OPTIMAL,
        infeasible=outcome.status == INFEASIBLE,
        message=str(outcome.message),
    )


def solve_highs(
    compiled: CompiledRound, round_: Round, params: SolveParams | None = None
) -> Result:
    """Solve ``round_`` with HiGHS's MIP solver on the CP-SAT model.

    Parameters
    ----------
    compiled
        The compiled round.
    round_
        The round.
    params
        ``time_limit`` and ``relative_gap`` are passed to HiGHS; ``workers``, ``seed`` and
        ``progress`` have no counterpart in :func:`scipy.optimize.milp`.

    Returns
    -------
    Result
        OPTIMAL when HiGHS proves the optimum (within ``relative_gap``), FEASIBLE with a
        solution otherwise, INFEASIBLE when it proves that none exists, UNKNOWN without a
        solution at the time limit.
    """
    return highs_result(build_problem(compiled, round_), params or SolveParams())


def highs_result(problem: Problem, params: SolveParams) -> Result:
    """:func:`solve_highs` on a built problem, timed from ``params``' deadline (one that
    starts now when it has none)."""
    deadline = params.timer()
    spec = build_spec(problem)
    best = Incumbent(problem, spec.multiplier)
    if spec.n_vars == 0:
        # no edge at all (HiGHS refuses an empty model): the empty assignment is the round's
        best.offer(np.zeros(0, dtype=bool), "HiGHS")
        if best.objective is None:
            return _without_solution(Status.INFEASIBLE, deadline, ["no edge, yet rules to meet"])
        return incumbent_result(problem, best, Status.OPTIMAL, deadline, [], "highs")
    run = run_highs(spec, max(deadline.remaining(), 0.1), params.relative_gap)
    notes = [f"HiGHS: {run.message}"]
    if run.infeasible:
        return _without_solution(Status.INFEASIBLE, deadline, notes)
    best.tighten(run.bound)
    if run.chosen is None:
        return _without_solution(Status.UNKNOWN, deadline, notes)
    best.offer(run.chosen, "HiGHS")
    if best.objective is None:
        # the rounded assignment breaks a constraint: float noise beyond HiGHS's tolerance
        return _without_solution(Status.UNKNOWN, deadline, [*notes, _broken(problem, run.chosen)])
    status = Status.OPTIMAL if run.proven else Status.FEASIBLE
    if status == Status.OPTIMAL and params.relative_gap > 0:
        # optimal only within the gap asked for: the bound says how far
        status = Status.FEASIBLE
    return incumbent_result(problem, best, status, deadline, notes, solver="highs")


def constraint_matrix(spec: ModelSpec) -> LinearConstraint:
    """The rows of ``spec`` as one sparse matrix with their sides, for SciPy's HiGHS."""
    rows = spec.rows
    var = np.concatenate(rows.var) if rows.var else np.zeros(0, dtype=np.int64)
    coef = np.concatenate(rows.coef) if rows.coef else np.zeros(0, dtype=np.int64)
    matrix = sp.csr_array(
        (coef.astype(np.float64), var, np.asarray(rows.indptr, dtype=np.int64)),
        shape=(rows.n_rows, spec.n_vars),
    )
    lo = np.asarray(rows.lo, dtype=np.float64)
    hi = np.asarray(rows.hi, dtype=np.float64)
    return LinearConstraint(matrix, lo, hi)


def edge_mask(spec: ModelSpec, values: npt.NDArray[np.float64]) -> BoolArray:
    """The chosen edges of a HiGHS solution (a value per variable of ``spec``), rounded:
    its integer variables carry float noise."""
    return values[: spec.n_edges] > 0.5


def combined_bound(spec: ModelSpec, dual_bound: float | None) -> float | None:
    """HiGHS's dual bound (it minimised the negated objective) as a bound on the combined
    objective, floored: combined objectives are integers."""
    if dual_bound is None or not math.isfinite(dual_bound):
        return None
    # the margin scales with HiGHS's own objective, whose float noise it covers: with the
    # placements fixed (see solvers.model.build.fix_placements) M times the placements is in the
    # offset, and a margin on the whole value would leave a proof several units short
    margin = BOUND_MARGIN * max(1.0, abs(float(dual_bound)))
    value = -float(dual_bound) + spec.objective_offset
    return float(math.floor(value + margin) - spec.shift)


def _broken(problem: Problem, chosen: BoolArray) -> str:
    groups = violated_groups(problem, np.flatnonzero(chosen))
    return f"HiGHS's assignment breaks {len(groups)} group(s), first: {groups[0]}"


def _without_solution(status: Status, deadline: Deadline, notes: list[str]) -> Result:
    return Result.no_solution("highs", status, deadline.elapsed(), notes)
