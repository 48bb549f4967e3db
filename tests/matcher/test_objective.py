"""The objective: integer scaling and the lexicographic and weighted forms."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.models import Policy
from matcher.objective import SCORE_RESOLUTION, make_objective, scaled


def test_scaled_rounds_to_the_nearest_unit() -> None:
    assert SCORE_RESOLUTION == 1000
    assert scaled([0.0, 0.0004, 0.0006, 0.9995, 1.0]).tolist() == [0, 0, 1, 1000, 1000]
    assert scaled(0.25).dtype == np.int64


def test_lexicographic_puts_placements_first() -> None:
    policy = Policy()
    more = make_objective(placements=3, score=100, penalty=0, policy=policy)
    better_scored = make_objective(placements=2, score=2000, penalty=0, policy=policy)
    assert more.key() > better_scored.key()
    assert more.value == 100
    penalized = make_objective(placements=3, score=100, penalty=40, policy=policy)
    assert penalized.secondary == 60
    assert more.key() > penalized.key()


def test_weighted_objective_is_one_sum() -> None:
    policy = Policy(objective="weighted", placement_weight=0.5)
    objective = make_objective(placements=4, score=1200, penalty=200, policy=policy)
    assert objective.placement_weight == 500
    assert objective.value == 4 * 500 + 1200 - 200
    assert objective.key() == (0, objective.value)
    fewer = make_objective(placements=2, score=3500, penalty=0, policy=policy)
    assert fewer.key() > objective.key()  # the sum may trade placements for score


@pytest.mark.parametrize("weight", [0.0, 1.0, 2.5])
def test_placement_weight_in_units(weight: float) -> None:
    policy = Policy(objective="weighted", placement_weight=weight)
    assert make_objective(1, 0, 0, policy).value == round(weight * SCORE_RESOLUTION)
