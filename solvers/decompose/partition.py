"""Splitting a round into parts: its talents, grouped by lending organization.

Each part holds whole lenders (every talent a lending organization offers), with every
candidate edge of those talents: no edge is cut, a talent's tours and FTE stay inside one part,
and so do the lenders' top-up budgets and minimum placements. What spans parts are the seats
of the packages, the hosts' fee budgets, the subsidy pool and the host share; they are shared
out among the parts (:mod:`solvers.decompose.coordinate`).

Cutting the candidate graph instead (whole hosts and the talents that want them in one part)
was measured and dropped: on the generated national round (100,000 x 20,000), five parts of
whole hosts kept only 41 % of the priced weight inside parts, since talents' best packages lie
across sectors; sharing seats loses far less.

Lenders are laid out in the order of their sector and cut into parts of about even edges
(even work), so that talents of one sector, who want much the same packages, tend to share a
part and a package's seats are shared among few parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solvers.problem import BoolArray, Int64Array, Problem


@dataclass(frozen=True)
class Partition:
    """Parts of a round.

    Attributes
    ----------
    n_parts
        Number of parts.
    lender_part, talent_part
        Per organization (as a lender) and per talent: its part.
    edge_part
        Per edge: the part of its talent.
    """

    n_parts: int
    lender_part: Int64Array
    talent_part: Int64Array
    edge_part: Int64Array

    def edges_of(self, part: int) -> BoolArray:
        """Per edge: whether it lies inside ``part``."""
        return np.asarray(self.edge_part == part, dtype=bool)


def partition(problem: Problem, n_parts: int) -> Partition:
    """Split ``problem`` into ``n_parts`` parts of whole lenders and about even edges.

    Parameters
    ----------
    problem
        The integer problem.
    n_parts
        Number of parts (at least 1).
    """
    if n_parts < 1:
        raise ValueError("n_parts < 1 not understood.")
    talent_lender = problem.compiled.arrays.talent_lender.astype(np.int64)
    load = np.bincount(problem.lender, minlength=problem.n_orgs).astype(np.float64)
    sector = problem.compiled.arrays.org_sector.astype(np.int64)
    order = np.lexsort((-load, sector))
    # each lender's part is where the middle of its edges falls in the running total
    middle = np.cumsum(load[order]) - load[order] / 2
    total = max(float(load.sum()), 1.0)
    lender_part = np.zeros(problem.n_orgs, dtype=np.int64)
    lender_part[order] = np.minimum((middle / total * n_parts).astype(np.int64), n_parts - 1)
    talent_part = lender_part[talent_lender]
    return Partition(n_parts, lender_part, talent_part, talent_part[problem.talent])
