"""Integer units of the solvers' problem, and how amounts and capacities round into them.

:func:`solvers.problem.build_problem` counts every quantity of a round in these units:

- Scores: :func:`matcher.objective.scaled` units (1/1000 of a score point), per edge, exactly
  as the evaluator counts them.
- Money: integer **cents**. An amount is rounded *up* to the cent and a budget *down*, so a
  set of edges that fits the integer budget fits the real one. Amounts within
  :data:`MONEY_TOL` cents above a whole cent count as that cent (float noise such as
  ``5904.000000000001``), and the budget gives back that tolerance once per possible
  placement out of half the evaluator's slack; the other half is left for the evaluator's own
  float sums. Exact for cent amounts; on a budget group with more than about 5,000 possible
  placements the integer budget may be one cent below the real one (safe, never looser).
- FTE: integer units of 1/:data:`FTE_RESOLUTION`, rounded the same way (FTE up, capacity
  down), exact for FTE given to four decimals.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

CENTS_PER_EURO = 100
"""Money is modelled in integer cents."""
FTE_RESOLUTION = 10_000
"""FTE is modelled in integer units of 1/10,000."""
EVALUATOR_SLACK = 1e-6
"""Tolerance of the evaluator on budgets and FTE (in euros and FTE)."""
MONEY_TOL = 1e-8
"""Cents: float noise tolerated above a whole cent before an amount rounds up to the next."""
FTE_TOL = 1e-6
"""FTE units: float noise tolerated above a whole unit."""
NO_LIMIT = -1
"""Marks a budget that does not exist."""


def amount_units(values: npt.ArrayLike, unit: int, tol: float) -> Int64Array:
    """Amounts in integer units, rounded up (noise up to ``tol`` units is ignored)."""
    x = np.asarray(values, dtype=np.float64) * unit
    return np.maximum(np.ceil(x - tol), 0).astype(np.int64)


def capacity_units(capacity: float, unit: int, tol: float, n_terms: int) -> int:
    """A capacity in integer units, rounded down so that any set of at most ``n_terms``
    amounts from :func:`amount_units` within it stays within the real capacity plus half the
    evaluator's slack."""
    margin = EVALUATOR_SLACK * unit / 2 - n_terms * tol
    return math.floor(capacity * unit + margin)
