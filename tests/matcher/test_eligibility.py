"""Eligibility rules, each alone on a tiny hand-made round.

Every test builds talents and packages that differ only in what one rule looks at, then
checks the rule's mask on the whole talent x package grid, and that :func:`failing_rules`
names that rule, and only that rule, for exactly the excluded pairs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from matcher.arrays import RoundArrays, encode_round
from matcher.compile import compile_round
from matcher.eligibility import REASONS, RULES, active_rules, failing_rules
from matcher.models import RULE_NAMES, RULES_OFF_BY_DEFAULT, Pair, Policy, Round
from tests.factories import encode, grid, make_round, org, package, talent

T, F = True, False


def _assert_rule(a: RoundArrays, name: str, expected: list[list[bool]], alone: bool = True) -> None:
    """``expected[t][p]`` is whether pair (t, p) passes rule ``name``.

    With ``alone``, every other rule passes on every pair, so that ``failing_rules`` is
    exactly ``[name]`` on the excluded pairs and empty elsewhere.
    """
    t, p = grid(a)
    mask = RULES[name](a, t, p)
    assert mask.dtype == np.bool_
    assert mask.reshape(a.n_talents, a.n_packages).tolist() == expected
    for ti in range(a.n_talents):
        for pi in range(a.n_packages):
            failing = failing_rules(a, ti, pi)
            if alone:
                assert failing == ([] if expected[ti][pi] else [name]), (ti, pi)
            else:
                assert (name in failing) == (not expected[ti][pi]), (ti, pi)


def test_age_minimum() -> None:
    a = encode(
        [talent("t49", age=49), talent("t50", age=50), talent("t70", age=70)], [package("p")]
    )
    _assert_rule(a, "age", [[F], [T], [T]])


def test_age_maximum() -> None:
    a = encode(
        [
            talent("t49", age=49),
            talent("t50", age=50),
            talent("t65", age=65),
            talent("t66", age=66),
        ],
        [package("p")],
        policy=Policy(min_age=50, max_age=65),
    )
    _assert_rule(a, "age", [[F], [T], [T], [F]])


def test_required_skill_level_boundaries() -> None:
    a = encode(
        [
            talent("none", strengths={}),
            talent("level2", strengths={"python": 2}),
            talent("level3", strengths={"python": 3}),
            talent("level5", strengths={"python": 5, "sql": 1}),
        ],
        [
            package("python3", required={"python": 3}, desired={}),
            package("both", required={"python": 3, "sql": 2}, desired={}),
        ],
    )
    _assert_rule(a, "required_skills", [[F, F], [F, F], [T, F], [T, F]])


def test_required_skills_all_needed() -> None:
    a = encode(
        [talent("x", strengths={"python": 4, "sql": 2}), talent("y", strengths={"sql": 5})],
        [package("both", required={"python": 4, "sql": 2}, desired={}), package("free")],
    )
    _assert_rule(a, "required_skills", [[T, T], [F, T]])


def test_availability_boundaries() -> None:
    # the package runs 2027-03-01 .. 2027-12-31, both days included
    start, end = dt.date(2027, 3, 1), dt.date(2027, 12, 31)
    one_day = dt.timedelta(days=1)
    a = encode(
        [
            talent("exact", available_from=start, available_to=end),
            talent("late", available_from=start + one_day, available_to=end),
            talent("early", available_from=start, available_to=end - one_day),
            talent("wide", available_from=start - one_day, available_to=end + one_day),
        ],
        [package("p", start=start, end=end)],
    )
    _assert_rule(a, "availability", [[T], [F], [F], [T]])


def test_fte() -> None:
    a = encode(
        [talent("half", fte=0.5), talent("exact", fte=0.6), talent("full", fte=1.0)],
        [package("p06", fte=0.6), package("p05", fte=0.5)],
    )
    _assert_rule(a, "fte", [[F, T], [T, T], [T, T]])


def test_fte_tolerates_float_rounding() -> None:
    a = encode([talent("t", fte=0.3)], [package("p", fte=0.1 + 0.2)])
    _assert_rule(a, "fte", [[T]])


def test_location_and_remote() -> None:
    a = encode(
        [
            talent("local", region="ghent", accepts_remote=False),
            talent("far-remote", region="antwerp", accepts_remote=True),
            talent("far-onsite", region="antwerp", accepts_remote=False),
        ],
        [
            package("onsite", region="ghent", remote="onsite"),
            package("hybrid", region="ghent", remote="hybrid"),
            package("remote", region="ghent", remote="remote"),
        ],
    )
    _assert_rule(a, "location", [[T, T, T], [F, F, T], [F, F, F]])


def test_languages() -> None:
    a = encode(
        [
            talent("none"),
            talent("nl", languages=["nl"]),
            talent("three", languages=["en", "nl", "fr"]),
        ],
        [package("any"), package("nl", languages=["nl"]), package("nl-en", languages=["nl", "en"])],
    )
    _assert_rule(a, "languages", [[T, F, F], [T, T, F], [T, T, T]])


def test_own_organization() -> None:
    a = encode(
        [talent("t", lender="lend")],
        [package("home", host="lend"), package("away", host="host")],
    )
    _assert_rule(a, "own_organization", [[F, T]])


def test_competitor_both_directions() -> None:
    # "a" lists "b" as a competitor; "b" does not list "a", yet the rule holds both ways
    orgs = [org("a", competitors=["b"]), org("b"), org("c")]
    a = encode(
        [talent("from-a", lender="a"), talent("from-b", lender="b"), talent("from-c", lender="c")],
        [package("at-b", host="b"), package("at-a", host="a")],
        orgs,
    )
    _assert_rule(a, "competitor", [[F, T], [T, F], [T, T]], alone=False)
    assert failing_rules(a, 0, 0) == ["competitor"]
    assert failing_rules(a, 1, 1) == ["competitor"]
    assert failing_rules(a, 2, 0) == failing_rules(a, 2, 1) == []


def test_excluded_organization() -> None:
    orgs = [org("lend"), org("host"), org("other")]
    a = encode(
        [talent("picky", excluded=["host"]), talent("open")],
        [package("at-host", host="host"), package("at-other", host="other")],
        orgs,
    )
    _assert_rule(a, "excluded_organization", [[F, T], [T, T]])


def test_forbidden_pair() -> None:
    a = encode(
        [talent("t0"), talent("t1")],
        [package("p0"), package("p1")],
        forbidden=[Pair(talent="t0", package="p1"), Pair(talent="t1", package="p0")],
    )
    _assert_rule(a, "forbidden_pair", [[T, F], [F, T]])


def test_cost_split_within_hiring_budget() -> None:
    # the host pays min(fee cap, retained 5000); its hiring budget is 3000
    orgs = [org("lend"), org("host", hiring_budget=3000)]
    a = encode(
        [talent("t", salary=5000)],
        [package("at-budget", fee_cap=3000), package("over", fee_cap=3000.01)],
        orgs,
    )
    _assert_rule(a, "cost_split", [[T, F]])


def test_cost_split_within_topup_budget() -> None:
    # retained 5000; the lender tops up 5000 - fee cap, within its budget of 1000
    orgs = [org("lend", topup_budget=1000), org("host"), org("stingy", topup_budget=0)]
    a = encode(
        [talent("t", salary=5000), talent("u", lender="stingy", salary=5000)],
        [
            package("at-budget", fee_cap=4000),
            package("over", fee_cap=3999),
            package("covered", fee_cap=5000),
        ],
        orgs,
    )
    _assert_rule(a, "cost_split", [[T, F, T], [F, F, T]])


def test_cost_split_within_subsidy_pool() -> None:
    # retained 5000; the platform pays half of what the fee leaves, from a pool of 500
    policy = Policy(subsidy_share=0.5, subsidy_pool=500)
    packages = [package("at-pool", fee_cap=4000), package("over", fee_cap=3000)]
    a = encode([talent("t", salary=5000)], packages, policy=policy)
    _assert_rule(a, "cost_split", [[T, F]])
    unlimited = encode([talent("t", salary=5000)], packages, policy=Policy(subsidy_share=0.5))
    _assert_rule(unlimited, "cost_split", [[T, T]])


def test_cost_split_subsidy_relieves_the_lender() -> None:
    orgs = [org("lend", topup_budget=1000), org("host")]
    packages = [package("p", fee_cap=3000)]  # leaves 2000 of a 5000 salary
    without = encode([talent("t", salary=5000)], packages, orgs)
    _assert_rule(without, "cost_split", [[F]])
    half = encode([talent("t", salary=5000)], packages, orgs, policy=Policy(subsidy_share=0.5))
    _assert_rule(half, "cost_split", [[T]])


def test_minimum_fit() -> None:
    # strengths fit = 0.6 x (level / 5) with no strength used: 0.36 at level 3, 0.24 at 2
    a = encode(
        [talent("l2", strengths={"python": 2}), talent("l3", strengths={"python": 3})],
        [package("p", desired={"python": 1.0})],
        policy=Policy(min_fit=0.36),
    )
    _assert_rule(a, "minimum_fit", [[F], [T]])


def test_minimum_fit_zero_admits_a_package_without_skills() -> None:
    a = encode([talent("t")], [package("p")])
    _assert_rule(a, "minimum_fit", [[T]])


def test_rules_follow_the_rule_names() -> None:
    assert tuple(RULES) == RULE_NAMES
    assert set(REASONS) == set(RULE_NAMES)


# ---------------------------------------------------------------- rules switched off

Scenario = Callable[[Policy], Round]


def _one(policy: Policy, **changes: Any) -> Round:
    """One talent and one package that fail exactly the rule the changes break."""
    talent_fields = {k.removeprefix("t_"): v for k, v in changes.items() if k.startswith("t_")}
    package_fields = {k.removeprefix("p_"): v for k, v in changes.items() if k.startswith("p_")}
    orgs = changes.get("orgs")
    return make_round(
        [talent("t", **talent_fields)],
        [package("p", **package_fields)],
        orgs,
        policy=policy,
        forbidden=changes.get("forbidden", []),
    )


SCENARIOS: dict[str, Scenario] = {
    "age": lambda policy: _one(policy, t_age=45),
    "location": lambda policy: _one(policy, t_region="antwerp"),
    "required_skills": lambda policy: _one(
        policy, t_strengths={}, p_required={"python": 3}, p_desired={}
    ),
    "availability": lambda policy: _one(policy, t_available_to=dt.date(2027, 6, 30)),
    "fte": lambda policy: _one(policy, t_fte=0.5),
    "languages": lambda policy: _one(policy, p_languages=["fr"]),
    "own_organization": lambda policy: _one(policy, p_host="lend"),
    "competitor": lambda policy: _one(
        policy, orgs=[org("lend", competitors=["host"]), org("host")]
    ),
    "excluded_organization": lambda policy: _one(policy, t_excluded=["host"]),
    "forbidden_pair": lambda policy: _one(policy, forbidden=[Pair(talent="t", package="p")]),
    "cost_split": lambda policy: _one(policy, orgs=[org("lend"), org("host", hiring_budget=100)]),
    "minimum_fit": lambda policy: _one(
        policy.model_copy(update={"min_fit": 0.5}), p_desired={"python": 1.0}
    ),
    # off by default: the scenario's policy names it, unless the test switches it off
    "learning": lambda policy: _one(
        policy.model_copy(update={"rules": {"learning": True} | policy.rules}),
        t_learning_goals={"sql": 1.0},
        p_learnable=["excel"],
    ),
}


def test_every_rule_has_a_scenario() -> None:
    assert list(SCENARIOS) == list(RULE_NAMES)


@pytest.mark.parametrize("name", RULE_NAMES)
def test_rule_on_excludes_the_pair(name: str) -> None:
    round_ = SCENARIOS[name](Policy())
    a = encode_round(round_)
    assert failing_rules(a, 0, 0) == [name]
    compiled = compile_round(round_)
    assert compiled.n_edges == 0
    assert compiled.excluded_by_rule() == {r: int(r == name) for r in RULE_NAMES}


@pytest.mark.parametrize("name", RULE_NAMES)
def test_rule_switched_off_is_not_applied(name: str) -> None:
    round_ = SCENARIOS[name](Policy(rules={name: False}))
    a = encode_round(round_)
    assert name not in active_rules(a)
    on = [r for r in RULE_NAMES if r != name and r not in RULES_OFF_BY_DEFAULT]
    assert list(active_rules(a)) == on
    assert failing_rules(a, 0, 0) == []
    compiled = compile_round(round_)
    assert compiled.n_edges == 1
    assert sum(compiled.excluded_by_rule().values()) == 0


def test_all_rules_off_admits_every_pair() -> None:
    round_ = make_round(
        [talent("young", age=20, lender="host"), talent("t")],
        [package("p", required={"python": 5}, desired={})],
        policy=Policy(rules=dict.fromkeys(RULE_NAMES, False)),
    )
    a = encode_round(round_)
    assert active_rules(a) == {}
    assert failing_rules(a, 0, 0) == failing_rules(a, 1, 0) == []
    assert compile_round(round_).n_edges == 2
