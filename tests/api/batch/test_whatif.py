"""The what-if view's words: what a scenario changes against its base, and how each KPI
moved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api.batch.settings import Generate
from api.batch.spec import Scenario
from api.batch.whatif import change_text, what_if, what_ifs

ROW = {
    "status": "optimal",
    "feasible": True,
    "placements": 1000,
    "learning_share": 0.50,
    "strengths_share": 0.80,
    "cross_sector_share": 0.30,
    "seat_fill_rate": 0.6,
    "lender_rate_min": 0.2,
    "mean_score": 0.600,
    "subsidy": 10_000.0,
    "topups": 5_000.0,
    "host_fees": 100_000.0,
    "blocking_pairs": 12,
}


def _scenario(name: str, base: str | None = None, **fields: Any) -> Scenario:
    values: dict[str, Any] = {
        "round": Path("/rounds/r.json"),
        "generate": None,
        "method": "auto",
        "time_limit": 10.0,
        "workers": 1,
        "seed": 0,
        "gap": 0.0,
        "policy": {},
        "scale": {},
    }
    return Scenario(name=name, base=base, **(values | fields))


def test_a_bigger_subsidy_pool_in_words() -> None:
    base, more = _scenario("pilot"), _scenario("more", "pilot", scale={"subsidy_pool": 1.2})
    row = ROW | {"placements": 1140, "learning_share": 0.49, "subsidy": 11_800.0}
    view = what_if(more, base, row, ROW)
    assert view.text() == (
        "more vs pilot (subsidy pool +20 %): +140 placements, learning share -1 point, "
        "subsidy +18 %"
    )
    assert view.deltas["placements"] == 140
    assert abs(view.deltas["learning_share"] + 1.0) < 1e-9


def test_every_kind_of_change_is_named() -> None:
    base = _scenario("a", scale={"topup_budgets": 2.0})
    other = _scenario(
        "b",
        "a",
        round=None,
        generate=Generate(talents=2000, packages=500, seed=3),
        method="greedy",
        time_limit=None,
        seed=4,
        policy={"fairness": "hard", "rules": {"age": False}, "weights": {"learning": 2}},
        scale={"topup_budgets": 1.0, "hiring_budgets": 0.5},
    )
    assert change_text(other, base) == (
        "lenders' top-up budgets -50 %, hosts' hiring budgets -50 %, fairness hard, "
        "rule age off, weight of learning 2, generated round 2,000 x 500 seed 3, "
        "method greedy, default time limit, seed 4"
    )


def test_moves_of_every_unit_and_none() -> None:
    base, child = _scenario("a"), _scenario("b", "a", policy={"min_fit": 0.3})
    row = ROW | {
        "placements": 990,
        "strengths_share": 0.8123,
        "mean_score": 0.6504,
        "topups": 0.0,
        "blocking_pairs": 13,
    }
    assert what_if(child, base, row, ROW).text() == (
        "b vs a (min_fit 0.3): -10 placements, strengths share +1.2 points, "
        "mean score +0.050, top-ups -100 %, +1 blocking pair"
    )
    # nothing moved: placements are said all the same
    assert what_if(child, base, ROW, ROW).text() == "b vs a (min_fit 0.3): +0 placements"


def test_no_comparison_without_both_assignments() -> None:
    base, child = _scenario("a"), _scenario("b", "a", workers=2)
    failed = {"status": "error", "error": "boom"}
    assert what_if(child, base, ROW, failed).text() == "b vs a (workers 2): no comparison, a: error"
    # only scenarios that name a base get a view
    views = what_ifs([base, child, _scenario("c")], {"a": ROW, "b": ROW, "c": ROW})
    assert [(v.scenario, v.base) for v in views] == [("b", "a")]
