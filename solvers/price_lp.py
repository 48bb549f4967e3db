"""The linear relaxation of a round, solved once and then again without one rule at a time,
each program starting from the last one's basis (:class:`WarmLp`): the estimates of
:mod:`solvers.prices`.

A rule's rows are dropped by making their sides infinite, its pinned edges freed by a lower
bound of 0, and the edges only its budget kept out (dead edges) opened by an upper bound of
1; the program then goes on by column generation (as :mod:`solvers.lp_relaxation`) until no
edge has a positive reduced cost, and the rule's sides and bounds are put back. Re-solving
from the basis of the last program takes a few dual simplex iterations where a program from
scratch takes the whole column generation again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from solvers.lp_relaxation import (
    ADD_PER_TALENT,
    PRICE_TOLERANCE,
    START_PER_TALENT,
    FloatArray,
    Program,
)
from solvers.model.spec import ModelSpec
from solvers.problem import BoolArray, Int64Array, Problem, best_per_talent


@dataclass(frozen=True)
class LpPoint:
    """An optimum of the linear relaxation, decoded.

    Attributes
    ----------
    placements
        Sum of the edges' values (fractional placements).
    secondary
        The objective less ``M`` (lexicographic) or the placement weight (weighted) per
        placement: score plus bonus less penalties, in score units.
    complete
        Whether no edge outside the program had a positive reduced cost at the end (else the
        time ran out: the value is that of the columns in the program).
    """

    placements: float
    secondary: float
    complete: bool


class WarmLp:
    """The linear relaxation of ``spec`` (the model of ``problem``), kept in one HiGHS
    instance between solves; the edges ``start`` (an assignment) are columns from the
    start."""

    def __init__(self, problem: Problem, spec: ModelSpec, start: Int64Array | None = None) -> None:
        self.problem = problem
        self.spec = spec
        self.program = Program(spec)
        n = problem.n_edges
        live = self.program.var_hi[:n] > 0
        self.in_program: BoolArray = best_per_talent(
            problem, self.program.cost[:n], START_PER_TALENT, live
        )
        self.in_program |= problem.forced
        if start is not None:
            # the solve's edges: most of them are in the relaxation's optimum
            self.in_program[start] = True
        self.program.add(
            np.concatenate([np.flatnonzero(self.in_program), np.arange(n, spec.n_vars)])
        )
        self.duals: FloatArray = np.zeros(spec.rows.n_rows)
        self.solves = 0

    def solve(self, deadline: float) -> LpPoint | None:
        """The optimum over every live edge, by column generation until ``deadline`` (a
        ``time.perf_counter()`` time); None when no program was solved in time. The row
        duals of the last program are kept in :attr:`duals`."""
        n = self.problem.n_edges
        program = self.program
        point: LpPoint | None = None
        while True:
            solved = program.solve(deadline - time.perf_counter())
            if solved is None:
                return point
            values, value, y = solved
            self.solves += 1
            self.duals = y
            rc = program.cost - program.matrix.T @ y
            live = program.var_hi[:n] > 0
            entering = live & ~self.in_program & (rc[:n] > PRICE_TOLERANCE)
            point = self._point(values, value, complete=not entering.any())
            if point.complete or time.perf_counter() >= deadline:
                return point
            adding = np.flatnonzero(best_per_talent(self.problem, rc[:n], ADD_PER_TALENT, entering))
            self.in_program[adding] = True
            program.add(adding)

    def without(
        self, rows: Int64Array, free: Int64Array, opened: Int64Array, deadline: float
    ) -> LpPoint | None:
        """The optimum with ``rows`` dropped, the variables ``free`` no longer held at 1 and
        the edges ``opened`` allowed; everything is put back afterwards."""
        program = self.program
        saved_rows = (program.lo[rows].copy(), program.hi[rows].copy())
        saved_free = (program.var_lo[free].copy(), program.var_hi[free].copy())
        saved_open = (program.var_lo[opened].copy(), program.var_hi[opened].copy())
        infinite = np.full(rows.size, np.inf)
        program.set_row_bounds(rows, -infinite, infinite)
        program.set_var_bounds(free, np.zeros(free.size), saved_free[1])
        program.set_var_bounds(opened, saved_open[0], np.ones(opened.size))
        try:
            return self.solve(deadline)
        finally:
            program.set_row_bounds(rows, *saved_rows)
            program.set_var_bounds(free, *saved_free)
            program.set_var_bounds(opened, *saved_open)

    def _point(self, values: FloatArray, value: float, complete: bool) -> LpPoint:
        n = self.problem.n_edges
        columns = self.program.columns
        placements = float(values[columns < n].sum())
        combined = value + self.spec.objective_offset - self.spec.shift
        per_placement = (
            self.spec.multiplier if self.problem.lexicographic else self.problem.placement_units
        )
        return LpPoint(placements, combined - per_placement * placements, complete)
