"""The price of every rule: on small rounds where dropping a rule provably gains, the
linear relaxation's estimate and the confirming re-solve say so, and agree with the
exhaustive optimum of the round without the rule."""

from __future__ import annotations

import pytest

from matcher.compile import compile_round
from matcher.generator import generate_round
from matcher.models import Floor, Policy, Round
from solvers.checks import (
    MAX_HOST_SHARE,
    MIN_PER_LENDER,
    SUBSIDY_POOL,
    floor_group,
    host_budget_group,
)
from solvers.model.build import build_spec
from solvers.price_rules import AGE, LEARNING_RULE
from solvers.prices import PriceOptions, Prices, RulePrice, rule_prices
from solvers.problem import build_problem
from solvers.registry import solve
from solvers.result import Result, SolveParams, Status
from tests.checks import brute_force, check
from tests.factories import EVERY_RULE, make_round, org, package, talent

OPTIONS = PriceOptions(lp_seconds=10, resolve_seconds=2, workers=1)


def priced(round_: Round) -> tuple[Result, Prices]:
    compiled = compile_round(round_)
    result = solve(compiled, round_, "auto", SolveParams(time_limit=5, workers=1))
    check(result, round_, compiled)
    return result, rule_prices(build_problem(compiled, round_), result, OPTIONS)


def price_of(prices: Prices, key: str) -> RulePrice:
    return next(p for p in prices.rules if p.key == key)


def optimum_placements(round_: Round) -> int:
    best = brute_force(round_, compile_round(round_))
    assert best is not None
    return best.placements


def budget_round(budget: float | None) -> Round:
    """Two talents, two one-seat packages of one host, each fee 5,000: a hiring budget of
    5,000 pays for one placement only."""
    orgs = [org("lend", role="lender"), org("host", role="host", hiring_budget=budget)]
    return make_round([talent("a"), talent("b")], [package("p"), package("q")], orgs)


def test_a_budget_that_blocks_one_placement_costs_one() -> None:
    round_ = budget_round(5_000)
    result, prices = priced(round_)
    assert result.placements == 1
    price = price_of(prices, host_budget_group("host"))
    assert price.dual is not None and price.dual > 0
    assert price.estimate is not None and price.estimate.placements == pytest.approx(1.0)
    assert price.confirmed is not None and price.confirmed.placements == 1
    assert price.confirmed.score > 0
    # the re-solve agrees with the exhaustive optimum without the budget
    assert optimum_placements(budget_round(None)) == result.placements + 1
    assert "5,000 a month" in price.rule


def test_a_budget_that_binds_nothing_costs_nothing() -> None:
    # every edge's fee together (four edges): no row, no rule
    _, prices = priced(budget_round(20_000))
    assert all(p.key != host_budget_group("host") for p in prices.rules)
    # the fees of two placements: a row, but dropping it gains nothing
    _, prices = priced(budget_round(10_000))
    price = price_of(prices, host_budget_group("host"))
    assert price.estimate is not None
    assert (price.estimate.placements, price.estimate.score) == (0.0, pytest.approx(0.0))
    assert price.confirmed is None


def age_round(min_age: int) -> Round:
    """An older talent placed and a younger one the age policy excludes from the second
    seat."""
    young = talent("young", age=45)
    return make_round(
        [talent("old"), young],
        [package("p"), package("q")],
        policy=Policy(min_age=min_age),
    )


def test_the_age_policy_is_priced_by_compiling_the_round_without_it() -> None:
    result, prices = priced(age_round(50))
    price = price_of(prices, AGE)
    assert price.rule == "the age policy (talents from 50 years old)"
    assert price.dual is None
    assert price.estimate is not None and price.estimate.placements == pytest.approx(1.0)
    assert price.confirmed is not None and price.confirmed.placements == 1
    assert optimum_placements(age_round(0)) == result.placements + 1


def floor_round(share: float) -> Round:
    """Talent 'a' learns on package 'p'; 'b' learns nothing anywhere: with every placed
    talent required to learn, 'b' cannot be placed."""
    learner = talent("a", learning_goals={"risk": 1.0})
    packages = [package("p", learnable=["risk"]), package("q")]
    floors = {"learning": Floor(share=share)} if share else {}
    return make_round([learner, talent("b")], packages, policy=Policy(floors=floors))


