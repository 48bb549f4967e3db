"""why_not: failing rules, a placed pair, the cost of forcing a pair, and conflicts."""

from __future__ import annotations

import pytest

from api.why_not import why_not
from matcher.errors import RoundError
from matcher.models import PreviousPlacement
from matcher.roundio import load_round
from solvers.result import SolveParams, Status
from tests.factories import PILOT, make_round, package, talent

PARAMS = SolveParams(time_limit=5, workers=1)


def test_ineligible_pair_names_the_failing_rules() -> None:
    answer = why_not(load_round(PILOT), "femke", "city-data", params=PARAMS)
    assert answer.failing_rules == ["age", "required_skills"]
    assert answer.details == {
        "age": "47, the policy asks 50+",
        "required_skills": "needs data-analysis at level 3, talent 'femke' has none",
    }
    assert answer.text() == (
        "talent 'femke' / package 'city-data' is not eligible: age: 47, the policy asks 50+; "
        "required_skills: needs data-analysis at level 3, talent 'femke' has none"
    )


def test_placed_pair() -> None:
    answer = why_not(load_round(PILOT), "ann", "coop-finance", params=PARAMS)
    assert answer.placed
    assert answer.text() == "talent 'ann' / package 'coop-finance' is placed in this solution"


def test_forcing_an_eligible_pair_reports_the_objective_change() -> None:
    # ann is placed on coop-finance (score 0.919); on city-procurement she scores 0.427
    answer = why_not(load_round(PILOT), "ann", "city-procurement", params=PARAMS)
    assert answer.eligible and not answer.placed
    assert answer.base is not None and answer.forced is not None
    # the optimum places ann, chloe and els (scores in thousandths summing to 1952); forcing
    # ann onto city-procurement keeps the three placements and swaps her 919 for 427
    assert answer.base.key() == (3, 1952)
    assert answer.forced.key() == (3, 1952 - 919 + 427)
    assert answer.forced.placements == answer.base.placements
    assert answer.forced.secondary - answer.base.secondary == pytest.approx(
        round(0.427 * 1000) - round(0.919 * 1000), abs=2
    )
    assert answer.change() == (0, pytest.approx(-0.492, abs=0.002), 0.0)
    assert "forcing it changes placements +0, score -0.49" in answer.text()
    assert ", penalties +0.000 (" in answer.text()


def test_forcing_against_an_accepted_placement_names_the_conflict() -> None:
    round_ = make_round(
        [talent("a"), talent("b")],
        [package("p")],
        previous=[PreviousPlacement(talent="a", package="p", status="accepted")],
    )
    answer = why_not(round_, "b", "p", params=PARAMS)
    assert answer.forced_status == Status.INFEASIBLE
    assert answer.conflicts
    assert "forcing it makes the round infeasible" in answer.text()


def test_unknown_ids_are_errors() -> None:
    with pytest.raises(RoundError, match="unknown talent 'zed'"):
        why_not(load_round(PILOT), "zed", "city-data", params=PARAMS)
