"""The policy's outcome floors as arrays over the problem's edges.

A floor asks that ``FLOOR_RESOLUTION * sum(outcome * x) >= units * sum(x)``: at least its
share of the placements have its outcome (:mod:`matcher.floors`). :func:`floor_rules` reads
each active floor of the policy into a :class:`FloorRule`, the form
:class:`solvers.problem.Problem` carries and every solver reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.arrays import RoundArrays
from matcher.floors import OUTCOMES, floor_units
from matcher.models import Policy
from matcher.objective import scaled
from solvers.units import BoolArray, Int64Array

__all__ = ["FloorRule", "floor_rules"]


@dataclass(frozen=True, eq=False)
class FloorRule:
    """An outcome floor of the policy on the problem's edges:
    ``FLOOR_RESOLUTION * sum(outcome * x) >= units * sum(x)``.

    Attributes
    ----------
    name
        The floor's name (:data:`matcher.models.FLOOR_NAMES`).
    outcome
        Per edge: whether placing it counts towards the floor.
    units
        The share in 1/:data:`matcher.floors.FLOOR_RESOLUTION`.
    hard
        A constraint (else a penalty per placement short).
    penalty_units
        Penalty units per placement short, when soft.
    """

    name: str
    outcome: BoolArray
    units: int
    hard: bool
    penalty_units: int


def floor_rules(
    policy: Policy, arrays: RoundArrays, talent: Int64Array, package: Int64Array
) -> tuple[FloorRule, ...]:
    """The active floors of ``policy`` on the edges ``(talent[i], package[i])``.

    Parameters
    ----------
    policy
        The round's policy; only its active floors (share above 0) become rules.
    arrays
        The round's arrays, which the outcomes are read from.
    talent, package
        Per edge: talent and package index.
    """
    return tuple(
        FloorRule(
            name=name,
            outcome=OUTCOMES[name](arrays, talent, package),
            units=floor_units(floor.share),
            hard=floor.mode == "hard",
            penalty_units=int(scaled(floor.penalty)),
        )
        for name, floor in policy.active_floors().items()
    )
