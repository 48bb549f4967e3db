"""The linear relaxation of a round, solved by column generation: a bound, prices and a
start for large rounds.

The model of a round (:func:`solvers.model.build.build_spec`) with its integrality dropped is
a linear program. On a round with hundreds of thousands of edges HiGHS's dual simplex
solves it whole in about 45 s, but almost every edge is zero at the optimum; so the program
is solved on a few columns (each talent's best edges by score, the incumbent's and the
auxiliary variables), and the edge of highest positive reduced cost of each talent joins,
until none is left or the time is up. Each program starts from the last one's basis.

Bound
-----
For any row duals ``y`` (``>= 0`` on a row's upper side, ``<= 0`` on its lower side) the
Lagrangian function that keeps only the per-talent tour rows and the variable bounds,

    L(y) = y . b + sum over non-edge variables of max over their bounds of (c_j - y . A_j) x_j
           + max over x within the tour rows of sum_e (c_e - y . A_e) x_e,

bounds the model's objective from above, whatever ``y`` is: no proof rests on HiGHS's
tolerances. Its last term is the talent-separable relaxation of :mod:`solvers.core`, so the
result is expressed as priced edge weights ``c_e - y . A_e`` and a credit (the rest): the
core, reduced-cost fixing and the bound all come from :func:`solvers.core.reduced_costs`, as
for the Lagrangian phase (:mod:`solvers.lagrange`), whose multipliers cover the budgets only.
Here the seats are priced too. At the LP optimum over every edge, ``L`` equals the LP value.

Keeping the hosts' fee budget rows instead (pricing the tour rows), each host's edges become
a 0/1 knapsack; solved whole, they give a bound at most the LP value at the LP's duals. It
was measured there and not adopted. What was measured, for both, is in
``docs/solver-options.md``.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.optimize._highspy import _core as highs_core  # type: ignore[import-untyped]

from solvers.backends.highs import constraint_matrix
from solvers.core import reduced_costs
from solvers.model.spec import ModelSpec
from solvers.problem import BoolArray, Int64Array, Problem, best_per_talent

FloatArray = npt.NDArray[np.float64]

START_PER_TALENT = 3
"""Each talent's best edges by objective coefficient in the first program."""
ADD_PER_TALENT = 1
"""Most edges of positive reduced cost a talent brings into the next program: warm started,
many small steps beat few large ones (synthetic 20,000 x 5,000: 27 s with 1, 29 s with 3)."""
BOUND_MARGIN = 1e-9
"""Relative slack added to the bound before flooring it: float sums over many edges."""
PRICE_TOLERANCE = 1e-6
"""Reduced cost above which an edge is worth a column."""


@dataclass(frozen=True)
class LpRelaxation:
    """What the column generation found.

    Attributes
    ----------
    x
        Per edge: its value in the last program solved (0 outside its columns).
    value
        That program's objective in combined units (see :func:`solvers.lagrange.combined`).
    bound
        The best bound on the combined objective over the duals of every program solved,
        floored.
    priced_weight, credit
        At the duals of that best bound: per edge its objective coefficient less the priced
        rows, and the rest of ``L`` (see the module docstring), in combined units; inputs of
        :func:`solvers.core.reduced_costs`.
    solves, columns
        Programs solved, and the edge columns of the last one.
    complete
        Whether no edge outside the last program had a positive reduced cost: its value is
        then the LP optimum over every edge.
    """

    x: FloatArray
    value: float
    bound: float
    priced_weight: FloatArray
    credit: float
    solves: int
    columns: int
    complete: bool


