"""Small GAP instances the tests share."""

from __future__ import annotations

import numpy as np

from solvers.gap.instance import GapInstance


def two_agents_three_jobs() -> GapInstance:
    """Two agents, three jobs; job 1 does not fit agent 1 (it needs 9 of its 3)."""
    return GapInstance(
        name="tiny",
        m=2,
        n=3,
        cost=np.array([[4, 1, 3], [2, 5, 6]]),
        resource=np.array([[2, 3, 4], [1, 9, 2]]),
        capacity=np.array([5, 3]),
    )
