"""The shared solver types: parameters that refuse nonsense, gaps, and pairs."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.compile import compile_round
from matcher.models import Policy
from matcher.objective import make_objective
from matcher.roundio import load_round
from solvers.result import Progress, Result, SolveParams, Status, relative_gap
from tests.factories import PILOT


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_limit": 0}, "time_limit <= 0 not understood."),
        ({"workers": 0}, "workers < 1 not understood."),
        ({"relative_gap": 1.0}, "relative_gap outside [0, 1) not understood."),
        ({"relative_gap": -0.1}, "relative_gap outside [0, 1) not understood."),
    ],
)
def test_bad_parameters_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace(")", r"\)")):
        SolveParams(**kwargs)  # type: ignore[arg-type]


def test_relative_gap() -> None:
    assert relative_gap(None, 10) is None
    assert relative_gap(100, None) is None
    assert relative_gap(100, 101) == pytest.approx(0.01)
    assert relative_gap(0, 0.5) == pytest.approx(0.5)  # denominators below 1 count as 1
    assert Progress("cpsat", 1.0, 200.0, 210.0).gap == pytest.approx(0.05)


def test_status_has_solution() -> None:
    assert Status.OPTIMAL.has_solution and Status.FEASIBLE.has_solution
    assert not any(s.has_solution for s in (Status.INFEASIBLE, Status.UNKNOWN))
    assert not Status.MODEL_INVALID.has_solution


def test_result_pairs_and_gap() -> None:
    compiled = compile_round(load_round(PILOT))
    objective = make_objective(2, 1000, 0, Policy(objective="weighted", placement_weight=0))
    result = Result(
        solver="test",
        status=Status.FEASIBLE,
        edges=np.array([0, 2]),
        objective=objective,
        bound=1100.0,
        wall_time=0.1,
    )
    assert result.placements == 2
    assert result.pairs(compiled) == [("ann", "coop-finance"), ("chloe", "city-data")]
    assert result.gap == pytest.approx(0.1)


def test_lexicographic_gap_is_on_placements_while_they_are_short() -> None:
    objective = make_objective(90, 50_000, 0, Policy())
    short = Result("test", Status.FEASIBLE, np.arange(90), objective, 60_000.0, 1.0, [], [], 100)
    assert short.placements_short
    assert short.gap == pytest.approx(10 / 90)
    proven = Result("test", Status.FEASIBLE, np.arange(90), objective, 50_500.0, 1.0, [], [], 90)
    assert not proven.placements_short
    assert proven.gap == pytest.approx(500 / 50_000)


def test_a_result_cannot_be_changed_once_built() -> None:
    edges = np.array([3, 1], dtype=np.int64)
    notes = ["first"]
    result = Result("greedy", Status.FEASIBLE, edges, None, None, 0.1, notes, ["pins"])
    notes.append("later")
    edges[0] = 7
    assert result.notes == ("first",) and result.conflicts == ("pins",)
    assert result.edges.tolist() == [3, 1]
    with pytest.raises(ValueError, match="read-only"):
        result.edges[0] = 5
    with pytest.raises(AttributeError):
        result.notes.append("more")  # type: ignore[attr-defined]


def test_a_result_without_an_assignment() -> None:
    result = Result.no_solution("auto", Status.INFEASIBLE, 1.5, ["no room"], ["pins"])
    assert (result.placements, result.objective, result.bound, result.gap) == (0, None, None, None)
    assert (result.notes, result.conflicts, result.wall_time) == (("no room",), ("pins",), 1.5)


def test_progress_while_more_placements_are_possible_is_on_placements() -> None:
    # lexicographic: combined = 1,000 * placements + score term; the bound allows 12
    short = Progress.of_combined("auto", 1.0, 900.0, 10, 12_500.0, 1_000)
    assert (short.bound, short.placement_bound, short.placements_short) == (None, 12, True)
    assert short.gap == pytest.approx(2 / 10)
    # the bound allows no more placements: the gap is on the score term, in its units
    level = Progress.of_combined("auto", 1.0, 900.0, 12, 12_950.0, 1_000)
    assert (level.bound, level.placement_bound, level.placements_short) == (950.0, 12, False)
    assert level.gap == pytest.approx(50 / 900)
    # weighted: the bound is on the value itself
    weighted = Progress.of_combined("auto", 1.0, 900.0, None, 950.0, 1)
    assert (weighted.bound, weighted.placement_bound) == (950.0, None)
    unknown = Progress.of_combined("auto", 1.0, 900.0, 10, float("inf"), 1_000)
    assert (unknown.bound, unknown.gap) == (None, None)
