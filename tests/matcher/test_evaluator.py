"""The evaluator against hand-computed tiny rounds: each constraint alone, then KPIs."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher.compile import compile_round
from matcher.evaluator import Evaluation, evaluate, pair_failures
from matcher.fairness import host_excess
from matcher.models import Organization, Pair, Policy, PreviousPlacement, Round
from matcher.roundio import load_round
from tests.factories import PILOT, make_round, package, talent

ORGS = [
    Organization(id="lend", name="Lender", sector="finance", role="lender"),
    Organization(id="host", name="Host", sector="public", role="host"),
    Organization(id="host2", name="Host 2", sector="energy", role="host"),
]
"""A lender and two hosts, in three sectors."""


def judge(round_: Round, pairs: list[tuple[str, str]]) -> Evaluation:
    return evaluate(round_, compile_round(round_), pairs)


def constraints(evaluation: Evaluation) -> list[str]:
    return sorted(v.constraint for v in evaluation.violations)


def test_pilot_feasible_assignment_matches_hand_computed_split_and_kpis() -> None:
    round_ = load_round(PILOT)
    pairs = [("ann", "coop-finance"), ("chloe", "city-data"), ("els", "insurer-coaching")]
    result = judge(round_, pairs)
    assert result.feasible
    by_pair = {(x.talent, x.package): x for x in result.placements}
    # ann: 8200 retained, fee capped at 4500; chloe: 7900 x 0.8 FTE = 6320, cap 5000;
    # els: 5600 x 0.5 FTE = 2800, under the 3000 cap
    assert by_pair["ann", "coop-finance"].host_fee == 4500
    assert by_pair["ann", "coop-finance"].topup == pytest.approx(3700)
    assert by_pair["chloe", "city-data"].topup == pytest.approx(1320)
    assert by_pair["els", "insurer-coaching"].host_fee == pytest.approx(2800)
    assert by_pair["els", "insurer-coaching"].topup == pytest.approx(0)
    k = result.kpis
    assert (k.placements, k.placed_talents, k.seats) == (3, 3, 6)
    assert k.placement_rate == pytest.approx(0.5)
    assert k.learning_share == pytest.approx(1 / 3)  # only ann learns one of her goals
    assert k.strengths_share == pytest.approx(1.0)
    assert k.cross_sector_share == pytest.approx(1.0)
    assert k.lender_rate_min == pytest.approx(1 / 3)
    assert k.lender_rate_max == 1.0
    assert k.host_fees == pytest.approx(12300)
    assert k.topups == pytest.approx(5020)
    assert result.objective.placements == 3
    assert result.objective.penalty == 0


def test_pilot_broken_assignment_names_every_violation() -> None:
    round_ = load_round(PILOT)
    pairs = [
        ("ann", "coop-finance"),
        ("ann", "city-procurement"),
        ("bart", "city-data"),
        ("femke", "city-procurement"),
    ]
    result = judge(round_, pairs)
    assert constraints(result) == [
        "eligibility",
        "eligibility",
        "fte",
        "host_budget",
        "seats",
        "topup_budget",
        "tours",
    ]
    texts = [str(v) for v in result.violations]
    assert "eligibility: talent 'femke' / package 'city-procurement': fails age" in texts
    assert "seats: package 'city-procurement': 2 placed on 1 seats" in texts


def test_scalar_pair_check_agrees_with_vectorized_rules_on_pilot() -> None:
    round_ = load_round(PILOT)
    compiled = compile_round(round_)
    edges = set(
        zip(
            [compiled.arrays.talent_ids[t] for t in compiled.talent],
            [compiled.arrays.package_ids[p] for p in compiled.package],
            strict=True,
        )
    )
    for t in round_.talents:
        for p in round_.packages:
            assert (not pair_failures(round_, t.id, p.id)) == ((t.id, p.id) in edges)


def test_seats_bind() -> None:
    round_ = make_round([talent("a"), talent("b")], [package("p", seats=1)], ORGS)
    assert constraints(judge(round_, [("a", "p"), ("b", "p")])) == ["seats"]
    round_ = make_round([talent("a"), talent("b")], [package("p", seats=2)], ORGS)
    assert judge(round_, [("a", "p"), ("b", "p")]).feasible


def test_one_tour_per_talent_by_default() -> None:
    round_ = make_round([talent("a")], [package("p"), package("q", host="host2")], ORGS)
    assert constraints(judge(round_, [("a", "p"), ("a", "q")])) == ["fte", "tours"]


def test_overlapping_tours_stay_within_fte() -> None:
    policy = Policy(max_tours_per_talent=2)
    early = package("p", fte=0.5, start=dt.date(2027, 1, 1), end=dt.date(2027, 6, 30))
    late = package("q", host="host2", fte=0.6, start=dt.date(2027, 6, 30), end=dt.date(2027, 9, 1))
    after = package("r", host="host2", fte=0.6, start=dt.date(2027, 7, 1), end=dt.date(2027, 9, 1))
    round_ = make_round([talent("a")], [early, late, after], ORGS, policy=policy)
    # p and q share 30 June 2027: 1.1 FTE on that day
    assert constraints(judge(round_, [("a", "p"), ("a", "q")])) == ["fte"]
    assert judge(round_, [("a", "p"), ("a", "r")]).feasible
    assert constraints(judge(round_, [("a", "p"), ("a", "q"), ("a", "r")])) == ["fte", "tours"]


def test_host_budget_binds() -> None:
    orgs = [
        Organization(id="lend", name="L", sector="finance", role="lender"),
        Organization(id="host", name="H", sector="public", role="host", hiring_budget=7000),
    ]
    round_ = make_round(
        [talent("a", salary=6000), talent("b", salary=6000)],
        [package("p", fee_cap=4000), package("q", fee_cap=4000)],
        orgs,
    )
    # each placement costs the host min(4000, 6000) = 4000; two exceed 7000
    result = judge(round_, [("a", "p"), ("b", "q")])
    assert constraints(result) == ["host_budget"]
    assert "fees 8000.00 > budget 7000.00" in str(result.violations[0])
    assert judge(round_, [("a", "p")]).feasible


def test_lender_topup_budget_binds() -> None:
    orgs = [
        Organization(id="lend", name="L", sector="finance", role="lender", topup_budget=3000),
        Organization(id="host", name="H", sector="public", role="host"),
    ]
    round_ = make_round(
        [talent("a", salary=6000), talent("b", salary=6000)],
        [package("p", fee_cap=4000), package("q", fee_cap=4000)],
        orgs,
    )
    # each top-up is 6000 - 4000 = 2000
    assert constraints(judge(round_, [("a", "p"), ("b", "q")])) == ["topup_budget"]
    assert judge(round_, [("b", "q")]).feasible


def test_subsidy_pool_binds() -> None:
    policy = Policy(subsidy_share=0.5, subsidy_pool=1500)
    round_ = make_round(
        [talent("a", salary=6000), talent("b", salary=6000)],
        [package("p", fee_cap=4000), package("q", fee_cap=4000)],
        ORGS,
        policy=policy,
    )
    result = judge(round_, [("a", "p"), ("b", "q")])
    assert constraints(result) == ["subsidy_pool"]  # 2 x 1000 > 1500
    single = judge(round_, [("a", "p")])
    assert single.feasible
    assert single.placements[0].subsidy == pytest.approx(1000)
    assert single.placements[0].topup == pytest.approx(1000)


def test_pins_forbidden_and_accepted_placements() -> None:
    round_ = make_round(
        [talent("a"), talent("b"), talent("c")],
        [package("p", seats=3)],
        ORGS,
        pins=[Pair(talent="a", package="p")],
        forbidden=[Pair(talent="b", package="p")],
        previous=[PreviousPlacement(talent="c", package="p", status="accepted")],
    )
    assert judge(round_, [("a", "p"), ("c", "p")]).feasible
    assert constraints(judge(round_, [("c", "p")])) == ["pin"]
    assert constraints(judge(round_, [("a", "p")])) == ["accepted"]
    assert constraints(judge(round_, [("a", "p"), ("b", "p"), ("c", "p")])) == [
        "eligibility",
        "forbidden",
    ]


def test_dropped_proposed_placement_costs_the_disruption_penalty() -> None:
    policy = Policy(disruption_penalty=0.25)
    round_ = make_round(
        [talent("a"), talent("b")],
        [package("p")],
        ORGS,
        policy=policy,
        previous=[PreviousPlacement(talent="a", package="p", status="proposed")],
    )
    assert judge(round_, [("a", "p")]).objective.penalty == 0
    changed = judge(round_, [("b", "p")])
    assert changed.feasible
    assert changed.objective.penalty == 250


def two_lender_round(policy: Policy) -> Round:
    orgs = [
        Organization(id="lend", name="L", sector="finance", role="lender"),
        Organization(id="lend2", name="L2", sector="retail", role="lender"),
        Organization(id="host", name="H", sector="public", role="host"),
        Organization(id="host2", name="H2", sector="energy", role="host"),
    ]
    return make_round(
        [talent("a"), talent("b"), talent("c", lender="lend2")],
        [package("p", seats=2), package("q", host="host2")],
        orgs,
        policy=policy,
    )


def test_min_per_lender_hard_and_soft() -> None:
    pairs = [("a", "p"), ("b", "p")]
    hard = judge(two_lender_round(Policy(min_per_lender=1, fairness="hard")), pairs)
    assert constraints(hard) == ["min_per_lender"]
    assert "organization 'lend2'" in str(hard.violations[0])
    soft = judge(two_lender_round(Policy(min_per_lender=1, fairness_penalty=0.3)), pairs)
    assert soft.feasible
    assert soft.objective.penalty == 300
    fair = judge(
        two_lender_round(Policy(min_per_lender=1, fairness="hard")), [("a", "p"), ("c", "q")]
    )
    assert fair.feasible


def test_max_host_share_hard_and_soft() -> None:
    pairs = [("a", "p"), ("b", "p"), ("c", "q")]
    # host has 2 of 3 placements; 50% allows 1.5, so 1 placement over (rounded up)
    hard = judge(two_lender_round(Policy(max_host_share=0.5, fairness="hard")), pairs)
    assert constraints(hard) == ["max_host_share"]
    soft = judge(two_lender_round(Policy(max_host_share=0.5, fairness_penalty=1.0)), pairs)
    assert soft.feasible
    assert soft.objective.penalty == 1000
    balanced = judge(
        two_lender_round(Policy(max_host_share=0.5, fairness="hard")), [("a", "p"), ("c", "q")]
    )
    assert balanced.feasible


@pytest.mark.parametrize(
    ("placed", "total", "share", "over"),
    [(2, 3, 0.5, 1), (1, 2, 0.5, 0), (3, 3, 1.0, 0), (3, 4, 0.5, 1), (4, 4, 0.2, 4)],
)
def test_host_excess(placed: int, total: int, share: float, over: int) -> None:
    assert host_excess(placed, total, share) == over


def test_duplicates_and_unknown_records_are_violations() -> None:
    round_ = make_round([talent("a")], [package("p", seats=2)], ORGS)
    assert constraints(judge(round_, [("a", "p"), ("a", "p")])) == ["duplicate"]
    assert constraints(judge(round_, [("zed", "p")])) == ["unknown"]


def test_lexicographic_and_weighted_objectives() -> None:
    round_ = make_round([talent("a"), talent("b")], [package("p", seats=2)], ORGS)
    compiled = compile_round(round_)
    lex = evaluate(round_, compiled, [("a", "p"), ("b", "p")]).objective
    score_units = round(float(compiled.score[0]) * 1000) + round(float(compiled.score[1]) * 1000)
    assert lex.key() == (2, score_units)
    weighted_round = round_.model_copy(
        update={"policy": Policy(objective="weighted", placement_weight=2.0)}
    )
    weighted = evaluate(weighted_round, compile_round(weighted_round), [("a", "p"), ("b", "p")])
    assert weighted.objective.value == 2 * 2000 + score_units
    assert weighted.objective.key() == (0, weighted.objective.value)
