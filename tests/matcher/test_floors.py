"""Outcome floors in the policy and the evaluator, and the ``learning`` eligibility rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from matcher.compile import compile_round
from matcher.eligibility import failing_rules
from matcher.evaluator import evaluate, pair_failures
from matcher.explain import explain_unplaced
from matcher.floors import OUTCOMES, floor_shortfall, floor_units
from matcher.generator import generate_round
from matcher.models import FLOOR_NAMES, Floor, Policy, Round
from matcher.round_workbook import write_round_workbook
from matcher.roundio import load_round, save_round
from tests.factories import make_round, org, package, talent


def _round(policy: Policy) -> Round:
    """Two talents and two packages: ``a`` learns sql on ``p1``; ``b`` learns nothing on
    ``p2`` and uses a strength there (python 4); the host is in another sector."""
    return make_round(
        [
            talent("a", learning_goals={"sql": 1.0}),
            talent("b", strengths={"python": 4}, learning_goals={"sql": 1.0}),
        ],
        [package("p1", learnable=["sql"]), package("p2", learnable=["excel"])],
        policy=policy,
    )


def _floors(**floors: Floor) -> Policy:
    return Policy(floors=floors)


# ---------------------------------------------------------------- policy


@pytest.mark.parametrize("share", [-0.1, 1.5, float("nan")])
def test_a_floor_outside_zero_one_names_the_field(share: float) -> None:
    with pytest.raises(ValidationError) as error:
        Policy.model_validate({"floors": {"learning": {"share": share}}})
    assert error.value.errors()[0]["loc"] == ("floors", "learning", "share")


def test_an_unknown_floor_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValidationError, match="unknown floor 'fun'; known: learning, strengths"):
        Policy.model_validate({"floors": {"fun": {"share": 0.5}}})


def test_a_floor_mode_is_hard_or_soft() -> None:
    with pytest.raises(ValidationError) as error:
        Policy.model_validate({"floors": {"learning": {"share": 0.5, "mode": "firm"}}})
    assert error.value.errors()[0]["loc"] == ("floors", "learning", "mode")
    soft = Policy.model_validate({"floors": {"learning": {"share": 0.5, "mode": "soft"}}})
    assert soft.floors["learning"] == Floor(share=0.5, mode="soft", penalty=0.5)


def test_weights_that_make_every_score_zero_are_refused() -> None:
    with pytest.raises(ValidationError, match="every score weight is 0"):
        Policy(
            weights=dict.fromkeys(("strengths", "learning", "values", "context"), 0.0)
            | {"network": 0.0, "preference": 0.0, "cost": 0.0}
        )
    assert Policy(weights={"strengths": 0.0}).weights["learning"] == 2.0


def test_only_floors_above_zero_are_active() -> None:
    policy = _floors(learning=Floor(share=0.0), cross_sector=Floor(share=0.3))
    assert list(policy.active_floors()) == ["cross_sector"]


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("learning", "no package teaches a learning goal"),
        ("strengths", "no package requires or desires a skill a talent has at level 4+"),
        ("cross_sector", "every lender and host is in one sector"),
    ],
)
def test_a_floor_no_pair_can_reach_is_refused(name: str, what: str) -> None:
    policy = Policy(floors={name: Floor(share=0.5)})
    with pytest.raises(ValidationError, match=f"policy field 'floors.{name}': {what}"):
        make_round(
            [talent("a", learning_goals={"sql": 1.0})],
            [package("p", learnable=["excel"])],
            [org("lend", sector="same"), org("host", sector="same")],
            policy=policy,
        )


def test_a_mastered_goal_does_not_make_a_floor_reachable() -> None:
    with pytest.raises(ValidationError, match=r"floors\.learning"):
        make_round(
            [talent("a", strengths={"sql": 5}, learning_goals={"sql": 1.0})],
            [package("p", learnable=["sql"])],
            policy=_floors(learning=Floor(share=1.0)),
        )


# ---------------------------------------------------------------- the rule


def test_floor_units_and_shortfall() -> None:
    assert floor_units(0.8) == 800
    assert floor_units(1 / 3) == 333
    # 8 of 10 placements meet 0.8; 7 of 10 are one placement short; 0 of 3 at 0.5: 2
    assert floor_shortfall(8, 10, 0.8) == 0
    assert floor_shortfall(7, 10, 0.8) == 1
    assert floor_shortfall(0, 3, 0.5) == 2
    assert floor_shortfall(0, 0, 1.0) == 0


# ---------------------------------------------------------------- evaluator


def test_a_hard_floor_missed_is_a_violation_naming_the_floor() -> None:
    round_ = _round(_floors(learning=Floor(share=1.0)))
    compiled = compile_round(round_)
    both = evaluate(round_, compiled, [("a", "p1"), ("b", "p2")])
    assert [(v.constraint, v.record) for v in both.violations] == [("floor", "floor 'learning'")]
    assert "1 of 2 placements, below the share 1: 1 placements short" in both.violations[0].detail
    assert evaluate(round_, compiled, [("a", "p1")]).feasible
    assert evaluate(round_, compiled, []).feasible


def test_a_soft_floor_costs_its_penalty_per_placement_short() -> None:
    plain = _round(Policy())
    soft = _round(_floors(learning=Floor(share=1.0, mode="soft", penalty=2.0)))
    pairs = [("a", "p1"), ("b", "p2")]
    base = evaluate(plain, compile_round(plain), pairs)
    judged = evaluate(soft, compile_round(soft), pairs)
    assert judged.feasible
    assert judged.objective.penalty == base.objective.penalty + 2_000
    assert judged.objective.score == base.objective.score


def test_the_kpis_report_each_outcome_share_of_the_placements() -> None:
    round_ = _round(Policy())
    kpis = evaluate(round_, compile_round(round_), [("a", "p1"), ("b", "p2")]).kpis
    assert kpis.learning_placement_share == 0.5
    assert kpis.strengths_placement_share == 0.5
    assert kpis.cross_sector_placement_share == 1.0


def test_the_vectorized_outcomes_agree_with_the_evaluator() -> None:
    round_ = generate_round(200, seed=3)
    compiled = compile_round(round_)
    # each talent's first edge: the evaluator computes the KPIs whatever the violations
    first = np.unique(compiled.talent, return_index=True)[1]
    pairs = [
        (
            compiled.arrays.talent_ids[compiled.talent[e]],
            compiled.arrays.package_ids[compiled.package[e]],
        )
        for e in first.tolist()
    ]
    kpis = evaluate(round_, compiled, pairs).kpis
    t, p = compiled.talent[first], compiled.package[first]
    shares = {name: float(OUTCOMES[name](compiled.arrays, t, p).mean()) for name in FLOOR_NAMES}
    assert shares["learning"] == pytest.approx(kpis.learning_placement_share)
    assert shares["strengths"] == pytest.approx(kpis.strengths_placement_share)
    assert shares["cross_sector"] == pytest.approx(kpis.cross_sector_placement_share)
    assert 0 < shares["learning"] < 1 and 0 < shares["strengths"] <= 1
    # the learning outcome is exactly a learning score above 0
    learns = OUTCOMES["learning"](compiled.arrays, compiled.talent, compiled.package)
    assert np.array_equal(learns, compiled.component("learning") > 0)


# ---------------------------------------------------------------- the learning rule


def test_the_learning_rule_keeps_only_pairs_that_teach_a_goal() -> None:
    round_ = _round(Policy(rules={"learning": True}))
    compiled = compile_round(round_)
    a = compiled.arrays
    edges = {
        (a.talent_ids[t], a.package_ids[p])
        for t, p in zip(compiled.talent, compiled.package, strict=True)
    }
    assert edges == {("a", "p1"), ("b", "p1")}
    assert compiled.excluded_by_rule()["learning"] == 2
    assert failing_rules(a, 0, 1) == ["learning"]
    assert pair_failures(round_, "a", "p2") == ["learning"]
    assert pair_failures(round_, "a", "p1") == []
    verdict = evaluate(round_, compiled, [("a", "p2")])
    assert [v.constraint for v in verdict.violations] == ["eligibility"]


def test_the_learning_rule_is_off_unless_named() -> None:
    round_ = _round(Policy())
    assert compile_round(round_).n_edges == 4
    assert pair_failures(round_, "a", "p2") == []


# ---------------------------------------------------------------- files


def test_floors_read_back_from_a_workbook_and_a_csv_folder(tmp_path: Path) -> None:
    floors = {"learning": Floor(share=0.5, mode="soft", penalty=2.0), "strengths": Floor(share=0.8)}
    round_ = generate_round(30, seed=1, policy=Policy(floors=floors))
    write_round_workbook(round_, tmp_path / "round.xlsx")
    save_round(round_, tmp_path / "csv")
    assert load_round(tmp_path / "round.xlsx") == round_
    assert load_round(tmp_path / "csv") == round_


def test_a_floor_may_be_a_share_alone_or_compact_text() -> None:
    floors = Policy.model_validate(
        {"floors": {"learning": 1, "strengths": "0.8:soft:2", "cross_sector": "0.3"}}
    ).floors
    assert floors == {
        "learning": Floor(share=1.0),
        "strengths": Floor(share=0.8, mode="soft", penalty=2.0),
        "cross_sector": Floor(share=0.3),
    }
    assert floors["strengths"].compact() == "0.8:soft:2"
    with pytest.raises(ValidationError, match="share\\[:mode\\[:penalty\\]\\]"):
        Policy.model_validate({"floors": {"learning": "1:hard:1:extra"}})


# ---------------------------------------------------------------- explanations


def _nothing_for_b(policy: Policy) -> Round:
    """``a`` learns sql on p1; ``b`` wants r, which no package teaches."""
    return make_round(
        [talent("a", learning_goals={"sql": 1.0}), talent("b", learning_goals={"r": 1.0})],
        [package("p1", learnable=["sql"]), package("p2", learnable=["excel"])],
        policy=policy,
    )


def test_a_talent_a_full_floor_rules_out_is_told_so() -> None:
    round_ = _nothing_for_b(_floors(learning=Floor(share=1.0)))
    compiled = compile_round(round_)
    placed = compiled.edge_index(np.array([0]), np.array([0]))  # a on p1
    (reason,) = explain_unplaced(compiled, placed, round_)
    assert (reason.talent, reason.reason, reason.counts) == ("b", "floor", {"floor": 2})
    assert "would not be one where the talent learns something they want" in reason.detail
    assert "floor of 1 (learning)" in reason.detail
    # without the floor, b could have taken the free seat of p2
    plain = _nothing_for_b(Policy())
    (other,) = explain_unplaced(compile_round(plain), placed, plain)
    assert other.reason == "not_chosen"
