"""The rules :mod:`solvers.prices` prices: each active constraint group or eligibility rule
of a round, in words, with the problem that drops it (:func:`active_rules`).

A rule names the model's constraint groups (:mod:`solvers.checks`) whose rows are its own;
pins and accepted placements are bounds, not rows (their edges are fixed to 1), and the
eligibility rules remove edges before the model is built: dropping one compiles the round
again without it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from matcher.compile import compile_round
from matcher.models import Policy
from solvers.checks import (
    ACCEPTED,
    MAX_HOST_SHARE,
    MIN_PER_LENDER,
    PINS,
    SUBSIDY_POOL,
    floor_group,
    host_budget_group,
    topup_budget_group,
)
from solvers.model.spec import ModelSpec
from solvers.problem import Problem, build_problem, with_dead
from solvers.units import CENTS_PER_EURO, NO_LIMIT

AGE = "age policy"
MINIMUM_FIT = "minimum fit"
LEARNING_RULE = "learning rule"

FLOOR_WORDS = {
    "learning": "learn something they want",
    "strengths": "use a strength",
    "cross_sector": "move to another sector",
}
"""What each outcome floor requires of the placed talents, in words."""


@dataclass(frozen=True)
class Rule:
    """One rule to price.

    Attributes
    ----------
    key
        Its constraint group's name, or the eligibility rule's.
    words
        The rule as a coordinator reads it.
    relax
        Builds the problem without the rule.
    groups
        Indices (into the model's group names) of the groups whose rows are the rule's.
    eligibility
        Whether dropping it adds edges (the round is compiled again).
    """

    key: str
    words: str
    relax: Callable[[], Problem]
    groups: list[int] = field(default_factory=list)
    eligibility: bool = False

    def relaxed(self) -> Problem:
        """The problem without the rule."""
        return self.relax()


def active_rules(problem: Problem, spec: ModelSpec) -> list[Rule]:
    """Every rule that can bind in ``problem`` (whose model is ``spec``): budgets with rows
    or edges they alone rule out, the pool, the fairness rules with rows, pins and accepted
    placements, and the eligibility rules that exclude pairs."""
    index = {name: i for i, name in enumerate(spec.groups)}
    rules = _budget_rules(problem, index)
    if problem.pool != NO_LIMIT and (
        SUBSIDY_POOL in index or bool((problem.subsidy > problem.pool).any())
    ):
        pool = problem.round.policy.subsidy_pool or 0.0
        rules.append(
            Rule(
                SUBSIDY_POOL,
                f"the subsidy pool ({pool:,.0f} a month)",
                lambda: with_dead(dataclasses.replace(problem, pool=NO_LIMIT)),
                [index[SUBSIDY_POOL]] if SUBSIDY_POOL in index else [],
            )
        )
    policy = problem.round.policy
    soft = "" if problem.hard_fairness else f" (soft, {policy.fairness_penalty:g} points each)"
    fairness: list[tuple[str, str, Callable[[], Problem]]] = [
        (
            MIN_PER_LENDER,
            f"the fairness minimum of {policy.min_per_lender} placements per lender{soft}",
            lambda: dataclasses.replace(problem, targets=np.zeros_like(problem.targets)),
        ),
        (
            MAX_HOST_SHARE,
            f"the fairness maximum of {policy.max_host_share:.0%} of placements per host{soft}",
            lambda: dataclasses.replace(problem, share_units=None),
        ),
    ]
    rules += [
        Rule(key, words, relax, [index[key]]) for key, words, relax in fairness if key in index
    ]
    rules += _floor_rules(problem, index)
    for key, edges, words in (
        (PINS, problem.pins, "the {n} pin(s)"),
        (ACCEPTED, problem.accepted, "keeping the {n} accepted placement(s) of the last round"),
    ):
        if edges.size:
            rules.append(Rule(key, words.format(n=edges.size), _unforced(problem, key), []))
    rules += _eligibility_rules(problem, policy)
    return rules


def _floor_rules(problem: Problem, index: dict[str, int]) -> list[Rule]:
    """The outcome floors with rows in the model."""
    rules = []
    policy = problem.round.policy
    for floor in problem.floors:
        key = floor_group(floor.name)
        if key not in index:
            continue
        share = policy.floors[floor.name].share
        who = "every placed talent" if share >= 1 else f"{share:.0%} of the placed talents"
        soft = "" if floor.hard else f" (soft, {policy.floors[floor.name].penalty:g} points each)"
        rules.append(
            Rule(
                key,
                f"requiring {who} to {FLOOR_WORDS.get(floor.name, floor.name)}{soft}",
                _without_floor(problem, floor.name),
                [index[key]],
            )
        )
    return rules


def _without_floor(problem: Problem, name: str) -> Callable[[], Problem]:
    def relax() -> Problem:
        floors = tuple(f for f in problem.floors if f.name != name)
        # a hard floor of share 1 makes the edges without its outcome dead
        return with_dead(dataclasses.replace(problem, floors=floors))

    return relax


def _budget_rules(problem: Problem, index: dict[str, int]) -> list[Rule]:
    """The host and top-up budgets with rows in the model or edges only they rule out."""
    rules = []
    for kind, budgets, owner, amount, name in (
        ("hiring", problem.host_budget, problem.host, problem.fee, host_budget_group),
        ("top-up", problem.lender_budget, problem.lender, problem.topup, topup_budget_group),
    ):
        for o in np.flatnonzero(budgets != NO_LIMIT).tolist():
            key = name(problem.org_name(o))
            blocks = bool(((owner == o) & (amount > budgets[o])).any())
            if key not in index and not blocks:
                continue
            monthly = budgets[o] / CENTS_PER_EURO
            rules.append(
                Rule(
                    key,
                    f"the {kind} budget of '{problem.org_name(o)}' ({monthly:,.0f} a month)",
                    _unlimited(problem, kind, o),
                    [index[key]] if key in index else [],
                )
            )
    return rules


def _unlimited(problem: Problem, kind: str, org: int) -> Callable[[], Problem]:
    def relax() -> Problem:
        if kind == "hiring":
            host_budget = problem.host_budget.copy()
            host_budget[org] = NO_LIMIT
            return with_dead(dataclasses.replace(problem, host_budget=host_budget))
        lender_budget = problem.lender_budget.copy()
        lender_budget[org] = NO_LIMIT
        return with_dead(dataclasses.replace(problem, lender_budget=lender_budget))

    return relax


def _unforced(problem: Problem, key: str) -> Callable[[], Problem]:
    def relax() -> Problem:
        forced = np.zeros(problem.n_edges, dtype=bool)
        empty = np.zeros(0, dtype=np.int64)
        if key == PINS:
            forced[problem.accepted] = True
            return dataclasses.replace(problem, forced=forced, pins=empty)
        forced[problem.pins] = True
        return dataclasses.replace(problem, forced=forced, accepted=empty)

    return relax


def _eligibility_rules(problem: Problem, policy: Policy) -> list[Rule]:
    """The age policy, the minimum fit and the learning rule, when on and excluding
    pairs."""
    excluded = problem.compiled.excluded_by_rule()
    rules = []
    if policy.rule_on("learning") and excluded.get("learning", 0) > 0:
        rules.append(
            Rule(
                LEARNING_RULE,
                "the learning rule (every tour teaches the talent one of their learning goals)",
                _recompiled(
                    problem, policy.model_copy(update={"rules": policy.rules | {"learning": False}})
                ),
                eligibility=True,
            )
        )
    if policy.rule_on("age") and excluded["age"] > 0:
        ages = (
            f"talents from {policy.min_age} years old"
            if policy.max_age is None
            else f"talents aged {policy.min_age} to {policy.max_age}"
        )
        rules.append(
            Rule(
                AGE,
                f"the age policy ({ages})",
                _recompiled(problem, policy.model_copy(update={"min_age": 0, "max_age": None})),
                eligibility=True,
            )
        )
    if policy.rule_on("minimum_fit") and policy.min_fit > 0 and excluded["minimum_fit"] > 0:
        rules.append(
            Rule(
                MINIMUM_FIT,
                f"the minimum fit of {policy.min_fit:g}",
                _recompiled(problem, policy.model_copy(update={"min_fit": 0.0})),
                eligibility=True,
            )
        )
    return rules


def _recompiled(problem: Problem, policy: Policy) -> Callable[[], Problem]:
    def relax() -> Problem:
        round_ = problem.round.model_copy(update={"policy": policy})
        return build_problem(compile_round(round_), round_)

    return relax