class Program:
    """The restricted master: the model's rows, its non-edge variables and the edge columns
    added so far, held by one HiGHS instance, so that each program starts from the last
    one's basis (re-solving from scratch took 10-19 s a program on the synthetic
    20,000 x 5,000 round; warm, the whole column generation takes 27 s there, 5 s on the
    one without fairness rules).

    Uses the HiGHS that SciPy ships (``scipy.optimize._highspy``): :func:`linprog` has no
    warm start, and the ``highspy`` package crashes beside OR-Tools in one process.
    """

    def __init__(self, spec: ModelSpec) -> None:
        rows = constraint_matrix(spec)
        self.matrix = sp.csc_array(rows.A)
        self.lo = np.array(rows.lb, dtype=np.float64)
        self.hi = np.array(rows.ub, dtype=np.float64)
        self.var_lo = np.asarray(spec.lo, dtype=np.float64)
        self.var_hi = np.asarray(spec.hi, dtype=np.float64)
        self.cost = spec.objective_coef.astype(np.float64)
        self.columns = np.zeros(0, dtype=np.int64)
        self._highs = highs_core._Highs()
        self._highs.setOptionValue("output_flag", False)
        # presolve would rebuild the program on every solve and lose the basis
        self._highs.setOptionValue("presolve", "off")
        # unscaled, the column generation ran in 20 s instead of 27 s on the synthetic
        # 20,000 x 5,000 round and in 4.5 s instead of 5 s on the one without a subsidy pool
        self._highs.setOptionValue("simplex_scale_strategy", 0)
        self._highs.changeObjectiveSense(highs_core.ObjSense.kMaximize)
        infinity = self._highs.getInfinity()
        no_entries = np.zeros(0, dtype=np.int32)
        self._highs.addRows(
            self.lo.size,
            np.where(np.isfinite(self.lo), self.lo, -infinity),
            np.where(np.isfinite(self.hi), self.hi, infinity),
            0,
            np.zeros(self.lo.size, dtype=np.int32),
            no_entries,
            np.zeros(0, dtype=np.float64),
        )

    def add(self, columns: Int64Array) -> None:
        """Add the variables ``columns`` (indices into the model) to the program."""
        block = self.matrix[:, columns]
        self._highs.addCols(
            columns.size,
            self.cost[columns],
            self.var_lo[columns],
            self.var_hi[columns],
            block.nnz,
            block.indptr[:-1].astype(np.int32),
            block.indices.astype(np.int32),
            block.data.astype(np.float64),
        )
        self.columns = np.concatenate([self.columns, columns])

    def set_row_bounds(self, rows: Int64Array, lo: FloatArray, hi: FloatArray) -> None:
        """New sides for ``rows`` (infinite ones allowed); the next solve starts from the
        last basis (:mod:`solvers.prices` drops a rule's rows this way)."""
        infinity = self._highs.getInfinity()
        for r, low, high in zip(rows.tolist(), lo.tolist(), hi.tolist(), strict=True):
            self.lo[r], self.hi[r] = low, high
            low = low if math.isfinite(low) else -infinity
            high = high if math.isfinite(high) else infinity
            self._highs.changeRowBounds(int(r), low, high)

    def set_var_bounds(self, variables: Int64Array, lo: FloatArray, hi: FloatArray) -> None:
        """New bounds for model variables, in the program or not yet in it."""
        self.var_lo[variables], self.var_hi[variables] = lo, hi
        position = {int(v): i for i, v in enumerate(self.columns.tolist())}
        for v in variables.tolist():
            if v in position:
                self._highs.changeColBounds(position[v], self.var_lo[v], self.var_hi[v])

    def solve(self, limit: float) -> tuple[FloatArray, float, FloatArray] | None:
        """Maximize over the columns added: their values, the objective and the row duals
        (``>= 0`` on binding upper sides, ``<= 0`` on lower ones), or None without an
        optimum in ``limit`` seconds."""
        # HiGHS's time limit counts the time of every run so far
        self._highs.setOptionValue("time_limit", self._highs.getRunTime() + max(limit, 0.01))
        self._highs.run()
        if self._highs.getModelStatus() != highs_core.HighsModelStatus.kOptimal:
            return None
        solution = self._highs.getSolution()
        y = np.asarray(solution.row_dual, dtype=np.float64)
        # float noise of the wrong sign is dropped: every sign-respecting y gives a bound
        y = np.where(np.isfinite(self.hi), np.maximum(y, 0.0), 0.0) + np.where(
            np.isfinite(self.lo), np.minimum(y, 0.0), 0.0
        )
        value = float(self._highs.getInfo().objective_function_value)
        return np.asarray(solution.col_value, dtype=np.float64), value, y

    def credit(self, y: FloatArray, rc: FloatArray, n_edges: int) -> float:
        """``y . b`` plus the best the non-edge variables make at reduced costs ``rc``."""
        side = np.where(y > 0, self.hi, np.where(y < 0, self.lo, 0.0))
        rows = float(np.dot(y, np.where(y != 0, side, 0.0)))
        aux = rc[n_edges:]
        lo, hi = self.var_lo[n_edges:], self.var_hi[n_edges:]
        return rows + float(np.maximum(aux * lo, aux * hi).sum())


