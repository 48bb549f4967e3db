"""Outcome floors: which placements count towards each floor, and the floor rule itself.

A floor asks that at least ``share`` of all placements have an outcome (policy field
``floors``, :class:`matcher.models.Floor`): the talent learns something they want, uses a
strength, or moves to another sector. The outcomes are vectorized predicates over pairs
``(t[i], p[i])`` (:data:`OUTCOMES`), read by the solvers' model and by the ``learning``
eligibility rule; the evaluator checks them again one placement at a time. The rule
(:func:`floor_units`, :func:`floor_shortfall`) lives here, as the fairness rules live in
:mod:`matcher.fairness`, so that the model and the judge apply one rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from matcher.arrays import STRONG_LEVEL, BoolArray, RoundArrays, row_offsets
from matcher.models import FLOOR_NAMES

Indices = npt.NDArray[np.integer]
Outcome = Callable[[RoundArrays, Indices, Indices], BoolArray]

FLOOR_RESOLUTION = 1000
"""Floor shares are applied in steps of 1/1000: a share counts as ``round(share * 1000)``."""


def teaches_goal(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The package teaches at least one of the talent's learning goals that the talent has
    not mastered (level below 5): exactly the pairs whose ``learning`` score is above 0."""
    flat = (a.talent_gain > 0).reshape(-1)
    rows = row_offsets(a.talent_gain, t)
    ok = np.zeros(np.shape(t), dtype=bool)
    for j in range(a.package_learnable.shape[1]):  # a pad indexes a column of no gain
        ok |= flat[rows + a.package_learnable[:, j][p]]
    return ok


def uses_strength(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The talent has level 4+ on at least one required or desired skill of the package."""
    level = a.talent_level.reshape(-1)
    rows = row_offsets(a.talent_level, t)
    ok = np.zeros(np.shape(t), dtype=bool)
    for skills in (a.package_required_skill, a.package_desired_skill):
        for j in range(skills.shape[1]):  # pads index a column of level 0
            ok |= level[rows + skills[:, j][p]] >= STRONG_LEVEL
    return ok


def changes_sector(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The host is in another sector than the talent's lending organization."""
    return np.asarray(
        a.org_sector[a.talent_lender[t]] != a.org_sector[a.package_host[p]], dtype=bool
    )


OUTCOMES: dict[str, Outcome] = {
    "learning": teaches_goal,
    "strengths": uses_strength,
    "cross_sector": changes_sector,
}
assert tuple(OUTCOMES) == FLOOR_NAMES, "OUTCOMES must follow models.FLOOR_NAMES"

OUTCOME_TEXT: dict[str, str] = {
    "learning": "learns something they want",
    "strengths": "uses a strength",
    "cross_sector": "moves to another sector",
}
"""What the talent of a placement counting towards each floor does, in words."""


def floor_units(share: float) -> int:
    """A floor's share in steps of 1/:data:`FLOOR_RESOLUTION`."""
    return round(share * FLOOR_RESOLUTION)


def floor_shortfall(with_outcome: int, placements: int, share: float) -> int:
    """Placements short of a floor: the gap ``units * placements - FLOOR_RESOLUTION *
    with_outcome`` in whole placements (rounded up), 0 when the floor is met
    (``units``: :func:`floor_units` of ``share``)."""
    short = floor_units(share) * placements - FLOOR_RESOLUTION * with_outcome
    return max(0, math.ceil(short / FLOOR_RESOLUTION))


def unreachable_floors(a: RoundArrays, t: Indices, p: Indices) -> list[str]:
    """One message per active floor of the policy that no eligible pair ``(t[i], p[i])`` can
    count towards: no assignment but the empty one could meet it."""
    floors = a.policy.active_floors()
    if t.size == 0:
        return []
    return [
        f"policy field 'floors.{name}': no eligible pair has a talent who "
        f"{OUTCOME_TEXT[name]}, so no placement can count towards the floor of "
        f"{floor.share:g}; remove the floor or set its share to 0"
        for name, floor in floors.items()
        if not OUTCOMES[name](a, t, p).any()
    ]
