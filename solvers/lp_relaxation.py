"""The linear relaxation of a round, solved by column generation: a bound, prices and a
start for large rounds.

The CP-SAT model of a round (:func:`solvers.cpsat.build_spec`) with its integrality dropped
is a linear program. On a round with hundreds of thousands of edges HiGHS's dual simplex
(through :func:`scipy.optimize.linprog`) solves it in about 45 s, but almost every edge is
zero at the optimum; so the program is solved on a few columns (each talent's best edges by
score, the incumbent's and the auxiliary variables), and the edges whose reduced cost at the
duals is positive join, each talent's best ones first, until none is left or the time is up.

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

Measured on the generated 20,000 x 5,000 round (818,488 edges, weighted): the LP value is
9,560,076; starting from each talent's 3 best edges and adding up to 3 a talent per
solve, the bound is 9,575,604 after 8 s and 9,562,576 after 13 s (the Lagrangian phase:
9,589,552 after 35 s).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.optimize import linprog  # type: ignore[import-untyped]

from solvers.core import reduced_costs
from solvers.cpsat import ModelSpec
from solvers.highs import constraint_matrix
from solvers.problem import BoolArray, Int64Array, Problem, best_per_talent

FloatArray = npt.NDArray[np.float64]

START_PER_TALENT = 3
"""Each talent's best edges by objective coefficient in the first program."""
ADD_PER_TALENT = 3
"""Most edges of positive reduced cost a talent brings into the next program."""
BOUND_MARGIN = 1e-9
"""Relative slack added to the bound before flooring it: float sums over many edges."""
PRICE_TOLERANCE = 1e-6
"""Reduced cost above which an edge is worth a column."""
OPTIMAL = 0
""":func:`scipy.optimize.linprog` status of a solved program."""


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


@dataclass(frozen=True)
class _Program:
    """The model's rows split for :func:`scipy.optimize.linprog` (upper sides, binding
    lower sides negated, equalities) and its variable bounds."""

    matrix: sp.csc_array
    lo: FloatArray
    hi: FloatArray
    var_lo: FloatArray
    var_hi: FloatArray
    upper: BoolArray
    lower: BoolArray
    equal: BoolArray

    @classmethod
    def of(cls, spec: ModelSpec) -> _Program:
        rows = constraint_matrix(spec)
        matrix = sp.csc_array(rows.A)
        lo, hi = np.asarray(rows.lb, dtype=np.float64), np.asarray(rows.ub, dtype=np.float64)
        var_lo = np.asarray(spec.lo, dtype=np.float64)
        var_hi = np.asarray(spec.hi, dtype=np.float64)
        # a lower side that every assignment within the variable bounds meets adds nothing
        positive, negative = matrix.copy(), matrix.copy()
        positive.data = np.maximum(positive.data, 0)
        negative.data = np.minimum(negative.data, 0)
        least = positive @ var_lo + negative @ var_hi
        equal = lo == hi
        upper = ~equal & np.isfinite(hi)
        lower = ~equal & np.isfinite(lo) & (lo > least)
        return cls(matrix, lo, hi, var_lo, var_hi, upper, lower, equal)

    def solve(
        self, c: FloatArray, columns: Int64Array, limit: float
    ) -> tuple[FloatArray, float, FloatArray] | None:
        """Maximize ``c . x`` over ``columns``: the column values, the objective and the row
        duals of the maximization (``>= 0`` on upper sides), or None without an optimum in
        ``limit`` seconds."""
        a = self.matrix[:, columns].tocsr()
        a_ub = sp.vstack([a[self.upper], -a[self.lower]]).tocsr()
        b_ub = np.concatenate([self.hi[self.upper], -self.lo[self.lower]])
        has_equal = bool(self.equal.any())
        outcome = linprog(
            -c[columns],
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a[self.equal] if has_equal else None,
            b_eq=self.hi[self.equal] if has_equal else None,
            bounds=np.column_stack([self.var_lo[columns], self.var_hi[columns]]),
            method="highs-ds",
            options={"time_limit": max(limit, 0.01), "presolve": True},
        )
        if outcome.status != OPTIMAL:
            return None
        # linprog minimized -c: the maximization's duals are the marginals negated, and any
        # float noise of the wrong sign is dropped (every sign-respecting y gives a bound)
        marginals = -np.asarray(outcome.ineqlin.marginals, dtype=np.float64)
        n_upper = int(self.upper.sum())
        y = np.zeros(self.lo.size)
        y[self.upper] = np.maximum(marginals[:n_upper], 0.0)
        y[self.lower] = -np.maximum(marginals[n_upper:], 0.0)
        if has_equal:
            y[self.equal] = -np.asarray(outcome.eqlin.marginals, dtype=np.float64)
        return np.asarray(outcome.x, dtype=np.float64), -float(outcome.fun), y

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
        Its CP-SAT model (see :func:`solvers.cpsat.build_spec`).
    time_limit
        Seconds to spend; a program is not started with less time left than the last one
        took, and the one running gets what is left.
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
    program = _Program.of(spec)
    c = spec.objective_coef.astype(np.float64)
    n = problem.n_edges
    tour_rows = np.arange(spec.tour_rows, spec.tour_rows + spec.tour_talents.size)
    live = program.var_hi[:n] > 0
    in_program = np.zeros(spec.n_vars, dtype=bool)
    in_program[n:] = True
    in_program[:n] = best_per_talent(problem, c[:n], START_PER_TALENT, live)
    in_program[:n] |= problem.forced
    if incumbent is not None:
        in_program[:n] |= incumbent
    best: LpRelaxation | None = None
    solves = 0
    while True:
        columns = np.flatnonzero(in_program)
        lap = time.perf_counter()
        solved = program.solve(c, columns, deadline - lap)
        # the next program has more columns: it takes at least as long as this one
        took = time.perf_counter() - lap
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
        entering = live & ~in_program[:n] & (rc[:n] > PRICE_TOLERANCE)
        x = np.zeros(n)
        edge_columns = columns[columns < n]
        x[edge_columns] = values[: edge_columns.size]
        state = LpRelaxation(
            x=x,
            value=value + spec.objective_offset - spec.shift,
            bound=bound,
            priced_weight=priced,
            credit=credit,
            solves=solves,
            columns=edge_columns.size,
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
        if deadline - time.perf_counter() < took or solves >= max_programs:
            return best
        in_program[:n] |= best_per_talent(problem, rc[:n], ADD_PER_TALENT, entering)