def lp_relaxation(
    problem: Problem,
    spec: ModelSpec,
    time_limit: float,
    incumbent: BoolArray | None = None,
    max_programs: int = 1000,
) -> LpRelaxation | None:
    """Solve the linear relaxation of ``spec`` (the model of ``problem``) by column
    generation for at most about ``time_limit`` seconds.

    Parameters
    ----------
    problem
        The integer problem.
    spec
        Its CP-SAT model (see :func:`solvers.model.build.build_spec`).
    time_limit
        Seconds to spend; the program running when they are up is stopped.
    incumbent
        A feasible assignment whose edges are columns from the start.
    max_programs
        Most programs to solve.

    Returns
    -------
    LpRelaxation or None
        None when not even the first program is solved in time.
    """
    deadline = time.perf_counter() + time_limit
    program = Program(spec)
    c = program.cost
    n = problem.n_edges
    tour_rows = np.arange(spec.tour_rows, spec.tour_rows + spec.tour_talents.size)
    live = program.var_hi[:n] > 0
    in_program = best_per_talent(problem, c[:n], START_PER_TALENT, live)
    in_program |= problem.forced
    if incumbent is not None:
        in_program |= incumbent
    program.add(np.concatenate([np.flatnonzero(in_program), np.arange(n, spec.n_vars)]))
    best: LpRelaxation | None = None
    solves = 0
    while True:
        solved = program.solve(deadline - time.perf_counter())
        if solved is None:
            return best
        values, value, y = solved
        solves += 1
        rc = c - program.matrix.T @ y
        # the tour rows stay in the relaxation (reduced_costs solves them per talent)
        kept = y.copy()
        kept[tour_rows] = 0.0
        kept_rc = c - program.matrix.T @ kept
        priced = kept_rc[:n]
        credit = program.credit(kept, kept_rc, n)
        credit += spec.objective_offset - spec.shift
        _, separable = reduced_costs(problem, priced, credit)
        bound = float(math.floor(separable + BOUND_MARGIN * max(1.0, abs(separable))))
        entering = live & ~in_program & (rc[:n] > PRICE_TOLERANCE)
        x = np.zeros(spec.n_vars)
        x[program.columns] = values
        x = x[:n]
        state = LpRelaxation(
            x=x,
            value=value + spec.objective_offset - spec.shift,
            bound=bound,
            priced_weight=priced,
            credit=credit,
            solves=solves,
            columns=int(in_program.sum()),
            complete=not entering.any(),
        )
        if best is not None and best.bound <= bound:
            # the duals of an earlier program bounded better: keep them with the new values
            state = dataclasses.replace(
                state, bound=best.bound, priced_weight=best.priced_weight, credit=best.credit
            )
        best = state
        if best.complete:
            return best
        if solves >= max_programs:
            return best
        adding = np.flatnonzero(best_per_talent(problem, rc[:n], ADD_PER_TALENT, entering))
        in_program[adding] = True
        program.add(adding)
