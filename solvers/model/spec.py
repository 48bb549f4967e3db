"""The model as plain arrays: its linear rows (:class:`Rows`), the whole model
(:class:`ModelSpec`) and the names of its conflict groups (:class:`Groups`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from solvers.problem import Int64Array

NO_GROUP = -1
"""Group of a row that belongs to no conflict group (definitions of counters)."""


@dataclass
class Rows:
    """Linear rows ``lo <= sum(coef * var) <= hi`` in compressed sparse row form, each with
    the index of its conflict group (:data:`NO_GROUP` for none)."""

    indptr: list[int] = field(default_factory=lambda: [0])
    var: list[Int64Array] = field(default_factory=list)
    coef: list[Int64Array] = field(default_factory=list)
    lo: list[int] = field(default_factory=list)
    hi: list[int] = field(default_factory=list)
    group: list[int] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.lo)

    def add(self, var: Int64Array, coef: Int64Array, lo: int, hi: int, group: int) -> None:
        """Append one row."""
        self.var.append(var.astype(np.int64))
        self.coef.append(coef.astype(np.int64))
        self.indptr.append(self.indptr[-1] + int(var.size))
        self.lo.append(int(lo))
        self.hi.append(int(hi))
        self.group.append(group)

    def add_block(
        self,
        indptr: Int64Array,
        var: Int64Array,
        coef: Int64Array,
        lo: Int64Array,
        hi: Int64Array,
        group: Sequence[int],
    ) -> None:
        """Append many rows given in CSR form (``indptr`` starts at 0)."""
        base = self.indptr[-1]
        self.var.append(var.astype(np.int64))
        self.coef.append(coef.astype(np.int64))
        self.indptr.extend((base + indptr[1:]).tolist())
        self.lo.extend(lo.tolist())
        self.hi.extend(hi.tolist())
        self.group.extend(group)


@dataclass
class ModelSpec:
    """The model as plain arrays, emitted for CP-SAT by
    :func:`solvers.backends.cpsat.to_cp_model` and given to HiGHS as it is.

    Attributes
    ----------
    lo, hi
        Domain of every variable; the first ``n_edges`` are the edge Booleans.
    rows
        The linear constraints.
    groups
        Names of the conflict groups that rows refer to.
    literals
        When built for conflicts: the enforcement literal (a variable) of each group.
    objective_coef, objective_offset
        The maximized objective ``sum(objective_coef * var) + objective_offset``.
    multiplier
        ``M`` of the lexicographic objective (1 when weighted).
    shift
        What to subtract from ``objective - M * placements`` to get the secondary term.
    short, placed_at, placed, over
        Indices of the counter variables (see :func:`solvers.model.build.build_spec`), -1
        where absent.
    tour_rows
        Index of the first per-talent ``sum x <= max_tours`` row; those rows follow one
        another, one per talent in ``tour_talents`` (talents with more live edges than
        ``max_tours``).
    tour_talents
        See ``tour_rows``.
    link_vars, link_ids
        The breadth bonus's link variables (``y[l] <= sum x`` over the link's edges) and
        the link (:attr:`solvers.problem.Problem.link`) of each; empty without a bonus.
    floor_short
        Per floor of ``problem.floors``: the index of its ``short`` variable (placements
        short of a soft floor), -1 for a hard floor.
    """

    n_edges: int
    lo: list[int]
    hi: list[int]
    rows: Rows
    groups: list[str]
    literals: list[int]
    objective_coef: Int64Array
    objective_offset: int
    multiplier: int
    shift: int
    short: Int64Array
    placed_at: Int64Array
    placed: int
    over: Int64Array
    tour_rows: int = 0
    tour_talents: Int64Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    link_vars: Int64Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    link_ids: Int64Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    floor_short: Int64Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_vars(self) -> int:
        return len(self.lo)

    def new_vars(self, lo: Sequence[int], hi: Sequence[int]) -> Int64Array:
        """Append variables with these domains and return their indices."""
        first = len(self.lo)
        self.lo.extend(int(v) for v in lo)
        self.hi.extend(int(v) for v in hi)
        return np.arange(first, len(self.lo), dtype=np.int64)


class Groups:
    """Conflict group names, numbered on first use."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, name: str) -> int:
        if name not in self.index:
            self.index[name] = len(self.names)
            self.names.append(name)
        return self.index[name]
