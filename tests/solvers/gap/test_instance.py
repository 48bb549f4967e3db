"""A GAP instance checks itself; the checker scores an assignment by hand-computed numbers;
the gap to a best-known value in both senses."""

from __future__ import annotations

import numpy as np
import pytest

from solvers.gap.instance import GapInstance, Sense, evaluate_assignment, gap_percent


def tiny() -> GapInstance:
    """Two agents, three jobs; agent 0 holds 5, agent 1 holds 4."""
    return GapInstance(
        name="tiny",
        m=2,
        n=3,
        cost=np.array([[1, 2, 3], [4, 5, 6]]),
        resource=np.array([[2, 2, 2], [3, 3, 3]]),
        capacity=np.array([5, 4]),
    )


def test_instance_validates_itself() -> None:
    with pytest.raises(ValueError, match="cost has shape"):
        GapInstance("bad", 2, 3, np.zeros((3, 2), int), np.zeros((2, 3), int), np.zeros(2, int))
    with pytest.raises(ValueError, match="negative capacity"):
        GapInstance("bad", 1, 1, np.zeros((1, 1), int), np.zeros((1, 1), int), np.array([-1]))
    instance = tiny()
    with pytest.raises(ValueError, match="read-only"):
        instance.cost[0, 0] = 9


# --- the checker ---------------------------------------------------------------------------


def test_checker_on_a_hand_computed_assignment() -> None:
    cost, feasible, overload = evaluate_assignment(tiny(), [0, 0, 1])
    assert (cost, feasible, overload.tolist()) == (1 + 2 + 6, True, [0, 0])
    cost, feasible, overload = evaluate_assignment(tiny(), [0, 0, 0])
    assert (cost, feasible, overload.tolist()) == (6, False, [1, 0])
    cost, feasible, overload = evaluate_assignment(tiny(), [1, 1, 0])
    assert (cost, feasible, overload.tolist()) == (12, False, [0, 2])


def test_checker_rejects_malformed_assignments() -> None:
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        evaluate_assignment(tiny(), [0, 2, 1])
    with pytest.raises(ValueError, match="shape"):
        evaluate_assignment(tiny(), [0, 1])


def test_gap_percent_in_both_senses() -> None:
    assert gap_percent(110, 100, Sense.MIN) == pytest.approx(10.0)
    assert gap_percent(90, 100, Sense.MAX) == pytest.approx(10.0)
    assert gap_percent(95, 100, Sense.MIN) == pytest.approx(-5.0)


# --- published solutions -------------------------------------------------------------------
