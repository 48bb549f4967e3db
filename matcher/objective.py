"""The objective every solver maximizes and the evaluator reports.

Placing talents comes first: by default the objective is lexicographic, most placements,
then the total weighted score of the placements minus soft penalties. With
``policy.objective == "weighted"`` it is one sum: ``placement_weight`` per placement plus
the scores, minus penalties.

Solvers work in integers: a score ``s`` in [0, 1] counts as ``round(s * SCORE_RESOLUTION)``.
A resolution of 1/1000 keeps the ranking of pairs whose scores differ by more than 0.001 and
keeps CP-SAT's coefficients small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.models import Policy

SCORE_RESOLUTION = 1000
"""Integer units per score point of 1.0."""


def scaled(values: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Scores (or penalties in score points) in integer solver units."""
    return np.rint(np.asarray(values, dtype=np.float64) * SCORE_RESOLUTION).astype(np.int64)


@dataclass(frozen=True)
class Objective:
    """Value of an assignment under a policy.

    Attributes
    ----------
    placements
        Number of placements.
    score
        Sum of the placements' total scores (integer units, see :data:`SCORE_RESOLUTION`).
    penalty
        Soft penalties (integer units): fairness shortfalls and excesses, and changes to the
        previous round's proposed placements.
    lexicographic
        Whether placements count first (else one weighted sum).
    placement_weight
        Units per placement in the weighted sum.
    bonus
        The breadth bonus (integer units): ``policy.breadth_bonus`` per distinct (lender,
        host) link of the placements.
    """

    placements: int
    score: int
    penalty: int
    lexicographic: bool
    placement_weight: int
    bonus: int = 0

    @property
    def secondary(self) -> int:
        """Score plus the breadth bonus minus penalties: what counts once the placements
        are equal."""
        return self.score + self.bonus - self.penalty

    @property
    def value(self) -> int:
        """One number to maximize when the objective is weighted; for a lexicographic
        objective, the secondary term (compare :meth:`key` instead)."""
        if self.lexicographic:
            return self.secondary
        return self.placements * self.placement_weight + self.secondary

    def key(self) -> tuple[int, int]:
        """Sort key: a larger key is a better assignment."""
        if self.lexicographic:
            return (self.placements, self.secondary)
        return (0, self.value)


def make_objective(
    placements: int, score: int, penalty: int, policy: Policy, links: int = 0
) -> Objective:
    """The objective of an assignment with these totals and ``links`` distinct (lender,
    host) links under ``policy``."""
    return Objective(
        placements=placements,
        score=score,
        penalty=penalty,
        lexicographic=policy.objective == "lexicographic",
        placement_weight=int(scaled(policy.placement_weight)),
        bonus=links * int(scaled(policy.breadth_bonus)),
    )