def test_a_learning_floor_for_everyone_costs_the_placement_it_blocks() -> None:
    result, prices = priced(floor_round(1.0))
    assert result.placements == 1
    price = price_of(prices, floor_group("learning"))
    assert price.rule == "requiring every placed talent to learn something they want"
    assert price.estimate is not None and price.estimate.placements > 0
    assert price.confirmed is not None and price.confirmed.placements == 1
    assert optimum_placements(floor_round(0.0)) == 2


def test_prices_come_dearest_first_and_need_an_assignment() -> None:
    _, prices = priced(budget_round(5_000))
    estimates = [p.estimate.placements for p in prices.rules if p.estimate is not None]
    assert estimates == sorted(estimates, reverse=True)
    empty = Result.no_solution("auto", Status.INFEASIBLE, 0.0)
    compiled = compile_round(budget_round(5_000))
    with pytest.raises(ValueError, match="prices need a solve with an assignment"):
        rule_prices(build_problem(compiled, budget_round(5_000)), empty, OPTIONS)


def test_every_rule_of_a_generated_round_with_every_rule_on_is_priced() -> None:
    base = generate_round(150, seed=11)
    round_ = base.model_copy(update={"policy": EVERY_RULE})
    compiled = compile_round(round_)
    problem = build_problem(compiled, round_)
    result = solve(compiled, round_, "auto", SolveParams(time_limit=5, workers=1))
    check(result, round_, compiled)
    prices = rule_prices(problem, result, OPTIONS)
    keys = {p.key for p in prices.rules}
    groups = set(build_spec(problem).groups)
    for rule in (MIN_PER_LENDER, MAX_HOST_SHARE, SUBSIDY_POOL):
        assert (rule in keys) == (rule in groups)
    assert MIN_PER_LENDER in keys and AGE in keys
    assert all(p.estimate is not None for p in prices.rules)
    # a rule's relaxation gains at least nothing: the relaxed program only grows
    assert all(p.estimate.placements >= -1e-6 for p in prices.rules if p.estimate)
    assert all(
        p.estimate.score >= -1e-6
        for p in prices.rules
        if p.estimate and p.estimate.placements < 1e-6
    )


def test_a_partial_floor_is_priced_by_its_row() -> None:
    # only 'a' can learn: at least 60 % learners allows one placement of the three
    learner = talent("a", learning_goals={"risk": 1.0})
    packages = [package("p", learnable=["risk"]), package("q"), package("r")]
    policy = Policy(floors={"learning": Floor(share=0.6)})
    round_ = make_round([learner, talent("b"), talent("c")], packages, policy=policy)
    result, prices = priced(round_)
    assert result.placements == 1
    price = price_of(prices, floor_group("learning"))
    assert price.rule == "requiring 60% of the placed talents to learn something they want"
    # the relaxation places 1 / 0.6 talents with the floor, 3 without it
    assert price.dual is not None and price.dual > 0
    assert price.estimate is not None and price.estimate.placements == pytest.approx(3 - 1 / 0.6)
    assert price.confirmed is not None and price.confirmed.placements == 2


def test_without_time_for_the_relaxations_the_heaviest_duals_are_re_solved() -> None:
    round_ = budget_round(5_000)
    compiled = compile_round(round_)
    result = solve(compiled, round_, "auto", SolveParams(time_limit=5, workers=1))
    # the time goes on the relaxation with every rule: no rule is estimated
    options = PriceOptions(lp_seconds=1e-9, resolve_seconds=2, workers=1)
    prices = rule_prices(build_problem(compiled, round_), result, options)
    price = price_of(prices, host_budget_group("host"))
    assert price.estimate is None
    assert price.confirmed is not None and price.confirmed.placements == 1


def test_the_learning_rule_is_priced_by_compiling_the_round_without_it() -> None:
    # with the learning rule on, 'b' (who learns nothing anywhere) has no eligible package
    learner = talent("a", learning_goals={"risk": 1.0})
    packages = [package("p", learnable=["risk"]), package("q")]
    policy = Policy(rules={"learning": True})
    round_ = make_round([learner, talent("b")], packages, policy=policy)
    result, prices = priced(round_)
    assert result.placements == 1
    price = price_of(prices, LEARNING_RULE)
    assert price.rule.startswith("the learning rule")
    assert price.estimate is not None and price.estimate.placements == pytest.approx(1.0)
    assert price.confirmed is not None and price.confirmed.placements == 1
